use std::collections::BTreeMap;

use crate::finding::{ComponentRef, Confidence};
use crate::model::Solution;
use crate::model::graph::NodeRef;
use crate::rules::flw::agent_flow_owner_connection::AgentFlowOwnerConnection;
use crate::rules::tls::tool_maker_credentials::ToolMakerCredentials;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

use super::facts::{
    connector_of_reference, facts, hop_label, loc_of, node_at, unauthenticated_agents,
};

declare_rule! {
    /// ## What it does
    /// Flags an agent with **no authentication** (AGT001) that reaches, through the
    /// component graph (agent → topics and tools → flows, up to 6 hops):
    /// - a tool or node that uses the **maker's credentials** (TLS001,
    ///   `connectionProperties.mode: Maker`), or
    /// - a flow whose connection reference is the **owner's embedded connection**
    ///   (FLW003, `runtimeSource: embedded`).
    ///
    /// The finding sits on the agent's `authenticationmode`; every hop (the flow call, the
    /// association row, the `mode` or `runtimeSource` value) is a related location.
    /// The component findings (AGT001, TLS001, FLW003) are still reported; this one adds
    /// the path and the escalated severity.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:05 (identity and access). Anyone on the internet who finds the
    /// agent can make it read or write data, or send mail, as the maker or the flow's
    /// owner — an identity with real permissions — and nothing records who they were.
    /// Real samples do this: a public health bot querying Dataverse as its owner, a public
    /// bot mailing a user-typed address from the owner's mailbox.
    ///
    /// ## Example
    /// ```xml
    /// <authenticationmode>1</authenticationmode>          <!-- bots/x/bot.xml -->
    /// ```
    /// ```json
    /// "shared_office365": { "runtimeSource": "embedded", … }   // the flow the topic calls
    /// ```
    ///
    /// ## How to fix
    /// Require authentication on the agent (**Settings → Security → Authentication →
    /// Authenticate with Microsoft**, require sign-in), or make every hop use the end
    /// user's credentials: tools with **End user credentials** (`mode: Invoker`), flows
    /// with **Provided by run-only user** connections.
    pub UnauthenticatedAgentOwnerCredentials {
        id: "SEC101",
        name: "unauthenticated-agent-owner-credentials",
        summary: "An unauthenticated agent reaches tools or flows that run with the maker's or owner's credentials",
        pillar: Security,
        waf: "SE:05",
        severity: Critical,
        confidence: High,
        default_on: true,
        help: "Require authentication, or use end-user credentials on every hop.",
    }
}

impl Rule for UnauthenticatedAgentOwnerCredentials {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        let agents: Vec<_> = unauthenticated_agents(solution).collect();
        if agents.is_empty() {
            return;
        }
        // Facts by the graph node they belong to.
        let mut by_node: BTreeMap<NodeRef, Vec<(crate::finding::Finding, String, &'static str)>> =
            BTreeMap::new();
        for fact in facts(&ToolMakerCredentials, solution) {
            let Some(i) = solution
                .components
                .iter()
                .position(|c| c.identity == fact.component.identity)
            else {
                continue;
            };
            let component = &solution.components[i];
            let node_path = fact
                .primary
                .logical_path
                .trim_end_matches("/connectionProperties/mode")
                .trim_end_matches("/authMode")
                .to_string();
            let connector = component
                .data
                .and_then(|d| node_at(d, &node_path))
                .and_then(|n| n.get("connectionReference"))
                .and_then(|r| r.as_text())
                .and_then(|r| connector_of_reference(solution, r))
                .unwrap_or_else(|| "its connector".to_string());
            by_node.entry(NodeRef::Component(i)).or_default().push((
                fact,
                connector,
                "the maker's",
            ));
        }
        for fact in facts(&AgentFlowOwnerConnection, solution) {
            let Some(i) = solution
                .flows
                .iter()
                .position(|f| f.has_identity(&fact.component.identity))
            else {
                continue;
            };
            let flow = &solution.flows[i];
            let connector = flow
                .connection_references
                .iter()
                .find(|r| {
                    fact.primary
                        .logical_path
                        .starts_with(&format!("{}/", r.path))
                })
                .map(|r| {
                    r.api_name
                        .clone()
                        .or(r.api_logical_name.clone())
                        .unwrap_or(r.key.clone())
                })
                .unwrap_or_else(|| "a connector".to_string());
            by_node
                .entry(NodeRef::Flow(i))
                .or_default()
                .push((fact, connector, "the owner's"));
        }
        for (agent_index, agent, mode_loc) in agents {
            let reached = solution
                .graph
                .reach(NodeRef::Agent(agent_index), |n| by_node.contains_key(&n));
            for (node, path) in reached {
                let hops: Vec<String> = path
                    .iter()
                    .filter_map(|&e| solution.graph.edges[e].to)
                    .map(|n| hop_label(solution, n))
                    .collect();
                for (fact, connector, whose) in &by_node[&node] {
                    let finding = cx
                        .report(
                            ComponentRef::new("agent", agent.identity()),
                            mode_loc,
                            format!(
                                "Unauthenticated agent '{}' reaches {connector} with {whose} credentials via {}: anonymous users act as that identity.",
                                agent.label(),
                                hops.join(" → ")
                            ),
                        )
                        .label("no authentication")
                        .canonical_path("/bot/authenticationmode")
                        .discriminator(format!("{}{}", fact.component.identity, fact.primary.logical_path));
                    if fact.confidence < Confidence::High {
                        finding.confidence(fact.confidence);
                    }
                    for &edge in &path {
                        let edge = &solution.graph.edges[edge];
                        if let (Some(loc), Some(to)) = (&edge.loc, edge.to) {
                            finding.related(loc, format!("calls {}", hop_label(solution, to)));
                        }
                    }
                    if let Some(loc) = loc_of(fact) {
                        finding.related(&loc, format!("{whose} credentials ({})", fact.rule.id));
                    }
                }
            }
        }
    }
}
