//! Pieces shared by the TLS rules: naming tools, agents and connectors.

use crate::model::{Component, Solution, normalize_guid};
use crate::parse::YamlNode;

/// What messages call the agent that owns `component`.
pub fn agent_label(solution: &Solution<'_>, component: &Component<'_>) -> String {
    solution
        .owner_label(component)
        .unwrap_or_else(|| "(no agent)".to_string())
}

/// `/providers/Microsoft.PowerApps/apis/shared_office365` → `shared_office365`.
fn api_name(connector_id: &str) -> Option<&str> {
    let trimmed = connector_id.trim().trim_end_matches('/');
    let (_, name) = trimmed.rsplit_once("/apis/")?;
    (!name.is_empty() && !name.contains('/')).then_some(name)
}

/// Display names of common Microsoft connectors, so messages read like the maker portal.
fn known_connector(api: &str) -> Option<&'static str> {
    Some(match api.to_ascii_lowercase().as_str() {
        "shared_commondataserviceforapps" => "Microsoft Dataverse",
        "shared_commondataservice" => "Common Data Service (legacy)",
        "shared_office365" => "Office 365 Outlook",
        "shared_office365users" => "Office 365 Users",
        "shared_office365groups" => "Office 365 Groups",
        "shared_sharepointonline" => "SharePoint",
        "shared_teams" => "Microsoft Teams",
        "shared_onedriveforbusiness" => "OneDrive for Business",
        "shared_excelonlinebusiness" => "Excel Online (Business)",
        "shared_planner" => "Planner",
        "shared_approvals" => "Approvals",
        "shared_sql" => "SQL Server",
        "shared_msnweather" => "MSN Weather",
        "shared_azureopenai" => "Azure OpenAI",
        "shared_webcontents" => "HTTP with Microsoft Entra ID",
        "shared_servicebus" => "Azure Service Bus",
        "shared_azureblob" => "Azure Blob Storage",
        "shared_keyvault" => "Azure Key Vault",
        _ => return None,
    })
}

fn describe_api(solution: &Solution<'_>, api: &str) -> String {
    if let Some(known) = known_connector(api) {
        return format!("{known} ({api})");
    }
    // A custom connector of this solution: `<Connector><name>` is the api name.
    if let Some(connector) = solution.connector_registered_as(api) {
        return format!("custom connector '{}'", connector.label());
    }
    format!("connector {api}")
}

/// The connector a node's connection reference points at, for messages:
/// the solution's `<connectionreference>` (or `connectionreferences.mcs.yml`),
/// else a `connectorId` on the node, else the `shared_<api>` segment that
/// Copilot Studio puts in generated reference names.
pub fn connector_label(
    solution: &Solution<'_>,
    reference: Option<&str>,
    node: &YamlNode,
) -> String {
    if let Some(name) = reference
        && let Some(cr) = solution.connection_reference_named(name)
    {
        if let Some(custom) = cr.custom_connector_id.as_deref().map(normalize_guid)
            && let Some(connector) = solution.connectors.iter().find(|c| {
                c.connector_id
                    .as_deref()
                    .is_some_and(|id| normalize_guid(id) == custom)
            })
        {
            return format!("custom connector '{}'", connector.label());
        }
        if let Some(api) = cr.connector_id.as_deref().and_then(api_name) {
            return describe_api(solution, api);
        }
    }
    if let Some(id) = node.get("connectorId").and_then(YamlNode::as_text)
        && let Some(api) = api_name(id).or(Some(id).filter(|s| !s.contains('/')))
    {
        return describe_api(solution, api);
    }
    if let Some(name) = reference
        && let Some(api) = name
            .split('.')
            .find(|segment| segment.to_ascii_lowercase().starts_with("shared_"))
    {
        return describe_api(solution, api);
    }
    match reference {
        Some(name) => format!("connection reference '{name}'"),
        None => "a connector".to_string(),
    }
}

/// `node.id` or a placeholder for messages.
pub fn node_id(node: &YamlNode) -> &str {
    node.id().unwrap_or("(no id)")
}

/// The string literals of a Power Fx formula (`"a ""b"""` → `a "b"`), in order.
pub fn power_fx_strings(formula: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = formula.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut text = String::new();
        loop {
            match chars.next() {
                None => return out,
                Some('"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    text.push('"');
                }
                Some('"') => break,
                Some(other) => text.push(other),
            }
        }
        out.push(text);
    }
    out
}

/// A term of a simple `&` concatenation: a string literal or `Env.<schema>`.
#[derive(Debug, PartialEq, Eq)]
pub enum Term {
    Text(String),
    Env(String),
}

/// `="https://" & Env.cnt_host & "/v1"` as terms; `None` when the formula is
/// anything but literals and `Env.` references joined by `&`.
pub fn concatenation(formula: &str) -> Option<Vec<Term>> {
    let body = formula.trim().strip_prefix('=')?;
    let mut terms = Vec::new();
    let mut rest = body.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix('"') {
            let mut text = String::new();
            let mut chars = after.char_indices().peekable();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                if c == '"' {
                    if chars.peek().is_some_and(|(_, n)| *n == '"') {
                        chars.next();
                        text.push('"');
                        continue;
                    }
                    end = Some(i + 1);
                    break;
                }
                text.push(c);
            }
            terms.push(Term::Text(text));
            rest = after.get(end?..)?.trim_start();
        } else if let Some(after) = rest.strip_prefix("Env.") {
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if len == 0 {
                return None;
            }
            terms.push(Term::Env(after[..len].to_string()));
            rest = after[len..].trim_start();
        } else {
            return None;
        }
        if rest.is_empty() {
            return Some(terms);
        }
        rest = rest.strip_prefix('&')?.trim_start();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_names() {
        assert_eq!(
            api_name("/providers/Microsoft.PowerApps/apis/shared_office365"),
            Some("shared_office365")
        );
        assert_eq!(api_name("shared_office365"), None);
        assert_eq!(api_name("/providers/Microsoft.PowerApps/apis/"), None);
        assert_eq!(
            known_connector("shared_CommonDataServiceForApps"),
            Some("Microsoft Dataverse")
        );
    }

    #[test]
    fn power_fx_pieces() {
        assert_eq!(
            power_fx_strings(r#"="Bearer " & If(x, "a""b", Env.y)"#),
            ["Bearer ", "a\"b"]
        );
        assert_eq!(power_fx_strings(r#"="unterminated"#), Vec::<String>::new());
        assert_eq!(
            concatenation(r#"="https://" & Env.cnt_host & "/openai""#),
            Some(vec![
                Term::Text("https://".into()),
                Term::Env("cnt_host".into()),
                Term::Text("/openai".into())
            ])
        );
        assert_eq!(
            concatenation("=Env.cnt_endpoint"),
            Some(vec![Term::Env("cnt_endpoint".into())])
        );
        assert_eq!(concatenation("=If(Env.a, Env.b, Env.c)"), None);
        assert_eq!(concatenation(r#"="a" &"#), None);
        assert_eq!(concatenation("https://x"), None);
    }
}
