use crate::finding::ComponentRef;
use crate::model::{Loc, Solution};
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

use super::agent_flows::describe;
use super::flow_graph::FlowGraph;
use crate::model::AgentLink;

/// Action types that call something outside the flow (and so can fail transiently).
const CALLS: [&str; 6] = [
    "OpenApiConnection",
    "OpenApiConnectionWebhook",
    "ApiConnection",
    "ApiConnectionWebhook",
    "Http",
    "Workflow",
];

declare_rule! {
    /// ## What it does
    /// Flags a cloud flow with at least `min_actions` actions (default 5, nested actions
    /// included) where no action runs after a failure: no `runAfter` lists `Failed` or
    /// `TimedOut` (compared case-insensitively). Only flows that call something outside
    /// themselves (a connector, HTTP endpoint or child flow) are checked: a flow that only
    /// computes (Compose, variables, conditions, Select) has no transient faults to
    /// handle.
    ///
    /// An agent flow (triggered by a Copilot Studio agent, or reached from one) that
    /// responds to the agent must also send a `Response` on a failure path: a `Response`
    /// inside or after a scope that runs on `Failed`/`TimedOut`. An agent flow with an
    /// error path that never answers is reported too; an agent flow with no `Response`
    /// at all is not (the agent gets an immediate 202 and does not wait).
    ///
    /// ## Why is this bad?
    /// Reliability pillar, RE:05 (error handling). When any step fails the run just
    /// stops: nothing is logged, compensated or reported, and the caller (a user, an app
    /// or an agent) gets a generic error or waits until it times out. An agent then tells
    /// the user something went wrong with no useful detail, or nothing at all.
    ///
    /// ## Example
    /// ```json
    /// "actions": {
    ///   "Get_row": { "type": "OpenApiConnection", "runAfter": {} },
    ///   "Update_row": { "type": "OpenApiConnection", "runAfter": { "Get_row": ["Succeeded"] } },
    ///   "Send_email": { "type": "OpenApiConnection", "runAfter": { "Update_row": ["Succeeded"] } },
    ///   "Post_message": { "type": "OpenApiConnection", "runAfter": { "Send_email": ["Succeeded"] } },
    ///   "Respond": { "type": "Response", "runAfter": { "Post_message": ["Succeeded"] } }
    /// }
    /// ```
    ///
    /// ## How to fix
    /// In Power Automate, put the work in a **Scope** ("Try"), add a second scope
    /// ("Catch") after it, and in the Catch scope's **Settings → Run after** select **has
    /// failed** and **has timed out** (exported as `"runAfter": { "Try": ["Failed",
    /// "TimedOut"] }`). In the Catch scope log or notify, and in an agent flow return a
    /// **Respond to the agent** action with an error message the agent can show.
    ///
    /// ## Options
    /// - `min_actions` (default `5`): smaller flows are not checked.
    pub FlowNoErrorHandling {
        id: "FLW006",
        name: "flow-no-error-handling",
        summary: "Flow has no error path",
        pillar: Reliability,
        waf: "RE:05",
        severity: Low,
        confidence: High,
        default_on: true,
        help: "Add Try/Catch scopes (runAfter Failed, TimedOut); return an error Response.",
        options: Options,
    }
}

/// Options of FLW006.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// Flows with fewer actions (nested ones included) are not checked.
    pub min_actions: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { min_actions: 5 }
    }
}

impl Rule for FlowNoErrorHandling {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        let links = solution.agent_links();
        for (flow, link) in solution.flows.iter().zip(links) {
            let count = flow.actions.len();
            if count < self.options.min_actions.max(1) {
                continue;
            }
            let calls_out = flow
                .actions
                .iter()
                .any(|a| CALLS.iter().any(|t| a.type_is(t)));
            if !calls_out {
                continue;
            }
            let Some(actions) = flow.definition.and_then(|d| d.member("actions")) else {
                continue;
            };
            let graph = FlowGraph::new(flow);
            let handlers = graph.failure_handlers();
            let responses: Vec<usize> = (0..count)
                .filter(|&i| flow.actions.get(i).is_some_and(|a| a.type_is("Response")))
                .collect();
            let label = if handlers.is_empty() {
                "no action runs after Failed or TimedOut"
            } else if link.is_some() && !responses.is_empty() {
                let on_failure = graph.on_failure_path();
                if responses
                    .iter()
                    .any(|&r| on_failure.get(r).copied().unwrap_or(false))
                {
                    continue;
                }
                "the error path sends no Response: the agent gets no answer"
            } else {
                continue;
            };
            let loc = Loc::new(
                flow.file,
                actions.key_span,
                format!("{}/actions", flow.definition_path),
            );
            let finding = cx
                .report(
                    ComponentRef::new("flow", flow.identity()),
                    &loc,
                    format!("Flow '{}' ({count} actions) has no error path.", flow.name),
                )
                .label(label);
            // Handlers exist only in the agent sub-case: show them and why it is an agent flow.
            for &h in handlers.iter().take(3) {
                if let Some(handler) = flow.actions.get(h) {
                    finding.related(
                        &handler.loc(flow.file),
                        "runs on failure but sends no Response",
                    );
                }
            }
            if let (false, Some(link)) = (handlers.is_empty(), link)
                && !matches!(link, AgentLink::Trigger(_))
            {
                finding.related(link.loc(), describe(link));
            }
        }
    }
}
