//! JSON v1: a frozen contract. These types are built from findings, never
//! serialized from internal types, so internal changes cannot break consumers.

use std::io::Write;

use serde::Serialize;

use crate::finding::{Finding, Severity};
use crate::source::{LineCol, Span, json_string};

use super::Report;

#[derive(Serialize)]
struct JsonReportV1 {
    version: u32,
    tool: Tool,
    /// Always empty: each finding is written by [`write_finding`] and spliced
    /// in.
    findings: [(); 0],
    summary: Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    findings: usize,
    by_severity: BySeverity,
    solutions: usize,
    files: usize,
    /// Addition to v1: findings accepted by configuration or a baseline.
    suppressed: usize,
}

#[derive(Serialize)]
struct BySeverity {
    critical: usize,
    high: usize,
    medium: usize,
    low: usize,
    info: usize,
}

/// Writes the findings on all threads, a chunk each, as `serde_json`
/// pretty-prints them inside the report, and splices them into the
/// pretty-printed rest: the bytes are those of pretty-printing the whole
/// report at once.
pub fn render(report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    use rayon::prelude::*;
    let chunks: Vec<Vec<u8>> = report
        .findings
        .par_chunks(FINDINGS_PER_CHUNK)
        .enumerate()
        .map(|(i, chunk)| {
            let mut text = Vec::with_capacity(chunk.len() * FINDING_BYTES);
            let mut w = Pretty::new(&mut text, FINDINGS_DEPTH);
            // The chunks before this one hold the array's first items.
            w.has_member = i > 0;
            for f in chunk {
                w.item();
                write_finding(report, f, &mut w);
            }
            text
        })
        .collect();
    let doc = JsonReportV1 {
        version: 1,
        tool: Tool {
            name: "pplint",
            version: env!("CARGO_PKG_VERSION"),
        },
        findings: [],
        summary: Summary {
            findings: report.findings.len(),
            by_severity: BySeverity {
                critical: report.count(Severity::Critical),
                high: report.count(Severity::High),
                medium: report.count(Severity::Medium),
                low: report.count(Severity::Low),
                info: report.count(Severity::Info),
            },
            solutions: report.solutions.len(),
            files: report.file_count(),
            suppressed: report.findings.iter().filter(|f| f.is_suppressed()).count(),
        },
    };
    let rest = serde_json::to_vec_pretty(&doc)?;
    let marker = b"\"findings\": []";
    match memchr::memmem::find(&rest, marker) {
        Some(at) if !report.findings.is_empty() => {
            out.write_all(&rest[..at])?;
            out.write_all(b"\"findings\": [")?;
            for chunk in &chunks {
                out.write_all(chunk)?;
            }
            out.write_all(b"\n  ]")?;
            out.write_all(&rest[at + marker.len()..])?;
        }
        _ => out.write_all(&rest)?,
    }
    writeln!(out)
}

/// Findings a thread writes at a time: enough to keep the threads' share of
/// the work even, few enough that a small report is still split.
const FINDINGS_PER_CHUNK: usize = 64;

/// About what a finding takes written out (1.3 KB on generated L), so a
/// chunk's buffer seldom grows.
const FINDING_BYTES: usize = 1536;

/// Nesting of the findings in the report: items of the `findings` array of
/// the top-level object.
const FINDINGS_DEPTH: usize = 2;

/// Writes one finding of JSON v1 as an object, its fields in their contract
/// order.
fn write_finding(report: &Report<'_>, f: &Finding, w: &mut Pretty<'_>) {
    let (start, end) = report.positions(&f.primary);
    w.open(b'{');
    w.string("rule_id", f.rule.id);
    w.string("rule_name", f.rule.name);
    w.string("severity", f.severity.as_str());
    w.string("confidence", f.confidence.as_str());
    w.string("pillar", f.rule.pillar.as_str());
    w.string("waf_code", f.rule.waf);
    w.key("component");
    w.open(b'{');
    w.string("kind", f.component.kind);
    w.string("identity", &f.component.identity);
    w.close(b'}');
    w.string("message", &f.message);
    w.string("source", report.source_of(&f.primary));
    w.string("file", report.path_of(&f.primary));
    w.position("start", start);
    w.position("end", end);
    w.byte_range(f.primary.span);
    w.string("logical_path", &f.primary.logical_path);
    w.string("fingerprint", f.fingerprint_str());
    w.string("help", &f.help);
    w.key("related");
    w.open(b'[');
    for r in &f.related {
        let (start, end) = report.positions(&r.location);
        w.item();
        w.open(b'{');
        w.string("file", report.path_of(&r.location));
        w.position("start", start);
        w.position("end", end);
        w.byte_range(r.location.span);
        w.string("message", &r.message);
        w.close(b'}');
    }
    w.close(b']');
    w.bool("suppressed", f.is_suppressed());
    // Additions to v1 (new fields only; existing ones never change).
    let docs_url = format!("{}{}", crate::rules::DOCS_BASE_URL, f.rule.docs_url());
    w.string("docs_url", &docs_url);
    w.bool("sensitive", f.sensitive);
    if let Some(s) = &f.suppression {
        w.string("suppression_reason", &s.reason);
    }
    w.close(b'}');
}

/// A writer of JSON laid out as `serde_json`'s pretty printer lays it out: two
/// spaces per level, `"key": value`, one member or item per line, `{}` and
/// `[]` when empty, strings escaped as it escapes them.
struct Pretty<'b> {
    out: &'b mut Vec<u8>,
    depth: usize,
    /// Whether the innermost open object or array has a member yet.
    has_member: bool,
}

impl<'b> Pretty<'b> {
    fn new(out: &'b mut Vec<u8>, depth: usize) -> Self {
        Pretty {
            out,
            depth,
            has_member: false,
        }
    }

    fn open(&mut self, bracket: u8) {
        self.out.push(bracket);
        self.depth += 1;
        self.has_member = false;
    }

    /// Closes the innermost object or array, which is a member of the one
    /// around it.
    fn close(&mut self, bracket: u8) {
        self.depth -= 1;
        if self.has_member {
            self.new_line();
        }
        self.out.push(bracket);
        self.has_member = true;
    }

    fn new_line(&mut self) {
        const SPACES: &[u8; 32] = b"                                ";
        self.out.push(b'\n');
        let mut indent = 2 * self.depth;
        while indent > 0 {
            let n = indent.min(SPACES.len());
            self.out.extend_from_slice(&SPACES[..n]);
            indent -= n;
        }
    }

    /// Starts the next item of an array.
    fn item(&mut self) {
        if self.has_member {
            self.out.push(b',');
        }
        self.new_line();
        self.has_member = true;
    }

    /// A member's key: one of JSON v1's field names, which need no escaping.
    fn key(&mut self, key: &'static str) {
        debug_assert!(json_string::special_byte(key.as_bytes()).is_none());
        self.item();
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\": ");
    }

    fn string(&mut self, key: &'static str, value: &str) {
        self.key(key);
        write_string(self.out, value);
    }

    fn number(&mut self, value: u32) {
        self.out
            .extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
    }

    fn bool(&mut self, key: &'static str, value: bool) {
        self.key(key);
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
    }

    /// `{"line": …, "column": …}`.
    fn position(&mut self, key: &'static str, at: LineCol) {
        self.key(key);
        self.open(b'{');
        self.key("line");
        self.number(at.line);
        self.key("column");
        self.number(at.column);
        self.close(b'}');
    }

    /// `"byte_range": [start, end]`.
    fn byte_range(&mut self, span: Span) {
        self.key("byte_range");
        self.open(b'[');
        self.item();
        self.number(span.start);
        self.item();
        self.number(span.end);
        self.close(b']');
    }
}

/// `text` as a JSON string: quotes, backslashes and control characters escaped
/// as `serde_json` escapes them (short forms where JSON has them, else
/// `\u00xx`), everything else as it is.
fn write_string(out: &mut Vec<u8>, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = text.as_bytes();
    out.push(b'"');
    let mut from = 0;
    while let Some(skip) = json_string::special_byte(&bytes[from..]) {
        let at = from + skip;
        out.extend_from_slice(&bytes[from..at]);
        let b = bytes[at];
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\x08' => out.extend_from_slice(b"\\b"),
            b'\x0c' => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]),
        }
        from = at + 1;
    }
    out.extend_from_slice(&bytes[from..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let pieces = [
            "a",
            "Z",
            "0",
            " ",
            "\"",
            "\\",
            "/",
            "\n",
            "\r",
            "\t",
            "\u{8}",
            "\u{c}",
            "\u{0}",
            "\u{1f}",
            "\u{7f}",
            "é",
            "€",
            "😀",
            "\u{2028}",
            "\u{feff}",
            "ab",
            "xyzxyzxyz",
        ];
        for text in crate::testing::random_texts(0x2545_F491_4F6C_DD1D, &pieces, 24).take(30_000) {
            let mut ours = Vec::new();
            write_string(&mut ours, &text);
            let theirs = serde_json::to_vec(&text).expect("a string serializes");
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs),
                "{text:?}"
            );
        }
        for b in 0..=0x7fu8 {
            let text = char::from(b).to_string();
            let mut ours = Vec::new();
            write_string(&mut ours, &text);
            assert_eq!(
                ours,
                serde_json::to_vec(&text).expect("serializes"),
                "{b:#x}"
            );
        }
    }

    #[test]
    fn numbers_are_written_as_serde_json_writes_them() {
        for n in [
            0,
            1,
            9,
            10,
            99,
            100,
            12_345,
            999_999_999,
            1_000_000_000,
            u32::MAX,
        ] {
            let mut out = Vec::new();
            Pretty::new(&mut out, 0).number(n);
            assert_eq!(out, n.to_string().into_bytes());
        }
    }
}
