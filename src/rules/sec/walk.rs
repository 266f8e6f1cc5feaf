//! Enumerates the string values of JSON and YAML trees with their logical
//! paths and the key (and parent key) they are the value of, and reports
//! secret hits at exact file spans. Shared by the SEC rules.

use crate::finding::ComponentRef;
use crate::model::node::join_pointer;
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
    pub path: String,
    /// The key this is the value of (for an array item: the array's key).
    pub key: Option<&'a str>,
    /// The key of the enclosing object.
    pub parent: Option<&'a str>,
}

/// Every string of a JSON tree, depth first; `skip` names keys whose subtrees are ignored.
pub fn json_strings<'a>(root: &'a JsonValue, base: &str, skip: &[&str]) -> Vec<StringAt<'a>> {
    let mut out = Vec::new();
    let mut stack: Vec<(&'a JsonValue, String, Option<&'a str>, Option<&'a str>)> =
        vec![(root, base.to_string(), None, None)];
    while let Some((node, path, key, parent)) = stack.pop() {
        match &node.kind {
            JsonKind::String(s) => out.push(StringAt {
                text: s,
                span: node.span,
                path,
                key,
                parent,
            }),
            JsonKind::Object(members) => {
                for m in members.iter().rev() {
                    if skip.iter().any(|s| s.eq_ignore_ascii_case(&m.key)) {
                        continue;
                    }
                    stack.push((&m.value, join_pointer(&path, &m.key), Some(&m.key), key));
                }
            }
            JsonKind::Array(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    stack.push((item, format!("{path}/{i}"), key, parent));
                }
            }
            _ => {}
        }
    }
    out
}

/// Every scalar of a YAML tree, with `[id=…]` path segments for list items that
/// have an id (RULES.md §14).
pub fn yaml_strings<'a>(root: &'a YamlNode, base: &str, skip: &[&str]) -> Vec<StringAt<'a>> {
    let mut out = Vec::new();
    let mut stack: Vec<(&'a YamlNode, String, Option<&'a str>, Option<&'a str>)> =
        vec![(root, base.to_string(), None, None)];
    while let Some((node, path, key, parent)) = stack.pop() {
        match &node.kind {
            YamlKind::Scalar { value, .. } => {
                if !node.is_null() {
                    out.push(StringAt {
                        text: value,
                        span: node.span,
                        path,
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
                    stack.push((&e.value, join_pointer(&path, k), Some(k), key));
                }
            }
            YamlKind::Seq(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    let segment = match item.id() {
                        Some(id) => format!("[id={id}]"),
                        None => i.to_string(),
                    };
                    stack.push((item, format!("{path}/{segment}"), key, parent));
                }
            }
            YamlKind::Alias => {}
        }
    }
    out
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

/// Scans a value and reports every hit as a SEC001-style finding.
pub fn report_secrets(
    solution: &Solution<'_>,
    cx: &mut RuleContext<'_>,
    target: &Target<'_>,
    syntax: Syntax,
    context: Context,
    thresholds: &secrets::Thresholds,
) {
    let hits = secrets::scan_with(target.decoded, syntax, context, thresholds);
    report_hits(solution, cx, target, hits);
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
