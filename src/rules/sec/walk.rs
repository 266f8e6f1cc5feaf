//! Enumerates the string values of JSON and YAML trees with their logical
//! paths and the key (and parent key) they are the value of, and reports
//! secret hits at exact file spans. Shared by the SEC rules.

use crate::finding::ComponentRef;
use crate::model::node::{Segment, Trail};
use crate::model::{Loc, Solution};
use crate::parse::{JsonKind, JsonValue, YamlKind, YamlNode};
use crate::rules::RuleContext;
use crate::source::{FileId, Span};

use super::secrets::{self, Context, SecretHit, SecretKind, Syntax};

/// A string value found in a tree.
#[derive(Clone, Debug)]
pub struct StringAt<'a> {
    pub text: &'a str,
    pub span: Span,
    /// Its step in the walk's [`Trail`].
    pub at: usize,
    /// The key this is the value of (for an array item: the array's key).
    pub key: Option<&'a str>,
    /// The key of the enclosing object.
    pub parent: Option<&'a str>,
}

/// The strings of a tree and the trail that gives their logical paths.
pub struct Strings<'a> {
    pub items: Vec<StringAt<'a>>,
    trail: Trail<'a>,
}

impl<'a> Strings<'a> {
    pub fn path(&self, s: &StringAt<'_>) -> String {
        self.trail.pointer(s.at)
    }

    /// Where string `s` of this walk is, in `file` of `component`.
    pub fn target(
        &self,
        s: &StringAt<'a>,
        component: &ComponentRef,
        file: FileId,
        location: String,
    ) -> Target<'a> {
        Target {
            component: component.clone(),
            file,
            token: s.span,
            decoded: s.text,
            path: self.path(s),
            location,
        }
    }
}

/// Every string of a JSON tree, depth first; `skip` names keys whose subtrees are ignored.
pub fn json_strings<'a>(root: &'a JsonValue, base: &str, skip: &[&str]) -> Strings<'a> {
    let mut items = Vec::new();
    let mut trail = Trail::new(base);
    let mut stack: Vec<(&'a JsonValue, usize, Option<&'a str>, Option<&'a str>)> =
        vec![(root, Trail::ROOT, None, None)];
    while let Some((node, at, key, parent)) = stack.pop() {
        match &node.kind {
            JsonKind::String(s) => items.push(StringAt {
                text: s,
                span: node.span,
                at,
                key,
                parent,
            }),
            JsonKind::Object(members) => {
                for m in members.iter().rev() {
                    if skip.iter().any(|s| s.eq_ignore_ascii_case(&m.key)) {
                        continue;
                    }
                    let step = trail.push(at, Segment::Key(&m.key));
                    stack.push((&m.value, step, Some(&m.key), key));
                }
            }
            JsonKind::Array(array) => {
                for (i, item) in array.iter().enumerate().rev() {
                    stack.push((item, trail.push(at, Segment::Index(i)), key, parent));
                }
            }
            _ => {}
        }
    }
    Strings { items, trail }
}

/// Every scalar of a YAML tree, with `[id=…]` path segments for list items that
/// have an id (RULES.md §14).
pub fn yaml_strings<'a>(root: &'a YamlNode, base: &str, skip: &[&str]) -> Strings<'a> {
    let mut items = Vec::new();
    let mut trail = Trail::new(base);
    let mut stack: Vec<(&'a YamlNode, usize, Option<&'a str>, Option<&'a str>)> =
        vec![(root, Trail::ROOT, None, None)];
    while let Some((node, at, key, parent)) = stack.pop() {
        match &node.kind {
            YamlKind::Scalar { value, .. } => {
                if !node.is_null() {
                    items.push(StringAt {
                        text: value,
                        span: node.span,
                        at,
                        key,
                        parent,
                    });
                }
            }
            YamlKind::Map(entries) => {
                for e in entries.iter().rev() {
                    let Some(k) = e.key.as_str() else { continue };
                    if skip.contains(&k) {
                        continue;
                    }
                    stack.push((&e.value, trail.push(at, Segment::Key(k)), Some(k), key));
                }
            }
            YamlKind::Seq(list) => {
                for (i, item) in list.iter().enumerate().rev() {
                    let step = trail.push(at, Segment::item(item, i));
                    stack.push((item, step, key, parent));
                }
            }
            YamlKind::Alias => {}
        }
    }
    Strings { items, trail }
}

/// The raw text of `span` in `file` (empty when not valid UTF-8 there).
pub fn raw<'s>(solution: &Solution<'s>, file: FileId, span: Span) -> &'s str {
    let bytes = &solution.file(file).bytes;
    bytes
        .get(span.range())
        .and_then(|b| std::str::from_utf8(b).ok())
        .unwrap_or("")
}

/// The file span of `range` of a value whose token is at `token` and whose
/// decoded text is `decoded`.
pub fn span_of(
    solution: &Solution<'_>,
    file: FileId,
    token: Span,
    decoded: &str,
    range: std::ops::Range<usize>,
) -> Span {
    let raw_token = raw(solution, file, token);
    let inner = secrets::locate(raw_token, decoded, range);
    let start = token.start as usize;
    Span::new(start + inner.start, start + inner.end)
}

/// Where a value is, for SEC001's message and finding.
pub struct Target<'t> {
    pub component: ComponentRef,
    pub file: FileId,
    /// The string token (JSON string with quotes, YAML scalar, XML text).
    pub token: Span,
    pub decoded: &'t str,
    pub path: String,
    /// "{location}" of the message.
    pub location: String,
}

/// Scans a value and reports every hit as a SEC001-style finding; `target` is
/// built only when there is one.
pub fn report_secrets<'t>(
    solution: &Solution<'_>,
    cx: &mut RuleContext<'_>,
    decoded: &str,
    syntax: Syntax,
    context: Context,
    thresholds: &secrets::Thresholds,
    target: impl FnOnce() -> Target<'t>,
) {
    let hits = secrets::scan_with(decoded, syntax, context, thresholds);
    if !hits.is_empty() {
        report_hits(solution, cx, &target(), hits);
    }
}

pub fn report_hits(
    solution: &Solution<'_>,
    cx: &mut RuleContext<'_>,
    target: &Target<'_>,
    hits: Vec<SecretHit>,
) {
    for hit in hits {
        let span = span_of(
            solution,
            target.file,
            target.token,
            target.decoded,
            hit.range.clone(),
        );
        cx.report(
            target.component.clone(),
            &Loc::new(target.file, span, target.path.clone()),
            format!(
                "{} credential in {}: {}.",
                hit.kind.label(),
                target.location,
                hit.redacted
            ),
        )
        .confidence(hit.confidence)
        .label(match hit.kind {
            SecretKind::FieldValue => "hard-coded secret".to_string(),
            SecretKind::HighEntropy => "high-entropy literal".to_string(),
            kind => format!("hard-coded {}", kind.label()),
        })
        .discriminator(hit.sha256.clone())
        .sensitive(hit.redacted.clone());
    }
}
