//! Renderers: each turns the same findings into one format. They read findings
//! and sources only.

pub mod azure;
pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod map;
pub mod sarif;

use rayon::prelude::*;

use crate::finding::{FileRef, Finding, Location, Severity};
use crate::rules::RuleMeta;
use crate::source::{LineCol, SourceFile};

/// The files of one linted solution.
#[derive(Clone, Copy, Debug)]
pub struct SolutionSource<'a> {
    /// The input path as given (or found under it).
    pub source: &'a str,
    pub files: &'a [SourceFile],
}

/// What every renderer receives.
#[derive(Clone, Copy, Debug)]
pub struct Report<'a> {
    pub solutions: &'a [SolutionSource<'a>],
    pub findings: &'a [Finding],
    /// The rules that ran, sorted by ID.
    pub rules: &'a [&'static RuleMeta],
    /// Secret spans to hide wherever file text is shown: (location, redacted form).
    pub secrets: &'a [(Location, String)],
}

/// Where a finding's file is, for tools that need a path on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Artifact {
    /// A file on disk: the source path joined with the path inside the solution,
    /// `/`-separated (repo-relative when the input path was).
    File(String),
    /// An entry inside a zip export: the archive's path and the entry name.
    InArchive { archive: String, entry: String },
}

impl<'a> Report<'a> {
    /// Builds, in parallel, the line index of every file a finding points into,
    /// so renderers (which run on one thread) find them ready.
    pub fn index_lines(&self) {
        let mut files: Vec<&SourceFile> = self
            .findings
            .iter()
            .flat_map(Finding::locations)
            .filter_map(|loc| self.file_of(loc))
            .collect();
        files.sort_by_key(|f| std::ptr::from_ref(*f));
        files.dedup_by_key(|f| std::ptr::from_ref(*f));
        files.par_iter().for_each(|file| {
            file.line_col(0);
        });
    }

    pub fn source_of(&self, loc: &Location) -> &'a str {
        self.solutions[loc.solution].source
    }

    /// Path inside the solution, `/`-separated as stored.
    pub fn path_of(&self, loc: &'a Location) -> &'a str {
        match &loc.file {
            FileRef::Id(id) => &self.solutions[loc.solution].files[*id].path,
            FileRef::Unread(path) => path,
        }
    }

    pub fn file_of(&self, loc: &Location) -> Option<&'a SourceFile> {
        match &loc.file {
            FileRef::Id(id) => self.solutions[loc.solution].files.get(*id),
            FileRef::Unread(_) => None,
        }
    }

    /// Start and end line/column of a location (1/1 when the file was not read).
    pub fn positions(&self, loc: &Location) -> (LineCol, LineCol) {
        match self.file_of(loc) {
            Some(file) => (
                file.line_col(loc.span.start as usize),
                file.line_col(loc.span.end as usize),
            ),
            None => {
                let origin = LineCol {
                    line: 1,
                    column: 1,
                    column_utf16: 1,
                };
                (origin, origin)
            }
        }
    }

    /// The artifact a location is in (see [`Artifact`]).
    pub fn artifact(&self, loc: &'a Location) -> Artifact {
        let source = self.source_of(loc).replace('\\', "/");
        let source = source.strip_prefix("./").unwrap_or(&source).to_string();
        let file = self.path_of(loc);
        if file.is_empty()
            || source
                .to_ascii_lowercase()
                .ends_with(&file.to_ascii_lowercase())
        {
            return Artifact::File(source);
        }
        if source.to_ascii_lowercase().ends_with(".zip") {
            return Artifact::InArchive {
                archive: source,
                entry: file.to_string(),
            };
        }
        Artifact::File(format!("{}/{file}", source.trim_end_matches('/')))
    }

    /// Every secret span in the file of `loc` (from all sensitive findings),
    /// sorted and non-overlapping, with the text to show instead.
    pub fn redactions(&self, loc: &Location) -> Vec<(crate::source::Span, &'a str)> {
        let mut spans: Vec<(crate::source::Span, &'a str)> = self
            .findings
            .iter()
            .filter(|f| {
                f.sensitive && f.primary.solution == loc.solution && f.primary.file == loc.file
            })
            .filter_map(|f| Some((f.primary.span, f.redacted.as_deref()?)))
            .chain(
                self.secrets
                    .iter()
                    .filter(|(l, _)| l.solution == loc.solution && l.file == loc.file)
                    .map(|(l, r)| (l.span, r.as_str())),
            )
            .collect();
        spans.sort_by_key(|(s, _)| (s.start, s.end));
        let mut kept: Vec<(crate::source::Span, &'a str)> = Vec::with_capacity(spans.len());
        for (span, text) in spans {
            if kept.last().is_none_or(|(last, _)| span.start >= last.end) {
                kept.push((span, text));
            }
        }
        kept
    }

    /// The text of `loc`'s span with any secret inside it replaced by its
    /// redacted form (snippets in SARIF, HTML and human output).
    pub fn safe_snippet(&self, loc: &Location) -> Option<String> {
        let file = self.file_of(loc)?;
        let (start, end) = (loc.span.start, loc.span.end);
        let mut out = String::new();
        let mut at = start as usize;
        for (span, text) in self.redactions(loc) {
            if span.end <= start || span.start >= end {
                continue;
            }
            let cut = (span.start.max(start)) as usize;
            out.push_str(&String::from_utf8_lossy(
                file.bytes.get(at..cut).unwrap_or_default(),
            ));
            out.push_str(text);
            at = (span.end.min(end)) as usize;
        }
        out.push_str(&String::from_utf8_lossy(
            file.bytes.get(at..end as usize).unwrap_or_default(),
        ));
        Some(out)
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| !f.is_suppressed() && f.severity == severity)
            .count()
    }

    pub fn file_count(&self) -> usize {
        self.solutions.iter().map(|s| s.files.len()).sum()
    }
}

/// A same-length stand-in for a secret in a code frame, so line and column
/// positions stay true: the redacted form's visible prefix (at most a quarter of
/// the secret), then `*`. `len` is the secret's length in bytes.
pub fn mask(redacted: &str, len: usize) -> String {
    let prefix: String = redacted
        .split('…')
        .next()
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii)
        .collect();
    let keep = prefix.len().min(len / 4);
    let mut masked = prefix[..keep].to_string();
    masked.push_str(&"*".repeat(len - keep));
    masked
}
