//! GitHub Actions workflow commands: one annotation per finding.
//! `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`

use std::io::Write;

use crate::finding::Severity;

use super::{Artifact, Report};

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    for f in report.findings.iter().filter(|f| !f.is_suppressed()) {
        let level = match f.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low | Severity::Info => "notice",
        };
        let title = format!("{} {}", f.rule.id, f.rule.name);
        let (start, end) = report.positions(&f.primary);
        let mut props = Vec::new();
        let message = match report.artifact(&f.primary) {
            Artifact::File(path) => {
                props.push(format!("file={}", escape_property(&path)));
                if report.file_of(&f.primary).is_some() {
                    props.push(format!("line={}", start.line));
                    props.push(format!("endLine={}", end.line));
                    // GitHub only honours columns on single-line annotations.
                    if start.line == end.line {
                        props.push(format!("col={}", start.column));
                        props.push(format!("endColumn={}", end.column));
                    }
                }
                f.message.clone()
            }
            Artifact::InArchive { archive, entry } => {
                props.push(format!("file={}", escape_property(&archive)));
                format!("{entry}:{}:{}: {}", start.line, start.column, f.message)
            }
        };
        props.push(format!("title={}", escape_property(&title)));
        writeln!(
            out,
            "::{level} {}::{}",
            props.join(","),
            escape_data(&message)
        )?;
    }
    Ok(())
}
