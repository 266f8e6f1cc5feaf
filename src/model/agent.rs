//! Copilot Studio agents (`bots/`, `settings.mcs.yml`) and their components
//! (`botcomponents/`, workspace `*.mcs.yml` files).

use std::collections::HashMap;

use rayon::prelude::*;

use crate::parse::{XmlDoc, YamlNode};
use crate::source::{FileId, Layout, Problem};

use super::customizations::{Association, embedded_json};
use super::node::{Kinded, Node, join_pointer, kinded_nodes};
use super::{Loc, Value, Workspace};

/// `authenticationmode` (bot.xml int, workspace enum name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthMode {
    Unspecified,
    None,
    Integrated,
    CustomAzureActiveDirectory,
    GenericOAuth2,
    Other(String),
}

impl AuthMode {
    fn parse(text: &str) -> AuthMode {
        match text.trim() {
            "0" | "Unspecified" => AuthMode::Unspecified,
            "1" | "None" => AuthMode::None,
            "2" | "Integrated" => AuthMode::Integrated,
            "3" | "CustomAzureActiveDirectory" => AuthMode::CustomAzureActiveDirectory,
            "4" | "GenericOAuth2" => AuthMode::GenericOAuth2,
            other => AuthMode::Other(other.to_string()),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            AuthMode::Unspecified => "Unspecified",
            AuthMode::None => "None",
            AuthMode::Integrated => "Integrated",
            AuthMode::CustomAzureActiveDirectory => "CustomAzureActiveDirectory",
            AuthMode::GenericOAuth2 => "GenericOAuth2",
            AuthMode::Other(text) => text,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Agent<'a> {
    pub schema_name: String,
    pub display_name: Option<String>,
    /// `bot.xml`, or `settings.mcs.yml` in a workspace.
    pub file: FileId,
    pub auth_mode: Option<Value<AuthMode>>,
    /// `AsNeeded` or `Always` (bot.xml 0 / 1), or the value as written.
    pub auth_trigger: Option<Value<String>>,
    pub access_control_policy: Option<Value<String>>,
    pub template: Option<String>,
    pub language: Option<String>,
    /// `configuration.json`, or the workspace's `configuration:` mapping.
    pub config: Option<Node<'a>>,
    pub config_file: Option<FileId>,
    /// Logical path of `config` (`` for configuration.json, `/configuration` in settings).
    pub config_path: String,
}

impl<'a> Agent<'a> {
    pub fn identity(&self) -> String {
        format!("bot:{}", self.schema_name)
    }

    /// What messages call the agent: its display name, else its schema name.
    pub fn label(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.schema_name)
    }

    /// A configuration value and where it is, e.g. `["aISettings", "contentModeration"]`.
    pub fn setting(&self, keys: &[&str]) -> Option<(Node<'a>, Loc)> {
        let node = self.config?.path(keys)?;
        let mut path = self.config_path.clone();
        for key in keys {
            path = join_pointer(&path, key);
        }
        Some((node, Loc::new(self.config_file?, node.span(), path)))
    }

    pub fn setting_bool(&self, keys: &[&str]) -> Option<Value<bool>> {
        let (node, loc) = self.setting(keys)?;
        Some(Value {
            value: node.as_bool()?,
            loc,
        })
    }

    pub fn setting_text(&self, keys: &[&str]) -> Option<Value<String>> {
        let (node, loc) = self.setting(keys)?;
        Some(Value {
            value: node.as_text()?,
            loc,
        })
    }

    /// Generative orchestration (RULES.md RAI003).
    pub fn is_generative(&self) -> bool {
        self.setting_bool(&["settings", "GenerativeActionsEnabled"])
            .is_some_and(|v| v.value)
            || self
                .config
                .and_then(|c| c.get("recognizer"))
                .and_then(Node::kind_name)
                .is_some_and(|k| {
                    matches!(
                        k.as_str(),
                        "GenerativeAIRecognizer" | "CLIAgentRecognizer" | "CLICopilotRecognizer"
                    )
                })
    }
}

/// Knowledge-source kinds: configuration component or uploaded file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KnowledgeKind {
    Source,
    UploadedFile,
}

#[derive(Clone, Debug)]
pub struct FileData {
    /// The file name, URL-decoded.
    pub name: String,
    pub mimetype: Option<String>,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct Component<'a> {
    pub schema_name: Option<String>,
    /// `botcomponent:<schema>`, or `mcs:<relpath>` for workspace files (RULES.md §14).
    pub identity: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub component_type: Option<i64>,
    /// The top-level YAML `kind`.
    pub kind: Option<String>,
    pub parent_bot: Option<String>,
    pub parent_collection: Option<String>,
    pub xml_file: Option<FileId>,
    pub data_file: Option<FileId>,
    pub data: Option<&'a YamlNode>,
    /// Every mapping with a `kind` in `data`, indexed once for the rules.
    pub kinded: Vec<Kinded<'a>>,
    pub filedata: Option<FileData>,
    /// Workspace files under `translations/` (type 10 in exports).
    pub is_translation: bool,
    /// Workspace files under `knowledge/files/` (type 14 in exports).
    pub is_uploaded_file_stub: bool,
    /// `<statecode>1</statecode>` in `botcomponent.xml`: the component is turned off.
    pub disabled: bool,
}

impl<'a> Component<'a> {
    /// The objects of this component's YAML whose `kind` is one of `kinds`, in
    /// document order, with their logical paths.
    pub fn find_kinds(&self, kinds: &[&str]) -> Vec<(&'a YamlNode, String)> {
        self.kinded
            .iter()
            .filter(|k| kinds.contains(&k.kind))
            .map(|k| (k.node, k.path.clone()))
            .collect()
    }

    /// Whether this component's YAML has an object of one of `kinds`.
    pub fn has_kind(&self, kinds: &[&str]) -> bool {
        self.kinded.iter().any(|k| kinds.contains(&k.kind))
    }

    pub fn label(&self) -> &str {
        self.display_name
            .as_deref()
            .or(self.schema_name.as_deref())
            .unwrap_or(&self.identity)
    }

    /// Topics: YAML `AdaptiveDialog` components plus classic topics (type 0).
    pub fn is_topic(&self) -> bool {
        if self.component_type == Some(0) {
            return true;
        }
        !self.is_translation
            && self.component_type.is_none_or(|t| t == 9)
            && self.kind.as_deref() == Some("AdaptiveDialog")
    }

    pub fn knowledge(&self) -> Option<KnowledgeKind> {
        if self.component_type == Some(14) || self.is_uploaded_file_stub {
            return Some(KnowledgeKind::UploadedFile);
        }
        match self.kind.as_deref() {
            Some("KnowledgeSourceConfiguration") => Some(KnowledgeKind::Source),
            Some("FileAttachmentComponentMetadata") => Some(KnowledgeKind::UploadedFile),
            Some(k)
                if self.xml_file.is_none()
                    && (k.ends_with("SearchSource") || k.ends_with("KnowledgeSource")) =>
            {
                Some(KnowledgeKind::Source)
            }
            _ => None,
        }
    }

    pub fn is_tool(&self) -> bool {
        self.kind.as_deref() == Some("TaskDialog")
    }

    /// The file and logical path prefix of the YAML content.
    pub fn data_loc(&self, node: &YamlNode, path: &str) -> Option<Loc> {
        Some(Loc::new(self.data_file?, node.span, path))
    }
}

pub(super) fn read<'a>(
    ws: &'a Workspace,
    associations: &[Association],
    problems: &mut Vec<Problem>,
) -> (Vec<Agent<'a>>, Vec<Component<'a>>) {
    if ws.layout == Layout::McsWorkspace {
        return read_workspace(ws);
    }
    let mut agents = Vec::new();
    for file in ws.find(|s| s.len() == 3 && s[0] == "bots" && s[2] == "bot.xml") {
        if let Some(agent) = bot_xml(ws, file, problems) {
            agents.push(agent);
        }
    }
    let parents = parent_bots(associations);
    let files: Vec<FileId> = ws
        .find(|s| s.len() == 3 && s[0] == "botcomponents" && s[2] == "botcomponent.xml")
        .collect();
    let mut components: Vec<Component<'a>> = files
        .par_iter()
        .filter_map(|&file| component_xml(ws, file, &parents))
        .collect();
    agents.sort_by(|a, b| a.schema_name.cmp(&b.schema_name));
    components.sort_by(|a, b| a.identity.cmp(&b.identity));
    (agents, components)
}

fn folder_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(folder, _)| folder)
}

fn bot_xml<'a>(ws: &'a Workspace, file: FileId, problems: &mut Vec<Problem>) -> Option<Agent<'a>> {
    let doc = ws.xml(file)?;
    let root = doc.root()?;
    let folder = folder_of(ws.path(file));
    let schema_name = doc
        .el(root)
        .attr("schemaname")
        .map(|a| a.value.clone())
        .unwrap_or_else(|| folder.rsplit('/').next().unwrap_or("").to_string());
    let value = |name: &str| -> Option<(String, Loc)> {
        let id = doc.child(root, name)?;
        let el = doc.el(id);
        Some((
            el.text.clone(),
            Loc::new(file, el.value_span(), doc.logical_path(id)),
        ))
    };
    let auth_mode = value("authenticationmode").map(|(text, loc)| Value {
        value: AuthMode::parse(&text),
        loc,
    });
    let auth_trigger = value("authenticationtrigger").map(|(text, loc)| Value {
        value: match text.trim() {
            "0" => "AsNeeded".to_string(),
            "1" => "Always".to_string(),
            other => other.to_string(),
        },
        loc,
    });
    for name in ["synchronizationstatus", "authenticationconfiguration"] {
        if let Some(id) = doc.child(root, name)
            && let Some(span) = doc.el(id).text_span
        {
            embedded_json(ws, file, span, problems);
        }
    }
    let config_path = format!("{folder}/configuration.json");
    let config_file = ws.file_at(&config_path);
    Some(Agent {
        schema_name,
        display_name: doc.child_text(root, "name").map(str::to_string),
        file,
        auth_mode,
        auth_trigger,
        access_control_policy: value("accesscontrolpolicy")
            .map(|(value, loc)| Value { value, loc }),
        template: doc.child_text(root, "template").map(str::to_string),
        language: doc.child_text(root, "language").map(str::to_string),
        config: config_file.and_then(|f| ws.json(f)).map(Node::Json),
        config_file,
        config_path: String::new(),
    })
}

/// The `bot_botcomponent` association rows: component schema name → its agent's
/// (the first row for a component wins).
fn parent_bots(associations: &[Association]) -> HashMap<&str, &str> {
    let mut parents = HashMap::new();
    for row in associations
        .iter()
        .filter(|a| a.set.eq_ignore_ascii_case("bot_botcomponent"))
    {
        if let Some(component) = row.attr("botcomponentid.schemaname") {
            parents
                .entry(component)
                .or_insert_with(|| row.attr("botid.schemaname"));
        }
    }
    parents
        .into_iter()
        .filter_map(|(component, bot)| Some((component, bot?)))
        .collect()
}

fn component_xml<'a>(
    ws: &'a Workspace,
    file: FileId,
    parents: &HashMap<&str, &str>,
) -> Option<Component<'a>> {
    let doc: &XmlDoc = ws.xml(file)?;
    let root = doc.root()?;
    let folder = folder_of(ws.path(file)).to_string();
    let schema_name = doc
        .el(root)
        .attr("schemaname")
        .map(|a| a.value.clone())
        .unwrap_or_else(|| folder.rsplit('/').next().unwrap_or("").to_string());
    let data_file = ws
        .file_at(&format!("{folder}/data"))
        .or_else(|| ws.file_at(&format!("{folder}/data.yml")));
    let data = data_file.and_then(|f| ws.yaml(f));
    let parent_bot = doc
        .path(root, &["parentbotid", "schemaname"])
        .map(|id| doc.el(id).text.clone())
        .or_else(|| parents.get(schema_name.as_str()).map(|bot| bot.to_string()));
    let filedata = doc.child(root, "filedata").map(|id| {
        let el = doc.el(id);
        FileData {
            name: percent_decode(&el.text),
            mimetype: el.attr("mimetype").map(|a| a.value.clone()),
            loc: Loc::new(file, el.span, doc.logical_path(id)),
        }
    });
    Some(Component {
        identity: format!("botcomponent:{schema_name}"),
        schema_name: Some(schema_name),
        display_name: doc.child_text(root, "name").map(str::to_string),
        description: doc.child_text(root, "description").map(str::to_string),
        component_type: doc
            .child_text(root, "componenttype")
            .and_then(|t| t.trim().parse().ok()),
        kind: data.and_then(YamlNode::kind_name).map(str::to_string),
        parent_bot,
        parent_collection: doc
            .path(root, &["parentbotcomponentcollectionid", "schemaname"])
            .map(|id| doc.el(id).text.clone()),
        xml_file: Some(file),
        data_file,
        data,
        kinded: data.map(kinded_nodes).unwrap_or_default(),
        filedata,
        is_translation: false,
        is_uploaded_file_stub: false,
        disabled: doc
            .child_text(root, "statecode")
            .is_some_and(|s| s.trim() == "1"),
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn read_workspace(ws: &Workspace) -> (Vec<Agent<'_>>, Vec<Component<'_>>) {
    let settings_file = ws.find(|s| s == ["settings.mcs.yml"]).next();
    let settings = settings_file.and_then(|f| ws.yaml(f));
    let folder_name = ws
        .source
        .trim_end_matches(['/', '\\'])
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("agent")
        .to_string();
    let schema_name = settings
        .and_then(|s| s.get("schemaName"))
        .and_then(YamlNode::as_text)
        .map_or(folder_name, str::to_string);
    let mut agents = Vec::new();
    let agent_file = ws.find(|s| s == ["agent.mcs.yml"]).next();
    if let Some(file) = settings_file.or(agent_file) {
        let value = |key: &str| -> Option<Value<String>> {
            let node = settings?.get(key)?;
            Some(Value {
                value: node.as_text()?.to_string(),
                loc: Loc::new(file, node.span, format!("/{key}")),
            })
        };
        agents.push(Agent {
            schema_name: schema_name.clone(),
            display_name: value("displayName")
                .or_else(|| value("name"))
                .map(|v| v.value),
            file,
            auth_mode: value("authenticationMode").map(|v| Value {
                value: AuthMode::parse(&v.value),
                loc: v.loc,
            }),
            auth_trigger: value("authenticationTrigger"),
            access_control_policy: value("accessControlPolicy"),
            template: value("template").map(|v| v.value),
            language: value("language").map(|v| v.value),
            config: settings
                .and_then(|s| s.get("configuration"))
                .map(Node::Yaml),
            config_file: settings_file
                .filter(|_| settings.and_then(|s| s.get("configuration")).is_some()),
            config_path: "/configuration".to_string(),
        });
    }
    let mut components = Vec::new();
    for file in ws.find(|s| s.last().is_some_and(|n| n.ends_with(".mcs.yml"))) {
        let path = ws.path(file);
        let lower = path.to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "settings.mcs.yml" | "connectionreferences.mcs.yml"
        ) {
            continue;
        }
        let data = ws.yaml(file);
        let segments: Vec<&str> = lower.split('/').collect();
        let is_gpt = lower == "agent.mcs.yml";
        let schema = is_gpt.then(|| format!("{schema_name}.gpt.default"));
        let metadata = data.and_then(|d| d.get("mcs.metadata"));
        components.push(Component {
            identity: schema
                .as_ref()
                .map_or_else(|| format!("mcs:{path}"), |s| format!("botcomponent:{s}")),
            schema_name: schema,
            display_name: metadata
                .and_then(|m| m.get("componentName"))
                .and_then(YamlNode::as_text)
                .map(str::to_string)
                .or_else(|| file_stem(path)),
            description: metadata
                .and_then(|m| m.get("description"))
                .and_then(YamlNode::as_text)
                .map(str::to_string),
            component_type: None,
            kind: data.and_then(YamlNode::kind_name).map(str::to_string),
            parent_bot: Some(schema_name.clone()),
            parent_collection: None,
            xml_file: None,
            data_file: Some(file),
            data,
            kinded: data.map(kinded_nodes).unwrap_or_default(),
            filedata: None,
            is_translation: segments.first() == Some(&"translations"),
            is_uploaded_file_stub: segments.len() == 3
                && segments[0] == "knowledge"
                && segments[1] == "files",
            disabled: false,
        });
    }
    components.sort_by(|a, b| a.identity.cmp(&b.identity));
    (agents, components)
}

fn file_stem(path: &str) -> Option<String> {
    let name = path.rsplit('/').next()?;
    Some(name.strip_suffix(".mcs.yml").unwrap_or(name).to_string())
}
