//! Cross-component rules build on the single-component rules' own findings
//! ("facts"), so each condition is detected by exactly one piece of code.

use crate::finding::{FileRef, Finding};
use crate::model::graph::NodeRef;
use crate::model::{Agent, AuthMode, Loc, Solution};
use crate::parse::YamlNode;
use crate::rules::{Rule, RuleContext};

/// The findings `rule` would report on `solution`, whatever the selection.
pub fn facts(rule: &dyn Rule, solution: &Solution<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut cx = RuleContext::new(rule.meta(), 0, &mut out);
    rule.check(solution, &mut cx);
    out
}

/// A fact's primary location as a model location.
pub fn loc_of(finding: &Finding) -> Option<Loc> {
    match finding.primary.file {
        FileRef::Id(file) => Some(Loc::new(
            file,
            finding.primary.span,
            finding.primary.logical_path.clone(),
        )),
        FileRef::Unread(_) => None,
    }
}

/// Agents with no authentication (AGT001's condition), with their mode's location.
pub fn unauthenticated_agents<'s, 'a>(
    solution: &'s Solution<'a>,
) -> impl Iterator<Item = (usize, &'s Agent<'a>, &'s Loc)> {
    solution.agents.iter().enumerate().filter_map(|(i, agent)| {
        let mode = agent.auth_mode.as_ref()?;
        (mode.value == AuthMode::None).then_some((i, agent, &mode.loc))
    })
}

/// The node of a graph index as a readable hop: `topic 'Consultation'`.
pub fn hop_label(solution: &Solution<'_>, node: NodeRef) -> String {
    let kind = match node {
        NodeRef::Agent(_) => "agent",
        NodeRef::Component(i) => {
            let c = &solution.components[i];
            if c.is_topic() {
                "topic"
            } else if c.is_tool() {
                "tool"
            } else if c.knowledge().is_some() {
                "knowledge"
            } else {
                "component"
            }
        }
        NodeRef::Flow(_) => "flow",
        NodeRef::Connector(_) => "connector",
        NodeRef::ConnectionReference(_) => "connection reference",
        NodeRef::EnvVar(_) => "environment variable",
        NodeRef::AiModel(_) => "prompt",
    };
    format!("{kind} '{}'", solution.node_label(node))
}

/// The API name of a connection reference's connector (`shared_office365`), or
/// the custom connector's display name.
pub fn connector_of_reference(solution: &Solution<'_>, logical_name: &str) -> Option<String> {
    let index = solution.connection_reference_index(logical_name)?;
    if let Some(connector) = solution
        .graph
        .outgoing(NodeRef::ConnectionReference(index))
        .find_map(|e| match e.to {
            Some(NodeRef::Connector(c)) => Some(c),
            _ => None,
        })
    {
        return Some(solution.connectors[connector].label().to_string());
    }
    let id = solution.connection_references[index]
        .connector_id
        .as_deref()?;
    Some(id.rsplit('/').next().unwrap_or(id).to_string())
}

/// The YAML object at `path` (a logical path as rules build them) in `root`.
pub fn node_at<'a>(root: &'a YamlNode, path: &str) -> Option<&'a YamlNode> {
    let mut node = root;
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        node = if let Some(id) = segment
            .strip_prefix("[id=")
            .and_then(|s| s.strip_suffix(']'))
        {
            node.items().iter().find(|item| item.id() == Some(id))?
        } else if let (Ok(index), true) = (segment.parse::<usize>(), !node.items().is_empty()) {
            node.items().get(index)?
        } else {
            node.get(&segment)?
        };
    }
    Some(node)
}
