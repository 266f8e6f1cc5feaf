//! Plain data describing each solution's component graph for renderers that
//! draw it (the HTML agent map). Built by the CLI from the model, so renderers
//! stay independent of it.

/// One node: an agent, topic, knowledge source, tool, flow, prompt, connector,
/// connection reference or environment variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapNode {
    /// `agent`, `topic`, `knowledge`, `tool`, `component`, `flow`, `prompt`,
    /// `connector`, `connref`, `envvar`.
    pub kind: &'static str,
    pub label: String,
    /// The component identity findings carry (`bot:…`, `botcomponent:…`, `flow:…`).
    pub identity: String,
    /// Graph depth from the agents: 0 agents, 1 their components, 2 flows and
    /// prompts, 3 connectors and connection references, 4 environment variables.
    pub tier: u8,
}

/// The graph of one solution: `edges` are (from, to) indexes into `nodes`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ComponentMap {
    pub nodes: Vec<MapNode>,
    pub edges: Vec<(usize, usize)>,
}
