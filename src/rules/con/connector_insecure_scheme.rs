use crate::finding::ComponentRef;
use crate::model::{Loc, Solution};
use crate::rules::con::facts;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a custom connector that allows plaintext HTTP: the OpenAPI definition's
    /// `schemes` contains `http`, or a `dynamichosturl` policy's
    /// `x-ms-apimTemplateParameter.urlTemplate` starts with `http://`.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:07 (encryption). Requests, including the API key, Basic
    /// credentials or OAuth token the connection adds, and the business data in them,
    /// travel unencrypted between the connector runtime and the backend, where anyone
    /// on the path can read or change them.
    ///
    /// ## Example
    /// ```json
    /// { "host": "api.airvisual.com", "schemes": ["http"],
    ///   "securityDefinitions": { "api_key": { "type": "apiKey", "in": "query", "name": "key" } } }
    /// ```
    ///
    /// ## How to fix
    /// In the custom connector's **1. General** page, set **Scheme** to **HTTPS**; in
    /// the files, set `"schemes": ["https"]` and make every `urlTemplate` start with
    /// `https://`. If the backend has no TLS endpoint, put one in front of it (API
    /// Management, Application Gateway).
    pub ConnectorInsecureScheme {
        id: "CON002",
        name: "connector-insecure-scheme",
        summary: "Custom connector allows plaintext HTTP",
        pillar: Security,
        waf: "SE:07",
        severity: High,
        confidence: High,
        default_on: true,
        help: "Set schemes: [\"https\"].",
    }
}

impl Rule for ConnectorInsecureScheme {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for connector in &solution.connectors {
            let component = ComponentRef::new("connector", connector.identity());
            let message = format!("Connector '{}' allows plaintext HTTP.", connector.label());
            if let Some(schemes) = facts::openapi(connector).and_then(|o| o.child("schemes")) {
                for (i, scheme) in schemes.value.items().iter().enumerate() {
                    if scheme
                        .as_str()
                        .is_some_and(|s| s.trim().eq_ignore_ascii_case("http"))
                    {
                        cx.report(
                            component.clone(),
                            &Loc::new(schemes.file, scheme.span, format!("{}/{i}", schemes.path)),
                            message.clone(),
                        )
                        .label("plaintext scheme");
                    }
                }
            }
            for template in facts::dynamic_host_templates(connector) {
                let Some(url) = template.value.as_str() else {
                    continue;
                };
                if url.trim_start().to_ascii_lowercase().starts_with("http://") {
                    cx.report(component.clone(), &template.loc(), message.clone())
                        .label("plaintext dynamic host");
                }
            }
        }
    }
}
