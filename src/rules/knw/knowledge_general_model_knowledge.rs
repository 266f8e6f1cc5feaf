use crate::finding::ComponentRef;
use crate::model::Solution;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags an agent with **Use general knowledge** turned on: `configuration.json`
    /// `aISettings.useModelKnowledge: true` (workspace: `configuration.aISettings.useModelKnowledge`
    /// in `settings.mcs.yml`). The schema default is `false`, so an absent value gives no finding.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:03 (data classification). The agent may answer from the
    /// language model's general training data instead of the approved, governed knowledge
    /// sources: answers cannot be traced to a source, can be out of date, and are outside
    /// the organisation's data classification.
    ///
    /// ## Example
    /// ```json
    /// "aISettings": { "$kind": "AISettings", "useModelKnowledge": true }
    /// ```
    ///
    /// ## How to fix
    /// In Copilot Studio, open **Settings → Generative AI** and turn off **Use general
    /// knowledge** for grounded or regulated agents. Teams that accept general knowledge
    /// can set the rule option `allow_general_knowledge = true`.
    ///
    /// ## Options
    /// - `allow_general_knowledge` (default `false`): when `true`, the rule reports nothing.
    pub KnowledgeGeneralModelKnowledge {
        id: "KNW003",
        name: "knowledge-general-model-knowledge",
        summary: "Agent may answer from the model's general knowledge instead of approved sources",
        pillar: Security,
        waf: "SE:03",
        severity: Medium,
        confidence: High,
        default_on: true,
        help: "Disable general knowledge for grounded or regulated agents (option knowledge.allow_general_knowledge).",
        options: Options,
    }
}

/// Options of KNW003.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    pub allow_general_knowledge: bool,
}

impl Rule for KnowledgeGeneralModelKnowledge {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        if self.options.allow_general_knowledge {
            return;
        }
        for agent in &solution.agents {
            let Some(setting) = agent.setting_bool(&["aISettings", "useModelKnowledge"]) else {
                continue;
            };
            if !setting.value {
                continue;
            }
            cx.report(
                ComponentRef::new("agent", agent.identity()),
                &setting.loc,
                format!(
                    "Agent '{}' may answer from model general knowledge, not approved sources.",
                    agent.label()
                ),
            )
            .label("general knowledge on")
            .canonical_path("/aISettings/useModelKnowledge");
        }
    }
}
