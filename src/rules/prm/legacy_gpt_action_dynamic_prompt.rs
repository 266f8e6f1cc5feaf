use crate::finding::ComponentRef;
use crate::model::node::join_pointer;
use crate::model::{Loc, Solution};
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

use super::common::TriggerData;

declare_rule! {
    /// ## What it does
    /// Flags a cloud flow action that uses the legacy AI Builder action **Create text with
    /// GPT** (`inputs.host.operationId: aibuilderpredict_gptpromptengineering`) with a prompt
    /// built at run time: `parameters['item/requestv2/prompt']` is a flow expression
    /// (`@…` or `@{…}`). The finding cites the expression and, when data from the flow's
    /// trigger (`triggerBody()`, `triggerOutputs()`) reaches it directly or through Compose
    /// and variable actions, says so on the prompt. A fixed prompt text gives no finding.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:02 (secure development). The legacy action takes one free-text
    /// prompt: the maker's instructions and the user's text are concatenated into the same
    /// string, so the user's text can override the instructions (prompt injection) and
    /// nothing marks where trusted text ends. AI Builder prompts (`Run a prompt`) keep the
    /// instructions fixed and pass user data as typed inputs.
    ///
    /// ## Example
    /// ```json
    /// "Create_Completion": {
    ///   "type": "OpenApiConnection",
    ///   "inputs": {
    ///     "host": { "operationId": "aibuilderpredict_gptpromptengineering", … },
    ///     "parameters": {
    ///       "item/requestv2/prompt": "@concat(outputs('Instructions'), triggerBody()['text'])"
    ///     }
    ///   }
    /// }
    /// ```
    ///
    /// ## How to fix
    /// In Power Automate, replace **Create text with GPT** with **Run a prompt** (AI
    /// Builder) and a prompt built in the prompt builder: fixed instructions, with the
    /// user's text as a typed input placed in clearly delimited sections. In the flow JSON
    /// the action becomes `operationId: aibuilderpredict_customprompt` with
    /// `recordId` = the prompt's `msdyn_aimodelid` and one `item/requestv2/<input>` per
    /// input.
    pub LegacyGptActionDynamicPrompt {
        id: "PRM001",
        name: "legacy-gpt-action-dynamic-prompt",
        summary: "Flow uses the legacy 'Create text with GPT' action with a run-time prompt",
        pillar: Security,
        waf: "SE:02",
        severity: Medium,
        confidence: High,
        default_on: true,
        help: "Use an AI Builder prompt (aibuilderpredict_customprompt) with typed, delimited inputs.",
    }
}

const OPERATION: &str = "aibuilderpredict_gptpromptengineering";
const PROMPT: &str = "item/requestv2/prompt";

/// A flow expression: `@…` (not the `@@` escape) or text with `@{…}`.
fn is_expression(text: &str) -> bool {
    let t = text.trim_start();
    (t.starts_with('@') && !t.starts_with("@@")) || t.contains("@{")
}

/// The expression as cited in the message: one line, at most 80 characters.
fn cite(expression: &str) -> String {
    let flat: String = expression.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= 80 {
        flat
    } else {
        let cut: String = flat.chars().take(79).collect();
        format!("{cut}…")
    }
}

impl Rule for LegacyGptActionDynamicPrompt {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for flow in &solution.flows {
            let mut trigger_data: Option<TriggerData> = None;
            for action in &flow.actions {
                let Some(host) = action.host() else { continue };
                let Some(operation) = host.get("operationId") else {
                    continue;
                };
                if !operation
                    .as_str()
                    .is_some_and(|o| o.eq_ignore_ascii_case(OPERATION))
                {
                    continue;
                }
                let Some(parameters) = action.inputs().and_then(|i| i.get("parameters")) else {
                    continue;
                };
                let Some(prompt) = parameters.get(PROMPT) else {
                    continue;
                };
                let Some(expression) = prompt.as_str().filter(|p| is_expression(p)) else {
                    continue;
                };
                let data = trigger_data.get_or_insert_with(|| TriggerData::of(flow));
                let source = data.source(expression);
                let primary = Loc::new(
                    flow.file,
                    operation.span,
                    format!("{}/inputs/host/operationId", action.path),
                );
                let prompt_loc = Loc::new(
                    flow.file,
                    prompt.span,
                    join_pointer(&format!("{}/inputs/parameters", action.path), PROMPT),
                );
                let prompt_note = match &source {
                    Some(via) => format!("run-time prompt; trigger data flows in via {via}"),
                    None => "run-time prompt".to_string(),
                };
                cx.report(
                    ComponentRef::new("flow", flow.identity()),
                    &primary,
                    format!(
                        "Flow '{}' uses legacy 'Create text with GPT' with a run-time prompt ({}); user input is mixed into the instructions.",
                        flow.name,
                        cite(expression)
                    ),
                )
                .label(format!("legacy 'Create text with GPT' in '{}'", action.name))
                .related(&prompt_loc, prompt_note);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_and_citations() {
        assert!(is_expression(
            "@concat(outputs('A'), triggerBody()['text'])"
        ));
        assert!(is_expression("Write about @{triggerBody()['text']}"));
        assert!(!is_expression("Write a poem about spring."));
        assert!(!is_expression("@@literal at sign"));
        assert_eq!(cite("@concat(\n  a,\n  b)"), "@concat( a, b)");
        assert_eq!(cite(&"x".repeat(100)).chars().count(), 80);
    }
}
