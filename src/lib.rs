//! pplint: a fast, offline well-architected linter for exported Power Platform
//! solutions. Dependencies point one way: cli → engine → rules → model → parse
//! → source; output depends on findings and sources only.

pub mod cli;
pub mod config;
pub mod engine;
pub mod finding;
pub mod fuzzing;
pub mod inventory;
pub mod mapping;
pub mod model;
pub mod output;
pub mod parse;
pub mod rules;
pub mod source;
pub mod suppress;
#[cfg(test)]
pub(crate) mod testing;

pub use cli::{run, run_process};
