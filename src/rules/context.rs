//! What a rule reports into.

use crate::finding::{ComponentRef, Finding, Location};
use crate::model::Loc;

use super::RuleMeta;

pub struct RuleContext<'r> {
    meta: &'static RuleMeta,
    solution: usize,
    findings: &'r mut Vec<Finding>,
}

impl<'r> RuleContext<'r> {
    pub fn new(meta: &'static RuleMeta, solution: usize, findings: &'r mut Vec<Finding>) -> Self {
        RuleContext {
            meta,
            solution,
            findings,
        }
    }

    /// Runs `check` over `items` in chunks of `chunk` on all threads, and
    /// reports what each chunk found in item order, as one loop would: each
    /// chunk reports into a context of its own for the same rule and solution.
    pub fn for_each_chunk<T: Sync>(
        &mut self,
        items: &[T],
        chunk: usize,
        check: impl Fn(&[T], &mut RuleContext<'_>) + Sync,
    ) {
        use rayon::prelude::*;
        let (meta, solution) = (self.meta, self.solution);
        let found: Vec<Vec<Finding>> = items
            .par_chunks(chunk.max(1))
            .map(|part| {
                let mut findings = Vec::new();
                check(part, &mut RuleContext::new(meta, solution, &mut findings));
                findings
            })
            .collect();
        self.findings.extend(found.into_iter().flatten());
    }

    /// Reports a finding at `primary` with the rule's defaults; the returned
    /// finding can be adjusted (related spans, severity, discriminator…).
    pub fn report(
        &mut self,
        component: ComponentRef,
        primary: &Loc,
        message: impl Into<String>,
    ) -> &mut Finding {
        self.findings.push(Finding {
            rule: self.meta,
            severity: self.meta.severity,
            confidence: self.meta.confidence,
            message: message.into(),
            component,
            primary: Location::at(self.solution, primary),
            label: String::new(),
            related: Vec::new(),
            help: self.meta.help.to_string(),
            discriminator: String::new(),
            canonical_path: None,
            sensitive: false,
            redacted: None,
            suppression: None,
            fingerprint_cache: std::sync::OnceLock::new(),
        });
        let last = self.findings.len() - 1;
        &mut self.findings[last]
    }
}
