use crate::finding::ComponentRef;
use crate::model::{EnvVarType, Loc, Solution, Value};
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags an environment variable of type **Data source**
    /// (`environmentvariabledefinition.xml` `<type>100000004</type>`, with the connector in
    /// `<apiid>` and the parameter, e.g. `dataset`, in `<parameterkey>`) that ships a value:
    /// a non-empty current value in `environmentvariablevalues.json`, or a non-empty
    /// `<defaultvalue>`. The finding points at the current value (else the default value);
    /// each cloud flow parameter bound to the variable (`parameters[P].metadata.schemaName`
    /// = the variable) is shown beside it at its `defaultValue`.
    ///
    /// Values of other types are ALM005's (plain) and SEC002's (secret-like names).
    /// Workspaces have no environment variables, so the rule never reports them.
    ///
    /// ## Why is this bad?
    /// Operational Excellence pillar, OE:06 (supply chain and deployment). A data-source
    /// variable names the SharePoint site, list or other dataset the solution's flows and
    /// apps read and write. When its value travels with the solution, importing into test
    /// or production silently binds them to the source environment's data: test runs write
    /// into production lists, or production reads a developer's site.
    ///
    /// ## Example
    /// ```json
    /// { "environmentvariablevalues": { "environmentvariablevalue": {
    ///     "value": "https://contoso.sharepoint.com/sites/dev-team" } } }
    /// ```
    /// next to `<type>100000004</type>` and `<parameterkey>dataset</parameterkey>`.
    ///
    /// ## How to fix
    /// In the maker portal, open the solution, select the environment variable and
    /// **Remove from this solution** on its current value (and clear the default value)
    /// before export. In the exported files, `environmentvariablevalues.json` is then
    /// absent and `<defaultvalue>` is empty or absent (the flow's parameter `defaultValue`
    /// is a design-time copy that the variable's value in each environment replaces at run
    /// time [I]). Set the value per environment instead: a deployment settings file
    /// (`pac solution import --settings-file`, `EnvironmentVariables[]`), the import
    /// wizard, or the pipeline's environment variable step.
    pub DataSourceEnvVarValueShipped {
        id: "KNW007",
        name: "data-source-env-var-value-shipped",
        summary: "Data-source environment variable ships a value with the solution",
        pillar: OperationalExcellence,
        waf: "OE:06",
        severity: Medium,
        confidence: High,
        default_on: true,
        help: "Remove the value before export; set it per environment (deployment settings EnvironmentVariables[]).",
    }
}

impl Rule for DataSourceEnvVarValueShipped {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for var in &solution.env_vars {
            if var.var_type() != EnvVarType::DataSource {
                continue;
            }
            let non_empty = |v: &Option<Value<String>>| {
                v.as_ref().filter(|v| !v.value.trim().is_empty()).cloned()
            };
            let current = non_empty(&var.value);
            let default = non_empty(&var.default_value);
            let (primary, what) = match (&current, &default) {
                (Some(c), _) => (c, "current value"),
                (None, Some(d)) => (d, "default value"),
                (None, None) => continue,
            };
            let finding = cx
                .report(
                    ComponentRef::new("envvar", var.identity()),
                    &primary.loc,
                    format!(
                        "Data-source variable {} ships value {}; import binds the target to the source data.",
                        var.schema_name,
                        primary.value.trim()
                    ),
                )
                .label(format!("exported {what}"));
            if current.is_some()
                && let Some(d) = &default
            {
                finding.related(&d.loc, format!("default value {}", d.value.trim()));
            }
            for flow in &solution.flows {
                for parameter in &flow.parameters {
                    if !parameter
                        .schema_name
                        .as_deref()
                        .is_some_and(|s| s.eq_ignore_ascii_case(&var.schema_name))
                    {
                        continue;
                    }
                    let Some(default_value) = parameter.default_value else {
                        continue;
                    };
                    let loc = Loc::new(
                        flow.file,
                        default_value.span,
                        format!("{}/defaultValue", parameter.path),
                    );
                    finding.related(&loc, format!("flow '{}' parameter default", flow.name));
                }
            }
        }
    }
}
