//! TLS: agent tools and HTTP nodes.

mod common;
pub mod http_node_direct_llm_call;
pub mod integration_timeout_over_100s;
pub mod tool_maker_credentials;

use super::Rule;

/// This area's rules, with default options.
pub fn rules() -> Vec<Box<dyn Rule>> {
    vec![
        Box::<tool_maker_credentials::ToolMakerCredentials>::default(),
        Box::<http_node_direct_llm_call::HttpNodeDirectLlmCall>::default(),
        Box::<integration_timeout_over_100s::IntegrationTimeoutOver100s>::default(),
    ]
}
