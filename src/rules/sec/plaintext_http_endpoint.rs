use std::collections::BTreeSet;

use crate::finding::ComponentRef;
use crate::model::{Loc, Solution, Value};
use crate::rules::con::facts::{HostClass, classify_host, literal_host};
use crate::rules::sec::endpoints::{self, Field, UrlField};
use crate::rules::sec::secrets::{self, Context, Syntax};
use crate::rules::sec::walk;
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};
use crate::source::{FileId, Span};

declare_rule! {
    /// ## What it does
    /// Flags a literal `http://` endpoint where the solution calls it:
    /// - an HTTP request node's `url` (`HttpRequestAction.url`; in a Power Fx formula,
    ///   its string literals);
    /// - a flow `Http` action's `inputs.uri`, and the `dataset`/`site` parameter of a
    ///   connector action (SharePoint and similar);
    /// - the value of a flow parameter or environment variable read there
    ///   (`@parameters('…')`, `Env.<schema>`);
    /// - URLs in a custom connector's C# code (`.csx`).
    ///
    /// Not endpoints, so skipped: `$schema`, `xmlns*`, `@odata.*` and description
    /// texts, `http://www.w3.org/…` and `http://schemas.*` identifiers, and placeholder
    /// hosts (a single-label host other than `localhost`, such as the Bot Framework
    /// dummy `http://blank`; `example.*`; `test.com`). A connector's own `schemes` are
    /// CON002's.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:07 (encryption). Plain HTTP sends the request, its headers
    /// (keys, tokens) and the answer unencrypted; anyone on the path can read or change
    /// them, and the agent or flow cannot tell a forged answer from a real one.
    ///
    /// ## Example
    /// ```yaml
    /// - kind: HttpRequestAction
    ///   id: call-backend
    ///   url: http://api.contoso.com/orders
    /// ```
    ///
    /// ## How to fix
    /// Use the service's `https://` endpoint: in Copilot Studio, edit the **HTTP
    /// request** node's URL; in Power Automate, the HTTP action's **URI** (or the
    /// environment variable it reads); in the custom connector's **4. Code** page, the
    /// URL in the script. If the service has no TLS endpoint, put one in front of it
    /// (API Management, Application Gateway).
    pub PlaintextHttpEndpoint {
        id: "SEC003",
        name: "plaintext-http-endpoint",
        summary: "A literal plaintext http:// endpoint is called",
        pillar: Security,
        waf: "SE:07",
        severity: High,
        confidence: High,
        default_on: true,
        help: "Use https.",
    }
}

/// An `http://` URL that is an endpoint (not a namespace or a placeholder).
pub(crate) fn is_plaintext_endpoint(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    if !lower.starts_with("http://") {
        return false;
    }
    let Some(host) = literal_host(url) else {
        return false;
    };
    if host == "www.w3.org" || host.starts_with("schemas.") {
        return false;
    }
    if !host.contains('.') && !host.contains(':') && host != "localhost" {
        return false;
    }
    classify_host(&host) != Some(HostClass::Placeholder)
}

struct Reporter {
    seen: BTreeSet<(FileId, Span)>,
}

impl Reporter {
    #[allow(clippy::too_many_arguments)]
    fn urls(
        &mut self,
        solution: &Solution<'_>,
        cx: &mut RuleContext<'_>,
        component: &ComponentRef,
        file: FileId,
        token: Span,
        text: &str,
        syntax: Syntax,
        path: &str,
        location: &str,
    ) {
        for range in endpoints::literal_urls(text, syntax) {
            self.report(
                solution, cx, component, file, token, text, range, path, location,
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn report(
        &mut self,
        solution: &Solution<'_>,
        cx: &mut RuleContext<'_>,
        component: &ComponentRef,
        file: FileId,
        token: Span,
        text: &str,
        range: std::ops::Range<usize>,
        path: &str,
        location: &str,
    ) {
        let Some(url) = text.get(range.clone()) else {
            return;
        };
        if !is_plaintext_endpoint(url) {
            return;
        }
        let range = endpoints::without_query(text, range);
        let span = walk::span_of(solution, file, token, text, range);
        if !self.seen.insert((file, span)) {
            return;
        }
        cx.report(
            component.clone(),
            &Loc::new(file, span, path),
            format!(
                "Plaintext endpoint {} in {location}.",
                endpoints::display_url(url)
            ),
        )
        .label("http://")
        .discriminator(endpoints::normalise_url(url));
    }

    fn env_value(
        &mut self,
        solution: &Solution<'_>,
        cx: &mut RuleContext<'_>,
        schema: &str,
        used_by: &str,
    ) -> bool {
        let Some(var) = solution.env_var_named(schema) else {
            return false;
        };
        let component = ComponentRef::new("envvar", var.identity());
        let mut any = false;
        for (value, what) in [
            (&var.value, "current value"),
            (&var.default_value, "default value"),
        ] {
            let Some(Value { value, loc }) = value else {
                continue;
            };
            any = true;
            self.urls(
                solution,
                cx,
                &component,
                loc.file,
                loc.span,
                value,
                Syntax::Literal,
                &loc.path,
                &format!("{what} of {} (used by {used_by})", var.schema_name),
            );
        }
        any
    }

    fn field(&mut self, solution: &Solution<'_>, cx: &mut RuleContext<'_>, field: &UrlField<'_>) {
        self.urls(
            solution,
            cx,
            &field.component,
            field.file,
            field.token,
            field.text,
            field.syntax,
            &field.path,
            &field.location,
        );
        for schema in endpoints::env_refs(field.text) {
            if field.syntax == Syntax::PowerFx {
                self.env_value(solution, cx, &schema, &field.location);
            }
        }
        let Some(flow) = field.flow else { return };
        for name in endpoints::parameter_refs(field.text) {
            let Some((default, path, schema)) = endpoints::parameter_default(flow, &name) else {
                continue;
            };
            // The exported environment variable is the source; the parameter default
            // is its copy, reported only when the variable is not in the solution.
            if schema
                .as_deref()
                .is_some_and(|s| self.env_value(solution, cx, s, &field.location))
            {
                continue;
            }
            let Some(text) = default.as_str() else {
                continue;
            };
            self.urls(
                solution,
                cx,
                &field.component,
                flow.file,
                default.span,
                text,
                Syntax::Literal,
                &path,
                &format!(
                    "flow '{}' parameter '{name}' (used by {})",
                    flow.name, field.within
                ),
            );
        }
    }
}

impl Rule for PlaintextHttpEndpoint {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        let mut reporter = Reporter {
            seen: BTreeSet::new(),
        };
        for field in endpoints::fields(solution, &["dataset", "site"]) {
            if field.field == Field::KnowledgeSite {
                continue;
            }
            reporter.field(solution, cx, &field);
        }
        for connector in &solution.connectors {
            let Some(file) = connector.custom_code else {
                continue;
            };
            let source = solution.file(file);
            let bom = source.bom_len();
            let Ok(text) = std::str::from_utf8(&source.bytes[bom..]) else {
                continue;
            };
            let component = ComponentRef::new("connector", connector.identity());
            let location = format!("connector '{}' custom code", connector.label());
            for (range, _) in
                secrets::quoted_strings(text, 0..text.len(), b'"', Context::Plain, false)
            {
                let Some(literal) = text.get(range.clone()) else {
                    continue;
                };
                for url in endpoints::literal_urls(literal, Syntax::Literal) {
                    reporter.report(
                        solution,
                        cx,
                        &component,
                        file,
                        Span::new(bom, source.bytes.len()),
                        text,
                        range.start + url.start..range.start + url.end,
                        "",
                        &location,
                    );
                }
            }
        }
    }
}
