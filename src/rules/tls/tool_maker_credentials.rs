use crate::finding::{ComponentRef, Confidence};
use crate::model::Solution;
use crate::parse::YamlNode;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

use super::common::{agent_label, connector_label};

declare_rule! {
    /// ## What it does
    /// Flags a tool, topic node or connector trigger that calls a connector with the
    /// **maker's** connection instead of the user's:
    /// - `connectionProperties.mode: Maker` on `InvokeConnectorTaskAction` (connector
    ///   tool), `InvokeExternalAgentTaskAction` (MCP server tool), `InvokeConnectorAction`
    ///   (connector node in a topic) and `ConnectorTriggerDefinition` (event trigger);
    /// - `authMode: Maker` on a `McpTool` of a CLI-template agent.
    ///
    /// When `connectionProperties.mode` is absent, Copilot Studio's default applies, which is
    /// `Maker` (the `ConnectionMode` default of the authoring schema,
    /// `bot.schema.yaml-authoring.json`, E30). That case is reported with medium confidence,
    /// on the `connectionReference` key, when the solution holds that connection reference
    /// (a dangling reference cannot run at all and is ALM001's). An absent
    /// `McpTool.authMode` is not reported: no default is documented for it.
    ///
    /// The message names the tool (its component display name), the connector (from the
    /// solution's connection reference, else the node's `connectorId`) and the agent.
    /// A disabled component (`<statecode>1</statecode>`) is reported with low confidence.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:05 (identity and access). With maker credentials every user of
    /// the agent acts as the author: they read and change whatever the author can reach
    /// through that connector (Dataverse rows, mailboxes, files), and the audit trail shows
    /// the author. On an agent without authentication (AGT001) anyone on the internet does
    /// (see SEC101).
    ///
    /// ## Example
    /// ```yaml
    /// kind: TaskDialog
    /// modelDisplayName: Find Contact
    /// action:
    ///   kind: InvokeConnectorTaskAction
    ///   connectionReference: cnt_helpdesk.shared_commondataserviceforapps.shared-commondataser-1a2b
    ///   connectionProperties:
    ///     mode: Maker
    ///   operationId: PerformUnboundActionWithOrganization
    /// ```
    ///
    /// ## How to fix
    /// In Copilot Studio, open the tool (or the connector node's properties in the topic,
    /// or the trigger) and under **Credentials to use** choose **End user credentials**
    /// instead of **Maker-provided credentials**; users then sign in to the connector
    /// themselves, which needs an authenticated agent. The exported YAML then reads
    /// `connectionProperties: { mode: Invoker }` (`authMode: Invoker` for `McpTool`). Where
    /// a shared identity is really needed, give the connection a dedicated least-privilege
    /// service account or service principal, never a personal account.
    pub ToolMakerCredentials {
        id: "TLS001",
        name: "tool-maker-credentials",
        summary: "Tool or connector node runs with the maker's credentials for every user",
        pillar: Security,
        waf: "SE:05",
        severity: High,
        confidence: High,
        default_on: true,
        help: "Set end-user credentials (mode: Invoker), or use a least-privilege service principal.",
    }
}

/// Kinds whose `connectionProperties.mode` selects the credentials (RULES.md TLS001).
const CONNECTION_KINDS: [&str; 4] = [
    "InvokeConnectorTaskAction",
    "InvokeExternalAgentTaskAction",
    "InvokeConnectorAction",
    "ConnectorTriggerDefinition",
];

fn is_maker(node: &YamlNode) -> Option<bool> {
    Some(node.as_text()?.eq_ignore_ascii_case("Maker"))
}

impl Rule for ToolMakerCredentials {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        let mut kinds = CONNECTION_KINDS.to_vec();
        kinds.push("McpTool");
        for component in &solution.components {
            let Some(data) = component.data else { continue };
            let disabled = component.disabled;
            let tool_name = data
                .get("modelDisplayName")
                .and_then(YamlNode::as_text)
                .filter(|n| !n.is_empty() && *n != component.label());
            for (node, path) in component.find_kinds(&kinds) {
                let kind = node.kind_name().unwrap_or("");
                let reference = node
                    .get("connectionReference")
                    .and_then(YamlNode::as_text)
                    .filter(|r| !r.is_empty());
                let (loc, defaulted) = if kind == "McpTool" {
                    let Some(mode) = node.get("authMode") else {
                        continue;
                    };
                    if is_maker(mode) != Some(true) {
                        continue;
                    }
                    let Some(loc) = component.data_loc(mode, &format!("{path}/authMode")) else {
                        continue;
                    };
                    (loc, false)
                } else {
                    match node.path(&["connectionProperties", "mode"]) {
                        Some(mode) => {
                            if is_maker(mode) != Some(true) {
                                continue;
                            }
                            let Some(loc) = component
                                .data_loc(mode, &format!("{path}/connectionProperties/mode"))
                            else {
                                continue;
                            };
                            (loc, false)
                        }
                        None => {
                            // Without a connection there are no credentials to choose; a
                            // reference the solution does not hold is ALM001's (the node
                            // cannot run), so the default is only applied to resolved ones.
                            let Some(entry) = node.entry("connectionReference") else {
                                continue;
                            };
                            let resolved = reference.is_some_and(|name| {
                                solution.connection_reference_index(name).is_some()
                            });
                            if !resolved {
                                continue;
                            }
                            let Some(loc) = component
                                .data_loc(&entry.key, &format!("{path}/connectionReference"))
                            else {
                                continue;
                            };
                            (loc, true)
                        }
                    }
                };
                let connector = connector_label(solution, reference, node);
                let mut label = if defaulted {
                    "no connectionProperties.mode: defaults to Maker".to_string()
                } else {
                    "maker's credentials".to_string()
                };
                if let Some(name) = tool_name {
                    label.push_str(&format!(" (tool '{name}')"));
                }
                if disabled {
                    label.push_str("; component is disabled");
                }
                let finding = cx
                    .report(
                        ComponentRef::new("botcomponent", component.identity.clone()),
                        &loc,
                        format!(
                            "Tool '{}' calls {connector} with the maker's credentials: every user of '{}' acts as the author.",
                            component.label(),
                            agent_label(solution, component)
                        ),
                    )
                    .label(label);
                if defaulted {
                    finding.confidence(Confidence::Medium);
                }
                if disabled {
                    finding.confidence(Confidence::Low);
                }
                if let Some(name) = reference
                    && let Some(cr) = solution.connection_reference_named(name)
                {
                    finding.related(&cr.loc, format!("connection reference for {connector}"));
                }
            }
        }
    }
}
