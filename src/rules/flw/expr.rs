//! Small readers of workflow-definition expressions (`@outputs('X')`, `@{variables('v')}`).

/// The first quoted argument of every call to one of `functions` (compared
/// case-insensitively, `body` matches `body( 'X')` but not `triggerBody()`'s empty call).
pub fn references(text: &str, functions: &[&str]) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    let mut names = Vec::new();
    for function in functions {
        let pattern = format!("{}(", function.to_ascii_lowercase());
        let mut from = 0;
        while let Some(pos) = lower.get(from..).and_then(|rest| rest.find(&pattern)) {
            let at = from + pos;
            let start = at + pattern.len();
            from = start;
            // `body(` inside `triggerbody(`: a longer identifier is another function.
            let preceded = lower
                .get(..at)
                .and_then(|s| s.chars().next_back())
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
            if preceded {
                continue;
            }
            let tail = text.get(start..).unwrap_or("").trim_start();
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

/// The text up to the closing quote, with `''` unescaped.
fn quoted(inner: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            if chars.peek() == Some(&'\'') {
                chars.next();
                out.push('\'');
            } else {
                return Some(out);
            }
        } else {
            out.push(c);
        }
    }
    None
}

/// Reads trigger data: `triggerBody()` or `triggerOutputs()`.
pub fn reads_trigger(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("triggerbody(") || lower.contains("triggeroutputs(")
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
}
