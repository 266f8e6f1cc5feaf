//! How rules explain why a flow is an agent flow (the links are found by the model).

use crate::model::AgentLink;

/// A related-span message explaining the link.
pub fn describe(link: &AgentLink) -> String {
    match link {
        AgentLink::Trigger(_) => "triggered by a Copilot Studio agent".to_string(),
        AgentLink::Component { name, .. } => format!("called by agent component '{name}'"),
        AgentLink::ParentFlow { name, .. } => {
            format!("called as a child flow by agent flow '{name}'")
        }
    }
}
