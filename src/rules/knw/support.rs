//! Pieces shared by the KNW rules: agent names, site URLs, YAML walks.

use crate::model::node::{Segment, Trail};
use crate::model::{Component, Solution};
use crate::parse::{YamlKind, YamlNode};

/// The name of the agent a component belongs to: the agent's display name, else
/// the parent schema name or component collection, else the component itself.
pub fn agent_label(solution: &Solution<'_>, component: &Component<'_>) -> String {
    solution
        .owner_label(component)
        .unwrap_or_else(|| component.label().to_string())
}

/// A knowledge site as written (`https://Contoso.com/Docs/`), taken apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteUrl {
    /// Lower-case host without port; `None` for Power Fx or text with no host.
    pub host: Option<String>,
    /// The path without query or fragment, as written (`/Docs/`), `` when absent.
    pub path: String,
    /// Stable form for fingerprints: lower-case scheme and host, no default port,
    /// no query, fragment or trailing `/` (the root stays `/`).
    pub normalised: String,
}

impl SiteUrl {
    pub fn parse(text: &str) -> SiteUrl {
        let text = text.trim();
        if text.starts_with('=') || text.is_empty() {
            return SiteUrl {
                host: None,
                path: String::new(),
                normalised: text.to_string(),
            };
        }
        let (scheme, rest) = match text.split_once("://") {
            Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
            None => ("https".to_string(), text),
        };
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = rest.get(..authority_end).unwrap_or(rest);
        let after = rest.get(authority_end..).unwrap_or("");
        let path = after.split(['?', '#']).next().unwrap_or("").to_string();
        let host_port = authority.rsplit('@').next().unwrap_or(authority);
        let (host, port) = if let Some(bracketed) = host_port.strip_prefix('[') {
            match bracketed.split_once(']') {
                Some((h, p)) => (h, p.strip_prefix(':')),
                None => (bracketed, None),
            }
        } else {
            match host_port.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (host_port, None),
            }
        };
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let port = port.filter(|p| {
            !p.is_empty() && !matches!((scheme.as_str(), *p), ("https", "443") | ("http", "80"))
        });
        let trimmed = path.trim_end_matches('/');
        let normalised = format!(
            "{scheme}://{host}{}{}",
            port.map(|p| format!(":{p}")).unwrap_or_default(),
            if trimmed.is_empty() { "/" } else { trimmed }
        );
        SiteUrl {
            host: (!host.is_empty()).then_some(host),
            path,
            normalised,
        }
    }

    /// The non-empty path segments (`/sites/hr/` → `["sites", "hr"]`).
    pub fn segments(&self) -> Vec<&str> {
        self.path.split('/').filter(|s| !s.is_empty()).collect()
    }

    /// No path beyond the host: `https://contoso.com` or `https://contoso.com/`.
    pub fn is_root(&self) -> bool {
        self.host.is_some() && self.segments().is_empty()
    }
}

/// Whether `host` is `domain` or one of its subdomains (`*.domain`).
pub fn host_in(host: &str, domains: &[String]) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    domains.iter().any(|d| {
        let d = d
            .trim()
            .trim_start_matches("*.")
            .trim_start_matches('.')
            .trim_end_matches('.')
            .to_ascii_lowercase();
        !d.is_empty()
            && (host == d
                || host
                    .strip_suffix(d.as_str())
                    .is_some_and(|rest| rest.ends_with('.')))
    })
}

/// Every mapping at any depth (the root included) that `keep` accepts, with its
/// logical path (RULES.md §14), in document order. Paths are formatted only for
/// the mappings kept.
pub fn find_maps(root: &YamlNode, keep: impl Fn(&YamlNode) -> bool) -> Vec<(&YamlNode, String)> {
    let mut found = Vec::new();
    let mut trail = Trail::new("");
    let mut stack: Vec<(&YamlNode, usize)> = vec![(root, Trail::ROOT)];
    while let Some((node, at)) = stack.pop() {
        match &node.kind {
            YamlKind::Map(entries) => {
                if keep(node) {
                    found.push((node, trail.pointer(at)));
                }
                for entry in entries.iter().rev() {
                    if let Some(key) = entry.key.as_str() {
                        stack.push((&entry.value, trail.push(at, Segment::Key(key))));
                    }
                }
            }
            YamlKind::Seq(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    stack.push((item, trail.push(at, Segment::item(item, i))));
                }
            }
            _ => {}
        }
    }
    found
}

/// Null, an empty or blank scalar, `[]` or `{}`.
pub fn is_empty_value(node: &YamlNode) -> bool {
    match &node.kind {
        YamlKind::Scalar { .. } => node.as_text().is_none_or(str::is_empty),
        YamlKind::Seq(items) => items.is_empty(),
        YamlKind::Map(entries) => entries.is_empty(),
        YamlKind::Alias => false,
    }
}
