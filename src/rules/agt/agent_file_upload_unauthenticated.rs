use crate::finding::ComponentRef;
use crate::model::{AuthMode, Solution};
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags an agent without authentication (the condition of AGT001: `bot.xml`
    /// `<authenticationmode>1</authenticationmode>`, workspace `authenticationMode: None`)
    /// that also has **File uploads** turned on: `configuration.json`
    /// `aISettings.isFileAnalysisEnabled: true` (workspace:
    /// `configuration.aISettings.isFileAnalysisEnabled` in `settings.mcs.yml`). The
    /// finding points at the setting and shows the authentication mode beside it.
    ///
    /// An absent setting gives no finding: the object model (`BotSchema.json`, E30)
    /// documents the switch but not its default, so only an explicit `true` is reported.
    /// That an upload from an anonymous user reaches the model context follows from the
    /// setting's description ("Apply file analysis capability when files are uploaded to
    /// a chat") and is inferred [I].
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:05 (identity and access). Anyone with the agent's link can
    /// upload arbitrary documents that the model then reads: a direct channel for prompt
    /// injection that steers the agent's tools and answers, and for abuse of the
    /// organisation's AI capacity, with nobody identified or accountable.
    ///
    /// ## Example
    /// ```json
    /// "aISettings": { "$kind": "AISettings", "isFileAnalysisEnabled": true }
    /// ```
    /// with `<authenticationmode>1</authenticationmode>` in `bot.xml`.
    ///
    /// ## How to fix
    /// In Copilot Studio, open **Settings → Generative AI** and turn off **File uploads**,
    /// or open **Settings → Security → Authentication** and require users to sign in. In
    /// the export this is `"isFileAnalysisEnabled": false`, or `authenticationmode` 2 with
    /// `authenticationtrigger` 1.
    pub AgentFileUploadUnauthenticated {
        id: "AGT004",
        name: "agent-file-upload-unauthenticated",
        summary: "Agent without authentication accepts file uploads into the model context",
        pillar: Security,
        waf: "SE:05",
        severity: Medium,
        confidence: High,
        default_on: true,
        help: "Disable file uploads or require authentication.",
    }
}

impl Rule for AgentFileUploadUnauthenticated {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for agent in &solution.agents {
            let Some(mode) = &agent.auth_mode else {
                continue;
            };
            if mode.value != AuthMode::None {
                continue;
            }
            let Some(setting) = agent.setting_bool(&["aISettings", "isFileAnalysisEnabled"]) else {
                continue;
            };
            if !setting.value {
                continue;
            }
            cx.report(
                ComponentRef::new("agent", agent.identity()),
                &setting.loc,
                format!(
                    "Unauthenticated agent '{}' accepts file uploads into the model context.",
                    agent.label()
                ),
            )
            .label("file uploads on")
            .canonical_path("/aISettings/isFileAnalysisEnabled")
            .related(&mode.loc, "authentication: None");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::run;
    use crate::source::Layout;

    #[test]
    fn workspace_settings() {
        let settings = "schemaName: cnt_ws\nauthenticationMode: None\nconfiguration:\n  aISettings:\n    isFileAnalysisEnabled: true\n";
        let rule = AgentFileUploadUnauthenticated;
        let found = run(
            &rule,
            Layout::McsWorkspace,
            &[("settings.mcs.yml", settings)],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].primary.logical_path,
            "/configuration/aISettings/isFileAnalysisEnabled"
        );
        assert_eq!(found[0].related.len(), 1);
        for other in [
            settings.replace("None", "Integrated"),
            settings.replace("true", "false"),
            settings.replace("isFileAnalysisEnabled", "useModelKnowledge"),
        ] {
            assert!(run(&rule, Layout::McsWorkspace, &[("settings.mcs.yml", &other)]).is_empty());
        }
    }
}
