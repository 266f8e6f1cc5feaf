//! Every rule's fixtures: `fixtures/rules/<ID>/fail` must report the rule (the
//! snapshots show exactly what users see), `pass` must not, and the zipped
//! fixture must give the same findings as the unpacked one.

mod common;

use std::path::Path;

use serde_json::Value;

/// `PPLINT_RULES=FLW,SEC001` limits the fixture run while developing rules.
fn only() -> Option<Vec<String>> {
    let value = std::env::var("PPLINT_RULES").ok()?;
    Some(
        value
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
    )
}

fn rule_dirs() -> Vec<(String, std::path::PathBuf)> {
    let mut dirs: Vec<_> = std::fs::read_dir(common::fixtures().join("rules"))
        .expect("fixtures/rules")
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .filter(|(id, _)| only().is_none_or(|ids| ids.iter().any(|o| id.starts_with(o.as_str()))))
        .collect();
    dirs.sort();
    dirs
}

/// Extra arguments a rule's fixtures need (`fixtures/rules/<ID>/args`, one per line).
fn extra_args(id: &str) -> Vec<String> {
    std::fs::read_to_string(common::fixtures().join("rules").join(id).join("args"))
        .map(|text| {
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn run(id: &str, format: &str, path: &str) -> common::Run {
    let extra = extra_args(id);
    let mut args = vec![
        "check",
        "--select",
        id,
        "--format",
        format,
        "--color",
        "never",
        "--fail-on",
        "never",
    ];
    args.extend(extra.iter().map(String::as_str));
    args.push(path);
    common::pplint(&args)
}

fn json_run(id: &str, path: &str) -> Value {
    let run = run(id, "json", path);
    assert_eq!(run.code, 0, "{path}: {}", run.stderr);
    serde_json::from_str(&run.stdout).expect("JSON output")
}

fn of_rule<'a>(report: &'a Value, id: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == id)
        .collect()
}

/// What must agree between layouts: everything but the source path.
fn comparable(findings: &[&Value]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {} {}",
                f["fingerprint"], f["file"], f["byte_range"], f["logical_path"], f["message"]
            )
        })
        .collect()
}

#[test]
fn every_rule_fixture_behaves() {
    let dirs = rule_dirs();
    assert!(!dirs.is_empty());
    for (id, dir) in dirs {
        assert!(
            pplint::rules::find_meta(&id).is_some(),
            "fixtures/rules/{id}: no such rule"
        );
        let fail = format!("fixtures/rules/{id}/fail");
        let pass = format!("fixtures/rules/{id}/pass");
        assert!(
            dir.join("fail").is_dir() && dir.join("pass").is_dir(),
            "{id} needs fail/ and pass/"
        );

        let passed = json_run(&id, &pass);
        assert!(
            of_rule(&passed, &id).is_empty(),
            "{pass} must not report {id}: {passed:#}"
        );

        let failed = json_run(&id, &fail);
        let findings = of_rule(&failed, &id);
        assert!(!findings.is_empty(), "{fail} must report {id}");

        // A connector folder (paconn) or a Copilot Studio workspace has no zipped form.
        let zippable = !matches!(
            pplint::source::load::classify_dir(&dir.join("fail")),
            Some(pplint::source::Layout::Connector | pplint::source::Layout::McsWorkspace)
        );
        let zip_path =
            std::env::temp_dir().join(format!("pplint-rules-{}-{id}.zip", std::process::id()));
        if zippable {
            std::fs::write(&zip_path, common::zip_dir(&dir.join("fail"))).expect("write zip");
            let zipped = json_run(&id, zip_path.to_str().expect("utf-8 path"));
            let _ = std::fs::remove_file(&zip_path);
            assert_eq!(
                comparable(&findings),
                comparable(&of_rule(&zipped, &id)),
                "{id}: zip and folder disagree"
            );
        }

        let human = run(&id, "human", &fail);
        insta::assert_snapshot!(format!("{id}_fail_human"), human.stdout);
        let raw = run(&id, "json", &fail);
        let raw = raw.stdout.replace(
            &format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION")),
            "\"version\": \"[version]\"",
        );
        insta::assert_snapshot!(format!("{id}_fail_json"), raw);
    }
}

#[test]
fn fixture_folders_are_the_only_rule_selectors() {
    // Every registered rule with detection code has fixtures.
    for meta in pplint::rules::all_meta() {
        if meta.id == "PPX000" {
            continue;
        }
        assert!(
            Path::new(&format!("fixtures/rules/{}/fail", meta.id)).is_dir(),
            "{} has no fixtures/rules/{}/fail",
            meta.id,
            meta.id
        );
    }
}
