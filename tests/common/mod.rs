//! Shared test helpers: corpus location, in-memory zips of fixture trees, and
//! running the CLI in process.

#![allow(dead_code)]

pub mod differential;

use std::io::Write;
use std::path::{Path, PathBuf};

/// `../shared/corpus`, or `None` (with a visible message) when it is absent.
/// With `PPLINT_REQUIRE_CORPUS=1` a missing corpus fails the test instead.
pub fn corpus() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if path.is_dir() {
        return Some(path);
    }
    if std::env::var("PPLINT_REQUIRE_CORPUS").is_ok_and(|v| v == "1") {
        panic!(
            "PPLINT_REQUIRE_CORPUS=1 but the corpus is missing at {}",
            path.display()
        );
    }
    eprintln!(
        "SKIPPED: the corpus is not at {} (set PPLINT_REQUIRE_CORPUS=1 to make this fail)",
        path.display()
    );
    None
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Zips a folder tree in memory, entries sorted, `/`-separated.
pub fn zip_dir(dir: &Path) -> Vec<u8> {
    let mut files: Vec<PathBuf> = walk(dir);
    files.sort();
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for file in files {
        let rel = file
            .strip_prefix(dir)
            .expect("inside")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        writer.start_file(rel, options).expect("start entry");
        writer
            .write_all(&std::fs::read(&file).expect("read fixture"))
            .expect("write entry");
    }
    writer.finish().expect("finish zip").into_inner()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Builds a zip from `(name, bytes)` entries.
pub fn zip_entries(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in entries {
        writer.start_file(*name, options).expect("start entry");
        writer.write_all(bytes).expect("write entry");
    }
    writer.finish().expect("finish zip").into_inner()
}

pub struct Run {
    pub code: u8,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the CLI in process.
pub fn pplint(args: &[&str]) -> Run {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut argv = vec!["pplint"];
    argv.extend_from_slice(args);
    let code = pplint::run(argv, &mut out, &mut err);
    Run {
        code,
        stdout: String::from_utf8(out).expect("utf-8 stdout"),
        stderr: String::from_utf8(err).expect("utf-8 stderr"),
    }
}
