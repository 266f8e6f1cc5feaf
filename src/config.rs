//! `pplint.toml`: found by walking up from the first input (or `--config`),
//! unknown keys rejected with their position.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

pub const FILE_NAMES: [&str; 2] = ["pplint.toml", ".pplint.toml"];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// `critical`, `high`, `medium`, `low`, `info` or `never`.
    pub fail_on: Option<FailOnSetting>,
    pub min_confidence: Option<ConfidenceSetting>,
    pub persona: Option<PersonaSetting>,
    /// `dev`, `test` or `prod` (ALM003).
    pub target: Option<TargetSetting>,
    /// Baseline file, relative to the config file.
    pub baseline: Option<PathBuf>,
    #[serde(default)]
    pub rules: RulesConfig,
    /// Findings dropped by rule and path (counted as ignored).
    #[serde(default)]
    pub ignore: Vec<IgnoreEntry>,
    /// Findings accepted with a reason (listed as suppressed, never failing the run).
    #[serde(default)]
    pub suppress: Vec<SuppressEntry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOnSetting {
    Critical,
    High,
    Medium,
    Low,
    Info,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConfidenceSetting {
    Low,
    Medium,
    High,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PersonaSetting {
    Regular,
    Pedantic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetSetting {
    Dev,
    Test,
    Prod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeveritySetting {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RulesConfig {
    /// Rule IDs, ID prefixes (`AGT`), names, pillars (`Security`) or tags.
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Severity per rule ID, e.g. `AGT002 = "high"`.
    #[serde(default)]
    pub severity: BTreeMap<String, SeveritySetting>,
    /// Rule options per rule ID, e.g. `[rules.options.KNW001] owned_domains = […]`.
    #[serde(default)]
    pub options: BTreeMap<String, toml::Table>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct IgnoreEntry {
    /// Rule IDs or prefixes; empty = every rule.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Globs over the path inside the solution (`Workflows/Legacy*`, `**/data`).
    pub paths: Vec<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SuppressEntry {
    /// A rule ID or prefix.
    pub rule: String,
    /// Glob over the component identity (`bot:cr961_*`) or its name after the colon.
    pub component: Option<String>,
    /// Glob over the path inside the solution.
    pub path: Option<String>,
    pub reason: String,
    /// `YYYY-MM-DD`: after this day the suppression no longer applies.
    pub expires: Option<toml::value::Datetime>,
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{path}: cannot read: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
}

/// The config file for `input`: the first `pplint.toml` in it or above it.
pub fn discover(input: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(input).ok()?;
    let start = if absolute.is_dir() {
        absolute
    } else {
        absolute.parent()?.to_path_buf()
    };
    start
        .ancestors()
        .flat_map(|dir| FILE_NAMES.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    parse(&text, &shown)
}

pub fn parse(text: &str, shown: &str) -> Result<Config, ConfigError> {
    toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start).min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ConfigError::Invalid {
            path: shown.to_string(),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })
}

/// `*` matches within one path segment, `**` across segments, `?` one character.
/// Matching ignores ASCII case, as Power Platform folder names vary in case.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    fn go(p: &[u8], t: &[u8]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some(b'*') if p.get(1) == Some(&b'*') => {
                let rest = p[2..].strip_prefix(b"/").unwrap_or(&p[2..]);
                (0..=t.len()).any(|i| go(rest, &t[i..]))
            }
            Some(b'*') => (0..=t.len())
                .take_while(|&i| i == 0 || t[i - 1] != b'/')
                .any(|i| go(&p[1..], &t[i..])),
            Some(b'?') => !t.is_empty() && t[0] != b'/' && go(&p[1..], &t[1..]),
            Some(&c) => !t.is_empty() && t[0].eq_ignore_ascii_case(&c) && go(&p[1..], &t[1..]),
        }
    }
    go(pattern.as_bytes(), text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match(
            "Workflows/Legacy*",
            "Workflows/LegacyFlow-1.json"
        ));
        assert!(!glob_match(
            "Workflows/Legacy*",
            "Workflows/sub/LegacyFlow.json"
        ));
        assert!(glob_match("**/data", "botcomponents/x.topic.A/data"));
        assert!(glob_match(
            "bot:cr961_*",
            "bot:cr961_hackathonHealthcareBot"
        ));
        assert!(glob_match("workflows/*.json", "Workflows/A.json"));
        assert!(glob_match("a?c", "abc") && !glob_match("a?c", "a/c"));
    }

    #[test]
    fn unknown_keys_are_rejected_with_their_position() {
        let err = parse(
            "fail-on = \"high\"\n[rules]\nselekt = [\"AGT\"]\n",
            "pplint.toml",
        )
        .expect_err("unknown key");
        let text = err.to_string();
        assert!(text.starts_with("pplint.toml:3:1:"), "{text}");
        assert!(text.contains("selekt"), "{text}");
    }

    #[test]
    fn a_full_config_parses() {
        let config = parse(
            r#"
fail-on = "medium"
min-confidence = "low"
persona = "pedantic"
target = "prod"
baseline = "pplint-baseline.json"
[rules]
select = ["AGT", "Security"]
ignore = ["KNW006"]
[rules.severity]
AGT002 = "high"
[rules.options.KNW001]
owned_domains = ["contoso.com"]
[[ignore]]
rules = ["FLW007"]
paths = ["Workflows/Legacy*"]
reason = "legacy flows, tracked in ABC-123"
[[suppress]]
rule = "AGT001"
component = "bot:cnt_public*"
reason = "public FAQ agent, reviewed by security"
expires = 2027-06-30
"#,
            "pplint.toml",
        )
        .expect("valid");
        assert_eq!(config.fail_on, Some(FailOnSetting::Medium));
        assert_eq!(
            config.rules.severity.get("AGT002"),
            Some(&SeveritySetting::High)
        );
        assert_eq!(
            config.suppress[0].expires.map(|d| d.to_string()).as_deref(),
            Some("2027-06-30")
        );
    }
}
