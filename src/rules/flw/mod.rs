//! FLW: cloud flows.

mod agent_flows;
mod expr;
mod flow_graph;
mod taint;

pub mod agent_flow_may_exceed_100s;
pub mod agent_flow_owner_connection;
pub mod flow_http_trigger_anonymous;
pub mod flow_llm_call_without_safety_check;
pub mod flow_no_error_handling;
pub mod flow_retry_disabled;
pub mod flow_secure_data_missing;

use super::Rule;

/// This area's rules, with default options.
pub fn rules() -> Vec<Box<dyn Rule>> {
    vec![
        Box::<flow_http_trigger_anonymous::FlowHttpTriggerAnonymous>::default(),
        Box::<flow_llm_call_without_safety_check::FlowLlmCallWithoutSafetyCheck>::default(),
        Box::<agent_flow_owner_connection::AgentFlowOwnerConnection>::default(),
        Box::<flow_secure_data_missing::FlowSecureDataMissing>::default(),
        Box::<agent_flow_may_exceed_100s::AgentFlowMayExceed100s>::default(),
        Box::<flow_no_error_handling::FlowNoErrorHandling>::default(),
        Box::<flow_retry_disabled::FlowRetryDisabled>::default(),
    ]
}
