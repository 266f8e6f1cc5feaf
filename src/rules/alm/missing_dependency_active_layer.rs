use crate::finding::ComponentRef;
use crate::model::Solution;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a `solution.xml` `<MissingDependency>` whose `<Required>` item lives in the
    /// `Active` solution of the source environment (`solution="Active"`): it exists there
    /// only as an unmanaged customisation. Dependencies on named solutions (platform
    /// solutions such as `msdyn_*` or `EnvironmentVariables`, or your own managed
    /// prerequisites) are normal and not reported.
    ///
    /// ## Why is this bad?
    /// Operational Excellence pillar, OE:11 (safe deployment). Nothing can ship the
    /// required item to the target environment: the import fails there, or works only in
    /// environments where someone created the same item by hand.
    ///
    /// ## Example
    /// ```xml
    /// <MissingDependency>
    ///   <Required type="connectionreference" displayName="cat_Dataverse" solution="Active"
    ///             id.connectionreferencelogicalname="cat_Dataverse" />
    ///   <Dependent type="29" displayName="Daily load" id="{…}" />
    /// </MissingDependency>
    /// ```
    ///
    /// ## How to fix
    /// Add the required component to this solution (maker portal: **Add existing**), or to
    /// a managed solution that you install first and declare as a prerequisite. Export again.
    pub MissingDependencyActiveLayer {
        id: "ALM002",
        name: "missing-dependency-active-layer",
        summary: "A required component exists only as an unmanaged customisation in the source environment",
        pillar: OperationalExcellence,
        waf: "OE:11",
        severity: Medium,
        confidence: High,
        default_on: true,
        help: "Add it to this or a managed prerequisite solution.",
    }
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// What the `type` of a `<Required>` element means.
fn type_label(code: &str) -> String {
    match code.to_ascii_lowercase().as_str() {
        "connectionreference" => "Connection reference".into(),
        "environmentvariabledefinition" => "Environment variable".into(),
        "1" => "Table".into(),
        "2" => "Column".into(),
        "29" => "Process".into(),
        "60" => "Form".into(),
        "61" => "Web resource".into(),
        "66" => "Custom control".into(),
        "90" => "Plug-in type".into(),
        "300" => "Canvas app".into(),
        "372" => "Custom connector".into(),
        "401" => "AI model".into(),
        _ => format!("Component (type {code})"),
    }
}

impl Rule for MissingDependencyActiveLayer {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        let Some(manifest) = &solution.manifest else {
            return;
        };
        for dependency in &manifest.missing_dependencies {
            let required = &dependency.required;
            if !attr(required, "solution").is_some_and(|s| s.eq_ignore_ascii_case("Active")) {
                continue;
            }
            let name = attr(required, "displayName")
                .or_else(|| attr(required, "schemaName"))
                .or_else(|| {
                    required
                        .iter()
                        .find(|(n, v)| n.to_ascii_lowercase().starts_with("id") && !v.is_empty())
                        .map(|(_, v)| v.as_str())
                })
                .unwrap_or("(unnamed)");
            let kind = type_label(attr(required, "type").unwrap_or(""));
            let dependent = attr(&dependency.dependent, "displayName")
                .or_else(|| attr(&dependency.dependent, "schemaName"))
                .or_else(|| attr(&dependency.dependent, "id"))
                .unwrap_or("(unnamed)");
            let finding = cx
                .report(
                    ComponentRef::new("solution", solution.identity()),
                    &dependency.required_loc,
                    format!("{kind} '{name}' needed by '{dependent}' exists only unmanaged in the source environment."),
                )
                .label("required from the Active (unmanaged) layer")
                .discriminator(format!("{kind}:{name}:{dependent}").to_ascii_lowercase());
            if let Some(loc) = &dependency.dependent_loc {
                finding.related(loc, format!("needed by '{dependent}'"));
            }
        }
    }
}
