//! Which flows are agent flows (RULES.md §6): triggered by an agent (`Request` with
//! kind `Skills` or `VirtualAgent`), or reached from an agent (§12.1): a component's
//! `InvokeFlowAction.flowId` / `InvokeFlowTaskAction.flowId`, an
//! `Assets/botcomponent_workflowset.xml` row, then child flows called through
//! `Workflow.inputs.host.workflowReferenceName` (transitively, depth ≤ 6).

use std::collections::HashMap;

use super::{Flow, Loc, Solution, normalize_guid};

/// How deep flow → child flow edges are followed (RULES.md §12.1).
const MAX_DEPTH: usize = 6;

/// Why a flow is an agent flow.
#[derive(Clone, Debug)]
pub enum AgentLink {
    /// Its trigger is `Request` with kind `Skills` / `VirtualAgent`; the loc is the `kind` value.
    Trigger(Loc),
    /// A bot component calls it (`flowId`, or an association row).
    Component { name: String, loc: Loc },
    /// An agent flow calls it as a child flow (`workflowReferenceName`).
    ParentFlow { name: String, loc: Loc },
}

impl AgentLink {
    pub fn loc(&self) -> &Loc {
        match self {
            AgentLink::Trigger(loc)
            | AgentLink::Component { loc, .. }
            | AgentLink::ParentFlow { loc, .. } => loc,
        }
    }
}

/// For each flow of `solution.flows` (same index), why it is an agent flow, if it is one.
pub(super) fn agent_links(solution: &Solution<'_>) -> Vec<Option<AgentLink>> {
    let flows = &solution.flows;
    let mut links: Vec<Option<AgentLink>> = flows.iter().map(trigger_link).collect();
    let mut by_id: HashMap<&str, usize> = HashMap::with_capacity(flows.len());
    for (i, flow) in flows.iter().enumerate() {
        by_id.entry(flow.id.as_str()).or_insert(i);
    }
    let find = |id: &str| {
        let id = normalize_guid(id);
        if id.is_empty() {
            return None;
        }
        by_id.get(id.as_str()).copied()
    };

    for component in &solution.components {
        if component.data.is_none() {
            continue;
        }
        for (node, path) in component.find_kinds(&["InvokeFlowAction", "InvokeFlowTaskAction"]) {
            let Some(value) = node.get("flowId") else {
                continue;
            };
            let Some(index) = value.as_text().and_then(find) else {
                continue;
            };
            if links[index].is_some() {
                continue;
            }
            if let Some(loc) = component.data_loc(value, &format!("{path}/flowId")) {
                links[index] = Some(AgentLink::Component {
                    name: component.label().to_string(),
                    loc,
                });
            }
        }
    }
    for row in &solution.associations {
        let (Some(component), Some(flow_id)) = (
            row.attr("botcomponentid.schemaname"),
            row.attr("workflowid.workflowid"),
        ) else {
            continue;
        };
        let Some(index) = find(flow_id) else { continue };
        if links[index].is_none() {
            let name = solution
                .components
                .iter()
                .find(|c| {
                    c.schema_name
                        .as_deref()
                        .is_some_and(|s| s.eq_ignore_ascii_case(component))
                })
                .map_or(component, |c| c.label())
                .to_string();
            links[index] = Some(AgentLink::Component {
                name,
                loc: row.loc.clone(),
            });
        }
    }

    // Child flows of agent flows, breadth first.
    let mut frontier: Vec<usize> = (0..flows.len()).filter(|&i| links[i].is_some()).collect();
    for _ in 0..MAX_DEPTH {
        let mut next = Vec::new();
        for &parent in &frontier {
            let Some(flow) = flows.get(parent) else {
                continue;
            };
            for (child, loc) in child_flows(flow) {
                let Some(index) = find(&child) else { continue };
                if links[index].is_none() {
                    links[index] = Some(AgentLink::ParentFlow {
                        name: flow.name.clone(),
                        loc,
                    });
                    next.push(index);
                }
            }
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    links
}

fn trigger_link(flow: &Flow<'_>) -> Option<AgentLink> {
    let trigger = flow.triggers.iter().find(|t| {
        t.type_is("Request")
            && t.kind.as_deref().is_some_and(|k| {
                k.eq_ignore_ascii_case("Skills") || k.eq_ignore_ascii_case("VirtualAgent")
            })
    })?;
    let kind = trigger.value.get("kind")?;
    Some(AgentLink::Trigger(Loc::new(
        flow.file,
        kind.span,
        format!("{}/kind", trigger.path),
    )))
}

/// Child flows called by `flow`: the `workflowReferenceName` values and their locations.
fn child_flows(flow: &Flow<'_>) -> Vec<(String, Loc)> {
    flow.actions
        .iter()
        .filter(|a| a.type_is("Workflow"))
        .filter_map(|a| {
            let value = a.host()?.get("workflowReferenceName")?;
            let id = value.as_str()?;
            Some((
                id.to_string(),
                Loc::new(
                    flow.file,
                    value.span,
                    format!("{}/inputs/host/workflowReferenceName", a.path),
                ),
            ))
        })
        .collect()
}
