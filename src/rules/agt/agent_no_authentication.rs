use crate::finding::ComponentRef;
use crate::model::{AuthMode, Solution};
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags an agent whose authentication is set to **No authentication**: `bot.xml`
    /// `<authenticationmode>1</authenticationmode>`, or `authenticationMode: None` in a
    /// Copilot Studio workspace's `settings.mcs.yml`.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:05 (identity and access). Anyone who has the agent's link or
    /// web-channel embed code can chat with it and make it call its tools, flows and
    /// knowledge. Nothing identifies the user, so nothing can be limited per user or
    /// audited. Values 1 (None) and 2 (Integrated) are proven by the agent's own publish
    /// status (`synchronizationstatus…authenticationMode`); a missing value or 0
    /// (Unspecified) gives no finding.
    ///
    /// ## Example
    /// ```xml
    /// <bot schemaname="cr961_hackathonHealthcareBot">
    ///   <authenticationmode>1</authenticationmode>
    ///   <authenticationtrigger>0</authenticationtrigger>
    /// </bot>
    /// ```
    ///
    /// ## How to fix
    /// In Copilot Studio, open **Settings → Security → Authentication** and choose
    /// **Authenticate with Microsoft** (or **Authenticate manually**), then turn on
    /// **Require users to sign in**. In the export this becomes `authenticationmode` 2
    /// (or 3/4) with `authenticationtrigger` 1. A public agent must have no private
    /// knowledge and no maker or owner credentials (see SEC101 and KNW101).
    pub AgentNoAuthentication {
        id: "AGT001",
        name: "agent-no-authentication",
        summary: "Agent allows anyone to chat without signing in",
        pillar: Security,
        waf: "SE:05",
        severity: High,
        confidence: High,
        default_on: true,
        help: "Authenticate with Microsoft (or manual) and require sign-in. Public agents must have no private knowledge and no maker or owner credentials (SEC101, KNW101).",
    }
}

impl Rule for AgentNoAuthentication {
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
            cx.report(
                ComponentRef::new("agent", agent.identity()),
                &mode.loc,
                format!(
                    "Agent '{}' has no authentication: anyone with the link can chat and invoke its tools.",
                    agent.label()
                ),
            )
            .label("authentication: None")
            .canonical_path("/bot/authenticationmode");
        }
    }
}
