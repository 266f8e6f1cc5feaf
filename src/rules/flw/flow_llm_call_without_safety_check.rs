use regex::Regex;

use crate::finding::ComponentRef;
use crate::model::{Connector, Flow, FlowConnectionReference, FlowNode, Loc, Solution};
use crate::rules::helpers::{is_llm_host, url_host};
use crate::rules::words::strip_prefix_folded;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

use super::expr::references;
use super::flow_graph::FlowGraph;
use super::taint::Taint;

/// Substrings of an apiId, connection, host or URI that name a content-safety service.
const SAFETY_MARKERS: [&str; 3] = ["contentsafety", "contentmoderator", "/moderations"];

declare_rule! {
    /// ## What it does
    /// Flags a cloud flow that sends user-supplied text to a large language model with no
    /// content-safety step anywhere in the flow. All three must hold:
    /// 1. **An LLM call**: an `Http` action whose `inputs.uri` host is an LLM API (Azure
    ///    OpenAI `*.openai.azure.com`, Azure AI `*.services.ai.azure.com`, OpenAI,
    ///    Anthropic, Google Gemini / Vertex AI, Mistral, Cohere, Perplexity, Groq,
    ///    OpenRouter, Amazon Bedrock runtime; §6.2 of the catalog), read from a literal or
    ///    from `@parameters('… (<schema>)')` resolved to the parameter's `defaultValue` or
    ///    the environment variable's value; or an `OpenApiConnection` on a custom
    ///    connector (`apiId: ""`, resolved through `connectionName` → the flow's
    ///    connection reference `api.logicalName` → the solution's connector) whose host is
    ///    such an API or whose `operationId` is one of `llm_operations`. AI Builder calls
    ///    (`aibuilderpredict*`) are excluded: the platform filters them [I: inferred].
    /// 2. **User text in its inputs**: `triggerBody()` / `triggerOutputs()`, directly or
    ///    through a `Compose` output, a variable set by `InitializeVariable`,
    ///    `SetVariable`, `AppendToStringVariable` or `AppendToArrayVariable`, or the items
    ///    of an `Apply to each` loop over such data.
    /// 3. **No content-safety step**: no action whose apiId, connection, host or URI
    ///    contains `contentsafety`, `contentmoderator` or `/moderations`, and no action
    ///    whose name or operationId matches `safety_action_pattern`.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:01 (security baseline). A direct model call bypasses the
    /// content filtering and prompt-attack protection that Copilot Studio and AI Builder
    /// apply. Whatever the user types (including a jailbreak or injected instructions)
    /// reaches the model, and whatever the model answers reaches the app or agent
    /// unchecked.
    ///
    /// ## Example
    /// ```json
    /// "Create_a_completion": { "type": "OpenApiConnection",
    ///   "inputs": { "host": { "connectionName": "shared_cnt-5fopenai-5f…", "operationId": "ChatCompletion", "apiId": "" },
    ///     "parameters": { "body/prompt": "@triggerBody()['text']" } } }
    /// ```
    ///
    /// ## How to fix
    /// Prefer an AI Builder prompt (**Run a prompt**), which applies the platform's
    /// content moderation, with the user text passed as a typed input. If the flow must
    /// call the model directly, add an Azure AI Content Safety step (the **Azure AI
    /// Content Safety** connector, or an HTTP call to its `text:analyze` and
    /// `text:shieldPrompt` APIs) on the user input before the call and on the model's
    /// output after it, stop the run when either is flagged, and delimit the user text in
    /// the prompt.
    ///
    /// ## Options
    /// - `llm_operations` (default `ChatCompletion`, `CreateCompletion`, `Completions`,
    ///   `Messages`, `GenerateContent`): custom-connector operationIds that call a model.
    /// - `llm_hosts` (default none): more LLM hosts; a listed name matches itself and its
    ///   subdomains.
    /// - `safety_action_pattern` (default
    ///   `(?i)content[\s_-]*safety|content[\s_-]*moderat|prompt[\s_-]*shield`): a regular
    ///   expression; an action whose name or operationId matches counts as a safety step.
    ///   An expression that does not compile stops the run with a configuration error.
    pub FlowLlmCallWithoutSafetyCheck {
        id: "FLW002",
        name: "flow-llm-call-without-safety-check",
        summary: "Flow sends user text to an LLM with no content-safety step",
        pillar: Security,
        waf: "SE:01",
        severity: Medium,
        confidence: Medium,
        default_on: true,
        help: "Use an AI Builder prompt, or Azure AI Content Safety on input and output; delimit user text.",
        options: Options,
    }
}

/// Options of FLW002.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// Custom-connector operationIds that call a model (compared case-insensitively).
    pub llm_operations: Vec<String>,
    /// More LLM hosts (exact or parent domain).
    pub llm_hosts: Vec<String>,
    /// Regular expression over action names and operationIds marking a safety step,
    /// compiled once when the options are read (an invalid one is a configuration
    /// error); `None` is the default pattern, compiled the first time a flow
    /// calls a model.
    #[serde(deserialize_with = "compiled_pattern")]
    pub safety_action_pattern: Option<Regex>,
    /// When false, a safety step does not clear the flow (RAI101 uses this: output
    /// relayed to users is unmoderated whatever the flow checks).
    #[doc(hidden)]
    pub consider_safety_steps: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            llm_operations: [
                "ChatCompletion",
                "CreateCompletion",
                "Completions",
                "Messages",
                "GenerateContent",
            ]
            .map(String::from)
            .to_vec(),
            llm_hosts: Vec::new(),
            safety_action_pattern: None,
            consider_safety_steps: true,
        }
    }
}

/// Whether `name` matches the default `safety_action_pattern`,
/// `(?i)content[\s_-]*safety|content[\s_-]*moderat|prompt[\s_-]*shield`.
fn is_default_safety_name(name: &str) -> bool {
    let followed_by = |rest: &str, word: &str, next: &[&str]| {
        strip_prefix_folded(rest, word)
            .map(|after| {
                after.trim_start_matches(|c: char| c.is_whitespace() || c == '_' || c == '-')
            })
            .is_some_and(|after| next.iter().any(|n| strip_prefix_folded(after, n).is_some()))
    };
    name.bytes()
        .enumerate()
        .filter(|(_, b)| matches!(b | 0x20, b'c' | b'p'))
        .any(|(at, _)| {
            let rest = &name[at..];
            followed_by(rest, "content", &["safety", "moderat"])
                || followed_by(rest, "prompt", &["shield"])
        })
}

fn compiled_pattern<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Regex>, D::Error> {
    let pattern = <String as serde::Deserialize>::deserialize(deserializer)?;
    Regex::new(&pattern).map(Some).map_err(|e| {
        serde::de::Error::custom(format!("safety_action_pattern is not a valid regex: {e}"))
    })
}

impl Options {
    /// Whether an action's name or operationId marks a safety step: it matches
    /// the configured pattern, or the default one.
    pub fn is_safety_step_name(&self, name: &str) -> bool {
        match &self.safety_action_pattern {
            Some(pattern) => pattern.is_match(name),
            None => is_default_safety_name(name),
        }
    }
}

impl FlowLlmCallWithoutSafetyCheck {
    /// The LLM-call detection with safety steps not considered (for RAI101).
    pub fn relaxed() -> Self {
        FlowLlmCallWithoutSafetyCheck {
            options: Options {
                consider_safety_steps: false,
                ..Options::default()
            },
        }
    }
}

/// A string after `@parameters('…')` substitution, with where the value came from.
struct Resolved {
    text: String,
    source: Option<Loc>,
}

/// The value of flow parameter `name`: its `defaultValue`, else its environment
/// variable's current or default value.
fn parameter_value(solution: &Solution<'_>, flow: &Flow<'_>, name: &str) -> Option<(String, Loc)> {
    let param = flow.parameters.iter().find(|p| p.name == name);
    if let Some(param) = param
        && let Some(value) = param.default_value
        && let Some(text) = value.as_str().filter(|t| !t.trim().is_empty())
    {
        return Some((
            text.to_string(),
            Loc::new(
                flow.file,
                value.span,
                format!("{}/defaultValue", param.path),
            ),
        ));
    }
    let schema = param
        .and_then(|p| p.schema_name.clone())
        .or_else(|| {
            let inner = name.trim().strip_suffix(')')?;
            Some(inner.rsplit_once('(')?.1.trim().to_string())
        })
        .filter(|s| !s.is_empty())?;
    let var = solution.env_var_named(&schema)?;
    let value = var
        .value
        .as_ref()
        .filter(|v| !v.value.trim().is_empty())
        .or(var.default_value.as_ref())
        .filter(|v| !v.value.trim().is_empty())?;
    Some((value.value.clone(), value.loc.clone()))
}

/// Substitutes `@parameters('X')` (the whole string) and `@{parameters('X')}`.
fn resolve(solution: &Solution<'_>, flow: &Flow<'_>, text: &str) -> Resolved {
    let mut resolved = Resolved {
        text: text.to_string(),
        source: None,
    };
    for name in references(text, &["parameters"]) {
        let Some((value, loc)) = parameter_value(solution, flow, &name) else {
            continue;
        };
        let raw = name.replace('\'', "''");
        let whole = format!("@parameters('{raw}')");
        if resolved.text.trim() == whole {
            resolved.text = value;
        } else {
            resolved.text = resolved
                .text
                .replace(&format!("@{{parameters('{raw}')}}"), &value);
        }
        resolved.source.get_or_insert(loc);
    }
    resolved
}

/// The path of a URL (`/openai/deployments/x`), `/` when it has none.
fn url_path(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    rest.find('/').and_then(|i| rest.get(i..)).unwrap_or("/")
}

/// The flow's connection reference an action uses.
fn reference<'f, 'a>(
    flow: &'f Flow<'a>,
    action: &FlowNode<'_>,
) -> Option<&'f FlowConnectionReference<'a>> {
    let name = action.connection_name()?;
    flow.connection_references.iter().find(|r| r.key == name)
}

/// The custom connector behind an `OpenApiConnection` action, when it is one.
fn custom_connector<'s, 'a>(
    solution: &'s Solution<'a>,
    flow: &Flow<'_>,
    action: &FlowNode<'_>,
) -> Option<&'s Connector<'a>> {
    let logical = reference(flow, action)?.api_logical_name.as_deref()?;
    solution.connector_named(logical)
}

fn is_custom_connector_call(action: &FlowNode<'_>) -> bool {
    action.type_is("OpenApiConnection")
        && action.connection_name().is_some()
        && action
            .host()
            .and_then(|h| h.get("apiId"))
            .is_none_or(|id| id.as_str().is_some_and(|s| s.trim().is_empty()))
}

struct LlmCall {
    loc: Loc,
    host: String,
    source: Option<Loc>,
}

/// The compiled options.
struct Check<'o> {
    options: &'o Options,
}

impl Check<'_> {
    fn llm_host(&self, host: &str, path: &str) -> bool {
        is_llm_host(host, path)
            || self.options.llm_hosts.iter().any(|h| {
                let h = h.trim().trim_start_matches("*.").to_ascii_lowercase();
                !h.is_empty() && (host == h || host.ends_with(&format!(".{h}")))
            })
    }

    fn llm_call(
        &self,
        solution: &Solution<'_>,
        flow: &Flow<'_>,
        action: &FlowNode<'_>,
    ) -> Option<LlmCall> {
        if action.type_is("Http") {
            let uri = action.inputs()?.get("uri")?;
            let resolved = resolve(solution, flow, uri.as_str()?);
            let host = url_host(&resolved.text)?;
            if !self.llm_host(&host, url_path(&resolved.text)) {
                return None;
            }
            return Some(LlmCall {
                loc: Loc::new(flow.file, uri.span, format!("{}/inputs/uri", action.path)),
                host,
                source: resolved.source,
            });
        }
        if !is_custom_connector_call(action) {
            return None;
        }
        let operation = action.host()?.get("operationId")?;
        let op = operation.as_str()?.trim();
        if op.to_ascii_lowercase().starts_with("aibuilderpredict") {
            return None;
        }
        let connector = custom_connector(solution, flow, action);
        let connector_host = connector
            .and_then(|c| c.host())
            .filter(|h| !h.contains('@'))
            .and_then(|h| url_host(&format!("https://{h}")));
        let base_path = connector
            .and_then(|c| c.openapi.as_ref())
            .and_then(|o| o.value.get("basePath"))
            .and_then(|b| b.as_str())
            .unwrap_or("/");
        let listed_host = connector_host
            .as_deref()
            .is_some_and(|h| self.llm_host(h, base_path));
        let listed_operation = self
            .options
            .llm_operations
            .iter()
            .any(|o| o.trim().eq_ignore_ascii_case(op));
        if !listed_host && !listed_operation {
            return None;
        }
        let host = connector_host
            .or_else(|| connector.map(|c| c.label().to_string()))
            .or_else(|| reference(flow, action).and_then(|r| r.api_logical_name.clone()))
            .or_else(|| action.connection_name().map(str::to_string))
            .unwrap_or_default();
        Some(LlmCall {
            loc: Loc::new(
                flow.file,
                operation.span,
                format!("{}/inputs/host/operationId", action.path),
            ),
            host,
            source: None,
        })
    }

    /// An action that calls a content-safety service or is named like one.
    fn is_safety_step(
        &self,
        solution: &Solution<'_>,
        flow: &Flow<'_>,
        action: &FlowNode<'_>,
    ) -> bool {
        let mut texts: Vec<String> = Vec::new();
        if let Some(host) = action.host() {
            for key in ["apiId", "connectionName", "operationId"] {
                if let Some(t) = host.get(key).and_then(|v| v.as_str()) {
                    texts.push(t.to_string());
                }
            }
        }
        if let Some(r) = reference(flow, action) {
            texts.extend(r.api_name.clone());
            texts.extend(r.api_logical_name.clone());
        }
        if let Some(c) = custom_connector(solution, flow, action) {
            texts.extend(c.host().map(str::to_string));
            texts.push(c.name.clone());
        }
        if let Some(uri) = action
            .inputs()
            .and_then(|i| i.get("uri"))
            .and_then(|u| u.as_str())
        {
            texts.push(uri.to_string());
            texts.push(resolve(solution, flow, uri).text);
        }
        let marked = texts.iter().any(|t| {
            let lower = t.to_ascii_lowercase();
            SAFETY_MARKERS.iter().any(|m| lower.contains(m))
        });
        marked || {
            self.options.is_safety_step_name(&action.name)
                || action
                    .operation_id()
                    .is_some_and(|o| self.options.is_safety_step_name(o))
        }
    }
}

impl Rule for FlowLlmCallWithoutSafetyCheck {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        let check = Check {
            options: &self.options,
        };
        for flow in &solution.flows {
            let calls: Vec<(usize, LlmCall)> = flow
                .actions
                .iter()
                .enumerate()
                .filter_map(|(i, a)| Some((i, check.llm_call(solution, flow, a)?)))
                .collect();
            if calls.is_empty()
                || (self.options.consider_safety_steps
                    && flow
                        .actions
                        .iter()
                        .any(|a| check.is_safety_step(solution, flow, a)))
            {
                continue;
            }
            let graph = FlowGraph::new(flow);
            let taint = Taint::compute(flow, &graph);
            for (i, call) in calls {
                let Some(action) = flow.actions.get(i) else {
                    continue;
                };
                let Some(inputs) = action.inputs() else {
                    continue;
                };
                let Some((value, pointer)) = taint.first_tainted(i, inputs, "") else {
                    continue;
                };
                let finding = cx
                    .report(
                        ComponentRef::new("flow", flow.identity()),
                        &call.loc,
                        format!(
                            "Flow '{}' sends user text to LLM {} in '{}' with no content-safety step.",
                            flow.name, call.host, action.name
                        ),
                    )
                    .label("LLM call without content safety")
                    .related(
                        &Loc::new(
                            flow.file,
                            value.span,
                            format!("{}/inputs{pointer}", action.path),
                        ),
                        "user text from the trigger",
                    );
                if let Some(source) = &call.source {
                    finding.related(source, format!("resolves to {}", call.host));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::url_path;
    use crate::testing::random_texts;

    #[test]
    fn safety_names_are_found_as_the_default_pattern_finds_them() {
        let default = regex::Regex::new(
            r"(?i)content[\s_-]*safety|content[\s_-]*moderat|prompt[\s_-]*shield",
        )
        .unwrap();
        let alphabet = [
            "content",
            "Content",
            "CONTENT",
            "prompt",
            "Prompt",
            "safety",
            "Safety",
            "\u{17f}afety",
            "moderat",
            "Moderator",
            "shield",
            "\u{17f}hield",
            " ",
            "_",
            "-",
            "\u{a0}",
            "x",
            "é",
            "s",
            "afety",
        ];
        let mut matched = 0;
        for text in random_texts(0x510E_527F_ADE6_82D1, &alphabet, 7).take(40_000) {
            let expected = default.is_match(&text);
            assert_eq!(super::is_default_safety_name(&text), expected, "{text:?}");
            matched += usize::from(expected);
        }
        assert!(matched > 2_000, "{matched}");
    }

    #[test]
    fn an_invalid_safety_pattern_is_a_configuration_error() {
        use crate::rules::Configure;
        let mut rule = super::FlowLlmCallWithoutSafetyCheck::default();
        let table: toml::Table = toml::from_str("safety_action_pattern = '(unclosed'").unwrap();
        let error = rule.configure(&table).unwrap_err();
        assert!(error.contains("not a valid regex"), "{error}");
        let table: toml::Table = toml::from_str("safety_action_pattern = '(?i)guard'").unwrap();
        rule.configure(&table).unwrap();
        assert!(rule.options.is_safety_step_name("Run GUARD step"));
        assert!(!rule.options.is_safety_step_name("Content safety"));
    }

    #[test]
    fn url_paths() {
        assert_eq!(
            url_path("https://x.openai.azure.com/openai/deployments/d?api-version=1"),
            "/openai/deployments/d"
        );
        assert_eq!(url_path("https://api.openai.com"), "/");
    }
}
