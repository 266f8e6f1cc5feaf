//! `solution.xml`, `customizations.xml` and `Assets/*.xml`: the manifest,
//! connection references, AI Builder prompts, flow and connector registrations.

use crate::parse::{self, JsonValue, XmlDoc};
use crate::source::{FileId, Problem, ProblemKind, Span};

use super::{Loc, Value, Workspace};

#[derive(Clone, Debug)]
pub struct Manifest {
    pub file: FileId,
    pub unique_name: String,
    pub version: Option<String>,
    /// `<Managed>` as written: 0 unmanaged, 1 managed, 2 SolutionPackager "both".
    pub managed: Option<Value<String>>,
    pub publisher: Option<Value<String>>,
    pub prefix: Option<Value<String>>,
    pub root_components: Vec<RootComponent>,
    pub missing_dependencies: Vec<MissingDependency>,
}

impl Manifest {
    pub fn is_managed(&self) -> bool {
        self.managed.as_ref().is_some_and(|m| m.value.trim() == "1")
    }
}

#[derive(Clone, Debug)]
pub struct RootComponent {
    pub component_type: String,
    pub id: Option<String>,
    pub schema_name: Option<String>,
}

#[derive(Clone, Debug)]
pub struct MissingDependency {
    /// Attributes of `<Required>` and `<Dependent>`.
    pub required: Vec<(String, String)>,
    pub dependent: Vec<(String, String)>,
    pub required_loc: Loc,
    pub dependent_loc: Option<Loc>,
}

#[derive(Clone, Debug)]
pub struct ConnectionReference {
    pub logical_name: String,
    pub display_name: Option<String>,
    pub connector_id: Option<String>,
    pub custom_connector_id: Option<String>,
    pub loc: Loc,
}

impl ConnectionReference {
    pub fn identity(&self) -> String {
        format!("connref:{}", self.logical_name)
    }
}

#[derive(Clone, Debug)]
pub struct AiModel {
    /// Lower-case, no braces.
    pub id: String,
    pub name: Option<String>,
    pub template_id: Option<String>,
    pub active_configuration_id: Option<String>,
    pub configurations: Vec<AiConfiguration>,
    pub loc: Loc,
}

impl AiModel {
    pub fn identity(&self) -> String {
        format!("aimodel:{}", self.id)
    }

    /// The active run configuration, else the first with a prompt.
    pub fn active(&self) -> Option<&AiConfiguration> {
        let active = self.active_configuration_id.as_deref();
        self.configurations
            .iter()
            .find(|c| active.is_some() && c.id.as_deref() == active)
            .or_else(|| self.configurations.iter().find(|c| c.custom.is_some()))
    }
}

#[derive(Clone, Debug)]
pub struct AiConfiguration {
    pub id: Option<String>,
    /// `msdyn_customconfiguration` parsed, its spans mapped to the raw file bytes.
    pub custom: Option<JsonValue>,
    /// The `msdyn_customconfiguration` element, for logical paths (`…#/pointer`).
    pub custom_loc: Option<Loc>,
}

#[derive(Clone, Debug)]
pub struct WorkflowRegistration {
    /// Lower-case, no braces.
    pub id: String,
    pub name: Option<String>,
    pub json_file_name: Option<String>,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct ConnectorRegistration {
    pub name: String,
    pub connector_id: Option<String>,
    pub display_name: Option<String>,
    pub script_operations: Vec<String>,
    pub custom_code: Option<Loc>,
    pub loc: Loc,
}

/// A row of an `Assets/*.xml` association file, e.g. `<bot_botcomponent
/// botcomponentid.schemaname="…" botid.schemaname="…" />`.
#[derive(Clone, Debug)]
pub struct Association {
    pub set: String,
    pub attrs: Vec<(String, String)>,
    pub loc: Loc,
}

impl Association {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub(super) struct Customizations {
    pub connection_references: Vec<ConnectionReference>,
    pub ai_models: Vec<AiModel>,
    pub workflows: Vec<WorkflowRegistration>,
    pub connectors: Vec<ConnectorRegistration>,
}

/// GUIDs compare case-insensitively with braces stripped (RULES.md §10).
pub fn normalize_guid(id: &str) -> String {
    id.trim()
        .trim_matches(|c| c == '{' || c == '}')
        .to_ascii_lowercase()
}

fn text_value(doc: &XmlDoc, file: FileId, parent: usize, name: &str) -> Option<Value<String>> {
    let id = doc.child(parent, name)?;
    let el = doc.el(id);
    Some(Value {
        value: el.text.clone(),
        loc: Loc::new(file, el.value_span(), doc.logical_path(id)),
    })
}

fn is_manifest(segments: &[&str]) -> bool {
    matches!(segments, ["solution.xml"] | ["other", "solution.xml"])
}

fn is_customizations(segments: &[&str]) -> bool {
    matches!(
        segments,
        ["customizations.xml"] | ["other", "customizations.xml"]
    )
}

pub(super) fn manifest(ws: &Workspace) -> Option<Manifest> {
    let file = ws.find(is_manifest).next()?;
    let doc = ws.xml(file)?;
    let root = doc.root()?;
    let manifest = if doc.el(root).name.eq_ignore_ascii_case("SolutionManifest") {
        root
    } else {
        doc.child(root, "SolutionManifest")?
    };
    let publisher = doc.child(manifest, "Publisher");
    let mut root_components = Vec::new();
    if let Some(list) = doc.child(manifest, "RootComponents") {
        for rc in doc.children(list, "RootComponent") {
            let el = doc.el(rc);
            root_components.push(RootComponent {
                component_type: el.attr("type").map(|a| a.value.clone()).unwrap_or_default(),
                id: el.attr("id").map(|a| a.value.clone()),
                schema_name: el.attr("schemaName").map(|a| a.value.clone()),
            });
        }
    }
    let mut missing_dependencies = Vec::new();
    if let Some(list) = doc.child(manifest, "MissingDependencies") {
        for md in doc.children(list, "MissingDependency") {
            let Some(required) = doc.child(md, "Required") else {
                continue;
            };
            let attrs = |id: usize| {
                doc.el(id)
                    .attrs
                    .iter()
                    .map(|a| (a.name.clone(), a.value.clone()))
                    .collect::<Vec<_>>()
            };
            let dependent = doc.child(md, "Dependent");
            missing_dependencies.push(MissingDependency {
                required: attrs(required),
                dependent: dependent.map(attrs).unwrap_or_default(),
                required_loc: Loc::new(
                    file,
                    doc.el(required).start_tag,
                    doc.logical_path(required),
                ),
                dependent_loc: dependent
                    .map(|d| Loc::new(file, doc.el(d).start_tag, doc.logical_path(d))),
            });
        }
    }
    Some(Manifest {
        file,
        unique_name: doc
            .child_text(manifest, "UniqueName")
            .unwrap_or("")
            .to_string(),
        version: doc.child_text(manifest, "Version").map(str::to_string),
        managed: text_value(doc, file, manifest, "Managed"),
        publisher: publisher.and_then(|p| text_value(doc, file, p, "UniqueName")),
        prefix: publisher.and_then(|p| text_value(doc, file, p, "CustomizationPrefix")),
        root_components,
        missing_dependencies,
    })
}

pub(super) fn read(ws: &Workspace, problems: &mut Vec<Problem>) -> Customizations {
    let mut out = Customizations {
        connection_references: Vec::new(),
        ai_models: Vec::new(),
        workflows: Vec::new(),
        connectors: Vec::new(),
    };
    if let Some(file) = ws.find(is_customizations).next()
        && let Some(doc) = ws.xml(file)
        && let Some(root) = doc.root()
    {
        read_customizations(ws, file, doc, root, problems, &mut out);
    }
    // SolutionPackager moves <Workflow> into Workflows/*.json.data.xml and
    // <Connector> into Connectors/<name>.xml.
    for file in ws.find(|s| s.len() == 2 && s[0] == "workflows" && s[1].ends_with(".json.data.xml"))
    {
        if let Some(doc) = ws.xml(file)
            && let Some(root) = doc.root()
        {
            out.workflows.extend(workflow(doc, file, root));
        }
    }
    for file in ws.find(|s| s.len() == 2 && s[0] == "connectors" && s[1].ends_with(".xml")) {
        if let Some(doc) = ws.xml(file)
            && let Some(root) = doc
                .root()
                .filter(|&r| doc.el(r).name.eq_ignore_ascii_case("Connector"))
        {
            out.connectors
                .push(connector_registration(ws, doc, file, root, problems));
        }
    }
    read_workspace_connection_references(ws, &mut out.connection_references);
    out.connection_references
        .sort_by(|a, b| a.logical_name.cmp(&b.logical_name));
    out.ai_models.sort_by(|a, b| a.id.cmp(&b.id));
    out.workflows.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

fn read_customizations(
    ws: &Workspace,
    file: FileId,
    doc: &XmlDoc,
    root: usize,
    problems: &mut Vec<Problem>,
    out: &mut Customizations,
) {
    if let Some(list) = doc.child(root, "connectionreferences") {
        for cr in doc.children(list, "connectionreference") {
            let el = doc.el(cr);
            let Some(name) = el.attr("connectionreferencelogicalname") else {
                continue;
            };
            out.connection_references.push(ConnectionReference {
                logical_name: name.value.clone(),
                display_name: doc
                    .child_text(cr, "connectionreferencedisplayname")
                    .map(str::to_string),
                connector_id: doc.child_text(cr, "connectorid").map(str::to_string),
                custom_connector_id: doc
                    .path(cr, &["customconnectorid", "connectorid"])
                    .map(|c| doc.el(c).text.clone()),
                loc: Loc::new(
                    file,
                    name.span,
                    format!("{}/@connectionreferencelogicalname", doc.logical_path(cr)),
                ),
            });
        }
    }
    if let Some(list) = doc.child(root, "AIModels") {
        for model in doc.children(list, "AIModel") {
            out.ai_models
                .extend(ai_model(ws, doc, file, model, problems));
        }
    }
    if let Some(list) = doc.child(root, "Workflows") {
        for wf in doc.children(list, "Workflow") {
            out.workflows.extend(workflow(doc, file, wf));
        }
    }
    if let Some(list) = doc.child(root, "Connectors") {
        for c in doc.children(list, "Connector") {
            out.connectors
                .push(connector_registration(ws, doc, file, c, problems));
        }
    }
}

fn workflow(doc: &XmlDoc, file: FileId, wf: usize) -> Option<WorkflowRegistration> {
    let el = doc.el(wf);
    let id = el.attr("WorkflowId")?;
    Some(WorkflowRegistration {
        id: normalize_guid(&id.value),
        name: el.attr("Name").map(|a| a.value.clone()),
        json_file_name: doc.child_text(wf, "JsonFileName").map(str::to_string),
        loc: Loc::new(
            file,
            id.span,
            format!("{}/@WorkflowId", doc.logical_path(wf)),
        ),
    })
}

fn connector_registration(
    ws: &Workspace,
    doc: &XmlDoc,
    file: FileId,
    c: usize,
    problems: &mut Vec<Problem>,
) -> ConnectorRegistration {
    let name_el = doc.child(c, "name");
    let mut script_operations = Vec::new();
    if let Some(ops) = doc.child(c, "scriptoperations") {
        let el = doc.el(ops);
        if !el.text.is_empty()
            && let Some(json) =
                embedded_json(ws, file, el.text_span.unwrap_or(el.start_tag), problems)
        {
            script_operations = json
                .items()
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
        }
    }
    let custom_code = doc
        .child(c, "customcodeblobcontent")
        .map(|cc| Loc::new(file, doc.el(cc).value_span(), doc.logical_path(cc)));
    ConnectorRegistration {
        name: name_el.map(|n| doc.el(n).text.clone()).unwrap_or_default(),
        connector_id: doc.child_text(c, "connectorid").map(str::to_string),
        display_name: doc.child_text(c, "displayname").map(str::to_string),
        script_operations,
        custom_code,
        loc: Loc::new(
            file,
            name_el.map_or(doc.el(c).start_tag, |n| doc.el(n).value_span()),
            doc.logical_path(c),
        ),
    }
}

fn ai_model(
    ws: &Workspace,
    doc: &XmlDoc,
    file: FileId,
    model: usize,
    problems: &mut Vec<Problem>,
) -> Option<AiModel> {
    let id_el = doc.child(model, "msdyn_aimodelid")?;
    let mut configurations = Vec::new();
    if let Some(list) = doc.child(model, "AIConfigurations") {
        for cfg in doc.children(list, "AIConfiguration") {
            let custom_el = doc.child(cfg, "msdyn_customconfiguration");
            let custom = custom_el.and_then(|c| {
                let el = doc.el(c);
                let span = el.text_span?;
                embedded_json(ws, file, span, problems)
            });
            configurations.push(AiConfiguration {
                id: doc
                    .child_text(cfg, "msdyn_aiconfigurationid")
                    .map(normalize_guid),
                custom,
                custom_loc: custom_el
                    .map(|c| Loc::new(file, doc.el(c).value_span(), doc.logical_path(c))),
            });
        }
    }
    Some(AiModel {
        id: normalize_guid(&doc.el(id_el).text),
        name: doc.child_text(model, "msdyn_name").map(str::to_string),
        template_id: doc
            .child_text(model, "msdyn_templateid")
            .map(normalize_guid),
        active_configuration_id: doc
            .child_text(model, "msdyn_activerunconfigurationid")
            .map(normalize_guid),
        configurations,
        loc: Loc::new(file, doc.el(id_el).value_span(), doc.logical_path(id_el)),
    })
}

/// Parses JSON held in XML text at `span` of `file`; its spans index the raw
/// file bytes. A failure is a PPX000 `embedded-json` problem.
pub(super) fn embedded_json(
    ws: &Workspace,
    file: FileId,
    span: Span,
    problems: &mut Vec<Problem>,
) -> Option<JsonValue> {
    let source = &ws.files[file];
    let raw = std::str::from_utf8(source.bytes.get(span.range())?).ok()?;
    let (text, map) = parse::xml::unescape(raw);
    let to_raw = |offset: usize| span.start as usize + parse::xml::raw_offset(&map, offset);
    match parse::json::parse(&text, 0) {
        Ok(mut value) => {
            remap(&mut value, &to_raw);
            Some(value)
        }
        Err(err) => {
            let at = to_raw(err.offset.min(text.len()));
            problems.push(parse::syntax_problem(
                source,
                ProblemKind::EmbeddedJson,
                &parse::SyntaxError {
                    offset: at,
                    message: err.message,
                },
            ));
            None
        }
    }
}

fn remap(value: &mut JsonValue, to_raw: &impl Fn(usize) -> usize) {
    let map_span = |s: Span| Span::new(to_raw(s.start as usize), to_raw(s.end as usize));
    value.span = map_span(value.span);
    match &mut value.kind {
        parse::JsonKind::Array(items) => items.iter_mut().for_each(|v| remap(v, to_raw)),
        parse::JsonKind::Object(members) => {
            for m in members {
                m.key_span = map_span(m.key_span);
                remap(&mut m.value, to_raw);
            }
        }
        _ => {}
    }
}

pub(super) fn associations(ws: &Workspace) -> Vec<Association> {
    let mut rows = Vec::new();
    for file in ws.find(|s| s.len() == 2 && s[0] == "assets" && s[1].ends_with(".xml")) {
        let Some(doc) = ws.xml(file) else { continue };
        let Some(root) = doc.root() else { continue };
        for &row in &doc.el(root).children {
            let el = doc.el(row);
            rows.push(Association {
                set: el.name.clone(),
                attrs: el
                    .attrs
                    .iter()
                    .map(|a| (a.name.clone(), a.value.clone()))
                    .collect(),
                loc: Loc::new(file, el.start_tag, doc.logical_path(row)),
            });
        }
    }
    rows
}

fn read_workspace_connection_references(ws: &Workspace, out: &mut Vec<ConnectionReference>) {
    for file in ws.find(|s| s == ["connectionreferences.mcs.yml"]) {
        let Some(doc) = ws.yaml(file) else { continue };
        let Some(list) = doc.get("connectionReferences") else {
            continue;
        };
        for (i, item) in list.items().iter().enumerate() {
            let Some(name) = item.get("connectionReferenceLogicalName") else {
                continue;
            };
            out.push(ConnectionReference {
                logical_name: name.as_text().unwrap_or_default().to_string(),
                display_name: item
                    .get("displayName")
                    .and_then(|v| v.as_text())
                    .map(str::to_string),
                connector_id: item
                    .get("connectorId")
                    .and_then(|v| v.as_text())
                    .map(str::to_string),
                custom_connector_id: None,
                loc: Loc::new(
                    file,
                    name.span,
                    format!("/connectionReferences/{i}/connectionReferenceLogicalName"),
                ),
            });
        }
    }
}
