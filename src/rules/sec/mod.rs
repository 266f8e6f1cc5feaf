//! SEC: secrets and hard-coded endpoints.

pub mod endpoints;
pub mod hardcoded_environment_url;
pub mod hardcoded_secret;
pub mod plaintext_http_endpoint;
pub mod secret_env_var_not_secret_type;
pub mod secrets;
pub mod walk;

use super::Rule;

/// This area's rules, with default options.
pub fn rules() -> Vec<Box<dyn Rule>> {
    vec![
        Box::<hardcoded_secret::HardcodedSecret>::default(),
        Box::<secret_env_var_not_secret_type::SecretEnvVarNotSecretType>::default(),
        Box::<plaintext_http_endpoint::PlaintextHttpEndpoint>::default(),
        Box::<hardcoded_environment_url::HardcodedEnvironmentUrl>::default(),
    ]
}
