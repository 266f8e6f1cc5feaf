use crate::finding::ComponentRef;
use crate::model::{KnowledgeKind, Loc, Solution};
use crate::parse::YamlNode;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

use super::facts::unauthenticated_agents;

declare_rule! {
    /// ## What it does
    /// Flags an agent with **no authentication** (AGT001) that is grounded on private
    /// knowledge: a `SharePointSearchSource`, `DataverseStructuredSearchSource`,
    /// `GraphConnectorSearchSource` or `AzureAISearchSource` knowledge source, or an
    /// uploaded file (componenttype 14; workspace `knowledge/files/`). One finding per
    /// knowledge source, on the agent's `authenticationmode`, with the knowledge source as
    /// a related location.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:05 (identity and access). Without a signed-in user there is no
    /// identity to trim results by: SharePoint, Dataverse and Graph connector results
    /// cannot be filtered to what the user may see, and an uploaded file has no per-user
    /// access control at all. Anyone with the link can ask the agent to reveal it.
    ///
    /// ## Example
    /// A public agent (`<authenticationmode>1</authenticationmode>`) with an uploaded
    /// `company-benefits.pdf` knowledge file (`componenttype` 14).
    ///
    /// ## How to fix
    /// Require authentication (**Settings → Security → Authentication → Authenticate with
    /// Microsoft**), or remove the private sources and keep only public content.
    pub UnauthenticatedAgentPrivateKnowledge {
        id: "KNW101",
        name: "unauthenticated-agent-private-knowledge",
        summary: "An unauthenticated agent is grounded on private knowledge",
        pillar: Security,
        waf: "SE:05",
        severity: High,
        confidence: High,
        default_on: true,
        help: "Require authentication, or remove private sources.",
    }
}

const PRIVATE_SOURCES: [(&str, &str); 4] = [
    ("SharePointSearchSource", "SharePoint"),
    ("DataverseStructuredSearchSource", "Dataverse"),
    ("GraphConnectorSearchSource", "Graph connector"),
    ("AzureAISearchSource", "Azure AI Search"),
];

impl Rule for UnauthenticatedAgentPrivateKnowledge {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for (_, agent, mode_loc) in unauthenticated_agents(solution) {
            for component in solution.components_of(agent) {
                let Some(knowledge) = component.knowledge() else {
                    continue;
                };
                let (kind, source, loc): (&str, String, Option<Loc>) = match knowledge {
                    KnowledgeKind::UploadedFile => {
                        let name = component
                            .filedata
                            .as_ref()
                            .map(|f| f.name.clone())
                            .unwrap_or_else(|| component.label().to_string());
                        let loc = component
                            .filedata
                            .as_ref()
                            .map(|f| f.loc.clone())
                            .or_else(|| kind_loc(component.data, component.data_file));
                        ("uploaded file", name, loc)
                    }
                    KnowledgeKind::Source => {
                        let Some(data) = component.data else { continue };
                        let (source_node, base) = match data.get("source") {
                            Some(source) => (source, "/source"),
                            None => (data, ""),
                        };
                        let Some(kind_node) = source_node.get("kind") else {
                            continue;
                        };
                        let Some(&(_, label)) = PRIVATE_SOURCES
                            .iter()
                            .find(|(k, _)| Some(*k) == kind_node.as_str())
                        else {
                            continue;
                        };
                        let target = ["site", "skillConfiguration", "indexName", "connectionName"]
                            .iter()
                            .find_map(|k| {
                                source_node
                                    .get(k)
                                    .and_then(YamlNode::as_text)
                                    .filter(|t| !t.is_empty())
                            })
                            .map_or_else(|| component.label().to_string(), str::to_string);
                        let loc = component.data_loc(kind_node, &format!("{base}/kind"));
                        (label, target, loc)
                    }
                };
                let finding = cx
                    .report(
                        ComponentRef::new("agent", agent.identity()),
                        mode_loc,
                        format!(
                            "Unauthenticated agent '{}' is grounded on {kind} '{source}'.",
                            agent.label()
                        ),
                    )
                    .label("no authentication")
                    .canonical_path("/bot/authenticationmode")
                    .discriminator(component.identity.clone());
                if let Some(loc) = loc {
                    finding.related(&loc, format!("{kind} knowledge '{}'", component.label()));
                }
            }
        }
    }
}

fn kind_loc(data: Option<&YamlNode>, file: Option<usize>) -> Option<Loc> {
    let data = data?;
    let node = data.get("kind").unwrap_or(data);
    Some(Loc::new(file?, node.span, "/kind"))
}
