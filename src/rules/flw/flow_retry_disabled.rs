use crate::finding::ComponentRef;
use crate::model::{Loc, Solution};
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

/// Action types whose calls leave the flow and get the platform's retry policy.
const CALL_TYPES: [&str; 4] = ["Http", "OpenApiConnection", "ApiConnection", "Workflow"];

declare_rule! {
    /// ## What it does
    /// Flags an `Http`, `OpenApiConnection`, `ApiConnection` or `Workflow` (child flow)
    /// action whose retry policy is turned off: `inputs.retryPolicy.type: "none"`. Types
    /// compare case-insensitively.
    ///
    /// Without a `retryPolicy`, Power Automate retries throttled (429), timed-out (408)
    /// and server-error (5xx) responses with an exponential policy, up to 4 times; that
    /// default gives no finding, nor do `fixed` or `exponential` policies.
    ///
    /// ## Why is this bad?
    /// Reliability pillar, RE:05 (transient-fault handling). A single throttled or
    /// briefly unavailable call now fails the action, and with it usually the run: the
    /// flow breaks on faults that a retry would have absorbed.
    ///
    /// ## Example
    /// ```json
    /// "Get_items": { "type": "OpenApiConnection",
    ///   "inputs": { "host": { "operationId": "GetItems" },
    ///               "retryPolicy": { "type": "none" } } }
    /// ```
    ///
    /// ## How to fix
    /// In Power Automate, open the action's **Settings** and set **Retry policy** to
    /// **Default** (or **Exponential interval**); in the exported JSON remove
    /// `retryPolicy` or set `"type": "exponential"`. Keep `none` only for calls that must
    /// not repeat (non-idempotent writes), and say why in the action's note or a
    /// suppression.
    pub FlowRetryDisabled {
        id: "FLW007",
        name: "flow-retry-disabled",
        summary: "Flow action has retries disabled",
        pillar: Reliability,
        waf: "RE:05",
        severity: Low,
        confidence: High,
        default_on: true,
        help: "Use the default or exponential policy; keep none only for non-idempotent calls, with a reason.",
    }
}

impl Rule for FlowRetryDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for flow in &solution.flows {
            for action in &flow.actions {
                if !CALL_TYPES.iter().any(|t| action.type_is(t)) {
                    continue;
                }
                let Some(kind) = action
                    .inputs()
                    .and_then(|i| i.get("retryPolicy"))
                    .and_then(|p| p.get("type"))
                else {
                    continue;
                };
                if !kind
                    .as_str()
                    .is_some_and(|k| k.trim().eq_ignore_ascii_case("none"))
                {
                    continue;
                }
                let loc = Loc::new(
                    flow.file,
                    kind.span,
                    format!("{}/inputs/retryPolicy/type", action.path),
                );
                cx.report(
                    ComponentRef::new("flow", flow.identity()),
                    &loc,
                    format!("Retries disabled on '{}'.", action.name),
                )
                .label(format!("no retry for this {} call", action.node_type));
            }
        }
    }
}
