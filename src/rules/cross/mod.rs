//! x1nn: cross-component rules over the component graph (RULES.md §12).

pub mod agent_relays_unmoderated_llm_output;
pub mod agent_tool_unsafe_mcp_server;
mod facts;
pub mod secret_env_var_used_as_credential;
pub mod unauthenticated_agent_owner_credentials;
pub mod unauthenticated_agent_private_knowledge;

use super::Rule;

/// This area's rules, with default options.
pub fn rules() -> Vec<Box<dyn Rule>> {
    vec![
        Box::<unauthenticated_agent_private_knowledge::UnauthenticatedAgentPrivateKnowledge>::default(),
        Box::<agent_relays_unmoderated_llm_output::AgentRelaysUnmoderatedLlmOutput>::default(),
        Box::<unauthenticated_agent_owner_credentials::UnauthenticatedAgentOwnerCredentials>::default(),
        Box::<secret_env_var_used_as_credential::SecretEnvVarUsedAsCredential>::default(),
        Box::<agent_tool_unsafe_mcp_server::AgentToolUnsafeMcpServer>::default(),
    ]
}
