//! JSON v1: a frozen contract. These types are built from findings, never
//! serialized from internal types, so internal changes cannot break consumers.

use std::io::Write;

use serde::Serialize;

use crate::finding::{Finding, Severity};
use crate::source::LineCol;

use super::Report;

#[derive(Serialize)]
struct JsonReportV1<'a> {
    version: u32,
    tool: Tool,
    findings: Vec<JsonFinding<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Position {
    line: u32,
    column: u32,
}

impl From<LineCol> for Position {
    fn from(at: LineCol) -> Self {
        Position {
            line: at.line,
            column: at.column,
        }
    }
}

#[derive(Serialize)]
struct Component<'a> {
    kind: &'a str,
    identity: &'a str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule_id: &'a str,
    rule_name: &'a str,
    severity: &'a str,
    confidence: &'a str,
    pillar: &'a str,
    waf_code: &'a str,
    component: Component<'a>,
    message: &'a str,
    source: &'a str,
    file: &'a str,
    start: Position,
    end: Position,
    byte_range: [u32; 2],
    logical_path: &'a str,
    fingerprint: &'a str,
    help: &'a str,
    related: Vec<JsonRelated<'a>>,
    suppressed: bool,
    // Additions to v1 (new fields only; existing ones never change).
    docs_url: String,
    sensitive: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppression_reason: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    file: &'a str,
    start: Position,
    end: Position,
    byte_range: [u32; 2],
    message: &'a str,
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

/// Renders the findings on all threads, each as `serde_json` pretty-prints it
/// inside the report, and splices them into the pretty-printed rest: the bytes
/// are those of pretty-printing the whole report at once.
pub fn render(report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    use rayon::prelude::*;
    let findings = report
        .findings
        .par_iter()
        .map(|f| {
            let mut text = Vec::with_capacity(2048);
            serde_json::to_writer_pretty(&mut text, &json_finding(report, f))?;
            Ok(indent(&text, FINDING_INDENT))
        })
        .collect::<Result<Vec<Vec<u8>>, serde_json::Error>>()?;
    let doc = JsonReportV1 {
        version: 1,
        tool: Tool {
            name: "pplint",
            version: env!("CARGO_PKG_VERSION"),
        },
        findings: Vec::new(),
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
        Some(at) if !findings.is_empty() => {
            out.write_all(&rest[..at])?;
            out.write_all(b"\"findings\": [")?;
            for (i, finding) in findings.iter().enumerate() {
                out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
                out.write_all(FINDING_INDENT)?;
                out.write_all(finding)?;
            }
            out.write_all(b"\n  ]")?;
            out.write_all(&rest[at + marker.len()..])?;
        }
        _ => out.write_all(&rest)?,
    }
    writeln!(out)
}

/// Where pretty-printing puts the items of the top-level `findings` array.
const FINDING_INDENT: &[u8] = b"    ";

/// `text` with `prefix` after every line break. Pretty-printed JSON has line
/// breaks only between tokens (strings escape theirs).
fn indent(text: &[u8], prefix: &[u8]) -> Vec<u8> {
    let breaks = memchr::memchr_iter(b'\n', text).count();
    let mut out = Vec::with_capacity(text.len() + breaks * prefix.len());
    let mut from = 0;
    for at in memchr::memchr_iter(b'\n', text) {
        out.extend_from_slice(&text[from..=at]);
        out.extend_from_slice(prefix);
        from = at + 1;
    }
    out.extend_from_slice(&text[from..]);
    out
}

fn json_finding<'r>(report: &'r Report<'_>, f: &'r Finding) -> JsonFinding<'r> {
    let (start, end) = report.positions(&f.primary);
    JsonFinding {
        rule_id: f.rule.id,
        rule_name: f.rule.name,
        severity: f.severity.as_str(),
        confidence: f.confidence.as_str(),
        pillar: f.rule.pillar.as_str(),
        waf_code: f.rule.waf,
        component: Component {
            kind: f.component.kind,
            identity: &f.component.identity,
        },
        message: &f.message,
        source: report.source_of(&f.primary),
        file: report.path_of(&f.primary),
        start: start.into(),
        end: end.into(),
        byte_range: [f.primary.span.start, f.primary.span.end],
        logical_path: &f.primary.logical_path,
        fingerprint: f.fingerprint_str(),
        help: &f.help,
        related: f
            .related
            .iter()
            .map(|r| {
                let (start, end) = report.positions(&r.location);
                JsonRelated {
                    file: report.path_of(&r.location),
                    start: start.into(),
                    end: end.into(),
                    byte_range: [r.location.span.start, r.location.span.end],
                    message: &r.message,
                }
            })
            .collect(),
        suppressed: f.is_suppressed(),
        docs_url: format!("{}{}", crate::rules::DOCS_BASE_URL, f.rule.docs_url()),
        sensitive: f.sensitive,
        suppression_reason: f.suppression.as_ref().map(|s| s.reason.as_str()),
    }
}
