//! Pieces shared by the PRM rules: GUIDs, prompt configurations, and which flow
//! values carry trigger data.

use std::collections::BTreeMap;

use crate::model::{AiConfiguration, AiModel, Flow, Loc};
use crate::parse::{JsonKind, JsonValue};
use crate::rules::helpers::closing_quote;
use crate::rules::words::{starts_word, strip_prefix_folded};

pub use crate::model::normalize_guid;

/// What messages call a prompt: its name, else its id.
pub fn model_label(model: &AiModel) -> &str {
    model
        .name
        .as_deref()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or(&model.id)
}

/// The active configuration's parsed `msdyn_customconfiguration` and the
/// element's location, for `<xml path>#<pointer>` logical paths.
pub fn prompt_config(model: &AiModel) -> Option<(&JsonValue, &Loc)> {
    let config: &AiConfiguration = model.active()?;
    Some((config.custom.as_ref()?, config.custom_loc.as_ref()?))
}

/// A location inside a prompt configuration: `custom_loc.path` + `#` + pointer.
pub fn config_loc(custom_loc: &Loc, value: &JsonValue, pointer: &str) -> Loc {
    Loc::new(
        custom_loc.file,
        value.span,
        format!("{}#{pointer}", custom_loc.path),
    )
}

/// The first `triggerBody()`, `triggerOutputs()` or `trigger()` call in
/// `text`, in any case, as the regex
/// `(?i)\b(triggerBody|triggerOutputs|trigger)\(\s*\)` finds it.
fn trigger_call(text: &str) -> Option<&str> {
    let call_end = |start: usize| {
        if !starts_word(text, start) {
            return None;
        }
        let rest = strip_prefix_folded(&text[start..], "trigger")?;
        let rest = strip_prefix_folded(rest, "body")
            .or_else(|| strip_prefix_folded(rest, "outputs"))
            .unwrap_or(rest);
        let rest = rest.strip_prefix('(')?.trim_start().strip_prefix(')')?;
        Some(text.len() - rest.len())
    };
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(offset) = memchr::memchr2(b't', b'T', &bytes[from..]) {
        let start = from + offset;
        if let Some(end) = call_end(start) {
            return Some(&text[start..end]);
        }
        from = start + 1;
    }
    None
}

/// The `outputs('…')`, `body('…')`, `actions('…')` and `variables('…')` calls
/// in `text`, in any case, as the regex
/// `(?i)\b(outputs|body|actions|variables)\(\s*'((?:[^']|'')*)'\s*\)` captures
/// them: the function's name as written, and its argument with its quotes
/// still doubled.
fn reference_calls(text: &str) -> Vec<(&str, &str)> {
    let call = |start: usize| {
        if !starts_word(text, start) {
            return None;
        }
        let rest = &text[start..];
        let after = ["outputs", "body", "actions", "variables"]
            .iter()
            .find_map(|function| strip_prefix_folded(rest, function))?;
        let function = &rest[..rest.len() - after.len()];
        let argument = after.strip_prefix('(')?.trim_start().strip_prefix('\'')?;
        let close = closing_quote(argument)?;
        let tail = argument[close + 1..].trim_start().strip_prefix(')')?;
        Some((function, &argument[..close], text.len() - tail.len()))
    };
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = text.as_bytes()[from..]
        .iter()
        .position(|b| matches!(b.to_ascii_lowercase(), b'o' | b'b' | b'a' | b'v'))
    {
        let start = from + offset;
        match call(start) {
            Some((function, argument, end)) => {
                found.push((function, argument));
                from = end;
            }
            None => from = start + 1,
        }
    }
    found
}

/// Passes over a flow's actions when following trigger data (chain length).
const MAX_PASSES: usize = 64;

/// Every string inside a JSON value, depth first.
fn strings(value: &JsonValue, out: &mut Vec<String>) {
    match &value.kind {
        JsonKind::String(s) => out.push(s.to_string()),
        JsonKind::Array(items) => items.iter().for_each(|v| strings(v, out)),
        JsonKind::Object(members) => members.iter().for_each(|m| strings(&m.value, out)),
        _ => {}
    }
}

/// Which actions and variables of a flow carry trigger data (`triggerBody()`,
/// `triggerOutputs()`), directly or through Compose and variable actions.
#[derive(Debug, Default)]
pub struct TriggerData {
    /// Lower-case action name → the name to cite.
    actions: BTreeMap<String, String>,
    /// Lower-case variable name → the action that set it.
    variables: BTreeMap<String, String>,
}

impl TriggerData {
    pub fn of(flow: &Flow<'_>) -> TriggerData {
        let mut data = TriggerData::default();
        // Each pass can only add. Real chains are a few actions long; the cap
        // bounds the work on hostile input.
        for _ in 0..=flow.actions.len().min(MAX_PASSES) {
            let mut changed = false;
            for action in &flow.actions {
                let kind = action.node_type.to_ascii_lowercase();
                let Some(inputs) = action.inputs() else {
                    continue;
                };
                match kind.as_str() {
                    "compose" => {
                        let key = action.name.to_ascii_lowercase();
                        if !data.actions.contains_key(&key) && data.value_carries(inputs) {
                            data.actions.insert(key, action.name.clone());
                            changed = true;
                        }
                    }
                    "initializevariable" => {
                        for var in inputs.get("variables").map(JsonValue::items).unwrap_or(&[]) {
                            changed |= data.assign(var, &action.name);
                        }
                    }
                    "setvariable" | "appendtostringvariable" | "appendtoarrayvariable" => {
                        changed |= data.assign(inputs, &action.name);
                    }
                    _ => {}
                }
            }
            if !changed {
                break;
            }
        }
        data
    }

    /// `{ "name": "v", "value": … }`: marks `v` when the value carries trigger data.
    fn assign(&mut self, holder: &JsonValue, action: &str) -> bool {
        let Some(name) = holder.get("name").and_then(JsonValue::as_str) else {
            return false;
        };
        let key = name.to_ascii_lowercase();
        if self.variables.contains_key(&key) {
            return false;
        }
        let carries = holder.get("value").is_some_and(|v| self.value_carries(v));
        if carries {
            self.variables.insert(key, action.to_string());
        }
        carries
    }

    fn value_carries(&self, value: &JsonValue) -> bool {
        let mut texts = Vec::new();
        strings(value, &mut texts);
        texts.iter().any(|t| self.source(t).is_some())
    }

    /// How trigger data reaches `expression`: `triggerBody()` directly, or the
    /// action or variable that carries it.
    pub fn source(&self, expression: &str) -> Option<String> {
        if let Some(call) = trigger_call(expression) {
            return Some(call.to_string());
        }
        for (function, argument) in reference_calls(expression) {
            let function = function.to_ascii_lowercase();
            let name = argument.replace("''", "'");
            let key = name.to_ascii_lowercase();
            if function == "variables" {
                if let Some(setter) = self.variables.get(&key) {
                    return Some(format!("variable '{name}' (set by '{setter}')"));
                }
            } else if self.actions.contains_key(&key) {
                return Some(format!("'{name}'"));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::random_texts;
    use regex::Regex;

    #[test]
    fn calls_are_found_as_the_regexes_find_them() {
        let trigger = Regex::new(r"(?i)\b(triggerBody|triggerOutputs|trigger)\(\s*\)").unwrap();
        let reference =
            Regex::new(r"(?i)\b(outputs|body|actions|variables)\(\s*'((?:[^']|'')*)'\s*\)")
                .unwrap();
        let alphabet = [
            "trigger",
            "TRIGGER",
            "Body",
            "outputs",
            "OUTPUT\u{17f}",
            "actions",
            "variables",
            "body",
            "(",
            ")",
            "()",
            "('",
            "')",
            "'",
            "''",
            " ",
            "\u{a0}",
            "a",
            "_",
            "é",
            "@",
            "\u{300}",
            ".",
            "triggerBody()",
            "outputs('",
            "body('x')",
            "variables('a''b')",
        ];
        let mut matched = [0, 0];
        for text in random_texts(0x3C6E_F372_FE94_F82B, &alphabet, 10).take(60_000) {
            let expected = trigger.find(&text).map(|m| m.as_str());
            assert_eq!(trigger_call(&text), expected, "{text:?}");
            matched[0] += usize::from(expected.is_some());
            let expected: Vec<(&str, &str)> = reference
                .captures_iter(&text)
                .map(|c| (c.get(1).unwrap().as_str(), c.get(2).unwrap().as_str()))
                .collect();
            assert_eq!(reference_calls(&text), expected, "{text:?}");
            matched[1] += expected.len();
        }
        assert!(matched.iter().all(|&m| m > 1_000), "{matched:?}");
    }

    #[test]
    fn guids() {
        assert_eq!(
            normalize_guid("{90236099-15CC-4675-A2F4-EB8E8FE0C968}"),
            "90236099-15cc-4675-a2f4-eb8e8fe0c968"
        );
    }

    #[test]
    fn trigger_data_through_compose_and_variables() {
        let raw = r#"{"properties":{"definition":{"triggers":{"manual":{"type":"Request","kind":"PowerAppV2"}},
          "actions":{
            "Init":{"type":"InitializeVariable","inputs":{"variables":[{"name":"Topic","type":"string","value":"@outputs('Describe')"}]}},
            "Describe":{"type":"Compose","inputs":"@triggerBody()['text']"},
            "Fixed":{"type":"Compose","inputs":"Pretend you are a principal."}
          }}}}"#;
        let root = crate::parse::json::parse(raw, 0).expect("json");
        let ws_free = crate::model::Flow {
            id: String::new(),
            name: "f".into(),
            file: 0,
            root: &root,
            definition: None,
            definition_path: String::new(),
            triggers: Vec::new(),
            actions: Vec::new(),
            connection_references: Vec::new(),
            parameters: Vec::new(),
        };
        // Build the actions the way the model does: through the definition's members.
        let actions = root
            .path(&["properties", "definition", "actions"])
            .expect("actions");
        let mut flow = ws_free;
        for m in actions.members() {
            flow.actions.push(crate::model::FlowNode {
                name: m.key.to_string(),
                node_type: m
                    .value
                    .get("type")
                    .and_then(JsonValue::as_str)
                    .unwrap_or("")
                    .to_string(),
                kind: None,
                value: &m.value,
                key_span: m.key_span,
                path: String::new(),
                parent: None,
                run_after: Vec::new(),
            });
        }
        let data = TriggerData::of(&flow);
        assert_eq!(
            data.source("@concat(outputs('Fixed'), outputs('Describe'))")
                .as_deref(),
            Some("'Describe'")
        );
        assert_eq!(
            data.source("@variables('topic')").as_deref(),
            Some("variable 'topic' (set by 'Init')")
        );
        assert_eq!(
            data.source("@triggerOutputs()?['body/x']").as_deref(),
            Some("triggerOutputs()")
        );
        assert_eq!(data.source("@outputs('Fixed')"), None);
    }
}
