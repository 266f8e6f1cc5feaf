//! Environment variable definitions and exported values.

use super::{Loc, Value, Workspace};

/// `<type>` codes of environment variable definitions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvVarType {
    String,
    Number,
    Boolean,
    Json,
    DataSource,
    Secret,
    Unknown,
}

impl EnvVarType {
    pub fn from_code(code: &str) -> EnvVarType {
        match code.trim() {
            "100000000" => EnvVarType::String,
            "100000001" => EnvVarType::Number,
            "100000002" => EnvVarType::Boolean,
            "100000003" => EnvVarType::Json,
            "100000004" => EnvVarType::DataSource,
            "100000005" => EnvVarType::Secret,
            _ => EnvVarType::Unknown,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EnvVarType::String => "String",
            EnvVarType::Number => "Number",
            EnvVarType::Boolean => "Boolean",
            EnvVarType::Json => "JSON",
            EnvVarType::DataSource => "Data source",
            EnvVarType::Secret => "Secret",
            EnvVarType::Unknown => "unknown",
        }
    }
}

#[derive(Clone, Debug)]
pub struct EnvVar {
    pub schema_name: String,
    pub display_name: Option<String>,
    /// `<type>` text, e.g. `100000000`.
    pub type_code: Option<Value<String>>,
    pub default_value: Option<Value<String>>,
    /// The current value from `environmentvariablevalues.json`, when exported.
    pub value: Option<Value<String>>,
    pub api_id: Option<String>,
    pub parameter_key: Option<String>,
    /// The definition's root start tag.
    pub loc: Loc,
}

impl EnvVar {
    pub fn identity(&self) -> String {
        format!("envvar:{}", self.schema_name)
    }

    pub fn var_type(&self) -> EnvVarType {
        self.type_code
            .as_ref()
            .map_or(EnvVarType::Unknown, |t| EnvVarType::from_code(&t.value))
    }
}

pub(super) fn read(ws: &Workspace) -> Vec<EnvVar> {
    let mut vars = Vec::new();
    for file in ws.find(|s| {
        s.len() == 3
            && s[0] == "environmentvariabledefinitions"
            && s[2] == "environmentvariabledefinition.xml"
    }) {
        let Some(doc) = ws.xml(file) else { continue };
        let Some(root) = doc.root() else { continue };
        let folder = ws
            .path(file)
            .rsplit_once('/')
            .map_or("", |(f, _)| f)
            .to_string();
        let schema_name = doc
            .el(root)
            .attr("schemaname")
            .map(|a| a.value.clone())
            .unwrap_or_else(|| folder.rsplit('/').next().unwrap_or("").to_string());
        let text = |name: &str| -> Option<Value<String>> {
            let id = doc.child(root, name)?;
            let el = doc.el(id);
            Some(Value {
                value: el.text.clone(),
                loc: Loc::new(file, el.value_span(), doc.logical_path(id)),
            })
        };
        let values_path = format!("{folder}/environmentvariablevalues.json").to_ascii_lowercase();
        let value = ws
            .file_at(&values_path)
            .and_then(|f| Some((f, ws.json(f)?)))
            .and_then(|(f, json)| {
                let holder =
                    json.path(&["environmentvariablevalues", "environmentvariablevalue"])?;
                let (entry, pointer) = match holder.items().first() {
                    Some(first) => (
                        first,
                        "/environmentvariablevalues/environmentvariablevalue/0/value",
                    ),
                    None => (
                        holder,
                        "/environmentvariablevalues/environmentvariablevalue/value",
                    ),
                };
                let v = entry.get("value")?;
                Some(Value {
                    value: v.scalar_text().unwrap_or_default(),
                    loc: Loc::new(f, v.span, pointer),
                })
            });
        vars.push(EnvVar {
            display_name: doc
                .child(root, "displayname")
                .and_then(|d| doc.el(d).attr("default"))
                .map(|a| a.value.clone()),
            type_code: text("type"),
            default_value: text("defaultvalue"),
            value,
            api_id: text("apiid").map(|v| v.value),
            parameter_key: text("parameterkey").map(|v| v.value),
            loc: Loc::new(file, doc.el(root).start_tag, doc.logical_path(root)),
            schema_name,
        });
    }
    vars.sort_by(|a, b| a.schema_name.cmp(&b.schema_name));
    vars
}
