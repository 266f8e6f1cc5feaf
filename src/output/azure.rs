//! Azure DevOps logging commands: one issue per finding.
//! `##vso[task.logissue type=error;sourcepath=…;linenumber=…;columnnumber=…;code=RULE;]message`

use std::io::Write;

use crate::finding::Severity;

use super::{Artifact, Report};

/// Azure DevOps escaping for logging-command properties and messages.
fn escape(text: &str) -> String {
    text.replace('%', "%AZP25")
        .replace(';', "%3B")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
        .replace(']', "%5D")
}

pub fn render(report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    for f in report.findings.iter().filter(|f| !f.is_suppressed()) {
        // Azure DevOps knows only errors and warnings.
        let level = match f.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium | Severity::Low | Severity::Info => "warning",
        };
        let (start, _) = report.positions(&f.primary);
        let (path, message) = match report.artifact(&f.primary) {
            Artifact::File(path) => (path, f.message.clone()),
            Artifact::InArchive { archive, entry } => (
                archive,
                format!("{entry}:{}:{}: {}", start.line, start.column, f.message),
            ),
        };
        let mut props = vec![
            format!("type={level}"),
            format!("sourcepath={}", escape(&path)),
        ];
        if report.file_of(&f.primary).is_some() {
            props.push(format!("linenumber={}", start.line));
            props.push(format!("columnnumber={}", start.column));
        }
        props.push(format!("code={}", f.rule.id));
        writeln!(
            out,
            "##vso[task.logissue {};]{} {}: {}",
            props.join(";"),
            f.rule.id,
            f.rule.name,
            escape(&message)
        )?;
    }
    Ok(())
}
