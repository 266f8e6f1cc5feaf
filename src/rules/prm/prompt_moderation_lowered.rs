use crate::finding::ComponentRef;
use crate::model::Solution;
use crate::model::node::join_pointer;
use crate::rules::helpers::ModerationLevel;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

use super::common::{config_loc, model_label, prompt_config};

declare_rule! {
    /// ## What it does
    /// **Experimental.** Flags an AI Builder prompt whose active configuration
    /// (`msdyn_customconfiguration`) has a key under `settings` whose name contains
    /// `moderation` (third-party documentation calls it `contentModerationLevel`) and whose
    /// value is a moderation level below `floor` (default `High`). Levels, lowest first:
    /// `Minimum` (Lowest) < `Low` < `Medium` < `High` < `Maximum` (Highest).
    ///
    /// The key is inferred [I]: none of the prompt configurations seen in real exports
    /// has a moderation setting, so the rule is opt-in (pedantic) with medium confidence.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:01 (security baseline). A prompt with lowered moderation lets
    /// more harmful or hateful content through to the flows, apps and agents that call it.
    ///
    /// ## Example
    /// ```json
    /// "settings": { "recordRetrievalLimit": 30, "contentModerationLevel": "Low" }
    /// ```
    ///
    /// ## How to fix
    /// In the prompt builder (Power Apps **AI hub → Prompts**, or the prompt tool in
    /// Copilot Studio), open the prompt's **Settings** and restore the default content
    /// moderation level, then save and re-export the solution; the key under `settings`
    /// in `msdyn_customconfiguration` then disappears or reads `High`.
    ///
    /// ## Options
    /// - `floor` (default `High`): the lowest acceptable level.
    pub PromptModerationLowered {
        id: "PRM003",
        name: "prompt-moderation-lowered",
        summary: "AI Builder prompt lowers content moderation (experimental)",
        pillar: Security,
        waf: "SE:01",
        severity: Medium,
        confidence: Medium,
        default_on: false,
        help: "Restore the default.",
        options: Options,
    }
}

/// Options of PRM003.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    pub floor: ModerationLevel,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            floor: ModerationLevel::High,
        }
    }
}

impl Rule for PromptModerationLowered {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for model in &solution.ai_models {
            let Some((custom, custom_loc)) = prompt_config(model) else {
                continue;
            };
            let Some(settings) = custom.get("settings") else {
                continue;
            };
            for member in settings.members() {
                if !member.key.to_ascii_lowercase().contains("moderation") {
                    continue;
                }
                let Some(text) = member.value.as_str() else {
                    continue;
                };
                let Some(level) = ModerationLevel::parse(text) else {
                    continue;
                };
                if level >= self.options.floor {
                    continue;
                }
                let loc = config_loc(
                    custom_loc,
                    &member.value,
                    &join_pointer("/settings", &member.key),
                );
                cx.report(
                    ComponentRef::new("aimodel", model.identity()),
                    &loc,
                    format!(
                        "Prompt '{}' lowers moderation ({}={text}).",
                        model_label(model),
                        member.key
                    ),
                )
                .label(format!(
                    "{} is below {}",
                    level.name(),
                    self.options.floor.name()
                ));
            }
        }
    }
}
