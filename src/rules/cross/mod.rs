//! x1nn: cross-component rules over the component graph (RULES.md §12).

use super::Rule;

/// This area's rules, with default options.
pub fn rules() -> Vec<Box<dyn Rule>> {
    Vec::new()
}
