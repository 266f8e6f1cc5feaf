//! Small shared pieces of rule logic.

use std::sync::LazyLock;

use regex::Regex;

use crate::model::node::join_pointer;
use crate::parse::{YamlKind, YamlNode};

/// Every object whose `kind` is one of `kinds`, at any depth, with its logical
/// path (`/beginDialog/actions/[id=search-content]`, RULES.md §14).
pub fn find_kinds<'a>(root: &'a YamlNode, kinds: &[&str]) -> Vec<(&'a YamlNode, String)> {
    let mut found = Vec::new();
    let mut stack: Vec<(&YamlNode, String)> = vec![(root, String::new())];
    while let Some((node, path)) = stack.pop() {
        match &node.kind {
            YamlKind::Map(entries) => {
                if node.kind_name().is_some_and(|k| kinds.contains(&k)) {
                    found.push((node, path.clone()));
                }
                for entry in entries.iter().rev() {
                    if let Some(key) = entry.key.as_str() {
                        stack.push((&entry.value, join_pointer(&path, key)));
                    }
                }
            }
            YamlKind::Seq(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    let segment = match item.id() {
                        Some(id) => format!("[id={id}]"),
                        None => i.to_string(),
                    };
                    stack.push((item, format!("{path}/{segment}")));
                }
            }
            _ => {}
        }
    }
    found
}

/// Content moderation levels, lowest first (RULES.md RAI001).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ModerationLevel {
    Minimum,
    Low,
    Medium,
    High,
    Maximum,
}

impl ModerationLevel {
    pub fn parse(text: &str) -> Option<ModerationLevel> {
        match text.trim().to_ascii_lowercase().as_str() {
            "minimum" | "lowest" => Some(ModerationLevel::Minimum),
            "low" => Some(ModerationLevel::Low),
            "medium" => Some(ModerationLevel::Medium),
            "high" => Some(ModerationLevel::High),
            "maximum" | "highest" => Some(ModerationLevel::Maximum),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ModerationLevel::Minimum => "Minimum",
            ModerationLevel::Low => "Low",
            ModerationLevel::Medium => "Medium",
            ModerationLevel::High => "High",
            ModerationLevel::Maximum => "Maximum",
        }
    }
}

static SECRET_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(secret|passw(or)?d|pwd|api[-_ ]?key|apikey|access[-_ ]?key|client[-_ ]?secret|token|conn(ection)?[-_ ]?string|sas|signature|credential|private[-_ ]?key)",
    )
    .expect("valid regex")
});

/// A name that looks like it holds a secret (RULES.md SEC002), excluding names
/// that end like an address or identifier (`…Endpoint`, `…Url`, `…Id`).
pub fn is_secret_like_name(name: &str) -> bool {
    const NOT_SECRETS: [&str; 7] = ["endpoint", "url", "uri", "name", "id", "host", "version"];
    let lower = name.to_ascii_lowercase();
    SECRET_NAME.is_match(name) && !NOT_SECRETS.iter().any(|s| lower.ends_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_kinds_with_id_paths() {
        let raw = "kind: AdaptiveDialog\nbeginDialog:\n  actions:\n    - kind: SearchAndSummarizeContent\n      id: search-content\n    - kind: ConditionGroup\n      conditions:\n        - actions:\n            - kind: SearchAndSummarizeContent\n";
        let doc = crate::parse::yaml::parse(raw, 0).expect("yaml");
        let found: Vec<String> = find_kinds(&doc, &["SearchAndSummarizeContent"])
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        assert_eq!(
            found,
            [
                "/beginDialog/actions/[id=search-content]",
                "/beginDialog/actions/1/conditions/0/actions/0"
            ]
        );
    }

    #[test]
    fn secret_like_names() {
        assert!(is_secret_like_name("cat_AzureOpenAIAPIKey"));
        assert!(is_secret_like_name("admin_CommandCenterClientSecret"));
        assert!(!is_secret_like_name("cat_AgentTokenEndpoint"));
        assert!(!is_secret_like_name("new_SharePointSite"));
    }

    #[test]
    fn moderation_order() {
        assert!(ModerationLevel::parse("Low") < ModerationLevel::parse("High"));
        assert_eq!(
            ModerationLevel::parse("Highest"),
            Some(ModerationLevel::Maximum)
        );
    }
}
