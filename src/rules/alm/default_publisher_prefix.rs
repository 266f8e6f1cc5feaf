use std::sync::LazyLock;

use regex::Regex;

use crate::finding::ComponentRef;
use crate::model::Solution;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a solution whose publisher is the environment's default or an
    /// auto-generated one: `solution.xml` `Publisher/UniqueName` starting with
    /// `DefaultPublisher` or matching `Cr` + 5 hex digits, or a `CustomizationPrefix` of
    /// `new` or `cr` + 3 letters or digits (what Copilot Studio and the maker portal
    /// create when nobody chose a publisher).
    ///
    /// ## Why is this bad?
    /// Operational Excellence pillar, OE:04 (development practices). The prefix is baked
    /// into every table, column, environment variable and agent schema name and cannot be
    /// changed later. Default prefixes collide across teams and make ownership and
    /// managed-layer clean-up unclear.
    ///
    /// ## Example
    /// ```xml
    /// <Publisher>
    ///   <UniqueName>DefaultPublisherorg1a2b3c4d</UniqueName>
    ///   <CustomizationPrefix>new</CustomizationPrefix>
    /// </Publisher>
    /// ```
    ///
    /// ## How to fix
    /// Before building anything, create a publisher with your organisation's name and a
    /// meaningful prefix (maker portal: **Solutions → Publishers → New publisher**) and
    /// create solutions under it. For an existing solution, move components into a new
    /// solution with the right publisher as you rebuild them.
    pub DefaultPublisherPrefix {
        id: "ALM004",
        name: "default-publisher-prefix",
        summary: "Solution uses a default or auto-generated publisher or prefix",
        pillar: OperationalExcellence,
        waf: "OE:04",
        severity: Low,
        confidence: High,
        default_on: true,
        help: "Create a named publisher and prefix first.",
    }
}

static GENERATED_PUBLISHER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(DefaultPublisher|Cr[0-9a-f]{5}$)").expect("valid regex"));
static GENERATED_PREFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(new|cr[0-9a-z]{3})$").expect("valid regex"));

impl Rule for DefaultPublisherPrefix {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        let Some(manifest) = &solution.manifest else {
            return;
        };
        let publisher = manifest.publisher.as_ref();
        let prefix = manifest.prefix.as_ref();
        let publisher_generated =
            publisher.is_some_and(|p| GENERATED_PUBLISHER.is_match(p.value.trim()));
        let prefix_generated = prefix.is_some_and(|p| GENERATED_PREFIX.is_match(p.value.trim()));
        let primary = if publisher_generated {
            publisher
        } else if prefix_generated {
            prefix
        } else {
            None
        };
        let Some(primary) = primary else { return };
        let name = publisher.map_or("", |p| p.value.trim());
        let prefix_text = prefix.map_or("", |p| p.value.trim());
        let finding = cx
            .report(
                ComponentRef::new("solution", solution.identity()),
                &primary.loc,
                format!("Default or auto-generated publisher '{name}' (prefix '{prefix_text}')."),
            )
            .label(if publisher_generated {
                "generated publisher"
            } else {
                "generated prefix"
            });
        if publisher_generated
            && prefix_generated
            && let Some(prefix) = prefix
        {
            finding.related(&prefix.loc, "generated prefix");
        }
    }
}
