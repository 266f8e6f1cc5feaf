//! Cloud flows (`Workflows/*.json`, workspace `workflows/<n>/workflow.json`).

use std::collections::HashMap;

use rayon::prelude::*;

use crate::parse::JsonValue;
use crate::source::{FileId, Span};

use super::customizations::{WorkflowRegistration, normalize_guid};
use super::node::join_pointer;
use super::{Loc, Workspace};

#[derive(Clone, Debug)]
pub struct Flow<'a> {
    /// The workflow id, lower-case without braces (file-name GUID or registration).
    pub id: String,
    pub name: String,
    pub file: FileId,
    pub root: &'a JsonValue,
    pub definition: Option<&'a JsonValue>,
    /// Logical path of `definition` (`/properties/definition`).
    pub definition_path: String,
    pub triggers: Vec<FlowNode<'a>>,
    /// Every action, nested scopes included, depth first in document order.
    pub actions: Vec<FlowNode<'a>>,
    pub connection_references: Vec<FlowConnectionReference<'a>>,
    pub parameters: Vec<FlowParameter<'a>>,
}

impl Flow<'_> {
    pub fn identity(&self) -> String {
        format!("flow:{}", self.id)
    }

    /// Whether [`Flow::identity`] is `identity`, without building it.
    pub fn has_identity(&self, identity: &str) -> bool {
        identity.strip_prefix("flow:") == Some(self.id.as_str())
    }

    /// Triggered by a Copilot Studio agent (`Request` with kind `Skills` or `VirtualAgent`).
    pub fn has_agent_trigger(&self) -> bool {
        self.triggers.iter().any(|t| {
            t.type_is("Request")
                && t.kind.as_deref().is_some_and(|k| {
                    k.eq_ignore_ascii_case("Skills") || k.eq_ignore_ascii_case("VirtualAgent")
                })
        })
    }
}

/// A trigger or an action.
#[derive(Clone, Debug)]
pub struct FlowNode<'a> {
    pub name: String,
    pub node_type: String,
    pub kind: Option<String>,
    pub value: &'a JsonValue,
    pub key_span: Span,
    /// JSON pointer of the node (`/properties/definition/actions/Scope/actions/Send`).
    pub path: String,
    /// Index of the enclosing action (scope, condition, loop, switch).
    pub parent: Option<usize>,
    /// `runAfter`: predecessor and statuses, as written.
    pub run_after: Vec<(String, Vec<String>)>,
}

impl<'a> FlowNode<'a> {
    pub fn type_is(&self, name: &str) -> bool {
        self.node_type.eq_ignore_ascii_case(name)
    }

    pub fn inputs(&self) -> Option<&'a JsonValue> {
        self.value.get("inputs")
    }

    pub fn host(&self) -> Option<&'a JsonValue> {
        self.inputs()?.get("host")
    }

    pub fn operation_id(&self) -> Option<&'a str> {
        self.host()?.get("operationId")?.as_str()
    }

    pub fn connection_name(&self) -> Option<&'a str> {
        self.host()?.get("connectionName")?.as_str()
    }

    pub fn loc(&self, file: FileId) -> Loc {
        Loc::new(file, self.key_span, self.path.clone())
    }
}

#[derive(Clone, Debug)]
pub struct FlowConnectionReference<'a> {
    /// The map key that actions name in `host.connectionName`.
    pub key: String,
    pub key_span: Span,
    pub logical_name: Option<String>,
    pub runtime_source: Option<&'a JsonValue>,
    pub api_name: Option<String>,
    pub api_logical_name: Option<String>,
    pub path: String,
}

#[derive(Clone, Debug)]
pub struct FlowParameter<'a> {
    pub name: String,
    pub key_span: Span,
    pub schema_name: Option<String>,
    pub default_value: Option<&'a JsonValue>,
    pub path: String,
}

/// Registrations looked up by JSON file path and by id, built once.
struct Registrations<'r> {
    by_file: HashMap<String, &'r WorkflowRegistration>,
    by_id: HashMap<&'r str, &'r WorkflowRegistration>,
}

pub(super) fn read<'a>(ws: &'a Workspace, registrations: &[WorkflowRegistration]) -> Vec<Flow<'a>> {
    let index = Registrations {
        by_file: registrations
            .iter()
            .filter_map(|r| {
                Some((
                    r.json_file_name
                        .as_deref()?
                        .trim_start_matches('/')
                        .to_ascii_lowercase(),
                    r,
                ))
            })
            .collect(),
        by_id: registrations.iter().map(|r| (r.id.as_str(), r)).collect(),
    };
    let files: Vec<FileId> = ws
        .find(|s| {
            (s.len() == 2 && s[0] == "workflows" && s[1].ends_with(".json"))
                || (s.len() == 3 && s[0] == "workflows" && s[2] == "workflow.json")
        })
        .collect();
    let mut flows: Vec<Flow<'a>> = files
        .into_par_iter()
        .filter_map(|file| Some(flow(ws, file, ws.json(file)?, &index)))
        .collect();
    flows.sort_by(|a, b| ws.path(a.file).cmp(ws.path(b.file)));
    flows
}

/// `Name-9DA85DD8-….json` or `name-<guid>/workflow.json` → the GUID.
fn guid_in_path(path: &str) -> Option<String> {
    let stem = path
        .strip_suffix("/workflow.json")
        .or_else(|| path.strip_suffix(".json"))?;
    let tail = stem.get(stem.len().checked_sub(36)?..)?;
    let is_guid = tail.len() == 36
        && tail.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    is_guid.then(|| tail.to_ascii_lowercase())
}

fn flow<'a>(
    ws: &'a Workspace,
    file: FileId,
    root: &'a JsonValue,
    registrations: &Registrations<'_>,
) -> Flow<'a> {
    let path = ws.path(file);
    let file_name = path.rsplit('/').next().unwrap_or(path);
    let registration = registrations
        .by_file
        .get(&path.to_ascii_lowercase())
        .copied();
    let id = guid_in_path(path)
        .or_else(|| registration.map(|r| r.id.clone()))
        .unwrap_or_else(|| normalize_guid(file_name));
    let registration = registration.or_else(|| registrations.by_id.get(id.as_str()).copied());
    let name = registration
        .and_then(|r| r.name.clone())
        .unwrap_or_else(|| {
            let stem = if file_name.eq_ignore_ascii_case("workflow.json") {
                path.rsplit('/').nth(1).unwrap_or(file_name)
            } else {
                file_name.strip_suffix(".json").unwrap_or(file_name)
            };
            stem.get(..stem.len().saturating_sub(37))
                .filter(|s| !s.is_empty() && guid_in_path(path).is_some())
                .unwrap_or(stem)
                .to_string()
        });
    let (properties, properties_path) = match root.get("properties") {
        Some(p) => (p, "/properties".to_string()),
        None => (root, String::new()),
    };
    let definition = properties.get("definition");
    let definition_path = format!("{properties_path}/definition");
    let mut flow = Flow {
        id,
        name,
        file,
        root,
        definition,
        definition_path: definition_path.clone(),
        triggers: Vec::new(),
        actions: Vec::new(),
        connection_references: Vec::new(),
        parameters: Vec::new(),
    };
    if let Some(definition) = definition {
        if let Some(triggers) = definition.get("triggers") {
            for m in triggers.members() {
                flow.triggers.push(node(
                    &m.key,
                    m.key_span,
                    &m.value,
                    join_pointer(&format!("{definition_path}/triggers"), &m.key),
                    None,
                ));
            }
        }
        if let Some(actions) = definition.get("actions") {
            walk_actions(
                actions,
                &format!("{definition_path}/actions"),
                None,
                &mut flow.actions,
            );
        }
        if let Some(parameters) = definition.get("parameters") {
            for m in parameters.members() {
                flow.parameters.push(FlowParameter {
                    name: m.key.to_string(),
                    key_span: m.key_span,
                    schema_name: m
                        .value
                        .path(&["metadata", "schemaName"])
                        .and_then(JsonValue::as_str)
                        .map(str::to_string),
                    default_value: m.value.get("defaultValue"),
                    path: join_pointer(&format!("{definition_path}/parameters"), &m.key),
                });
            }
        }
    }
    if let Some(refs) = properties.get("connectionReferences") {
        for m in refs.members() {
            let text = |keys: &[&str]| {
                m.value
                    .path(keys)
                    .and_then(JsonValue::as_str)
                    .map(str::to_string)
            };
            flow.connection_references.push(FlowConnectionReference {
                key: m.key.to_string(),
                key_span: m.key_span,
                logical_name: text(&["connection", "connectionReferenceLogicalName"]),
                runtime_source: m.value.get("runtimeSource"),
                api_name: text(&["api", "name"]),
                api_logical_name: text(&["api", "logicalName"]),
                path: join_pointer(&format!("{properties_path}/connectionReferences"), &m.key),
            });
        }
    }
    flow
}

fn node<'a>(
    name: &str,
    key_span: Span,
    value: &'a JsonValue,
    path: String,
    parent: Option<usize>,
) -> FlowNode<'a> {
    let run_after = value
        .get("runAfter")
        .map(|ra| {
            ra.members()
                .iter()
                .map(|m| {
                    let statuses = m
                        .value
                        .items()
                        .iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect();
                    (m.key.to_string(), statuses)
                })
                .collect()
        })
        .unwrap_or_default();
    FlowNode {
        name: name.to_string(),
        node_type: value
            .get("type")
            .and_then(JsonValue::as_str)
            .unwrap_or("")
            .to_string(),
        kind: value
            .get("kind")
            .and_then(JsonValue::as_str)
            .map(str::to_string),
        value,
        key_span,
        path,
        parent,
        run_after,
    }
}

/// Depth first through scopes, conditions (`else`), switches (`cases`, `default`) and loops.
fn walk_actions<'a>(
    actions: &'a JsonValue,
    base: &str,
    parent: Option<usize>,
    out: &mut Vec<FlowNode<'a>>,
) {
    for m in actions.members() {
        let path = join_pointer(base, &m.key);
        let index = out.len();
        out.push(node(&m.key, m.key_span, &m.value, path.clone(), parent));
        if let Some(inner) = m.value.get("actions") {
            walk_actions(inner, &format!("{path}/actions"), Some(index), out);
        }
        if let Some(inner) = m.value.path(&["else", "actions"]) {
            walk_actions(inner, &format!("{path}/else/actions"), Some(index), out);
        }
        if let Some(cases) = m.value.get("cases") {
            for case in cases.members() {
                if let Some(inner) = case.value.get("actions") {
                    let case_path = join_pointer(&format!("{path}/cases"), &case.key);
                    walk_actions(inner, &format!("{case_path}/actions"), Some(index), out);
                }
            }
        }
        if let Some(inner) = m.value.path(&["default", "actions"]) {
            walk_actions(inner, &format!("{path}/default/actions"), Some(index), out);
        }
    }
}
