use std::collections::BTreeMap;

use crate::finding::{ComponentRef, Confidence};
use crate::model::{Flow, FlowNode, Loc, Solution};
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

use super::agent_flows::describe;
use super::expr::action_references;
use super::flow_graph::FlowGraph;
use crate::model::AgentLink;

/// Action types that wait on something outside the flow.
const BLOCKERS: [&str; 4] = ["Wait", "Until", "OpenApiConnectionWebhook", "Workflow"];

/// Action types that call a connector or another service.
const CALLS: [&str; 6] = [
    "OpenApiConnection",
    "ApiConnection",
    "Http",
    "OpenApiConnectionWebhook",
    "ApiConnectionWebhook",
    "Workflow",
];

declare_rule! {
    /// ## What it does
    /// Flags an agent flow that has a `Response` (**Respond to the agent**) and, before
    /// that response, runs an action that can take an unbounded time:
    /// - `Wait` (Delay / Delay until), `Until` (Do until), `OpenApiConnectionWebhook`
    ///   (e.g. approvals, Teams **Post adaptive card and wait for a response**) or
    ///   `Workflow` (a child flow) → confidence medium. A `Wait` with a literal interval
    ///   under 100 s → confidence low;
    /// - a `Foreach` (Apply to each) that calls connectors, inside its body or on the
    ///   connector results it iterates → confidence low (reported with `--persona
    ///   pedantic`).
    ///
    /// "Before" means a `runAfter` ancestor of the `Response`, anything nested in one, and
    /// the same for each scope that encloses the `Response`. An agent flow with no
    /// `Response` gets an immediate 202 reply, so it gives no finding [I: inferred].
    /// Agent flows are triggered by a Copilot Studio agent (`Skills`, `VirtualAgent`) or
    /// reached from one (topic, tool or child-flow call).
    ///
    /// ## Why is this bad?
    /// Performance Efficiency pillar, PE:06 (efficient logic). Copilot Studio waits at
    /// most 100 seconds for a flow's response; after that the action fails and the user
    /// sees an error, while the flow keeps running and may still act (send the email,
    /// create the record) without the agent knowing.
    ///
    /// ## Example
    /// ```json
    /// "Start_and_wait_for_an_approval": { "type": "OpenApiConnectionWebhook", "runAfter": {} },
    /// "Respond_to_the_agent": { "type": "Response", "kind": "Skills",
    ///   "runAfter": { "Start_and_wait_for_an_approval": ["Succeeded"] } }
    /// ```
    ///
    /// ## How to fix
    /// In Power Automate, move **Respond to the agent** before the long step (right after
    /// the trigger or the quick lookups), and let the rest continue asynchronously: the
    /// agent gets its answer at once, and the flow reports the outcome later (email,
    /// Teams message, or a Dataverse row the agent can read). In the exported JSON the
    /// `Response` then no longer has the blocker among its `runAfter` ancestors.
    pub AgentFlowMayExceed100s {
        id: "FLW005",
        name: "agent-flow-may-exceed-100s",
        summary: "Agent flow runs a long-running step before responding",
        pillar: PerformanceEfficiency,
        waf: "PE:06",
        severity: Medium,
        confidence: Medium,
        default_on: true,
        help: "Respond first, continue asynchronously.",
    }
}

fn is_any(node: &FlowNode<'_>, types: &[&str]) -> bool {
    types.iter().any(|t| node.type_is(t))
}

/// A literal `Wait` interval in seconds (`inputs.interval.count` × unit).
fn literal_wait_seconds(node: &FlowNode<'_>) -> Option<f64> {
    let interval = node.inputs()?.get("interval")?;
    let count = interval.get("count")?.as_f64()?;
    let unit = interval.get("unit")?.as_str()?.to_ascii_lowercase();
    let factor = match unit.as_str() {
        "second" => 1.0,
        "minute" => 60.0,
        "hour" => 3600.0,
        "day" => 86400.0,
        "week" => 604800.0,
        "month" => 2_592_000.0,
        _ => return None,
    };
    Some(count * factor)
}

/// A `Foreach` that calls connectors in its body, or iterates over a connector's results.
fn loop_calls_connectors(flow: &Flow<'_>, graph: &FlowGraph<'_>, index: usize) -> bool {
    let inside = graph
        .descendants(index)
        .into_iter()
        .any(|d| flow.actions.get(d).is_some_and(|a| is_any(a, &CALLS)));
    if inside {
        return true;
    }
    let Some(items) = flow
        .actions
        .get(index)
        .and_then(|a| a.value.get("foreach"))
        .and_then(|v| v.as_str())
    else {
        return false;
    };
    action_references(items).iter().any(|name| {
        graph
            .index(name)
            .and_then(|i| flow.actions.get(i))
            .is_some_and(|a| is_any(a, &CALLS))
    })
}

fn label(action: &FlowNode<'_>) -> String {
    if action.type_is("Foreach") {
        return "loops over connector calls".to_string();
    }
    match literal_wait_seconds(action) {
        Some(seconds) if action.type_is("Wait") => format!("waits {seconds} s"),
        _ => "can take longer than 100 s".to_string(),
    }
}

impl Rule for AgentFlowMayExceed100s {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        let links = solution.agent_links();
        for (flow, link) in solution.flows.iter().zip(links) {
            if link.is_none() {
                continue;
            }
            let graph = FlowGraph::new(flow);
            // Blocker index → (confidence, first Response it delays).
            let mut blockers: BTreeMap<usize, (Confidence, usize)> = BTreeMap::new();
            for (r, response) in flow.actions.iter().enumerate() {
                if !response.type_is("Response") {
                    continue;
                }
                for b in graph.completed_before(r) {
                    let Some(action) = flow.actions.get(b) else {
                        continue;
                    };
                    let confidence = if is_any(action, &BLOCKERS) {
                        if action.type_is("Wait")
                            && literal_wait_seconds(action).is_some_and(|s| s < 100.0)
                        {
                            Confidence::Low
                        } else {
                            Confidence::Medium
                        }
                    } else if action.type_is("Foreach") && loop_calls_connectors(flow, &graph, b) {
                        Confidence::Low
                    } else {
                        continue;
                    };
                    blockers
                        .entry(b)
                        .and_modify(|(c, _)| *c = (*c).max(confidence))
                        .or_insert((confidence, r));
                }
            }
            for (b, (confidence, r)) in blockers {
                let (Some(action), Some(response)) = (flow.actions.get(b), flow.actions.get(r))
                else {
                    continue;
                };
                let Some(type_value) = action.value.get("type") else {
                    continue;
                };
                let loc = Loc::new(flow.file, type_value.span, format!("{}/type", action.path));
                let finding = cx
                    .report(
                        ComponentRef::new("flow", flow.identity()),
                        &loc,
                        format!(
                            "Agent flow '{}' runs '{}' ({}) before responding; Copilot cancels after 100 s.",
                            flow.name, action.name, action.node_type
                        ),
                    )
                    .confidence(confidence)
                    .label(label(action))
                    .related(&response.loc(flow.file), "the agent waits for this response");
                // The trigger is in the same file and obvious; a caller elsewhere is not.
                if let Some(link) = link
                    && !matches!(link, AgentLink::Trigger(_))
                {
                    finding.related(link.loc(), describe(link));
                }
            }
        }
    }
}
