//! ALM: solution hygiene.

pub mod env_var_value_exported;

use super::Rule;

/// This area's rules, with default options.
pub fn rules() -> Vec<Box<dyn Rule>> {
    vec![Box::<env_var_value_exported::EnvVarValueExported>::default()]
}
