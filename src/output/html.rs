//! The HTML report (`--format html`): one self-contained page (inline CSS, inline
//! SVG, a small inline filter script; no external scripts, fonts or images) that
//! reads offline and can be attached to a pipeline run.
//!
//! The page: a summary, a scorecard per Well-Architected pillar, then per solution
//! an agent map (an SVG in columns by graph tier, each node badged with its worst
//! finding) and the findings grouped by component with source snippets, then the
//! rules that ran.
//!
//! Every text taken from a solution is HTML-escaped (bidirectional and control
//! characters are made visible). Secrets stay redacted: the primary span of every
//! `sensitive` finding is replaced by its redacted form in every snippet of that
//! file, context lines of other findings included. The output is deterministic:
//! stable ordering, ids derived from indexes, no timestamps.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::io::Write;

use crate::finding::{FileRef, Finding, Location, Pillar, Severity, SuppressionKind};
use crate::rules::{DOCS_BASE_URL, INFORMATION_URL, RuleMeta};
use crate::source::FileId;

use super::Report;
use super::map::{ComponentMap, MapNode};

/// Writes the report. `maps[i]` is the component map of `report.solutions[i]`
/// (a missing map draws as an empty one).
pub fn render(
    report: &Report<'_>,
    maps: &[ComponentMap],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let page = Page::new(report, maps);
    let mut html = String::with_capacity(64 * 1024);
    page.write(&mut html)
        .map_err(|_| std::io::Error::other("could not format the HTML report"))?;
    out.write_all(html.as_bytes())
}

// ---------------------------------------------------------------------------
// Escaping and small vocabularies

/// HTML-escapes text for element content and double-quoted attributes. C0/C1
/// control characters become U+FFFD and bidirectional controls a visible
/// `[U+202E]`, so solution text cannot reorder or hide what the page shows.
struct E<'a>(&'a str);

impl fmt::Display for E<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(|c: char| needs_escape(c)) {
            f.write_str(&rest[..at])?;
            let c = rest[at..].chars().next().unwrap_or(' ');
            match c {
                '&' => f.write_str("&amp;")?,
                '<' => f.write_str("&lt;")?,
                '>' => f.write_str("&gt;")?,
                '"' => f.write_str("&quot;")?,
                '\'' => f.write_str("&#39;")?,
                '\t' | '\n' => f.write_char(c)?,
                '\r' => {}
                c if is_bidi_control(c) => write!(f, "[U+{:04X}]", c as u32)?,
                _ => f.write_char('\u{FFFD}')?,
            }
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

fn needs_escape(c: char) -> bool {
    matches!(c, '&' | '<' | '>' | '"' | '\'') || c.is_control() || is_bidi_control(c)
}

fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

fn sev_title(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Info => "Info",
    }
}

fn pillar_slug(pillar: Pillar) -> &'static str {
    match pillar {
        Pillar::Security => "security",
        Pillar::Reliability => "reliability",
        Pillar::OperationalExcellence => "operational-excellence",
        Pillar::PerformanceEfficiency => "performance-efficiency",
        Pillar::ExperienceOptimization => "experience-optimization",
    }
}

/// One-line description under each pillar's name.
fn pillar_blurb(pillar: Pillar) -> &'static str {
    match pillar {
        Pillar::Security => "Authentication, secrets, data exposure",
        Pillar::Reliability => "Error handling, dependencies, resilience",
        Pillar::OperationalExcellence => "ALM, configuration, deployability",
        Pillar::PerformanceEfficiency => "Throughput, limits, efficient design",
        Pillar::ExperienceOptimization => "Conversation quality, responsible AI",
    }
}

/// Inline SVG icon (24×24, stroked) per pillar.
fn pillar_icon(pillar: Pillar) -> &'static str {
    match pillar {
        Pillar::Security => {
            "<path d=\"M12 3l7 3v5c0 4.5-3 8.3-7 10-4-1.7-7-5.5-7-10V6z\"/><path d=\"M9 12l2 2 4-4\"/>"
        }
        Pillar::Reliability => "<path d=\"M3 12h4l2-5 4 10 2-5h6\"/>",
        Pillar::OperationalExcellence => {
            "<circle cx=\"12\" cy=\"12\" r=\"3\"/><path d=\"M12 2v3M12 19v3M2 12h3M19 12h3M4.9 4.9l2.1 2.1M17 17l2.1 2.1M4.9 19.1L7 17M17 7l2.1-2.1\"/>"
        }
        Pillar::PerformanceEfficiency => "<path d=\"M13 2L4 14h7l-1 8 9-12h-7z\"/>",
        Pillar::ExperienceOptimization => {
            "<circle cx=\"12\" cy=\"12\" r=\"9\"/><path d=\"M8 14c1 1.5 2.3 2.2 4 2.2s3-.7 4-2.2\"/><path d=\"M9 9.5h.01M15 9.5h.01\"/>"
        }
    }
}

/// CSS key and display name of a component kind (map kinds and finding kinds).
fn kind_info(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "agent" => ("agent", "Agent"),
        "topic" => ("topic", "Topic"),
        "knowledge" => ("knowledge", "Knowledge source"),
        "tool" => ("tool", "Tool"),
        "component" | "botcomponent" => ("component", "Agent component"),
        "flow" => ("flow", "Cloud flow"),
        "prompt" | "aimodel" => ("prompt", "Prompt"),
        "connector" => ("connector", "Connector"),
        "connref" => ("connref", "Connection reference"),
        "envvar" => ("envvar", "Environment variable"),
        "solution" => ("solution", "Solution"),
        _ => ("other", "Component"),
    }
}

/// Short uppercase tag drawn inside map nodes.
fn kind_tag(kind: &str) -> &'static str {
    match kind {
        "agent" => "AGENT",
        "topic" => "TOPIC",
        "knowledge" => "KNOWLEDGE",
        "tool" => "TOOL",
        "component" => "COMPONENT",
        "flow" => "FLOW",
        "prompt" => "PROMPT",
        "connector" => "CONNECTOR",
        "connref" => "CONNECTION REF",
        "envvar" => "ENV VARIABLE",
        _ => "COMPONENT",
    }
}

fn kind_rank(kind: &str) -> u8 {
    match kind {
        "solution" => 0,
        "agent" => 1,
        "topic" => 2,
        "knowledge" => 3,
        "tool" => 4,
        "component" | "botcomponent" => 5,
        "flow" => 6,
        "prompt" | "aimodel" => 7,
        "connector" => 8,
        "connref" => 9,
        "envvar" => 10,
        _ => 11,
    }
}

const TIER_TITLES: [&str; 5] = [
    "Agents",
    "Agent components",
    "Flows & prompts",
    "Connections",
    "Environment variables",
];

/// Failing rules listed on a pillar card (the rest are in the rules table).
const FAILED_RULES_SHOWN: usize = 6;

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn docs_link(meta: &RuleMeta) -> String {
    format!("{DOCS_BASE_URL}{}", meta.docs_url())
}

/// The part of an identity after its `kind:` prefix.
fn identity_name(identity: &str) -> &str {
    identity.split_once(':').map_or(identity, |(_, name)| name)
}

// ---------------------------------------------------------------------------
// Page model

/// Findings of one component of one solution.
struct Group {
    /// `s{solution}-c{index}`.
    id: String,
    kind: &'static str,
    kind_title: &'static str,
    name: String,
    identity: String,
    /// Indexes into `report.findings`, worst first.
    findings: Vec<usize>,
    worst: Option<Severity>,
}

/// Severity counts of unsuppressed findings, and the suppressed count.
#[derive(Clone, Copy, Default)]
struct Counts {
    by_severity: [usize; 5],
    suppressed: usize,
}

impl Counts {
    fn add(&mut self, finding: &Finding) {
        if finding.is_suppressed() {
            self.suppressed += 1;
        } else {
            self.by_severity[finding.severity as usize] += 1;
        }
    }

    fn get(&self, severity: Severity) -> usize {
        self.by_severity[severity as usize]
    }

    fn total(&self) -> usize {
        self.by_severity.iter().sum()
    }
}

struct Page<'r, 'a> {
    report: &'r Report<'a>,
    maps: &'r [ComponentMap],
    /// Per solution.
    groups: Vec<Vec<Group>>,
    files: BTreeMap<(usize, FileId), Prepared>,
    empty_map: ComponentMap,
}

impl<'r, 'a> Page<'r, 'a> {
    fn new(report: &'r Report<'a>, maps: &'r [ComponentMap]) -> Self {
        let empty_map = ComponentMap::default();
        let mut groups = Vec::with_capacity(report.solutions.len());
        for solution in 0..report.solutions.len() {
            let map = maps.get(solution).unwrap_or(&empty_map);
            groups.push(group_findings(report, solution, map));
        }
        Page {
            report,
            maps,
            groups,
            files: prepare_files(report),
            empty_map,
        }
    }

    fn map(&self, solution: usize) -> &ComponentMap {
        self.maps.get(solution).unwrap_or(&self.empty_map)
    }

    fn write(&self, h: &mut String) -> fmt::Result {
        let report = self.report;
        let mut totals = Counts::default();
        for f in report.findings {
            totals.add(f);
        }
        h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        h.push_str("<meta name=\"generator\" content=\"pplint\">\n");
        let title = match report.solutions {
            [one] => format!("pplint report: {}", one.source),
            _ => "pplint report".to_string(),
        };
        writeln!(h, "<title>{}</title>", E(&title))?;
        writeln!(h, "<style>{CSS}</style>\n</head>\n<body>")?;
        self.write_header(h, &totals)?;
        h.push_str("<main>\n");
        self.write_filters(h, &totals)?;
        self.write_scorecard(h)?;
        if report.solutions.len() > 1 {
            self.write_solution_index(h)?;
        }
        for solution in 0..report.solutions.len() {
            self.write_solution(h, solution)?;
        }
        self.write_rules(h)?;
        h.push_str("</main>\n");
        writeln!(
            h,
            "<footer>Generated by <a href=\"{}\">pplint</a> {} · offline, read-only analysis of exported solutions · \
             rule documentation: <a href=\"{}\">{}</a></footer>",
            E(INFORMATION_URL),
            env!("CARGO_PKG_VERSION"),
            E(&format!("{DOCS_BASE_URL}docs/rules/")),
            E(&format!("{DOCS_BASE_URL}docs/rules/"))
        )?;
        writeln!(h, "<script>{SCRIPT}</script>\n</body>\n</html>")
    }

    fn write_header(&self, h: &mut String, totals: &Counts) -> fmt::Result {
        let report = self.report;
        h.push_str("<header class=\"top\">\n<div class=\"wrap\">\n");
        h.push_str("<p class=\"brand\">pplint · Power Platform Well-Architected report</p>\n");
        h.push_str("<h1>");
        match report.solutions {
            [one] => write!(h, "{}", E(one.source))?,
            many => h.push_str(&plural(many.len(), "solution", "solutions")),
        }
        h.push_str("</h1>\n");
        writeln!(
            h,
            "<p class=\"scope\">{} · {} · {} ran</p>",
            plural(report.solutions.len(), "solution", "solutions"),
            plural(report.file_count(), "file", "files"),
            plural(report.rules.len(), "rule", "rules")
        )?;
        h.push_str("<ul class=\"totals\" id=\"totals\">\n");
        let shown = totals.total();
        writeln!(
            h,
            "<li class=\"total-all\"><b>{shown}</b> {}</li>",
            if shown == 1 { "finding" } else { "findings" }
        )?;
        for severity in Severity::ALL_DESCENDING {
            let n = totals.get(severity);
            writeln!(
                h,
                "<li class=\"sev-{}{}\"><b>{n}</b> {}</li>",
                severity.as_str(),
                if n == 0 { " zero" } else { "" },
                severity.as_str()
            )?;
        }
        if totals.suppressed > 0 {
            writeln!(
                h,
                "<li class=\"suppressed-total\"><b>{}</b> suppressed</li>",
                totals.suppressed
            )?;
        }
        h.push_str("</ul>\n</div>\n</header>\n");
        Ok(())
    }

    fn write_filters(&self, h: &mut String, totals: &Counts) -> fmt::Result {
        // Hidden until the script runs: without JavaScript everything stays visible.
        h.push_str("<nav id=\"filters\" class=\"filters\" hidden aria-label=\"Filters\">\n");
        h.push_str("<div class=\"filter-row\"><span class=\"filter-label\">Severity</span>\n");
        for severity in Severity::ALL_DESCENDING {
            writeln!(
                h,
                "<button type=\"button\" class=\"chip sev-{s}\" data-filter=\"sev:{s}\" aria-pressed=\"true\">{}</button>",
                sev_title(severity),
                s = severity.as_str()
            )?;
        }
        h.push_str("<span class=\"shown\">Showing <b id=\"shown\"></b> findings</span></div>\n");
        h.push_str("<div class=\"filter-row\"><span class=\"filter-label\">Pillar</span>\n");
        for pillar in Pillar::ALL {
            writeln!(
                h,
                "<button type=\"button\" class=\"chip pillar\" data-filter=\"pillar:{}\" aria-pressed=\"true\">{}</button>",
                pillar_slug(pillar),
                pillar.as_str()
            )?;
        }
        if totals.suppressed > 0 {
            h.push_str("<button type=\"button\" class=\"chip suppressed\" data-filter=\"suppressed\" aria-pressed=\"true\">Suppressed</button>\n");
        }
        h.push_str(
            "<button type=\"button\" class=\"reset\" data-reset=\"1\">Show all</button></div>\n</nav>\n",
        );
        Ok(())
    }

    fn write_scorecard(&self, h: &mut String) -> fmt::Result {
        let report = self.report;
        h.push_str(
            "<section id=\"scorecard\" class=\"scorecard\">\n<h2>Well-Architected scorecard</h2>\n",
        );
        h.push_str("<p class=\"lede\">A rule <em>passes</em> when it ran and reported no unsuppressed finding.</p>\n");
        h.push_str("<div class=\"pillars\">\n");
        for pillar in Pillar::ALL {
            let rules: Vec<&RuleMeta> = report
                .rules
                .iter()
                .copied()
                .filter(|r| r.pillar == pillar)
                .collect();
            let mut counts = Counts::default();
            let mut failed: Vec<(&RuleMeta, usize)> = Vec::new();
            for rule in &rules {
                let mut n = 0;
                for f in report.findings.iter().filter(|f| f.rule.id == rule.id) {
                    counts.add(f);
                    n += usize::from(!f.is_suppressed());
                }
                if n > 0 {
                    failed.push((rule, n));
                }
            }
            let ran = rules.len();
            let passed = ran - failed.len();
            let state = if ran == 0 {
                "none"
            } else if failed.is_empty() {
                "pass"
            } else {
                "fail"
            };
            let slug = pillar_slug(pillar);
            writeln!(
                h,
                "<article class=\"pillar-card {state}\" id=\"pillar-{slug}\" data-pillar=\"{slug}\">"
            )?;
            writeln!(
                h,
                "<header><svg class=\"icon\" viewBox=\"0 0 24 24\" aria-hidden=\"true\">{}</svg><div><h3>{}</h3><p>{}</p></div></header>",
                pillar_icon(pillar),
                pillar.as_str(),
                pillar_blurb(pillar)
            )?;
            if ran == 0 {
                h.push_str("<p class=\"verdict\">No rules of this pillar ran.</p>\n");
            } else {
                writeln!(
                    h,
                    "<p class=\"verdict\"><span class=\"big\">{passed}/{ran}</span> rules passed</p>"
                )?;
                // Meter of passed rules.
                writeln!(
                    h,
                    "<div class=\"meter\" role=\"img\" aria-label=\"{passed} of {ran} rules passed\"><span style=\"width:{}%\"></span></div>",
                    passed * 100 / ran
                )?;
            }
            h.push_str("<ul class=\"sev-counts\">");
            for severity in Severity::ALL_DESCENDING {
                let n = counts.get(severity);
                write!(
                    h,
                    "<li class=\"sev-{}{}\"><b>{n}</b> {}</li>",
                    severity.as_str(),
                    if n == 0 { " zero" } else { "" },
                    severity.as_str()
                )?;
            }
            h.push_str("</ul>\n");
            if counts.suppressed > 0 {
                writeln!(h, "<p class=\"note\">{} suppressed</p>", counts.suppressed)?;
            }
            if !failed.is_empty() {
                // The rules with the most findings first.
                failed.sort_by_key(|(rule, n)| (std::cmp::Reverse(*n), rule.id));
                h.push_str(
                    "<p class=\"failed-title\">Top failing rules</p><ul class=\"failed-rules\">",
                );
                for (rule, n) in failed.iter().take(FAILED_RULES_SHOWN) {
                    write!(
                        h,
                        "<li><span><a href=\"{}\">{}</a> {}</span><span class=\"n\">{n}</span></li>",
                        E(&docs_link(rule)),
                        rule.id,
                        E(rule.name)
                    )?;
                }
                h.push_str("</ul>\n");
                if failed.len() > FAILED_RULES_SHOWN {
                    writeln!(
                        h,
                        "<p class=\"more\"><a href=\"#rules\">+ {} more failing</a></p>",
                        plural(failed.len() - FAILED_RULES_SHOWN, "rule", "rules")
                    )?;
                }
            }
            h.push_str("</article>\n");
        }
        h.push_str("</div>\n</section>\n");
        Ok(())
    }

    fn write_solution_index(&self, h: &mut String) -> fmt::Result {
        h.push_str("<section id=\"solutions\" class=\"panel\">\n<h2>Solutions</h2>\n");
        h.push_str("<table class=\"grid\"><thead><tr><th>Solution</th><th>Components</th>");
        for severity in Severity::ALL_DESCENDING {
            write!(h, "<th class=\"num\">{}</th>", sev_title(severity))?;
        }
        h.push_str("<th class=\"num\">Suppressed</th></tr></thead>\n<tbody>\n");
        for (i, solution) in self.report.solutions.iter().enumerate() {
            let mut counts = Counts::default();
            for f in self
                .report
                .findings
                .iter()
                .filter(|f| f.primary.solution == i)
            {
                counts.add(f);
            }
            write!(
                h,
                "<tr><td><a href=\"#s{i}\">{}</a></td><td class=\"num\">{}</td>",
                E(solution.source),
                self.map(i).nodes.len()
            )?;
            for severity in Severity::ALL_DESCENDING {
                let n = counts.get(severity);
                if n == 0 {
                    h.push_str("<td class=\"num zero\">0</td>");
                } else {
                    write!(
                        h,
                        "<td class=\"num\"><span class=\"pill sev-{}\">{n}</span></td>",
                        severity.as_str()
                    )?;
                }
            }
            writeln!(
                h,
                "<td class=\"num{}\">{}</td></tr>",
                if counts.suppressed == 0 { " zero" } else { "" },
                counts.suppressed
            )?;
        }
        h.push_str("</tbody></table>\n</section>\n");
        Ok(())
    }

    fn write_solution(&self, h: &mut String, solution: usize) -> fmt::Result {
        let source = self.report.solutions[solution].source;
        let groups = &self.groups[solution];
        let mut counts = Counts::default();
        for f in self
            .report
            .findings
            .iter()
            .filter(|f| f.primary.solution == solution)
        {
            counts.add(f);
        }
        let mut count_text = plural(counts.total(), "finding", "findings");
        if counts.suppressed > 0 {
            write!(count_text, " · {} suppressed", counts.suppressed)?;
        }
        writeln!(h, "<section class=\"solution\" id=\"s{solution}\">")?;
        writeln!(
            h,
            "<h2><span class=\"eyebrow\">Solution</span> {}</h2>",
            E(source)
        )?;
        writeln!(
            h,
            "<section class=\"panel map-panel\" id=\"s{solution}-map\">\n<h3>Agent map</h3>"
        )?;
        write_map(h, solution, self.map(solution), groups, self.report)?;
        h.push_str("</section>\n");
        writeln!(
            h,
            "<section class=\"findings\" id=\"s{solution}-findings\">\n<h3>Findings by component <span class=\"count\">{}</span></h3>",
            count_text
        )?;
        if groups.is_empty() {
            h.push_str("<p class=\"note clean\">No findings in this solution.</p>\n");
        } else {
            h.push_str("<p class=\"note empty-filter\">No findings match the filters.</p>\n");
        }
        for group in groups {
            self.write_group(h, group)?;
        }
        h.push_str("</section>\n</section>\n");
        Ok(())
    }

    fn write_group(&self, h: &mut String, group: &Group) -> fmt::Result {
        let mut counts = Counts::default();
        for &i in &group.findings {
            counts.add(&self.report.findings[i]);
        }
        let worst = group.worst.map_or("none", Severity::as_str);
        writeln!(
            h,
            "<section class=\"component worst-{worst}\" id=\"{}\">",
            group.id
        )?;
        write!(
            h,
            "<h4><span class=\"kind k-{}\">{}</span> <span class=\"name\">{}</span>",
            group.kind,
            group.kind_title,
            E(&group.name)
        )?;
        h.push_str("<span class=\"group-counts\">");
        for severity in Severity::ALL_DESCENDING {
            let n = counts.get(severity);
            if n > 0 {
                write!(
                    h,
                    "<span class=\"pill sev-{}\" title=\"{n} {}\">{n}</span>",
                    severity.as_str(),
                    severity.as_str()
                )?;
            }
        }
        if counts.suppressed > 0 {
            write!(
                h,
                "<span class=\"pill suppressed\" title=\"{n} suppressed\">{n}</span>",
                n = counts.suppressed
            )?;
        }
        h.push_str("</span></h4>\n");
        writeln!(
            h,
            "<p class=\"identity\"><code>{}</code></p>",
            E(&group.identity)
        )?;
        for &i in &group.findings {
            self.write_finding(h, i)?;
        }
        h.push_str("</section>\n");
        Ok(())
    }

    fn write_finding(&self, h: &mut String, index: usize) -> fmt::Result {
        let report = self.report;
        let f = &report.findings[index];
        let sev = f.severity.as_str();
        let pillar = pillar_slug(f.rule.pillar);
        writeln!(
            h,
            "<article class=\"finding sev-{sev}{}\" id=\"f{index}\" data-sev=\"{sev}\" data-pillar=\"{pillar}\">",
            if f.is_suppressed() { " suppressed" } else { "" }
        )?;
        write!(
            h,
            "<header><span class=\"sev-badge sev-{sev}\">{}</span> <a class=\"rule-id\" href=\"{}\">{}</a> <span class=\"rule-name\">{}</span>",
            sev_title(f.severity),
            E(&docs_link(f.rule)),
            f.rule.id,
            E(f.rule.name)
        )?;
        write!(
            h,
            "<span class=\"meta\"><span class=\"tag\">{} · {}</span> <span class=\"tag\">{} confidence</span></span>",
            f.rule.pillar.as_str(),
            E(f.rule.waf),
            f.confidence.as_str()
        )?;
        h.push_str("</header>\n");
        if let Some(s) = &f.suppression {
            let kind = match s.kind {
                SuppressionKind::Config => "pplint.toml",
                SuppressionKind::Baseline => "baseline",
            };
            writeln!(
                h,
                "<p class=\"suppression\"><b>Suppressed</b> ({kind}): {}</p>",
                E(&s.reason)
            )?;
        }
        writeln!(h, "<p class=\"message\">{}</p>", E(&f.message))?;
        self.write_location(h, f, &f.primary, None)?;
        if !f.label.is_empty() {
            writeln!(h, "<p class=\"label\">↑ {}</p>", E(&f.label))?;
        }
        if !f.related.is_empty() {
            h.push_str("<div class=\"related\">\n<p class=\"related-title\">Related</p>\n");
            for related in &f.related {
                self.write_location(h, f, &related.location, Some(&related.message))?;
            }
            h.push_str("</div>\n");
        }
        if !f.help.is_empty() {
            writeln!(h, "<p class=\"help\"><b>How to fix:</b> {}</p>", E(&f.help))?;
        }
        writeln!(
            h,
            "<p class=\"docs\"><a href=\"{}\">{} documentation</a> · <code class=\"fp\">{}</code></p>",
            E(&docs_link(f.rule)),
            f.rule.id,
            E(f.fingerprint_str())
        )?;
        h.push_str("</article>\n");
        Ok(())
    }

    /// A location line (`path:line:col`, logical path) and its snippet. Related
    /// locations get a message and no context lines.
    fn write_location(
        &self,
        h: &mut String,
        finding: &Finding,
        loc: &Location,
        message: Option<&str>,
    ) -> fmt::Result {
        let report = self.report;
        let path = report.path_of(loc);
        let (start, _) = report.positions(loc);
        h.push_str("<p class=\"where\">");
        if let Some(message) = message {
            write!(h, "<span class=\"related-msg\">{}</span> ", E(message))?;
        }
        if loc.solution != finding.primary.solution {
            write!(
                h,
                "<span class=\"src\">{}</span> › ",
                E(report.source_of(loc))
            )?;
        }
        let file = report.file_of(loc);
        if path.is_empty() {
            write!(h, "<code>{}</code>", E(report.source_of(loc)))?;
        } else if file.is_some() {
            write!(
                h,
                "<code>{}:{}:{}</code>",
                E(path),
                start.line,
                start.column
            )?;
        } else {
            write!(h, "<code>{}</code>", E(path))?;
        }
        if !loc.logical_path.is_empty() {
            write!(
                h,
                " <span class=\"logical\">{}</span>",
                E(&loc.logical_path)
            )?;
        }
        h.push_str("</p>\n");
        let FileRef::Id(id) = loc.file else {
            return Ok(());
        };
        if let Some(prepared) = self.files.get(&(loc.solution, id)) {
            let context = if message.is_some() { 0 } else { CONTEXT_LINES };
            prepared.write_snippet(h, loc.span.start as usize, loc.span.end as usize, context)?;
        }
        Ok(())
    }

    fn write_rules(&self, h: &mut String) -> fmt::Result {
        let report = self.report;
        h.push_str("<section id=\"rules\" class=\"panel\">\n<h2>Rules that ran</h2>\n");
        if report.rules.is_empty() {
            h.push_str("<p class=\"note\">No rules ran.</p>\n</section>\n");
            return Ok(());
        }
        h.push_str("<table class=\"grid rules\"><thead><tr><th>Rule</th><th>Name</th><th>Pillar</th><th>Default severity</th><th>Result</th></tr></thead>\n<tbody>\n");
        for rule in report.rules {
            let mut counts = Counts::default();
            for f in report.findings.iter().filter(|f| f.rule.id == rule.id) {
                counts.add(f);
            }
            let n = counts.total();
            let result = if n == 0 {
                "<span class=\"status pass\">passed</span>".to_string()
            } else {
                format!(
                    "<span class=\"status fail\">failed · {}</span>",
                    plural(n, "finding", "findings")
                )
            };
            let suppressed = if counts.suppressed > 0 {
                format!(
                    " <span class=\"muted\">({} suppressed)</span>",
                    counts.suppressed
                )
            } else {
                String::new()
            };
            writeln!(
                h,
                "<tr data-pillar=\"{}\" title=\"{}\"><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td><span class=\"pill sev-{}\">{}</span></td><td>{result}{suppressed}</td></tr>",
                pillar_slug(rule.pillar),
                E(rule.summary),
                E(&docs_link(rule)),
                rule.id,
                E(rule.name),
                rule.pillar.as_str(),
                rule.severity.as_str(),
                rule.severity.as_str()
            )?;
        }
        h.push_str("</tbody></table>\n</section>\n");
        Ok(())
    }
}

/// Groups one solution's findings by component (kind, identity), worst group
/// first; display names come from the map's node labels.
fn group_findings(report: &Report<'_>, solution: usize, map: &ComponentMap) -> Vec<Group> {
    let mut by_identity: BTreeMap<&str, &MapNode> = BTreeMap::new();
    for node in &map.nodes {
        by_identity.entry(node.identity.as_str()).or_insert(node);
    }
    let mut keyed: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for (i, f) in report.findings.iter().enumerate() {
        if f.primary.solution == solution {
            keyed
                .entry((f.component.kind, f.component.identity.as_str()))
                .or_default()
                .push(i);
        }
    }
    let mut groups: Vec<Group> = keyed
        .into_iter()
        .map(|((kind, identity), mut findings)| {
            let node = by_identity.get(identity).copied();
            let kind = node.map_or(kind, |n| n.kind);
            let (kind_key, kind_title) = kind_info(kind);
            let name =
                node.map_or_else(|| identity_name(identity).to_string(), |n| n.label.clone());
            findings.sort_by_key(|&i| {
                let f = &report.findings[i];
                (
                    f.is_suppressed(),
                    std::cmp::Reverse(f.severity),
                    f.rule.id,
                    i,
                )
            });
            let worst = findings
                .iter()
                .map(|&i| &report.findings[i])
                .filter(|f| !f.is_suppressed())
                .map(|f| f.severity)
                .max();
            Group {
                id: String::new(),
                kind: kind_key,
                kind_title,
                name,
                identity: identity.to_string(),
                findings,
                worst,
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        let key = |g: &Group| {
            (
                std::cmp::Reverse(g.worst.map_or(0, |s| s as usize + 1)),
                kind_rank(g.kind),
                g.name.to_lowercase(),
                g.identity.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    for (i, group) in groups.iter_mut().enumerate() {
        group.id = format!("s{solution}-c{i}");
    }
    groups
}

// ---------------------------------------------------------------------------
// Snippets

/// Context lines shown around a primary span.
const CONTEXT_LINES: usize = 2;
/// Lines longer than this (in characters) are clipped around the span.
const LINE_MAX: usize = 160;
/// Characters kept on each side of a span in a clipped line.
const CLIP_SIDE: usize = 60;
/// Highlighted text longer than this is shortened in the middle.
const MARK_MAX: usize = 240;
/// Spans over more lines than this show their first and last lines only.
const SPAN_LINES_MAX: usize = 10;

/// A file's text with every secret replaced by its redacted form.
struct Prepared {
    text: String,
    /// (original start, original end, replacement length) in original order.
    redactions: Vec<(usize, usize, usize)>,
    line_starts: Vec<usize>,
}

/// A secret's original byte range and the text shown in its place.
type Secret = (usize, usize, String);

/// Reads every file a finding points at once, redacting all secret spans of it.
fn prepare_files(report: &Report<'_>) -> BTreeMap<(usize, FileId), Prepared> {
    let mut secrets: BTreeMap<(usize, FileId), Vec<Secret>> = BTreeMap::new();
    let mut wanted: Vec<(usize, FileId)> = Vec::new();
    for f in report.findings {
        for loc in f.locations() {
            if let FileRef::Id(id) = loc.file {
                wanted.push((loc.solution, id));
            }
        }
        if let (true, FileRef::Id(id)) = (f.sensitive, &f.primary.file) {
            let redacted = f
                .redacted
                .clone()
                .unwrap_or_else(|| "[redacted]".to_string());
            secrets.entry((f.primary.solution, *id)).or_default().push((
                f.primary.span.start as usize,
                f.primary.span.end as usize,
                redacted,
            ));
        }
    }
    for (loc, redacted) in report.secrets {
        if let FileRef::Id(id) = loc.file {
            secrets.entry((loc.solution, id)).or_default().push((
                loc.span.start as usize,
                loc.span.end as usize,
                redacted.clone(),
            ));
        }
    }
    wanted.sort_unstable();
    wanted.dedup();
    let mut files = BTreeMap::new();
    for key in wanted {
        let Some(file) = report.solutions.get(key.0).and_then(|s| s.files.get(key.1)) else {
            continue;
        };
        let secrets = secrets.remove(&key).unwrap_or_default();
        files.insert(key, Prepared::new(&file.bytes, secrets));
    }
    files
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// Byte index `n` characters before `at`, not before `floor`.
fn back_chars(text: &str, at: usize, n: usize, floor: usize) -> usize {
    text[floor..at]
        .char_indices()
        .rev()
        .take(n)
        .last()
        .map_or(at, |(i, _)| floor + i)
}

/// Byte index `n` characters after `at`, not after `ceil`.
fn fwd_chars(text: &str, at: usize, n: usize, ceil: usize) -> usize {
    text[at..ceil]
        .char_indices()
        .nth(n)
        .map_or(ceil, |(i, _)| at + i)
}

impl Prepared {
    fn new(bytes: &[u8], mut secrets: Vec<Secret>) -> Prepared {
        let original = String::from_utf8_lossy(bytes);
        secrets.retain(|(s, e, _)| e > s);
        secrets.sort_by_key(|&(s, e, _)| (s, e));
        // Merge overlapping secrets: the union is replaced by the first's form.
        let mut merged: Vec<Secret> = Vec::new();
        for (s, e, redacted) in secrets {
            match merged.last_mut() {
                Some(last) if s < last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e, redacted)),
            }
        }
        let mut text = String::with_capacity(original.len());
        let mut redactions = Vec::new();
        let mut at = 0;
        for (s, e, redacted) in merged {
            let s = floor_boundary(&original, s).max(at);
            let e = ceil_boundary(&original, e).max(s);
            if e == s {
                continue;
            }
            text.push_str(&original[at..s]);
            // Keep the line count so line numbers after the secret stay right.
            let mut replacement = redacted.replace(['\n', '\r'], " ");
            for _ in 0..original[s..e].matches('\n').count() {
                replacement.push('\n');
            }
            text.push_str(&replacement);
            redactions.push((s, e, replacement.len()));
            at = e;
        }
        text.push_str(&original[at..]);
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Prepared {
            text,
            redactions,
            line_starts,
        }
    }

    /// Maps an offset of the original file into the redacted text; offsets
    /// inside a secret land at the end of its replacement.
    fn map(&self, offset: usize) -> usize {
        let mut shift: isize = 0;
        for &(s, e, n) in &self.redactions {
            if offset >= e {
                shift += n as isize - (e - s) as isize;
            } else if offset > s {
                return (s as isize + shift) as usize + n;
            } else {
                break;
            }
        }
        (offset as isize + shift).max(0) as usize
    }

    fn line_of(&self, at: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= at) - 1
    }

    /// Content range of a line: without its `\n` and a trailing `\r`.
    fn line_range(&self, line: usize) -> (usize, usize) {
        let start = self.line_starts[line];
        let mut end = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |&next| next - 1);
        if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        (start, end)
    }

    /// The lines of a span (original offsets) with `context` lines around, the
    /// span highlighted.
    fn write_snippet(
        &self,
        h: &mut String,
        start: usize,
        end: usize,
        context: usize,
    ) -> fmt::Result {
        let text = &self.text;
        let s = floor_boundary(text, self.map(start));
        let e = ceil_boundary(text, self.map(end)).max(s);
        let first = self.line_of(s);
        let mut last = self.line_of(e);
        if e > s && last > first && self.line_starts[last] == e {
            last -= 1; // the span ends with a newline
        }
        let from = first.saturating_sub(context);
        let to = (last + context).min(self.line_starts.len() - 1);
        h.push_str("<pre class=\"code\">");
        let mut line = from;
        while line <= to {
            if last - first >= SPAN_LINES_MAX && line == first + SPAN_LINES_MAX - 3 {
                let skipped = last - 2 - line;
                write!(
                    h,
                    "<span class=\"line gap\"><span class=\"ln\">⋮</span><span class=\"lc\">{} more lines</span></span>",
                    skipped
                )?;
                line = last - 2;
                continue;
            }
            let (ls, le) = self.line_range(line);
            let in_span = line >= first && line <= last;
            write!(
                h,
                "<span class=\"line{}\"><span class=\"ln\">{}</span><span class=\"lc\">",
                if in_span { " hit" } else { "" },
                line + 1
            )?;
            if in_span {
                let hs = s.clamp(ls, le);
                let he = e.clamp(ls, le).max(hs);
                self.write_line(h, ls, le, Some((hs, he, s == e)))?;
            } else {
                self.write_line(h, ls, le, None)?;
            }
            h.push_str("</span></span>");
            line += 1;
        }
        h.push_str("</pre>\n");
        Ok(())
    }

    /// One line, clipped around the highlight when long.
    fn write_line(
        &self,
        h: &mut String,
        ls: usize,
        le: usize,
        mark: Option<(usize, usize, bool)>,
    ) -> fmt::Result {
        let text = &self.text;
        let long = text[ls..le].chars().count() > LINE_MAX;
        let clip = |h: &mut String| h.push_str("<span class=\"clip\">…</span>");
        let Some((hs, he, caret)) = mark else {
            if long {
                let cut = fwd_chars(text, ls, LINE_MAX - 40, le);
                write!(h, "{}", E(&text[ls..cut]))?;
                clip(h);
            } else {
                write!(h, "{}", E(&text[ls..le]))?;
            }
            return Ok(());
        };
        let (ws, we) = if long {
            (
                back_chars(text, hs, CLIP_SIDE, ls),
                fwd_chars(text, he, CLIP_SIDE, le),
            )
        } else {
            (ls, le)
        };
        if ws > ls {
            clip(h);
        }
        write!(h, "{}", E(&text[ws..hs]))?;
        if caret {
            h.push_str("<mark class=\"caret\"></mark>");
        } else {
            h.push_str("<mark>");
            let marked = &text[hs..he];
            let n = marked.chars().count();
            if n > MARK_MAX {
                let head = fwd_chars(text, hs, MARK_MAX / 2, he);
                let tail = back_chars(text, he, MARK_MAX / 6, head);
                write!(
                    h,
                    "{}<span class=\"clip\">… {} characters …</span>{}",
                    E(&text[hs..head]),
                    text[head..tail].chars().count(),
                    E(&text[tail..he])
                )?;
            } else {
                write!(h, "{}", E(marked))?;
            }
            h.push_str("</mark>");
        }
        write!(h, "{}", E(&text[he..we]))?;
        if we < le {
            clip(h);
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Agent map

/// Widest the map may be to fit the page's content column without scrolling.
const MAP_W: i64 = 1176;
const MARGIN: i64 = 16;
const COL_GAP: i64 = 52;
const NODE_GAP: i64 = 8;
const NODE_W_MAX: i64 = 260;
/// Space for the column headings.
const HEAD_H: i64 = 30;
/// Average advance of a 12 px sans-serif character, for wrapping labels.
const CHAR_W: f64 = 6.8;
/// How far a finding badge sticks out of its node on the right.
const BADGE_OVERHANG: i64 = 8;
/// Maps taller than this scroll inside their panel.
const MAP_SCROLL_H: i64 = 1100;

fn node_height(lines: usize) -> i64 {
    if lines > 1 { 48 } else { 34 }
}

/// Splits a label into at most two lines of `chars` characters, preferring
/// breaks after spaces and separators; `true` when it was truncated.
fn wrap_label(label: &str, chars: usize) -> (Vec<String>, bool) {
    let label = label.split_whitespace().collect::<Vec<_>>().join(" ");
    let text: Vec<char> = label.chars().collect();
    if text.len() <= chars {
        return (vec![label], false);
    }
    // Break after the last separator (or before a camelCase hump) in the last
    // two thirds of the first line.
    let mut cut = chars;
    for i in (chars / 3..chars).rev() {
        if matches!(text[i], ' ' | '_' | '-' | '.' | '/' | ':' | ',' | '|' | ')') {
            cut = i + 1;
            break;
        }
        if i > 0 && text[i].is_uppercase() && text[i - 1].is_lowercase() {
            cut = i;
            break;
        }
    }
    let first = text[..cut]
        .iter()
        .collect::<String>()
        .trim_end()
        .to_string();
    let rest: Vec<char> = text[cut..]
        .iter()
        .copied()
        .skip_while(|c| *c == ' ')
        .collect();
    if rest.len() <= chars {
        return (vec![first, rest.into_iter().collect()], false);
    }
    let mut second = rest[..chars - 1]
        .iter()
        .collect::<String>()
        .trim_end()
        .to_string();
    second.push('…');
    (vec![first, second], true)
}

struct Placed {
    x: i64,
    y: i64,
    h: i64,
    col: usize,
    lines: Vec<String>,
}

struct MapLayout {
    placed: Vec<Placed>,
    /// The tier of each column.
    tiers: Vec<u8>,
    node_w: i64,
    width: i64,
    height: i64,
}

/// Deterministic column layout: one column per non-empty tier, as wide as the
/// page allows. Inside a column, nodes are ordered by the barycentre of their
/// neighbours (three sweeps) and stacked without gaps; each column is then
/// shifted as a whole to the least-squares position against its neighbours.
fn layout(map: &ComponentMap) -> MapLayout {
    let n = map.nodes.len();
    let mut tiers: Vec<u8> = map.nodes.iter().map(|node| node.tier.min(4)).collect();
    tiers.sort_unstable();
    tiers.dedup();
    let cols = tiers.len().max(1);
    let col: Vec<usize> = map
        .nodes
        .iter()
        .map(|node| {
            tiers
                .iter()
                .position(|&t| t == node.tier.min(4))
                .unwrap_or(0)
        })
        .collect();
    let node_w = ((MAP_W - BADGE_OVERHANG - 2 * MARGIN - (cols as i64 - 1) * COL_GAP)
        / cols as i64)
        .min(NODE_W_MAX);
    let label_chars = (((node_w - 22) as f64 / CHAR_W) as usize).max(8);

    let mut columns: Vec<Vec<usize>> = vec![Vec::new(); cols];
    for (i, &c) in col.iter().enumerate() {
        columns[c].push(i);
    }
    for column in &mut columns {
        column.sort_by_cached_key(|&i| {
            let node = &map.nodes[i];
            (
                kind_rank(node.kind),
                node.label.to_lowercase(),
                node.identity.clone(),
                i,
            )
        });
    }
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in &map.edges {
        if a >= n || b >= n || col[a] == col[b] {
            continue;
        }
        let (from, to) = if col[a] < col[b] { (a, b) } else { (b, a) };
        preds[to].push(from);
        succs[from].push(to);
    }
    let mut index = vec![0usize; n];
    let reindex = |columns: &[Vec<usize>], index: &mut [usize]| {
        for column in columns {
            for (i, &node) in column.iter().enumerate() {
                index[node] = i;
            }
        }
    };
    reindex(&columns, &mut index);
    let bary = |nodes: &[usize], index: &[usize]| -> Option<f64> {
        (!nodes.is_empty())
            .then(|| nodes.iter().map(|&p| index[p] as f64).sum::<f64>() / nodes.len() as f64)
    };
    for sweep in 0..3 {
        let down = sweep != 1;
        let order: Vec<usize> = if down {
            (1..cols).collect()
        } else {
            (0..cols - 1).rev().collect()
        };
        for c in order {
            let mut keyed: Vec<(f64, usize, usize)> = columns[c]
                .iter()
                .map(|&node| {
                    // Unlinked nodes go last on the way down and stay put on the way up.
                    let key = if down {
                        bary(&preds[node], &index).unwrap_or(f64::INFINITY)
                    } else {
                        bary(&succs[node], &index).unwrap_or(index[node] as f64)
                    };
                    (key, index[node], node)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            columns[c] = keyed.into_iter().map(|(_, _, node)| node).collect();
            reindex(&columns, &mut index);
        }
    }

    let mut placed: Vec<Placed> = map
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| {
            let (lines, _) = wrap_label(&node.label, label_chars);
            Placed {
                x: MARGIN + col[i] as i64 * (node_w + COL_GAP),
                y: 0,
                h: node_height(lines.len()),
                col: col[i],
                lines,
            }
        })
        .collect();
    // Stack each column; `y` is relative to the column's top for now.
    let mut col_h = vec![0i64; cols];
    for (c, column) in columns.iter().enumerate() {
        let mut next = 0;
        for &node in column {
            placed[node].y = next;
            next += placed[node].h + NODE_GAP;
        }
        col_h[c] = (next - NODE_GAP).max(0);
    }
    let tallest = col_h.iter().copied().max().unwrap_or(0);
    let rel: Vec<i64> = placed.iter().map(|p| p.y + p.h / 2).collect();
    let mut offset = vec![0i64; cols];
    for _ in 0..4 {
        for c in 0..cols {
            let (mut sum, mut k) = (0i64, 0i64);
            for &node in &columns[c] {
                for &other in preds[node].iter().chain(&succs[node]) {
                    sum += offset[col[other]] + rel[other] - rel[node];
                    k += 1;
                }
            }
            offset[c] = if k == 0 {
                0
            } else {
                (sum / k).clamp(0, tallest - col_h[c])
            };
        }
    }
    let top = MARGIN + HEAD_H;
    for p in &mut placed {
        p.y += top + offset[p.col];
    }
    MapLayout {
        placed,
        tiers,
        node_w,
        width: 2 * MARGIN + cols as i64 * node_w + (cols as i64 - 1) * COL_GAP + BADGE_OVERHANG,
        height: top + tallest + MARGIN,
    }
}

fn write_map(
    h: &mut String,
    solution: usize,
    map: &ComponentMap,
    groups: &[Group],
    report: &Report<'_>,
) -> fmt::Result {
    if map.nodes.is_empty() {
        h.push_str(
            "<p class=\"note\">No agents, flows, prompts, connectors, connection references or environment \
             variables were found in this solution, so there is no map to draw.</p>\n",
        );
        return Ok(());
    }
    // Count and worst severity of unsuppressed findings per component identity.
    let mut worst: BTreeMap<&str, (Severity, usize)> = BTreeMap::new();
    for f in report
        .findings
        .iter()
        .filter(|f| f.primary.solution == solution && !f.is_suppressed())
    {
        let entry = worst
            .entry(f.component.identity.as_str())
            .or_insert((f.severity, 0));
        entry.0 = entry.0.max(f.severity);
        entry.1 += 1;
    }
    let group_of: BTreeMap<&str, &str> = groups
        .iter()
        .map(|g| (g.identity.as_str(), g.id.as_str()))
        .collect();
    let MapLayout {
        placed,
        tiers,
        node_w,
        width,
        height,
    } = layout(map);
    let flagged = map
        .nodes
        .iter()
        .filter(|n| worst.contains_key(n.identity.as_str()))
        .count();
    writeln!(
        h,
        "<p class=\"lede\">{} and {}, from agents to environment variables. A badge counts a component's \
         unsuppressed findings in the colour of the worst; select a component to jump to its findings.</p>",
        plural(map.nodes.len(), "component", "components"),
        plural(map.edges.len(), "link", "links")
    )?;
    h.push_str("<ul class=\"legend\">");
    write!(
        h,
        "<li><b>{}</b></li>",
        plural(
            flagged,
            "component with findings",
            "components with findings"
        )
    )?;
    for s in Severity::ALL_DESCENDING {
        write!(
            h,
            "<li><span class=\"dot sev-{0}\"></span>{0}</li>",
            s.as_str()
        )?;
    }
    h.push_str("</ul>\n");
    writeln!(
        h,
        "<div class=\"map-scroll{}\"><svg class=\"map\" id=\"s{solution}-svg\" xmlns=\"http://www.w3.org/2000/svg\" \
         width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Agent map: {}\">",
        if height > MAP_SCROLL_H { " tall" } else { "" },
        plural(map.nodes.len(), "component", "components")
    )?;
    writeln!(
        h,
        "<defs><marker id=\"s{solution}-arrow\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" markerWidth=\"7\" \
         markerHeight=\"7\" orient=\"auto\"><path d=\"M0 0L8 4L0 8z\" class=\"arrow\"/></marker></defs>"
    )?;
    for (c, &tier) in tiers.iter().enumerate() {
        let x = MARGIN + c as i64 * (node_w + COL_GAP);
        let count = placed.iter().filter(|p| p.col == c).count();
        writeln!(
            h,
            "<text class=\"col-head\" x=\"{x}\" y=\"{}\">{} <tspan class=\"col-count\">{count}</tspan></text>",
            MARGIN + 8,
            TIER_TITLES[usize::from(tier.min(4))]
        )?;
    }
    // Edges first, so nodes cover them.
    h.push_str("<g class=\"edges\">\n");
    for &(a, b) in &map.edges {
        let (Some(pa), Some(pb)) = (placed.get(a), placed.get(b)) else {
            continue;
        };
        let (ya, yb) = (pa.y + pa.h / 2, pb.y + pb.h / 2);
        let d = if pa.col < pb.col {
            let (x1, x2) = (pa.x + node_w, pb.x - 2);
            let mid = (x2 - x1) / 2;
            format!("M{x1} {ya}C{} {ya} {} {yb} {x2} {yb}", x1 + mid, x2 - mid)
        } else if pa.col == pb.col {
            let x = pa.x + node_w;
            let bulge = 18 + (ya - yb).abs() / 12;
            format!("M{x} {ya}C{0} {ya} {0} {yb} {1} {yb}", x + bulge, x + 2)
        } else {
            let (x1, x2) = (pa.x, pb.x + node_w + 2);
            let mid = (x1 - x2) / 2;
            format!("M{x1} {ya}C{} {ya} {} {yb} {x2} {yb}", x1 - mid, x2 + mid)
        };
        writeln!(
            h,
            "<path class=\"edge\" data-a=\"{a}\" data-b=\"{b}\" d=\"{d}\" marker-end=\"url(#s{solution}-arrow)\"/>"
        )?;
    }
    h.push_str("</g>\n<g class=\"nodes\">\n");
    for (i, (node, p)) in map.nodes.iter().zip(&placed).enumerate() {
        let (kind_key, kind_title) = kind_info(node.kind);
        let badge = worst.get(node.identity.as_str());
        let sev_class = badge.map_or(String::new(), |(s, _)| format!(" sev-{}", s.as_str()));
        let mut tooltip = format!("{}\n{kind_title} · {}", node.label, node.identity);
        match badge {
            Some((s, count)) => write!(
                tooltip,
                "\n{} (worst: {})",
                plural(*count, "finding", "findings"),
                s.as_str()
            )?,
            None => tooltip.push_str("\nno unsuppressed findings"),
        }
        let link = group_of.get(node.identity.as_str());
        if let Some(target) = link {
            write!(h, "<a href=\"#{target}\">")?;
        }
        write!(
            h,
            "<g class=\"node k-{kind_key}{sev_class}\" data-i=\"{i}\" data-identity=\"{}\" transform=\"translate({} {})\"><title>{}</title>",
            E(&node.identity),
            p.x,
            p.y,
            E(&tooltip)
        )?;
        write!(
            h,
            "<rect class=\"box\" width=\"{node_w}\" height=\"{0}\" rx=\"7\"/><rect class=\"stripe\" width=\"5\" height=\"{0}\" rx=\"2\"/>\
             <text class=\"tag\" x=\"13\" y=\"13\">{1}</text>",
            p.h,
            kind_tag(node.kind)
        )?;
        for (l, line) in p.lines.iter().enumerate() {
            write!(
                h,
                "<text class=\"label\" x=\"13\" y=\"{}\">{}</text>",
                27 + l as i64 * 14,
                E(line)
            )?;
        }
        if let Some((severity, count)) = badge {
            let text = if *count > 99 {
                "99+".to_string()
            } else {
                count.to_string()
            };
            let w = 10 + 7 * text.len() as i64;
            write!(
                h,
                "<g class=\"badge sev-{}\" transform=\"translate({} -6)\"><rect width=\"{w}\" height=\"16\" rx=\"8\"/><text x=\"{}\" y=\"12\">{text}</text></g>",
                severity.as_str(),
                node_w - w + 6,
                w / 2
            )?;
        }
        h.push_str("</g>");
        if link.is_some() {
            h.push_str("</a>");
        }
        h.push('\n');
    }
    h.push_str("</g>\n</svg></div>\n");
    Ok(())
}

// ---------------------------------------------------------------------------
// Style and script

const CSS: &str = r#"
:root{--bg:#f4f5f8;--card:#fff;--ink:#0f172a;--muted:#526077;--line:#e2e6ee;--brand:#312e81;
--critical:#86198f;--high:#dc2626;--medium:#c2410c;--low:#2563eb;--info:#64748b;--pass:#15803d;--sev:#64748b}
*{box-sizing:border-box}
html{scroll-behavior:smooth}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
a{color:#3730a3}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
.sev-critical{--sev:var(--critical)}.sev-high{--sev:var(--high)}.sev-medium{--sev:var(--medium)}.sev-low{--sev:var(--low)}.sev-info{--sev:var(--info)}
header.top{background:linear-gradient(135deg,#1e1b4b,#312e81 60%,#4338ca);color:#fff;padding:28px 0 24px}
.wrap,main{max-width:1280px;margin:0 auto;padding:0 28px}
.brand{margin:0;font-size:13px;letter-spacing:.08em;text-transform:uppercase;opacity:.8}
h1{margin:4px 0 2px;font-size:28px;font-weight:650;word-break:break-word}
.scope{margin:0 0 16px;opacity:.85}
.totals{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:8px}
.totals li{background:rgba(255,255,255,.12);border:1px solid rgba(255,255,255,.22);border-radius:10px;padding:6px 12px;font-size:13px}
.totals li b{font-size:20px;margin-right:4px}
.totals li[class^="sev-"]{border-left:5px solid var(--sev)}
.totals li.zero{opacity:.6}
h2{font-size:21px;margin:36px 0 12px}
h3{font-size:16px;margin:0 0 8px}
.lede{color:var(--muted);margin:0 0 14px}
.note{color:var(--muted);font-style:italic}
.filters{position:sticky;top:0;z-index:5;background:rgba(244,245,248,.96);backdrop-filter:blur(4px);border-bottom:1px solid var(--line);padding:10px 0;margin:0 0 4px}
.filters[hidden]{display:none}
.filter-row{display:flex;flex-wrap:wrap;align-items:center;gap:6px;padding:2px 0}
.filter-label{font-size:12px;font-weight:600;color:var(--muted);text-transform:uppercase;letter-spacing:.05em;width:70px}
.chip{font:inherit;font-size:12.5px;border:1px solid var(--line);background:#fff;border-radius:999px;padding:3px 11px;cursor:pointer;color:var(--ink)}
.chip[class*="sev-"]{border-left:5px solid var(--sev)}
.chip[aria-pressed="false"]{opacity:.45;text-decoration:line-through;background:#eef0f4}
.reset{font:inherit;font-size:12.5px;background:none;border:0;color:#3730a3;cursor:pointer;text-decoration:underline}
.shown{margin-left:auto;color:var(--muted);font-size:12.5px}
.pillars{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:14px}
.pillar-card{background:var(--card);border:1px solid var(--line);border-radius:14px;padding:16px;border-top:5px solid var(--pass);box-shadow:0 1px 2px rgba(15,23,42,.05)}
.pillar-card.fail{border-top-color:var(--high)}
.pillar-card.none{border-top-color:#cbd5e1}
.pillar-card header{display:flex;gap:10px;align-items:flex-start}
.pillar-card h3{margin:0;font-size:15px}
.pillar-card header p{margin:0;color:var(--muted);font-size:12px;line-height:1.35}
.icon{width:30px;height:30px;flex:none;fill:none;stroke:#4338ca;stroke-width:1.8;stroke-linecap:round;stroke-linejoin:round;background:#eef2ff;border-radius:8px;padding:4px}
.verdict{margin:12px 0 6px;color:var(--muted)}
.verdict .big{font-size:26px;font-weight:700;color:var(--ink);margin-right:4px}
.pillar-card.fail .verdict .big{color:var(--high)}
.pillar-card.pass .verdict .big{color:var(--pass)}
.meter{height:7px;border-radius:4px;background:#fde2e2;overflow:hidden}
.meter span{display:block;height:100%;background:var(--pass)}
.pillar-card.pass .meter{background:#dcfce7}
.sev-counts{list-style:none;padding:0;margin:10px 0 0;display:flex;flex-wrap:wrap;gap:4px}
.sev-counts li{font-size:11.5px;border-radius:6px;padding:1px 7px;background:color-mix(in srgb,var(--sev) 12%,#fff);color:var(--sev);border:1px solid color-mix(in srgb,var(--sev) 30%,#fff)}
.sev-counts li.zero{background:#f8fafc;color:#94a3b8;border-color:#eef0f4}
.failed-rules{list-style:none;padding:0;margin:4px 0 0;font-size:12.5px}
.failed-title{margin:12px 0 0;font-size:11.5px;font-weight:700;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
.failed-rules li{padding:3px 0;border-top:1px dashed var(--line);display:flex;justify-content:space-between;gap:8px}
.more{margin:4px 0 0;font-size:12.5px}
.failed-rules a{font-weight:600}
.failed-rules .n{color:var(--muted);font-variant-numeric:tabular-nums}
.panel{background:var(--card);border:1px solid var(--line);border-radius:14px;padding:18px 20px;margin:16px 0;box-shadow:0 1px 2px rgba(15,23,42,.05)}
#solutions,#rules{margin-top:36px}
#solutions h2,#rules h2{margin-top:0}
.solution{margin-top:44px;padding-top:8px;border-top:3px solid #c7d2fe}
.solution>h2{margin-top:8px;word-break:break-word}
.eyebrow{display:block;font-size:12px;font-weight:600;color:#4338ca;text-transform:uppercase;letter-spacing:.08em}
.map-scroll{overflow:auto;border:1px solid var(--line);border-radius:10px;background:#fbfcfe}
.map-scroll.tall{max-height:1100px}
svg.map{display:block;max-width:100%;height:auto;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
.col-head{font-size:12px;font-weight:700;fill:#334155;text-transform:uppercase;letter-spacing:.04em}
.col-count{fill:#94a3b8;font-weight:600}
.edge{fill:none;stroke:#94a3b8;stroke-width:1.3;opacity:.7}
.arrow{fill:#94a3b8}
svg.focus .edge{opacity:.12}
svg.focus .edge.hot{opacity:1;stroke:#4338ca;stroke-width:2}
svg.focus .node{opacity:.35}
svg.focus .node.hot{opacity:1}
.node .box{fill:#fff;stroke:#cbd5e1;stroke-width:1.2}
.node[class*="sev-"] .box{stroke:var(--sev);stroke-width:2}
.node .stripe{fill:var(--kind)}
.node .tag{font-size:9px;font-weight:700;letter-spacing:.06em;fill:var(--kind)}
.node .label{font-size:12px;fill:#0f172a}
.node:hover .box{fill:#f1f5ff}
a .node{cursor:pointer}
.badge rect{fill:var(--sev)}
.badge text{fill:#fff;font-size:10.5px;font-weight:700;text-anchor:middle}
.k-agent{--kind:#6d28d9}.k-topic{--kind:#0369a1}.k-knowledge{--kind:#15803d}.k-tool{--kind:#b45309}.k-component{--kind:#475569}
.k-flow{--kind:#4338ca}.k-prompt{--kind:#a21caf}.k-connector{--kind:#0f766e}.k-connref{--kind:#0e7490}.k-envvar{--kind:#57534e}.k-solution{--kind:#1e293b}.k-other{--kind:#475569}
.legend{list-style:none;padding:0;margin:0 0 10px;display:flex;flex-wrap:wrap;gap:14px;font-size:12.5px;color:var(--muted)}
.dot{display:inline-block;width:10px;height:10px;border-radius:50%;background:var(--sev);margin-right:5px;vertical-align:-1px}
.findings>h3{font-size:17px;margin:26px 0 10px}
.count{color:var(--muted);font-weight:500;font-size:14px}
.component{background:var(--card);border:1px solid var(--line);border-radius:14px;margin:14px 0;padding:14px 18px 6px;box-shadow:0 1px 2px rgba(15,23,42,.05);scroll-margin-top:60px}
.component:target{outline:3px solid #a5b4fc}
.component h4{margin:0;font-size:16px;display:flex;flex-wrap:wrap;align-items:center;gap:8px}
.component h4 .name{word-break:break-word}
.kind{font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.05em;color:var(--kind);background:color-mix(in srgb,var(--kind) 10%,#fff);border:1px solid color-mix(in srgb,var(--kind) 35%,#fff);border-radius:6px;padding:1px 7px}
.group-counts{margin-left:auto;display:flex;gap:4px}
.identity{margin:2px 0 6px;color:var(--muted);word-break:break-all}
.pill{display:inline-block;min-width:22px;text-align:center;font-size:11.5px;font-weight:700;color:#fff;background:var(--sev);border-radius:999px;padding:0 7px}
.pill.suppressed{background:#94a3b8}
.finding{border:1px solid var(--line);border-left:5px solid var(--sev);border-radius:10px;padding:10px 14px 10px;margin:10px 0}
.finding.suppressed{opacity:.72;background:repeating-linear-gradient(135deg,#fff,#fff 10px,#f8fafc 10px,#f8fafc 20px)}
.finding header{display:flex;flex-wrap:wrap;align-items:center;gap:6px}
.sev-badge{font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.04em;color:#fff;background:var(--sev);border-radius:5px;padding:1px 7px}
.rule-id{font-weight:700;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
.rule-name{color:var(--muted)}
.meta{margin-left:auto;display:flex;gap:4px;flex-wrap:wrap}
.tag{font-size:11.5px;background:#f1f5f9;color:#334155;border-radius:5px;padding:1px 7px}
.message{font-size:15px;margin:6px 0 4px;font-weight:500}
.suppression{margin:6px 0;font-size:13px;background:#f1f5f9;border-left:3px solid #94a3b8;padding:3px 8px}
.where{margin:4px 0;font-size:12.5px;color:var(--muted);word-break:break-all}
.where code{color:#1e293b}
.logical{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:11.5px;color:#64748b}
pre.code{margin:4px 0 6px;background:#0f172a;color:#e2e8f0;border-radius:8px;padding:8px 0;overflow-x:auto;line-height:1.55}
.line{display:grid;grid-template-columns:4.5em 1fr}
.line.hit{background:rgba(148,163,184,.14)}
.ln{color:#64748b;text-align:right;padding-right:12px;user-select:none}
.line.hit .ln{color:#fbbf24}
.lc{white-space:pre-wrap;overflow-wrap:anywhere;padding-right:12px;tab-size:4}
.line.gap .lc{color:#94a3b8;font-style:italic}
mark{background:#fde047;color:#0f172a;border-radius:3px;padding:0 1px}
mark.caret{display:inline-block;width:2px;height:1.2em;vertical-align:text-bottom;background:#f87171;padding:0}
.clip{color:#94a3b8}
mark .clip{color:#78350f}
.label{margin:0 0 6px;font-size:12.5px;color:#92400e}
.related{margin:6px 0;padding:4px 0 2px 12px;border-left:2px dashed #cbd5e1}
.related-title{margin:0;font-size:11.5px;font-weight:700;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
.related-msg{color:var(--ink);font-weight:500}
.help{margin:6px 0 2px;background:#f0fdf4;border:1px solid #bbf7d0;border-radius:8px;padding:6px 10px}
.docs{margin:4px 0 0;font-size:12.5px;color:var(--muted)}
.fp{font-size:11px;color:#94a3b8}
table.grid{border-collapse:collapse;width:100%;font-size:13px;table-layout:auto}
.grid th{text-align:left;font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em;border-bottom:2px solid var(--line);padding:6px 8px}
.grid td{border-bottom:1px solid var(--line);padding:6px 8px;vertical-align:top}
.grid td:first-child{overflow-wrap:anywhere}
.grid .num{text-align:right}
.grid td.zero{color:#cbd5e1}
.status{font-weight:600;font-size:12.5px}
.status.pass{color:var(--pass)}
.status.fail{color:var(--high)}
.muted{color:var(--muted)}
.filtered,.empty-filter{display:none}
.findings.all-filtered .empty-filter{display:block}
footer{max-width:1280px;margin:40px auto 0;padding:18px 28px 40px;color:var(--muted);font-size:12.5px;border-top:1px solid var(--line)}
@media print{.filters{display:none}.map-scroll.tall{max-height:none}.component,.pillar-card,.panel{box-shadow:none;break-inside:avoid}header.top{background:#312e81}}
"#;

/// Filters by severity, pillar and suppression (toggling `filtered` classes),
/// kept in the URL as `#hide=…`; highlights a map node's links on hover. Marks
/// `<html data-report="ready">` when done (the headless-browser test checks it).
const SCRIPT: &str = r#"
(function () {
  'use strict';
  var root = document.documentElement;
  var bar = document.getElementById('filters');
  var hidden = {};
  var findings = document.querySelectorAll('.finding');
  var groups = document.querySelectorAll('.component');
  var lists = document.querySelectorAll('.findings');
  var rows = document.querySelectorAll('tr[data-pillar]');
  var buttons = bar.querySelectorAll('button[data-filter]');
  function off(el) {
    return hidden['sev:' + el.getAttribute('data-sev')] ||
      hidden['pillar:' + el.getAttribute('data-pillar')] ||
      (hidden.suppressed && el.classList.contains('suppressed'));
  }
  function apply() {
    var shown = 0, i;
    for (i = 0; i < findings.length; i++) {
      var h = !!off(findings[i]);
      findings[i].classList.toggle('filtered', h);
      if (!h) { shown++; }
    }
    for (i = 0; i < groups.length; i++) {
      groups[i].classList.toggle('filtered', !groups[i].querySelector('.finding:not(.filtered)'));
    }
    for (i = 0; i < lists.length; i++) {
      lists[i].classList.toggle('all-filtered', !!lists[i].querySelector('.component') &&
        !lists[i].querySelector('.component:not(.filtered)'));
    }
    for (i = 0; i < rows.length; i++) {
      rows[i].classList.toggle('filtered', !!hidden['pillar:' + rows[i].getAttribute('data-pillar')]);
    }
    for (i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute('aria-pressed', hidden[buttons[i].getAttribute('data-filter')] ? 'false' : 'true');
    }
    document.getElementById('shown').textContent = shown + ' of ' + findings.length;
    var keys = Object.keys(hidden).filter(function (k) { return hidden[k]; }).sort();
    root.setAttribute('data-hidden', keys.join(','));
    return keys;
  }
  function save(keys) {
    try {
      history.replaceState(null, '', keys.length ? '#hide=' + keys.join(',') : location.pathname + location.search);
    } catch (e) { /* file: URLs may refuse; filters still work */ }
  }
  if (location.hash.indexOf('#hide=') === 0) {
    decodeURIComponent(location.hash.slice(6)).split(',').forEach(function (k) { if (k) { hidden[k] = true; } });
  }
  bar.addEventListener('click', function (e) {
    var b = e.target.closest('button');
    if (!b) { return; }
    if (b.hasAttribute('data-reset')) { hidden = {}; }
    else { var k = b.getAttribute('data-filter'); hidden[k] = !hidden[k]; }
    save(apply());
  });
  document.querySelectorAll('svg.map').forEach(function (svg) {
    function clear() {
      svg.classList.remove('focus');
      svg.querySelectorAll('.hot').forEach(function (el) { el.classList.remove('hot'); });
    }
    svg.addEventListener('mouseover', function (e) {
      var node = e.target.closest('.node');
      if (!node) { return; }
      clear();
      var i = node.getAttribute('data-i');
      svg.classList.add('focus');
      node.classList.add('hot');
      svg.querySelectorAll('.edge').forEach(function (edge) {
        var a = edge.getAttribute('data-a'), b = edge.getAttribute('data-b');
        if (a === i || b === i) {
          edge.classList.add('hot');
          var other = svg.querySelector('.node[data-i="' + (a === i ? b : a) + '"]');
          if (other) { other.classList.add('hot'); }
        }
      });
    });
    svg.addEventListener('mouseleave', clear);
  });
  bar.hidden = false;
  apply();
  root.setAttribute('data-report', 'ready');
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            E("<a href=\"x\">&'</a>").to_string(),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(
            E("a\u{202E}b\u{7}c\r\n").to_string(),
            "a[U+202E]b\u{FFFD}c\n"
        );
    }

    #[test]
    fn wraps_and_truncates_labels() {
        assert_eq!(
            wrap_label("Short name", 24),
            (vec!["Short name".to_string()], false)
        );
        let (lines, cut) = wrap_label("Conversational boosting for the support knowledge base", 24);
        assert_eq!(
            lines,
            vec!["Conversational boosting", "for the support knowled…"]
        );
        assert!(cut);
        let (lines, _) = wrap_label("cr3f2_ExportDataFlowToSharePoint", 24);
        assert_eq!(lines, vec!["cr3f2_ExportDataFlowTo", "SharePoint"]);
        let (lines, _) = wrap_label("Agent Compliance | Create Case (Child)", 24);
        assert_eq!(lines, vec!["Agent Compliance |", "Create Case (Child)"]);
    }

    #[test]
    fn redaction_keeps_lines_and_maps_offsets() {
        let text = b"a: 1\nkey: sk-SECRET\nb: 2\n";
        let start = 10;
        let end = 19;
        let p = Prepared::new(text, vec![(start, end, "sk-S…".to_string())]);
        assert_eq!(p.text, "a: 1\nkey: sk-S…\nb: 2\n");
        assert_eq!(p.map(start), start);
        assert_eq!(&p.text[p.map(start)..p.map(end)], "sk-S…");
        assert_eq!(&p.text[p.map(20)..p.map(24)], "b: 2");
        let mut h = String::new();
        p.write_snippet(&mut h, start, end, 1).expect("write");
        assert!(h.contains("<mark>sk-S…</mark>"), "{h}");
        assert!(!h.contains("SECRET"));
        assert!(h.contains("<span class=\"ln\">3</span>"));
    }

    #[test]
    fn secrets_are_redacted_in_other_snippets_context() {
        // Two secrets on neighbouring lines, one spanning two lines.
        let text = b"a: sk-ONE-SECRET\nb: plain\nc: |\n  sk-TWO\n  SECRET\nd: 4\n";
        let one = (3, 16, "sk-O…".to_string());
        let two = (33, 48, "sk-T…".to_string());
        assert_eq!(&text[one.0..one.1], b"sk-ONE-SECRET");
        assert_eq!(&text[two.0..two.1], b"sk-TWO\n  SECRET");
        let p = Prepared::new(text, vec![two, one]);
        let mut h = String::new();
        // A finding on `b: plain` shows both secrets as context, redacted.
        p.write_snippet(&mut h, 20, 25, 3).expect("write");
        assert!(!h.contains("SECRET"), "{h}");
        assert!(h.contains("sk-O…") && h.contains("sk-T…"), "{h}");
        // Line numbers after the multi-line secret are unchanged.
        let mut h = String::new();
        p.write_snippet(&mut h, 52, 53, 0).expect("write");
        assert!(h.contains("<span class=\"ln\">6</span>"), "{h}");
        assert!(h.contains("<mark>4</mark>"), "{h}");
    }

    #[test]
    fn long_lines_are_clipped_around_the_span() {
        let mut text = "x".repeat(5000);
        text.push_str("NEEDLE");
        text.push_str(&"y".repeat(5000));
        let p = Prepared::new(text.as_bytes(), Vec::new());
        let mut h = String::new();
        p.write_snippet(&mut h, 5000, 5006, 2).expect("write");
        assert!(h.contains("<mark>NEEDLE</mark>"));
        assert!(h.len() < 600, "{}", h.len());
    }

    #[test]
    fn layout_is_columnar_and_deterministic() {
        let node = |kind: &'static str, label: &str, tier: u8| MapNode {
            kind,
            label: label.to_string(),
            identity: format!("{kind}:{label}"),
            tier,
        };
        let map = ComponentMap {
            nodes: vec![
                node("agent", "Helpdesk", 0),
                node("topic", "Search", 1),
                node("flow", "Create ticket", 2),
                node("envvar", "cnt_Url", 4),
            ],
            edges: vec![(0, 1), (1, 2), (2, 3)],
        };
        let first = layout(&map);
        assert_eq!(first.tiers, vec![0, 1, 2, 4]);
        assert_eq!(
            first.placed.iter().map(|p| p.col).collect::<Vec<_>>(),
            vec![0, 1, 2, 3]
        );
        assert!(first.width <= MAP_W && first.height > 0);
        // A chain lines up: every node at the same height.
        assert!(first.placed.iter().all(|p| p.y == first.placed[0].y));
        let again = layout(&map);
        assert_eq!(
            first.placed.iter().map(|p| (p.x, p.y)).collect::<Vec<_>>(),
            again.placed.iter().map(|p| (p.x, p.y)).collect::<Vec<_>>()
        );
    }
}
