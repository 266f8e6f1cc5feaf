//! Runs the selected rules in parallel over immutable models, isolates rule
//! panics, turns unreadable files into PPX000 findings, and sorts once.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use rayon::prelude::*;

use crate::finding::{ComponentRef, Confidence, FileRef, Finding, Location};
use crate::model::Solution;
use crate::rules::{PPX000, Rule, RuleContext, RuleMeta};
use crate::source::Problem;

/// Which rules run, and which findings are kept.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Rule IDs or ID prefixes (`AGT`, `RAI001`); empty = the persona's defaults.
    pub select: Vec<String>,
    /// Rule IDs or prefixes never run.
    pub ignore: Vec<String>,
    /// `pedantic`: every rule and every confidence.
    pub pedantic: bool,
    /// Findings below this confidence are dropped (default: medium, or low when pedantic).
    pub min_confidence: Option<Confidence>,
}

/// A selector names a rule by ID or ID prefix (`AGT`, `RAI001`), by name, by
/// pillar (`Security`, `operational-excellence`) or by tag (`cross-component`).
fn matches(patterns: &[String], meta: &RuleMeta) -> bool {
    let squash = |s: &str| s.to_ascii_lowercase().replace([' ', '-', '_'], "");
    patterns.iter().any(|p| {
        let p = p.trim();
        if p.is_empty() {
            return false;
        }
        let by_id = meta.id.len() >= p.len() && meta.id[..p.len()].eq_ignore_ascii_case(p);
        let by_pillar = squash(p) == squash(meta.pillar.as_str());
        let cross =
            meta.id.as_bytes().get(3) == Some(&b'1') && p.eq_ignore_ascii_case("cross-component");
        by_id || meta.name.eq_ignore_ascii_case(p) || by_pillar || cross
    })
}

impl Selection {
    pub fn runs(&self, meta: &RuleMeta) -> bool {
        if matches(&self.ignore, meta) {
            return false;
        }
        if self.select.is_empty() {
            return meta.default_on || self.pedantic;
        }
        matches(&self.select, meta)
    }

    fn min_confidence(&self) -> Confidence {
        self.min_confidence
            .unwrap_or(if self.pedantic || !self.select.is_empty() {
                Confidence::Low
            } else {
                Confidence::Medium
            })
    }
}

/// A rule that panicked: reported as a tool error (exit 2), never a silent gap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InternalError {
    pub rule: &'static str,
    pub source: String,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub internal_errors: Vec<InternalError>,
    /// Every secret the detector found, whether or not SEC001 was selected, so
    /// no renderer prints one in a code frame: (location, redacted form).
    pub secrets: Vec<(Location, String)>,
}

/// Lints every solution with `rules` (already built with their options).
pub fn lint(solutions: &[Solution<'_>], rules: &[Box<dyn Rule>], selection: &Selection) -> Outcome {
    let active: Vec<&dyn Rule> = rules
        .iter()
        .map(AsRef::as_ref)
        .filter(|r| selection.runs(r.meta()))
        .collect();
    let jobs: Vec<(usize, &dyn Rule)> = (0..solutions.len())
        .flat_map(|s| active.iter().map(move |r| (s, *r)))
        .collect();
    let results: Vec<Result<Vec<Finding>, InternalError>> = jobs
        .par_iter()
        .map(|&(index, rule)| run_isolated(&solutions[index], index, rule))
        .collect();
    let mut outcome = Outcome::default();
    for result in results {
        match result {
            Ok(findings) => outcome.findings.extend(findings),
            Err(error) => outcome.internal_errors.push(error),
        }
    }
    // Every secret the detector found, before any confidence filter, hides
    // text in code frames; the detector runs once whether or not it is selected.
    let detector = crate::rules::secret_detector();
    let detector_ran = active.iter().any(|r| r.meta().id == detector.meta().id);
    outcome.secrets = if detector_ran {
        outcome
            .findings
            .iter()
            .filter(|f| f.rule.id == detector.meta().id && f.sensitive)
            .filter_map(|f| Some((f.primary.clone(), f.redacted.clone()?)))
            .collect()
    } else {
        secret_spans(solutions, detector.as_ref())
    };
    if selection.runs(&PPX000) {
        for (index, solution) in solutions.iter().enumerate() {
            outcome.findings.extend(
                solution
                    .problems
                    .iter()
                    .map(|p| problem_finding(solution, index, p)),
            );
        }
    }
    let min_confidence = selection.min_confidence();
    outcome.findings.retain(|f| f.confidence >= min_confidence);
    outcome.findings = sort_and_dedup(solutions, std::mem::take(&mut outcome.findings));
    outcome
}

/// The secret detector's hits in every solution (SEC001 run as a redaction pass).
fn secret_spans(solutions: &[Solution<'_>], detector: &dyn Rule) -> Vec<(Location, String)> {
    let per_solution: Vec<Vec<(Location, String)>> = solutions
        .par_iter()
        .enumerate()
        .map(
            |(index, solution)| match run_isolated(solution, index, detector) {
                Ok(findings) => findings
                    .into_iter()
                    .filter(|f| f.sensitive)
                    .filter_map(|f| Some((f.primary, f.redacted?)))
                    .collect(),
                Err(_) => Vec::new(),
            },
        )
        .collect();
    per_solution.into_iter().flatten().collect()
}

fn run_isolated(
    solution: &Solution<'_>,
    index: usize,
    rule: &dyn Rule,
) -> Result<Vec<Finding>, InternalError> {
    let mut findings = Vec::new();
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut cx = RuleContext::new(rule.meta(), index, &mut findings);
        rule.check(solution, &mut cx);
    }));
    match result {
        Ok(()) => Ok(findings),
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(InternalError {
                rule: rule.meta().id,
                source: solution.ws.source.clone(),
                message,
            })
        }
    }
}

fn problem_finding(solution: &Solution<'_>, index: usize, problem: &Problem) -> Finding {
    let file = solution
        .ws
        .file_named(&problem.file)
        .map_or_else(|| FileRef::Unread(problem.file.clone()), FileRef::Id);
    let identity = solution.identity();
    Finding {
        rule: &PPX000,
        severity: PPX000.severity,
        confidence: PPX000.confidence,
        message: problem.message(&solution.ws.source),
        component: ComponentRef::new("solution", identity),
        primary: Location {
            solution: index,
            file,
            span: problem.span,
            logical_path: String::new(),
        },
        label: format!("{} error here", problem.kind.as_str()),
        related: Vec::new(),
        help: PPX000.help.to_string(),
        discriminator: format!("{}:{}", problem.kind.as_str(), problem.file),
        canonical_path: None,
        sensitive: false,
        redacted: None,
        suppression: None,
        fingerprint_cache: std::sync::OnceLock::new(),
    }
}

/// (source, file, offset, rule, logical path, message).
type SortKey = (String, String, u32, &'static str, String, String);

/// Sorts by (source, file, offset, rule) and keeps one finding per fingerprint,
/// merging the related spans of duplicates.
fn sort_and_dedup(solutions: &[Solution<'_>], findings: Vec<Finding>) -> Vec<Finding> {
    let path_of = |loc: &Location| -> String {
        match &loc.file {
            FileRef::Id(id) => solutions[loc.solution].ws.files[*id].path.clone(),
            FileRef::Unread(path) => path.clone(),
        }
    };
    let mut keyed: Vec<(SortKey, Finding)> = findings
        .into_par_iter()
        .map(|f| {
            // Computed here, on all threads, and kept for the renderers.
            f.fingerprint_str();
            let key = (
                solutions[f.primary.solution].ws.source.clone(),
                path_of(&f.primary),
                f.primary.span.start,
                f.rule.id,
                f.primary.logical_path.clone(),
                f.message.clone(),
            );
            (key, f)
        })
        .collect();
    keyed.par_sort_by(|a, b| a.0.cmp(&b.0));
    let mut seen: BTreeMap<(usize, String), usize> = BTreeMap::new();
    let mut out: Vec<Finding> = Vec::with_capacity(keyed.len());
    for (_, finding) in keyed {
        let key = (finding.primary.solution, finding.fingerprint());
        match seen.get(&key) {
            Some(&at) => {
                for related in finding.related {
                    if !out[at].related.contains(&related) {
                        out[at].related.push(related);
                    }
                }
            }
            None => {
                seen.insert(key, out.len());
                out.push(finding);
            }
        }
    }
    out
}
