//! Raw inputs: files as stored, byte spans, line index, problems, and loading.

pub mod json_string;
mod line_index;
pub mod load;
mod span;

use std::sync::OnceLock;

pub use line_index::{LineCol, LineIndex};
pub use load::{InputError, Layout, Limits, LoadedSolution};
pub use span::Span;

/// A `[bool; 256]` of the bytes `b` for which `test` holds, built at compile
/// time: byte scanners index it instead of testing each byte.
macro_rules! byte_class {
    (|$b:ident| $test:expr) => {{
        let mut table = [false; 256];
        let mut i = 0;
        while i < 256 {
            let $b = i as u8;
            table[i] = $test;
            i += 1;
        }
        table
    }};
}
pub(crate) use byte_class;

/// Index of a file inside one [`LoadedSolution`].
pub type FileId = usize;

/// One file of a solution, as stored (BOM and CRLF kept).
#[derive(Debug)]
pub struct SourceFile {
    /// Path inside the solution, `/`-separated, exactly as stored.
    pub path: String,
    pub bytes: Vec<u8>,
    line_index: OnceLock<LineIndex>,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, bytes: Vec<u8>) -> Self {
        SourceFile {
            path: path.into(),
            bytes,
            line_index: OnceLock::new(),
        }
    }

    pub fn text(&self) -> Result<&str, std::str::Utf8Error> {
        std::str::from_utf8(&self.bytes)
    }

    pub fn line_col(&self, offset: usize) -> LineCol {
        self.line_index
            .get_or_init(|| LineIndex::new(&self.bytes))
            .line_col(&self.bytes, offset)
    }

    /// The spanned text, lossily decoded (spans always sit on character boundaries
    /// of valid files, so this only matters for broken ones).
    pub fn snippet(&self, span: Span) -> String {
        let end = (span.end as usize).min(self.bytes.len());
        let start = (span.start as usize).min(end);
        String::from_utf8_lossy(&self.bytes[start..end]).into_owned()
    }

    /// Length of the UTF-8 BOM at the start of the file (0 or 3).
    pub fn bom_len(&self) -> usize {
        if self.bytes.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        }
    }
}

/// What kind of input could not be read (RULES.md §11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProblemKind {
    Zip,
    Xml,
    Json,
    Yaml,
    EmbeddedJson,
    Encoding,
    TooLarge,
}

impl ProblemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::Zip => "zip",
            ProblemKind::Xml => "xml",
            ProblemKind::Json => "json",
            ProblemKind::Yaml => "yaml",
            ProblemKind::EmbeddedJson => "embedded-json",
            ProblemKind::Encoding => "encoding",
            ProblemKind::TooLarge => "too-large",
        }
    }
}

/// A file (or the archive) that could not be read or parsed. Rules needing it
/// are skipped for it; everything else is still checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Path inside the solution; empty for archive-level problems.
    pub file: String,
    pub span: Span,
    pub kind: ProblemKind,
    /// The parser's own message, without the file name.
    pub detail: String,
}

impl Problem {
    pub fn new(
        file: impl Into<String>,
        span: Span,
        kind: ProblemKind,
        detail: impl Into<String>,
    ) -> Self {
        Problem {
            file: file.into(),
            span,
            kind,
            detail: detail.into(),
        }
    }

    /// "Could not parse {path} as {kind}: {parser message}." (RULES.md §11)
    pub fn message(&self, solution_source: &str) -> String {
        let path = if self.file.is_empty() {
            solution_source
        } else {
            &self.file
        };
        format!(
            "Could not parse {path} as {}: {}.",
            self.kind.as_str(),
            self.detail.trim_end_matches('.')
        )
    }
}
