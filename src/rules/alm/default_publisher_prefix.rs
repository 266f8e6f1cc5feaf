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

/// A publisher the platform named: `DefaultPublisher…`, or `Cr` and five
/// lower-case hex digits (`^(DefaultPublisher|Cr[0-9a-f]{5}$)`).
fn is_generated_publisher(name: &str) -> bool {
    name.starts_with("DefaultPublisher")
        || (name.len() == 7
            && name.starts_with("Cr")
            && name
                .bytes()
                .skip(2)
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

/// A prefix the platform made up: `new`, or `cr` and three lower-case letters
/// or digits (`^(new|cr[0-9a-z]{3})$`).
fn is_generated_prefix(prefix: &str) -> bool {
    prefix == "new"
        || (prefix.len() == 5
            && prefix.starts_with("cr")
            && prefix
                .bytes()
                .skip(2)
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()))
}

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
        let publisher_generated = publisher.is_some_and(|p| is_generated_publisher(p.value.trim()));
        let prefix_generated = prefix.is_some_and(|p| is_generated_prefix(p.value.trim()));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::random_texts;

    #[test]
    fn generated_names_are_found_as_the_regexes_find_them() {
        let publisher = regex::Regex::new(r"^(DefaultPublisher|Cr[0-9a-f]{5}$)").unwrap();
        let prefix = regex::Regex::new(r"^(new|cr[0-9a-z]{3})$").unwrap();
        let alphabet = [
            "Cr",
            "cr",
            "new",
            "DefaultPublisher",
            "a",
            "f",
            "g",
            "z",
            "A",
            "0",
            "9",
            "é",
            " ",
        ];
        let mut matched = [0, 0];
        for text in random_texts(0xD1B5_4A32_D192_ED03, &alphabet, 7).take(40_000) {
            assert_eq!(
                is_generated_publisher(&text),
                publisher.is_match(&text),
                "{text:?}"
            );
            assert_eq!(
                is_generated_prefix(&text),
                prefix.is_match(&text),
                "{text:?}"
            );
            matched[0] += usize::from(publisher.is_match(&text));
            matched[1] += usize::from(prefix.is_match(&text));
        }
        assert!(matched.iter().all(|&m| m > 50), "{matched:?}");
        assert!(is_generated_publisher("Cr0a9f3") && !is_generated_publisher("Cr0A9f3"));
        assert!(is_generated_publisher("DefaultPublisherContoso"));
        assert!(is_generated_prefix("cr1az") && !is_generated_prefix("cr1aZ"));
    }
}
