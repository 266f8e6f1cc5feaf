use crate::finding::{ComponentRef, Confidence};
use crate::model::{EnvVarType, Flow, Solution};
use crate::parse::{JsonValue, YamlNode};
use crate::rules::con::facts;
use crate::rules::helpers::{CREDENTIAL_WORDS, ends_with_ignore_ascii_case};
use crate::rules::sec::secrets::{
    self, Context, SecretKind, Syntax, Thresholds, is_credential_key,
};
use crate::rules::sec::walk::{self, StringAt, Target};
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Finds credentials written into the solution as literal text, with the secret
    /// detector of RULES.md §9. It scans:
    /// - cloud flows: every string of every action's and trigger's `inputs` (headers,
    ///   query, body, `authentication`), and `definition.parameters.*.defaultValue`
    ///   (where the export writes each environment variable's value);
    /// - Copilot Studio YAML: every literal of every topic, tool, knowledge and agent
    ///   component (HTTP request node `url`, `headers`, `body`, …);
    /// - environment variables: `<defaultvalue>` and the exported current value (not
    ///   for type Secret, whose value is a Key Vault reference);
    /// - custom connectors: policy values (`setheader`/`setqueryparameter` …),
    ///   `oAuthSettings.clientSecret` and `oAuthSettings.customParameters.*.value` of the
    ///   connection parameters, and the custom code (`.csx`);
    /// - AI Builder prompts: the literal segments of the prompt text;
    /// - `bot.xml` `<authenticationconfiguration>` (workspace: `authenticationConfiguration`).
    ///
    /// Known shapes (OpenAI/Anthropic `sk-…`, Entra ID client secrets `…Q~…`, JWTs,
    /// `Bearer` tokens, SAS `sig=`, connection-string keys, GitHub, AWS, Google and
    /// Slack tokens, private keys, passwords in URLs, and 32-hex keys under a credential
    /// name) are reported with high confidence; a literal in a field that only holds
    /// secrets (`clientSecret`, flow `authentication.secret|password|pfx`) too. Under a
    /// credential name (`Authorization`, `api-key`, `x-api-key`, `password`, a name like
    /// `…Secret`/`…ApiKey`), a token of 20+ characters at ≥ 3.5 bits/char of entropy is
    /// medium confidence; elsewhere a 32+ character token at ≥ 4.5 bits/char is low
    /// confidence (`--persona pedantic`).
    ///
    /// Flow expressions (`@…`, `@{…}`) and Power Fx formulas (`=…`) are not literals:
    /// only their quoted string arguments are scanned (`="Bearer sk-…"` is found,
    /// `@parameters('Api Key (x_key)')` is not). Placeholders (`placeholder`, `dummy`,
    /// `your_…`, `changeme`, `example`, `sample`, `test`, `xxxx`, `***`, `<…>`,
    /// `[[…]]`, `#{…}#`, template variables such as `${…}`, and empty strings) are never
    /// findings.
    ///
    /// The secret is never printed: every output shows `first≤4 chars…[N chars,
    /// sha256:8hex]` (at most 25 % of it) in place of the secret's bytes, and the
    /// finding's fingerprint uses the SHA-256 of the secret.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:09 (application secrets). Everyone who can read the solution,
    /// its source repository, a backup or any environment it is imported into can read
    /// the credential and call the service as its owner. A secret in a flow action is
    /// also shown in every run's history. Rotating it means editing and re-importing the
    /// solution everywhere.
    ///
    /// ## Example
    /// ```json
    /// "HTTP": { "type": "Http", "inputs": { "method": "POST",
    ///   "uri": "https://api.openai.com/v1/chat/completions",
    ///   "headers": { "Authorization": "Bearer sk-FAKE…" } } }
    /// ```
    ///
    /// ## How to fix
    /// Rotate the credential now: it must be treated as leaked. Then store it in Azure
    /// Key Vault and create an environment variable of type **Secret** pointing at it
    /// (maker portal: **Solutions → New → More → Environment variable**, Data type
    /// **Secret**), or make it a `securestring` connection parameter of the connector.
    /// In a flow, read it with the Dataverse action **Perform an unbound action**
    /// `RetrieveEnvironmentVariableSecretValue` and turn on **Secure inputs** and
    /// **Secure outputs** for the actions that handle it; in Copilot Studio, read it
    /// through a flow or a connector instead of a literal HTTP header.
    ///
    /// ## Options
    /// - `credential_min_length` (default `20`) and `credential_min_entropy` (default
    ///   `3.5` bits/char): a token under a credential name at least this long and this
    ///   random is reported with medium confidence.
    /// - `hex_min_entropy` (default `3.0`): the same for 32+ hex characters.
    /// - `plain_min_length` (default `32`) and `plain_min_entropy` (default `4.5`): a
    ///   token anywhere else is reported with low confidence from these on.
    pub HardcodedSecret {
        id: "SEC001",
        name: "hardcoded-secret",
        summary: "A credential is hard-coded in the solution",
        pillar: Security,
        waf: "SE:09",
        severity: Critical,
        confidence: High,
        default_on: true,
        help: "Rotate now; move to a Secret env var (Key Vault) or a connection parameter; read it in flows with RetrieveEnvironmentVariableSecretValue under secure data.",
        options: Options,
    }
}

/// Options of SEC001: the entropy heuristics' thresholds.
pub type Options = Thresholds;

/// The context a string gets from the key it is the value of.
fn key_context(s: &StringAt<'_>) -> Context {
    s.key
        .map_or(Context::Plain, |key| context_of(key, in_authentication(s)))
}

/// Whether the string's object is an `authentication` block.
fn in_authentication(s: &StringAt<'_>) -> bool {
    s.parent
        .is_some_and(|p| p.eq_ignore_ascii_case("authentication"))
}

/// The context of a value under `key` (inside an `authentication` block or not).
fn context_of(key: &str, in_auth: bool) -> Context {
    let lower = key.to_ascii_lowercase();
    if (in_auth && matches!(lower.as_str(), "secret" | "password" | "pfx"))
        || lower == "clientsecret"
        || lower == "client_secret"
    {
        Context::SecretField
    } else if is_credential_key(key) {
        Context::Credential
    } else {
        Context::Plain
    }
}

/// Keys naming an identifier (`folderId`, `item_id`, `ids`): long base64 record
/// ids there are not secrets, so the low-confidence entropy heuristic is off.
fn is_identifier_key(key: &str) -> bool {
    ends_with_ignore_ascii_case(key, "id")
        || ends_with_ignore_ascii_case(key, "ids")
        || key.eq_ignore_ascii_case("etag")
        || key.eq_ignore_ascii_case("cursor")
}

/// The string's context and whether its key names an identifier. It runs for
/// every string of every tree: an ASCII key without a credential word (most
/// keys) is plain without the name lists being read.
fn string_context(s: &StringAt<'_>) -> (Context, bool) {
    let Some(key) = s.key else {
        return (Context::Plain, false);
    };
    let context = if key.is_ascii() && !CREDENTIAL_WORDS.is_match(key) {
        Context::Plain
    } else {
        context_of(key, in_authentication(s))
    };
    (context, is_identifier_key(key))
}

/// Scans a string found by a tree walk, in the context its key gives it.
fn report_string<'t>(
    solution: &Solution<'_>,
    cx: &mut RuleContext<'_>,
    syntax: Syntax,
    s: &StringAt<'_>,
    thresholds: &Thresholds,
    target: impl FnOnce() -> Target<'t>,
) {
    let (context, identifier) = string_context(s);
    let mut hits = secrets::scan_with(s.text, syntax, context, thresholds);
    if identifier {
        hits.retain(|h| !(h.kind == SecretKind::HighEntropy && h.confidence == Confidence::Low));
    }
    if !hits.is_empty() {
        walk::report_hits(solution, cx, &target(), hits);
    }
}

/// `headers/Authorization`, `uri`: the last one or two keys of a path, for messages.
fn short_key(s: &StringAt<'_>) -> String {
    match (s.parent, s.key) {
        (Some(p), Some(k))
            if matches!(p, "headers" | "queries" | "authentication" | "parameters") =>
        {
            format!("{p}.{k}")
        }
        (_, Some(k)) => k.to_string(),
        _ => "value".to_string(),
    }
}

/// A flow parameter's display key without its `(schema)` suffix.
fn param_name(name: &str) -> &str {
    match name.rfind(" (") {
        Some(i) if name.ends_with(')') => &name[..i],
        _ => name,
    }
}

impl HardcodedSecret {
    fn flows(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        cx.for_each_chunk(&solution.flows, SCAN_CHUNK, |flows, cx| {
            for flow in flows {
                self.flow(solution, cx, flow);
            }
        });
    }

    fn flow(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>, flow: &Flow<'_>) {
        let component = ComponentRef::new("flow", flow.identity());
        for node in flow.triggers.iter().chain(&flow.actions) {
            let Some(inputs) = node.inputs() else {
                continue;
            };
            let base = format!("{}/inputs", node.path);
            let strings = walk::json_strings(inputs, &base, &["host", "schema", "metadata"]);
            for s in &strings.items {
                report_string(solution, cx, Syntax::Flow, s, &self.options, || {
                    strings.target(
                        s,
                        &component,
                        flow.file,
                        format!(
                            "flow '{}' action '{}' {}",
                            flow.name,
                            node.name,
                            short_key(s)
                        ),
                    )
                });
            }
        }
        for param in &flow.parameters {
            if param.name.starts_with('$') {
                continue;
            }
            let Some(default) = param.default_value else {
                continue;
            };
            let named = is_credential_key(param_name(&param.name))
                || param.schema_name.as_deref().is_some_and(is_credential_key);
            let strings = walk::json_strings(default, &format!("{}/defaultValue", param.path), &[]);
            for s in &strings.items {
                let context = if named {
                    Context::Credential
                } else {
                    key_context(s)
                };
                walk::report_secrets(
                    solution,
                    cx,
                    s.text,
                    Syntax::Literal,
                    context,
                    &self.options,
                    || {
                        strings.target(
                            s,
                            &component,
                            flow.file,
                            format!(
                                "flow '{}' parameter '{}' default value",
                                flow.name, param.name
                            ),
                        )
                    },
                );
            }
        }
    }

    // One call per YAML source kind; the arguments are that source's coordinates.
    fn yaml_tree(
        &self,
        solution: &Solution<'_>,
        cx: &mut RuleContext<'_>,
        component: &ComponentRef,
        file: usize,
        root: &YamlNode,
        label: &str,
    ) {
        let strings = walk::yaml_strings(root, "", &["kind", "id"]);
        for s in &strings.items {
            report_string(solution, cx, Syntax::PowerFx, s, &self.options, || {
                strings.target(s, component, file, format!("'{label}' {}", short_key(s)))
            });
        }
    }

    fn components(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        cx.for_each_chunk(&solution.components, SCAN_CHUNK, |components, cx| {
            for component in components {
                let (Some(data), Some(file)) = (component.data, component.data_file) else {
                    continue;
                };
                self.yaml_tree(
                    solution,
                    cx,
                    &ComponentRef::new("botcomponent", component.identity.clone()),
                    file,
                    data,
                    component.label(),
                );
            }
        });
    }

    fn agents(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for agent in &solution.agents {
            let component = ComponentRef::new("agent", agent.identity());
            let label = format!("agent '{}' authentication configuration", agent.label());
            if let Some(settings) = solution.ws.yaml(agent.file) {
                // Workspace: settings.mcs.yml `authenticationConfiguration`.
                if let Some(config) = settings.get("authenticationConfiguration") {
                    let strings = walk::yaml_strings(config, "/authenticationConfiguration", &[]);
                    for s in &strings.items {
                        walk::report_secrets(
                            solution,
                            cx,
                            s.text,
                            Syntax::Literal,
                            key_context(s),
                            &self.options,
                            || strings.target(s, &component, agent.file, label.clone()),
                        );
                    }
                }
                continue;
            }
            let Some(doc) = solution.ws.xml(agent.file) else {
                continue;
            };
            let Some(el) = doc
                .root()
                .and_then(|r| doc.child(r, "authenticationconfiguration"))
            else {
                continue;
            };
            let Some(text_span) = doc.el(el).text_span else {
                continue;
            };
            let raw = walk::raw(solution, agent.file, text_span);
            let (text, map) = crate::parse::xml::unescape(raw);
            let xml_path = doc.logical_path(el);
            let to_raw = |offset: usize| {
                text_span.start as usize + crate::parse::xml::raw_offset(&map, offset)
            };
            match crate::parse::json::parse(&text, 0) {
                Ok(json) => {
                    let strings = walk::json_strings(&json, "", &[]);
                    for s in &strings.items {
                        let span =
                            Span::new(to_raw(s.span.start as usize), to_raw(s.span.end as usize));
                        walk::report_secrets(
                            solution,
                            cx,
                            s.text,
                            Syntax::Literal,
                            key_context(s),
                            &self.options,
                            || Target {
                                component: component.clone(),
                                file: agent.file,
                                token: span,
                                decoded: s.text,
                                path: format!("{xml_path}#{}", strings.path(s)),
                                location: label.clone(),
                            },
                        );
                    }
                }
                Err(_) => {
                    walk::report_secrets(
                        solution,
                        cx,
                        &text,
                        Syntax::Literal,
                        Context::Plain,
                        &self.options,
                        || Target {
                            component: component.clone(),
                            file: agent.file,
                            token: text_span,
                            decoded: &text,
                            path: xml_path,
                            location: label.clone(),
                        },
                    );
                }
            }
        }
    }

    fn env_vars(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for var in &solution.env_vars {
            // A Secret variable's value is a Key Vault reference, not the secret.
            if var.var_type() == EnvVarType::Secret {
                continue;
            }
            let context = if is_credential_key(&var.schema_name) {
                Context::Credential
            } else {
                Context::Plain
            };
            let component = ComponentRef::new("envvar", var.identity());
            for (value, what) in [
                (&var.default_value, "default value"),
                (&var.value, "current value"),
            ] {
                let Some(value) = value else { continue };
                walk::report_secrets(
                    solution,
                    cx,
                    &value.value,
                    Syntax::Literal,
                    context,
                    &self.options,
                    || Target {
                        component: component.clone(),
                        file: value.loc.file,
                        token: value.loc.span,
                        decoded: &value.value,
                        path: value.loc.path.clone(),
                        location: format!("{what} of {}", var.schema_name),
                    },
                );
            }
        }
    }

    fn connectors(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for connector in &solution.connectors {
            let component = ComponentRef::new("connector", connector.identity());
            for policy in facts::policies(connector) {
                let Some(params) = policy.node.value.get("parameters") else {
                    continue;
                };
                let target_name = policy.target_name();
                let base = format!("{}/parameters", policy.node.path);
                let strings = walk::json_strings(
                    params,
                    &base,
                    &[
                        "x-ms-apimTemplateParameter.name",
                        "x-ms-apimTemplate-operationName",
                    ],
                );
                for s in &strings.items {
                    let context = if s.key == Some("x-ms-apimTemplateParameter.value")
                        && target_name.is_some_and(is_credential_key)
                    {
                        Context::Credential
                    } else {
                        key_context(s)
                    };
                    let what = match target_name {
                        Some(name) => format!(" ({name})"),
                        None => String::new(),
                    };
                    walk::report_secrets(
                        solution,
                        cx,
                        s.text,
                        Syntax::Flow,
                        context,
                        &self.options,
                        || {
                            strings.target(
                                s,
                                &component,
                                policy.node.file,
                                format!(
                                    "connector '{}' policy '{}'{what}",
                                    connector.label(),
                                    policy.label()
                                ),
                            )
                        },
                    );
                }
            }
            for param in facts::connection_parameters(solution, connector) {
                let Some(oauth) = param.node.child("oAuthSettings") else {
                    continue;
                };
                let location = format!(
                    "connector '{}' connection parameter '{}'",
                    connector.label(),
                    param.name
                );
                if let Some(secret) = oauth.child("clientSecret")
                    && let Some(text) = secret.value.as_str()
                {
                    walk::report_secrets(
                        solution,
                        cx,
                        text,
                        Syntax::Literal,
                        Context::SecretField,
                        &self.options,
                        || Target {
                            component: component.clone(),
                            file: secret.file,
                            token: secret.value.span,
                            decoded: text,
                            path: secret.path.clone(),
                            location: format!("{location} clientSecret"),
                        },
                    );
                }
                if let Some(custom) = oauth.child("customParameters") {
                    for m in custom.value.members() {
                        let Some(value) = m.value.get("value") else {
                            continue;
                        };
                        let Some(text) = value.as_str() else { continue };
                        let context = if is_credential_key(&m.key) {
                            Context::Credential
                        } else {
                            Context::Plain
                        };
                        walk::report_secrets(
                            solution,
                            cx,
                            text,
                            Syntax::Literal,
                            context,
                            &self.options,
                            || Target {
                                component: component.clone(),
                                file: custom.file,
                                token: value.span,
                                decoded: text,
                                path: format!(
                                    "{}/value",
                                    crate::model::node::join_pointer(&custom.path, &m.key)
                                ),
                                location: format!("{location} custom parameter '{}'", m.key),
                            },
                        );
                    }
                }
            }
            if let Some(file) = connector.custom_code {
                self.csx(solution, cx, &component, file, connector.label());
            }
        }
    }

    /// C# custom code: known shapes anywhere, and each string literal in the
    /// context its name gives it (`["x-api-key"] = "…"`).
    fn csx(
        &self,
        solution: &Solution<'_>,
        cx: &mut RuleContext<'_>,
        component: &ComponentRef,
        file: usize,
        label: &str,
    ) {
        let bytes = &solution.file(file).bytes;
        let bom = solution.file(file).bom_len();
        let Ok(text) = std::str::from_utf8(&bytes[bom..]) else {
            return;
        };
        let mut hits: Vec<secrets::SecretHit> =
            secrets::scan_literal_with(text, Context::Plain, &self.options)
                .into_iter()
                .filter(|h| h.kind != SecretKind::HighEntropy)
                .collect();
        for (range, context) in
            secrets::quoted_strings(text, 0..text.len(), b'"', Context::Plain, false)
        {
            let Some(segment) = text.get(range.clone()) else {
                continue;
            };
            for mut hit in secrets::scan_literal_with(segment, context, &self.options) {
                hit.range = hit.range.start + range.start..hit.range.end + range.start;
                if hits
                    .iter()
                    .all(|h| hit.range.end <= h.range.start || hit.range.start >= h.range.end)
                {
                    hits.push(hit);
                }
            }
        }
        hits.sort_by_key(|h| h.range.start);
        let target = Target {
            component: component.clone(),
            file,
            token: Span::new(bom, bytes.len()),
            decoded: text,
            path: String::new(),
            location: format!("connector '{label}' custom code"),
        };
        walk::report_hits(solution, cx, &target, hits);
    }

    fn prompts(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for model in &solution.ai_models {
            let component = ComponentRef::new("aimodel", model.identity());
            let label = model.name.clone().unwrap_or_else(|| model.id.clone());
            for config in &model.configurations {
                let (Some(custom), Some(loc)) = (&config.custom, &config.custom_loc) else {
                    continue;
                };
                for (i, segment) in custom
                    .get("prompt")
                    .map(JsonValue::items)
                    .unwrap_or_default()
                    .iter()
                    .enumerate()
                {
                    let literal = segment
                        .get("type")
                        .and_then(JsonValue::as_str)
                        .is_some_and(|t| t.eq_ignore_ascii_case("literal"));
                    let Some(text_node) = segment.get("text").filter(|_| literal) else {
                        continue;
                    };
                    let Some(text) = text_node.as_str() else {
                        continue;
                    };
                    walk::report_secrets(
                        solution,
                        cx,
                        text,
                        Syntax::Literal,
                        Context::Plain,
                        &self.options,
                        || Target {
                            component: component.clone(),
                            file: loc.file,
                            token: text_node.span,
                            decoded: text,
                            path: format!("{}#/prompt/{i}/text", loc.path),
                            location: format!("prompt '{label}'"),
                        },
                    );
                }
            }
        }
    }
}

/// Flows or components per parallel task: enough strings to outweigh a task.
const SCAN_CHUNK: usize = 8;

impl Rule for HardcodedSecret {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        // Flows and agent components hold nearly every string of a solution:
        // each is scanned in chunks on all threads.
        self.flows(solution, cx);
        self.components(solution, cx);
        self.agents(solution, cx);
        self.env_vars(solution, cx);
        self.connectors(solution, cx);
        self.prompts(solution, cx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::random_texts;

    /// Skipping the name lists for keys without a credential word changes no
    /// string's context.
    #[test]
    fn keys_without_credential_words_are_plain() {
        let alphabet = [
            "api",
            "-",
            "_",
            "Key",
            "x",
            "Secret",
            "client",
            "pass",
            "word",
            "pwd",
            "Token",
            "sig",
            "code",
            "auth",
            "orization",
            "pfx",
            "conn",
            "string",
            "id",
            "S",
            "/",
            ".",
            " ",
            "\u{17f}",
            "é",
            "etag",
            "ecret",
            "to",
            "\u{212a}",
            "en",
        ];
        let mut credential = 0;
        for key in random_texts(0x6A09_E667_F3BC_C908, &alphabet, 6).take(40_000) {
            for parent in [None, Some("authentication"), Some("headers")] {
                let s = StringAt {
                    text: "value",
                    span: Span::new(0, 5),
                    at: 0,
                    key: Some(&key),
                    parent,
                };
                let expected = (
                    context_of(&key, in_authentication(&s)),
                    is_identifier_key_by_lower_case(&key),
                );
                assert_eq!(string_context(&s), expected, "{key:?} under {parent:?}");
                credential += usize::from(expected.0 != Context::Plain);
            }
        }
        assert!(credential > 10_000, "{credential}");
    }

    fn is_identifier_key_by_lower_case(key: &str) -> bool {
        let lower = key.to_ascii_lowercase();
        lower.ends_with("id") || lower.ends_with("ids") || lower == "etag" || lower == "cursor"
    }
}
