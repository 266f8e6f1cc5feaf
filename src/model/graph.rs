//! The component graph, built once per solution: agent → components → flows /
//! prompts / connectors → connection references → environment variables
//! (RULES.md §12.1). A reference to something the solution does not contain is
//! kept as a dangling edge: data for ALM001, never a crash.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use rayon::prelude::*;

use crate::parse::{YamlKind, YamlNode};

use super::customizations::normalize_guid;
use super::flow::Flow;
use super::node::{Segment, Trail, join_pointer};
use super::{Loc, Solution};

/// A node of the graph: an index into the solution's lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeRef {
    Agent(usize),
    Component(usize),
    Flow(usize),
    Connector(usize),
    ConnectionReference(usize),
    EnvVar(usize),
    AiModel(usize),
}

/// What kind of thing a reference names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RefKind {
    Agent,
    Component,
    Flow,
    Prompt,
    ConnectionReference,
    Connector,
    EnvVar,
}

impl RefKind {
    pub fn label(self) -> &'static str {
        match self {
            RefKind::Agent => "Agent",
            RefKind::Component => "Component",
            RefKind::Flow => "Flow",
            RefKind::Prompt => "Prompt",
            RefKind::ConnectionReference => "Connection reference",
            RefKind::Connector => "Connector",
            RefKind::EnvVar => "Environment variable",
        }
    }
}

/// How an edge was found (RULES.md §12.1 "resolved from").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Via {
    /// `parentbotid`, `Assets/bot_botcomponentset.xml`, or the workspace.
    Parent,
    /// A field in the component's YAML or the flow's JSON.
    Content,
    /// An `Assets/*set.xml` association row.
    Association,
    /// Solution metadata (connection reference ↔ connector ids).
    Metadata,
}

#[derive(Clone, Debug)]
pub struct Edge {
    pub from: NodeRef,
    /// `None`: the referenced item is not in the solution.
    pub to: Option<NodeRef>,
    pub kind: RefKind,
    /// The reference as written (schema name, GUID, logical name).
    pub reference: String,
    /// Where the reference is written.
    pub loc: Option<Loc>,
    pub via: Via,
}

#[derive(Debug, Default)]
pub struct Graph {
    pub edges: Vec<Edge>,
    outgoing: BTreeMap<NodeRef, Vec<usize>>,
}

/// A path through the graph: the edges taken, in order.
pub type Path = Vec<usize>;

/// How far "reaches" looks (RULES.md §12.1).
pub const MAX_DEPTH: usize = 6;

impl Graph {
    pub fn outgoing(&self, from: NodeRef) -> impl Iterator<Item = &Edge> {
        self.outgoing
            .get(&from)
            .into_iter()
            .flatten()
            .map(|&i| &self.edges[i])
    }

    pub fn dangling(&self) -> impl Iterator<Item = &Edge> {
        self.edges.iter().filter(|e| e.to.is_none())
    }

    /// Shortest paths (breadth first, depth ≤ [`MAX_DEPTH`], cycles tolerated)
    /// from `from` to every node for which `target` holds; one path per target.
    pub fn reach(&self, from: NodeRef, target: impl Fn(NodeRef) -> bool) -> Vec<(NodeRef, Path)> {
        let mut found = Vec::new();
        let mut seen = BTreeSet::from([from]);
        let mut queue = VecDeque::from([(from, Vec::new())]);
        while let Some((node, path)) = queue.pop_front() {
            if path.len() >= MAX_DEPTH {
                continue;
            }
            for &index in self.outgoing.get(&node).into_iter().flatten() {
                let Some(next) = self.edges[index].to else {
                    continue;
                };
                if !seen.insert(next) {
                    continue;
                }
                let mut next_path = path.clone();
                next_path.push(index);
                if target(next) {
                    found.push((next, next_path.clone()));
                }
                queue.push_back((next, next_path));
            }
        }
        found
    }

    fn push(&mut self, edge: Edge) {
        let index = self.edges.len();
        self.outgoing.entry(edge.from).or_default().push(index);
        self.edges.push(edge);
    }
}

/// Name lookups built once per solution, ASCII case ignored; a name written
/// twice finds its first holder. The graph resolves references with them, and
/// rules look components up by name through [`Solution`]'s methods.
#[derive(Debug, Default)]
pub struct Index {
    agents: BTreeMap<String, usize>,
    components: BTreeMap<String, usize>,
    flows: BTreeMap<String, usize>,
    connrefs: BTreeMap<String, usize>,
    env_vars: BTreeMap<String, usize>,
    models: BTreeMap<String, usize>,
    connectors_by_name: BTreeMap<String, usize>,
    connectors_by_id: BTreeMap<String, usize>,
}

fn lower_map<'a>(names: impl Iterator<Item = (usize, &'a str)>) -> BTreeMap<String, usize> {
    let mut map = BTreeMap::new();
    for (i, name) in names {
        map.entry(name.to_ascii_lowercase()).or_insert(i);
    }
    map
}

impl Index {
    pub(super) fn new(s: &Solution<'_>) -> Index {
        Index {
            agents: lower_map(
                s.agents
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (i, a.schema_name.as_str())),
            ),
            components: lower_map(
                s.components
                    .iter()
                    .enumerate()
                    .filter_map(|(i, c)| Some((i, c.schema_name.as_deref()?))),
            ),
            flows: lower_map(s.flows.iter().enumerate().map(|(i, f)| (i, f.id.as_str()))),
            connrefs: lower_map(
                s.connection_references
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (i, c.logical_name.as_str())),
            ),
            env_vars: lower_map(
                s.env_vars
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (i, v.schema_name.as_str())),
            ),
            models: lower_map(
                s.ai_models
                    .iter()
                    .enumerate()
                    .map(|(i, m)| (i, m.id.as_str())),
            ),
            connectors_by_name: lower_map(
                s.connectors
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (i, c.name.as_str())),
            ),
            connectors_by_id: s
                .connectors
                .iter()
                .enumerate()
                .filter_map(|(i, c)| Some((normalize_guid(c.connector_id.as_deref()?), i)))
                .collect(),
        }
    }

    /// The first environment variable whose schema name is `schema`.
    pub(super) fn env_var(&self, schema: &str) -> Option<usize> {
        self.env_vars.get(&schema.to_ascii_lowercase()).copied()
    }

    /// The first connection reference whose logical name is `name`.
    pub(super) fn connection_reference(&self, name: &str) -> Option<usize> {
        self.connrefs.get(&name.to_ascii_lowercase()).copied()
    }

    /// The first custom connector whose `<name>` is `name`, as written.
    pub(super) fn connector(&self, name: &str) -> Option<usize> {
        self.connectors_by_name
            .get(&name.to_ascii_lowercase())
            .copied()
    }

    fn resolve(&self, kind: RefKind, reference: &str) -> Option<NodeRef> {
        let key = match kind {
            RefKind::Flow | RefKind::Prompt => normalize_guid(reference),
            _ => reference.trim().to_ascii_lowercase(),
        };
        match kind {
            RefKind::Agent => self.agents.get(&key).map(|&i| NodeRef::Agent(i)),
            RefKind::Component => self
                .components
                .get(&key)
                .map(|&i| NodeRef::Component(i))
                .or_else(|| self.agents.get(&key).map(|&i| NodeRef::Agent(i))),
            RefKind::Flow => self.flows.get(&key).map(|&i| NodeRef::Flow(i)),
            RefKind::Prompt => self.models.get(&key).map(|&i| NodeRef::AiModel(i)),
            RefKind::ConnectionReference => self
                .connrefs
                .get(&key)
                .map(|&i| NodeRef::ConnectionReference(i)),
            RefKind::Connector => self
                .connectors_by_name
                .get(&key)
                .map(|&i| NodeRef::Connector(i)),
            RefKind::EnvVar => self.env_vars.get(&key).map(|&i| NodeRef::EnvVar(i)),
        }
    }
}

/// An edge from `from` to what `reference` names, resolved with `index`; none
/// for a blank reference.
fn edge(
    index: &Index,
    from: NodeRef,
    kind: RefKind,
    reference: &str,
    loc: Option<Loc>,
    via: Via,
) -> Option<Edge> {
    let reference = reference.trim();
    (!reference.is_empty()).then(|| Edge {
        from,
        to: index.resolve(kind, reference),
        kind,
        reference: reference.to_string(),
        loc,
        via,
    })
}

pub(super) fn build(s: &Solution<'_>) -> Graph {
    let index = &s.names;
    let mut graph = Graph::default();
    let add = |graph: &mut Graph,
               from: NodeRef,
               kind: RefKind,
               reference: &str,
               loc: Option<Loc>,
               via: Via| {
        if let Some(edge) = edge(index, from, kind, reference, loc, via) {
            graph.push(edge);
        }
    };

    for (a, agent) in s.agents.iter().enumerate() {
        for (c, component) in s.components.iter().enumerate() {
            if component
                .parent_bot
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case(&agent.schema_name))
            {
                graph.push(Edge {
                    from: NodeRef::Agent(a),
                    to: Some(NodeRef::Component(c)),
                    kind: RefKind::Component,
                    reference: component.identity.clone(),
                    loc: None,
                    via: Via::Parent,
                });
            }
        }
    }

    // What components and flows write is found and resolved on all threads,
    // and added in component and flow order.
    let written: Vec<Vec<Edge>> = s
        .components
        .par_iter()
        .enumerate()
        .map(|(c, component)| {
            let (Some(file), Some(data)) = (component.data_file, component.data) else {
                return Vec::new();
            };
            yaml_references(data)
                .into_iter()
                .filter_map(|(kind, reference, span, path)| {
                    let loc = Some(Loc::new(file, span, path));
                    edge(
                        index,
                        NodeRef::Component(c),
                        kind,
                        &reference,
                        loc,
                        Via::Content,
                    )
                })
                .collect()
        })
        .collect();
    for edge in written.into_iter().flatten() {
        graph.push(edge);
    }

    for row in &s.associations {
        let Some(component) = row.attr("botcomponentid.schemaname") else {
            continue;
        };
        let Some(from) = index
            .components
            .get(&component.to_ascii_lowercase())
            .map(|&i| NodeRef::Component(i))
        else {
            continue;
        };
        let target = match row.set.to_ascii_lowercase().as_str() {
            "botcomponent_workflow" => row
                .attr("workflowid.workflowid")
                .map(|r| (RefKind::Flow, r)),
            "botcomponent_connectionreference" => row
                .attr("connectionreferenceid.connectionreferencelogicalname")
                .map(|r| (RefKind::ConnectionReference, r)),
            "botcomponent_msdyn_aimodel" => row
                .attr("msdyn_aimodelid.msdyn_aimodelid")
                .map(|r| (RefKind::Prompt, r)),
            _ => None,
        };
        if let Some((kind, reference)) = target {
            add(
                &mut graph,
                from,
                kind,
                reference,
                Some(row.loc.clone()),
                Via::Association,
            );
        }
    }

    let from_flows: Vec<Vec<Edge>> = s
        .flows
        .par_iter()
        .enumerate()
        .map(|(f, flow)| flow_edges(index, f, flow))
        .collect();
    for edge in from_flows.into_iter().flatten() {
        graph.push(edge);
    }

    for (r, connref) in s.connection_references.iter().enumerate() {
        let from = NodeRef::ConnectionReference(r);
        let custom = connref
            .custom_connector_id
            .as_deref()
            .and_then(|id| index.connectors_by_id.get(&normalize_guid(id)));
        if let Some(&c) = custom {
            graph.push(Edge {
                from,
                to: Some(NodeRef::Connector(c)),
                kind: RefKind::Connector,
                reference: s.connectors[c].name.clone(),
                loc: Some(connref.loc.clone()),
                via: Via::Metadata,
            });
        }
    }
    // Flows name custom connectors by `api.logicalName` on their connection references.
    for (f, flow) in s.flows.iter().enumerate() {
        for cr in &flow.connection_references {
            let Some(logical) = &cr.api_logical_name else {
                continue;
            };
            if let Some(&c) = index.connectors_by_name.get(&logical.to_ascii_lowercase()) {
                if let Some(r) = cr
                    .logical_name
                    .as_deref()
                    .and_then(|n| index.connrefs.get(&n.to_ascii_lowercase()))
                {
                    let from = NodeRef::ConnectionReference(*r);
                    if !graph
                        .outgoing(from)
                        .any(|e| e.to == Some(NodeRef::Connector(c)))
                    {
                        graph.push(Edge {
                            from,
                            to: Some(NodeRef::Connector(c)),
                            kind: RefKind::Connector,
                            reference: logical.clone(),
                            loc: None,
                            via: Via::Metadata,
                        });
                    }
                } else {
                    graph.push(Edge {
                        from: NodeRef::Flow(f),
                        to: Some(NodeRef::Connector(c)),
                        kind: RefKind::Connector,
                        reference: logical.clone(),
                        loc: None,
                        via: Via::Metadata,
                    });
                }
            }
        }
    }

    for (c, connector) in s.connectors.iter().enumerate() {
        let Some(openapi) = &connector.openapi else {
            continue;
        };
        for key in ["host", "basePath"] {
            let Some(v) = openapi.value.get(key) else {
                continue;
            };
            let Some(text) = v.as_str() else { continue };
            for schema in environment_variable_calls(text) {
                let loc = Loc::new(openapi.file, v.span, join_pointer(&openapi.path, key));
                add(
                    &mut graph,
                    NodeRef::Connector(c),
                    RefKind::EnvVar,
                    &schema,
                    Some(loc),
                    Via::Content,
                );
            }
        }
    }
    graph
}

/// The edges a flow's own JSON writes: connection references, child flows,
/// prompts and environment variable parameters, in that order.
fn flow_edges(index: &Index, f: usize, flow: &Flow<'_>) -> Vec<Edge> {
    let from = NodeRef::Flow(f);
    let mut edges = Vec::new();
    let mut add = |kind: RefKind, reference: &str, loc: Option<Loc>| {
        edges.extend(edge(index, from, kind, reference, loc, Via::Content));
    };
    for cr in &flow.connection_references {
        if let Some(name) = &cr.logical_name {
            let loc = flow
                .root
                .path(&[
                    "properties",
                    "connectionReferences",
                    &cr.key,
                    "connection",
                    "connectionReferenceLogicalName",
                ])
                .map(|v| {
                    Loc::new(
                        flow.file,
                        v.span,
                        format!("{}/connection/connectionReferenceLogicalName", cr.path),
                    )
                });
            add(RefKind::ConnectionReference, name, loc);
        }
    }
    for action in &flow.actions {
        if action.type_is("Workflow")
            && let Some(v) = action.host().and_then(|h| h.get("workflowReferenceName"))
            && let Some(id) = v.as_str().filter(|t| !t.starts_with('@'))
        {
            let path = format!("{}/inputs/host/workflowReferenceName", action.path);
            add(RefKind::Flow, id, Some(Loc::new(flow.file, v.span, path)));
        }
        if action
            .operation_id()
            .is_some_and(|op| op.eq_ignore_ascii_case("aibuilderpredict_customprompt"))
            && let Some(v) = action
                .inputs()
                .and_then(|i| i.path(&["parameters", "recordId"]))
            && let Some(id) = v.as_str().filter(|t| !t.contains('@'))
        {
            let path = format!("{}/inputs/parameters/recordId", action.path);
            add(RefKind::Prompt, id, Some(Loc::new(flow.file, v.span, path)));
        }
    }
    for parameter in &flow.parameters {
        if let Some(schema) = &parameter.schema_name {
            let loc = Loc::new(flow.file, parameter.key_span, parameter.path.clone());
            add(RefKind::EnvVar, schema, Some(loc));
        }
    }
    edges
}

/// `@environmentVariables("schema")` calls in a connector field.
fn environment_variable_calls(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("environmentVariables(") {
        rest = &rest[at + "environmentVariables(".len()..];
        let inner = rest.split(')').next().unwrap_or("");
        let name = inner
            .trim()
            .trim_matches(|c| c == '"' || c == '\'' || c == '\\');
        if !name.is_empty() {
            names.push(name.to_string());
        }
    }
    names
}

/// A reference found in YAML: kind, target, span and logical path.
type YamlRef = (RefKind, String, crate::source::Span, String);

/// References written in a component's YAML, in document order: `flowId`,
/// `aIModelId`, `connectionReference`, `botSchemaName`, `dialog`,
/// `knowledgeSources`, `Env.<s>`.
fn yaml_references(root: &YamlNode) -> Vec<YamlRef> {
    let mut out = Vec::new();
    collect_references(root, Trail::ROOT, &mut Trail::new(""), &mut out);
    out
}

fn collect_references<'a>(
    node: &'a YamlNode,
    at: usize,
    trail: &mut Trail<'a>,
    out: &mut Vec<YamlRef>,
) {
    match &node.kind {
        YamlKind::Map(entries) => {
            for entry in entries {
                let Some(key) = entry.key.as_str() else {
                    continue;
                };
                let step = trail.push(at, Segment::Key(key));
                let value = &entry.value;
                let kind = match key {
                    "flowId" => Some(RefKind::Flow),
                    "aIModelId" => Some(RefKind::Prompt),
                    "connectionReference" => Some(RefKind::ConnectionReference),
                    "botSchemaName" => Some(RefKind::Agent),
                    "dialog" => Some(RefKind::Component),
                    _ => None,
                };
                if let (Some(kind), Some(text)) = (kind, value.as_text())
                    && !text.starts_with('=')
                {
                    out.push((kind, text.to_string(), value.span, trail.pointer(step)));
                    continue;
                }
                if key == "knowledgeSources" {
                    for (i, item) in value.items().iter().enumerate() {
                        let name = item
                            .as_text()
                            .or_else(|| item.get("Value").and_then(YamlNode::as_text));
                        if let Some(name) = name {
                            let path = format!("{}/{i}", trail.pointer(step));
                            out.push((RefKind::Component, name.to_string(), item.span, path));
                        }
                    }
                }
                collect_references(value, step, trail, out);
            }
        }
        YamlKind::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                let step = trail.push(at, Segment::item(item, i));
                collect_references(item, step, trail, out);
            }
        }
        YamlKind::Scalar { value, .. } => {
            if has_env_dot(value) {
                let mut seen = BTreeSet::new();
                for name in env_names(value) {
                    if seen.insert(name) {
                        out.push((
                            RefKind::EnvVar,
                            name.to_string(),
                            node.span,
                            trail.pointer(at),
                        ));
                    }
                }
            }
        }
        YamlKind::Alias => {}
    }
}

/// Whether `text` holds `Env.`: every scalar of every topic is asked, and a
/// search for the dot is cheaper than setting up a substring search.
fn has_env_dot(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'.', bytes).any(|dot| dot >= 3 && &bytes[dot - 3..dot] == b"Env")
}

/// Environment variable schema names read by Power Fx (`Env.<schema>`).
pub fn env_names(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = memchr::memmem::find(&bytes[from..], b"Env.") {
        let start = from + at;
        let boundary = start == 0
            || !(bytes[start - 1].is_ascii_alphanumeric()
                || bytes[start - 1] == b'_'
                || bytes[start - 1] == b'.');
        let name_start = start + 4;
        let name_end = text[name_start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(text.len(), |i| name_start + i);
        if boundary && name_end > name_start {
            names.push(&text[name_start..name_end]);
        }
        from = name_end.max(start + 4);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names_in_power_fx() {
        assert_eq!(
            env_names("=If(Env.a_b, Env.c1) & MyEnv.x & \"Env.\""),
            ["a_b", "c1"]
        );
    }

    #[test]
    fn env_dot_found_as_a_substring_search_finds_it() {
        for text in [
            "Env.", "xEnv.y", "Env", ".Env", "Env..", "En.v.", "EEnv.", "é.Env.", "", ".",
        ] {
            assert_eq!(has_env_dot(text), text.contains("Env."), "{text:?}");
        }
    }

    #[test]
    fn environment_variable_calls_in_connector_hosts() {
        assert_eq!(
            environment_variable_calls("@environmentVariables(\"archer_Host\")"),
            ["archer_Host"]
        );
        assert_eq!(
            environment_variable_calls("api.contoso.com"),
            Vec::<String>::new()
        );
    }
}
