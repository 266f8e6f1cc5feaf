//! Trigger data flowing through a flow (RULES.md FLW002 (2)): `triggerBody()` /
//! `triggerOutputs()`, directly or through `Compose` outputs, variables
//! (`InitializeVariable`, `SetVariable`, `AppendTo*Variable`) and the items of a
//! `Foreach` over such data.

use std::collections::BTreeSet;

use crate::model::Flow;
use crate::model::node::join_pointer;
use crate::parse::{JsonKind, JsonValue};

use super::expr::{action_references, contains_ignore_case, reads_trigger, references};
use super::flow_graph::FlowGraph;

/// What carries trigger data: `Compose` actions, variables, and loops over such data.
pub struct Taint<'f> {
    graph: &'f FlowGraph<'f>,
    flow: &'f Flow<'f>,
    actions: BTreeSet<String>,
    variables: BTreeSet<String>,
    loops: BTreeSet<usize>,
}

impl<'f> Taint<'f> {
    pub fn compute(flow: &'f Flow<'f>, graph: &'f FlowGraph<'f>) -> Taint<'f> {
        let mut taint = Taint {
            graph,
            flow,
            actions: BTreeSet::new(),
            variables: BTreeSet::new(),
            loops: BTreeSet::new(),
        };
        loop {
            let before = (
                taint.actions.len(),
                taint.variables.len(),
                taint.loops.len(),
            );
            for (i, action) in flow.actions.iter().enumerate() {
                let inputs = action.inputs();
                if action.type_is("Compose") {
                    if inputs.is_some_and(|v| taint.first_tainted(i, v, "").is_some()) {
                        taint.actions.insert(action.name.clone());
                    }
                } else if action.type_is("InitializeVariable") {
                    for var in inputs
                        .and_then(|v| v.get("variables"))
                        .map_or(&[][..], |v| v.items())
                    {
                        taint.variable(i, var);
                    }
                } else if [
                    "SetVariable",
                    "AppendToStringVariable",
                    "AppendToArrayVariable",
                ]
                .iter()
                .any(|t| action.type_is(t))
                {
                    if let Some(inputs) = inputs {
                        taint.variable(i, inputs);
                    }
                } else if action.type_is("Foreach")
                    && action
                        .value
                        .get("foreach")
                        .is_some_and(|v| taint.first_tainted(i, v, "").is_some())
                {
                    taint.loops.insert(i);
                }
            }
            if before
                == (
                    taint.actions.len(),
                    taint.variables.len(),
                    taint.loops.len(),
                )
            {
                break;
            }
        }
        taint
    }

    /// `{ "name": "v", "value": … }`: marks `v` when the value carries trigger data.
    fn variable(&mut self, at: usize, node: &JsonValue) {
        let Some(name) = node.get("name").and_then(|n| n.as_str()) else {
            return;
        };
        if node
            .get("value")
            .is_some_and(|v| self.first_tainted(at, v, "").is_some())
        {
            self.variables.insert(name.to_ascii_lowercase());
        }
    }

    /// The innermost `Foreach` around action `at`.
    fn enclosing_loop(&self, at: usize) -> Option<usize> {
        let mut current = self.flow.actions.get(at)?.parent;
        let mut steps = 0;
        while let Some(p) = current {
            steps += 1;
            if steps > self.flow.actions.len() {
                return None;
            }
            let action = self.flow.actions.get(p)?;
            if action.type_is("Foreach") {
                return Some(p);
            }
            current = action.parent;
        }
        None
    }

    fn string_tainted(&self, at: usize, text: &str) -> bool {
        if !text.contains('@') {
            return false;
        }
        reads_trigger(text)
            || action_references(text)
                .iter()
                .any(|a| self.actions.contains(a))
            || references(text, &["variables"])
                .iter()
                .any(|v| self.variables.contains(&v.to_ascii_lowercase()))
            || references(text, &["items"])
                .iter()
                .any(|l| self.graph.index(l).is_some_and(|i| self.loops.contains(&i)))
            || (contains_ignore_case(text, "item()")
                && self
                    .enclosing_loop(at)
                    .is_some_and(|l| self.loops.contains(&l)))
    }

    /// The first string under `value` that carries trigger data, with its pointer.
    pub fn first_tainted<'v>(
        &self,
        at: usize,
        value: &'v JsonValue,
        pointer: &str,
    ) -> Option<(&'v JsonValue, String)> {
        match &value.kind {
            JsonKind::String(s) => self
                .string_tainted(at, s)
                .then(|| (value, pointer.to_string())),
            JsonKind::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, item)| self.first_tainted(at, item, &format!("{pointer}/{i}"))),
            JsonKind::Object(members) => members
                .iter()
                .find_map(|m| self.first_tainted(at, &m.value, &join_pointer(pointer, &m.key))),
            _ => None,
        }
    }
}
