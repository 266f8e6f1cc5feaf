//! The rule registry: metadata, docs and detection, one rule per file.
//! Rules only detect and report data; they never render.

mod context;
pub mod docs;
mod helpers;
#[cfg(test)]
mod testing;
mod words;

mod agt;
mod alm;
mod con;
mod cross;
mod flw;
mod knw;
mod prm;
mod rai;
mod sec;
mod tls;

pub use context::RuleContext;

use crate::finding::{Confidence, Pillar, Severity};
use crate::model::Solution;

/// Where pplint's documentation is published; rule pages are `docs/rules/<ID>.md` below it.
pub const DOCS_BASE_URL: &str = "https://github.com/pplint/pplint/blob/main/";
/// The project's home page.
pub const INFORMATION_URL: &str = "https://github.com/pplint/pplint";

/// Everything about a rule except its detection code.
#[derive(Debug)]
pub struct RuleMeta {
    /// `AREA` + 3 digits, never reused.
    pub id: &'static str,
    /// kebab-case; reads well as "allow <name>".
    pub name: &'static str,
    pub summary: &'static str,
    pub pillar: Pillar,
    /// Well-Architected checklist code, `—` when none fits.
    pub waf: &'static str,
    pub severity: Severity,
    pub confidence: Confidence,
    /// Runs in the default persona; otherwise only with `--persona pedantic` or selection.
    pub default_on: bool,
    /// The one-line fix shown under every finding.
    pub help: &'static str,
    /// Markdown: what it does, why it matters, example, fix.
    pub docs: &'static str,
}

impl RuleMeta {
    pub fn docs_url(&self) -> String {
        format!("docs/rules/{}.md", self.id)
    }

    /// The docs with the leading space of each `///` line removed.
    pub fn docs_markdown(&self) -> String {
        self.docs
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Rule options from `pplint.toml` (`[rules.options.<ID>]`). `declare_rule!`
/// implements it: rules with `options: Type` deserialize the table into `Type`
/// (unknown keys rejected); the others refuse any option.
pub trait Configure {
    fn configure(&mut self, options: &toml::Table) -> Result<(), String> {
        if options.is_empty() {
            Ok(())
        } else {
            Err("this rule takes no options".to_string())
        }
    }
}

/// Detection over the immutable model of one solution.
pub trait Rule: Configure + Send + Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>);
}

/// Declares a rule's struct and its [`RuleMeta`], capturing the `///` docs. A
/// rule with `options: Type` holds them in a field, built from `Type::default()`.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub $name:ident {
            id: $id:literal,
            name: $rule_name:literal,
            summary: $summary:literal,
            pillar: $pillar:ident,
            waf: $waf:literal,
            severity: $severity:ident,
            confidence: $confidence:ident,
            default_on: $default_on:literal,
            help: $help:literal
            $(, options: $options:ty)? $(,)?
        }
    ) => {
        $crate::rules::declare_rule!(@struct [$($doc)*] $name $($options)?);
        impl $name {
            pub const META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
                id: $id,
                name: $rule_name,
                summary: $summary,
                pillar: $crate::finding::Pillar::$pillar,
                waf: $waf,
                severity: $crate::finding::Severity::$severity,
                confidence: $crate::finding::Confidence::$confidence,
                default_on: $default_on,
                help: $help,
                docs: concat!($($doc, "\n"),*),
            };
        }
    };
    (@struct [$($doc:literal)*] $name:ident $options:ty) => {
        $(#[doc = $doc])*
        #[derive(Default)]
        pub struct $name {
            pub options: $options,
        }
        impl $crate::rules::Configure for $name {
            fn configure(&mut self, options: &toml::Table) -> Result<(), String> {
                self.options = <$options as serde::Deserialize>::deserialize(toml::Value::Table(options.clone()))
                    .map_err(|e| e.to_string().trim().to_string())?;
                Ok(())
            }
        }
    };
    (@struct [$($doc:literal)*] $name:ident) => {
        $(#[doc = $doc])*
        #[derive(Default)]
        pub struct $name;
        impl $crate::rules::Configure for $name {}
    };
}
pub(crate) use declare_rule;

/// Files that cannot be read or parsed (RULES.md §11). Produced by the engine,
/// not by a rule, so it has metadata only.
pub static PPX000: RuleMeta = RuleMeta {
    id: "PPX000",
    name: "input-could-not-be-parsed",
    summary: "A file of the solution could not be read or parsed; rules needing it were skipped",
    pillar: Pillar::OperationalExcellence,
    waf: "OE:04",
    severity: Severity::High,
    confidence: Confidence::High,
    default_on: true,
    help: "Rules needing this file were skipped for it; results may be incomplete.",
    docs: concat!(
        " ## What it does\n",
        " Reports every file of a solution that pplint could not read or parse: a corrupt,\n",
        " encrypted or oversized zip entry, malformed XML, JSON or YAML, JSON embedded in XML\n",
        " (`msdyn_customconfiguration`, `synchronizationstatus`, `scriptoperations`), or text\n",
        " that is not UTF-8. The finding points at the parser's error position.\n",
        "\n",
        " ## Why is this bad?\n",
        " Rules that need the file are skipped for it, so the solution's results are\n",
        " incomplete. The platform may also refuse to import the file.\n",
        "\n",
        " It never fires on what real exports legitimately contain: a UTF-8 BOM, CRLF line\n",
        " ends, minified JSON, folder-name case, `policytemplateinstances: null`, classic\n",
        " `content.json` or Composer JSON `data`, or an unquoted `@odata.nextLink:` key.\n",
        "\n",
        " ## Example\n",
        " ```yaml\n",
        " kind: AdaptiveDialog\n",
        " beginDialog\n",
        "   kind: OnRecognizedIntent\n",
        " ```\n",
        " `beginDialog` lacks its `:`; the topic cannot be read.\n",
        "\n",
        " ## How to fix\n",
        " Re-export the solution, or fix the file in the unpacked source and pack it again.\n",
        " `--strict` makes this finding fatal (exit code 2).\n",
    ),
};

/// Run-wide settings that some rules take as options.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// `--target test|prod` (ALM003).
    pub target: Option<String>,
    /// `[rules.options.<ID>]` tables from `pplint.toml`.
    pub options: std::collections::BTreeMap<String, toml::Table>,
}

/// Every rule with detection code, sorted by ID, with default options.
pub fn registry() -> Vec<Box<dyn Rule>> {
    build_registry(&Settings::default())
}

/// Every rule with detection code, sorted by ID, configured by `settings`;
/// an error names the rule whose options are wrong.
pub fn registry_with(settings: &Settings) -> Result<Vec<Box<dyn Rule>>, String> {
    let mut rules = build_registry(settings);
    for (id, table) in &settings.options {
        let Some(rule) = rules
            .iter_mut()
            .find(|r| r.meta().id.eq_ignore_ascii_case(id))
        else {
            return Err(format!("[rules.options.{id}]: no such rule"));
        };
        rule.configure(table)
            .map_err(|e| format!("[rules.options.{id}]: {e}"))?;
    }
    Ok(rules)
}

fn build_registry(settings: &Settings) -> Vec<Box<dyn Rule>> {
    let mut rules: Vec<Box<dyn Rule>> = [
        agt::rules(),
        alm::rules(settings),
        con::rules(),
        cross::rules(),
        flw::rules(),
        knw::rules(),
        prm::rules(),
        rai::rules(),
        sec::rules(),
        tls::rules(),
    ]
    .into_iter()
    .flatten()
    .collect();
    rules.sort_by_key(|r| r.meta().id);
    rules
}

/// The secret detector as a rule (SEC001 with default options), which the engine
/// also runs as a redaction pass.
pub fn secret_detector() -> Box<dyn Rule> {
    Box::<sec::hardcoded_secret::HardcodedSecret>::default()
}

/// Metadata of every rule, PPX000 included, sorted by ID.
pub fn all_meta() -> Vec<&'static RuleMeta> {
    let mut metas: Vec<&'static RuleMeta> = registry().iter().map(|r| r.meta()).collect();
    metas.push(&PPX000);
    metas.sort_by_key(|m| m.id);
    metas
}

pub fn find_meta(id: &str) -> Option<&'static RuleMeta> {
    all_meta()
        .into_iter()
        .find(|m| m.id.eq_ignore_ascii_case(id) || m.name == id)
}
