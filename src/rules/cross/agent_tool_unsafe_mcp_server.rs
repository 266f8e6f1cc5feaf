use std::collections::BTreeMap;

use crate::finding::{ComponentRef, Finding};
use crate::model::Solution;
use crate::model::graph::NodeRef;
use crate::parse::YamlNode;
use crate::rules::con::connector_no_auth::ConnectorNoAuth;
use crate::rules::con::connector_nonprod_host::ConnectorNonprodHost;
use crate::rules::tls::tool_maker_credentials::ToolMakerCredentials;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

use super::facts::{facts, loc_of};

declare_rule! {
    /// ## What it does
    /// Flags an agent tool that calls an **MCP server** — an `InvokeExternalAgentTaskAction`
    /// whose `operationDetails.kind` is `ModelContextProtocolMetadata`, or a `McpTool` — when
    /// the custom connector it reaches (tool → connection reference → connector) has **no
    /// authentication** (CON001) or runs on a **tunnel, local or placeholder host** (CON003).
    /// The finding sits on the tool's `connectionReference`; the connector's host and
    /// security definitions are related locations. When the tool also runs with the maker's
    /// credentials (TLS001), the message says so.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:05. An MCP server exposes many operations chosen at run time by
    /// the model. Without authentication anyone reaching the server can call them; on a dev
    /// tunnel the agent's traffic and data go to a developer's machine. Real samples ship
    /// MCP connectors with `securityDefinitions: {}` on `*.devtunnels.ms`.
    ///
    /// ## Example
    /// ```yaml
    /// action:
    ///   kind: InvokeExternalAgentTaskAction
    ///   connectionReference: cnt_agent.shared_orders-mcp.8f1…
    ///   operationDetails:
    ///     kind: ModelContextProtocolMetadata
    /// ```
    /// with `Connector/cnt_orders-mcp_openapidefinition.json` `"host": "x1y2-3000.uks1.devtunnels.ms"`.
    ///
    /// ## How to fix
    /// Fix the connector first (CON001: OAuth 2.0 with Entra ID; CON003: a governed
    /// production host, ideally from an environment variable), and set the tool to use
    /// end-user credentials (`mode: Invoker`).
    pub AgentToolUnsafeMcpServer {
        id: "TLS101",
        name: "agent-tool-unsafe-mcp-server",
        summary: "An agent tool calls an MCP server whose connector has no authentication or a non-production host",
        pillar: Security,
        waf: "SE:05",
        severity: Critical,
        confidence: High,
        default_on: true,
        help: "Fix CON001/CON003; use Invoker mode.",
    }
}

fn is_mcp(node: &YamlNode) -> bool {
    match node.kind_name() {
        Some("McpTool") => true,
        Some("InvokeExternalAgentTaskAction") => {
            node.path(&["operationDetails", "kind"])
                .and_then(YamlNode::as_str)
                == Some("ModelContextProtocolMetadata")
        }
        _ => false,
    }
}

impl Rule for AgentToolUnsafeMcpServer {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        let mut unsafe_connectors: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
        for fact in facts(&ConnectorNoAuth, solution)
            .into_iter()
            .chain(facts(&ConnectorNonprodHost, solution))
        {
            unsafe_connectors
                .entry(fact.component.identity.clone())
                .or_default()
                .push(fact);
        }
        if unsafe_connectors.is_empty() {
            return;
        }
        let maker: Vec<Finding> = facts(&ToolMakerCredentials, solution);
        for (index, component) in solution.components.iter().enumerate() {
            if component.data.is_none() {
                continue;
            }
            let agent = solution
                .agent_of(component)
                .map_or_else(|| "its agent".to_string(), |a| a.label().to_string());
            for (node, path) in component.find_kinds(&["InvokeExternalAgentTaskAction", "McpTool"])
            {
                if !is_mcp(node) {
                    continue;
                }
                let Some(reference) = node.get("connectionReference") else {
                    continue;
                };
                let Some(name) = reference.as_text() else {
                    continue;
                };
                let connectors: Vec<usize> = solution
                    .graph
                    .outgoing(NodeRef::Component(index))
                    .filter(|e| e.reference.eq_ignore_ascii_case(name))
                    .filter_map(|e| e.to)
                    .flat_map(|r| {
                        solution
                            .graph
                            .outgoing(r)
                            .filter_map(|e| e.to)
                            .collect::<Vec<_>>()
                    })
                    .filter_map(|n| match n {
                        NodeRef::Connector(c) => Some(c),
                        _ => None,
                    })
                    .collect();
                for c in connectors {
                    let connector = &solution.connectors[c];
                    let Some(reasons) = unsafe_connectors.get(&connector.identity()) else {
                        continue;
                    };
                    let no_auth = reasons.iter().any(|f| f.rule.id == "CON001");
                    let tunnel = reasons.iter().any(|f| f.rule.id == "CON003");
                    let why = match (no_auth, tunnel) {
                        (true, true) => "has no auth and runs on a tunnel/dev host",
                        (true, false) => "has no auth",
                        _ => "runs on a tunnel/dev host",
                    };
                    let with_maker = maker.iter().any(|f| {
                        f.component.identity == component.identity
                            && f.primary.logical_path.starts_with(&format!("{path}/"))
                    });
                    let Some(loc) =
                        component.data_loc(reference, &format!("{path}/connectionReference"))
                    else {
                        continue;
                    };
                    let host = connector.host().unwrap_or(connector.label());
                    let finding = cx
                        .report(
                            ComponentRef::new("botcomponent", component.identity.clone()),
                            &loc,
                            format!(
                                "Tool '{}' of '{agent}' calls MCP server {host}, which {why}{}.",
                                component.label(),
                                if with_maker {
                                    ", with maker credentials"
                                } else {
                                    ""
                                }
                            ),
                        )
                        .label("MCP server connection")
                        .discriminator(connector.identity());
                    for reason in reasons {
                        if let Some(rel) = loc_of(reason) {
                            finding.related(
                                &rel,
                                format!("{} ({})", reason.rule.name, reason.rule.id),
                            );
                        }
                    }
                }
            }
        }
    }
}
