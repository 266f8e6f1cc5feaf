//! CON: custom connectors.

pub mod connector_api_key_in_query;
pub mod connector_basic_auth;
pub mod connector_custom_code;
pub mod connector_insecure_scheme;
pub mod connector_no_auth;
pub mod connector_nonprod_host;
pub mod connector_oauth_implicit_flow;
pub mod facts;
#[cfg(test)]
mod paconn_tests;

use super::Rule;

/// This area's rules, with default options.
pub fn rules() -> Vec<Box<dyn Rule>> {
    vec![
        Box::<connector_no_auth::ConnectorNoAuth>::default(),
        Box::<connector_insecure_scheme::ConnectorInsecureScheme>::default(),
        Box::<connector_nonprod_host::ConnectorNonprodHost>::default(),
        Box::<connector_api_key_in_query::ConnectorApiKeyInQuery>::default(),
        Box::<connector_basic_auth::ConnectorBasicAuth>::default(),
        Box::<connector_custom_code::ConnectorCustomCode>::default(),
        Box::<connector_oauth_implicit_flow::ConnectorOauthImplicitFlow>::default(),
    ]
}
