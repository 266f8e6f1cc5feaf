//! AGT: agent settings.

pub mod agent_no_authentication;

use super::Rule;

/// This area's rules, with default options.
pub fn rules() -> Vec<Box<dyn Rule>> {
    vec![Box::<agent_no_authentication::AgentNoAuthentication>::default()]
}
