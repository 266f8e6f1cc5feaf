//! Test support for rule unit tests: runs one rule over files held in memory.

use crate::finding::Finding;
use crate::model::{Solution, Workspace};
use crate::rules::{Rule, RuleContext};
use crate::source::{Layout, LoadedSolution, SourceFile};

/// Runs `rule` over a solution made of `files` (path, text) in `layout`.
pub fn run(rule: &dyn Rule, layout: Layout, files: &[(&str, &str)]) -> Vec<Finding> {
    let mut files: Vec<SourceFile> = files
        .iter()
        .map(|(path, text)| SourceFile::new(*path, text.as_bytes().to_vec()))
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let ws = Workspace::parse(LoadedSolution {
        source: "memory/cnt_ws".into(),
        layout,
        files,
        listed: Vec::new(),
        problems: Vec::new(),
        notes: Vec::new(),
    });
    let solution = Solution::build(&ws);
    let mut findings = Vec::new();
    let mut cx = RuleContext::new(rule.meta(), 0, &mut findings);
    rule.check(&solution, &mut cx);
    findings
}
