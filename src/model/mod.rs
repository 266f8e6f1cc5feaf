//! The component model: what a solution contains, each item knowing where it is
//! (file, byte range, logical path), built once from the parsed files.

mod agent;
mod agent_flows;
mod connector;
mod customizations;
mod envvar;
mod flow;
pub mod graph;
pub mod node;

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use rayon::prelude::*;

use crate::parse::{self, JsonValue, Parsed, Syntax, XmlDoc, YamlNode};
use crate::source::{FileId, Layout, LoadedSolution, Problem, SourceFile, Span};

pub use agent::{Agent, AuthMode, Component, FileData, KnowledgeKind};
pub use agent_flows::AgentLink;
pub use connector::Connector;
pub use customizations::{
    AiConfiguration, AiModel, Association, ConnectionReference, Manifest, MissingDependency,
    RootComponent, WorkflowRegistration, normalize_guid,
};
pub use envvar::{EnvVar, EnvVarType};
pub use flow::{Flow, FlowConnectionReference, FlowNode, FlowParameter};
pub use node::{Member, Node};

/// Where something is: a file of the solution, a byte range, a logical path.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Loc {
    pub file: FileId,
    pub span: Span,
    pub path: String,
}

impl Loc {
    pub fn new(file: FileId, span: Span, path: impl Into<String>) -> Self {
        Loc {
            file,
            span,
            path: path.into(),
        }
    }
}

/// A value read from a file, with its location.
#[derive(Clone, Debug, PartialEq)]
pub struct Value<T> {
    pub value: T,
    pub loc: Loc,
}

/// A loaded solution with every file parsed once.
#[derive(Debug)]
pub struct Workspace {
    pub source: String,
    pub layout: Layout,
    pub files: Vec<SourceFile>,
    /// `parsed[i]` is `files[i]` parsed.
    pub parsed: Vec<Parsed>,
    pub problems: Vec<Problem>,
    pub notes: Vec<String>,
    pub listed: Vec<crate::source::load::ListedEntry>,
    /// `files[i].path` lower-cased (folder names vary in case).
    lower_paths: Vec<String>,
    /// Where each `/`-separated segment of `lower_paths[i]` starts and ends:
    /// split once, since every model reader filters all paths by segments.
    segments: Vec<Box<[(u32, u32)]>>,
    /// Lower-cased path → file, for direct lookups.
    by_path: std::collections::HashMap<String, FileId>,
}

impl Workspace {
    /// Frees the parsed trees and the bytes of each file `i` with `keep[i]`
    /// unset, keeping every path: all a report needs once the rules have run.
    pub fn free_all_but(&mut self, keep: &[bool]) {
        self.parsed = Vec::new();
        for (file, &keep) in self.files.iter_mut().zip(keep) {
            if !keep {
                file.bytes = Vec::new();
            }
        }
    }

    /// Parses every file in parallel. Bot component `data` is parsed after the
    /// `botcomponent.xml` files, because classic components (types 4–8) hold
    /// JSON, LU or LG rather than YAML.
    pub fn parse(loaded: LoadedSolution) -> Workspace {
        let LoadedSolution {
            source,
            layout,
            files,
            listed,
            mut problems,
            notes,
        } = loaded;
        let syntaxes: Vec<Option<Syntax>> =
            files.iter().map(|f| syntax_of(&f.path, layout)).collect();
        // One file per task: file sizes differ by hundreds of times, and with
        // rayon's default split a thread can be left parsing a quarter of the
        // files alone while the other has nothing left to take.
        let first: Vec<(Parsed, Option<Problem>)> = files
            .par_iter()
            .zip(syntaxes.par_iter())
            .with_max_len(1)
            .map(|(file, syntax)| match syntax {
                Some(syntax) => parse::parse_file(file, *syntax),
                None => (Parsed::Unparsed, None),
            })
            .collect();
        let mut parsed: Vec<Parsed> = Vec::with_capacity(files.len());
        for (p, problem) in first {
            parsed.push(p);
            problems.extend(problem);
        }
        let component_types = component_types(&files, &parsed);
        let pending: Vec<usize> = (0..files.len())
            .filter(|&i| syntaxes[i].is_none())
            .collect();
        let second: Vec<(usize, Parsed, Option<Problem>)> = pending
            .into_par_iter()
            .with_max_len(1)
            .map(|i| {
                let syntax = data_syntax(&files[i], &component_types);
                let (p, problem) = parse::parse_file(&files[i], syntax);
                (i, p, problem)
            })
            .collect();
        for (i, p, problem) in second {
            parsed[i] = p;
            problems.extend(problem);
        }
        let lower_paths: Vec<String> = files.iter().map(|f| f.path.to_ascii_lowercase()).collect();
        let segments = lower_paths
            .iter()
            .map(|path| {
                let mut start = 0;
                path.split('/')
                    .map(|segment| {
                        let range = (start, start + segment.len());
                        start += segment.len() + 1;
                        (to_u32(range.0), to_u32(range.1))
                    })
                    .collect()
            })
            .collect();
        let by_path = lower_paths
            .iter()
            .enumerate()
            .map(|(i, p)| (p.clone(), i))
            .collect();
        Workspace {
            source,
            layout,
            files,
            parsed,
            problems,
            notes,
            listed,
            lower_paths,
            segments,
            by_path,
        }
    }

    /// A workspace of files already in memory (fuzz targets, tests), sorted by
    /// path as loading sorts them.
    pub fn from_files(source: &str, layout: Layout, mut files: Vec<SourceFile>) -> Workspace {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Workspace::parse(LoadedSolution {
            source: source.to_string(),
            layout,
            files,
            listed: Vec::new(),
            problems: Vec::new(),
            notes: Vec::new(),
        })
    }

    /// [`Workspace::from_files`] of `files` given as (path, text).
    #[cfg(test)]
    pub(crate) fn in_memory(source: &str, layout: Layout, files: &[(&str, &str)]) -> Workspace {
        let files = files
            .iter()
            .map(|(path, text)| SourceFile::new(*path, text.as_bytes().to_vec()))
            .collect();
        Workspace::from_files(source, layout, files)
    }

    pub fn xml(&self, file: FileId) -> Option<&XmlDoc> {
        match &self.parsed[file] {
            Parsed::Xml(doc) => Some(doc),
            _ => None,
        }
    }

    pub fn json(&self, file: FileId) -> Option<&JsonValue> {
        match &self.parsed[file] {
            Parsed::Json(value) => Some(value),
            _ => None,
        }
    }

    pub fn yaml(&self, file: FileId) -> Option<&YamlNode> {
        match &self.parsed[file] {
            Parsed::Yaml(node) => Some(node),
            _ => None,
        }
    }

    pub fn path(&self, file: FileId) -> &str {
        &self.files[file].path
    }

    /// Files whose in-solution path, lower-cased, satisfies `pred`.
    pub fn find<'a>(
        &'a self,
        pred: impl Fn(&[&str]) -> bool + 'a,
    ) -> impl Iterator<Item = FileId> + 'a {
        let mut segments: Vec<&'a str> = Vec::with_capacity(8);
        (0..self.files.len()).filter(move |&i| {
            let path = self.lower_paths[i].as_str();
            segments.clear();
            segments.extend(
                self.segments[i]
                    .iter()
                    .map(|&(start, end)| &path[start as usize..end as usize]),
            );
            pred(&segments)
        })
    }

    /// The file stored exactly at `path` (problems name files this way).
    pub fn file_named(&self, path: &str) -> Option<FileId> {
        self.file_at(path)
            .filter(|&id| self.files[id].path == path)
            .or_else(|| self.files.iter().position(|f| f.path == path))
    }

    /// The file at `path` (compared lower-cased), in constant time.
    pub fn file_at(&self, path: &str) -> Option<FileId> {
        self.by_path.get(&path.to_ascii_lowercase()).copied()
    }
}

/// Sections of `customizations.xml` no reader looks into (tables, their
/// relationships, security roles, canvas apps, choices): in the corpus they are
/// about three quarters of its bytes. They are still checked for syntax.
const UNREAD_CUSTOMIZATIONS: [&str; 5] = [
    "Entities",
    "EntityRelationships",
    "Roles",
    "CanvasApps",
    "optionsets",
];

/// The parser for a path, or `None` for bot component `data`, decided later.
fn syntax_of(path: &str, layout: Layout) -> Option<Syntax> {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or("");
    if layout != Layout::McsWorkspace
        && lower.starts_with("botcomponents/")
        && (name == "data" || name == "data.yml")
    {
        return None;
    }
    Some(if name == "customizations.xml" {
        Syntax::XmlPruned(&UNREAD_CUSTOMIZATIONS)
    } else if name.ends_with(".xml") {
        Syntax::Xml
    } else if name.ends_with(".json") {
        Syntax::Json
    } else if name.ends_with(".yml") || name.ends_with(".yaml") {
        Syntax::Yaml
    } else {
        Syntax::None
    })
}

fn component_types(files: &[SourceFile], parsed: &[Parsed]) -> BTreeMap<String, i64> {
    let mut types = BTreeMap::new();
    for (file, p) in files.iter().zip(parsed) {
        let lower = file.path.to_ascii_lowercase();
        let Some(folder) = lower.strip_suffix("/botcomponent.xml") else {
            continue;
        };
        if let Parsed::Xml(doc) = p
            && let Some(t) = doc.root().and_then(|r| doc.child_text(r, "componenttype"))
            && let Ok(t) = t.trim().parse()
        {
            types.insert(folder.to_string(), t);
        }
    }
    types
}

fn data_syntax(file: &SourceFile, types: &BTreeMap<String, i64>) -> Syntax {
    let lower = file.path.to_ascii_lowercase();
    let folder = lower.rsplit_once('/').map_or("", |(f, _)| f);
    match types.get(folder) {
        // Classic dialogs, triggers and dialog schemas are Bot Framework Composer JSON.
        Some(4 | 5 | 8) => Syntax::Json,
        // Classic language understanding and generation files are LU / LG text.
        Some(6 | 7) => Syntax::None,
        _ => Syntax::Yaml,
    }
}

/// Everything pplint knows about one solution. Read-only once built.
#[derive(Debug)]
pub struct Solution<'a> {
    pub ws: &'a Workspace,
    pub manifest: Option<Manifest>,
    pub agents: Vec<Agent<'a>>,
    pub components: Vec<Component<'a>>,
    pub flows: Vec<Flow<'a>>,
    pub connectors: Vec<Connector<'a>>,
    pub connection_references: Vec<ConnectionReference>,
    pub env_vars: Vec<EnvVar>,
    pub ai_models: Vec<AiModel>,
    pub workflow_registrations: Vec<WorkflowRegistration>,
    pub associations: Vec<Association>,
    /// Who references whom; built once.
    pub graph: graph::Graph,
    /// Lower-cased connector names, as registered and unescaped → index in
    /// `connectors` (the first connector with that name).
    connector_names: HashMap<String, usize>,
    /// Environment variables, connection references and connectors by name.
    names: graph::Index,
    /// Why each flow is an agent flow; found on first use.
    agent_links: OnceLock<Vec<Option<AgentLink>>>,
    /// Load, parse and model problems (PPX000), sorted.
    pub problems: Vec<Problem>,
}

impl<'a> Solution<'a> {
    pub fn build(ws: &'a Workspace) -> Solution<'a> {
        // The readers that need nothing from each other run side by side; each
        // keeps its own problems, joined in the order the readers ran in before.
        let read_customizations = || {
            let mut problems = Vec::new();
            let custom = customizations::read(ws, &mut problems);
            (customizations::manifest(ws), custom, problems)
        };
        let read_agents = || {
            let associations = customizations::associations(ws);
            let mut problems = Vec::new();
            let (agents, components) = agent::read(ws, &associations, &mut problems);
            (associations, agents, components, problems)
        };
        let (
            (manifest, custom, custom_problems),
            ((associations, agents, components, agent_problems), env_vars),
        ) = rayon::join(read_customizations, || {
            rayon::join(read_agents, || envvar::read(ws))
        });
        let (flows, connectors) = rayon::join(
            || flow::read(ws, &custom.workflows),
            || connector::read(ws, &custom.connectors),
        );
        let mut problems = ws.problems.clone();
        problems.extend(custom_problems);
        problems.extend(agent_problems);
        problems.sort_by(|a, b| (&a.file, a.span, &a.detail).cmp(&(&b.file, b.span, &b.detail)));
        problems.dedup();
        let mut solution = Solution {
            ws,
            manifest,
            agents,
            components,
            flows,
            connectors,
            connection_references: custom.connection_references,
            env_vars,
            ai_models: custom.ai_models,
            workflow_registrations: custom.workflows,
            associations,
            graph: graph::Graph::default(),
            connector_names: HashMap::new(),
            names: graph::Index::default(),
            agent_links: OnceLock::new(),
            problems,
        };
        for (i, connector) in solution.connectors.iter().enumerate() {
            for name in [
                connector.name.to_ascii_lowercase(),
                connector::unescape_name(&connector.name).to_ascii_lowercase(),
            ] {
                solution.connector_names.entry(name).or_insert(i);
            }
        }
        solution.names = graph::Index::new(&solution);
        solution.graph = graph::build(&solution);
        solution
    }

    /// For each flow of `flows` (same index), why it is an agent flow (RULES.md
    /// §6, §12.1), if it is one. Several rules ask; it is worked out once.
    pub fn agent_links(&self) -> &[Option<AgentLink>] {
        self.agent_links
            .get_or_init(|| agent_flows::agent_links(self))
    }

    /// The custom connector whose `<Connector><name>` is `name` (ASCII case
    /// ignored), written escaped (`cnt_5Fopenai`) or not (`cnt_openai`).
    pub fn connector_named(&self, name: &str) -> Option<&Connector<'a>> {
        let at = self.connector_names.get(&name.to_ascii_lowercase())?;
        self.connectors.get(*at)
    }

    /// The index in `env_vars` of the first variable whose schema name is
    /// `schema` (ASCII case ignored).
    pub fn env_var_index(&self, schema: &str) -> Option<usize> {
        self.names.env_var(schema)
    }

    pub fn env_var_named(&self, schema: &str) -> Option<&EnvVar> {
        self.env_vars.get(self.names.env_var(schema)?)
    }

    /// The index in `connection_references` of the first reference whose
    /// logical name is `name` (ASCII case ignored).
    pub fn connection_reference_index(&self, name: &str) -> Option<usize> {
        self.names.connection_reference(name)
    }

    pub fn connection_reference_named(&self, name: &str) -> Option<&ConnectionReference> {
        self.connection_references
            .get(self.names.connection_reference(name)?)
    }

    /// The first custom connector whose `<name>` is `name` exactly as
    /// registered (ASCII case ignored); [`Solution::connector_named`] also
    /// matches the unescaped name.
    pub fn connector_registered_as(&self, name: &str) -> Option<&Connector<'a>> {
        self.connectors.get(self.names.connector(name)?)
    }

    pub fn file(&self, id: FileId) -> &'a SourceFile {
        &self.ws.files[id]
    }

    pub fn unique_name(&self) -> Option<&str> {
        self.manifest.as_ref().map(|m| m.unique_name.as_str())
    }

    /// Components that belong to `agent` (by parent link, or the whole workspace).
    pub fn components_of<'s>(
        &'s self,
        agent: &'s Agent<'a>,
    ) -> impl Iterator<Item = &'s Component<'a>> + 's {
        self.components.iter().filter(move |c| {
            c.parent_bot
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case(&agent.schema_name))
        })
    }

    /// What messages call a graph node.
    pub fn node_label(&self, node: graph::NodeRef) -> String {
        use graph::NodeRef;
        match node {
            NodeRef::Agent(i) => self.agents[i].label().to_string(),
            NodeRef::Component(i) => self.components[i].label().to_string(),
            NodeRef::Flow(i) => self.flows[i].name.clone(),
            NodeRef::Connector(i) => self.connectors[i].label().to_string(),
            NodeRef::ConnectionReference(i) => self.connection_references[i].logical_name.clone(),
            NodeRef::EnvVar(i) => self.env_vars[i].schema_name.clone(),
            NodeRef::AiModel(i) => self.ai_models[i]
                .name
                .clone()
                .unwrap_or_else(|| self.ai_models[i].id.clone()),
        }
    }

    /// Kind and identity of a graph node (RULES.md §14).
    pub fn node_identity(&self, node: graph::NodeRef) -> (&'static str, String) {
        use graph::NodeRef;
        match node {
            NodeRef::Agent(i) => ("agent", self.agents[i].identity()),
            NodeRef::Component(i) => ("botcomponent", self.components[i].identity.clone()),
            NodeRef::Flow(i) => ("flow", self.flows[i].identity()),
            NodeRef::Connector(i) => ("connector", self.connectors[i].identity()),
            NodeRef::ConnectionReference(i) => {
                ("connref", self.connection_references[i].identity())
            }
            NodeRef::EnvVar(i) => ("envvar", self.env_vars[i].identity()),
            NodeRef::AiModel(i) => ("aimodel", self.ai_models[i].identity()),
        }
    }

    /// `solution:<UniqueName>` (the source path when there is no manifest).
    pub fn identity(&self) -> String {
        match self.unique_name() {
            Some(name) if !name.is_empty() => format!("solution:{name}"),
            _ => format!("solution:{}", self.ws.source),
        }
    }

    /// What messages call the owner of `component`: its agent's display name,
    /// else the parent schema name or component collection.
    pub fn owner_label(&self, component: &Component<'a>) -> Option<String> {
        match self.agent_of(component) {
            Some(agent) => Some(agent.label().to_string()),
            None => component
                .parent_bot
                .clone()
                .or_else(|| component.parent_collection.clone()),
        }
    }

    /// The agent a component belongs to, if any.
    pub fn agent_of(&self, component: &Component<'a>) -> Option<&Agent<'a>> {
        let parent = component.parent_bot.as_deref()?;
        self.agents
            .iter()
            .find(|a| a.schema_name.eq_ignore_ascii_case(parent))
    }
}

/// Paths are capped far below 4 GiB by the loader's limits.
fn to_u32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_var(schema: &str) -> String {
        format!(
            "<environmentvariabledefinition schemaname=\"{schema}\"><type>100000000</type></environmentvariabledefinition>"
        )
    }

    /// Rules look names up through the solution's index; it finds what a scan
    /// of the list for the first ASCII-case-insensitive match finds.
    #[test]
    fn name_lookups_find_the_first_holder_ignoring_ascii_case() {
        let customizations = r#"<ImportExportXml>
  <Connectors>
    <Connector><name>cnt_5Forders</name><displayname>Orders</displayname></Connector>
    <Connector><name>CNT_5FORDERS</name><displayname>Orders again</displayname></Connector>
  </Connectors>
  <connectionreferences>
    <connectionreference connectionreferencelogicalname="cnt_Mail"><connectorid>/providers/Microsoft.PowerApps/apis/shared_office365</connectorid></connectionreference>
    <connectionreference connectionreferencelogicalname="CNT_MAIL"><connectorid>/providers/Microsoft.PowerApps/apis/shared_teams</connectorid></connectionreference>
  </connectionreferences>
</ImportExportXml>"#;
        let (site, site_upper, key) =
            (env_var("cnt_Site"), env_var("CNT_SITE"), env_var("cnt_Key"));
        let ws = Workspace::in_memory(
            "lookups",
            Layout::Folder,
            &[
                ("customizations.xml", customizations),
                (
                    "environmentvariabledefinitions/a/environmentvariabledefinition.xml",
                    &site,
                ),
                (
                    "environmentvariabledefinitions/b/environmentvariabledefinition.xml",
                    &site_upper,
                ),
                (
                    "environmentvariabledefinitions/c/environmentvariabledefinition.xml",
                    &key,
                ),
            ],
        );
        let solution = Solution::build(&ws);
        assert_eq!(solution.env_vars.len(), 3);
        for schema in [
            "cnt_site",
            "CNT_Site",
            "cnt_key",
            "cnt_missing",
            "cnt_site ",
        ] {
            let scanned = solution
                .env_vars
                .iter()
                .position(|v| v.schema_name.eq_ignore_ascii_case(schema));
            assert_eq!(solution.env_var_index(schema), scanned, "{schema}");
            assert_eq!(
                solution.env_var_named(schema).map(|v| &v.schema_name),
                scanned.map(|i| &solution.env_vars[i].schema_name)
            );
        }
        assert!(solution.env_var_index("cnt_site").is_some());
        assert_eq!(
            solution.env_var_index("cnt_site"),
            solution.env_var_index("CNT_SITE")
        );
        assert_eq!(solution.connection_references.len(), 2);
        for name in ["cnt_mail", "CNT_Mail", "cnt_mail2"] {
            let scanned = solution
                .connection_references
                .iter()
                .position(|c| c.logical_name.eq_ignore_ascii_case(name));
            assert_eq!(solution.connection_reference_index(name), scanned, "{name}");
            assert_eq!(
                solution
                    .connection_reference_named(name)
                    .map(|c| &c.logical_name),
                scanned.map(|i| &solution.connection_references[i].logical_name)
            );
        }
        assert!(solution.connection_reference_index("cnt_mail").is_some());
        assert_eq!(solution.connectors.len(), 2);
        for name in ["cnt_5forders", "CNT_5Forders", "cnt_orders"] {
            let scanned = solution
                .connectors
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(name))
                .map(|c| c.label());
            assert_eq!(
                solution.connector_registered_as(name).map(|c| c.label()),
                scanned
            );
        }
        assert!(solution.connector_registered_as("cnt_5forders").is_some());
        assert!(solution.connector_registered_as("cnt_orders").is_none());
        assert_eq!(
            solution.connector_named("cnt_orders").map(|c| c.label()),
            solution
                .connector_registered_as("cnt_5Forders")
                .map(|c| c.label())
        );
    }
}
