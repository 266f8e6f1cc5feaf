//! Renderers: each turns the same findings into one format. They read findings
//! and sources only.

pub mod human;
pub mod json;

use crate::finding::{FileRef, Finding, Location, Severity};
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
}

impl<'a> Report<'a> {
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

    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| !f.suppressed && f.severity == severity)
            .count()
    }

    pub fn file_count(&self) -> usize {
        self.solutions.iter().map(|s| s.files.len()).sum()
    }
}
