use crate::finding::ComponentRef;
use crate::model::{EnvVarType, Solution};
use crate::rules::helpers::is_secret_like_name;
use crate::rules::sec::secrets::is_placeholder;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags an environment variable whose schema name looks like it holds a secret
    /// (`secret`, `password`/`pwd`, `api key`, `access key`, `client secret`, `token`,
    /// `connection string`, `sas`, `signature`, `credential`, `private key`) but whose
    /// `<type>` is not **Secret** (`100000005`, Azure Key Vault). Names ending in
    /// `Endpoint`, `Url`, `Uri`, `Name`, `Id`, `Host` or `Version` are excluded
    /// (`cat_AgentTokenEndpoint` holds an address, not a token). Boolean and Data source
    /// variables are excluded too: they cannot hold a credential.
    ///
    /// The message says when the value also ships with the solution: a current value
    /// (`environmentvariablevalues.json`), a `<defaultvalue>`, or a flow parameter
    /// default (the export writes each variable's value into every flow that uses it).
    /// Those values are named in the message, never pointed at: a code frame would
    /// print them.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:09 (application secrets). A String variable's value is
    /// stored in Dataverse in clear text, readable by every maker of the environment,
    /// copied into each flow that uses it (and into that flow's run history) and
    /// exported with the solution. A Secret variable only holds a reference to Azure Key
    /// Vault and is read at run time under the caller's Key Vault permissions.
    ///
    /// ## Example
    /// ```xml
    /// <environmentvariabledefinition schemaname="cat_AzureOpenAIAPIKey">
    ///   <type>100000000</type>
    /// </environmentvariabledefinition>
    /// ```
    ///
    /// ## How to fix
    /// Store the secret in Azure Key Vault, create a new environment variable of data
    /// type **Secret** (`<type>100000005</type>`) that points at it, switch every flow
    /// and agent to the new variable (flows: `RetrieveEnvironmentVariableSecretValue`
    /// with secure inputs/outputs), delete the String variable, and set the Key Vault
    /// reference per environment (deployment settings). Rotate the secret if a value
    /// was ever exported.
    pub SecretEnvVarNotSecretType {
        id: "SEC002",
        name: "secret-env-var-not-secret-type",
        summary: "Environment variable named like a secret is not of type Secret",
        pillar: Security,
        waf: "SE:09",
        severity: High,
        confidence: Medium,
        default_on: true,
        help: "Recreate as type Secret; set the value per environment.",
    }
}

impl Rule for SecretEnvVarNotSecretType {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        // SEC102 reports variables that are used as credentials, with the use.
        let superseded: std::collections::BTreeSet<usize> =
            crate::rules::cross::secret_env_var_used_as_credential::credential_uses(solution)
                .into_iter()
                .map(|u| u.var)
                .collect();
        for (index, var) in solution.env_vars.iter().enumerate() {
            if superseded.contains(&index) {
                continue;
            }
            let var_type = var.var_type();
            if matches!(
                var_type,
                EnvVarType::Secret | EnvVarType::Boolean | EnvVarType::DataSource
            ) || !is_secret_like_name(&var.schema_name)
            {
                continue;
            }
            let mut ships: Vec<&str> = Vec::new();
            let real = |text: &str| !is_placeholder(text);
            if var.value.as_ref().is_some_and(|v| real(&v.value)) {
                ships.push("current value");
            }
            if var.default_value.as_ref().is_some_and(|v| real(&v.value)) {
                ships.push("default value");
            }
            for flow in &solution.flows {
                for param in &flow.parameters {
                    let same = param
                        .schema_name
                        .as_deref()
                        .is_some_and(|s| s.eq_ignore_ascii_case(&var.schema_name));
                    let Some(default) = param.default_value.filter(|_| same) else {
                        continue;
                    };
                    let shipped = match default.as_str() {
                        Some(text) => real(text),
                        None => !default.is_null(),
                    };
                    if shipped {
                        ships.push("flow parameter default");
                    }
                }
            }
            let primary = var
                .type_code
                .as_ref()
                .map_or(var.loc.clone(), |t| t.loc.clone());
            let type_label = match var_type {
                EnvVarType::Unknown => match &var.type_code {
                    Some(t) => t.value.trim().to_string(),
                    None => "unset".to_string(),
                },
                other => other.label().to_string(),
            };
            ships.dedup();
            let kinds = ships;
            let suffix = if kinds.is_empty() {
                String::new()
            } else {
                format!("; its value ships ({})", kinds.join(", "))
            };
            // The shipped values are named, not pointed at: a code frame would show them.
            cx.report(
                ComponentRef::new("envvar", var.identity()),
                &primary,
                format!(
                    "Variable {} looks like a secret but is type {type_label}{suffix}.",
                    var.schema_name
                ),
            )
            .label(format!("type {type_label}, not Secret (100000005)"));
        }
    }
}
