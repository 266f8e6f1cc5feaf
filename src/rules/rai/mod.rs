//! RAI: responsible AI and conversation design.

pub mod agent_instructions_missing;
pub mod content_moderation_lowered;
pub mod legacy_moderation_slider;
pub mod no_human_escalation;

use super::Rule;

/// This area's rules, with default options.
pub fn rules() -> Vec<Box<dyn Rule>> {
    vec![
        Box::<content_moderation_lowered::ContentModerationLowered>::default(),
        Box::<legacy_moderation_slider::LegacyModerationSlider>::default(),
        Box::<agent_instructions_missing::AgentInstructionsMissing>::default(),
        Box::<no_human_escalation::NoHumanEscalation>::default(),
    ]
}
