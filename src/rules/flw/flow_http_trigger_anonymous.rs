use crate::finding::{ComponentRef, Confidence};
use crate::model::{Loc, Solution};
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a cloud flow whose trigger is **When an HTTP request is received**
    /// (`"type": "Request", "kind": "Http"`) and that anyone may call:
    /// - `inputs.triggerAuthenticationType: "All"` (the **Anyone** option) → confidence high;
    /// - no `triggerAuthenticationType` at all → confidence medium. Flows saved before the
    ///   setting existed behave like the legacy trigger, where the signed URL (SAS) is the
    ///   only protection [I: inferred, the behaviour of an absent value is not documented].
    ///
    /// `User` (specific users in the tenant) and `Tenant` (any user in the tenant) need an
    /// Entra ID token and give no finding. Type and kind compare case-insensitively.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:05 (identity and access). Whoever obtains the trigger URL (from
    /// a log, a browser history, a chat message or a repository) can run the flow, with
    /// the flow owner's connections, and feed it any input. Nothing identifies or limits
    /// the caller.
    ///
    /// ## Example
    /// ```json
    /// "triggers": { "manual": { "type": "Request", "kind": "Http",
    ///   "inputs": { "method": "POST", "triggerAuthenticationType": "All" } } }
    /// ```
    ///
    /// ## How to fix
    /// In Power Automate, open the trigger and set **Who can trigger the flow?** to **Any
    /// user in my tenant** or **Specific users in my tenant**; callers then send an Entra
    /// ID token. In the exported JSON this is `"triggerAuthenticationType": "Tenant"` or
    /// `"User"` (with `triggerAllowedUsers`). Also validate the body with a `schema`, and
    /// treat the trigger URL as a secret.
    pub FlowHttpTriggerAnonymous {
        id: "FLW001",
        name: "flow-http-trigger-anonymous",
        summary: "Flow HTTP trigger accepts anonymous callers",
        pillar: Security,
        waf: "SE:05",
        severity: High,
        confidence: High,
        default_on: true,
        help: "Set Who can trigger → tenant users or specific users; validate schema; treat the URL as a secret.",
    }
}

impl Rule for FlowHttpTriggerAnonymous {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for flow in &solution.flows {
            for trigger in &flow.triggers {
                let is_http = trigger.type_is("Request")
                    && trigger
                        .kind
                        .as_deref()
                        .is_some_and(|k| k.eq_ignore_ascii_case("Http"));
                if !is_http {
                    continue;
                }
                let message = format!(
                    "Flow '{}' HTTP trigger accepts anonymous callers.",
                    flow.name
                );
                let component = ComponentRef::new("flow", flow.identity());
                let inputs = trigger.value.member("inputs");
                let setting = inputs.and_then(|m| m.value.get("triggerAuthenticationType"));
                match setting {
                    Some(value) => {
                        let anyone = value
                            .as_str()
                            .is_some_and(|v| v.trim().eq_ignore_ascii_case("All"));
                        if !anyone {
                            continue;
                        }
                        let loc = Loc::new(
                            flow.file,
                            value.span,
                            format!("{}/inputs/triggerAuthenticationType", trigger.path),
                        );
                        cx.report(component, &loc, message)
                            .label("Who can trigger: Anyone");
                    }
                    None => {
                        let loc = match inputs {
                            Some(m) => {
                                Loc::new(flow.file, m.key_span, format!("{}/inputs", trigger.path))
                            }
                            None => trigger.loc(flow.file),
                        };
                        cx.report(component, &loc, message)
                            .confidence(Confidence::Medium)
                            .label("no triggerAuthenticationType: legacy trigger, the URL is the only protection");
                    }
                }
            }
        }
    }
}
