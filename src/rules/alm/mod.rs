//! ALM: solution hygiene.

pub mod env_var_value_exported;
