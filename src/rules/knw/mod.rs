//! KNW: knowledge and unmanaged data sources.

pub mod knowledge_general_model_knowledge;
