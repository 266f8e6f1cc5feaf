use std::collections::BTreeMap;

use crate::finding::{ComponentRef, Finding};
use crate::model::Solution;
use crate::model::normalize_guid;
use crate::parse::{YamlKind, YamlNode};
use crate::rules::flw::flow_llm_call_without_safety_check::FlowLlmCallWithoutSafetyCheck;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

use super::facts::{facts, loc_of};

declare_rule! {
    /// ## What it does
    /// Flags a topic that calls a flow (`InvokeFlowAction.flowId`) which sends user text
    /// to a large language model directly (the FLW002 detection: an HTTP action to an LLM
    /// host or a custom connector's completion operation, fed from the trigger), and then
    /// shows the flow's bound output to the user in a later `SendActivity`
    /// (`{Topic.Answer}` where `output.binding` set `Topic.Answer`).
    ///
    /// The finding sits on the topic's `flowId`; the LLM action and the `SendActivity`
    /// are related locations. A content-safety step in the flow does not clear it: the
    /// agent's own moderation never sees text that arrives through a flow output.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:01 (security baseline). Copilot Studio moderates what its
    /// generative nodes produce; raw model output relayed from a flow bypasses that
    /// moderation and the agent's instructions, so harmful or injected content reaches
    /// users in the agent's name.
    ///
    /// ## Example
    /// ```yaml
    /// - kind: InvokeFlowAction
    ///   flowId: 8449aa56-b7ee-ed11-8849-000d3a5c6506     # flow calls *.openai.azure.com
    ///   output:
    ///     binding:
    ///       answer: Topic.Answer
    /// - kind: SendActivity
    ///   activity: "{Topic.Answer}"
    /// ```
    ///
    /// ## How to fix
    /// Use a prompt (AI Builder) or a generative answers node instead of a direct model
    /// call, or add Azure AI Content Safety on the flow's input and output before the
    /// text reaches the topic.
    pub AgentRelaysUnmoderatedLlmOutput {
        id: "RAI101",
        name: "agent-relays-unmoderated-llm-output",
        summary: "A topic shows raw LLM output from a flow, bypassing the agent's content moderation",
        pillar: Security,
        waf: "SE:01",
        severity: High,
        confidence: Medium,
        default_on: true,
        help: "Use a prompt or generative node, or add content safety in the flow.",
    }
}

/// Variables an `InvokeFlowAction` binds its outputs to (`Topic.Answer`).
fn bound_variables(node: &YamlNode) -> Vec<String> {
    node.path(&["output", "binding"])
        .map(|b| {
            b.entries()
                .iter()
                .filter_map(|e| e.value.as_text())
                .map(|v| v.trim_start_matches('=').trim().to_string())
                .filter(|v| !v.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Every string scalar below `node`.
fn texts(node: &YamlNode, out: &mut Vec<String>) {
    match &node.kind {
        YamlKind::Scalar { value, .. } => out.push(value.to_string()),
        YamlKind::Seq(items) => items.iter().for_each(|i| texts(i, out)),
        YamlKind::Map(entries) => entries.iter().for_each(|e| texts(&e.value, out)),
        YamlKind::Alias => {}
    }
}

fn mentions(text: &str, variable: &str) -> bool {
    text.match_indices(variable).any(|(at, _)| {
        let after = text[at + variable.len()..].chars().next();
        !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

impl Rule for AgentRelaysUnmoderatedLlmOutput {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        let mut llm_flows: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
        let detector = FlowLlmCallWithoutSafetyCheck::relaxed();
        for fact in facts(&detector, solution) {
            llm_flows
                .entry(fact.component.identity.clone())
                .or_default()
                .push(fact);
        }
        if llm_flows.is_empty() {
            return;
        }
        for component in &solution.components {
            if component.data.is_none() {
                continue;
            }
            let agent = solution
                .agent_of(component)
                .map_or_else(|| "the agent".to_string(), |a| a.label().to_string());
            let sends = component.find_kinds(&["SendActivity"]);
            for (invoke, path) in component.find_kinds(&["InvokeFlowAction"]) {
                let Some(flow_id) = invoke.get("flowId") else {
                    continue;
                };
                let Some(id) = flow_id.as_text() else {
                    continue;
                };
                let id = normalize_guid(id);
                let Some(flow) = solution.flows.iter().find(|f| f.id == id) else {
                    continue;
                };
                let Some(calls) = llm_flows.get(&flow.identity()) else {
                    continue;
                };
                let variables = bound_variables(invoke);
                let shown: Vec<&(&YamlNode, String)> = sends
                    .iter()
                    .filter(|(send, _)| send.span.start > invoke.span.start)
                    .filter(|(send, _)| {
                        let mut all = Vec::new();
                        if let Some(activity) = send.get("activity") {
                            texts(activity, &mut all);
                        }
                        all.iter().any(|t| variables.iter().any(|v| mentions(t, v)))
                    })
                    .collect();
                let Some((first_send, send_path)) = shown.first() else {
                    continue;
                };
                let Some(loc) = component.data_loc(flow_id, &format!("{path}/flowId")) else {
                    continue;
                };
                let finding = cx
                    .report(
                        ComponentRef::new("botcomponent", component.identity.clone()),
                        &loc,
                        format!(
                            "'{agent}' shows raw LLM output from flow '{}' without moderation.",
                            flow.name
                        ),
                    )
                    .label("calls a flow that prompts an LLM directly")
                    .discriminator(flow.identity());
                for call in calls {
                    if let Some(rel) = loc_of(call) {
                        finding.related(&rel, "direct LLM call");
                    }
                }
                if let Some(activity) = first_send.get("activity")
                    && let Some(rel) =
                        component.data_loc(activity, &format!("{send_path}/activity"))
                {
                    finding.related(&rel, "shown to the user");
                }
            }
        }
    }
}
