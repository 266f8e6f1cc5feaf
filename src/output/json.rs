//! JSON v1: a frozen contract. These types are built from findings, never
//! serialized from internal types, so internal changes cannot break consumers.

use std::io::Write;

use serde::Serialize;

use crate::finding::Severity;

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
    fingerprint: String,
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

pub fn render(report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    let findings = report
        .findings
        .iter()
        .map(|f| {
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
                start: Position {
                    line: start.line,
                    column: start.column,
                },
                end: Position {
                    line: end.line,
                    column: end.column,
                },
                byte_range: [f.primary.span.start, f.primary.span.end],
                logical_path: &f.primary.logical_path,
                fingerprint: f.fingerprint(),
                help: &f.help,
                related: f
                    .related
                    .iter()
                    .map(|r| {
                        let (start, end) = report.positions(&r.location);
                        JsonRelated {
                            file: report.path_of(&r.location),
                            start: Position {
                                line: start.line,
                                column: start.column,
                            },
                            end: Position {
                                line: end.line,
                                column: end.column,
                            },
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
        })
        .collect();
    let doc = JsonReportV1 {
        version: 1,
        tool: Tool {
            name: "pplint",
            version: env!("CARGO_PKG_VERSION"),
        },
        findings,
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
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
