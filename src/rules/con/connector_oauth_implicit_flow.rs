use crate::finding::ComponentRef;
use crate::model::Solution;
use crate::parse::JsonValue;
use crate::rules::con::facts;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a custom connector with a `securityDefinitions` entry of `"type": "oauth2"`
    /// and `"flow": "implicit"`. The flow values come from the connector definition
    /// schema (`apiDefinition.swagger.schema.json` of microsoft/PowerPlatformConnectors:
    /// `implicit`, `password`, `application`, `accessCode`); that the connector runtime
    /// then uses the implicit grant is inferred [I].
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:05 (identity and access). The implicit grant returns the
    /// access token in the redirect URL's fragment, where browser history, logs and
    /// other scripts can read it; it has no refresh token and no proof that the token
    /// reached the right client. OAuth 2.0 security best current practice (RFC 9700)
    /// says not to use it.
    ///
    /// ## Example
    /// ```json
    /// "securityDefinitions": { "oauth2_auth": { "type": "oauth2", "flow": "implicit",
    ///   "authorizationUrl": "https://login.contoso.com/authorize", "scopes": {} } }
    /// ```
    ///
    /// ## How to fix
    /// In the custom connector's **2. Security** page, use **OAuth 2.0** with the
    /// **Azure Active Directory** identity provider (or a generic OAuth 2 provider with
    /// the authorization-code grant). In the files, set `"flow": "accessCode"` with a
    /// `tokenUrl`.
    pub ConnectorOauthImplicitFlow {
        id: "CON007",
        name: "connector-oauth-implicit-flow",
        summary: "Custom connector uses the OAuth 2.0 implicit grant",
        pillar: Security,
        waf: "SE:05",
        severity: Medium,
        confidence: High,
        default_on: true,
        help: "Use the authorization-code flow (flow: accessCode) with an Entra ID identity provider.",
    }
}

impl Rule for ConnectorOauthImplicitFlow {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for connector in &solution.connectors {
            for (name, def) in facts::security_definitions(connector) {
                let oauth = def
                    .value
                    .get("type")
                    .and_then(JsonValue::as_str)
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("oauth2"));
                let Some(flow) = def.child("flow") else {
                    continue;
                };
                let implicit = flow
                    .value
                    .as_str()
                    .is_some_and(|f| f.trim().eq_ignore_ascii_case("implicit"));
                if !(oauth && implicit) {
                    continue;
                }
                cx.report(
                    ComponentRef::new("connector", connector.identity()),
                    &flow.loc(),
                    format!(
                        "Connector '{}' uses the OAuth implicit grant; access tokens travel in URLs.",
                        connector.label()
                    ),
                )
                .label(format!("security definition '{name}'"))
                .discriminator(name);
            }
        }
    }
}
