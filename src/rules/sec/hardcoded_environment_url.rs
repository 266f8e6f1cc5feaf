use crate::finding::ComponentRef;
use crate::model::{Loc, Solution};
use crate::rules::con::facts::{self, literal_host};
use crate::rules::sec::endpoints;
use crate::rules::sec::walk;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a literal URL of an environment-specific resource written where an
    /// environment variable or a parameter belongs:
    /// - a SharePoint knowledge source's `site` (`SharePointSearchSource.site`);
    /// - an HTTP request node's `url` (`HttpRequestAction.url`);
    /// - a flow `Http` action's `inputs.uri`, and the `dataset`, `site` or
    ///   `siteAddress` parameter of a connector action (SharePoint, Excel, …);
    /// - a custom connector's `host`.
    ///
    /// Environment-specific hosts: `*.sharepoint.com`, `*.crm*.dynamics.com`,
    /// `*.azurewebsites.net`, `*.azure-api.net`, `*.openai.azure.com`,
    /// `*.cognitiveservices.azure.com`, `*.logic.azure.com`, `*.blob.core.windows.net`,
    /// `*.vault.azure.net`, `*.environment.api.powerplatform.com`, and the
    /// `internal_domains` option. Values read from `@parameters('…')`,
    /// `@environmentVariables("…")` or `Env.<schema>` are not literal and give no finding.
    ///
    /// ## Why is this bad?
    /// Operational Excellence pillar, OE:06 (supply chain and deployment). The URL names
    /// one environment's site, Dataverse organisation or Azure resource. After the
    /// solution is imported into test or production, it still reads and writes the
    /// source environment, usually development, so data crosses environments and the
    /// deployment is not what was tested.
    ///
    /// ## Example
    /// ```json
    /// "parameters": { "dataset": "https://contoso.sharepoint.com/sites/HR", "table": "…" }
    /// ```
    ///
    /// ## How to fix
    /// Create an environment variable (type **Data source** for SharePoint sites and
    /// lists, **Text** for other URLs) and use it: in Power Automate pick the variable
    /// in the action's **Site Address**; in Copilot Studio read `Env.<schema>` in the
    /// HTTP node's URL formula; in a custom connector write
    /// `"host": "@environmentVariables(\"<schema>\")"`. Set its value per environment
    /// (deployment settings file or pipeline).
    ///
    /// ## Options
    /// - `internal_domains` (default empty): more host suffixes that are
    ///   environment-specific, such as `dev.contoso.com`.
    pub HardcodedEnvironmentUrl {
        id: "SEC004",
        name: "hardcoded-environment-url",
        summary: "Environment-specific URL is hard-coded instead of an environment variable",
        pillar: OperationalExcellence,
        waf: "OE:06",
        severity: Low,
        confidence: Medium,
        default_on: true,
        help: "Use an env var (Data source type for SharePoint/Dataverse) or a flow parameter.",
        options: Options,
    }
}

/// Options of SEC004.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// Host suffixes (without a leading dot) that are environment-specific.
    pub internal_domains: Vec<String>,
}

const ENVIRONMENT_SUFFIXES: [&str; 9] = [
    ".sharepoint.com",
    ".azurewebsites.net",
    ".azure-api.net",
    ".openai.azure.com",
    ".cognitiveservices.azure.com",
    ".logic.azure.com",
    ".blob.core.windows.net",
    ".vault.azure.net",
    ".environment.api.powerplatform.com",
];

impl HardcodedEnvironmentUrl {
    fn is_environment_host(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let ends = |suffix: &str| host.ends_with(suffix) && host.len() > suffix.len();
        if ENVIRONMENT_SUFFIXES.iter().any(|s| ends(s)) {
            return true;
        }
        // `*.crm*.dynamics.com`: `org.crm.dynamics.com`, `org.crm4.dynamics.com`, …
        if let Some(rest) = host.strip_suffix(".dynamics.com")
            && let Some((org, region)) = rest.rsplit_once('.')
            && !org.is_empty()
            && region.starts_with("crm")
        {
            return true;
        }
        self.options.internal_domains.iter().any(|d| {
            let d = d.trim().trim_start_matches('.').to_ascii_lowercase();
            !d.is_empty() && (host == d || host.ends_with(&format!(".{d}")))
        })
    }
}

impl Rule for HardcodedEnvironmentUrl {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for field in endpoints::fields(solution, &["dataset", "site", "siteAddress"]) {
            for range in endpoints::literal_urls(field.text, field.syntax) {
                let url = &field.text[range.clone()];
                let Some(host) = literal_host(url) else {
                    continue;
                };
                if !self.is_environment_host(&host) {
                    continue;
                }
                let range = endpoints::without_query(field.text, range);
                let span = walk::span_of(solution, field.file, field.token, field.text, range);
                cx.report(
                    field.component.clone(),
                    &Loc::new(field.file, span, field.path.clone()),
                    format!(
                        "Environment-specific URL {} hard-coded in {}; test and prod keep pointing here.",
                        endpoints::display_url(url),
                        field.location
                    ),
                )
                .label(format!("{host} is one environment's resource"))
                .discriminator(endpoints::normalise_url(url));
            }
        }
        for connector in &solution.connectors {
            let Some(host_at) = facts::openapi(connector).and_then(|o| o.child("host")) else {
                continue;
            };
            let Some(text) = host_at.value.as_str() else {
                continue;
            };
            let Some(host) = literal_host(text) else {
                continue;
            };
            if !self.is_environment_host(&host) {
                continue;
            }
            cx.report(
                ComponentRef::new("connector", connector.identity()),
                &host_at.loc(),
                format!(
                    "Environment-specific URL {text} hard-coded in connector '{}' host; test and prod keep pointing here.",
                    connector.label()
                ),
            )
            .label(format!("{host} is one environment's resource"));
        }
    }
}
