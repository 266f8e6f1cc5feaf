use crate::finding::ComponentRef;
use crate::model::{Loc, Solution};
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

use super::agent_flows::describe;

declare_rule! {
    /// ## What it does
    /// Flags each connection reference of an **agent flow** that runs on the flow's own
    /// stored connection: `properties.connectionReferences.<key>.runtimeSource:
    /// "embedded"`. One finding per reference.
    ///
    /// An agent flow is a flow triggered by a Copilot Studio agent (`Request` trigger with
    /// kind `Skills` or `VirtualAgent`), or a flow reached from an agent: a topic or tool
    /// calling it (`InvokeFlowAction` / `InvokeFlowTaskAction` `flowId`, or
    /// `Assets/botcomponent_workflowset.xml`), or a child flow such a flow calls
    /// (`Workflow` action, up to 6 levels deep).
    ///
    /// `embedded` means the connection saved in the flow, i.e. the owner's; `invoker`
    /// ("Provided by run-only user") means the caller's own connection. This mapping comes
    /// from the designer's behaviour, not from a field that states it [I: inferred].
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:05 (identity and access). Every user of the agent, or anyone at
    /// all when the agent has no authentication (see SEC101), reads and writes through the
    /// owner's account: Dataverse rows, mailboxes, SharePoint sites. Per-user permissions,
    /// auditing and data loss prevention by user no longer apply.
    ///
    /// ## Example
    /// ```json
    /// "connectionReferences": { "shared_office365": {
    ///   "runtimeSource": "embedded",
    ///   "connection": { "connectionReferenceLogicalName": "cnt_sharedoffice365_1a2b3" },
    ///   "api": { "name": "shared_office365" } } }
    /// ```
    ///
    /// ## How to fix
    /// Prefer end-user identity: in Power Automate open the flow's **Details → Run only
    /// users** and set each connection to **Provided by run-only user** (exported as
    /// `"runtimeSource": "invoker"`), and require authentication on the agent so there is a
    /// user to act as. Where a shared identity is unavoidable, use a least-privilege
    /// service principal or service account for the connection, not a maker's account.
    pub AgentFlowOwnerConnection {
        id: "FLW003",
        name: "agent-flow-owner-connection",
        summary: "Agent flow uses the owner's embedded connection",
        pillar: Security,
        waf: "SE:05",
        severity: Medium,
        confidence: Medium,
        default_on: true,
        help: "Use run-only user credentials with an authenticated agent, or a least-privilege service principal.",
    }
}

impl Rule for AgentFlowOwnerConnection {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        let links = solution.agent_links();
        for (flow, link) in solution.flows.iter().zip(links) {
            let Some(link) = link else { continue };
            for reference in &flow.connection_references {
                let Some(source) = reference.runtime_source else {
                    continue;
                };
                let embedded = source
                    .as_str()
                    .is_some_and(|s| s.trim().eq_ignore_ascii_case("embedded"));
                if !embedded {
                    continue;
                }
                let api = reference
                    .api_name
                    .as_deref()
                    .or(reference.api_logical_name.as_deref())
                    .unwrap_or(&reference.key);
                let loc = Loc::new(
                    flow.file,
                    source.span,
                    format!("{}/runtimeSource", reference.path),
                );
                cx.report(
                    ComponentRef::new("flow", flow.identity()),
                    &loc,
                    format!(
                        "Agent flow '{}' uses {api} via the owner's embedded connection: agent users act as the owner.",
                        flow.name
                    ),
                )
                .label("the flow's stored (owner's) connection")
                .related(link.loc(), describe(link));
            }
        }
    }
}
