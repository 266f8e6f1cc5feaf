use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::finding::ComponentRef;
use crate::model::node::join_pointer;
use crate::model::{EnvVar, EnvVarType, Loc, Solution};
use crate::rules::helpers::{env_references, is_credential_name};
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags an environment variable that is **used as a credential** but is not of type
    /// Secret (`<type>` other than 100000005, the Azure Key Vault type):
    /// - an agent HTTP node (`HttpRequestAction`) header with a credential name
    ///   (`Authorization`, `api-key`, `Ocp-Apim-Subscription-Key`, …) whose Power Fx value
    ///   reads `Env.<schema>`;
    /// - a flow `Http` action header with a credential name, or its
    ///   `authentication.secret`, `password` or `pfx`, whose value reads
    ///   `@parameters('… (<schema>)')` (flow parameters map to environment variables by
    ///   `metadata.schemaName`).
    ///
    /// One finding per use, on the value that reads the variable, with the variable's
    /// `<type>` and any value that ships in the solution as related locations. It
    /// supersedes SEC002 for that variable.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:09 (application secrets). A String variable's value is stored
    /// in plain text in Dataverse, exported with the solution (and copied into every flow
    /// that uses it as a parameter `defaultValue`), shown to makers, and logged in run
    /// history. Real samples send API keys this way.
    ///
    /// ## Example
    /// ```json
    /// "headers": { "api-key": "@parameters('Azure OpenAI API Key (cat_AzureOpenAIAPIKey)')" }
    /// ```
    /// with `cat_AzureOpenAIAPIKey` declared `<type>100000000</type>` (String).
    ///
    /// ## How to fix
    /// Recreate the variable as type **Secret** backed by Azure Key Vault, read it in flows
    /// with the Dataverse action *Perform an unbound action* →
    /// `RetrieveEnvironmentVariableSecretValue` under secure inputs/outputs, and rotate
    /// the key that was exposed.
    pub SecretEnvVarUsedAsCredential {
        id: "SEC102",
        name: "secret-env-var-used-as-credential",
        summary: "An environment variable that is not of type Secret is used as a credential",
        pillar: Security,
        waf: "SE:09",
        severity: High,
        confidence: High,
        default_on: true,
        help: "Make it type Secret; read it securely.",
    }
}

static PARAMETER_CALL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"parameters\(\s*'((?:[^']|'')*)'\s*\)").expect("valid regex"));

/// One place where an environment variable is used as a credential.
pub struct CredentialUse {
    pub var: usize,
    pub loc: Loc,
    /// `header 'api-key' of HTTP node http-1 in 'Fallback'`
    pub location: String,
    pub component: ComponentRef,
}

/// Every use of an environment variable as a credential (also used by SEC002,
/// which leaves these variables to this rule).
pub fn credential_uses(solution: &Solution<'_>) -> Vec<CredentialUse> {
    let var_index = |schema: &str| solution.env_var_index(schema);
    let mut uses = Vec::new();
    for component in &solution.components {
        if component.data.is_none() {
            continue;
        }
        for (node, path) in component.find_kinds(&["HttpRequestAction"]) {
            let Some(headers) = node.get("headers") else {
                continue;
            };
            for entry in headers.entries() {
                let Some(name) = entry.key_str() else {
                    continue;
                };
                if !is_credential_name(name) {
                    continue;
                }
                let Some(value) = entry.value.as_str() else {
                    continue;
                };
                for schema in env_references(value) {
                    let Some(var) = var_index(schema) else {
                        continue;
                    };
                    let Some(loc) = component.data_loc(
                        &entry.value,
                        &join_pointer(&format!("{path}/headers"), name),
                    ) else {
                        continue;
                    };
                    uses.push(CredentialUse {
                        var,
                        loc,
                        location: format!(
                            "header '{name}' of HTTP node {} in '{}'",
                            node.id().unwrap_or("(no id)"),
                            component.label()
                        ),
                        component: ComponentRef::new("botcomponent", component.identity.clone()),
                    });
                }
            }
        }
    }
    for flow in &solution.flows {
        for action in flow.actions.iter().filter(|a| a.type_is("Http")) {
            let Some(inputs) = action.inputs() else {
                continue;
            };
            let mut candidates = Vec::new();
            if let Some(headers) = inputs.get("headers") {
                for m in headers.members() {
                    if is_credential_name(&m.key) {
                        candidates.push((
                            format!("header '{}'", m.key),
                            &m.value,
                            join_pointer(&format!("{}/inputs/headers", action.path), &m.key),
                        ));
                    }
                }
            }
            if let Some(auth) = inputs.get("authentication") {
                for key in ["secret", "password", "pfx"] {
                    if let Some(value) = auth.get(key) {
                        candidates.push((
                            format!("authentication.{key}"),
                            value,
                            format!("{}/inputs/authentication/{key}", action.path),
                        ));
                    }
                }
            }
            for (what, value, pointer) in candidates {
                let Some(text) = value.as_str() else { continue };
                let mut seen = BTreeSet::new();
                for capture in PARAMETER_CALL.captures_iter(text) {
                    let name = capture[1].replace("''", "'");
                    let Some(schema) = flow
                        .parameters
                        .iter()
                        .find(|p| p.name == name)
                        .and_then(|p| p.schema_name.clone())
                    else {
                        continue;
                    };
                    let Some(var) = var_index(&schema) else {
                        continue;
                    };
                    if !seen.insert(var) {
                        continue;
                    }
                    uses.push(CredentialUse {
                        var,
                        loc: Loc::new(flow.file, value.span, pointer.clone()),
                        location: format!("{what} of '{}' in flow '{}'", action.name, flow.name),
                        component: ComponentRef::new("flow", flow.identity()),
                    });
                }
            }
        }
    }
    uses
}

/// The places a variable's value ships in the solution.
fn shipped_values(solution: &Solution<'_>, var: &EnvVar) -> Vec<Loc> {
    let mut locs: Vec<Loc> = [&var.value, &var.default_value]
        .into_iter()
        .flatten()
        .filter(|v| !v.value.trim().is_empty())
        .map(|v| v.loc.clone())
        .collect();
    for flow in &solution.flows {
        for p in &flow.parameters {
            if p.schema_name
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(&var.schema_name))
                && let Some(value) = p
                    .default_value
                    .filter(|v| v.as_str().is_some_and(|t| !t.trim().is_empty()))
            {
                locs.push(Loc::new(
                    flow.file,
                    value.span,
                    format!("{}/defaultValue", p.path),
                ));
            }
        }
    }
    locs
}

impl Rule for SecretEnvVarUsedAsCredential {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for usage in credential_uses(solution) {
            let var = &solution.env_vars[usage.var];
            let var_type = var.var_type();
            if var_type == EnvVarType::Secret {
                continue;
            }
            let type_text = match var_type {
                EnvVarType::Unknown => var
                    .type_code
                    .as_ref()
                    .map_or("unknown".to_string(), |t| t.value.trim().to_string()),
                known => known.label().to_string(),
            };
            let finding = cx
                .report(
                    ComponentRef::new("envvar", var.identity()),
                    &usage.loc,
                    format!(
                        "{} (type {type_text}) is used as a credential in {}.",
                        var.schema_name, usage.location
                    ),
                )
                .label("credential read from a non-Secret variable")
                .discriminator(format!("{}{}", usage.component.identity, usage.loc.path));
            if let Some(type_code) = &var.type_code {
                finding.related(&type_code.loc, format!("type {}", var_type.label()));
            }
            for loc in shipped_values(solution, var) {
                finding.related(&loc, "the value ships in the solution");
            }
        }
    }
}
