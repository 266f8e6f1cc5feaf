use crate::finding::ComponentRef;
use crate::model::{AuthMode, Solution};
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags an agent that authenticates users but does not require them to sign in:
    /// `bot.xml` `<authenticationmode>` 2, 3 or 4 (Authenticate with Microsoft or
    /// manually) together with `<authenticationtrigger>0</authenticationtrigger>`
    /// (`AsNeeded`). In a Copilot Studio workspace the same pair is
    /// `authenticationMode: Integrated | CustomAzureActiveDirectory | GenericOAuth2` and
    /// `authenticationTrigger: AsNeeded` in `settings.mcs.yml`.
    ///
    /// The trigger codes are inferred [I]: `0` = `AsNeeded`, `1` = `Always` follow the
    /// order of the `BotAuthenticationTrigger` enum in Copilot Studio's object model
    /// (`BotSchema.json`, E30); real exports only show the pairs (1, 0) and (2, 1). A
    /// missing trigger, or a mode of 0 (Unspecified) or 1 (None, which AGT001 reports),
    /// gives no finding.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:05 (identity and access). With sign-in "as needed", the
    /// conversation starts anonymously: topics, knowledge searches and tools that do not
    /// explicitly ask for a sign-in card run before the user is identified, so they cannot
    /// be limited per user or attributed in audit logs.
    ///
    /// ## Example
    /// ```xml
    /// <bot schemaname="cnt_helpdesk">
    ///   <authenticationmode>2</authenticationmode>
    ///   <authenticationtrigger>0</authenticationtrigger>
    /// </bot>
    /// ```
    ///
    /// ## How to fix
    /// In Copilot Studio, open **Settings → Security → Authentication** and turn on
    /// **Require users to sign in**, then publish. In the export this becomes
    /// `<authenticationtrigger>1</authenticationtrigger>` (workspace:
    /// `authenticationTrigger: Always`).
    pub AgentSignInOptional {
        id: "AGT002",
        name: "agent-sign-in-optional",
        summary: "Agent authenticates users but does not require them to sign in",
        pillar: Security,
        waf: "SE:05",
        severity: Medium,
        confidence: Medium,
        default_on: true,
        help: "Require users to sign in.",
    }
}

impl Rule for AgentSignInOptional {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for agent in &solution.agents {
            let Some(mode) = &agent.auth_mode else {
                continue;
            };
            if !matches!(
                mode.value,
                AuthMode::Integrated
                    | AuthMode::CustomAzureActiveDirectory
                    | AuthMode::GenericOAuth2
            ) {
                continue;
            }
            let Some(trigger) = &agent.auth_trigger else {
                continue;
            };
            if !trigger.value.trim().eq_ignore_ascii_case("AsNeeded") {
                continue;
            }
            cx.report(
                ComponentRef::new("agent", agent.identity()),
                &trigger.loc,
                format!(
                    "Agent '{}' signs users in only on demand; tools and knowledge run before sign-in.",
                    agent.label()
                ),
            )
            .label("sign-in: as needed")
            .canonical_path("/bot/authenticationtrigger")
            .related(
                &mode.loc,
                format!("authentication: {}", mode.value.name()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::run;
    use crate::source::Layout;

    #[test]
    fn workspace_enum_names() {
        let settings =
            "schemaName: cnt_ws\nauthenticationMode: Integrated\nauthenticationTrigger: asneeded\n";
        let findings = run(
            &AgentSignInOptional,
            Layout::McsWorkspace,
            &[("settings.mcs.yml", settings)],
        );
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].primary.logical_path, "/authenticationTrigger");
        let always = settings.replace("asneeded", "Always");
        assert!(
            run(
                &AgentSignInOptional,
                Layout::McsWorkspace,
                &[("settings.mcs.yml", &always)]
            )
            .is_empty()
        );
        let none = settings.replace("Integrated", "None");
        assert!(
            run(
                &AgentSignInOptional,
                Layout::McsWorkspace,
                &[("settings.mcs.yml", &none)]
            )
            .is_empty()
        );
    }
}
