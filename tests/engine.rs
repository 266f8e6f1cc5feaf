//! The engine isolates a panicking rule and still reports everything else.

use pplint::engine::{self, Selection};
use pplint::finding::{ComponentRef, Confidence, Pillar, Severity};
use pplint::model::{Loc, Solution, Workspace};
use pplint::rules::{self, Configure, Rule, RuleContext, RuleMeta};
use pplint::source::{Limits, Span, load};

/// The metadata of a rule made for these tests.
const fn test_meta(id: &'static str, name: &'static str, summary: &'static str) -> RuleMeta {
    RuleMeta {
        id,
        name,
        summary,
        pillar: Pillar::Reliability,
        waf: "RE:05",
        severity: Severity::High,
        confidence: Confidence::High,
        default_on: true,
        help: "",
        docs: "",
    }
}

/// The workspace of a rule fixture that the default rules find something in.
fn fixture_workspace() -> Workspace {
    let (roots, _) =
        load::discover(std::path::Path::new("fixtures/rules/RAI001/fail")).expect("fixture");
    Workspace::parse(load::load(&roots[0], &Limits::default()).expect("load"))
}

/// A rule made for these tests: its metadata and what its check does.
struct TestRule {
    meta: &'static RuleMeta,
    check: fn(&Solution<'_>, &mut RuleContext<'_>),
}

impl Configure for TestRule {}

impl Rule for TestRule {
    fn meta(&self) -> &'static RuleMeta {
        self.meta
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        (self.check)(solution, cx);
    }
}

/// The fingerprints of an outcome's findings, in order.
fn fingerprints(outcome: &engine::Outcome) -> Vec<String> {
    outcome.findings.iter().map(|f| f.fingerprint()).collect()
}

static EXPLODES_META: RuleMeta = test_meta(
    "TST999",
    "test-rule-that-panics",
    "A rule that panics, to prove isolation",
);

#[test]
fn a_panicking_rule_becomes_an_internal_error_and_the_run_goes_on() {
    let ws = fixture_workspace();
    let solutions = vec![Solution::build(&ws)];
    let mut registry = rules::registry();
    registry.push(Box::new(TestRule {
        meta: &EXPLODES_META,
        check: |solution, _cx| panic!("boom on {}", solution.ws.source),
    }));
    let outcome = engine::lint(&solutions, &registry, &Selection::default());
    assert_eq!(outcome.internal_errors.len(), 1);
    assert_eq!(outcome.internal_errors[0].rule, "TST999");
    assert!(
        outcome.internal_errors[0]
            .message
            .contains("boom on fixtures/rules/RAI001/fail")
    );
    let normal = engine::lint(&solutions, &rules::registry(), &Selection::default());
    assert!(!normal.findings.is_empty());
    assert_eq!(
        fingerprints(&outcome),
        fingerprints(&normal),
        "the other rules' findings are all there"
    );
}

#[test]
fn output_does_not_depend_on_rule_order() {
    let ws = fixture_workspace();
    let solutions = vec![Solution::build(&ws)];
    let forward = engine::lint(&solutions, &rules::registry(), &Selection::default());
    let mut reversed_rules = rules::registry();
    reversed_rules.reverse();
    let backward = engine::lint(&solutions, &reversed_rules, &Selection::default());
    assert_eq!(fingerprints(&forward), fingerprints(&backward));
}

static REPEATS_META: RuleMeta = test_meta(
    "TST998",
    "test-rule-that-reports-twice",
    "A rule that reports one finding twice, out of order",
);

/// Reports, in this order: a finding at offset 20; the same finding (same
/// fingerprint) at offset 10 with other related spans; one at offset 5 with
/// low confidence.
fn repeats(_solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
    let at = |start: usize, path: &str| Loc::new(0, Span::new(start, start + 1), path);
    cx.report(ComponentRef::new("flow", "twice"), &at(20, "/b"), "later")
        .related(&at(1, "/r1"), "first related")
        .related(&at(2, "/r2"), "second related");
    cx.report(ComponentRef::new("flow", "twice"), &at(10, "/b"), "earlier")
        .related(&at(2, "/r2"), "second related")
        .related(&at(3, "/r3"), "third related");
    cx.report(ComponentRef::new("flow", "unsure"), &at(5, "/c"), "a guess")
        .confidence(Confidence::Low);
}

#[test]
fn findings_are_sorted_and_one_per_fingerprint_with_the_related_spans_merged() {
    let ws = fixture_workspace();
    let solutions = vec![Solution::build(&ws)];
    let registry: Vec<Box<dyn Rule>> = vec![Box::new(TestRule {
        meta: &REPEATS_META,
        check: repeats,
    })];
    let summary = |outcome: &engine::Outcome| -> Vec<(u32, String, Vec<String>)> {
        outcome
            .findings
            .iter()
            .map(|f| {
                let related = f
                    .related
                    .iter()
                    .map(|r| r.location.logical_path.clone())
                    .collect();
                (f.primary.span.start, f.message.clone(), related)
            })
            .collect()
    };
    let merged = (
        10,
        "earlier".to_string(),
        vec!["/r2".to_string(), "/r3".to_string(), "/r1".to_string()],
    );
    let outcome = engine::lint(&solutions, &registry, &Selection::default());
    assert_eq!(summary(&outcome), vec![merged.clone()]);
    let pedantic = Selection {
        pedantic: true,
        ..Selection::default()
    };
    let outcome = engine::lint(&solutions, &registry, &pedantic);
    assert_eq!(
        summary(&outcome),
        vec![(5, "a guess".to_string(), Vec::new()), merged]
    );
}
