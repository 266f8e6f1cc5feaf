//! Turns a solution's component graph into plain map data for renderers.

use std::collections::BTreeMap;

use crate::model::Solution;
use crate::model::graph::NodeRef;
use crate::output::map::{ComponentMap, MapNode};

/// The component graph as plain data for renderers (the HTML agent map).
pub fn component_map(solution: &Solution<'_>) -> ComponentMap {
    let mut map = ComponentMap::default();
    let mut index: BTreeMap<NodeRef, usize> = BTreeMap::new();
    let mut add = |map: &mut ComponentMap, node: NodeRef| -> usize {
        *index.entry(node).or_insert_with(|| {
            let (kind, tier) = match node {
                NodeRef::Agent(_) => ("agent", 0),
                NodeRef::Component(i) => {
                    let c = &solution.components[i];
                    let kind = if c.is_topic() {
                        "topic"
                    } else if c.knowledge().is_some() {
                        "knowledge"
                    } else if c.is_tool() {
                        "tool"
                    } else {
                        "component"
                    };
                    (kind, 1)
                }
                NodeRef::Flow(_) => ("flow", 2),
                NodeRef::AiModel(_) => ("prompt", 2),
                NodeRef::Connector(_) => ("connector", 3),
                NodeRef::ConnectionReference(_) => ("connref", 3),
                NodeRef::EnvVar(_) => ("envvar", 4),
            };
            map.nodes.push(MapNode {
                kind,
                label: solution.node_label(node),
                identity: solution.node_identity(node).1,
                tier,
            });
            map.nodes.len() - 1
        })
    };
    for i in 0..solution.agents.len() {
        add(&mut map, NodeRef::Agent(i));
    }
    for i in 0..solution.components.len() {
        add(&mut map, NodeRef::Component(i));
    }
    for i in 0..solution.flows.len() {
        add(&mut map, NodeRef::Flow(i));
    }
    for i in 0..solution.ai_models.len() {
        add(&mut map, NodeRef::AiModel(i));
    }
    for i in 0..solution.connectors.len() {
        add(&mut map, NodeRef::Connector(i));
    }
    for i in 0..solution.connection_references.len() {
        add(&mut map, NodeRef::ConnectionReference(i));
    }
    for i in 0..solution.env_vars.len() {
        add(&mut map, NodeRef::EnvVar(i));
    }
    let mut edges = std::collections::BTreeSet::new();
    for edge in &solution.graph.edges {
        if let Some(to) = edge.to {
            let from = add(&mut map, edge.from);
            let to = add(&mut map, to);
            if from != to {
                edges.insert((from, to));
            }
        }
    }
    map.edges = edges.into_iter().collect();
    map
}
