use crate::finding::ComponentRef;
use crate::model::{Component, Solution};
use crate::parse::YamlNode;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

use super::support::{SiteUrl, agent_label, host_in};

declare_rule! {
    /// ## What it does
    /// Flags every public website an agent grounds its answers on, one finding per site
    /// whose host is not one of your own domains (option `owned_domains`):
    /// - a knowledge source (componenttype 16, workspace `knowledge/*.mcs.yml`) with
    ///   `source.kind: PublicSiteSearchSource` → `source.site` (workspace files whose
    ///   top-level `kind` is `PublicSiteSearchSource` → `site` are read the same way);
    /// - a generative-answers node, `SearchAndSummarizeContent.publicDataSource`
    ///   (`PublicSiteSearchDataSource`) → each of `sites[]` (and of `pages[]`);
    /// - a Bing Custom Search source (`BingCustomSearchSource` /
    ///   `BingCustomSearchDataSource` → `customConfigurationId`). These kinds are known
    ///   only from the official schema [S]; their sites live in the Bing configuration,
    ///   so the owned-domain list cannot apply to them.
    ///
    /// The message adds ", whole domain" when the site has no path (or just `/`) and
    /// `includeSubPages` is not `false`; the schema default of `includeSubPages` is
    /// `true` (E30), so an absent value counts as the whole domain. A site listed twice in
    /// one source is reported once; Power Fx sites (`=…`) are reported as written.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:03 (data classification). The agent searches the site through
    /// Bing and answers from whatever it finds there: content nobody in your organisation
    /// owns, reviews or classifies, which can change at any time or carry injected
    /// instructions. Users cannot tell a vetted answer from a web snippet, and the site
    /// owner (not you) controls what the agent says.
    ///
    /// ## Example
    /// ```yaml
    /// - kind: SearchAndSummarizeContent
    ///   id: search-content
    ///   userInput: =System.Activity.Text
    ///   publicDataSource:
    ///     kind: PublicSiteSearchDataSource
    ///     sites:
    ///       - "https://www.example-health.org/"
    /// ```
    ///
    /// ## How to fix
    /// In Copilot Studio, open the agent's **Knowledge** page (or the generative answers
    /// node's **Data sources**) and replace the public website with a vetted copy in
    /// SharePoint or Dataverse, or narrow it to the pages you need; for a whole domain,
    /// turn off subpages. In the exported files the site is `source.site` in the knowledge
    /// component's `data` (workspace: `knowledge/<name>.mcs.yml`) or an entry of the node's
    /// `publicDataSource.sites`; a whole domain is narrowed with a path or with
    /// `includeSubPages: false` beside `site`. Sites your organisation owns can be listed in
    /// the rule option `owned_domains`.
    ///
    /// ## Options
    /// - `owned_domains` (default empty): domains your organisation controls, e.g.
    ///   `["contoso.com"]`; a site on one of them or on a subdomain is not reported.
    pub KnowledgePublicWebsite {
        id: "KNW001",
        name: "knowledge-public-website",
        summary: "Agent grounds answers on a public website it does not own",
        pillar: Security,
        waf: "SE:03",
        severity: Medium,
        confidence: High,
        default_on: true,
        help: "Use vetted copies in SharePoint/Dataverse; narrow the path; set includeSubPages: false; list owned domains.",
        options: Options,
    }
}

/// Options of KNW001.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// Domains the organisation controls; their subdomains are included.
    pub owned_domains: Vec<String>,
}

const PUBLIC_KINDS: [&str; 2] = ["PublicSiteSearchSource", "PublicSiteSearchDataSource"];
const BING_KINDS: [&str; 2] = ["BingCustomSearchSource", "BingCustomSearchDataSource"];

struct Scan<'s, 'c, 'r> {
    component: &'s Component<'s>,
    bot: String,
    owned: &'s [String],
    cx: &'c mut RuleContext<'r>,
}

impl Scan<'_, '_, '_> {
    /// A `PublicSiteSearchSource`/`PublicSiteSearchDataSource`-shaped object at `path`.
    fn public_source(&mut self, source: &YamlNode, path: &str) {
        let sub_pages = source
            .get("includeSubPages")
            .and_then(YamlNode::as_bool)
            .unwrap_or(true);
        // A workspace file whose top-level kind is the source keys like the export's `source`.
        let canonical = path.is_empty().then_some("/source");
        // One finding per site: a site listed twice in one source is reported once.
        let mut seen: Vec<String> = Vec::new();
        if let Some(site) = source.get("site") {
            self.site(
                site,
                &format!("{path}/site"),
                canonical,
                sub_pages,
                &mut seen,
            );
        }
        for list in ["sites", "pages"] {
            for (i, site) in source
                .get(list)
                .map(YamlNode::items)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                self.site(
                    site,
                    &format!("{path}/{list}/{i}"),
                    None,
                    sub_pages && list == "sites",
                    &mut seen,
                );
            }
        }
    }

    fn site(
        &mut self,
        node: &YamlNode,
        path: &str,
        canonical: Option<&str>,
        sub_pages: bool,
        seen: &mut Vec<String>,
    ) {
        let Some(text) = node.as_text().filter(|t| !t.is_empty()) else {
            return;
        };
        let url = SiteUrl::parse(text);
        if seen.contains(&url.normalised) {
            return;
        }
        seen.push(url.normalised.clone());
        if url.host.as_deref().is_some_and(|h| host_in(h, self.owned)) {
            return;
        }
        let Some(loc) = self.component.data_loc(node, path) else {
            return;
        };
        let whole = url.is_root() && sub_pages;
        let finding = self
            .cx
            .report(
                ComponentRef::new("botcomponent", self.component.identity.clone()),
                &loc,
                format!(
                    "Agent '{}' grounds answers on public website {text} via Bing (no auth, ungoverned content){}.",
                    self.bot,
                    if whole { ", whole domain" } else { "" }
                ),
            )
            .label(if whole {
                "public website, whole domain"
            } else {
                "public website"
            })
            .discriminator(url.normalised);
        if let Some(base) = canonical {
            finding.canonical_path(format!("{base}/site"));
        }
    }

    fn bing(&mut self, source: &YamlNode, path: &str) {
        let (node, node_path) = match source.get("customConfigurationId") {
            Some(id) if id.as_text().is_some_and(|t| !t.is_empty()) => {
                (id, format!("{path}/customConfigurationId"))
            }
            _ => match source.get("kind") {
                Some(kind) => (kind, format!("{path}/kind")),
                None => return,
            },
        };
        let Some(loc) = self.component.data_loc(node, &node_path) else {
            return;
        };
        let config = source
            .get("customConfigurationId")
            .and_then(YamlNode::as_text)
            .filter(|t| !t.is_empty())
            .unwrap_or("(not set)");
        self.cx
            .report(
                ComponentRef::new("botcomponent", self.component.identity.clone()),
                &loc,
                format!(
                    "Agent '{}' grounds answers on public website Bing Custom Search configuration {config} via Bing (no auth, ungoverned content).",
                    self.bot
                ),
            )
            .label("Bing Custom Search")
            .discriminator(format!("bingcustomsearch:{config}"));
    }
}

impl Rule for KnowledgePublicWebsite {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for component in &solution.components {
            if component.is_translation {
                continue;
            }
            if component.data.is_none() {
                continue;
            }
            let mut scan = Scan {
                component,
                bot: agent_label(solution, component),
                owned: &self.options.owned_domains,
                cx: &mut *cx,
            };
            let mut kinds: Vec<&str> = PUBLIC_KINDS.to_vec();
            kinds.extend(BING_KINDS);
            kinds.push("SearchAndSummarizeContent");
            for (node, path) in component.find_kinds(&kinds) {
                let kind = node.kind_name().unwrap_or("");
                if PUBLIC_KINDS.contains(&kind) {
                    scan.public_source(node, &path);
                } else if BING_KINDS.contains(&kind) {
                    scan.bing(node, &path);
                } else if let Some(public) = node.get("publicDataSource")
                    && public.kind_name().is_none()
                {
                    // A node whose data source omits its `kind`: still the public sites.
                    scan.public_source(public, &format!("{path}/publicDataSource"));
                }
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
    fn workspace_knowledge_files_and_owned_domains() {
        let files = [
            (
                "settings.mcs.yml",
                "displayName: Helpdesk\nschemaName: cnt_ws\n",
            ),
            (
                "knowledge/Site.mcs.yml",
                "# Name: Site\nkind: PublicSiteSearchSource\nsite: https://www.example.org/\n",
            ),
            (
                "knowledge/Docs.mcs.yml",
                "kind: KnowledgeSourceConfiguration\nsource:\n  kind: PublicSiteSearchSource\n  site: https://docs.contoso.com/\n  includeSubPages: false\n",
            ),
            (
                "knowledge/Bing.mcs.yml",
                "kind: KnowledgeSourceConfiguration\nsource:\n  kind: BingCustomSearchSource\n  customConfigurationId: 0000-fake\n",
            ),
        ];
        let rule = KnowledgePublicWebsite::default();
        let found = run(&rule, Layout::McsWorkspace, &files);
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "Agent 'Helpdesk' grounds answers on public website Bing Custom Search configuration 0000-fake via Bing (no auth, ungoverned content).",
                "Agent 'Helpdesk' grounds answers on public website https://docs.contoso.com/ via Bing (no auth, ungoverned content).",
                "Agent 'Helpdesk' grounds answers on public website https://www.example.org/ via Bing (no auth, ungoverned content), whole domain.",
            ]
        );
        assert_eq!(found[2].primary.logical_path, "/site");
        assert_eq!(found[2].canonical_path.as_deref(), Some("/source/site"));
        assert_eq!(found[2].discriminator, "https://www.example.org/");

        let owned = KnowledgePublicWebsite {
            options: Options {
                owned_domains: vec!["contoso.com".into()],
            },
        };
        assert_eq!(run(&owned, Layout::McsWorkspace, &files).len(), 2);
    }

    #[test]
    fn node_without_kind_and_odd_values() {
        let topic = "kind: AdaptiveDialog\nbeginDialog:\n  kind: OnUnknownIntent\n  actions:\n    - kind: SearchAndSummarizeContent\n      id: s1\n      publicDataSource:\n        sites:\n          - https://www.example.net/guide\n          -\n          - [nested]\n          - HTTPS://www.example.net/guide/\n      customDataSource: {}\n";
        let rule = KnowledgePublicWebsite::default();
        let found = run(
            &rule,
            Layout::McsWorkspace,
            &[
                ("settings.mcs.yml", "schemaName: cnt_ws\n"),
                ("topics/Search.mcs.yml", topic),
            ],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].primary.logical_path,
            "/beginDialog/actions/[id=s1]/publicDataSource/sites/0"
        );
    }
}
