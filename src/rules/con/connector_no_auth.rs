use crate::finding::ComponentRef;
use crate::model::{Loc, Solution};
use crate::rules::con::facts;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Flags a custom connector with no authentication. Authentication is present when
    /// any of these holds (RULES.md §7):
    /// - a connection parameter (`<name>_connectionparameters.json`, the paconn
    ///   `apiProperties.json` `properties.connectionParameters`, or any
    ///   `connectionParameterSets.values[].parameters`) of type `securestring` or
    ///   `oauthSetting`;
    /// - a non-empty `securityDefinitions` in the OpenAPI definition;
    /// - a `setheader`/`setqueryparameter` policy that injects a credential header or
    ///   query parameter (`Authorization`, `x-api-key`, `Ocp-Apim-Subscription-Key`, …).
    ///
    /// The connection parameters decide: `securityDefinitions: {}` with an
    /// `oauthSetting` parameter counts as authenticated, as the maker portal exports it.
    /// When an operation carries `x-ms-agentic-protocol`, the connector is an MCP server
    /// for Copilot Studio agents and the message says so. A definition without any
    /// operation (`"paths": {}`, such as the PowerPlatformConnectors templates) exposes
    /// nothing and gives no finding.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:05 (identity and access). A connection to the connector needs
    /// no credential, so the backend cannot tell callers apart: every flow, agent or
    /// user who reaches it calls it anonymously, and so does anyone on the internet who
    /// finds the host. An unauthenticated MCP server exposes its tools to any agent.
    ///
    /// ## Example
    /// ```json
    /// { "swagger": "2.0", "host": "x1kv1q93-3000.uks1.devtunnels.ms",
    ///   "securityDefinitions": {}, "security": [] }
    /// ```
    /// with `_connectionparameters.json` `{}`.
    ///
    /// ## How to fix
    /// In Power Automate or Copilot Studio, edit the custom connector, open
    /// **2. Security** and choose **OAuth 2.0** with the **Azure Active Directory**
    /// identity provider (or **API Key** at minimum), then update the connector. In the
    /// files this adds a `securityDefinitions` entry and an `oauthSetting` (or
    /// `securestring`) connection parameter. Protect the backend itself too (Entra ID
    /// authentication on the API or an API Management subscription).
    pub ConnectorNoAuth {
        id: "CON001",
        name: "connector-no-auth",
        summary: "Custom connector has no authentication",
        pillar: Security,
        waf: "SE:05",
        severity: High,
        confidence: High,
        default_on: true,
        help: "OAuth 2.0 (Entra ID), or a securestring key at minimum; protect the backend (Entra or APIM).",
    }
}

impl Rule for ConnectorNoAuth {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for connector in &solution.connectors {
            // Without an OpenAPI definition there is nothing to call.
            let Some(oapi) = facts::openapi(connector) else {
                continue;
            };
            // A definition without operations (a template) exposes nothing.
            let has_operations = oapi
                .value
                .get("paths")
                .is_some_and(|p| p.members().iter().any(|m| !m.value.members().is_empty()));
            if !has_operations || facts::auth_evidence(solution, connector).is_some() {
                continue;
            }
            let primary = match oapi.value.member("securityDefinitions") {
                Some(m) => Loc::new(
                    oapi.file,
                    m.key_span,
                    format!("{}/securityDefinitions", oapi.path),
                ),
                None => Loc::new(
                    oapi.file,
                    Span::new(
                        oapi.value.span.start as usize,
                        oapi.value.span.start as usize + 1,
                    ),
                    oapi.path.clone(),
                ),
            };
            let mcp = if facts::is_mcp_server(connector) {
                " (MCP server)"
            } else {
                ""
            };
            let finding = cx
                .report(
                    ComponentRef::new("connector", connector.identity()),
                    &primary,
                    format!(
                        "Connector '{}' ({}) has no authentication{mcp}; anyone reaching it calls it anonymously.",
                        connector.label(),
                        facts::host_label(connector)
                    ),
                )
                .label("no security definition, no secure connection parameter");
            if let Some(part) = &connector.connection_parameters {
                finding.related(
                    &Loc::new(part.file, part.value.span, part.path.clone()),
                    "connection parameters: no securestring or oauthSetting",
                );
            }
        }
    }
}
