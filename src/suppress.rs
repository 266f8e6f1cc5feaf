//! The one place where configuration filters findings, in this order: severity
//! remaps, path ignores (dropped, counted), suppressions (kept, marked), then the
//! baseline (kept, marked). Nothing disappears silently.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::{Config, SeveritySetting, glob_match};
use crate::finding::{Finding, Severity, Suppression, SuppressionKind};

/// What filtering did, for the summary and for stderr notes.
#[derive(Debug, Default)]
pub struct Applied {
    pub ignored: usize,
    pub suppressed: usize,
    pub baselined: usize,
    /// Human-readable warnings (expired suppressions, stale baseline entries).
    pub notes: Vec<String>,
    pub stale_baseline: Vec<BaselineEntry>,
}

fn rule_matches(pattern: &str, finding: &Finding) -> bool {
    let p = pattern.trim();
    !p.is_empty()
        && (finding.rule.id.len() >= p.len() && finding.rule.id[..p.len()].eq_ignore_ascii_case(p)
            || finding.rule.name.eq_ignore_ascii_case(p))
}

fn to_severity(s: SeveritySetting) -> Severity {
    match s {
        SeveritySetting::Critical => Severity::Critical,
        SeveritySetting::High => Severity::High,
        SeveritySetting::Medium => Severity::Medium,
        SeveritySetting::Low => Severity::Low,
        SeveritySetting::Info => Severity::Info,
    }
}

/// Applies `config` to `findings`. `path_of` gives a finding's path inside its
/// solution; `today` is `YYYY-MM-DD` (for suppression expiry).
pub fn apply(
    findings: &mut Vec<Finding>,
    config: &Config,
    path_of: &dyn Fn(&Finding) -> String,
    today: &str,
    use_suppressions: bool,
) -> Applied {
    let mut applied = Applied::default();
    for finding in findings.iter_mut() {
        if let Some((_, severity)) = config
            .rules
            .severity
            .iter()
            .find(|(id, _)| id.eq_ignore_ascii_case(finding.rule.id))
        {
            finding.severity = to_severity(*severity);
        }
    }
    let before = findings.len();
    findings.retain(|f| {
        let path = path_of(f);
        !config.ignore.iter().any(|entry| {
            (entry.rules.is_empty() || entry.rules.iter().any(|r| rule_matches(r, f)))
                && entry.paths.iter().any(|p| glob_match(p, &path))
        })
    });
    applied.ignored = before - findings.len();
    if !use_suppressions {
        return applied;
    }
    let mut expired_reported = BTreeSet::new();
    for finding in findings.iter_mut() {
        let path = path_of(finding);
        for (index, entry) in config.suppress.iter().enumerate() {
            if !rule_matches(&entry.rule, finding) {
                continue;
            }
            let identity = &finding.component.identity;
            let name = identity
                .split_once(':')
                .map_or(identity.as_str(), |(_, n)| n);
            if let Some(pattern) = &entry.component
                && !glob_match(pattern, identity)
                && !glob_match(pattern, name)
            {
                continue;
            }
            if let Some(pattern) = &entry.path
                && !glob_match(pattern, &path)
            {
                continue;
            }
            if let Some(expires) = &entry.expires {
                let date = expires.to_string();
                if date.get(..10).is_some_and(|d| d < today) {
                    if expired_reported.insert(index) {
                        applied.notes.push(format!(
                            "suppression of {} ({}) expired on {date}; its findings are reported again",
                            entry.rule,
                            entry.reason.trim()
                        ));
                    }
                    continue;
                }
            }
            finding.suppression = Some(Suppression {
                kind: SuppressionKind::Config,
                reason: entry.reason.trim().to_string(),
            });
            applied.suppressed += 1;
            break;
        }
    }
    applied
}

/// A baseline file: the fingerprints of accepted findings.
#[derive(Debug, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub rule_id: String,
    pub component: String,
    pub file: String,
    pub message: String,
}

pub fn baseline_of(findings: &[Finding], path_of: &dyn Fn(&Finding) -> String) -> Baseline {
    let mut entries: Vec<BaselineEntry> = findings
        .iter()
        .filter(|f| !f.is_suppressed())
        .map(|f| BaselineEntry {
            fingerprint: f.fingerprint(),
            rule_id: f.rule.id.to_string(),
            component: f.component.identity.clone(),
            file: path_of(f),
            message: f.message.clone(),
        })
        .collect();
    entries.sort();
    entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
    Baseline {
        version: 1,
        findings: entries,
    }
}

pub fn read_baseline(path: &Path) -> Result<Baseline, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read the baseline: {e}", path.display()))?;
    let baseline: Baseline = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a pplint baseline: {e}", path.display()))?;
    if baseline.version != 1 {
        return Err(format!(
            "{}: unsupported baseline version {}",
            path.display(),
            baseline.version
        ));
    }
    Ok(baseline)
}

/// Marks findings recorded in `baseline`; returns the entries that matched nothing.
pub fn apply_baseline(findings: &mut [Finding], baseline: &Baseline, applied: &mut Applied) {
    let mut matched = BTreeSet::new();
    for finding in findings.iter_mut() {
        let fingerprint = finding.fingerprint_str();
        if baseline
            .findings
            .iter()
            .any(|e| e.fingerprint == fingerprint)
        {
            matched.insert(fingerprint.to_string());
            if finding.suppression.is_none() {
                finding.suppression = Some(Suppression {
                    kind: SuppressionKind::Baseline,
                    reason: "in the baseline".to_string(),
                });
                applied.baselined += 1;
            }
        }
    }
    applied.stale_baseline = baseline
        .findings
        .iter()
        .filter(|e| !matched.contains(&e.fingerprint))
        .cloned()
        .collect();
}

/// Today as `YYYY-MM-DD` (UTC).
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date(i64::try_from(secs / 86_400).unwrap_or(0))
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_420), "2025-11-28");
        assert_eq!(civil_date(11_016), "2000-02-29");
    }
}
