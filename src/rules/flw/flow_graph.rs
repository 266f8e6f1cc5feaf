//! Run-order questions over a flow's flattened actions: what completes before an
//! action, which actions lie on a failure path. Action names are unique within a
//! flow definition; `runAfter` statuses compare case-insensitively (RULES.md §6).

use std::collections::{BTreeSet, HashMap};

use crate::model::Flow;

pub struct FlowGraph<'f> {
    flow: &'f Flow<'f>,
    names: HashMap<&'f str, usize>,
    children: Vec<Vec<usize>>,
}

impl<'f> FlowGraph<'f> {
    pub fn new(flow: &'f Flow<'f>) -> FlowGraph<'f> {
        let names = flow
            .actions
            .iter()
            .enumerate()
            .map(|(i, a)| (a.name.as_str(), i))
            .collect();
        let mut children = vec![Vec::new(); flow.actions.len()];
        for (i, a) in flow.actions.iter().enumerate() {
            if let Some(list) = a.parent.and_then(|p| children.get_mut(p)) {
                list.push(i);
            }
        }
        FlowGraph {
            flow,
            names,
            children,
        }
    }

    /// The index of the action named `name`.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.get(name).copied()
    }

    /// Every action nested (at any depth) inside action `index`.
    pub fn descendants(&self, index: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack: Vec<usize> = self.children.get(index).cloned().unwrap_or_default();
        while let Some(current) = stack.pop() {
            out.push(current);
            if let Some(kids) = self.children.get(current) {
                stack.extend(kids.iter().copied());
            }
        }
        out
    }

    /// Every action that has completed (or been skipped) when action `index` starts:
    /// its `runAfter` predecessors, transitively, with everything nested inside them,
    /// and the same for each enclosing scope.
    pub fn completed_before(&self, index: usize) -> BTreeSet<usize> {
        let actions = &self.flow.actions;
        let mut before = BTreeSet::new();
        let mut current = Some(index);
        let mut visited_scopes = BTreeSet::new();
        while let Some(cur) = current {
            if !visited_scopes.insert(cur) {
                break;
            }
            let mut stack = vec![cur];
            let mut seen = BTreeSet::new();
            while let Some(node) = stack.pop() {
                let Some(action) = actions.get(node) else {
                    continue;
                };
                for (pred, _) in &action.run_after {
                    let Some(p) = self.index(pred) else { continue };
                    if p != index && seen.insert(p) {
                        stack.push(p);
                    }
                }
            }
            for p in seen {
                if before.insert(p) {
                    before.extend(self.descendants(p));
                }
            }
            current = actions.get(cur).and_then(|a| a.parent);
        }
        before.remove(&index);
        before
    }

    /// Actions whose `runAfter` names `Failed` or `TimedOut`: the roots of error paths.
    pub fn failure_handlers(&self) -> Vec<usize> {
        self.flow
            .actions
            .iter()
            .enumerate()
            .filter(|(_, a)| {
                a.run_after
                    .iter()
                    .any(|(_, statuses)| statuses.iter().any(|s| is_failure_status(s)))
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// For each action, whether it runs on a failure path: a failure handler, anything
    /// nested inside one, and anything that runs after one (unless only when it was
    /// skipped).
    pub fn on_failure_path(&self) -> Vec<bool> {
        let actions = &self.flow.actions;
        let mut marked = vec![false; actions.len()];
        for root in self.failure_handlers() {
            self.mark(root, &mut marked);
        }
        let mut changed = true;
        let mut rounds = 0;
        while changed && rounds <= actions.len() {
            changed = false;
            rounds += 1;
            for (i, action) in actions.iter().enumerate() {
                if marked.get(i).copied().unwrap_or(true) {
                    continue;
                }
                let follows_failure = action.run_after.iter().any(|(pred, statuses)| {
                    let runs_when_pred_ran = statuses.is_empty()
                        || statuses.iter().any(|s| !s.eq_ignore_ascii_case("Skipped"));
                    runs_when_pred_ran
                        && self
                            .index(pred)
                            .is_some_and(|p| marked.get(p).copied().unwrap_or(false))
                });
                if follows_failure {
                    self.mark(i, &mut marked);
                    changed = true;
                }
            }
        }
        marked
    }

    fn mark(&self, index: usize, marked: &mut [bool]) {
        for i in std::iter::once(index).chain(self.descendants(index)) {
            if let Some(m) = marked.get_mut(i) {
                *m = true;
            }
        }
    }
}

pub fn is_failure_status(status: &str) -> bool {
    status.eq_ignore_ascii_case("Failed") || status.eq_ignore_ascii_case("TimedOut")
}
