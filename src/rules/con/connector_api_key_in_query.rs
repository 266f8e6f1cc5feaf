use crate::finding::ComponentRef;
use crate::model::Solution;
use crate::parse::JsonValue;
use crate::rules::con::facts;
use crate::rules::sec::secrets::is_credential_key;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a custom connector that sends its API key in the URL query string:
    /// - a `securityDefinitions` entry with `"type": "apiKey"` and `"in": "query"`;
    /// - a `setqueryparameter` policy whose value is a `securestring` connection
    ///   parameter (`@connectionParameters('api_key')`) or whose query parameter has a
    ///   credential name (`key`, `api_key`, `code`, `sig`, …).
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:09 (application secrets). URLs are written to web-server,
    /// proxy, API Management and browser logs and sent in `Referer` headers, so a key in
    /// the query string ends up stored in places that are not protected like secrets.
    ///
    /// ## Example
    /// ```json
    /// "securityDefinitions": { "API Key": { "type": "apiKey", "in": "query", "name": "key" } }
    /// ```
    ///
    /// ## How to fix
    /// If the backend accepts it, send the key in a header: in the custom connector's
    /// **2. Security** page choose **API Key** with **Parameter location: Header**
    /// (`"in": "header"`), or use OAuth 2.0. When the backend only takes the key in the
    /// query, keep it a `securestring` parameter and make sure the backend and any
    /// proxy in front of it do not log query strings.
    pub ConnectorApiKeyInQuery {
        id: "CON004",
        name: "connector-api-key-in-query",
        summary: "Custom connector sends its API key in the query string",
        pillar: Security,
        waf: "SE:09",
        severity: Medium,
        confidence: High,
        default_on: true,
        help: "Put it in a header, or use OAuth.",
    }
}

impl Rule for ConnectorApiKeyInQuery {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for connector in &solution.connectors {
            let component = ComponentRef::new("connector", connector.identity());
            let message = format!(
                "Connector '{}' sends its API key in the query string.",
                connector.label()
            );
            for (name, def) in facts::security_definitions(connector) {
                let is = |key: &str, want: &str| {
                    def.value
                        .get(key)
                        .and_then(JsonValue::as_str)
                        .is_some_and(|v| v.trim().eq_ignore_ascii_case(want))
                };
                if !(is("type", "apiKey") && is("in", "query")) {
                    continue;
                }
                let Some(location) = def.child("in") else {
                    continue;
                };
                let param = def
                    .value
                    .get("name")
                    .and_then(JsonValue::as_str)
                    .unwrap_or("?");
                cx.report(component.clone(), &location.loc(), message.clone())
                    .label(format!(
                        "'{name}' puts the key in query parameter '{param}'"
                    ))
                    .discriminator(name);
            }
            let secure: Vec<String> = facts::connection_parameters(solution, connector)
                .into_iter()
                .filter(|p| p.is_secure())
                .map(|p| p.name)
                .collect();
            for policy in facts::policies(connector) {
                if !policy.is("setqueryparameter") {
                    continue;
                }
                let Some(value) = policy.parameter("x-ms-apimTemplateParameter.value") else {
                    continue;
                };
                let text = value.value.as_str().unwrap_or("");
                let carries_secure = secure.iter().any(|p| {
                    text.contains(&format!("'{p}'")) || text.contains(&format!("\"{p}\""))
                });
                let target = policy.target_name().unwrap_or("");
                if !carries_secure && !is_credential_key(target) {
                    continue;
                }
                cx.report(component.clone(), &value.loc(), message.clone())
                    .label(format!(
                        "policy '{}' sets query parameter '{target}'",
                        policy.label()
                    ));
            }
        }
    }
}
