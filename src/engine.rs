//! Runs the selected rules in parallel over immutable models, isolates rule
//! panics, turns unreadable files into PPX000 findings, and sorts once.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::panic::{AssertUnwindSafe, catch_unwind};

use rayon::prelude::*;

use crate::finding::{ComponentRef, Confidence, FileRef, Finding, Location};
use crate::model::{Solution, Workspace};
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

/// Lints every solution with `rules` (already built with their options):
/// [`lint_solution`] on each, then [`merge`].
pub fn lint(solutions: &[Solution<'_>], rules: &[Box<dyn Rule>], selection: &Selection) -> Outcome {
    let outcomes: Vec<Outcome> = solutions
        .par_iter()
        .map(|solution| lint_solution(solution, rules, selection))
        .collect();
    merge(outcomes, |index| solutions[index].ws)
}

/// Lints one solution: its findings (neither sorted nor de-duplicated yet),
/// its secrets and its rules' internal errors, located in solution 0 until
/// [`merge`] gives the solution its place in the run.
pub fn lint_solution(
    solution: &Solution<'_>,
    rules: &[Box<dyn Rule>],
    selection: &Selection,
) -> Outcome {
    let active: Vec<&dyn Rule> = rules
        .iter()
        .map(AsRef::as_ref)
        .filter(|r| selection.runs(r.meta()))
        .collect();
    // Every secret the detector found, before any confidence filter, hides
    // text in code frames; the detector runs once whether or not it is selected.
    let detector = crate::rules::secret_detector();
    let detector_id = detector.meta().id;
    let min_confidence = selection.min_confidence();
    // Each job filters its findings and works out their fingerprints itself, so
    // that work is spread over all threads rather than left for the merge.
    let results: Vec<Result<RuleRun, InternalError>> = active
        .par_iter()
        .map(|&rule| {
            let mut findings = run_isolated(solution, rule)?;
            let secrets = if rule.meta().id == detector_id {
                secrets_of(&findings)
            } else {
                Vec::new()
            };
            findings.retain(|f| f.confidence >= min_confidence);
            for finding in &findings {
                finding.fingerprint_str();
            }
            Ok(RuleRun { findings, secrets })
        })
        .collect();
    let mut outcome = Outcome::default();
    let detector_ran = active.iter().any(|r| r.meta().id == detector_id);
    outcome.findings = Vec::with_capacity(
        results
            .iter()
            .map(|r| r.as_ref().map_or(0, |run| run.findings.len()))
            .sum(),
    );
    for result in results {
        match result {
            Ok(run) => {
                outcome.findings.extend(run.findings);
                outcome.secrets.extend(run.secrets);
            }
            Err(error) => outcome.internal_errors.push(error),
        }
    }
    if !detector_ran && let Ok(findings) = run_isolated(solution, detector.as_ref()) {
        outcome.secrets = secrets_of(&findings);
    }
    if selection.runs(&PPX000) && PPX000.confidence >= min_confidence {
        outcome.findings.extend(
            solution
                .problems
                .iter()
                .map(|p| problem_finding(solution, p)),
        );
    }
    outcome
}

/// The [`lint_solution`] outcomes of a run's solutions as one: the `i`-th is
/// placed at solution `i` (whose workspace is `workspace(i)`), findings are
/// sorted once, and one is kept per fingerprint in each solution.
pub fn merge<'w>(
    outcomes: Vec<Outcome>,
    workspace: impl Fn(usize) -> &'w Workspace + Sync,
) -> Outcome {
    let mut merged = Outcome::default();
    let mut findings = Vec::with_capacity(outcomes.iter().map(|o| o.findings.len()).sum());
    for (index, outcome) in outcomes.into_iter().enumerate() {
        for mut finding in outcome.findings {
            for location in finding.locations_mut() {
                location.solution = index;
            }
            findings.push(finding);
        }
        merged
            .secrets
            .extend(outcome.secrets.into_iter().map(|(mut location, redacted)| {
                location.solution = index;
                (location, redacted)
            }));
        merged.internal_errors.extend(outcome.internal_errors);
    }
    merged.findings = sort_and_dedup(&workspace, findings);
    merged
}

/// What one rule found in one solution, its findings already filtered by confidence.
struct RuleRun {
    findings: Vec<Finding>,
    /// The detector's secrets, found before the filter.
    secrets: Vec<(Location, String)>,
}

/// The secrets among the detector's findings: (location, redacted form).
fn secrets_of(findings: &[Finding]) -> Vec<(Location, String)> {
    findings
        .iter()
        .filter(|f| f.sensitive)
        .filter_map(|f| Some((f.primary.clone(), f.redacted.clone()?)))
        .collect()
}

/// Runs `rule` on `solution`, its findings located in solution 0 (see
/// [`lint_solution`]); a panic becomes an [`InternalError`].
fn run_isolated(solution: &Solution<'_>, rule: &dyn Rule) -> Result<Vec<Finding>, InternalError> {
    let mut findings = Vec::new();
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut cx = RuleContext::new(rule.meta(), 0, &mut findings);
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

fn problem_finding(solution: &Solution<'_>, problem: &Problem) -> Finding {
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
            solution: 0,
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
type SortKey<'a> = (&'a str, &'a str, u32, &'static str, &'a str, &'a str);

fn sort_key<'a, 'w: 'a>(
    workspace: &impl Fn(usize) -> &'w Workspace,
    f: &'a Finding,
) -> SortKey<'a> {
    let ws = workspace(f.primary.solution);
    let file = match &f.primary.file {
        FileRef::Id(id) => ws.files[*id].path.as_str(),
        FileRef::Unread(path) => path.as_str(),
    };
    (
        ws.source.as_str(),
        file,
        f.primary.span.start,
        f.rule.id,
        f.primary.logical_path.as_str(),
        f.message.as_str(),
    )
}

/// Sorts by [`SortKey`], stably, and keeps one finding per fingerprint, merging
/// the related spans of duplicates into the first. The keys are borrowed and a
/// permutation is sorted, so no finding is cloned and each is moved once.
fn sort_and_dedup<'w>(
    workspace: &(impl Fn(usize) -> &'w Workspace + Sync),
    findings: Vec<Finding>,
) -> Vec<Finding> {
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.par_sort_by(|&a, &b| {
        sort_key(workspace, &findings[a]).cmp(&sort_key(workspace, &findings[b]))
    });
    // For each finding in sorted order, the place in the output of the first
    // with its fingerprint when it repeats one (the same finding reported twice).
    let mut first_with: HashMap<(usize, &str), usize> = HashMap::with_capacity(findings.len());
    let repeat_of: Vec<Option<usize>> = order
        .iter()
        .map(|&i| {
            let f = &findings[i];
            let next_place = first_with.len();
            match first_with.entry((f.primary.solution, f.fingerprint_str())) {
                Entry::Occupied(first) => Some(*first.get()),
                Entry::Vacant(slot) => {
                    slot.insert(next_place);
                    None
                }
            }
        })
        .collect();
    let kept = first_with.len();
    drop(first_with);
    let mut slots: Vec<Option<Finding>> = findings.into_iter().map(Some).collect();
    let mut out: Vec<Finding> = Vec::with_capacity(kept);
    for (&i, repeat) in order.iter().zip(repeat_of) {
        let finding = slots[i].take().expect("the order names each finding once");
        match repeat {
            None => out.push(finding),
            Some(place) => {
                for related in finding.related {
                    if !out[place].related.contains(&related) {
                        out[place].related.push(related);
                    }
                }
            }
        }
    }
    out
}
