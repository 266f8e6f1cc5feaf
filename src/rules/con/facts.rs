//! What the CON rules (and TLS101, SEC001) need to know about a custom
//! connector, read the same way from solution exports (`Connector/<n>_*.json`)
//! and paconn folders (`apiDefinition.swagger.json`, `apiProperties.json`).

use crate::finding::Confidence;
use crate::model::node::join_pointer;
use crate::model::{Connector, Loc, Solution};
use crate::parse::JsonValue;
use crate::source::{FileId, Layout};

use crate::rules::sec::secrets::is_credential_key;

/// A JSON node of a connector with its file and JSON pointer.
#[derive(Clone, Debug)]
pub struct At<'a> {
    pub file: FileId,
    pub value: &'a JsonValue,
    pub path: String,
}

impl<'a> At<'a> {
    pub fn loc(&self) -> Loc {
        Loc::new(self.file, self.value.span, self.path.clone())
    }

    pub fn child(&self, key: &str) -> Option<At<'a>> {
        Some(At {
            file: self.file,
            value: self.value.get(key)?,
            path: join_pointer(&self.path, key),
        })
    }
}

/// A connection parameter (`cparams`, or a parameter of a `connectionParameterSets` value).
#[derive(Clone, Debug)]
pub struct ConnectionParameter<'a> {
    pub name: String,
    pub param_type: String,
    pub node: At<'a>,
}

impl ConnectionParameter<'_> {
    pub fn is_secure(&self) -> bool {
        self.param_type.eq_ignore_ascii_case("securestring")
    }

    pub fn is_oauth(&self) -> bool {
        self.param_type.eq_ignore_ascii_case("oauthSetting")
    }
}

/// A policy template instance.
#[derive(Clone, Debug)]
pub struct Policy<'a> {
    pub template_id: String,
    pub title: Option<String>,
    pub node: At<'a>,
}

impl<'a> Policy<'a> {
    pub fn is(&self, template: &str) -> bool {
        self.template_id.eq_ignore_ascii_case(template)
    }

    /// `parameters.<key>` of the instance.
    pub fn parameter(&self, key: &str) -> Option<At<'a>> {
        let params = self.node.value.get("parameters")?;
        Some(At {
            file: self.node.file,
            value: params.get(key)?,
            path: join_pointer(&join_pointer(&self.node.path, "parameters"), key),
        })
    }

    /// For `setheader`/`setqueryparameter`: the header or query parameter name.
    pub fn target_name(&self) -> Option<&'a str> {
        let params = self.node.value.get("parameters")?;
        params.get("x-ms-apimTemplateParameter.name")?.as_str()
    }

    pub fn label(&self) -> String {
        self.title
            .clone()
            .unwrap_or_else(|| self.template_id.clone())
    }
}

/// The swagger document.
pub fn openapi<'a>(connector: &Connector<'a>) -> Option<At<'a>> {
    let part = connector.openapi.as_ref()?;
    Some(At {
        file: part.file,
        value: part.value,
        path: part.path.clone(),
    })
}

/// Every `securityDefinitions` entry: (name, node).
pub fn security_definitions<'a>(connector: &Connector<'a>) -> Vec<(String, At<'a>)> {
    let Some(oapi) = openapi(connector) else {
        return Vec::new();
    };
    let Some(defs) = oapi.value.get("securityDefinitions") else {
        return Vec::new();
    };
    let base = join_pointer(&oapi.path, "securityDefinitions");
    defs.members()
        .iter()
        .map(|m| {
            (
                m.key.to_string(),
                At {
                    file: oapi.file,
                    value: &m.value,
                    path: join_pointer(&base, &m.key),
                },
            )
        })
        .collect()
}

/// `apiProperties.json` of a paconn folder.
fn api_properties<'a>(solution: &Solution<'a>) -> Option<(FileId, &'a JsonValue)> {
    if solution.ws.layout != Layout::Connector {
        return None;
    }
    let file = solution.ws.find(|s| s == ["apiproperties.json"]).next()?;
    Some((file, solution.ws.json(file)?))
}

/// Connection parameters, including every `connectionParameterSets.values[].parameters`
/// (paconn: beside `connectionParameters` in `apiProperties.json`; exports: inside
/// the `_connectionparameters.json` document, if ever written there).
pub fn connection_parameters<'a>(
    solution: &Solution<'a>,
    connector: &Connector<'a>,
) -> Vec<ConnectionParameter<'a>> {
    let mut out = Vec::new();
    let mut push_map = |file: FileId, map: &'a JsonValue, base: &str| {
        for m in map.members() {
            if &*m.key == "connectionParameterSets" {
                continue;
            }
            let param_type = m
                .value
                .get("type")
                .and_then(JsonValue::as_str)
                .unwrap_or("")
                .to_string();
            out.push(ConnectionParameter {
                name: m.key.to_string(),
                param_type,
                node: At {
                    file,
                    value: &m.value,
                    path: join_pointer(base, &m.key),
                },
            });
        }
    };
    let mut sets: Vec<(FileId, &'a JsonValue, String)> = Vec::new();
    if let Some(part) = &connector.connection_parameters {
        push_map(part.file, part.value, &part.path);
        if let Some(s) = part.value.get("connectionParameterSets") {
            sets.push((
                part.file,
                s,
                join_pointer(&part.path, "connectionParameterSets"),
            ));
        }
    }
    if let Some((file, props)) = api_properties(solution)
        && let Some(s) = props.path(&["properties", "connectionParameterSets"])
    {
        sets.push((file, s, "/properties/connectionParameterSets".to_string()));
    }
    for (file, set, base) in sets {
        for (i, value) in set
            .get("values")
            .map(JsonValue::items)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if let Some(params) = value.get("parameters") {
                push_map(file, params, &format!("{base}/values/{i}/parameters"));
            }
        }
    }
    out
}

/// Policy template instances (`null`, `[]` or an array).
pub fn policies<'a>(connector: &Connector<'a>) -> Vec<Policy<'a>> {
    let Some(part) = &connector.policy_templates else {
        return Vec::new();
    };
    part.value
        .items()
        .iter()
        .enumerate()
        .map(|(i, p)| Policy {
            template_id: p
                .get("templateId")
                .and_then(JsonValue::as_str)
                .unwrap_or("")
                .to_string(),
            title: p
                .get("title")
                .and_then(JsonValue::as_str)
                .map(str::to_string),
            node: At {
                file: part.file,
                value: p,
                path: format!("{}/{i}", part.path),
            },
        })
        .collect()
}

/// Why a connector counts as authenticated (RULES.md §7, "Auth is present").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthEvidence {
    /// A `securestring` or `oauthSetting` connection parameter.
    ConnectionParameter(String),
    /// A non-empty `securityDefinitions`.
    SecurityDefinition(String),
    /// A `setheader`/`setqueryparameter` policy injecting a credential.
    Policy(String),
}

/// The first evidence that the connector authenticates its callers, if any.
pub fn auth_evidence(solution: &Solution<'_>, connector: &Connector<'_>) -> Option<AuthEvidence> {
    if let Some(p) = connection_parameters(solution, connector)
        .into_iter()
        .find(|p| p.is_secure() || p.is_oauth())
    {
        return Some(AuthEvidence::ConnectionParameter(p.name));
    }
    if let Some((name, _)) = security_definitions(connector).into_iter().next() {
        return Some(AuthEvidence::SecurityDefinition(name));
    }
    policies(connector)
        .into_iter()
        .find(|p| {
            (p.is("setheader") || p.is("setqueryparameter"))
                && p.target_name().is_some_and(is_credential_key)
        })
        .map(|p| AuthEvidence::Policy(p.label()))
}

/// Whether an operation speaks the Model Context Protocol (`x-ms-agentic-protocol`).
pub fn is_mcp_server(connector: &Connector<'_>) -> bool {
    let Some(paths) = connector
        .openapi
        .as_ref()
        .and_then(|o| o.value.get("paths"))
    else {
        return false;
    };
    paths.members().iter().any(|path| {
        path.value
            .members()
            .iter()
            .any(|op| op.value.get("x-ms-agentic-protocol").is_some())
    })
}

/// The literal host of a `dynamichosturl` URL template, when it has one
/// (`https://@connectionParameters('x').openai.azure.com` has none).
pub fn dynamic_host_templates<'a>(connector: &Connector<'a>) -> Vec<At<'a>> {
    policies(connector)
        .into_iter()
        .filter(|p| p.is("dynamichosturl"))
        .filter_map(|p| p.parameter("x-ms-apimTemplateParameter.urlTemplate"))
        .filter(|a| a.value.as_str().is_some())
        .collect()
}

/// A host written as a literal: `None` for `@environmentVariables(…)`,
/// `@connectionParameters(…)` and other expressions. Lower-case, without port.
pub fn literal_host(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() || text.contains('@') || text.contains('{') {
        return None;
    }
    let authority = match text.split_once("://") {
        Some((_, rest)) => rest,
        None => text,
    };
    let authority = authority.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = if host.starts_with('[') {
        host.split(']').next()?.trim_start_matches('[')
    } else {
        host.split(':').next()?
    };
    (!host.is_empty()).then(|| host.trim_end_matches('.').to_ascii_lowercase())
}

/// Where a host is not a governed production endpoint (RULES.md CON003).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostClass {
    Tunnel,
    Local,
    Placeholder,
    NonProd,
}

impl HostClass {
    pub fn label(self) -> &'static str {
        match self {
            HostClass::Tunnel => "tunnel",
            HostClass::Local => "local",
            HostClass::Placeholder => "placeholder",
            HostClass::NonProd => "non-prod",
        }
    }

    /// Tunnels, local and placeholder hosts are certain; a `dev`/`test` label is a hint.
    pub fn confidence(self) -> Confidence {
        match self {
            HostClass::NonProd => Confidence::Low,
            _ => Confidence::High,
        }
    }
}

const TUNNEL_SUFFIXES: [&str; 6] = [
    ".devtunnels.ms",
    ".ngrok.io",
    ".ngrok-free.app",
    ".ngrok.app",
    ".loca.lt",
    ".trycloudflare.com",
];

const NON_PROD_LABELS: [&str; 5] = ["dev", "test", "staging", "uat", "preprod"];

/// Classifies a (lower-case) host.
pub fn classify_host(host: &str) -> Option<HostClass> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if TUNNEL_SUFFIXES.iter().any(|s| host.ends_with(s)) {
        return Some(HostClass::Tunnel);
    }
    if host == "localhost"
        || host.ends_with(".localhost")
        || host.ends_with(".local")
        || host == "::1"
        || is_private_ipv4(&host)
    {
        return Some(HostClass::Local);
    }
    let labels: Vec<&str> = host.split('.').collect();
    let registrable = labels.len() >= 2 && labels.get(labels.len() - 2) == Some(&"example");
    if labels.first() == Some(&"example")
        || registrable
        || host == "test.com"
        || host.ends_with(".test.com")
        || ["example", "test", "invalid"].contains(labels.last().unwrap_or(&""))
    {
        return Some(HostClass::Placeholder);
    }
    let words = labels.iter().flat_map(|l| l.split(['-', '_']));
    if words.clone().any(|w| NON_PROD_LABELS.contains(&w)) {
        return Some(HostClass::NonProd);
    }
    None
}

/// `127.0.0.0/8`, RFC 1918 (`10/8`, `172.16/12`, `192.168/16`).
fn is_private_ipv4(host: &str) -> bool {
    let octets: Vec<u8> = host.split('.').filter_map(|o| o.parse().ok()).collect();
    if octets.len() != 4 || host.split('.').count() != 4 {
        return false;
    }
    matches!((octets[0], octets[1]), (127, _) | (10, _) | (192, 168))
        || (octets[0] == 172 && (16..=31).contains(&octets[1]))
}

/// "host" for messages: the literal host, or the `host` text as written.
pub fn host_label(connector: &Connector<'_>) -> String {
    connector
        .host()
        .map(str::to_string)
        .or_else(|| {
            dynamic_host_templates(connector)
                .first()
                .and_then(|a| a.value.as_str())
                .map(str::to_string)
        })
        .unwrap_or_else(|| "no host".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_classified() {
        for (host, class) in [
            ("x1kv1q93-3000.uks1.devtunnels.ms", Some(HostClass::Tunnel)),
            ("abc.ngrok-free.app", Some(HostClass::Tunnel)),
            ("localhost", Some(HostClass::Local)),
            ("127.0.0.1", Some(HostClass::Local)),
            ("10.1.2.3", Some(HostClass::Local)),
            ("172.20.0.1", Some(HostClass::Local)),
            ("172.32.0.1", None),
            ("192.168.1.10", Some(HostClass::Local)),
            ("printer.local", Some(HostClass::Local)),
            ("test.com", Some(HostClass::Placeholder)),
            ("example.com", Some(HostClass::Placeholder)),
            ("api.example.org", Some(HostClass::Placeholder)),
            ("dev-api.usbank.com", Some(HostClass::NonProd)),
            (
                "translator-batch-test.cognitiveservices.azure.com",
                Some(HostClass::NonProd),
            ),
            ("api.staging.contoso.com", Some(HostClass::NonProd)),
            ("api.openai.com", None),
            ("developer.contoso.com", None),
            ("contest.com", None),
            ("latest.contoso.com", None),
        ] {
            assert_eq!(classify_host(host), class, "{host}");
        }
    }

    #[test]
    fn literal_hosts() {
        assert_eq!(
            literal_host("https://Api.Contoso.com:443/x").as_deref(),
            Some("api.contoso.com")
        );
        assert_eq!(literal_host("localhost:4433").as_deref(), Some("localhost"));
        assert_eq!(
            literal_host("@environmentVariables(\"cat_HitlHostUrl\")"),
            None
        );
        assert_eq!(
            literal_host("https://@connectionParameters('x').openai.azure.com"),
            None
        );
    }
}
