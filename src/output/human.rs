//! Human output: one miette report per finding, then a summary line.

use std::fmt;
use std::io::Write;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan,
};

use crate::finding::{Finding, Location, Severity};
use crate::source::Span;

use super::Report;

pub struct HumanOptions {
    pub color: bool,
    pub width: usize,
}

/// A finding dressed as a miette diagnostic.
#[derive(Debug)]
struct HumanFinding {
    title: String,
    code: String,
    severity: miette::Severity,
    help: String,
    url: String,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    related: Vec<HumanFinding>,
}

impl fmt::Display for HumanFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.title)
    }
}

impl std::error::Error for HumanFinding {}

impl Diagnostic for HumanFinding {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.help.is_empty()).then(|| Box::new(&self.help) as Box<dyn fmt::Display>)
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.url.is_empty()).then(|| Box::new(&self.url) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.source.is_none() || self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
}

fn miette_severity(severity: Severity) -> miette::Severity {
    match severity {
        Severity::Critical | Severity::High => miette::Severity::Error,
        Severity::Medium => miette::Severity::Warning,
        Severity::Low | Severity::Info => miette::Severity::Advice,
    }
}

/// The file's text for a snippet, with every secret masked by a same-length
/// stand-in, so spans, lines and columns stay those of the file.
fn snippet_source(report: &Report<'_>, loc: &Location) -> Option<String> {
    let file = report.file_of(loc)?;
    let mut bytes = file.bytes.clone();
    for (span, redacted) in report.redactions(loc) {
        let range = span.range();
        if range.end <= bytes.len() {
            bytes.splice(
                range.clone(),
                super::mask(redacted, range.len()).into_bytes(),
            );
        }
    }
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

fn to_source_span(span: Span) -> SourceSpan {
    SourceSpan::new((span.start as usize).into(), span.len())
}

fn build(report: &Report<'_>, finding: &Finding) -> HumanFinding {
    let source = report.source_of(&finding.primary);
    let path = report.path_of(&finding.primary);
    let mut labels = Vec::new();
    let named = snippet_source(report, &finding.primary).map(|text| {
        let label = (!finding.label.is_empty()).then(|| finding.label.clone());
        labels.push(LabeledSpan::new_primary_with_span(
            label,
            to_source_span(finding.primary.span),
        ));
        for related in &finding.related {
            if related.location.file == finding.primary.file
                && related.location.solution == finding.primary.solution
            {
                labels.push(LabeledSpan::new_with_span(
                    Some(related.message.clone()),
                    to_source_span(related.location.span),
                ));
            }
        }
        NamedSource::new(format!("{source} › {path}"), text).with_language(language_of(path))
    });
    let related = finding
        .related
        .iter()
        .filter(|r| {
            r.location.file != finding.primary.file
                || r.location.solution != finding.primary.solution
        })
        .map(|r| {
            let rel_path = report.path_of(&r.location);
            let named = snippet_source(report, &r.location).map(|text| {
                (
                    NamedSource::new(rel_path, text).with_language(language_of(rel_path)),
                    r.location.span,
                )
            });
            HumanFinding {
                title: format!("related: {} ({rel_path})", r.message),
                code: String::new(),
                severity: miette::Severity::Advice,
                help: String::new(),
                url: String::new(),
                labels: named
                    .as_ref()
                    .map(|(_, span)| {
                        vec![LabeledSpan::new_primary_with_span(
                            Some(r.message.clone()),
                            to_source_span(*span),
                        )]
                    })
                    .unwrap_or_default(),
                source: named.map(|(n, _)| n),
                related: Vec::new(),
            }
        })
        .collect();
    let title = if named.is_none() {
        let where_ = if path.is_empty() {
            source.to_string()
        } else {
            format!("{source} › {path}")
        };
        format!("{}\nin {where_}", finding.message)
    } else {
        finding.message.clone()
    };
    HumanFinding {
        title,
        code: format!(
            "{} {} [{} · {} {} · {} confidence]",
            finding.rule.id,
            finding.rule.name,
            finding.severity.as_str(),
            finding.rule.pillar.as_str(),
            finding.rule.waf,
            finding.confidence.as_str()
        ),
        severity: miette_severity(finding.severity),
        help: finding.help.clone(),
        url: finding.rule.docs_url(),
        source: named,
        labels,
        related,
    }
}

fn language_of(path: &str) -> &'static str {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".xml") {
        "xml"
    } else if lower.ends_with(".json") {
        "json"
    } else if lower.ends_with(".csx") {
        "csharp"
    } else {
        "yaml"
    }
}

pub fn render(
    report: &Report<'_>,
    options: &HumanOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(options.width)
        .with_urls(true);
    for finding in report.findings.iter().filter(|f| !f.is_suppressed()) {
        let diagnostic = build(report, finding);
        let mut text = String::new();
        if handler.render_report(&mut text, &diagnostic).is_err() {
            text = format!("{}: {}\n", diagnostic.code, finding.message);
        }
        write!(out, "{text}")?;
        writeln!(out)?;
    }
    writeln!(out, "{}", summary_line(report))
}

/// "3 findings (1 high, 2 medium) in 2 solutions, 41 files." / "No findings in …".
pub fn summary_line(report: &Report<'_>) -> String {
    let shown = report
        .findings
        .iter()
        .filter(|f| !f.is_suppressed())
        .count();
    let parts: Vec<String> = Severity::ALL_DESCENDING
        .iter()
        .map(|&s| (s, report.count(s)))
        .filter(|&(_, n)| n > 0)
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect();
    let solutions = report.solutions.len();
    let scope = format!(
        "{solutions} solution{}, {} files",
        if solutions == 1 { "" } else { "s" },
        report.file_count()
    );
    match shown {
        0 => format!("No findings in {scope}."),
        1 => format!("1 finding ({}) in {scope}.", parts.join(", ")),
        n => format!("{n} findings ({}) in {scope}.", parts.join(", ")),
    }
}
