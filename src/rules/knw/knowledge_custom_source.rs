use crate::finding::ComponentRef;
use crate::model::Solution;
use crate::model::node::join_pointer;
use crate::parse::YamlNode;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

use super::support::{agent_label, find_maps, is_empty_value};

declare_rule! {
    /// ## What it does
    /// Lists the places where an agent retrieves knowledge through custom code or a
    /// custom service instead of a built-in, permission-aware source:
    /// - a knowledge source whose `source.kind` (or workspace top-level `kind`) is
    ///   `CustomKnowledgeSource` or `AzureOpenAIOnYourDataKnowledgeSource`;
    /// - a generative-answers node whose `customDataSource.searchResults` is set
    ///   (**Manually provide data**: results computed by the topic);
    /// - a node with a non-empty `azureOpenAIOnYourDataSource`;
    /// - a topic triggered by `OnKnowledgeRequested` (a topic that acts as a knowledge
    ///   source).
    ///
    /// The finding points at the `kind` value or at the key. The common empty
    /// `customDataSource: {}` that Copilot Studio writes into every generative-answers node
    /// (E6) is not custom retrieval and gives no finding. These shapes are known from the
    /// official schema [S]; no real export in the corpus uses them.
    ///
    /// This is an inventory rule (info, pedantic): it runs with `--persona pedantic` or
    /// `--select KNW006`.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:03 (data classification). Built-in SharePoint, Dataverse and
    /// Graph sources trim results to what the signed-in user may read. Custom retrieval
    /// returns whatever your flow, connector, index or Azure OpenAI deployment returns: if
    /// it runs with a service identity and does not filter per user, every user can get
    /// answers from every document in the index.
    ///
    /// ## Example
    /// ```yaml
    /// - kind: SearchAndSummarizeContent
    ///   id: search-content
    ///   userInput: =System.Activity.Text
    ///   customDataSource:
    ///     searchResults: =Topic.IndexResults
    /// ```
    ///
    /// ## How to fix
    /// Review the retrieval behind the source (the flow, connector or index feeding
    /// `searchResults`, the Azure OpenAI "on your data" deployment, the
    /// `OnKnowledgeRequested` topic): it must query with the user's identity or filter
    /// results by the user's permissions, and must not return documents above the agent's
    /// audience's classification. Prefer a built-in knowledge source in Copilot Studio's
    /// **Knowledge** page where one fits. In the exported files, the retrieval to review is
    /// what the topic puts into `customDataSource.searchResults` (the flow or connector
    /// called before the node), the `azureOpenAIOnYourDataSource` settings, or the actions
    /// of the `OnKnowledgeRequested` topic; once reviewed, keep the finding as a documented
    /// suppression.
    pub KnowledgeCustomSource {
        id: "KNW006",
        name: "knowledge-custom-source",
        summary: "Agent retrieves knowledge through custom code or a custom service",
        pillar: Security,
        waf: "SE:03",
        severity: Info,
        confidence: Medium,
        default_on: false,
        help: "Review the retrieval for per-user trimming and filtering.",
    }
}

const SOURCE_KINDS: [&str; 3] = [
    "CustomKnowledgeSource",
    "AzureOpenAIOnYourDataKnowledgeSource",
    "OnKnowledgeRequested",
];

impl Rule for KnowledgeCustomSource {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for component in &solution.components {
            if component.is_translation {
                continue;
            }
            let Some(data) = component.data else { continue };
            let bot = agent_label(solution, component);
            let mut places: Vec<(&YamlNode, String, String)> = Vec::new();
            for (node, path) in component.find_kinds(&SOURCE_KINDS) {
                if let (Some(kind), Some(name)) = (node.get("kind"), node.kind_name()) {
                    places.push((kind, format!("{path}/kind"), name.to_string()));
                }
            }
            let custom_retrieval = |map: &YamlNode| {
                map.get("customDataSource").is_some()
                    || map.entry("azureOpenAIOnYourDataSource").is_some()
            };
            for (map, path) in find_maps(data, custom_retrieval) {
                if let Some(custom) = map.get("customDataSource")
                    && let Some(results) = custom.entry("searchResults")
                    && !is_empty_value(&results.value)
                {
                    let at =
                        join_pointer(&join_pointer(&path, "customDataSource"), "searchResults");
                    places.push((&results.key, at, "customDataSource".to_string()));
                }
                if let Some(aoai) = map.entry("azureOpenAIOnYourDataSource")
                    && !is_empty_value(&aoai.value)
                {
                    let at = join_pointer(&path, "azureOpenAIOnYourDataSource");
                    places.push((&aoai.key, at, "azureOpenAIOnYourDataSource".to_string()));
                }
            }
            for (node, path, kind) in places {
                let Some(loc) = component.data_loc(node, &path) else {
                    continue;
                };
                cx.report(
                    ComponentRef::new("botcomponent", component.identity.clone()),
                    &loc,
                    format!(
                        "Agent '{bot}' uses custom retrieval ({kind}); permission trimming depends on your code."
                    ),
                )
                .label(format!("custom retrieval: {kind}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::run;
    use crate::source::Layout;

    #[test]
    fn places_and_exclusions() {
        let topic = "kind: AdaptiveDialog\nbeginDialog:\n  kind: OnKnowledgeRequested\n  id: main\n  actions:\n    - kind: SearchAndSummarizeContent\n      id: s1\n      customDataSource:\n        searchResults: =Topic.Results\n      azureOpenAIOnYourDataSource:\n        deployment: fake-deployment\n    - kind: SearchAndSummarizeContent\n      id: s2\n      customDataSource: {}\n      azureOpenAIOnYourDataSource: {}\n    - kind: SearchAndSummarizeContent\n      id: s3\n      customDataSource:\n        searchResults: []\n";
        let found = run(
            &KnowledgeCustomSource,
            Layout::McsWorkspace,
            &[
                (
                    "settings.mcs.yml",
                    "displayName: Helpdesk\nschemaName: cnt_ws\n",
                ),
                ("topics/Retrieve.mcs.yml", topic),
                (
                    "knowledge/Custom.mcs.yml",
                    "kind: KnowledgeSourceConfiguration\nsource:\n  kind: CustomKnowledgeSource\n",
                ),
            ],
        );
        let got: Vec<(&str, &str)> = found
            .iter()
            .map(|f| (f.primary.logical_path.as_str(), f.label.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("/source/kind", "custom retrieval: CustomKnowledgeSource"),
                (
                    "/beginDialog/kind",
                    "custom retrieval: OnKnowledgeRequested"
                ),
                (
                    "/beginDialog/actions/[id=s1]/customDataSource/searchResults",
                    "custom retrieval: customDataSource"
                ),
                (
                    "/beginDialog/actions/[id=s1]/azureOpenAIOnYourDataSource",
                    "custom retrieval: azureOpenAIOnYourDataSource"
                ),
            ]
        );
    }
}
