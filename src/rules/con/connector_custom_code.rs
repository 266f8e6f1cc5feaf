use crate::finding::ComponentRef;
use crate::model::{Loc, Solution};
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Reports a custom connector that runs custom C# code: a `<customcodeblobcontent>`
    /// element in the `<Connector>` registration, a `Connector/<name>_customcodeblobcontent.csx`
    /// file, or a paconn `script.csx`. The operations that run it come from
    /// `<scriptoperations>` (paconn: `apiProperties.json` `properties.scriptOperations`);
    /// when that list is absent or empty the message says "every operation" (the
    /// connector runtime's behaviour for an empty list is inferred [I]).
    ///
    /// The script is also scanned for hard-coded secrets (SEC001) and plaintext URLs
    /// (SEC003).
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:02 (secure development lifecycle). Custom code runs inside
    /// the connector runtime with the request, the caller's credentials and the response
    /// in hand. It can send them anywhere (`HttpClient`), log them, or change what the
    /// flow or agent receives, and it is easy to miss in a review because it lives in a
    /// blob next to the OpenAPI definition.
    ///
    /// ## Example
    /// ```xml
    /// <Connector>
    ///   <name>ppchal_azureopenaiservice</name>
    ///   <scriptoperations>["ChatCompletion","CreateCompletion"]</scriptoperations>
    ///   <customcodeblobcontent>/Connector/ppchal_azureopenaiservice_customcodeblobcontent.csx</customcodeblobcontent>
    /// </Connector>
    /// ```
    ///
    /// ## How to fix
    /// Review the script (custom connector **4. Code** page) for outbound calls, secrets
    /// and logging of request or response bodies; limit it to the operations that need
    /// it (**Operations** drop-down, `scriptOperations`); keep the `.csx` under source
    /// control and review changes like any other code. Remove the code when a policy
    /// template (set header, route request, …) can do the same.
    pub ConnectorCustomCode {
        id: "CON006",
        name: "connector-custom-code",
        summary: "Custom connector runs custom C# code",
        pillar: Security,
        waf: "SE:02",
        severity: Low,
        confidence: High,
        default_on: true,
        help: "Review for egress, secrets and logging; keep it under source control.",
    }
}

/// The first character of a file (a BOM counts as one), where a finding about the
/// whole file is anchored.
pub(crate) fn first_char(solution: &Solution<'_>, file: usize, path: &str) -> Loc {
    let bytes = &solution.file(file).bytes;
    let len = std::str::from_utf8(bytes)
        .ok()
        .and_then(|t| t.chars().next())
        .map_or(bytes.len().min(1), char::len_utf8);
    Loc::new(file, Span::new(0, len), path)
}

impl Rule for ConnectorCustomCode {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for connector in &solution.connectors {
            let script = connector.custom_code.map(|f| first_char(solution, f, ""));
            let Some(primary) = connector
                .custom_code_registration
                .clone()
                .or(script.clone())
            else {
                continue;
            };
            let ops = if connector.script_operations.is_empty() {
                "every operation".to_string()
            } else {
                connector.script_operations.join(", ")
            };
            let finding = cx
                .report(
                    ComponentRef::new("connector", connector.identity()),
                    &primary,
                    format!("Connector '{}' runs custom C# on {ops}.", connector.label()),
                )
                .label("custom code");
            if let Some(script) = script
                && script.file != primary.file
            {
                finding.related(&script, "the script");
            }
        }
    }
}
