//! Replays every input the fuzzers ever found trouble with
//! (`fuzz/regressions/<target>/*`, see docs/robustness.md) through the same
//! entry points the fuzz targets use, plus a few hostile classics per target.
//! A panic here is a regression.

use std::path::Path;

use pplint::fuzzing;

type Target = fn(&[u8]);

const TARGETS: [(&str, Target); 6] = [
    ("zip_pipeline", fuzzing::zip_pipeline),
    ("parse_xml", fuzzing::parse_xml),
    ("parse_json", fuzzing::parse_json),
    ("parse_yaml", fuzzing::parse_yaml),
    ("model_files", fuzzing::model_files),
    ("workspace_files", fuzzing::workspace_files),
];

fn classics() -> Vec<Vec<u8>> {
    vec![
        Vec::new(),
        vec![0xFF; 64],
        b"\xEF\xBB\xBF".to_vec(),
        "[".repeat(20_000).into_bytes(),
        "{\"a\":".repeat(20_000).into_bytes(),
        "<a>".repeat(20_000).into_bytes(),
        "- ".repeat(20_000).into_bytes(),
        b"a: &x [1]\nb: *x\nc: *y\n".to_vec(),
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00".to_vec(),
        b"kind: AdaptiveDialog\nbeginDialog:\n  actions:\n    - kind: SearchAndSummarizeContent\n      moderationLevel: \xF0\x9F\x98\x80\n".to_vec(),
        [b"solution.xml".as_slice(), b"\0<a/>\0\0{\"aISettings\":{\"contentModeration\":\"Low\"}}"].concat(),
    ]
}

#[test]
fn fuzz_findings_and_classics_do_not_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut replayed = 0;
    for (name, target) in TARGETS {
        for input in classics() {
            target(&input);
            replayed += 1;
        }
        let Ok(entries) = std::fs::read_dir(root.join(name)) else {
            continue;
        };
        let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).expect("regression input");
            target(&data);
            replayed += 1;
        }
    }
    assert!(replayed >= TARGETS.len() * classics().len());
}
