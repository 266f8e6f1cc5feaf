//! ALM: solution hygiene.

pub mod dangling_reference;
pub mod default_publisher_prefix;
pub mod env_var_value_exported;
pub mod missing_dependency_active_layer;
pub mod unmanaged_solution_for_deployment;

use super::{Rule, Settings};

/// This area's rules, with options from the run's settings.
pub fn rules(settings: &Settings) -> Vec<Box<dyn Rule>> {
    vec![
        Box::<dangling_reference::DanglingReference>::default(),
        Box::<missing_dependency_active_layer::MissingDependencyActiveLayer>::default(),
        Box::new(
            unmanaged_solution_for_deployment::UnmanagedSolutionForDeployment {
                options: unmanaged_solution_for_deployment::Options {
                    target: settings.target.clone(),
                },
            },
        ),
        Box::<default_publisher_prefix::DefaultPublisherPrefix>::default(),
        Box::<env_var_value_exported::EnvVarValueExported>::default(),
    ]
}
