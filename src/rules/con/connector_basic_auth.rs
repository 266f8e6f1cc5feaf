use crate::finding::ComponentRef;
use crate::model::Solution;
use crate::rules::con::facts;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a custom connector with a `securityDefinitions` entry of
    /// `"type": "basic"` (Basic authentication: a user name and password per connection).
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:05 (identity and access). Basic authentication sends a
    /// long-lived shared password with every request. It cannot use multifactor
    /// authentication or Conditional Access, is rarely rotated, and one leaked
    /// connection gives the full rights of that account.
    ///
    /// ## Example
    /// ```json
    /// "securityDefinitions": { "basic_auth": { "type": "basic" } }
    /// ```
    ///
    /// ## How to fix
    /// In the custom connector's **2. Security** page choose **OAuth 2.0** (Azure Active
    /// Directory / Entra ID, or the service's OAuth provider) instead of **Basic
    /// authentication**; in the files, replace the `basic` security definition with an
    /// `oauth2` one and the `username`/`password` connection parameters with an
    /// `oauthSetting`. If the service offers only Basic, use a dedicated least-privilege
    /// service account and rotate its password.
    pub ConnectorBasicAuth {
        id: "CON005",
        name: "connector-basic-auth",
        summary: "Custom connector uses Basic authentication",
        pillar: Security,
        waf: "SE:05",
        severity: Medium,
        confidence: High,
        default_on: true,
        help: "Use OAuth 2.0.",
    }
}

impl Rule for ConnectorBasicAuth {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for connector in &solution.connectors {
            for (name, def) in facts::security_definitions(connector) {
                let Some(kind) = def.child("type") else {
                    continue;
                };
                if !kind
                    .value
                    .as_str()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("basic"))
                {
                    continue;
                }
                cx.report(
                    ComponentRef::new("connector", connector.identity()),
                    &kind.loc(),
                    format!(
                        "Connector '{}' uses Basic auth (shared password, no MFA or conditional access).",
                        connector.label()
                    ),
                )
                .label(format!("security definition '{name}'"))
                .discriminator(name);
            }
        }
    }
}
