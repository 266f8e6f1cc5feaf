//! The engine isolates a panicking rule and still reports everything else.

use pplint::engine::{self, Selection};
use pplint::finding::{Confidence, Pillar, Severity};
use pplint::model::{Solution, Workspace};
use pplint::rules::{self, Configure, Rule, RuleContext, RuleMeta};
use pplint::source::{Limits, load};

static EXPLODES_META: RuleMeta = RuleMeta {
    id: "TST999",
    name: "test-rule-that-panics",
    summary: "A rule that panics, to prove isolation",
    pillar: Pillar::Reliability,
    waf: "RE:05",
    severity: Severity::High,
    confidence: Confidence::High,
    default_on: true,
    help: "",
    docs: "",
};

struct Explodes;

impl Configure for Explodes {}

impl Rule for Explodes {
    fn meta(&self) -> &'static RuleMeta {
        &EXPLODES_META
    }

    fn check(&self, solution: &Solution<'_>, _cx: &mut RuleContext<'_>) {
        panic!("boom on {}", solution.ws.source);
    }
}

#[test]
fn a_panicking_rule_becomes_an_internal_error_and_the_run_goes_on() {
    let (roots, _) =
        load::discover(std::path::Path::new("fixtures/rules/RAI001/fail")).expect("fixture");
    let ws = Workspace::parse(load::load(&roots[0], &Limits::default()).expect("load"));
    let solutions = vec![Solution::build(&ws)];
    let mut registry = rules::registry();
    registry.push(Box::new(Explodes));
    let outcome = engine::lint(&solutions, &registry, &Selection::default());
    assert_eq!(outcome.internal_errors.len(), 1);
    assert_eq!(outcome.internal_errors[0].rule, "TST999");
    assert!(
        outcome.internal_errors[0]
            .message
            .contains("boom on fixtures/rules/RAI001/fail")
    );
    let normal = engine::lint(&solutions, &rules::registry(), &Selection::default());
    let fingerprints = |o: &engine::Outcome| {
        o.findings
            .iter()
            .map(|f| f.fingerprint())
            .collect::<Vec<_>>()
    };
    assert!(!normal.findings.is_empty());
    assert_eq!(
        fingerprints(&outcome),
        fingerprints(&normal),
        "the other rules' findings are all there"
    );
}

#[test]
fn output_does_not_depend_on_rule_order() {
    let (roots, _) =
        load::discover(std::path::Path::new("fixtures/rules/RAI001/fail")).expect("fixture");
    let ws = Workspace::parse(load::load(&roots[0], &Limits::default()).expect("load"));
    let solutions = vec![Solution::build(&ws)];
    let forward = engine::lint(&solutions, &rules::registry(), &Selection::default());
    let mut reversed_rules = rules::registry();
    reversed_rules.reverse();
    let backward = engine::lint(&solutions, &reversed_rules, &Selection::default());
    let print = |o: &engine::Outcome| {
        o.findings
            .iter()
            .map(|f| f.fingerprint())
            .collect::<Vec<_>>()
    };
    assert_eq!(print(&forward), print(&backward));
}
