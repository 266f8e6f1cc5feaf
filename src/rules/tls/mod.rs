//! TLS: agent tools and HTTP nodes.

use super::Rule;

/// This area's rules, with default options.
pub fn rules() -> Vec<Box<dyn Rule>> {
    Vec::new()
}
