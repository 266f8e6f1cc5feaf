//! KNW: knowledge and unmanaged data sources.

pub mod data_source_env_var_value_shipped;
pub mod knowledge_custom_source;
pub mod knowledge_general_model_knowledge;
pub mod knowledge_public_website;
pub mod knowledge_sharepoint_broad_scope;
pub mod knowledge_uploaded_documents;
pub mod knowledge_web_search;
mod support;

use super::Rule;

/// This area's rules, with default options.
pub fn rules() -> Vec<Box<dyn Rule>> {
    vec![
        Box::<knowledge_public_website::KnowledgePublicWebsite>::default(),
        Box::<knowledge_web_search::KnowledgeWebSearch>::default(),
        Box::<knowledge_general_model_knowledge::KnowledgeGeneralModelKnowledge>::default(),
        Box::<knowledge_uploaded_documents::KnowledgeUploadedDocuments>::default(),
        Box::<knowledge_sharepoint_broad_scope::KnowledgeSharepointBroadScope>::default(),
        Box::<knowledge_custom_source::KnowledgeCustomSource>::default(),
        Box::<data_source_env_var_value_shipped::DataSourceEnvVarValueShipped>::default(),
    ]
}
