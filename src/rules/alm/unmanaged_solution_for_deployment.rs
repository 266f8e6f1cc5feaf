use crate::finding::ComponentRef;
use crate::model::Solution;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// When pplint runs with `--target test` or `--target prod`, flags a solution exported
    /// as unmanaged (`solution.xml` `<Managed>0</Managed>`). Without a target the rule is
    /// skipped. SolutionPackager folders usually say `<Managed>2</Managed>` ("both": the
    /// source can be packed either way) and are not reported.
    ///
    /// ## Why is this bad?
    /// Operational Excellence pillar, OE:11 (safe deployment). Unmanaged solutions in
    /// test or production can be edited in place, cannot be cleanly upgraded or removed,
    /// and merge their components into the environment's unmanaged layer.
    ///
    /// ## Example
    /// ```xml
    /// <Managed>0</Managed>
    /// ```
    ///
    /// ## How to fix
    /// Export the solution as **Managed** for every environment except development
    /// (`pac solution export --managed true`, or pack with `--packagetype Managed`).
    ///
    /// ## Options
    /// - `target` (set with `--target test|prod`; default none): the environment the
    ///   solution is being deployed to.
    pub UnmanagedSolutionForDeployment {
        id: "ALM003",
        name: "unmanaged-solution-for-deployment",
        summary: "Unmanaged solution exported for deployment to test or production",
        pillar: OperationalExcellence,
        waf: "OE:11",
        severity: Medium,
        confidence: High,
        default_on: true,
        help: "Export as managed.",
        options: Options,
    }
}

/// Options of ALM003.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// `test` or `prod`; `None` skips the rule.
    pub target: Option<String>,
}

impl Rule for UnmanagedSolutionForDeployment {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        let Some(target) = &self.options.target else {
            return;
        };
        let Some(managed) = solution.manifest.as_ref().and_then(|m| m.managed.as_ref()) else {
            return;
        };
        if managed.value.trim() != "0" {
            return;
        }
        cx.report(
            ComponentRef::new("solution", solution.identity()),
            &managed.loc,
            format!("Unmanaged solution exported for {target}."),
        )
        .label("0 = unmanaged");
    }
}
