//! Exit codes, formats and commands, through the CLI in process.

mod common;

use common::pplint;

fn temp_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("pplint-cli-{}-{name}", std::process::id()))
}

#[test]
fn missing_path_is_a_usage_error() {
    let run = pplint(&["check", "does/not/exist.zip"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("does/not/exist.zip: no such file or directory"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_file_named_zip_that_is_not_a_zip_is_an_input_error() {
    let path = temp_path("not-a.zip");
    std::fs::write(&path, b"this is plain text, not an archive").expect("write");
    let run = pplint(&["check", path.to_str().expect("utf-8")]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not a zip archive"), "{}", run.stderr);
}

#[test]
fn a_zip_that_is_not_a_solution_is_an_input_error() {
    let path = temp_path("other.zip");
    std::fs::write(&path, common::zip_entries(&[("readme.txt", b"hello")])).expect("write");
    let run = pplint(&["check", path.to_str().expect("utf-8")]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("not a Power Platform solution export: no solution.xml at the root"),
        "{}",
        run.stderr
    );
}

#[test]
fn other_inputs_are_still_linted_when_one_is_bad() {
    let run = pplint(&[
        "check",
        "--format",
        "json",
        "does/not/exist",
        "fixtures/rules/AGT001/fail",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.contains("\"rule_id\": \"AGT001\""),
        "{}",
        run.stdout
    );
}

#[test]
fn fail_on_is_cumulative() {
    // RAI001/fail holds one high and one medium RAI001 finding.
    let high = |extra: &[&str]| {
        let mut args = vec!["check", "--no-config", "--select", "RAI001"];
        args.extend_from_slice(extra);
        args.push("fixtures/rules/RAI001/fail");
        pplint(&args).code
    };
    assert_eq!(high(&[]), 1, "default threshold is high");
    assert_eq!(high(&["--fail-on", "critical"]), 0);
    assert_eq!(high(&["--fail-on", "high"]), 1);
    assert_eq!(high(&["--fail-on", "medium"]), 1);
    assert_eq!(high(&["--fail-on", "never"]), 0);
    // ALM005/fail holds a single low ALM005 finding.
    let low = |extra: &[&str]| {
        let mut args = vec!["check", "--no-config", "--select", "ALM005"];
        args.extend_from_slice(extra);
        args.push("fixtures/rules/ALM005/fail");
        pplint(&args).code
    };
    assert_eq!(low(&[]), 0);
    assert_eq!(low(&["--fail-on", "medium"]), 0);
    assert_eq!(low(&["--fail-on", "low"]), 1);
    assert_eq!(low(&["--fail-on", "info"]), 1);
}

#[test]
fn help_explains_the_cumulative_threshold() {
    let run = pplint(&["check", "--help"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("Cumulative"), "{}", run.stdout);
}

#[test]
fn check_is_the_default_command() {
    let explicit = pplint(&["check", "--color", "never", "fixtures/rules/AGT001/fail"]);
    let implicit = pplint(&["--color", "never", "fixtures/rules/AGT001/fail"]);
    assert_eq!(explicit.code, 1);
    assert_eq!(explicit.stdout, implicit.stdout);
    assert_eq!(pplint(&[]).code, 2);
}

#[test]
fn clean_solution_exits_zero_with_a_summary() {
    let run = pplint(&["check", "--color", "never", "fixtures/rules/AGT001/pass"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains("No findings in 1 solution"),
        "{}",
        run.stdout
    );
}

#[test]
fn unknown_rule_selection_is_a_usage_error() {
    let run = pplint(&["check", "--select", "NOPE999", "fixtures/rules/AGT001/fail"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no rule matches NOPE999"),
        "{}",
        run.stderr
    );
}

#[test]
fn select_and_ignore_by_prefix() {
    let path = "fixtures/rules/RAI001/fail";
    assert_eq!(pplint(&["check", "--ignore", "RAI", path]).code, 0);
    assert_eq!(pplint(&["check", "--select", "AGT", path]).code, 0);
    assert_eq!(
        pplint(&["check", "--select", "content-moderation-lowered", path]).code,
        1
    );
}

#[test]
fn rules_json_lists_every_rule_with_its_pillar() {
    let run = pplint(&["rules", "--format", "json"]);
    assert_eq!(run.code, 0);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let rules = doc["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    for id in ["AGT001", "ALM005", "KNW003", "PPX000", "RAI001"] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let pillars = [
        "Security",
        "Reliability",
        "Operational Excellence",
        "Performance Efficiency",
        "Experience Optimization",
    ];
    for rule in rules {
        for key in [
            "id",
            "name",
            "summary",
            "pillar",
            "waf",
            "severity",
            "confidence",
            "default",
        ] {
            assert!(rule[key].is_string(), "{key} of {rule}");
        }
        assert!(
            pillars.contains(&rule["pillar"].as_str().expect("pillar")),
            "{rule}"
        );
    }
}

#[test]
fn explain_prints_the_rule_docs() {
    let run = pplint(&["explain", "AGT001"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.starts_with("# AGT001 agent-no-authentication"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("## How to fix"));
    assert_eq!(pplint(&["explain", "XYZ123"]).code, 2);
}

#[test]
fn strict_makes_unparsable_input_fatal() {
    let dir = temp_path("strict");
    std::fs::create_dir_all(dir.join("bots/b")).expect("mkdir");
    std::fs::copy(
        "fixtures/rules/AGT001/pass/solution.xml",
        dir.join("solution.xml"),
    )
    .expect("copy");
    std::fs::write(
        dir.join("customizations.xml"),
        "<ImportExportXml><Entities></ImportExportXml>",
    )
    .expect("write");
    let path = dir.to_str().expect("utf-8");
    let lenient = pplint(&["check", "--format", "json", path]);
    let strict = pplint(&["check", "--strict", "--format", "json", path]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(lenient.code, 1, "PPX000 is high: {}", lenient.stdout);
    assert!(lenient.stdout.contains("\"rule_id\": \"PPX000\""));
    assert!(
        lenient
            .stdout
            .contains("Could not parse customizations.xml as xml"),
        "{}",
        lenient.stdout
    );
    assert_eq!(strict.code, 2);
}

#[test]
fn inventory_json_contract() {
    let run = pplint(&[
        "inventory",
        "--format",
        "json",
        "fixtures/rules/RAI001/fail",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let solution = &doc["solutions"][0];
    assert_eq!(solution["source"], "fixtures/rules/RAI001/fail");
    assert_eq!(solution["unique_name"], "ModerationFail");
    assert_eq!(solution["version"], "1.0.0.0");
    assert_eq!(solution["managed"], false);
    assert_eq!(solution["layout"], "folder");
    assert_eq!(solution["counts"]["agents"], 1);
    assert_eq!(solution["counts"]["topics"], 1);
    assert_eq!(solution["problems"].as_array().map(Vec::len), Some(0));
    let text = pplint(&["inventory", "fixtures/rules/RAI001/fail"]);
    assert!(
        text.stdout
            .contains("agent Contoso Helpdesk [cnt_helpdesk]"),
        "{}",
        text.stdout
    );
}

/// An inventory of several solutions describes each as it loads; the report
/// must list them in input order, each exactly as an inventory of it alone.
#[test]
fn inventory_of_several_solutions_is_each_solution_in_order() {
    let inputs = [
        "fixtures/rules/RAI001/fail",
        "fixtures/demo/contoso-helpdesk",
        "fixtures/rules/CON001",
        "fixtures/rules/AGT001/pass",
    ];
    let mut args = vec!["inventory", "--format", "json"];
    args.extend(inputs);
    let all = pplint(&args);
    assert_eq!(all.code, 0, "{}", all.stderr);
    let all: serde_json::Value = serde_json::from_str(&all.stdout).expect("json");
    let all = all["solutions"].as_array().expect("solutions");
    args[2] = "text";
    let all_text = pplint(&args).stdout;
    let mut alone = Vec::new();
    let mut alone_text = String::new();
    for input in inputs {
        let run = pplint(&["inventory", "--format", "json", input]);
        let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
        alone.extend(
            doc["solutions"]
                .as_array()
                .expect("solutions")
                .iter()
                .cloned(),
        );
        alone_text.push_str(&pplint(&["inventory", input]).stdout);
    }
    assert_eq!(alone.len(), 6, "CON001 holds three solutions");
    assert_eq!(all, &alone);
    assert_eq!(all_text, alone_text);
}

/// A run writes nothing except the files named on the command line.
#[test]
fn a_run_creates_no_files() {
    let work = temp_path("containment");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("mkdir");
    let input =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/contoso-helpdesk");
    let zip = work.join("input.zip");
    std::fs::write(&zip, common::zip_dir(&input)).expect("zip");
    let listing = |dir: &std::path::Path| -> Vec<(String, u64)> {
        let mut all = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("read").flatten() {
                let meta = e.metadata().expect("meta");
                if meta.is_dir() {
                    stack.push(e.path());
                }
                all.push((e.path().display().to_string(), meta.len()));
            }
        }
        all.sort();
        all
    };
    let before_work = listing(&work);
    let before_input = listing(&input);
    for format in ["human", "json", "sarif", "github", "azure", "junit", "html"] {
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_pplint"))
            .args(["check", "--no-config", "--format", format])
            .arg(&zip)
            .arg(&input)
            .current_dir(&work)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("run");
        assert_eq!(status.code(), Some(1), "{format}");
    }
    assert_eq!(
        listing(&work),
        before_work,
        "nothing new in the working directory"
    );
    assert_eq!(listing(&input), before_input, "the input is untouched");
    let _ = std::fs::remove_dir_all(&work);
}
