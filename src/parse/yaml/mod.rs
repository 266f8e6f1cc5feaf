//! A YAML node tree with byte spans.
//!
//! The block-style YAML that Copilot Studio writes is read directly from the
//! bytes (`block`); anything else goes through saphyr-parser events (`events`),
//! which also tolerates what Copilot Studio accepts and strict YAML rejects: a plain key
//! starting with `@` (`@odata.nextLink:`) and a Markdown code fence around the
//! document. Aliases are kept as aliases, never expanded (no alias bombs).

use crate::source::Span;

use super::SyntaxError;

mod block;
mod events;

#[derive(Clone, Debug, PartialEq)]
pub struct YamlNode {
    /// A scalar's text as written (quotes included; block scalars from the first
    /// content line, trailing line breaks excluded).
    pub span: Span,
    pub kind: YamlKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum YamlKind {
    Scalar { value: Box<str>, plain: bool },
    Seq(Box<[YamlNode]>),
    Map(Box<[YamlEntry]>),
    Alias,
}

#[derive(Clone, Debug, PartialEq)]
pub struct YamlEntry {
    pub key: YamlNode,
    pub value: YamlNode,
}

impl YamlEntry {
    pub fn key_str(&self) -> Option<&str> {
        self.key.as_str()
    }
}

impl YamlNode {
    pub fn entries(&self) -> &[YamlEntry] {
        match &self.kind {
            YamlKind::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[YamlNode] {
        match &self.kind {
            YamlKind::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn entry(&self, key: &str) -> Option<&YamlEntry> {
        self.entries().iter().find(|e| e.key_str() == Some(key))
    }

    pub fn get(&self, key: &str) -> Option<&YamlNode> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn path(&self, keys: &[&str]) -> Option<&YamlNode> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            YamlKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// A scalar that is not null: the text, trimmed.
    pub fn as_text(&self) -> Option<&str> {
        if self.is_null() {
            return None;
        }
        self.as_str().map(str::trim)
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            YamlKind::Scalar { value, plain: true } => match &**value {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match &self.kind {
            YamlKind::Scalar { value, plain: true } => value.trim().parse().ok(),
            _ => None,
        }
    }

    /// An empty plain scalar, `~` or `null`.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, YamlKind::Scalar { value, plain: true } if matches!(&**value, "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The `kind:` of a Copilot Studio object.
    pub fn kind_name(&self) -> Option<&str> {
        self.get("kind").and_then(YamlNode::as_str)
    }

    pub fn id(&self) -> Option<&str> {
        self.get("id").and_then(YamlNode::as_str)
    }
}

/// Parses the first document of `text` (BOM already removed); spans are offset by `base`.
/// An empty document gives an empty map.
pub fn parse(text: &str, base: usize) -> Result<YamlNode, SyntaxError> {
    match block::parse(text, base) {
        Some(node) => Ok(node),
        None => events::parse(text, base),
    }
}

/// Reads `text` with both readers: `Ok(true)` when the block reader accepted it
/// and built the event parser's tree, `Ok(false)` when it declined, and `Err`
/// with the first difference otherwise.
pub(crate) fn compare_readers(text: &str) -> Result<bool, String> {
    let Some(block) = block::parse(text, 0) else {
        return Ok(false);
    };
    let events = events::parse(text, 0);
    if events.as_ref() == Ok(&block) {
        return Ok(true);
    }
    let ours = format!("{block:?}");
    let theirs = match events {
        Ok(node) => format!("{node:?}"),
        Err(err) => format!("{err:?}"),
    };
    let at = ours
        .bytes()
        .zip(theirs.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(ours.len().min(theirs.len()));
    let from = at.saturating_sub(120);
    let window = |s: &str| {
        let start = (from..=at).find(|&i| s.is_char_boundary(i)).unwrap_or(at);
        let end = (at + 120..s.len())
            .find(|&i| s.is_char_boundary(i))
            .unwrap_or(s.len());
        s[start..end.max(start)].to_string()
    };
    Err(format!(
        "the block reader and the event parser differ on {text:?}
 block: …{}…
events: …{}…",
        window(&ours),
        window(&theirs)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of<'a>(raw: &'a str, node: &YamlNode) -> &'a str {
        &raw[node.span.range()]
    }

    #[test]
    fn spans_with_bom_crlf_and_non_ascii() {
        let raw = "\u{feff}kind: AdaptiveDialog\r\nbeginDialog:\r\n  actions:\r\n    - kind: SendActivity\r\n      id: héllo\r\n      activity: |-\r\n        Grüße\r\n        world\r\n      q: \"a\\\"b\"\r\n";
        let doc = parse(&raw[3..], 3).expect("valid YAML");
        assert_eq!(doc.kind_name(), Some("AdaptiveDialog"));
        let action = &doc
            .path(&["beginDialog", "actions"])
            .expect("actions")
            .items()[0];
        assert_eq!(text_of(raw, action.get("id").expect("id")), "héllo");
        let activity = action.get("activity").expect("activity");
        assert_eq!(activity.as_str(), Some("Grüße\nworld"));
        assert_eq!(text_of(raw, activity), "Grüße\r\n        world");
        assert_eq!(text_of(raw, action.get("q").expect("q")), "\"a\\\"b\"");
        assert_eq!(text_of(raw, &doc.entries()[0].key), "kind");
    }

    #[test]
    fn unquoted_at_key_is_accepted() {
        let raw = "value:\n  @odata.nextLink: =Topic.x\n  b: 1\n";
        let doc = parse(raw, 0).expect("tolerated");
        let value = doc.get("value").expect("map");
        assert_eq!(value.entries()[0].key_str(), Some("@odata.nextLink"));
        assert_eq!(text_of(raw, &value.entries()[0].key), "@odata.nextLink");
        assert_eq!(value.get("b").and_then(YamlNode::as_i64), Some(1));
    }

    #[test]
    fn empty_values_flow_collections_and_fences() {
        let raw = "```CopilotStudio\ninstructions:\ne: {}\nm: [a, b]\n```\n";
        let doc = parse(raw, 0).expect("fenced YAML");
        assert!(doc.get("instructions").expect("key").is_null());
        assert_eq!(text_of(raw, doc.get("e").expect("e")), "{}");
        assert_eq!(text_of(raw, doc.get("m").expect("m")), "[a, b]");
    }

    #[test]
    fn syntax_errors_have_positions() {
        let raw = "a: [1, 2\nb: c\n";
        let err = parse(raw, 0).expect_err("unclosed flow sequence");
        assert!(err.offset > 0 && err.offset <= raw.len());
    }

    #[test]
    fn double_quoted_value_with_inner_quotes_is_tolerated() {
        let raw = "value: \"=[\"Alpha\", \"Beta\"]\"\nnext: 1\n";
        let doc = parse(raw, 0).expect("tolerated");
        assert_eq!(
            doc.get("value").and_then(YamlNode::as_str),
            Some("=[\"Alpha\", \"Beta\"]")
        );
        assert_eq!(doc.get("next").and_then(YamlNode::as_i64), Some(1));
    }

    #[test]
    fn aliases_are_not_expanded() {
        let raw = "a: &x [1, 2]\nb: *x\n";
        let doc = parse(raw, 0).expect("valid");
        assert!(matches!(doc.get("b").expect("b").kind, YamlKind::Alias));
    }

    #[test]
    fn deep_nesting_is_rejected() {
        let raw = "[".repeat(5_000);
        assert!(parse(&raw, 0).is_err());
    }
}
