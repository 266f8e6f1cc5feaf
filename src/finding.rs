//! The one finding model every rule produces and every renderer reads.

use std::sync::OnceLock;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::Loc;
use crate::rules::RuleMeta;
use crate::source::{FileId, Span};

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL_DESCENDING: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// Power Platform Well-Architected pillars.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Pillar {
    Security,
    Reliability,
    OperationalExcellence,
    PerformanceEfficiency,
    ExperienceOptimization,
}

impl Pillar {
    pub const ALL: [Pillar; 5] = [
        Pillar::Security,
        Pillar::Reliability,
        Pillar::OperationalExcellence,
        Pillar::PerformanceEfficiency,
        Pillar::ExperienceOptimization,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Pillar::Security => "Security",
            Pillar::Reliability => "Reliability",
            Pillar::OperationalExcellence => "Operational Excellence",
            Pillar::PerformanceEfficiency => "Performance Efficiency",
            Pillar::ExperienceOptimization => "Experience Optimization",
        }
    }
}

/// Layout-independent identity of the component a finding is about (RULES.md §14).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ComponentRef {
    pub kind: &'static str,
    pub identity: String,
}

impl ComponentRef {
    pub fn new(kind: &'static str, identity: impl Into<String>) -> Self {
        ComponentRef {
            kind,
            identity: identity.into(),
        }
    }
}

/// The file a location is in.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileRef {
    /// A file that was read.
    Id(FileId),
    /// A path inside the solution that could not be read; empty for the archive itself.
    Unread(String),
}

/// Where a finding points: a file of a solution, a byte range, a logical path.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// Index of the solution in the run.
    pub solution: usize,
    pub file: FileRef,
    pub span: Span,
    pub logical_path: String,
}

impl Location {
    pub fn at(solution: usize, loc: &Loc) -> Location {
        Location {
            solution,
            file: FileRef::Id(loc.file),
            span: loc.span,
            logical_path: loc.path.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub confidence: Confidence,
    pub message: String,
    pub component: ComponentRef,
    pub primary: Location,
    /// Label under the primary span.
    pub label: String,
    pub related: Vec<Related>,
    pub help: String,
    /// Stable per-rule detail that tells two findings on one path apart
    /// (a normalised URL, a reference name, a secret's hash).
    pub discriminator: String,
    /// The logical path the fingerprint uses when it differs from the primary's
    /// (a workspace setting keyed like its export twin).
    pub canonical_path: Option<String>,
    /// Secret material at the primary span: renderers print `redacted` instead.
    pub sensitive: bool,
    pub redacted: Option<String>,
    /// Set when configuration or a baseline accepts the finding: it is still
    /// listed (marked) and counted, but does not fail the run.
    pub suppression: Option<Suppression>,
    /// [`Finding::fingerprint`], computed once (the engine de-duplicates by it,
    /// renderers print it). The builders that change its inputs clear it.
    pub(crate) fingerprint_cache: OnceLock<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SuppressionKind {
    /// A `[[suppress]]` entry of `pplint.toml`.
    Config,
    /// A fingerprint recorded in the `--baseline` file.
    Baseline,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    pub kind: SuppressionKind,
    pub reason: String,
}

impl Finding {
    /// The primary location, then each related one.
    pub fn locations(&self) -> impl Iterator<Item = &Location> {
        std::iter::once(&self.primary).chain(self.related.iter().map(|r| &r.location))
    }

    /// [`Finding::locations`], to change.
    pub fn locations_mut(&mut self) -> impl Iterator<Item = &mut Location> {
        std::iter::once(&mut self.primary).chain(self.related.iter_mut().map(|r| &mut r.location))
    }

    pub fn is_suppressed(&self) -> bool {
        self.suppression.is_some()
    }

    /// `pplint/v1:` + 32 hex of SHA-256(rule␟kind␟identity␟logical path␟discriminator).
    /// No line, column, offset, file path or version: re-exports keep it.
    pub fn fingerprint(&self) -> String {
        self.fingerprint_str().to_string()
    }

    /// [`Finding::fingerprint`], borrowed: computed on first use and kept.
    pub fn fingerprint_str(&self) -> &str {
        self.fingerprint_cache
            .get_or_init(|| self.compute_fingerprint())
    }

    fn compute_fingerprint(&self) -> String {
        let path = self
            .canonical_path
            .as_deref()
            .unwrap_or(&self.primary.logical_path);
        let input = [
            self.rule.id,
            self.component.kind,
            &self.component.identity,
            path,
            &self.discriminator,
        ]
        .join("\u{241F}");
        let digest = Sha256::digest(input.as_bytes());
        format!("pplint/v1:{}", hex(&digest[..16]))
    }

    // Builder-style adjustments used by rules.

    /// Adds a related span in the same solution.
    pub fn related(&mut self, loc: &Loc, message: impl Into<String>) -> &mut Self {
        self.related.push(Related {
            location: Location::at(self.primary.solution, loc),
            message: message.into(),
        });
        self
    }

    pub fn severity(&mut self, severity: Severity) -> &mut Self {
        self.severity = severity;
        self
    }

    pub fn confidence(&mut self, confidence: Confidence) -> &mut Self {
        self.confidence = confidence;
        self
    }

    pub fn label(&mut self, label: impl Into<String>) -> &mut Self {
        self.label = label.into();
        self
    }

    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = help.into();
        self
    }

    pub fn discriminator(&mut self, discriminator: impl Into<String>) -> &mut Self {
        self.discriminator = discriminator.into();
        self.fingerprint_cache = OnceLock::new();
        self
    }

    /// Marks the primary span as secret material, shown everywhere as `redacted`.
    pub fn sensitive(&mut self, redacted: impl Into<String>) -> &mut Self {
        self.sensitive = true;
        self.redacted = Some(redacted.into());
        self
    }

    pub fn canonical_path(&mut self, path: impl Into<String>) -> &mut Self {
        self.canonical_path = Some(path.into());
        self.fingerprint_cache = OnceLock::new();
        self
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}
