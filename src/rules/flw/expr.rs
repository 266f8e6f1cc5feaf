//! Small readers of workflow-definition expressions (`@outputs('X')`, `@{variables('v')}`).

use crate::rules::helpers::closing_quote;

/// The first quoted argument of every call to one of `functions` (compared
/// case-insensitively, `body` matches `body( 'X')` but not `triggerBody()`'s empty call),
/// grouped by function in the order given.
pub fn references(text: &str, functions: &[&str]) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut names = Vec::new();
    for function in functions {
        let name = function.as_bytes();
        for open in memchr::memchr_iter(b'(', bytes) {
            let Some(at) = open.checked_sub(name.len()) else {
                continue;
            };
            if !bytes[at..open].eq_ignore_ascii_case(name) {
                continue;
            }
            // `body(` inside `triggerbody(`: a longer identifier is another function.
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            let tail = text[open + 1..].trim_start();
            let Some(inner) = tail.strip_prefix('\'') else {
                continue;
            };
            if let Some(name) = quoted(inner) {
                names.push(name);
            }
        }
    }
    names
}

/// Whether `text` holds `needle` (lower-case ASCII), ASCII case ignored.
pub fn contains_ignore_case(text: &str, needle: &str) -> bool {
    let (hay, needle) = (text.as_bytes(), needle.as_bytes());
    let Some(&first) = needle.first() else {
        return true;
    };
    memchr::memchr2_iter(first, first.to_ascii_uppercase(), hay).any(|at| {
        hay.get(at..at + needle.len())
            .is_some_and(|window| window.eq_ignore_ascii_case(needle))
    })
}

/// The text up to the closing quote, with `''` unescaped.
fn quoted(inner: &str) -> Option<String> {
    closing_quote(inner).map(|close| inner[..close].replace("''", "'"))
}

/// Reads trigger data: `triggerBody()` or `triggerOutputs()`.
pub fn reads_trigger(text: &str) -> bool {
    contains_ignore_case(text, "triggerbody(") || contains_ignore_case(text, "triggeroutputs(")
}

/// Action names read through `body('X')`, `outputs('X')` or `actions('X')`.
pub fn action_references(text: &str) -> Vec<String> {
    references(text, &["body", "outputs", "actions"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_references() {
        assert_eq!(
            action_references("@outputs('Get_items')?['body/value']"),
            ["Get_items"]
        );
        assert_eq!(
            action_references("@union(body( 'A'), Outputs('B'))"),
            ["A", "B"]
        );
        assert!(action_references("@triggerBody()?['text']").is_empty());
        assert_eq!(
            references("@{variables('It''s')}", &["variables"]),
            ["It's"]
        );
        assert!(reads_trigger("@{TriggerBody()?['text']}"));
        assert!(!reads_trigger("@variables('x')"));
    }

    /// The lower-casing search `references` replaced: one `find` per function
    /// over the lower-cased text.
    fn references_by_lowercasing(text: &str, functions: &[&str]) -> Vec<String> {
        let lower = text.to_ascii_lowercase();
        let mut names = Vec::new();
        for function in functions {
            let pattern = format!("{}(", function.to_ascii_lowercase());
            let mut from = 0;
            while let Some(pos) = lower.get(from..).and_then(|rest| rest.find(&pattern)) {
                let at = from + pos;
                let start = at + pattern.len();
                from = start;
                let preceded = lower
                    .get(..at)
                    .and_then(|s| s.chars().next_back())
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
                if preceded {
                    continue;
                }
                let tail = text.get(start..).unwrap_or("").trim_start();
                if let Some(name) = tail.strip_prefix('\'').and_then(quoted) {
                    names.push(name);
                }
            }
        }
        names
    }

    #[test]
    fn references_match_the_lower_casing_search() {
        let alphabet = [
            "body",
            "Body",
            "BODY",
            "outputs",
            "actions",
            "items",
            "item",
            "variables",
            "trigger",
            "(",
            ")",
            "'",
            "''",
            " ",
            "@",
            "{",
            "}",
            "_",
            "x",
            "é",
            "\u{212a}",
            "?['v']",
            ",",
            "triggerBody",
            "()",
            "( '",
            "A",
        ];
        let functions = ["body", "outputs", "actions", "variables", "items"];
        for text in crate::testing::random_texts(0x5eed_f10e, &alphabet, 14).take(30_000) {
            assert_eq!(
                references(&text, &functions),
                references_by_lowercasing(&text, &functions),
                "{text:?}"
            );
            for needle in ["triggerbody(", "item()", "("] {
                assert_eq!(
                    contains_ignore_case(&text, needle),
                    text.to_ascii_lowercase().contains(needle),
                    "{text:?} {needle:?}"
                );
            }
        }
    }
}
