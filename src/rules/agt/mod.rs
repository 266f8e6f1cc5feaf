//! AGT: agent settings.

pub mod agent_no_authentication;
