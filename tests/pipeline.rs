//! Pipeline gating: every output format, report files, pplint.toml, suppressions
//! with reasons and expiry, and baselines that survive moved lines.

mod common;

use std::path::{Path, PathBuf};

use common::pplint;
use serde_json::Value;

const DEMO: &str = "fixtures/demo/contoso-helpdesk";
/// A stable rule set for format snapshots, so new rules do not churn them.
const RULES: &str = "AGT001,RAI001,KNW003,ALM005";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pplint-pipeline-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

fn json(run: &common::Run) -> Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("invalid JSON ({e}): {}", run.stdout))
}

fn scrub_version(text: &str) -> String {
    text.replace(env!("CARGO_PKG_VERSION"), "[version]")
}

#[test]
fn every_format_snapshot() {
    for format in ["human", "json", "sarif", "github", "azure", "junit"] {
        let run = pplint(&[
            "check",
            "--no-config",
            "--select",
            RULES,
            "--color",
            "never",
            "--format",
            format,
            DEMO,
        ]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        insta::assert_snapshot!(format!("demo_{format}"), scrub_version(&run.stdout));
    }
}

#[test]
fn one_run_writes_a_human_log_and_report_files() {
    let dir = scratch("reports");
    let sarif = dir.join("report.sarif");
    let junit = dir.join("report.xml");
    let json_file = dir.join("report.json");
    let run = pplint(&[
        "check",
        "--no-config",
        "--select",
        RULES,
        "--color",
        "never",
        "--sarif-file",
        sarif.to_str().expect("utf-8"),
        "--junit-file",
        junit.to_str().expect("utf-8"),
        "--json-file",
        json_file.to_str().expect("utf-8"),
        DEMO,
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("AGT001 agent-no-authentication"));
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).expect("sarif")).expect("sarif json");
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["columnKind"], "utf16CodeUnits");
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    for result in sarif["runs"][0]["results"].as_array().expect("results") {
        let index = result["ruleIndex"].as_u64().expect("index") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(
            result["partialFingerprints"]["pplint/v1"]
                .as_str()
                .expect("fp")
                .starts_with("pplint/v1:")
        );
    }
    assert!(
        std::fs::read_to_string(&junit)
            .expect("junit")
            .contains("<testsuite name=\"fixtures/demo/contoso-helpdesk\"")
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_file).expect("json")).expect("json");
    assert_eq!(report["version"], 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn output_flag_writes_the_main_format_to_a_file() {
    let dir = scratch("output");
    let file = dir.join("out.json");
    let run = pplint(&[
        "check",
        "--no-config",
        "--select",
        RULES,
        "--format",
        "json",
        "-o",
        file.to_str().expect("utf-8"),
        DEMO,
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("written")).expect("json");
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(5));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A copy of the demo with `pplint.toml` beside it.
fn demo_with_config(name: &str, config: &str) -> (PathBuf, String) {
    let dir = scratch(name);
    copy_tree(Path::new(DEMO), &dir.join("solution"));
    std::fs::write(dir.join("pplint.toml"), config).expect("config");
    let path = dir.join("solution").to_str().expect("utf-8").to_string();
    (dir, path)
}

/// Runs `check` on the demo under `config`, which must stop the run with a
/// configuration error (exit 2); returns what it said.
fn config_error(name: &str, config: &str) -> String {
    let (dir, path) = demo_with_config(name, config);
    let run = pplint(&["check", &path]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(run.code, 2, "{}", run.stderr);
    run.stderr
}

#[test]
fn config_is_found_upwards_and_sets_selection_severity_and_fail_on() {
    let (dir, path) = demo_with_config(
        "config",
        "fail-on = \"critical\"\n[rules]\nselect = [\"AGT001\", \"ALM\"]\n[rules.severity]\nAGT001 = \"critical\"\n",
    );
    let run = pplint(&["check", "--format", "json", &path]);
    let report = json(&run);
    let ids: Vec<&str> = report["findings"]
        .as_array()
        .expect("f")
        .iter()
        .map(|f| f["rule_id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["AGT001", "ALM005"]);
    assert_eq!(report["findings"][0]["severity"], "critical");
    assert_eq!(run.code, 1, "fail-on critical from the config");
    // The command line wins over the file.
    assert_eq!(pplint(&["check", "--fail-on", "never", &path]).code, 0);
    assert_eq!(
        pplint(&["check", "--format", "json", "--select", "KNW003", &path])
            .stdout
            .matches("\"rule_id\"")
            .count(),
        1
    );
    // --no-config ignores it.
    let all = json(&pplint(&[
        "check",
        "--no-config",
        "--format",
        "json",
        "--select",
        RULES,
        &path,
    ]));
    assert_eq!(all["findings"].as_array().map(Vec::len), Some(5));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn selection_by_pillar_and_tag() {
    let run = pplint(&[
        "check",
        "--no-config",
        "--format",
        "json",
        "--select",
        "operational-excellence",
        DEMO,
    ]);
    let report = json(&run);
    assert!(
        report["findings"]
            .as_array()
            .expect("f")
            .iter()
            .all(|f| f["pillar"] == "Operational Excellence")
    );
    assert!(!report["findings"].as_array().expect("f").is_empty());
}

#[test]
fn unknown_config_keys_are_rejected_with_their_position() {
    let stderr = config_error(
        "badconfig",
        "fail-on = \"high\"\n\n[rules]\nselekt = [\"AGT\"]\n",
    );
    assert!(stderr.contains("pplint.toml:4:1:"), "{stderr}");
    assert!(stderr.contains("selekt"), "{stderr}");
}

#[test]
fn unknown_rule_in_config_is_an_error() {
    let stderr = config_error("badrule", "[rules.severity]\nXYZ123 = \"high\"\n");
    assert!(stderr.contains("unknown rule 'XYZ123'"), "{stderr}");
}

#[test]
fn path_ignores_drop_findings_and_say_so() {
    let (dir, path) = demo_with_config(
        "ignore",
        "[rules]\nselect = [\"AGT001\", \"RAI001\", \"KNW003\", \"ALM005\"]\n[[ignore]]\nrules = [\"RAI\"]\npaths = [\"botcomponents/**\"]\nreason = \"topic moderation reviewed in ABC-123\"\n",
    );
    let run = pplint(&["check", "--color", "never", &path]);
    assert!(
        !run.stdout.contains("Node search-content"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("1 ignored by configuration"),
        "{}",
        run.stdout
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn suppressions_need_a_reason_mark_findings_and_expire() {
    let config = "[rules]\nselect = [\"AGT001\", \"RAI001\", \"KNW003\", \"ALM005\"]\n\
        [[suppress]]\nrule = \"AGT001\"\ncomponent = \"bot:cnt_help*\"\nreason = \"public FAQ agent, reviewed by security\"\nexpires = 2030-01-01\n\
        [[suppress]]\nrule = \"RAI001\"\npath = \"bots/**\"\nreason = \"temporary, vendor ticket 42\"\nexpires = 2026-01-31\n";
    let (dir, path) = demo_with_config("suppress", config);
    let run = pplint(&["check", "--today", "2026-06-01", "--format", "json", &path]);
    let report = json(&run);
    let findings = report["findings"].as_array().expect("f");
    let agt = findings
        .iter()
        .find(|f| f["rule_id"] == "AGT001")
        .expect("AGT001 still listed");
    assert_eq!(agt["suppressed"], true);
    let rai_agent = findings
        .iter()
        .find(|f| f["rule_id"] == "RAI001" && f["file"] == "bots/cnt_helpdesk/configuration.json")
        .expect("RAI001");
    assert_eq!(rai_agent["suppressed"], false, "expired on 2026-01-31");
    assert!(
        run.stderr.contains("expired on 2026-01-31"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.code, 1,
        "the expired suppression's high finding fails the run"
    );

    let sarif: Value = serde_json::from_str(
        &pplint(&["check", "--today", "2026-06-01", "--format", "sarif", &path]).stdout,
    )
    .expect("sarif");
    let suppressed: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(
        suppressed[0]["suppressions"][0]["justification"],
        "public FAQ agent, reviewed by security"
    );

    let everything = json(&pplint(&[
        "check",
        "--format",
        "json",
        "--no-suppress",
        &path,
    ]));
    assert!(
        everything["findings"]
            .as_array()
            .expect("f")
            .iter()
            .all(|f| f["suppressed"] == false)
    );

    let stderr = config_error("noreason", "[[suppress]]\nrule = \"AGT001\"\n");
    assert!(stderr.contains("reason"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn baseline_round_trip_survives_moved_lines_and_reports_stale_entries() {
    let dir = scratch("baseline");
    let solution = dir.join("solution");
    copy_tree(Path::new(DEMO), &solution);
    let path = solution.to_str().expect("utf-8");
    let baseline = dir.join("baseline.json");
    let baseline_arg = baseline.to_str().expect("utf-8");

    let write = pplint(&[
        "check",
        "--no-config",
        "--select",
        RULES,
        "--write-baseline",
        baseline_arg,
        path,
    ]);
    assert_eq!(write.code, 0, "{}", write.stderr);
    assert!(
        write.stderr.contains("wrote 5 fingerprints"),
        "{}",
        write.stderr
    );

    // Re-export noise: lines inserted above every finding, indentation changed.
    let bot = solution.join("bots/cnt_helpdesk/bot.xml");
    let text = std::fs::read_to_string(&bot).expect("bot.xml");
    std::fs::write(
        &bot,
        format!("<!-- re-exported -->\n\n\n{}", text.replace("  <", "    <")),
    )
    .expect("write");
    let config = solution.join("bots/cnt_helpdesk/configuration.json");
    let text = std::fs::read_to_string(&config).expect("configuration.json");
    std::fs::write(&config, format!("\n\n{text}")).expect("write");

    let run = pplint(&[
        "check",
        "--no-config",
        "--select",
        RULES,
        "--format",
        "json",
        "--baseline",
        baseline_arg,
        path,
    ]);
    assert_eq!(run.code, 0, "everything is in the baseline: {}", run.stdout);
    let report = json(&run);
    assert!(
        report["findings"]
            .as_array()
            .expect("f")
            .iter()
            .all(|f| f["suppressed"] == true)
    );

    // Fix one finding and add a new one: the fixed one is stale, the new one is reported.
    // (Changing a value, e.g. Low to Minimum, keeps the fingerprint: it has no value in it.)
    std::fs::write(
        &config,
        std::fs::read_to_string(&config).expect("read").replace(
            "\"useModelKnowledge\": true",
            "\"useModelKnowledge\": false",
        ),
    )
    .expect("write");
    let vars = solution.join("environmentvariabledefinitions");
    copy_tree(
        &vars.join("cnt_SupportSiteUrl"),
        &vars.join("cnt_TicketQueue"),
    );
    let def = vars.join("cnt_TicketQueue/environmentvariabledefinition.xml");
    std::fs::write(
        &def,
        std::fs::read_to_string(&def)
            .expect("read")
            .replace("cnt_SupportSiteUrl", "cnt_TicketQueue"),
    )
    .expect("write");
    let run = pplint(&[
        "check",
        "--no-config",
        "--select",
        RULES,
        "--format",
        "json",
        "--baseline",
        baseline_arg,
        path,
    ]);
    assert!(
        run.stderr.contains("baseline entries no longer match"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("KNW003"), "{}", run.stderr);
    let report = json(&run);
    let fresh: Vec<&Value> = report["findings"]
        .as_array()
        .expect("f")
        .iter()
        .filter(|f| f["suppressed"] == false)
        .collect();
    assert_eq!(fresh.len(), 1, "{fresh:?}");
    assert!(
        fresh[0]["message"]
            .as_str()
            .expect("m")
            .contains("cnt_TicketQueue")
    );
    assert_eq!(run.code, 0, "the new finding is low");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn rule_options_come_from_the_config_and_are_checked() {
    let (dir, path) = demo_with_config(
        "options",
        "[rules]\nselect = [\"KNW001\", \"RAI001\"]\n[rules.options.KNW001]\nowned_domains = [\"learn.microsoft.com\"]\n[rules.options.RAI001]\nfloor = \"Low\"\n",
    );
    let report = json(&pplint(&["check", "--format", "json", &path]));
    assert_eq!(
        report["findings"].as_array().map(Vec::len),
        Some(0),
        "{report:#}"
    );
    let defaults = json(&pplint(&[
        "check",
        "--no-config",
        "--format",
        "json",
        "--select",
        "KNW001,RAI001",
        &path,
    ]));
    assert_eq!(defaults["findings"].as_array().map(Vec::len), Some(3));
    let _ = std::fs::remove_dir_all(&dir);

    let stderr = config_error(
        "badoption",
        "[rules.options.KNW001]\nowned_domain = [\"contoso.com\"]\n",
    );
    assert!(
        stderr.contains("[rules.options.KNW001]") && stderr.contains("owned_domain"),
        "{stderr}"
    );

    let stderr = config_error("nooptions", "[rules.options.AGT001]\nstrict = true\n");
    assert!(stderr.contains("takes no options"), "{stderr}");

    let stderr = config_error(
        "badpattern",
        "[rules.options.FLW002]\nsafety_action_pattern = \"(unclosed\"\n",
    );
    assert!(
        stderr.contains("[rules.options.FLW002]")
            && stderr.contains("safety_action_pattern is not a valid regex"),
        "{stderr}"
    );
}

/// JSON v1 as typed fields in contract order: a report read into it and
/// pretty-printed again by `serde_json` must give back the same bytes, so the
/// hand-written finding writer lays out, orders and escapes as `serde_json`
/// does.
mod v1 {
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Report {
        version: u32,
        tool: Tool,
        pub findings: Vec<Finding>,
        summary: Summary,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Tool {
        name: String,
        version: String,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Finding {
        rule_id: String,
        rule_name: String,
        severity: String,
        confidence: String,
        pillar: String,
        waf_code: String,
        component: Component,
        message: String,
        source: String,
        file: String,
        start: Position,
        end: Position,
        byte_range: [u32; 2],
        logical_path: String,
        fingerprint: String,
        help: String,
        pub related: Vec<Related>,
        suppressed: bool,
        docs_url: String,
        sensitive: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub suppression_reason: Option<String>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Component {
        kind: String,
        identity: String,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Position {
        line: u32,
        column: u32,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Related {
        file: String,
        start: Position,
        end: Position,
        byte_range: [u32; 2],
        message: String,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Summary {
        findings: usize,
        by_severity: BySeverity,
        solutions: usize,
        files: usize,
        suppressed: usize,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct BySeverity {
        critical: usize,
        high: usize,
        medium: usize,
        low: usize,
        info: usize,
    }
}

/// The report `run` printed, checked to be exactly what `serde_json`
/// pretty-prints for the same contents.
fn json_as_serde_prints_it(run: &common::Run) -> v1::Report {
    let report: v1::Report = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON v1 ({e}): {}", run.stdout));
    let again = serde_json::to_string_pretty(&report).expect("serializes") + "\n";
    if again != run.stdout {
        let line = again
            .lines()
            .zip(run.stdout.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "the JSON report differs from serde_json's layout at line {}: {:?} against {:?}",
            line + 1,
            run.stdout.lines().nth(line),
            again.lines().nth(line)
        );
    }
    report
}

#[test]
fn json_report_is_laid_out_as_serde_json_pretty_prints_it() {
    let fixtures = common::fixtures().join("rules");
    let run = pedantic_check(fixtures.to_str().expect("utf-8"), "json");
    let report = json_as_serde_prints_it(&run);
    assert!(report.findings.len() > 100, "{}", report.findings.len());
    assert!(report.findings.iter().any(|f| !f.related.is_empty()));

    let config = "[[suppress]]\nrule = \"AGT001\"\ncomponent = \"bot:cnt_help*\"\n\
        reason = \"reviewed: \\\"public\\\" FAQ\\tagent\\\\path\"\n";
    let (dir, path) = demo_with_config("layout", config);
    let run = pplint(&["check", "--fail-on", "never", "--format", "json", &path]);
    let _ = std::fs::remove_dir_all(&dir);
    let report = json_as_serde_prints_it(&run);
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.suppression_reason.is_some()),
        "{}",
        run.stdout
    );

    if let Some(corpus) = common::corpus() {
        let run = pplint(&[
            "check",
            "--no-config",
            "--fail-on",
            "never",
            "--format",
            "json",
            corpus.to_str().expect("utf-8"),
        ]);
        json_as_serde_prints_it(&run);
    }
}

/// `check` of `path` with every rule at every confidence, in `format`, never failing.
fn pedantic_check(path: &str, format: &str) -> common::Run {
    pplint(&[
        "check",
        "--no-config",
        "--persona",
        "pedantic",
        "--fail-on",
        "never",
        "--color",
        "never",
        "--format",
        format,
        path,
    ])
}

/// A run over several solutions frees each one's trees, and the bytes of
/// every file no finding points at, once its rules have run. Each solution's
/// findings must still read exactly as in a run over that solution alone:
/// the same lines and columns, related spans and code frames.
#[test]
fn a_run_over_several_solutions_reports_each_as_a_run_over_it_alone() {
    let fixtures = common::fixtures();
    let fixtures = fixtures.to_str().expect("utf-8");
    let all = json(&pedantic_check(fixtures, "json"));
    let all_human = pedantic_check(fixtures, "human").stdout;
    let findings = all["findings"].as_array().expect("findings");
    let mut sources: Vec<&str> = findings
        .iter()
        .map(|f| f["source"].as_str().expect("source"))
        .collect();
    sources.dedup();
    assert!(
        sources.len() > 40,
        "too few solutions with findings: {sources:?}"
    );
    let mut related = 0;
    for source in sources {
        let alone = json(&pedantic_check(source, "json"));
        let together: Vec<&Value> = findings.iter().filter(|f| f["source"] == source).collect();
        let alone: Vec<&Value> = alone["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .collect();
        assert_eq!(
            together, alone,
            "{source}: findings differ from a run over it alone"
        );
        related += alone
            .iter()
            .filter(|f| f["related"] != Value::Array(Vec::new()))
            .count();
        let human = pedantic_check(source, "human").stdout;
        let frames = &human[..human.rfind("\n\n").expect("a summary after the findings")];
        assert!(
            all_human.contains(frames),
            "{source}: code frames differ from a run over it alone:\n{frames}"
        );
    }
    assert!(related > 20, "too few related spans to check: {related}");
}
