use crate::finding::{ComponentRef, Confidence, Severity};
use crate::model::{AuthMode, Solution};
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags an agent whose access control policy lets everyone use it:
    /// `accessControlPolicy: AnyMultiTenant` (users of **any** Microsoft Entra tenant,
    /// high) or `accessControlPolicy: Any` (every user of your tenant, medium) in a
    /// Copilot Studio workspace's `settings.mcs.yml`.
    ///
    /// The policy has never been seen in an exported `bot.xml`; only workspaces carry it.
    /// Should an export ever hold `<accesscontrolpolicy>`, the codes 0–3 are read in the
    /// order of the `BotAccessControlPolicy` enum in Copilot Studio's object model
    /// (`BotSchema.json`, E30: `Any`, `ChatbotReaders`, `GroupMembership`,
    /// `AnyMultiTenant`). That mapping is inferred [I], so such findings have medium
    /// confidence. An agent without authentication (AGT001) is not reported again here:
    /// the policy cannot apply to anonymous users.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:05 (identity and access). Authentication proves who the user
    /// is; the access control policy decides who may chat. With `Any`, every account in
    /// the tenant can use the agent, its knowledge and its tools; with
    /// `AnyMultiTenant`, accounts from other organisations can too. Least privilege asks
    /// for a named audience.
    ///
    /// ## Example
    /// ```yaml
    /// # settings.mcs.yml
    /// schemaName: cnt_helpdesk
    /// accessControlPolicy: AnyMultiTenant
    /// authenticationMode: Integrated
    /// authenticationTrigger: Always
    /// ```
    ///
    /// ## How to fix
    /// In Copilot Studio, use **Settings → Security** and the agent's **Share** dialog to
    /// limit who can chat to named security groups or to the users the agent is shared
    /// with. In the workspace's `settings.mcs.yml` this becomes
    /// `accessControlPolicy: GroupMembership` or `accessControlPolicy: ChatbotReaders`
    /// (in an export, `<accesscontrolpolicy>` 2 or 1, if present).
    pub AgentOpenAccessPolicy {
        id: "AGT003",
        name: "agent-open-access-policy",
        summary: "Agent can be used by every user of the tenant or of any tenant",
        pillar: Security,
        waf: "SE:05",
        severity: High,
        confidence: High,
        default_on: true,
        help: "Restrict to GroupMembership or ChatbotReaders.",
    }
}

/// How open a policy is, and whether the value was an inferred integer code.
fn openness(value: &str) -> Option<(bool, bool)> {
    let value = value.trim();
    match value {
        "3" => return Some((true, true)),
        "0" => return Some((false, true)),
        _ => {}
    }
    if value.eq_ignore_ascii_case("AnyMultiTenant") {
        Some((true, false))
    } else if value.eq_ignore_ascii_case("Any") {
        Some((false, false))
    } else {
        None
    }
}

impl Rule for AgentOpenAccessPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for agent in &solution.agents {
            let Some(policy) = &agent.access_control_policy else {
                continue;
            };
            if agent
                .auth_mode
                .as_ref()
                .is_some_and(|m| m.value == AuthMode::None)
            {
                continue;
            }
            let Some((multi_tenant, inferred)) = openness(&policy.value) else {
                continue;
            };
            let (audience, name) = if multi_tenant {
                ("any tenant", "AnyMultiTenant")
            } else {
                ("any tenant user", "Any")
            };
            let finding = cx
                .report(
                    ComponentRef::new("agent", agent.identity()),
                    &policy.loc,
                    format!(
                        "Agent '{}' is usable by {audience} (accessControlPolicy={name}).",
                        agent.label()
                    ),
                )
                .label(if inferred {
                    format!("{} = {name} (inferred code)", policy.value.trim())
                } else {
                    format!("access: {name}")
                })
                .canonical_path("/bot/accesscontrolpolicy");
            if !multi_tenant {
                finding.severity(Severity::Medium);
            }
            if inferred {
                finding.confidence(Confidence::Medium);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::run;
    use crate::source::Layout;

    fn settings(policy: &str, mode: &str) -> String {
        format!(
            "displayName: Helpdesk\nschemaName: cnt_ws\naccessControlPolicy: {policy}\nauthenticationMode: {mode}\nauthenticationTrigger: Always\n"
        )
    }

    #[test]
    fn workspace_policies() {
        let rule = AgentOpenAccessPolicy;
        let multi = run(
            &rule,
            Layout::McsWorkspace,
            &[(
                "settings.mcs.yml",
                &settings("AnyMultiTenant", "Integrated"),
            )],
        );
        assert_eq!(multi.len(), 1);
        assert_eq!(multi[0].severity, Severity::High);
        assert_eq!(multi[0].confidence, Confidence::High);
        assert_eq!(
            multi[0].message,
            "Agent 'Helpdesk' is usable by any tenant (accessControlPolicy=AnyMultiTenant)."
        );
        assert_eq!(multi[0].primary.logical_path, "/accessControlPolicy");

        let any = run(
            &rule,
            Layout::McsWorkspace,
            &[("settings.mcs.yml", &settings("Any", "Integrated"))],
        );
        assert_eq!(any.len(), 1);
        assert_eq!(any[0].severity, Severity::Medium);
        assert_eq!(
            any[0].message,
            "Agent 'Helpdesk' is usable by any tenant user (accessControlPolicy=Any)."
        );

        for (policy, mode) in [
            ("GroupMembership", "Integrated"),
            ("ChatbotReaders", "Integrated"),
            ("Any", "None"),
        ] {
            assert!(
                run(
                    &rule,
                    Layout::McsWorkspace,
                    &[("settings.mcs.yml", &settings(policy, mode))]
                )
                .is_empty(),
                "{policy} {mode}"
            );
        }
    }
}
