//! AGT: agent settings.

pub mod agent_file_upload_unauthenticated;
pub mod agent_no_authentication;
pub mod agent_open_access_policy;
pub mod agent_sign_in_optional;

use super::Rule;

/// This area's rules, with default options.
pub fn rules() -> Vec<Box<dyn Rule>> {
    vec![
        Box::<agent_no_authentication::AgentNoAuthentication>::default(),
        Box::<agent_sign_in_optional::AgentSignInOptional>::default(),
        Box::<agent_open_access_policy::AgentOpenAccessPolicy>::default(),
        Box::<agent_file_upload_unauthenticated::AgentFileUploadUnauthenticated>::default(),
    ]
}
