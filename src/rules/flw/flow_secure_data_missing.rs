use crate::finding::{ComponentRef, Confidence};
use crate::model::{Flow, FlowNode, Loc, Solution};
use crate::rules::helpers::is_credential_name;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

use super::agent_flows::describe;
use super::flow_graph::FlowGraph;
use super::taint::Taint;
use crate::model::AgentLink;

const SECRET_ACTION: &str = "RetrieveEnvironmentVariableSecretValue";

declare_rule! {
    /// ## What it does
    /// Flags a flow action that handles sensitive data while its run history is not
    /// hidden, i.e. `runtimeConfiguration.secureData.properties` (the **Secure inputs** /
    /// **Secure outputs** settings) lacks what the data travels in:
    /// - credentials: an `Http` action with an `inputs.authentication` object (e.g.
    ///   `ActiveDirectoryOAuth` with a client secret, `Basic`, `ClientCertificate`, `Raw`;
    ///   not `ManagedServiceIdentity`, which holds no secret) or a credential header
    ///   (`Authorization`, `api-key`, `x-api-key`, `Ocp-Apim-Subscription-Key`, or a
    ///   secret-like name; §9 of the catalog) → needs `inputs` and `outputs`;
    /// - secrets: Dataverse `RetrieveEnvironmentVariableSecretValue` (reading a Secret /
    ///   Key Vault environment variable) → needs `outputs`, where the secret value is
    ///   returned (its inputs hold only the variable's name);
    /// - conversation text: an AI Builder call (`aibuilderpredict*`) in an agent flow
    ///   whose inputs carry what the agent passed in (trigger data, directly or through
    ///   `Compose` outputs and variables) → needs `inputs` and `outputs`, confidence
    ///   medium. A prompt fed only with other data (record ids, another prompt's output)
    ///   is not reported.
    ///
    /// The finding points at the action's key. Agent flows are triggered by a Copilot
    /// Studio agent (`Skills`, `VirtualAgent`) or reached from one.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:09 (application secrets). Run history shows every action's
    /// inputs and outputs in clear text to the flow's owners and co-owners, and to
    /// administrators, for 28 days. A key, token or client secret shown there is a leaked
    /// credential; users' conversation text shown there is personal data outside its
    /// intended audience.
    ///
    /// ## Example
    /// ```json
    /// "Call_model": { "type": "Http",
    ///   "inputs": { "method": "POST", "uri": "https://contoso.openai.azure.com/…",
    ///     "headers": { "api-key": "@parameters('OpenAI Key (cnt_OpenAIKey)')" } } }
    /// ```
    ///
    /// ## How to fix
    /// In Power Automate, open the action's **Settings** and turn on **Secure inputs** and
    /// **Secure outputs**. In the exported JSON this is
    /// `"runtimeConfiguration": { "secureData": { "properties": ["inputs", "outputs"] } }`
    /// on the action. Actions that later use the secret should be secured the same way.
    pub FlowSecureDataMissing {
        id: "FLW004",
        name: "flow-secure-data-missing",
        summary: "Flow action handles credentials, secrets or conversation text without secure inputs/outputs",
        pillar: Security,
        waf: "SE:09",
        severity: Medium,
        confidence: High,
        default_on: true,
        help: "Set secureData.properties: [\"inputs\",\"outputs\"].",
    }
}

/// What an action handles, and where that shows.
struct Sensitive {
    what: &'static str,
    needs_inputs: bool,
    confidence: Confidence,
    related: Option<(Loc, String)>,
}

fn sensitive(
    flow: &Flow<'_>,
    action: &FlowNode<'_>,
    conversation: Option<&Taint<'_>>,
    index: usize,
) -> Option<Sensitive> {
    let inputs = action.inputs();
    if action.type_is("Http") {
        let auth = inputs.and_then(|i| i.member("authentication"));
        // A managed identity carries no credential material.
        let carries_secret = |m: &&crate::parse::JsonMember| {
            m.value.is_object()
                && !m
                    .value
                    .get("type")
                    .and_then(|t| t.as_str())
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("ManagedServiceIdentity"))
        };
        if let Some(auth) = auth.filter(carries_secret) {
            let kind = auth
                .value
                .get("type")
                .and_then(|t| t.as_str())
                .unwrap_or("authentication");
            return Some(Sensitive {
                what: "credentials",
                needs_inputs: true,
                confidence: Confidence::High,
                related: Some((
                    Loc::new(
                        flow.file,
                        auth.key_span,
                        format!("{}/inputs/authentication", action.path),
                    ),
                    format!("{kind} credentials"),
                )),
            });
        }
        let headers = inputs.and_then(|i| i.get("headers"));
        let header = headers
            .map(|h| h.members())
            .unwrap_or_default()
            .iter()
            .find(|m| is_credential_name(&m.key))?;
        return Some(Sensitive {
            what: "credentials",
            needs_inputs: true,
            confidence: Confidence::High,
            related: Some((
                Loc::new(
                    flow.file,
                    header.key_span,
                    crate::model::node::join_pointer(
                        &format!("{}/inputs/headers", action.path),
                        &header.key,
                    ),
                ),
                format!("credential header {}", header.key),
            )),
        });
    }
    let action_name = inputs
        .and_then(|i| i.path(&["parameters", "actionName"]))
        .and_then(|v| v.as_str());
    let operation = action.operation_id();
    if [action_name, operation]
        .iter()
        .flatten()
        .any(|n| n.trim().eq_ignore_ascii_case(SECRET_ACTION))
    {
        return Some(Sensitive {
            what: "secrets",
            needs_inputs: false,
            confidence: Confidence::High,
            related: None,
        });
    }
    let ai_builder = operation.is_some_and(|o| {
        o.trim()
            .get(..16)
            .is_some_and(|p| p.eq_ignore_ascii_case("aibuilderpredict"))
    });
    if !ai_builder {
        return None;
    }
    // In an agent flow, text the agent passed in (trigger data) reaching the model.
    let (value, pointer) = conversation?.first_tainted(index, inputs?, "")?;
    Some(Sensitive {
        what: "conversation text",
        needs_inputs: true,
        confidence: Confidence::Medium,
        related: Some((
            Loc::new(
                flow.file,
                value.span,
                format!("{}/inputs{pointer}", action.path),
            ),
            "text passed in by the agent".to_string(),
        )),
    })
}

/// The `secureData.properties` entries, lower-case.
fn secured(action: &FlowNode<'_>) -> Vec<String> {
    action
        .value
        .path(&["runtimeConfiguration", "secureData", "properties"])
        .map(|p| {
            p.items()
                .iter()
                .filter_map(|v| v.as_str())
                .map(|s| s.trim().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default()
}

impl Rule for FlowSecureDataMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        let links = solution.agent_links();
        for (flow, link) in solution.flows.iter().zip(links) {
            let graph = FlowGraph::new(flow);
            let taint = link.as_ref().map(|_| Taint::compute(flow, &graph));
            for (index, action) in flow.actions.iter().enumerate() {
                let Some(found) = sensitive(flow, action, taint.as_ref(), index) else {
                    continue;
                };
                let have = secured(action);
                let mut missing = Vec::new();
                if found.needs_inputs && !have.iter().any(|p| p == "inputs") {
                    missing.push("inputs");
                }
                if !have.iter().any(|p| p == "outputs") {
                    missing.push("outputs");
                }
                if missing.is_empty() {
                    continue;
                }
                let finding = cx
                    .report(
                        ComponentRef::new("flow", flow.identity()),
                        &action.loc(flow.file),
                        format!(
                            "'{}' handles {} without secure inputs/outputs; run history exposes them.",
                            action.name, found.what
                        ),
                    )
                    .confidence(found.confidence)
                    .label(format!("secureData lacks {}", missing.join(" and ")));
                if let Some((loc, message)) = &found.related {
                    finding.related(loc, message.clone());
                }
                // Text the agent passed in is already shown; say why a reached flow is an agent flow.
                if found.what == "conversation text"
                    && let Some(link) = link
                    && !matches!(link, AgentLink::Trigger(_))
                {
                    finding.related(link.loc(), describe(link));
                }
            }
        }
    }
}
