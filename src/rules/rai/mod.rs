//! RAI: responsible AI and conversation design.

pub mod content_moderation_lowered;

use super::Rule;

/// This area's rules, with default options.
pub fn rules() -> Vec<Box<dyn Rule>> {
    vec![Box::<content_moderation_lowered::ContentModerationLowered>::default()]
}
