//! Custom connectors: solution files (`Connector(s)/<name>_*.json`, `.csx`,
//! `<Connector>` registrations) and paconn folders (`apiDefinition.swagger.json`,
//! `apiProperties.json`, `script.csx`).

use std::collections::HashMap;

use crate::parse::JsonValue;
use crate::source::{FileId, Layout};

use super::customizations::ConnectorRegistration;
use super::{Loc, Workspace};

/// `<Connector><name>` escapes characters as `_XX` / `-XX` (hex): `cnt_5Fopenai-2Dproxy`
/// is `cnt_openai-proxy`.
pub fn unescape_name(name: &str) -> String {
    let bytes = name.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if (b == b'_' || b == b'-')
            && let Some(hex) = name.get(i + 1..i + 3)
            && hex.bytes().all(|h| h.is_ascii_hexdigit())
            && let Ok(decoded) = u8::from_str_radix(hex, 16)
            && decoded.is_ascii()
        {
            out.push(decoded);
            i += 3;
            continue;
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| name.to_string())
}

/// A JSON part of a connector: the file, the node, and its logical path.
#[derive(Clone, Debug)]
pub struct ConnectorPart<'a> {
    pub file: FileId,
    pub value: &'a JsonValue,
    pub path: String,
}

#[derive(Clone, Debug)]
pub struct Connector<'a> {
    /// `<Connector><name>` (escaped: `_5F` is `_`), the file stem, or the paconn folder name.
    pub name: String,
    pub display_name: Option<String>,
    pub connector_id: Option<String>,
    pub openapi: Option<ConnectorPart<'a>>,
    pub connection_parameters: Option<ConnectorPart<'a>>,
    pub policy_templates: Option<ConnectorPart<'a>>,
    pub custom_code: Option<FileId>,
    /// The `<customcodeblobcontent>` element, when registered.
    pub custom_code_registration: Option<Loc>,
    pub script_operations: Vec<String>,
    pub registration: Option<Loc>,
}

impl Connector<'_> {
    pub fn identity(&self) -> String {
        format!("connector:{}", self.name)
    }

    pub fn label(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.name)
    }

    pub fn host(&self) -> Option<&str> {
        self.openapi.as_ref()?.value.get("host")?.as_str()
    }
}

const PART_SUFFIXES: [&str; 4] = [
    "_openapidefinition.json",
    "_connectionparameters.json",
    "_policytemplateinstances.json",
    "_customcodeblobcontent.csx",
];

pub(super) fn read<'a>(
    ws: &'a Workspace,
    registrations: &[ConnectorRegistration],
) -> Vec<Connector<'a>> {
    if ws.layout == Layout::Connector {
        return read_paconn(ws).into_iter().collect();
    }
    let mut connectors: Vec<Connector<'a>> = registrations
        .iter()
        .map(|r| Connector {
            name: r.name.clone(),
            display_name: r.display_name.clone(),
            connector_id: r.connector_id.clone(),
            openapi: None,
            connection_parameters: None,
            policy_templates: None,
            custom_code: None,
            custom_code_registration: r.custom_code.clone(),
            script_operations: r.script_operations.clone(),
            registration: Some(r.loc.clone()),
        })
        .collect();
    // Each part file finds its connector by name: an index, not a scan of the
    // list per file.
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for (i, connector) in connectors.iter().enumerate() {
        by_name
            .entry(connector.name.to_ascii_lowercase())
            .or_insert(i);
    }
    for file in ws.find(|s| s.len() == 2 && (s[0] == "connector" || s[0] == "connectors")) {
        let path = ws.path(file);
        let name = path.rsplit('/').next().unwrap_or(path);
        let lower = name.to_ascii_lowercase();
        let Some(suffix) = PART_SUFFIXES.iter().find(|s| lower.ends_with(*s)) else {
            continue;
        };
        let stem = &name[..name.len() - suffix.len()];
        let index = match by_name.get(&stem.to_ascii_lowercase()) {
            Some(&index) => index,
            None => {
                by_name.insert(stem.to_ascii_lowercase(), connectors.len());
                connectors.push(Connector {
                    name: stem.to_string(),
                    display_name: None,
                    connector_id: None,
                    openapi: None,
                    connection_parameters: None,
                    policy_templates: None,
                    custom_code: None,
                    custom_code_registration: None,
                    script_operations: Vec::new(),
                    registration: None,
                });
                connectors.len() - 1
            }
        };
        let connector = &mut connectors[index];
        let part = ws.json(file).map(|value| ConnectorPart {
            file,
            value,
            path: String::new(),
        });
        match *suffix {
            "_openapidefinition.json" => connector.openapi = part,
            "_connectionparameters.json" => connector.connection_parameters = part,
            "_policytemplateinstances.json" => connector.policy_templates = part,
            _ => connector.custom_code = Some(file),
        }
    }
    connectors.sort_by(|a, b| a.name.cmp(&b.name));
    connectors
}

fn read_paconn(ws: &Workspace) -> Option<Connector<'_>> {
    let one = |name: &'static str| ws.find(move |s| s == [name]).next();
    let openapi = one("apidefinition.swagger.json");
    let properties_file = one("apiproperties.json");
    let properties = properties_file.and_then(|f| ws.json(f));
    let part = |key: &str| {
        let value = properties?.path(&["properties", key])?;
        Some(ConnectorPart {
            file: properties_file?,
            value,
            path: format!("/properties/{key}"),
        })
    };
    let name = ws
        .source
        .trim_end_matches(['/', '\\'])
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("connector")
        .to_string();
    let title = openapi
        .and_then(|f| ws.json(f))
        .and_then(|v| v.path(&["info", "title"]))
        .and_then(JsonValue::as_str)
        .map(str::to_string);
    Some(Connector {
        name,
        display_name: title,
        connector_id: None,
        openapi: openapi.and_then(|file| {
            Some(ConnectorPart {
                file,
                value: ws.json(file)?,
                path: String::new(),
            })
        }),
        connection_parameters: part("connectionParameters"),
        policy_templates: part("policyTemplateInstances"),
        custom_code: one("script.csx"),
        custom_code_registration: None,
        script_operations: properties
            .and_then(|p| p.path(&["properties", "scriptOperations"]))
            .map(|ops| {
                ops.items()
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        registration: None,
    })
}

#[cfg(test)]
mod tests {
    use super::unescape_name;

    #[test]
    fn registration_names_unescape() {
        assert_eq!(
            unescape_name("crd69_5Fopenai-2Ddall-2De-20new"),
            "crd69_openai-dall-e new"
        );
        assert_eq!(
            unescape_name("ppchal_azureopenaiservice"),
            "ppchal_azureopenaiservice"
        );
    }
}
