//! JUnit XML: one test suite per solution, one test case per rule that ran,
//! one failure per finding (Azure DevOps "Publish Test Results", Jenkins, GitLab).

use std::fmt::Write as _;
use std::io::Write;

use super::Report;

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

pub fn render(report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    let mut suites = String::new();
    let mut total_tests = 0;
    let mut total_failures = 0;
    for (index, solution) in report.solutions.iter().enumerate() {
        let mut cases = String::new();
        let mut failures = 0;
        for rule in report.rules {
            let findings: Vec<_> = report
                .findings
                .iter()
                .filter(|f| {
                    f.primary.solution == index && f.rule.id == rule.id && !f.is_suppressed()
                })
                .collect();
            let name = xml_escape(&format!("{} {}", rule.id, rule.name));
            if findings.is_empty() {
                let _ = writeln!(
                    cases,
                    "    <testcase classname=\"{}\" name=\"{name}\"/>",
                    xml_escape(solution.source)
                );
                continue;
            }
            failures += 1;
            let _ = writeln!(
                cases,
                "    <testcase classname=\"{}\" name=\"{name}\">",
                xml_escape(solution.source)
            );
            for f in findings {
                let (start, _) = report.positions(&f.primary);
                let place = format!(
                    "{}:{}:{}",
                    report.path_of(&f.primary),
                    start.line,
                    start.column
                );
                let _ = writeln!(
                    cases,
                    "      <failure type=\"{}\" message=\"{}\">{}\n{}\nhelp: {}\n{}</failure>",
                    f.severity.as_str(),
                    xml_escape(&f.message),
                    xml_escape(&place),
                    xml_escape(&f.message),
                    xml_escape(&f.help),
                    xml_escape(&f.rule.docs_url()),
                );
            }
            let _ = writeln!(cases, "    </testcase>");
        }
        total_tests += report.rules.len();
        total_failures += failures;
        let _ = write!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n{cases}  </testsuite>\n",
            xml_escape(solution.source),
            report.rules.len(),
        );
    }
    write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"pplint\" tests=\"{total_tests}\" failures=\"{total_failures}\">\n{suites}</testsuites>\n"
    )
}
