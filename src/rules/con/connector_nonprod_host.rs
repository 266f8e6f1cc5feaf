use crate::finding::ComponentRef;
use crate::model::Solution;
use crate::rules::con::facts::{self, HostClass};
use crate::rules::{Rule, RuleContext, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a custom connector whose `host` (or the literal host of a `dynamichosturl`
    /// policy's URL template) is not a governed production endpoint:
    /// - **tunnel**: `*.devtunnels.ms`, `*.ngrok.io`, `*.ngrok-free.app`, `*.ngrok.app`,
    ///   `*.loca.lt`, `*.trycloudflare.com`;
    /// - **local**: `localhost`, `127.0.0.0/8`, RFC 1918 addresses (`10/8`,
    ///   `172.16/12`, `192.168/16`), `*.local`;
    /// - **placeholder**: `example.*` (and any `*.example.<tld>`), `test.com`, and the
    ///   reserved `.test`/`.example`/`.invalid` top-level domains;
    /// - **non-prod**: a host label, or a `-`/`_`-separated word of one, that is `dev`,
    ///   `test`, `staging`, `uat` or `preprod` (`dev-api.contoso.com`). This is a naming
    ///   hint, so it is reported with low confidence (`--persona pedantic`).
    ///
    /// Hosts written as `@environmentVariables("…")` or built from connection parameters
    /// are not literal and give no finding.
    ///
    /// ## Why is this bad?
    /// Security pillar, SE:06 (network controls). A tunnel forwards every call, with
    /// its credentials and data, to whichever machine runs the tunnel client, usually a
    /// developer's laptop, outside every network and identity control. Local and
    /// placeholder hosts mean the connector was never pointed at its real backend, and
    /// test hosts carry production data into environments with weaker controls.
    ///
    /// ## Example
    /// ```json
    /// { "host": "x1kv1q93-3000.uks1.devtunnels.ms", "basePath": "/", "schemes": ["https"] }
    /// ```
    ///
    /// ## How to fix
    /// In the custom connector's **1. General** page, set **Host** to the governed
    /// production endpoint (behind API Management or an Application Gateway). To vary
    /// the host between environments, write `"host": "@environmentVariables(\"<schema>\")"`
    /// and give the environment variable a value per environment.
    pub ConnectorNonprodHost {
        id: "CON003",
        name: "connector-nonprod-host",
        summary: "Custom connector targets a tunnel, local, placeholder or non-production host",
        pillar: Security,
        waf: "SE:06",
        severity: High,
        confidence: High,
        default_on: true,
        help: "Use a governed production host; use @environmentVariables(\"…\").",
    }
}

impl Rule for ConnectorNonprodHost {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, solution: &Solution<'_>, cx: &mut RuleContext<'_>) {
        for connector in &solution.connectors {
            let mut targets = Vec::new();
            if let Some(host) = facts::openapi(connector).and_then(|o| {
                let h = o.child("host")?;
                Some((h.loc(), h.value.as_str()?.to_string()))
            }) {
                targets.push(host);
            }
            for template in facts::dynamic_host_templates(connector) {
                if let Some(url) = template.value.as_str() {
                    targets.push((template.loc(), url.to_string()));
                }
            }
            for (loc, text) in targets {
                let Some(host) = facts::literal_host(&text) else {
                    continue;
                };
                let Some(class) = facts::classify_host(&host) else {
                    continue;
                };
                cx.report(
                    ComponentRef::new("connector", connector.identity()),
                    &loc,
                    format!(
                        "Connector '{}' targets {} host {host}.",
                        connector.label(),
                        class.label()
                    ),
                )
                .confidence(class.confidence())
                .label(match class {
                    HostClass::Tunnel => "developer tunnel",
                    HostClass::Local => "local address",
                    HostClass::Placeholder => "placeholder host",
                    HostClass::NonProd => "non-production name",
                })
                .discriminator(host);
            }
        }
    }
}
