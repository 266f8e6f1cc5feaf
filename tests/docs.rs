//! `docs/rules/` is generated from the rule registry; this test fails when it is
//! stale. Regenerate with `PPLINT_UPDATE_DOCS=1 cargo test --test docs`.

use std::collections::BTreeMap;
use std::path::Path;

use pplint::rules::{self, docs};

fn expected() -> BTreeMap<String, String> {
    let metas = rules::all_meta();
    let mut files: BTreeMap<String, String> = metas
        .iter()
        .map(|m| (format!("{}.md", m.id), docs::rule_markdown(m)))
        .collect();
    files.insert("README.md".into(), docs::index_markdown(&metas));
    files
}

#[test]
fn rule_docs_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    let expected = expected();
    if std::env::var("PPLINT_UPDATE_DOCS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(&dir).expect("docs/rules");
        for entry in std::fs::read_dir(&dir).expect("read").flatten() {
            if !expected.contains_key(&*entry.file_name().to_string_lossy()) {
                std::fs::remove_file(entry.path()).expect("remove stale doc");
            }
        }
        for (name, text) in &expected {
            std::fs::write(dir.join(name), text).expect("write doc");
        }
    }
    let mut stale = Vec::new();
    for (name, text) in &expected {
        if std::fs::read_to_string(dir.join(name)).ok().as_deref() != Some(text.as_str()) {
            stale.push(name.clone());
        }
    }
    for entry in std::fs::read_dir(&dir)
        .expect("docs/rules exists")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !expected.contains_key(&name) {
            stale.push(format!("{name} (no such rule)"));
        }
    }
    assert!(
        stale.is_empty(),
        "docs/rules is stale: {stale:?}; run `PPLINT_UPDATE_DOCS=1 cargo test --test docs`"
    );
}

#[test]
fn every_rule_documents_what_why_example_and_fix() {
    let mut seen = std::collections::BTreeSet::new();
    for meta in rules::all_meta() {
        assert!(seen.insert(meta.id), "duplicate rule ID {}", meta.id);
        assert!(seen.insert(meta.name), "duplicate rule name {}", meta.name);
        let text = meta.docs_markdown();
        for heading in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## How to fix",
        ] {
            assert!(text.contains(heading), "{} lacks '{heading}'", meta.id);
        }
        assert!(
            meta.id.len() == 6
                && meta.id[..3].chars().all(|c| c.is_ascii_uppercase())
                && meta.id[3..].chars().all(|c| c.is_ascii_digit()),
            "{}",
            meta.id
        );
        assert!(
            meta.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{}",
            meta.name
        );
    }
}
