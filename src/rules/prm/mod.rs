//! PRM: AI Builder prompts.

mod common;
pub mod legacy_gpt_action_dynamic_prompt;
pub mod prompt_input_definition_mismatch;
pub mod prompt_moderation_lowered;

use super::Rule;

/// This area's rules, with default options.
pub fn rules() -> Vec<Box<dyn Rule>> {
    vec![
        Box::<legacy_gpt_action_dynamic_prompt::LegacyGptActionDynamicPrompt>::default(),
        Box::<prompt_input_definition_mismatch::PromptInputDefinitionMismatch>::default(),
        Box::<prompt_moderation_lowered::PromptModerationLowered>::default(),
    ]
}
