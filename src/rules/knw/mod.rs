//! KNW: knowledge and unmanaged data sources.

pub mod knowledge_general_model_knowledge;

use super::Rule;

/// This area's rules, with default options.
pub fn rules() -> Vec<Box<dyn Rule>> {
    vec![Box::<
        knowledge_general_model_knowledge::KnowledgeGeneralModelKnowledge,
    >::default()]
}
