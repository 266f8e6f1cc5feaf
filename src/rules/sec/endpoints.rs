//! Where endpoints are written (HTTP nodes and actions, connector dataset/site
//! parameters, knowledge sites) and the literal URLs in them. Shared by SEC003
//! and SEC004.

use std::ops::Range;

use crate::finding::ComponentRef;
use crate::model::{Flow, Solution};
use crate::parse::JsonValue;
use crate::rules::helpers::{closing_quote, env_references};
use crate::rules::words::{starts_word, strip_prefix_folded};
use crate::source::{FileId, Span};

use super::secrets::{Context, Syntax, literal_segments};

/// What a field is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// `HttpRequestAction.url` in a topic or tool.
    HttpNodeUrl,
    /// A flow `Http` action's `inputs.uri`.
    HttpActionUri,
    /// A connector action's `inputs.parameters.<key>` (`dataset`, `site`, `siteAddress`).
    ConnectorParameter,
    /// `SharePointSearchSource.site`.
    KnowledgeSite,
}

/// A string field that holds an endpoint.
#[derive(Clone, Debug)]
pub struct UrlField<'a> {
    pub component: ComponentRef,
    pub file: FileId,
    pub token: Span,
    pub text: &'a str,
    pub path: String,
    /// For messages: "flow 'X' action 'HTTP' uri".
    pub location: String,
    /// The field within its component, for messages: "action 'HTTP' uri".
    pub within: String,
    pub syntax: Syntax,
    pub field: Field,
    /// The flow, for `@parameters('…')` references.
    pub flow: Option<&'a Flow<'a>>,
}

/// Every endpoint field of the solution; connector parameters are those named in
/// `parameter_keys`.
pub fn fields<'a>(solution: &'a Solution<'a>, parameter_keys: &[&str]) -> Vec<UrlField<'a>> {
    let mut out = Vec::new();
    for component in &solution.components {
        let (Some(_), Some(file)) = (component.data, component.data_file) else {
            continue;
        };
        let component_ref = ComponentRef::new("botcomponent", component.identity.clone());
        let kinds = [
            (
                "HttpRequestAction",
                "url",
                Field::HttpNodeUrl,
                "HTTP request url",
            ),
            (
                "SharePointSearchSource",
                "site",
                Field::KnowledgeSite,
                "SharePoint knowledge site",
            ),
        ];
        for (kind, key, field, what) in kinds {
            for (node, path) in component.find_kinds(&[kind]) {
                let Some(value) = node.get(key) else { continue };
                let Some(text) = value.as_str().filter(|_| !value.is_null()) else {
                    continue;
                };
                out.push(UrlField {
                    component: component_ref.clone(),
                    file,
                    token: value.span,
                    text,
                    path: format!("{path}/{key}"),
                    location: format!("'{}' {what}", component.label()),
                    within: what.to_string(),
                    syntax: Syntax::PowerFx,
                    field,
                    flow: None,
                });
            }
        }
    }
    for flow in &solution.flows {
        let component = ComponentRef::new("flow", flow.identity());
        for action in &flow.actions {
            let Some(inputs) = action.inputs() else {
                continue;
            };
            if action.type_is("Http")
                && let Some(uri) = inputs.get("uri")
                && let Some(text) = uri.as_str()
            {
                out.push(UrlField {
                    component: component.clone(),
                    file: flow.file,
                    token: uri.span,
                    text,
                    path: format!("{}/inputs/uri", action.path),
                    location: format!("flow '{}' action '{}' uri", flow.name, action.name),
                    within: format!("action '{}' uri", action.name),
                    syntax: Syntax::Flow,
                    field: Field::HttpActionUri,
                    flow: Some(flow),
                });
            }
            let Some(params) = inputs.get("parameters") else {
                continue;
            };
            for m in params.members() {
                if !parameter_keys.iter().any(|k| m.key.eq_ignore_ascii_case(k)) {
                    continue;
                }
                let Some(text) = m.value.as_str() else {
                    continue;
                };
                out.push(UrlField {
                    component: component.clone(),
                    file: flow.file,
                    token: m.value.span,
                    text,
                    path: crate::model::node::join_pointer(
                        &format!("{}/inputs/parameters", action.path),
                        &m.key,
                    ),
                    location: format!("flow '{}' action '{}' {}", flow.name, action.name, m.key),
                    within: format!("action '{}' {}", action.name, m.key),
                    syntax: Syntax::Flow,
                    field: Field::ConnectorParameter,
                    flow: Some(flow),
                });
            }
        }
    }
    out
}

/// Literal URLs in `text` (expressions and formulas contribute their string arguments).
pub fn literal_urls(text: &str, syntax: Syntax) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for (segment, _) in literal_segments(text, syntax, Context::Plain) {
        let Some(part) = text.get(segment.clone()) else {
            continue;
        };
        for url in urls(part) {
            let trimmed = part[url.clone()].trim_end_matches(['.', ',', ';', ':', '!', '?']);
            if trimmed.len() > "https://".len() {
                let start = segment.start + url.start;
                out.push(start..start + trimmed.len());
            }
        }
    }
    out
}

/// The URLs in `text`, left to right, as the regex
/// `(?i)\bhttps?://[^\s"'<>{}()\[\]\\|^`]+` finds them: `http` or `https` in any
/// case after a word boundary, `://`, and the characters up to white space or
/// one of `"'<>{}()[]\|^` and backquote.
fn urls(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = memchr::memchr2(b'h', b'H', &bytes[from..]) {
        let start = from + offset;
        match url_end(text, start) {
            Some(end) => {
                found.push(start..end);
                from = end;
            }
            None => from = start + 1,
        }
    }
    found
}

/// Where the URL that starts at `start` (an `h`) ends, if one does.
fn url_end(text: &str, start: usize) -> Option<usize> {
    if !starts_word(text, start) {
        return None;
    }
    let rest = strip_prefix_folded(&text[start..], "http")?;
    let rest = strip_prefix_folded(rest, "s").unwrap_or(rest);
    let rest = rest.strip_prefix("://")?;
    let len: usize = rest
        .chars()
        .take_while(|&c| {
            !(c.is_whitespace()
                || matches!(
                    c,
                    '"' | '\''
                        | '<'
                        | '>'
                        | '{'
                        | '}'
                        | '('
                        | ')'
                        | '['
                        | ']'
                        | '\\'
                        | '|'
                        | '^'
                        | '`'
                ))
        })
        .map(char::len_utf8)
        .sum();
    (len > 0).then(|| text.len() - rest.len() + len)
}

/// Flow parameters an expression reads (`@parameters('Name (schema)')`), as
/// the regex `parameters\('((?:[^']|'')+)'\)` captures them: after
/// `parameters('`, anything up to the first quote that is not doubled, which
/// must be followed by `)`.
pub fn parameter_refs(text: &str) -> Vec<String> {
    const OPEN: &str = "parameters('";
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = memchr::memmem::find(&bytes[from..], OPEN.as_bytes()) {
        let start = from + offset + OPEN.len();
        let close = closing_quote(&text[start..])
            .map(|close| start + close)
            .filter(|&close| bytes.get(close + 1) == Some(&b')'));
        match close {
            Some(close) if close > start => {
                found.push(text[start..close].replace("''", "'"));
                from = close + 2;
            }
            _ => from += offset + 1,
        }
    }
    found
}

/// Environment variables a Power Fx formula reads (`Env.<schema>`).
pub fn env_refs(text: &str) -> Vec<String> {
    env_references(text)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// A flow parameter's default value, if it is a string.
pub fn parameter_default<'a>(
    flow: &'a Flow<'a>,
    name: &str,
) -> Option<(&'a JsonValue, String, Option<String>)> {
    let param = flow.parameters.iter().find(|p| p.name == name)?;
    let default = param.default_value?;
    default.as_str()?;
    Some((
        default,
        format!("{}/defaultValue", param.path),
        param.schema_name.clone(),
    ))
}

/// `scheme://host/path` with the scheme and host lower-cased and without
/// credentials, query or fragment: a stable discriminator.
pub fn normalise_url(url: &str) -> String {
    let (base, _) = split_query(url);
    match base.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = match rest.find('/') {
                Some(i) => rest.split_at(i),
                None => (rest, ""),
            };
            let host = authority.rsplit('@').next().unwrap_or(authority);
            format!(
                "{}://{}{}",
                scheme.to_ascii_lowercase(),
                host.to_ascii_lowercase(),
                path
            )
        }
        None => base.to_ascii_lowercase(),
    }
}

/// A URL as messages print it: without credentials, and with the query and
/// fragment elided (`?…`), since they may carry keys or SAS signatures.
pub fn display_url(url: &str) -> String {
    let (base, rest) = split_query(url);
    let base = match base.split_once("://") {
        Some((scheme, after)) => {
            let (authority, path) = match after.find('/') {
                Some(i) => after.split_at(i),
                None => (after, ""),
            };
            let host = authority.rsplit('@').next().unwrap_or(authority);
            format!("{scheme}://{host}{path}")
        }
        None => base.to_string(),
    };
    if rest.is_empty() {
        base
    } else {
        format!("{base}?…")
    }
}

/// `range` of a URL in a text without its query and fragment, which may carry
/// keys or SAS signatures: the span SARIF snippets and code frames highlight.
pub fn without_query(text: &str, range: Range<usize>) -> Range<usize> {
    let url = text.get(range.clone()).unwrap_or("");
    let (base, _) = split_query(url);
    range.start..range.start + base.len()
}

fn split_query(url: &str) -> (&str, &str) {
    match url.find(['?', '#']) {
        Some(i) => url.split_at(i),
        None => (url, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::random_texts;
    use regex::Regex;

    #[test]
    fn urls_are_found_as_the_regex_finds_them() {
        let regex = Regex::new(r#"(?i)\bhttps?://[^\s"'<>{}()\[\]\\|^`]+"#).unwrap();
        let alphabet = [
            "http",
            "HTTP",
            "hTtP",
            "s",
            "S",
            "\u{17f}",
            "://",
            ":/",
            "a",
            "é",
            "_",
            "9",
            " ",
            "\u{a0}",
            "\u{2003}",
            "\"",
            "'",
            "<",
            ">",
            "{",
            "}",
            "(",
            ")",
            "[",
            "]",
            "\\",
            "|",
            "^",
            "`",
            ".",
            "h",
            "\u{300}",
            "ß",
            "http://",
            "HTTPS://",
            "x.y/z",
            "http\u{17f}://",
        ];
        let mut matched = 0;
        for text in random_texts(0x94D0_49BB_1331_11EB, &alphabet, 10).take(60_000) {
            let expected: Vec<Range<usize>> = regex.find_iter(&text).map(|m| m.range()).collect();
            matched += expected.len();
            assert_eq!(urls(&text), expected, "{text:?}");
        }
        assert!(matched > 3_000, "{matched}");
    }

    #[test]
    fn parameter_references_are_found_as_the_regex_finds_them() {
        let regex = Regex::new(r"parameters\('((?:[^']|'')+)'\)").unwrap();
        // `parameters('` twice, so that more texts hold a call.
        let alphabet = [
            "parameters('",
            "parameters('",
            "parameters(",
            "'",
            "''",
            "')",
            ")",
            "a",
            " ",
            "é",
            "(",
            "x)",
        ];
        let mut matched = 0;
        for text in random_texts(0xBF58_476D_1CE4_E5B9, &alphabet, 10).take(60_000) {
            let expected: Vec<String> = regex
                .captures_iter(&text)
                .map(|c| c[1].replace("''", "'"))
                .collect();
            matched += expected.len();
            assert_eq!(parameter_refs(&text), expected, "{text:?}");
        }
        assert!(matched > 3_000, "{matched}");
    }

    #[test]
    fn urls_in_literals_expressions_and_formulas() {
        let text = "=\"http://api.contoso.com/v1/\" & Topic.Id";
        let urls: Vec<&str> = literal_urls(text, Syntax::PowerFx)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(urls, ["http://api.contoso.com/v1/"]);
        let text = "@{parameters('Site (x_site)')}/_api/web";
        assert!(literal_urls(text, Syntax::Flow).is_empty());
        assert_eq!(parameter_refs(text), ["Site (x_site)"]);
        let text = "https://contoso.sharepoint.com/sites/@{variables('s')}.";
        let urls: Vec<&str> = literal_urls(text, Syntax::Flow)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(urls, ["https://contoso.sharepoint.com/sites/"]);
        assert_eq!(
            normalise_url("HTTP://Api.Contoso.com/A?b"),
            "http://api.contoso.com/A"
        );
        assert_eq!(
            display_url("https://u:FakePass42@x.blob.core.windows.net/c/b?sv=1&sig=FAKE"),
            "https://x.blob.core.windows.net/c/b?…"
        );
        assert_eq!(
            display_url("http://api.contoso.com/v1"),
            "http://api.contoso.com/v1"
        );
    }
}
