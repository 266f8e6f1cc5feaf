use crate::finding::ComponentRef;
use crate::model::Solution;
use crate::parse::YamlNode;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

use super::common::node_id;

declare_rule! {
    /// ## What it does
    /// Flags a literal `requestTimeoutInMilliseconds` above `integration_ms` (default
    /// 100000, i.e. 100 s) on an HTTP request node (`HttpRequestAction`), a connector tool
    /// (`InvokeConnectorTaskAction`) or a connector node in a topic (`InvokeConnectorAction`).
    /// Power Fx formulas are not evaluated. An absent value is the product default of 30000
    /// ms (authoring schema, E30), which gives no finding.
    ///
    /// ## Why is this bad?
    /// Performance Efficiency pillar, PE:06 (efficient logic). Copilot Studio ends a call
    /// to an external integration after 100 seconds whatever the node says, so a longer
    /// timeout is never honoured: the user waits the full 100 s and then gets an error
    /// instead of a timely fallback.
    ///
    /// ## Example
    /// ```yaml
    /// - kind: HttpRequestAction
    ///   id: get-report
    ///   url: https://reports.contoso.com/api/generate
    ///   requestTimeoutInMilliseconds: 300000
    /// ```
    ///
    /// ## How to fix
    /// In Copilot Studio, open the node's **Properties → Request timeout** (for a tool:
    /// **Settings → Timeout**) and keep it at or below 100000 ms; the exported YAML key is
    /// `requestTimeoutInMilliseconds`. Make long work asynchronous: start it, answer the
    /// user, and deliver the result later (a flow that posts back, or a status topic).
    ///
    /// ## Options
    /// - `integration_ms` (default `100000`): the platform limit for integration calls, in
    ///   milliseconds.
    pub IntegrationTimeoutOver100s {
        id: "TLS003",
        name: "integration-timeout-over-100s",
        summary: "Node timeout exceeds the 100-second limit on integration calls",
        pillar: PerformanceEfficiency,
        waf: "PE:06",
        severity: Medium,
        confidence: High,
        default_on: true,
        help: "Keep it ≤ 100000; make long work asynchronous.",
        options: Options,
    }
}

/// Options of TLS003.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    pub integration_ms: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            integration_ms: 100_000,
        }
    }
}

/// A literal number of milliseconds (`300000`, `"300000"`, `=300000`).
fn literal_ms(node: &YamlNode) -> Option<u64> {
    let text = node.as_text()?;
    let digits = text.strip_prefix('=').unwrap_or(text).trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

impl Rule for IntegrationTimeoutOver100s {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        let limit = self.options.integration_ms;
        for component in &solution.components {
            if component.data.is_none() {
                continue;
            }
            let kinds = [
                "HttpRequestAction",
                "InvokeConnectorTaskAction",
                "InvokeConnectorAction",
            ];
            for (node, path) in component.find_kinds(&kinds) {
                let Some(value) = node.get("requestTimeoutInMilliseconds") else {
                    continue;
                };
                let Some(ms) = literal_ms(value) else {
                    continue;
                };
                if ms <= limit {
                    continue;
                }
                let Some(loc) =
                    component.data_loc(value, &format!("{path}/requestTimeoutInMilliseconds"))
                else {
                    continue;
                };
                let what = match node.kind_name() {
                    Some("HttpRequestAction") => {
                        format!("HTTP node {} in '{}'", node_id(node), component.label())
                    }
                    Some("InvokeConnectorAction") => {
                        format!(
                            "Connector node {} in '{}'",
                            node_id(node),
                            component.label()
                        )
                    }
                    _ => format!("Tool '{}'", component.label()),
                };
                let seconds = limit as f64 / 1000.0;
                cx.report(
                    ComponentRef::new("botcomponent", component.identity.clone()),
                    &loc,
                    format!("{what} waits up to {ms} ms; integrations end at {seconds} s."),
                )
                .label(format!("{ms} ms > {limit} ms"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_milliseconds() {
        let doc = crate::parse::yaml::parse("a: 300000\nb: '=120000'\nc: =Topic.T\nd: -5\n", 0)
            .expect("yaml");
        let ms = |k: &str| doc.get(k).and_then(literal_ms);
        assert_eq!(ms("a"), Some(300_000));
        assert_eq!(ms("b"), Some(120_000));
        assert_eq!(ms("c"), None);
        assert_eq!(ms("d"), None);
        assert_eq!(format!("{} s", 100_000_f64 / 1000.0), "100 s");
    }
}
