//! Over every real item of `../shared/corpus`: exit code 0 or 1, valid JSON v1,
//! every span inside its file, on character boundaries, non-empty (PPX000
//! aside), line/column agreeing with the byte offset; identical output with 1
//! and 2 threads.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn items(corpus: &Path) -> Vec<String> {
    include_str!("data/corpus_expected.tsv")
        .lines()
        .skip(1)
        .map(|l| l.split('\t').next().expect("item").to_string())
        .inspect(|item| assert!(corpus.join(item).exists(), "{item}"))
        .collect()
}

/// The raw bytes of `file` inside the solution at `source`.
fn file_bytes(source: &str, file: &str) -> Vec<u8> {
    let path = Path::new(source);
    if path.is_file() && source.to_ascii_lowercase().ends_with(".zip") {
        let mut archive =
            zip::ZipArchive::new(std::fs::File::open(path).expect("zip")).expect("zip");
        let mut entry = archive.by_name(file).expect("entry");
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("read entry");
        return bytes;
    }
    let base = if path.is_file() {
        // A lone environment variable definition: its solution root is three levels up.
        path.ancestors().nth(3).expect("fragment root")
    } else {
        path
    };
    std::fs::read(base.join(file)).expect("file")
}

/// 1-based line, and 1-based column in Unicode scalars not counting a BOM.
fn line_column(bytes: &[u8], offset: usize) -> (u64, u64) {
    let before = &bytes[..offset];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let mut prefix = &before[line_start..];
    if line_start == 0 && prefix.starts_with(b"\xEF\xBB\xBF") {
        prefix = &prefix[3..];
    }
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = std::str::from_utf8(prefix)
        .expect("utf-8 prefix")
        .chars()
        .count()
        + 1;
    (line as u64, column as u64)
}

fn check_location(
    source: &str,
    file: &str,
    start: &Value,
    end: &Value,
    range: &Value,
    allow_empty: bool,
    what: &str,
) {
    let bytes = file_bytes(source, file);
    let from = range[0].as_u64().expect("start") as usize;
    let to = range[1].as_u64().expect("end") as usize;
    assert!(
        from <= to && to <= bytes.len(),
        "{what}: {from}..{to} outside {} bytes",
        bytes.len()
    );
    assert!(allow_empty || to > from, "{what}: empty span");
    let text = std::str::from_utf8(&bytes).expect("utf-8 file");
    assert!(
        text.is_char_boundary(from) && text.is_char_boundary(to),
        "{what}: not on char boundaries"
    );
    assert_eq!(
        line_column(&bytes, from),
        (
            start["line"].as_u64().expect("l"),
            start["column"].as_u64().expect("c")
        ),
        "{what}: start"
    );
    assert_eq!(
        line_column(&bytes, to),
        (
            end["line"].as_u64().expect("l"),
            end["column"].as_u64().expect("c")
        ),
        "{what}: end"
    );
}

/// One line per finding, grouped by rule area, for the reviewed corpus snapshots.
fn listing_line(item: &str, f: &Value) -> String {
    format!(
        "{} {} {} › {}:{}:{} {}",
        f["rule_id"].as_str().unwrap_or(""),
        f["severity"].as_str().unwrap_or(""),
        item,
        f["file"].as_str().unwrap_or(""),
        f["start"]["line"],
        f["start"]["column"],
        f["message"].as_str().unwrap_or("")
    )
}

#[test]
fn every_corpus_item_gives_valid_findings_on_exact_spans() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut total = 0;
    let mut by_area: std::collections::BTreeMap<String, Vec<String>> =
        std::collections::BTreeMap::new();
    for area in [
        "AGT", "ALM", "CON", "FLW", "KNW", "PPX", "PRM", "RAI", "SEC", "TLS",
    ] {
        by_area.insert(area.to_string(), Vec::new());
    }
    for item in items(&corpus) {
        let path = corpus.join(&item);
        let run = common::pplint(&["check", "--format", "json", path.to_str().expect("utf-8")]);
        assert!(
            run.code == 0 || run.code == 1,
            "{item}: exit {} {}",
            run.code,
            run.stderr
        );
        let doc: Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{item}: invalid JSON: {e}"));
        assert_eq!(doc["version"], 1);
        assert_eq!(doc["tool"]["name"], "pplint");
        let findings = doc["findings"].as_array().expect("findings");
        assert_eq!(
            doc["summary"]["findings"].as_u64(),
            Some(findings.len() as u64)
        );
        for f in findings {
            total += 1;
            let area = f["rule_id"]
                .as_str()
                .unwrap_or("")
                .get(..3)
                .unwrap_or("")
                .to_string();
            by_area
                .entry(area)
                .or_default()
                .push(listing_line(&item, f));
            for key in [
                "rule_id",
                "rule_name",
                "severity",
                "confidence",
                "pillar",
                "waf_code",
                "message",
                "source",
                "file",
                "logical_path",
                "fingerprint",
                "help",
            ] {
                assert!(f[key].is_string(), "{item}: {key} in {f}");
            }
            assert!(
                f["fingerprint"]
                    .as_str()
                    .expect("fp")
                    .starts_with("pplint/v1:")
            );
            let source = f["source"].as_str().expect("source");
            let file = f["file"].as_str().expect("file");
            let what = format!("{item} {} {file}", f["rule_id"]);
            let is_problem = f["rule_id"] == "PPX000";
            if is_problem && file.is_empty() {
                continue;
            }
            check_location(
                source,
                file,
                &f["start"],
                &f["end"],
                &f["byte_range"],
                is_problem,
                &what,
            );
            for r in f["related"].as_array().expect("related") {
                check_location(
                    source,
                    r["file"].as_str().expect("file"),
                    &r["start"],
                    &r["end"],
                    &r["byte_range"],
                    false,
                    &format!("{what} related"),
                );
            }
        }
    }
    assert!(total > 0, "the corpus produced no findings at all");
    // Every line of these snapshots was reviewed as a real problem a maker would agree with.
    for (area, lines) in by_area {
        insta::assert_snapshot!(
            format!("corpus_{area}"),
            format!("{} findings\n{}", lines.len(), lines.join("\n"))
        );
    }
}

fn run_binary(threads: &str, args: &[&str]) -> (Option<i32>, Vec<u8>) {
    let output = Command::new(env!("CARGO_BIN_EXE_pplint"))
        .args(args)
        .env("RAYON_NUM_THREADS", threads)
        .env_remove("NO_COLOR")
        .output()
        .expect("run pplint");
    (output.status.code(), output.stdout)
}

#[test]
fn output_is_identical_with_one_and_two_threads() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let corpus = corpus.to_str().expect("utf-8").to_string();
    for format in ["json", "human"] {
        let args = ["check", "--format", format, "--color", "never", &corpus];
        let (code1, one) = run_binary("1", &args);
        let (code2, two) = run_binary("2", &args);
        assert_eq!(code1, code2);
        assert!(!one.is_empty());
        assert!(
            one == two,
            "{format} output differs between 1 and 2 threads"
        );
    }
}

#[test]
fn every_format_is_identical_across_thread_counts_and_runs() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let inputs = [
        corpus.join("powerplatform-samples/samples/healthcare-ai-chatbot/solution/healthcare-ai-chatbot.zip"),
        corpus.join("Power-CAT-Copilot-Studio-Kit/CopilotStudioAccelerator"),
        corpus.join("CopilotStudioSamples/authoring/solutions/account-contact-lookup/sourcecode"),
        corpus.join("PowerPlatformConnectors/independent-publisher-connectors"),
    ];
    let inputs: Vec<&str> = inputs.iter().map(|p| p.to_str().expect("utf-8")).collect();
    for format in ["human", "json", "sarif", "github", "azure", "junit", "html"] {
        let mut args = vec![
            "check",
            "--no-config",
            "--format",
            format,
            "--color",
            "never",
        ];
        args.extend(inputs.iter().copied());
        let (code, first) = run_binary("1", &args);
        assert!(!first.is_empty(), "{format}: no output");
        for threads in ["2", "8", "2"] {
            let (other_code, other) = run_binary(threads, &args);
            assert_eq!(
                code, other_code,
                "{format}: exit code with {threads} threads"
            );
            assert!(
                first == other,
                "{format}: output differs with {threads} threads"
            );
        }
    }
}
