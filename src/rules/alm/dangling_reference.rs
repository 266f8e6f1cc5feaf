use std::collections::BTreeSet;

use crate::finding::{ComponentRef, Confidence};
use crate::model::Solution;
use crate::model::graph::RefKind;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};
use crate::source::Layout;

declare_rule! {
    /// ## What it does
    /// Flags a reference to something that is neither in the solution nor declared in
    /// `solution.xml` `<MissingDependencies>`:
    /// - connection references (a flow's `connectionReferenceLogicalName`, a tool's
    ///   `connectionReference`, `Assets/botcomponent_connectionreferenceset.xml`);
    /// - flows (a topic's or tool's `flowId`, `Assets/botcomponent_workflowset.xml`, a
    ///   child-flow call's `workflowReferenceName`);
    /// - AI Builder prompts (`aIModelId`, a literal `recordId` of `aibuilderpredict_customprompt`);
    /// - environment variables (`Env.<schema>` in Power Fx, a flow parameter's
    ///   `metadata.schemaName`, `@environmentVariables("…")` in a connector);
    /// - components (`knowledgeSources`, `dialog:`, `botSchemaName`).
    ///
    /// GUIDs compare case-insensitively with braces stripped; names case-insensitively.
    /// Environment-variable and `dialog:` references are reported with medium confidence
    /// (Power Fx may build names the export does not show). Copilot Studio workspaces
    /// carry no environment variables, connectors or prompts, so those references are not
    /// checked there, nor are connection references when the workspace has no
    /// `connectionreferences.mcs.yml`.
    ///
    /// ## Why is this bad?
    /// Operational Excellence pillar, OE:11 (safe deployment). Importing the solution
    /// into a clean environment fails, or the agent or flow fails at run time, because
    /// the referenced item only exists in the source environment.
    ///
    /// ## Example
    /// ```json
    /// "connection": { "connectionReferenceLogicalName": "cnt_sharedoffice365_8f2a1" }
    /// ```
    /// with no `<connectionreference connectionreferencelogicalname="cnt_sharedoffice365_8f2a1">`
    /// in `customizations.xml`.
    ///
    /// ## How to fix
    /// In the maker portal, open the solution and use **Add existing** to add the missing
    /// connection reference, flow, prompt or environment variable (or **Add required
    /// objects** on the component), then export again. If it belongs to another solution,
    /// install that solution first and make it a prerequisite.
    pub DanglingReference {
        id: "ALM001",
        name: "dangling-reference",
        summary: "A component references something that is not in the solution nor a declared dependency",
        pillar: OperationalExcellence,
        waf: "OE:11",
        severity: High,
        confidence: High,
        default_on: true,
        help: "Add it, or add its solution as a prerequisite.",
    }
}

impl Rule for DanglingReference {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        let declared = declared_missing(solution);
        let workspace = solution.ws.layout == Layout::McsWorkspace;
        let has_connref_file = solution
            .ws
            .find(|s| s == ["connectionreferences.mcs.yml"])
            .next()
            .is_some();
        let mut reported = BTreeSet::new();
        for edge in solution.graph.dangling() {
            if workspace {
                let skipped = match edge.kind {
                    RefKind::EnvVar
                    | RefKind::Prompt
                    | RefKind::Connector
                    | RefKind::Component
                    | RefKind::Agent => true,
                    RefKind::ConnectionReference => !has_connref_file,
                    RefKind::Flow => solution.flows.is_empty(),
                };
                if skipped {
                    continue;
                }
            }
            if declared.contains(&(edge.kind, normalize(edge.kind, &edge.reference))) {
                continue;
            }
            let Some(loc) = &edge.loc else { continue };
            let (kind, identity) = solution.node_identity(edge.from);
            let key = (
                identity.clone(),
                loc.path.clone(),
                edge.reference.to_ascii_lowercase(),
                edge.via,
            );
            if !reported.insert(key) {
                continue;
            }
            let confidence = if matches!(edge.kind, RefKind::EnvVar)
                || (edge.kind == RefKind::Component && loc.path.ends_with("/dialog"))
            {
                Confidence::Medium
            } else {
                Confidence::High
            };
            cx.report(
                ComponentRef::new(kind, identity),
                loc,
                format!(
                    "{} '{}' used by {} is not in the solution nor a declared dependency; import or runtime fails.",
                    edge.kind.label(),
                    edge.reference,
                    solution.node_label(edge.from)
                ),
            )
            .confidence(confidence)
            .label(format!("{} not in the solution", edge.kind.label().to_ascii_lowercase()))
            .discriminator(format!("{:?}:{}:{:?}", edge.kind, edge.reference.to_ascii_lowercase(), edge.via));
        }
    }
}

/// Every (kind, name) that `<MissingDependencies>` declares as coming from
/// elsewhere. A `Required` element names its item by `id`, `schemaName` or an
/// `id.<key>` attribute; any of them counts for any reference kind.
fn declared_missing(solution: &Solution<'_>) -> BTreeSet<(RefKind, String)> {
    const KINDS: [RefKind; 7] = [
        RefKind::Agent,
        RefKind::Component,
        RefKind::Flow,
        RefKind::Prompt,
        RefKind::ConnectionReference,
        RefKind::Connector,
        RefKind::EnvVar,
    ];
    let mut declared = BTreeSet::new();
    let Some(manifest) = &solution.manifest else {
        return declared;
    };
    for dependency in &manifest.missing_dependencies {
        for (name, value) in &dependency.required {
            let lower = name.to_ascii_lowercase();
            if lower == "id" || lower == "schemaname" || lower.starts_with("id.") {
                for kind in KINDS {
                    declared.insert((kind, normalize(kind, value)));
                }
            }
        }
    }
    declared
}

fn normalize(kind: RefKind, reference: &str) -> String {
    match kind {
        RefKind::Flow | RefKind::Prompt => crate::model::normalize_guid(reference),
        _ => reference.trim().to_ascii_lowercase(),
    }
}
