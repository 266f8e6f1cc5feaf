//! RAI: responsible AI and conversation design.

pub mod content_moderation_lowered;
