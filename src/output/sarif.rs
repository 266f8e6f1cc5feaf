//! SARIF 2.1.0 for code-scanning tools (GitHub code scanning, Azure DevOps
//! SARIF viewer). Own minimal types: only what pplint emits.
//!
//! Artifact URIs: a file of an unpacked solution is `<input path>/<path in the
//! solution>`, relative when the input path was (run pplint from the repository
//! root and GitHub resolves it). A zip entry is a nested artifact: `artifacts[]`
//! holds the zip and the entry (with `parentIndex` pointing at the zip), and the
//! result's `artifactLocation` names the entry. Columns are UTF-16 code units
//! (`columnKind: utf16CodeUnits`).

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use crate::finding::{Finding, Location, Pillar, Severity};
use crate::rules::{DOCS_BASE_URL, INFORMATION_URL, RuleMeta};

use super::{Artifact, Report};

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    artifacts: Vec<ArtifactEntry>,
    results: Vec<ResultEntry>,
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<RuleDescriptor<'a>>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleDescriptor<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: String,
    default_configuration: DefaultConfiguration,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
struct DefaultConfiguration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    pillar: &'a str,
    waf_code: &'a str,
    severity: &'a str,
    confidence: &'a str,
    default: &'a str,
    tags: Vec<String>,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactEntry {
    location: Uri,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_index: Option<usize>,
}

#[derive(Serialize)]
struct Uri {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultEntry {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<LocationEntry>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedEntry>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SuppressionEntry>,
    properties: ResultProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LocationEntry {
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedEntry {
    id: usize,
    physical_location: PhysicalLocation,
    message: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
    index: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
    byte_offset: u32,
    byte_length: u32,
    snippet: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    fully_qualified_name: String,
}

#[derive(Serialize)]
struct SuppressionEntry {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

#[derive(Serialize)]
struct ResultProperties {
    pillar: &'static str,
    waf_code: &'static str,
    severity: &'static str,
    confidence: &'static str,
    component: Component,
    tags: Vec<String>,
}

#[derive(Serialize)]
struct Component {
    kind: &'static str,
    identity: String,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub code scanning ranks security alerts by this CVSS-like score.
fn security_severity(meta: &RuleMeta) -> Option<&'static str> {
    (meta.pillar == Pillar::Security).then_some(match meta.severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    })
}

fn tags(meta: &RuleMeta) -> Vec<String> {
    let mut tags = vec![meta.id[..3].to_ascii_lowercase()];
    if meta.id.as_bytes().get(3) == Some(&b'1') {
        tags.push("cross-component".into());
    }
    if meta.pillar == Pillar::Security {
        tags.push("security".into());
    }
    let pillar = meta.pillar.as_str().to_ascii_lowercase().replace(' ', "-");
    if !tags.contains(&pillar) {
        tags.push(pillar);
    }
    tags
}

/// Percent-encodes a `/`-separated path into a URI reference; absolute paths
/// become `file://` URIs.
fn to_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&byte);
        if keep {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    if path.starts_with('/') {
        format!("file://{encoded}")
    } else if path.as_bytes().get(1) == Some(&b':') {
        format!("file:///{encoded}")
    } else {
        encoded
    }
}

/// Collects artifacts once; returns (uri, index) for a location.
struct Artifacts {
    entries: Vec<ArtifactEntry>,
    index: BTreeMap<(String, Option<usize>), usize>,
}

impl Artifacts {
    fn add(&mut self, uri: String, parent: Option<usize>) -> usize {
        if let Some(&i) = self.index.get(&(uri.clone(), parent)) {
            return i;
        }
        let i = self.entries.len();
        self.entries.push(ArtifactEntry {
            location: Uri { uri: uri.clone() },
            parent_index: parent,
        });
        self.index.insert((uri, parent), i);
        i
    }

    fn locate(&mut self, report: &Report<'_>, loc: &Location) -> ArtifactLocation {
        match report.artifact(loc) {
            Artifact::File(path) => {
                let uri = to_uri(&path);
                let index = self.add(uri.clone(), None);
                ArtifactLocation { uri, index }
            }
            Artifact::InArchive { archive, entry } => {
                let parent = self.add(to_uri(&archive), None);
                let uri = to_uri(&entry);
                let index = self.add(uri.clone(), Some(parent));
                ArtifactLocation { uri, index }
            }
        }
    }
}

fn physical(
    report: &Report<'_>,
    artifacts: &mut Artifacts,
    finding: &Finding,
    loc: &Location,
) -> PhysicalLocation {
    let artifact_location = artifacts.locate(report, loc);
    let region = report.file_of(loc).map(|file| {
        let (start, end) = report.positions(loc);
        let is_secret = finding.sensitive
            && loc.file == finding.primary.file
            && loc.span == finding.primary.span;
        let snippet = match (&finding.redacted, is_secret) {
            (Some(redacted), true) => redacted.clone(),
            _ => report
                .safe_snippet(loc)
                .unwrap_or_else(|| file.snippet(loc.span)),
        };
        Region {
            start_line: start.line,
            start_column: start.column_utf16,
            end_line: end.line,
            end_column: end.column_utf16,
            byte_offset: loc.span.start,
            byte_length: loc.span.end - loc.span.start,
            snippet: Text { text: snippet },
        }
    });
    PhysicalLocation {
        artifact_location,
        region,
    }
}

pub fn render(report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    let rules: Vec<RuleDescriptor<'_>> = report
        .rules
        .iter()
        .map(|meta| {
            let docs = meta.docs_markdown();
            RuleDescriptor {
                id: meta.id,
                name: meta.name,
                short_description: Text {
                    text: meta.summary.to_string(),
                },
                full_description: Text {
                    text: format!("{}. {}", meta.summary, meta.help),
                },
                help: Help {
                    text: meta.help.to_string(),
                    markdown: docs,
                },
                help_uri: format!("{DOCS_BASE_URL}{}", meta.docs_url()),
                default_configuration: DefaultConfiguration {
                    level: level(meta.severity),
                },
                properties: RuleProperties {
                    pillar: meta.pillar.as_str(),
                    waf_code: meta.waf,
                    severity: meta.severity.as_str(),
                    confidence: meta.confidence.as_str(),
                    default: if meta.default_on { "on" } else { "pedantic" },
                    tags: tags(meta),
                    security_severity: security_severity(meta),
                },
            }
        })
        .collect();
    let mut artifacts = Artifacts {
        entries: Vec::new(),
        index: BTreeMap::new(),
    };
    let mut results = Vec::new();
    for f in report.findings {
        let Some(rule_index) = report.rules.iter().position(|r| r.id == f.rule.id) else {
            continue;
        };
        let primary = physical(report, &mut artifacts, f, &f.primary);
        let related = f
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| RelatedEntry {
                id: i + 1,
                physical_location: physical(report, &mut artifacts, f, &r.location),
                message: Text {
                    text: r.message.clone(),
                },
            })
            .collect();
        let logical_locations = if f.primary.logical_path.is_empty() {
            Vec::new()
        } else {
            vec![LogicalLocation {
                fully_qualified_name: f.primary.logical_path.clone(),
            }]
        };
        results.push(ResultEntry {
            rule_id: f.rule.id,
            rule_index,
            level: level(f.severity),
            message: Text {
                text: f.message.clone(),
            },
            locations: vec![LocationEntry {
                physical_location: primary,
                logical_locations,
            }],
            related_locations: related,
            partial_fingerprints: BTreeMap::from([("pplint/v1", f.fingerprint())]),
            suppressions: f
                .suppression
                .iter()
                .map(|s| SuppressionEntry {
                    kind: "external",
                    status: "accepted",
                    justification: s.reason.clone(),
                })
                .collect(),
            properties: ResultProperties {
                pillar: f.rule.pillar.as_str(),
                waf_code: f.rule.waf,
                severity: f.severity.as_str(),
                confidence: f.confidence.as_str(),
                component: Component {
                    kind: f.component.kind,
                    identity: f.component.identity.clone(),
                },
                tags: tags(f.rule),
            },
        });
    }
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "pplint",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URL,
                    rules,
                },
            },
            artifacts: artifacts.entries,
            results,
            column_kind: "utf16CodeUnits",
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            to_uri("PVA Architecture Series/x.zip"),
            "PVA%20Architecture%20Series/x.zip"
        );
        assert_eq!(to_uri("/abs/Grüße.xml"), "file:///abs/Gr%C3%BC%C3%9Fe.xml");
        assert_eq!(to_uri("C:\\work\\a b.zip"), "file:///C:/work/a%20b.zip");
        assert_eq!(
            to_uri("botcomponents/x.topic.Search/data"),
            "botcomponents/x.topic.Search/data"
        );
    }
}
