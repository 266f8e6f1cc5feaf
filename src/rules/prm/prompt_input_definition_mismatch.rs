use crate::finding::ComponentRef;
use crate::model::node::join_pointer;
use crate::model::{AiModel, Loc, Solution};
use crate::parse::{JsonKind, JsonValue};
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

use super::common::{config_loc, model_label, normalize_guid, prompt_config};

declare_rule! {
    /// ## What it does
    /// Checks that an AI Builder prompt (`customizations.xml` `<AIModel>`, active
    /// configuration, `msdyn_customconfiguration` version `GptDynamicPrompt-2`) and its
    /// callers agree on the prompt's inputs:
    /// - (a) a `prompt[i]` segment of type `inputVariable` names an id that is not in
    ///   `definitions.inputs[].id`;
    /// - (b) a declared input is used nowhere (not in `prompt[]`, nor in the prompt's
    ///   `code` or `formulas`);
    /// - (c) a cloud flow calls the prompt (`operationId: aibuilderpredict_customprompt`
    ///   with a literal `recordId` equal to the prompt's `msdyn_aimodelid`; GUIDs compare
    ///   case-insensitively, braces stripped) and passes an `item/requestv2/<x>` that is
    ///   not declared, or omits a declared input.
    ///
    /// Older `GptDynamicPrompt-1` prompts have no input definitions and are skipped. The
    /// caller check (c) is inferred from exported flows [I]: the maker portal normally
    /// keeps them aligned, so a mismatch means one side was edited or imported alone.
    ///
    /// ## Why is this bad?
    /// Reliability pillar (no specific Well-Architected checklist code applies).
    /// An undeclared variable is sent to the model as literal or empty text,
    /// an unused input is data the caller collects for nothing, and a flow that passes an
    /// undeclared input or omits a declared one fails at run time or silently prompts the
    /// model with missing context.
    ///
    /// ## Example
    /// ```json
    /// {"version":"GptDynamicPrompt-2",
    ///  "prompt":[{"type":"literal","text":"Summarise: "},{"type":"inputVariable","id":"Ticket"}],
    ///  "definitions":{"inputs":[{"id":"TicketText","text":"TicketText","type":"text"}]}}
    /// ```
    ///
    /// ## How to fix
    /// In Power Apps or Copilot Studio, open the prompt (**AI hub → Prompts**, or the
    /// prompt tool), re-insert the input in the instructions or delete the unused input,
    /// and save. Then open each calling flow's **Run a prompt** action and refresh it, so
    /// its parameters match the prompt's inputs. In the export, `prompt[]` ids must match
    /// `definitions.inputs[].id`, and each flow's `item/requestv2/<id>` parameters must
    /// match those ids.
    pub PromptInputDefinitionMismatch {
        id: "PRM002",
        name: "prompt-input-definition-mismatch",
        summary: "Prompt inputs, prompt text and flow callers disagree",
        pillar: Reliability,
        waf: "—",
        severity: Medium,
        confidence: High,
        default_on: true,
        help: "Align inputs and callers.",
    }
}

const CALL: &str = "aibuilderpredict_customprompt";
const INPUT_PREFIX: &str = "item/requestv2/";

/// A prompt the rule can check: its declared inputs and where they are.
struct Prompt<'m> {
    model: &'m AiModel,
    custom: &'m JsonValue,
    custom_loc: &'m Loc,
    /// (index, id, the `id` value) of `definitions.inputs`.
    declared: Vec<(usize, &'m str, &'m JsonValue)>,
}

fn prompt(model: &AiModel) -> Option<Prompt<'_>> {
    let (custom, custom_loc) = prompt_config(model)?;
    let version = custom.get("version").and_then(JsonValue::as_str)?;
    if !version.eq_ignore_ascii_case("GptDynamicPrompt-2") {
        return None;
    }
    let declared = custom
        .path(&["definitions", "inputs"])
        .map(JsonValue::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .filter_map(|(j, input)| {
            let id = input.get("id")?;
            Some((j, id.as_str()?, id))
        })
        .collect();
    Some(Prompt {
        model,
        custom,
        custom_loc,
        declared,
    })
}

fn all_text(value: &JsonValue, out: &mut String) {
    match &value.kind {
        JsonKind::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        JsonKind::Array(items) => items.iter().for_each(|v| all_text(v, out)),
        JsonKind::Object(members) => members.iter().for_each(|m| all_text(&m.value, out)),
        _ => {}
    }
}

impl PromptInputDefinitionMismatch {
    fn check_prompt(p: &Prompt<'_>, cx: &mut RuleContext<'_>) {
        let label = model_label(p.model);
        let component = || ComponentRef::new("aimodel", p.model.identity());
        let segments = p.custom.get("prompt").map(JsonValue::items).unwrap_or(&[]);
        let mut used: Vec<&str> = Vec::new();
        for (i, segment) in segments.iter().enumerate() {
            let is_input = segment
                .get("type")
                .and_then(JsonValue::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("inputVariable"));
            let Some(id) = segment.get("id").and_then(JsonValue::as_str) else {
                continue;
            };
            if !is_input {
                continue;
            }
            used.push(id);
            if p.declared.iter().any(|(_, d, _)| *d == id) {
                continue;
            }
            let loc = config_loc(p.custom_loc, segment, &format!("/prompt/{i}"));
            cx.report(
                component(),
                &loc,
                format!("Prompt '{label}' uses undeclared input '{id}'."),
            )
            .label(format!("'{id}' is not in definitions.inputs"));
        }
        // Code-interpreter prompts and formulas may read inputs outside `prompt[]`.
        let mut elsewhere = String::new();
        if let Some(v) = p.custom.get("code") {
            all_text(v, &mut elsewhere);
        }
        if let Some(v) = p.custom.path(&["definitions", "formulas"]) {
            all_text(v, &mut elsewhere);
        }
        for (j, id, node) in &p.declared {
            if used.contains(id) || (!id.is_empty() && elsewhere.contains(id)) {
                continue;
            }
            let loc = config_loc(p.custom_loc, node, &format!("/definitions/inputs/{j}/id"));
            cx.report(
                component(),
                &loc,
                format!("Prompt '{label}' declares unused input '{id}'."),
            )
            .label("not used in the prompt text");
        }
    }
}

impl Rule for PromptInputDefinitionMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        let prompts: Vec<Prompt<'_>> = solution.ai_models.iter().filter_map(prompt).collect();
        for p in &prompts {
            Self::check_prompt(p, cx);
        }
        if prompts.is_empty() {
            return;
        }
        for flow in &solution.flows {
            for action in &flow.actions {
                if !action
                    .operation_id()
                    .is_some_and(|o| o.eq_ignore_ascii_case(CALL))
                {
                    continue;
                }
                let Some(inputs) = action.inputs() else {
                    continue;
                };
                let Some(parameters) = inputs.member("parameters") else {
                    continue;
                };
                let Some(record) = parameters.value.get("recordId").and_then(JsonValue::as_str)
                else {
                    continue;
                };
                let record = normalize_guid(record);
                let Some(p) = prompts.iter().find(|p| p.model.id == record) else {
                    continue;
                };
                let label = model_label(p.model);
                let params_path = format!("{}/inputs/parameters", action.path);
                let mut passed: Vec<&str> = Vec::new();
                for member in parameters.value.members() {
                    let Some(rest) = member.key.strip_prefix(INPUT_PREFIX) else {
                        continue;
                    };
                    let id = rest.split('/').next().unwrap_or(rest);
                    passed.push(id);
                    if p.declared.iter().any(|(_, d, _)| *d == id) {
                        continue;
                    }
                    let loc = Loc::new(
                        flow.file,
                        member.key_span,
                        join_pointer(&params_path, &member.key),
                    );
                    let declared: Vec<&str> = p.declared.iter().map(|(_, d, _)| *d).collect();
                    cx.report(
                        ComponentRef::new("flow", flow.identity()),
                        &loc,
                        format!(
                            "Prompt '{label}' is called by '{}' with undeclared '{id}'.",
                            flow.name
                        ),
                    )
                    .label(format!("'{id}' is not an input of the prompt"))
                    .related(
                        &p.model.loc,
                        format!("prompt '{label}' declares: {}", declared.join(", ")),
                    );
                }
                for (j, id, node) in &p.declared {
                    if passed.contains(id) {
                        continue;
                    }
                    let loc = Loc::new(flow.file, parameters.key_span, params_path.clone());
                    let declared_loc =
                        config_loc(p.custom_loc, node, &format!("/definitions/inputs/{j}/id"));
                    cx.report(
                        ComponentRef::new("flow", flow.identity()),
                        &loc,
                        format!(
                            "Prompt '{label}' is called by '{}' without declared input '{id}'.",
                            flow.name
                        ),
                    )
                    .label(format!("'{id}' is not passed"))
                    .discriminator(format!("{}:{id}", p.model.id))
                    .related(&declared_loc, format!("input '{id}' declared here"));
                }
            }
        }
    }
}
