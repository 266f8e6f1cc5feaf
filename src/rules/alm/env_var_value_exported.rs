use crate::finding::ComponentRef;
use crate::model::{EnvVarType, Solution};
use crate::rules::helpers::is_secret_like_name;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags an environment variable of type String, Number, Boolean or JSON
    /// (`<type>` 100000000–100000003) whose current value is exported in
    /// `environmentvariabledefinitions/<schema>/environmentvariablevalues.json`.
    /// Data-source variables are KNW007's; secret-like names are SEC002's.
    ///
    /// ## Why is this bad?
    /// Operational Excellence pillar, OE:06 (supply chain and deployment). A current
    /// value in the solution travels with every import and overrides the value each
    /// environment should get from its own configuration, so test and production end up
    /// pointing at the source environment's settings.
    ///
    /// ## Example
    /// ```json
    /// { "environmentvariablevalues": { "environmentvariablevalue": {
    ///     "value": "https://contoso.sharepoint.com/sites/dev" } } }
    /// ```
    ///
    /// ## How to fix
    /// Remove the current value from the solution before export (in the maker portal,
    /// **Remove from this solution** on the value) and supply it per environment with a
    /// deployment settings file (`pac solution import --settings-file`,
    /// `EnvironmentVariables[]`) or the pipeline's environment variable step.
    pub EnvVarValueExported {
        id: "ALM005",
        name: "env-var-value-exported",
        summary: "Environment variable's current value is exported with the solution",
        pillar: OperationalExcellence,
        waf: "OE:06",
        severity: Low,
        confidence: High,
        default_on: true,
        help: "Use a deployment settings file.",
    }
}

impl Rule for EnvVarValueExported {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for var in &solution.env_vars {
            let Some(value) = &var.value else { continue };
            let var_type = var.var_type();
            let plain = matches!(
                var_type,
                EnvVarType::String | EnvVarType::Number | EnvVarType::Boolean | EnvVarType::Json
            );
            if !plain || is_secret_like_name(&var.schema_name) {
                continue;
            }
            let finding = cx
                .report(
                    ComponentRef::new("envvar", var.identity()),
                    &value.loc,
                    format!(
                        "Current value of {} is exported and overrides per-environment configuration.",
                        var.schema_name
                    ),
                )
                .label("exported current value");
            if let Some(type_code) = &var.type_code {
                finding.related(&type_code.loc, format!("type {}", var_type.label()));
            }
        }
    }
}
