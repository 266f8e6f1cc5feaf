use crate::finding::ComponentRef;
use crate::model::Solution;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

use super::support::agent_label;

declare_rule! {
    /// ## What it does
    /// Flags an agent that can ground its answers on open web search (Bing):
    /// - the agent's instructions component (componenttype 15 `<bot>.gpt.default`
    ///   `data`, workspace `agent.mcs.yml`, `kind: GptComponentMetadata`) with
    ///   `gptCapabilities.webBrowsing: true` (the **Web Search** switch);
    /// - a generative-answers node with `webBrowsing: true`
    ///   (`SearchAndSummarizeContent`, and the related `SearchKnowledgeSources` and
    ///   `SearchAndSummarizeWithCustomModel` nodes). Node-level web browsing is known
    ///   only from the official schema [S];
    /// - an agent made from the CLI agent template (`template: cliagent-1.0.0`) with
    ///   `configuration.agentSettings.web.enableWebSearch: true` in `settings.mcs.yml`.
    ///
    /// The schema default of `webBrowsing` is `false` (E30), so an absent value gives no
    /// finding.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:06 (network controls). With web search on, the orchestrator
    /// sends search queries built from the user's messages (which may contain internal or
    /// personal data) to Bing, outside the tenant's compliance boundary, and may answer
    /// from any page on the internet rather than from approved sources. Tenants that
    /// block public websites in their data policies expect agents not to do this.
    ///
    /// ## Example
    /// ```yaml
    /// kind: GptComponentMetadata
    /// instructions: Help employees find IT answers.
    /// gptCapabilities:
    ///   webBrowsing: true
    /// ```
    ///
    /// ## How to fix
    /// In Copilot Studio, open the agent's **Overview → Knowledge** section (or
    /// **Settings → Generative AI**) and turn off **Web Search**; for a generative
    /// answers node, turn off web browsing in its data sources. In the export this is
    /// `gptCapabilities.webBrowsing: false` (workspace CLI agents:
    /// `agentSettings.web.enableWebSearch: false`). If the agent must search the web,
    /// justify it against the tenant's data policy for public websites in a suppression.
    pub KnowledgeWebSearch {
        id: "KNW002",
        name: "knowledge-web-search",
        summary: "Agent can ground answers on open web search",
        pillar: Security,
        waf: "SE:06",
        severity: Medium,
        confidence: High,
        default_on: true,
        help: "Disable Web search, or justify it against the DLP rules for public websites.",
    }
}

const NODE_KINDS: [&str; 3] = [
    "SearchAndSummarizeContent",
    "SearchKnowledgeSources",
    "SearchAndSummarizeWithCustomModel",
];

fn message(bot: &str) -> String {
    format!("Agent '{bot}' can ground on open web search; queries leave the tenant.")
}

impl Rule for KnowledgeWebSearch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for agent in &solution.agents {
            let Some(setting) = agent.setting_bool(&["agentSettings", "web", "enableWebSearch"])
            else {
                continue;
            };
            if setting.value {
                cx.report(
                    ComponentRef::new("agent", agent.identity()),
                    &setting.loc,
                    message(agent.label()),
                )
                .label("web search on")
                .canonical_path("/agentSettings/web/enableWebSearch");
            }
        }
        for component in &solution.components {
            if component.is_translation {
                continue;
            }
            let Some(data) = component.data else { continue };
            let bot = agent_label(solution, component);
            let component_ref = || ComponentRef::new("botcomponent", component.identity.clone());
            let is_gpt = component.component_type == Some(15)
                || component.kind.as_deref() == Some("GptComponentMetadata");
            if is_gpt
                && let Some(value) = data.path(&["gptCapabilities", "webBrowsing"])
                && value.as_bool() == Some(true)
                && let Some(loc) = component.data_loc(value, "/gptCapabilities/webBrowsing")
            {
                cx.report(component_ref(), &loc, message(&bot))
                    .label("web search on");
            }
            for (node, path) in component.find_kinds(&NODE_KINDS) {
                let Some(value) = node.get("webBrowsing") else {
                    continue;
                };
                if value.as_bool() != Some(true) {
                    continue;
                }
                let Some(loc) = component.data_loc(value, &format!("{path}/webBrowsing")) else {
                    continue;
                };
                cx.report(component_ref(), &loc, message(&bot))
                    .label(format!(
                        "web browsing on in node {}",
                        node.id().unwrap_or("(no id)")
                    ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::run;
    use crate::source::Layout;

    #[test]
    fn workspace_agent_and_cli_agent() {
        let found = run(
            &KnowledgeWebSearch,
            Layout::McsWorkspace,
            &[
                (
                    "settings.mcs.yml",
                    "displayName: Digest\nschemaName: cnt_ws\nconfiguration:\n  agentSettings:\n    web:\n      enableWebSearch: true\ntemplate: cliagent-1.0.0\n",
                ),
                (
                    "agent.mcs.yml",
                    "kind: GptComponentMetadata\ngptCapabilities:\n  webBrowsing: true\n  codeInterpreter: true\n",
                ),
            ],
        );
        let paths: Vec<&str> = found
            .iter()
            .map(|f| f.primary.logical_path.as_str())
            .collect();
        assert_eq!(
            paths,
            [
                "/configuration/agentSettings/web/enableWebSearch",
                "/gptCapabilities/webBrowsing"
            ]
        );
        assert_eq!(
            found[1].component.identity,
            "botcomponent:cnt_ws.gpt.default"
        );
        let off = run(
            &KnowledgeWebSearch,
            Layout::McsWorkspace,
            &[
                (
                    "settings.mcs.yml",
                    "schemaName: cnt_ws\nconfiguration:\n  agentSettings:\n    web:\n      enableWebSearch: false\n",
                ),
                (
                    "agent.mcs.yml",
                    "kind: GptComponentMetadata\ngptCapabilities:\n  webBrowsing: \"true\"\n",
                ),
            ],
        );
        assert!(off.is_empty());
    }
}
