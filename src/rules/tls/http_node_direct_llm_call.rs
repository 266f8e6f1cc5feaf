use crate::finding::ComponentRef;
use crate::model::{EnvVar, Loc, Solution, Value};
use crate::rules::helpers::{env_references, is_llm_host, url_host};
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

use super::common::{Term, concatenation, node_id, power_fx_strings};

declare_rule! {
    /// ## What it does
    /// Flags an HTTP request node (`HttpRequestAction`) in a topic or tool whose `url`
    /// points at a large-language-model API: Azure OpenAI (`*.openai.azure.com`,
    /// `*.cognitiveservices.azure.com/openai/…`), Azure AI Foundry / ML inference
    /// (`*.services.ai.azure.com`, `*.inference.ai.azure.com`, `*.inference.ml.azure.com`),
    /// OpenAI, Anthropic, Google Gemini / Vertex AI, Mistral, Cohere, Perplexity, Groq,
    /// OpenRouter and Amazon Bedrock (RULES.md §6.2).
    ///
    /// The host is read from a literal URL, from the string literals of a Power Fx formula
    /// (`="https://…"`), or from an environment variable the formula reads (`Env.<schema>`),
    /// resolved to the variable's exported current value, else its default value. A simple
    /// concatenation such as `="https://" & Env.cnt_host & "/openai/…"` is evaluated. When
    /// the host comes from an environment variable, the finding points at its value too.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:01 (security baseline). Copilot Studio applies content
    /// moderation and prompt-attack protection to its own generative answers, prompts and
    /// orchestration, not to the body of an HTTP response. A direct model call sends user
    /// text to the model and shows its answer without those filters, outside the tenant's
    /// AI governance. The confidence is medium: a node may call an LLM endpoint that has its
    /// own content filter configured.
    ///
    /// ## Example
    /// ```yaml
    /// - kind: HttpRequestAction
    ///   id: call-llm
    ///   method: Post
    ///   url: https://contoso-ai.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-06-01
    /// ```
    ///
    /// ## How to fix
    /// In Copilot Studio, replace the HTTP request node with a generative answers node, a
    /// prompt (**Add a tool → Prompt**, an AI Builder prompt) or the agent's own
    /// orchestration, which are moderated. If the external model must stay, check the user
    /// input and the model output with Azure AI Content Safety before showing it, and keep
    /// the endpoint in an environment variable. In the exported topic YAML the node is the
    /// `kind: HttpRequestAction` entry and its `url:`.
    pub HttpNodeDirectLlmCall {
        id: "TLS002",
        name: "http-node-direct-llm-call",
        summary: "HTTP request node calls an LLM API directly, bypassing content moderation",
        pillar: Security,
        waf: "SE:01",
        severity: Medium,
        confidence: Medium,
        default_on: true,
        help: "Use a prompt or generative node, or add content-safety checks on input and output.",
    }
}

/// An environment variable and the value it resolves to.
type Resolved<'s> = (&'s EnvVar, &'s Value<String>);

/// A URL the node may call, and the environment variable value it came from.
struct Candidate<'s> {
    url: String,
    env: Option<Resolved<'s>>,
}

/// The value an environment variable resolves to: the exported current value, else the default.
fn env_value<'s>(solution: &'s Solution<'_>, schema: &str) -> Option<Resolved<'s>> {
    let var = solution.env_var_named(schema)?;
    let value = var
        .value
        .as_ref()
        .filter(|v| !v.value.trim().is_empty())
        .or_else(|| {
            var.default_value
                .as_ref()
                .filter(|v| !v.value.trim().is_empty())
        })?;
    Some((var, value))
}

/// `https://host/path?q` → (`host`, `/path`).
fn host_and_path(url: &str) -> Option<(String, String)> {
    let host = url_host(url)?;
    let rest = url.trim().split_once("://")?.1;
    let path = rest
        .find('/')
        .map(|i| rest[i..].split(['?', '#']).next().unwrap_or("").to_string())
        .unwrap_or_default();
    Some((host, path))
}

/// A bare host name (`contoso.openai.azure.com`) stored in a variable.
fn as_url(text: &str) -> String {
    let text = text.trim();
    if text.contains("://") || text.contains('/') || !text.contains('.') {
        text.to_string()
    } else {
        format!("https://{text}")
    }
}

fn candidates<'s>(solution: &'s Solution<'_>, url: &str) -> Vec<Candidate<'s>> {
    let url = url.trim();
    if !url.starts_with('=') {
        return vec![Candidate {
            url: url.to_string(),
            env: None,
        }];
    }
    if let Some(terms) = concatenation(url) {
        let mut text = String::new();
        let mut env = None;
        for term in &terms {
            match term {
                Term::Text(t) => text.push_str(t),
                Term::Env(schema) => match env_value(solution, schema) {
                    Some(resolved) => {
                        let value = &resolved.1.value;
                        if text.is_empty() {
                            text.push_str(&as_url(value));
                        } else {
                            text.push_str(value.trim());
                        }
                        env.get_or_insert(resolved);
                    }
                    None => return Vec::new(),
                },
            }
        }
        return vec![Candidate { url: text, env }];
    }
    let mut out: Vec<Candidate<'s>> = power_fx_strings(url)
        .into_iter()
        .map(|s| Candidate { url: s, env: None })
        .collect();
    for schema in env_references(url) {
        if let Some(resolved) = env_value(solution, schema) {
            out.push(Candidate {
                url: as_url(&resolved.1.value),
                env: Some(resolved),
            });
        }
    }
    out
}

impl Rule for HttpNodeDirectLlmCall {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for component in &solution.components {
            if component.data.is_none() {
                continue;
            }
            for (node, path) in component.find_kinds(&["HttpRequestAction"]) {
                let Some(url_node) = node.get("url") else {
                    continue;
                };
                let Some(url) = url_node.as_text() else {
                    continue;
                };
                let hits: Vec<(String, Option<Resolved<'_>>)> = candidates(solution, url)
                    .into_iter()
                    .filter_map(|c| {
                        let (host, path) = host_and_path(&c.url)?;
                        is_llm_host(&host, &path).then_some((host, c.env))
                    })
                    .collect();
                let Some((host, _)) = hits.first() else {
                    continue;
                };
                let Some(loc) = component.data_loc(url_node, &format!("{path}/url")) else {
                    continue;
                };
                let finding = cx
                    .report(
                        ComponentRef::new("botcomponent", component.identity.clone()),
                        &loc,
                        format!(
                            "HTTP node {} in '{}' calls LLM {host} directly; the response bypasses content moderation.",
                            node_id(node),
                            component.label()
                        ),
                    )
                    .label(format!("calls {host}"));
                let mut seen: Vec<&Loc> = Vec::new();
                for (host, env) in &hits {
                    if let Some((var, value)) = env
                        && !seen.contains(&&value.loc)
                    {
                        seen.push(&value.loc);
                        finding.related(
                            &value.loc,
                            format!("Env.{} resolves to {host}", var.schema_name),
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_paths() {
        assert_eq!(
            host_and_path("https://x.cognitiveservices.azure.com/openai/deployments?a=b"),
            Some((
                "x.cognitiveservices.azure.com".to_string(),
                "/openai/deployments".to_string()
            ))
        );
        assert_eq!(
            host_and_path("https://api.openai.com"),
            Some(("api.openai.com".to_string(), String::new()))
        );
        assert_eq!(
            as_url("contoso.openai.azure.com"),
            "https://contoso.openai.azure.com"
        );
        assert_eq!(as_url("https://a.b/c"), "https://a.b/c");
        assert_eq!(as_url("true"), "true");
    }
}
