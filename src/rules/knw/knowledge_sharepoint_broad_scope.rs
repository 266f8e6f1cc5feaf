use crate::finding::{ComponentRef, Confidence, Severity};
use crate::model::{Component, Solution};
use crate::parse::YamlNode;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

use super::support::SiteUrl;

declare_rule! {
    /// ## What it does
    /// Flags SharePoint knowledge whose scope is broader than a library or folder:
    /// - a knowledge source `SharePointSearchSource` → `site` (componenttype 16 `source`,
    ///   or a workspace `knowledge/*.mcs.yml` whose top-level `kind` it is);
    /// - a generative-answers node's `sharePointSearchDataSource` → each of `sites[]`
    ///   (the common empty `sharePointSearchDataSource: {}` has no sites);
    /// - the agent's `gptCapabilities.searchOneDriveAndSharePoint: true` (**Search
    ///   OneDrive and SharePoint**: every site the user can open). The node form and the
    ///   switch are known only from the official schema [S].
    ///
    /// Scope tiers:
    /// - the tenant: a site with no path (or just `/`), or the switch above;
    /// - a personal OneDrive: `https://<tenant>-my.sharepoint.com/personal/<user>`;
    /// - a whole site: a bare `/sites/<name>` or `/teams/<name>`; many agents are
    ///   deliberately scoped to one site, so this tier has low confidence and shows only
    ///   with `--persona pedantic` or `--select KNW005`.
    ///
    /// A deeper path (a document library, folder or file) gives no finding, nor does an
    /// absent switch (its default is not documented; only an explicit `true` counts).
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:03 (data classification). SharePoint knowledge answers from
    /// every document the user can open in that scope, and broad scopes are where
    /// oversharing lives: files shared with "Everyone except external users", forgotten
    /// sites, unlabelled drafts. The agent surfaces such content in answers, turning a
    /// permission mistake that nobody noticed into a data leak. A personal OneDrive in an
    /// agent's knowledge is one person's working files offered to every user.
    ///
    /// ## Example
    /// ```yaml
    /// kind: KnowledgeSourceConfiguration
    /// source:
    ///   kind: SharePointSearchSource
    ///   site: https://contoso.sharepoint.com/
    /// ```
    ///
    /// ## How to fix
    /// In Copilot Studio, open the agent's **Knowledge** page and replace the broad
    /// SharePoint source with the specific document library or folder the agent needs;
    /// turn off **Search OneDrive and SharePoint** unless the agent is meant to be a
    /// general work assistant. In the exported files this is `source.site` of the knowledge
    /// component's `data` (or an entry of the node's `sharePointSearchDataSource.sites`)
    /// pointing at the library, e.g. `https://contoso.sharepoint.com/sites/hr/Policies`, and
    /// `gptCapabilities.searchOneDriveAndSharePoint: false` (or absent) in the
    /// `<bot>.gpt.default` component. Before publishing, review the sensitivity labels and
    /// sharing of the content in scope (SharePoint Advanced Management's oversharing
    /// reports help).
    ///
    /// ## Options
    /// - `broad_severity` (default `medium`): severity of the tenant and personal
    ///   OneDrive tiers and of the switch.
    /// - `whole_site_confidence` (default `low`): confidence of the whole-site tier.
    /// - `site_prefixes` (default `["sites", "teams"]`): the managed paths that start a
    ///   site collection URL.
    pub KnowledgeSharepointBroadScope {
        id: "KNW005",
        name: "knowledge-sharepoint-broad-scope",
        summary: "SharePoint knowledge spans the tenant, a personal OneDrive or a whole site",
        pillar: Security,
        waf: "SE:03",
        severity: Medium,
        confidence: High,
        default_on: true,
        help: "Target a library or folder; review labels and permissions.",
        options: Options,
    }
}

/// Options of KNW005.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    pub broad_severity: Severity,
    pub whole_site_confidence: Confidence,
    pub site_prefixes: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            broad_severity: Severity::Medium,
            whole_site_confidence: Confidence::Low,
            site_prefixes: vec!["sites".to_string(), "teams".to_string()],
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    Tenant,
    PersonalOneDrive,
    WholeSite,
}

impl Scope {
    fn text(self) -> &'static str {
        match self {
            Scope::Tenant => "the tenant",
            Scope::PersonalOneDrive => "a personal OneDrive",
            Scope::WholeSite => "a whole site",
        }
    }
}

impl Options {
    fn scope(&self, url: &SiteUrl) -> Option<Scope> {
        let host = url.host.as_deref()?;
        let segments = url.segments();
        match segments.as_slice() {
            [] => Some(Scope::Tenant),
            [first, ..]
                if host.ends_with("-my.sharepoint.com")
                    && first.eq_ignore_ascii_case("personal") =>
            {
                Some(Scope::PersonalOneDrive)
            }
            [prefix, _]
                if self
                    .site_prefixes
                    .iter()
                    .any(|p| p.trim_matches('/').eq_ignore_ascii_case(prefix)) =>
            {
                Some(Scope::WholeSite)
            }
            _ => None,
        }
    }
}

struct Scan<'s, 'c, 'r> {
    options: &'s Options,
    component: &'s Component<'s>,
    cx: &'c mut RuleContext<'r>,
}

impl Scan<'_, '_, '_> {
    fn site(&mut self, node: &YamlNode, path: &str, canonical: Option<String>) {
        let Some(text) = node.as_text().filter(|t| !t.is_empty()) else {
            return;
        };
        let url = SiteUrl::parse(text);
        let Some(scope) = self.options.scope(&url) else {
            return;
        };
        let Some(loc) = self.component.data_loc(node, path) else {
            return;
        };
        let finding = self
            .cx
            .report(
                ComponentRef::new("botcomponent", self.component.identity.clone()),
                &loc,
                format!(
                    "SharePoint knowledge {text} spans {}: oversharing risk.",
                    scope.text()
                ),
            )
            .label(format!("spans {}", scope.text()))
            .discriminator(url.normalised);
        if scope == Scope::WholeSite {
            finding.confidence(self.options.whole_site_confidence);
        } else {
            finding.severity(self.options.broad_severity);
        }
        if let Some(canonical) = canonical {
            finding.canonical_path(canonical);
        }
    }

    fn flag(&mut self, data: &YamlNode) {
        let Some(value) = data.path(&["gptCapabilities", "searchOneDriveAndSharePoint"]) else {
            return;
        };
        if value.as_bool() != Some(true) {
            return;
        }
        let Some(loc) = self
            .component
            .data_loc(value, "/gptCapabilities/searchOneDriveAndSharePoint")
        else {
            return;
        };
        self.cx
            .report(
                ComponentRef::new("botcomponent", self.component.identity.clone()),
                &loc,
                "SharePoint knowledge 'Search OneDrive and SharePoint' spans the tenant: oversharing risk.",
            )
            .label("searches all OneDrive and SharePoint")
            .severity(self.options.broad_severity);
    }
}

impl Rule for KnowledgeSharepointBroadScope {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for component in &solution.components {
            if component.is_translation {
                continue;
            }
            let Some(data) = component.data else { continue };
            let mut scan = Scan {
                options: &self.options,
                component,
                cx: &mut *cx,
            };
            if component.component_type == Some(15)
                || component.kind.as_deref() == Some("GptComponentMetadata")
            {
                scan.flag(data);
            }
            let kinds = [
                "SharePointSearchSource",
                "SharePointSearchDataSource",
                "SearchAndSummarizeContent",
            ];
            for (node, path) in component.find_kinds(&kinds) {
                let (source, base) = match node.kind_name() {
                    Some("SearchAndSummarizeContent") => {
                        match node.get("sharePointSearchDataSource") {
                            // With a kind, the data source is found on its own.
                            Some(ds) if ds.kind_name().is_none() => {
                                (ds, format!("{path}/sharePointSearchDataSource"))
                            }
                            _ => continue,
                        }
                    }
                    _ => (node, path.clone()),
                };
                if let Some(site) = source.get("site") {
                    let canonical = base.is_empty().then(|| "/source/site".to_string());
                    scan.site(site, &format!("{base}/site"), canonical);
                }
                for (i, site) in source
                    .get("sites")
                    .map(YamlNode::items)
                    .unwrap_or_default()
                    .iter()
                    .enumerate()
                {
                    scan.site(site, &format!("{base}/sites/{i}"), None);
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
    fn tiers() {
        let options = Options::default();
        let scope = |s: &str| options.scope(&SiteUrl::parse(s));
        assert_eq!(scope("https://contoso.sharepoint.com"), Some(Scope::Tenant));
        assert_eq!(
            scope("https://contoso.sharepoint.com/"),
            Some(Scope::Tenant)
        );
        assert_eq!(
            scope("https://contoso-my.sharepoint.com/personal/adele_contoso_com"),
            Some(Scope::PersonalOneDrive)
        );
        assert_eq!(
            scope("https://contoso-my.sharepoint.com/personal/adele_contoso_com/Documents/x"),
            Some(Scope::PersonalOneDrive)
        );
        assert_eq!(
            scope("https://contoso.sharepoint.com/sites/hr/"),
            Some(Scope::WholeSite)
        );
        assert_eq!(
            scope("https://contoso.sharepoint.com/Teams/Sales"),
            Some(Scope::WholeSite)
        );
        assert_eq!(
            scope("https://contoso.sharepoint.com/sites/hr/Shared%20Documents"),
            None
        );
        assert_eq!(scope("=Topic.Site"), None);
    }

    #[test]
    fn workspace_sources_and_flag() {
        let found = run(
            &KnowledgeSharepointBroadScope::default(),
            Layout::McsWorkspace,
            &[
                (
                    "settings.mcs.yml",
                    "displayName: Helpdesk\nschemaName: cnt_ws\n",
                ),
                (
                    "agent.mcs.yml",
                    "kind: GptComponentMetadata\ngptCapabilities:\n  searchOneDriveAndSharePoint: true\n",
                ),
                (
                    "knowledge/Team.mcs.yml",
                    "kind: SharePointSearchSource\nsite: https://contoso.sharepoint.com/sites/hr\n",
                ),
                (
                    "topics/Search.mcs.yml",
                    "kind: AdaptiveDialog\nbeginDialog:\n  kind: OnUnknownIntent\n  actions:\n    - kind: SearchAndSummarizeContent\n      id: s1\n      sharePointSearchDataSource:\n        sites:\n          - https://contoso.sharepoint.com/\n          - https://contoso.sharepoint.com/sites/hr/Policies\n      customDataSource: {}\n    - kind: SearchAndSummarizeContent\n      id: s2\n      sharePointSearchDataSource: {}\n",
                ),
            ],
        );
        let got: Vec<(&str, &str, Confidence)> = found
            .iter()
            .map(|f| {
                (
                    f.message.as_str(),
                    f.primary.logical_path.as_str(),
                    f.confidence,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "SharePoint knowledge 'Search OneDrive and SharePoint' spans the tenant: oversharing risk.",
                    "/gptCapabilities/searchOneDriveAndSharePoint",
                    Confidence::High
                ),
                (
                    "SharePoint knowledge https://contoso.sharepoint.com/sites/hr spans a whole site: oversharing risk.",
                    "/site",
                    Confidence::Low
                ),
                (
                    "SharePoint knowledge https://contoso.sharepoint.com/ spans the tenant: oversharing risk.",
                    "/beginDialog/actions/[id=s1]/sharePointSearchDataSource/sites/0",
                    Confidence::High
                ),
            ]
        );
    }
}
