//! Every real item of `../shared/corpus` loads without panic or problems, and
//! its counts agree with an independent scan of the files
//! (`scripts/corpus_oracle.py` → `tests/data/corpus_expected.tsv`).

mod common;

use std::collections::BTreeMap;

use pplint::inventory::Counts;
use pplint::model::{Solution, Workspace};
use pplint::source::{Limits, load};

/// The language-server fixture that is broken on purpose.
const BROKEN_ON_PURPOSE: &str = "file-only-workspace";

struct Expected {
    item: String,
    solutions: usize,
    layouts: String,
    unique_names: String,
    counts: Counts,
}

fn expected() -> Vec<Expected> {
    let text = include_str!("data/corpus_expected.tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    lines
        .map(|line| {
            let cols: BTreeMap<&str, &str> = header.iter().copied().zip(line.split('\t')).collect();
            let n = |k: &str| cols[k].parse::<usize>().expect("count");
            Expected {
                item: cols["item"].to_string(),
                solutions: n("solutions"),
                layouts: cols["layouts"].to_string(),
                unique_names: cols["unique_name"].to_string(),
                counts: Counts {
                    agents: n("agents"),
                    topics: n("topics"),
                    knowledge_sources: n("knowledge_sources"),
                    tools: n("tools"),
                    flows: n("flows"),
                    connectors: n("connectors"),
                    connection_references: n("connection_references"),
                    environment_variables: n("environment_variables"),
                    ai_prompts: n("ai_prompts"),
                },
            }
        })
        .collect()
}

fn add(total: &mut Counts, c: &Counts) {
    total.agents += c.agents;
    total.topics += c.topics;
    total.knowledge_sources += c.knowledge_sources;
    total.tools += c.tools;
    total.flows += c.flows;
    total.connectors += c.connectors;
    total.connection_references += c.connection_references;
    total.environment_variables += c.environment_variables;
    total.ai_prompts += c.ai_prompts;
}

struct Actual {
    solutions: usize,
    layouts: Vec<&'static str>,
    unique_names: Vec<String>,
    counts: Counts,
    problems: Vec<String>,
}

fn inventory(path: &std::path::Path) -> Actual {
    let (roots, _) = load::discover(path).unwrap_or_else(|e| panic!("{e}"));
    let mut actual = Actual {
        solutions: roots.len(),
        layouts: Vec::new(),
        unique_names: Vec::new(),
        counts: Counts::default(),
        problems: Vec::new(),
    };
    for root in roots {
        let loaded = load::load(&root, &Limits::default()).unwrap_or_else(|e| panic!("{e}"));
        let ws = Workspace::parse(loaded);
        let solution = Solution::build(&ws);
        actual.layouts.push(ws.layout.as_str());
        if let Some(name) = solution.unique_name() {
            actual.unique_names.push(name.to_string());
        }
        add(&mut actual.counts, &Counts::of(&solution));
        actual
            .problems
            .extend(solution.problems.iter().map(|p| p.message(&ws.source)));
    }
    actual.layouts.sort_unstable();
    actual.layouts.dedup();
    actual
}

#[test]
fn every_corpus_item_loads_with_the_counts_its_files_show() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut mismatches = Vec::new();
    let expected = expected();
    assert!(expected.len() > 100, "the expected-count table lost rows");
    for item in &expected {
        let actual = inventory(&corpus.join(&item.item));
        if item.item.ends_with(BROKEN_ON_PURPOSE) {
            assert!(
                actual
                    .problems
                    .iter()
                    .any(|p| p.contains("SyntaxError.mcs.yml")),
                "{}: the broken topic must be reported: {:?}",
                item.item,
                actual.problems
            );
            continue;
        }
        if !actual.problems.is_empty() {
            mismatches.push(format!("{}: problems {:?}", item.item, actual.problems));
        }
        if actual.counts != item.counts {
            mismatches.push(format!(
                "{}: counts {:?}, expected {:?}",
                item.item, actual.counts, item.counts
            ));
        }
        if actual.solutions != item.solutions || actual.layouts.join(",") != item.layouts {
            mismatches.push(format!(
                "{}: {} solutions {:?}, expected {} {}",
                item.item, actual.solutions, actual.layouts, item.solutions, item.layouts
            ));
        }
        if actual.unique_names.join(",") != item.unique_names {
            mismatches.push(format!(
                "{}: unique names {:?}, expected {}",
                item.item, actual.unique_names, item.unique_names
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// Samples shipped both zipped and unpacked must give the same counts.
#[test]
fn zip_and_unpacked_copies_agree() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let pairs = [
        (
            "CopilotStudioSamples/authoring/solutions/account-contact-lookup/solution/AccountLookupAgent_1_0_0_4.zip",
            "CopilotStudioSamples/authoring/solutions/account-contact-lookup/sourcecode",
        ),
        (
            "CopilotStudioSamples/authoring/solutions/resume-job-finder/solution/ResumeJobFinderAgent_1_0_0_1.zip",
            "CopilotStudioSamples/authoring/solutions/resume-job-finder/sourcecode",
        ),
        (
            "powerplatform-samples/samples/healthcare-ai-chatbot/solution/healthcare-ai-chatbot.zip",
            "powerplatform-samples/samples/healthcare-ai-chatbot/sourcecode",
        ),
        (
            "powerplatform-samples/samples/always-reply-to-request/solution/always-respond-to-request.zip",
            "powerplatform-samples/samples/always-reply-to-request/sourcecode",
        ),
        (
            "powerplatform-samples/samples/ai-time-management-flow/solution/ai-time-management-flow.zip",
            "powerplatform-samples/samples/ai-time-management-flow/sourcecode",
        ),
        (
            "powerplatform-samples/samples/embed-image-in-email-body/solution/embed-image-in-email-body.zip",
            "powerplatform-samples/samples/embed-image-in-email-body/sourcecode",
        ),
        (
            "powerplatform-samples/samples/power-platform-blog-updates/solution/power-platform-blog-update.zip",
            "powerplatform-samples/samples/power-platform-blog-updates/sourcecode",
        ),
    ];
    for (zip, unpacked) in pairs {
        let a = inventory(&corpus.join(zip));
        let b = inventory(&corpus.join(unpacked));
        assert_eq!(a.counts, b.counts, "{zip} vs {unpacked}");
        assert_eq!(a.unique_names, b.unique_names, "{zip} vs {unpacked}");
    }
}
