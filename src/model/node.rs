//! One read-only view over JSON and YAML trees, so settings that live in
//! `configuration.json` (exports) or `settings.mcs.yml` (workspaces) are read
//! by the same code.

use crate::parse::{JsonKind, JsonValue, YamlKind, YamlNode};
use crate::source::Span;

#[derive(Clone, Copy, Debug)]
pub enum Node<'a> {
    Json(&'a JsonValue),
    Yaml(&'a YamlNode),
}

/// A member of a mapping: its key, the key's span, and the value.
#[derive(Clone, Copy, Debug)]
pub struct Member<'a> {
    pub key: &'a str,
    pub key_span: Span,
    pub value: Node<'a>,
}

impl<'a> Node<'a> {
    pub fn span(self) -> Span {
        match self {
            Node::Json(v) => v.span,
            Node::Yaml(v) => v.span,
        }
    }

    pub fn members(self) -> Vec<Member<'a>> {
        match self {
            Node::Json(v) => v
                .members()
                .iter()
                .map(|m| Member {
                    key: &m.key,
                    key_span: m.key_span,
                    value: Node::Json(&m.value),
                })
                .collect(),
            Node::Yaml(v) => v
                .entries()
                .iter()
                .filter_map(|e| {
                    Some(Member {
                        key: e.key.as_str()?,
                        key_span: e.key.span,
                        value: Node::Yaml(&e.value),
                    })
                })
                .collect(),
        }
    }

    pub fn member(self, key: &str) -> Option<Member<'a>> {
        self.members().into_iter().find(|m| m.key == key)
    }

    pub fn get(self, key: &str) -> Option<Node<'a>> {
        match self {
            Node::Json(v) => v.get(key).map(Node::Json),
            Node::Yaml(v) => v.get(key).map(Node::Yaml),
        }
    }

    pub fn path(self, keys: &[&str]) -> Option<Node<'a>> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    pub fn items(self) -> Vec<Node<'a>> {
        match self {
            Node::Json(v) => v.items().iter().map(Node::Json).collect(),
            Node::Yaml(v) => v.items().iter().map(Node::Yaml).collect(),
        }
    }

    pub fn as_bool(self) -> Option<bool> {
        match self {
            Node::Json(v) => v.as_bool(),
            Node::Yaml(v) => v.as_bool(),
        }
    }

    /// A scalar as text (JSON numbers and booleans as written); `None` for null.
    pub fn as_text(self) -> Option<String> {
        match self {
            Node::Json(v) if v.is_null() => None,
            Node::Json(v) => v.scalar_text(),
            Node::Yaml(v) => v.as_text().map(str::to_string),
        }
    }

    pub fn is_null(self) -> bool {
        match self {
            Node::Json(v) => v.is_null(),
            Node::Yaml(v) => v.is_null(),
        }
    }

    pub fn is_map(self) -> bool {
        match self {
            Node::Json(v) => matches!(v.kind, JsonKind::Object(_)),
            Node::Yaml(v) => matches!(v.kind, YamlKind::Map(_)),
        }
    }

    /// The object's type tag: `$kind` in exports, `kind` in workspaces.
    pub fn kind_name(self) -> Option<String> {
        self.get("$kind")
            .or_else(|| self.get("kind"))
            .and_then(Node::as_text)
    }
}

/// Appends a key to a JSON-pointer style logical path (RFC 6901 escaping).
pub fn join_pointer(base: &str, key: &str) -> String {
    let mut out = String::with_capacity(base.len() + key.len() + 1);
    out.push_str(base);
    push_key(&mut out, key);
    out
}

fn push_key(out: &mut String, key: &str) {
    out.push('/');
    if memchr::memchr2(b'~', b'/', key.as_bytes()).is_some() {
        out.push_str(&key.replace('~', "~0").replace('/', "~1"));
    } else {
        out.push_str(key);
    }
}

/// One step of a logical path.
#[derive(Clone, Copy, Debug)]
pub enum Segment<'a> {
    Key(&'a str),
    Index(usize),
    /// A list item with an `id`: `[id=…]` (RULES.md §14).
    Id(&'a str),
}

impl<'a> Segment<'a> {
    /// The segment of item `index` of a YAML list: its `id` when it has one.
    pub fn item(item: &'a YamlNode, index: usize) -> Segment<'a> {
        item.id().map_or(Segment::Index(index), Segment::Id)
    }
}

/// The logical paths of the nodes a tree walk passes, kept as parent links and
/// formatted only for the nodes a caller reports: walks pass every node of
/// every component, and most of them are never reported.
#[derive(Debug)]
pub struct Trail<'a> {
    base: String,
    links: Vec<(usize, Segment<'a>)>,
}

impl<'a> Trail<'a> {
    /// A trail whose root (step [`Trail::ROOT`]) is at `base`.
    pub fn new(base: impl Into<String>) -> Trail<'a> {
        Trail {
            base: base.into(),
            links: vec![(0, Segment::Index(0))],
        }
    }

    pub const ROOT: usize = 0;

    /// The step `segment` below step `parent`.
    pub fn push(&mut self, parent: usize, segment: Segment<'a>) -> usize {
        self.links.push((parent, segment));
        self.links.len() - 1
    }

    /// The logical path of step `at`.
    pub fn pointer(&self, mut at: usize) -> String {
        let mut segments = Vec::new();
        while at != Trail::ROOT {
            let (parent, segment) = self.links[at];
            segments.push(segment);
            at = parent;
        }
        // Room for the usual case (no escapes, short indexes): one allocation.
        let room: usize = segments
            .iter()
            .map(|segment| match segment {
                Segment::Key(key) => key.len() + 1,
                Segment::Index(_) => 4,
                Segment::Id(id) => id.len() + 6,
            })
            .sum();
        let mut out = String::with_capacity(self.base.len() + room);
        out.push_str(&self.base);
        for segment in segments.into_iter().rev() {
            match segment {
                Segment::Key(key) => push_key(&mut out, key),
                Segment::Index(i) => {
                    use std::fmt::Write;
                    let _ = write!(out, "/{i}");
                }
                Segment::Id(id) => {
                    out.push_str("/[id=");
                    out.push_str(id);
                    out.push(']');
                }
            }
        }
        out
    }
}

/// A mapping with a `kind` in a YAML tree, with its logical path.
#[derive(Clone, Debug)]
pub struct Kinded<'a> {
    pub kind: &'a str,
    pub node: &'a YamlNode,
    pub path: String,
}

/// Every mapping with a `kind` at any depth, in document order, with its logical
/// path (`/beginDialog/actions/[id=search-content]`, RULES.md §14). The model
/// builds this once per component so rules look kinds up instead of walking.
pub fn kinded_nodes(root: &YamlNode) -> Vec<Kinded<'_>> {
    let is_container = |n: &YamlNode| matches!(n.kind, YamlKind::Map(_) | YamlKind::Seq(_));
    let mut found = Vec::new();
    let mut trail = Trail::new("");
    let mut stack: Vec<(&YamlNode, usize)> = vec![(root, Trail::ROOT)];
    while let Some((node, at)) = stack.pop() {
        match &node.kind {
            YamlKind::Map(entries) => {
                if let Some(kind) = node.kind_name() {
                    found.push(Kinded {
                        kind,
                        node,
                        path: trail.pointer(at),
                    });
                }
                for entry in entries.iter().rev() {
                    if let Some(key) = entry.key.as_str().filter(|_| is_container(&entry.value)) {
                        stack.push((&entry.value, trail.push(at, Segment::Key(key))));
                    }
                }
            }
            YamlKind::Seq(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    if is_container(item) {
                        stack.push((item, trail.push(at, Segment::item(item, i))));
                    }
                }
            }
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinded_nodes_have_document_order_and_id_paths() {
        let raw = "kind: AdaptiveDialog\nbeginDialog:\n  actions:\n    - kind: SearchAndSummarizeContent\n      id: search-content\n    - kind: ConditionGroup\n      conditions:\n        - actions:\n            - kind: SearchAndSummarizeContent\n  a/b~c:\n    kind: X\n";
        let doc = crate::parse::yaml::parse(raw, 0).expect("yaml");
        let found: Vec<(&str, String)> = kinded_nodes(&doc)
            .into_iter()
            .map(|k| (k.kind, k.path))
            .collect();
        assert_eq!(
            found,
            [
                ("AdaptiveDialog", String::new()),
                (
                    "SearchAndSummarizeContent",
                    "/beginDialog/actions/[id=search-content]".to_string()
                ),
                ("ConditionGroup", "/beginDialog/actions/1".to_string()),
                (
                    "SearchAndSummarizeContent",
                    "/beginDialog/actions/1/conditions/0/actions/0".to_string()
                ),
                ("X", "/beginDialog/a~1b~0c".to_string()),
            ]
        );
    }

    #[test]
    fn trail_formats_only_what_is_asked_with_pointer_escapes() {
        let mut trail = Trail::new("/base");
        let a = trail.push(Trail::ROOT, Segment::Key("x/y"));
        let b = trail.push(a, Segment::Index(3));
        let c = trail.push(b, Segment::Id("n1"));
        assert_eq!(trail.pointer(Trail::ROOT), "/base");
        assert_eq!(trail.pointer(c), "/base/x~1y/3/[id=n1]");
        assert_eq!(join_pointer("/p", "a~b"), "/p/a~0b");
    }
}
