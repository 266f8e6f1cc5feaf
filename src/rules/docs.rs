//! Rule documentation generated from the registry: `pplint rules`, `pplint
//! explain`, and `docs/rules/*.md` (a test fails when those files are stale).

use std::io::Write;

use serde::Serialize;

use crate::finding::Pillar;

use super::RuleMeta;

fn default_label(meta: &RuleMeta) -> &'static str {
    if meta.default_on { "on" } else { "pedantic" }
}

/// `docs/rules/<ID>.md`.
pub fn rule_markdown(meta: &RuleMeta) -> String {
    format!(
        "# {id} {name}\n\n\
         {summary}.\n\n\
         | pillar | WAF | severity | confidence | default |\n\
         |---|---|---|---|---|\n\
         | {pillar} | {waf} | {severity} | {confidence} | {default} |\n\n\
         {docs}\n\n\
         **Fix in one line:** {help}\n",
        id = meta.id,
        name = meta.name,
        summary = meta.summary,
        pillar = meta.pillar.as_str(),
        waf = meta.waf,
        severity = meta.severity.as_str(),
        confidence = meta.confidence.as_str(),
        default = default_label(meta),
        docs = meta.docs_markdown().trim_end(),
        help = meta.help,
    )
}

/// `docs/rules/README.md`: the rules grouped by pillar.
pub fn index_markdown(metas: &[&RuleMeta]) -> String {
    let mut text = String::from(
        "# pplint rules\n\nGenerated from the rule registry (`pplint rules --format markdown`); do not edit by hand.\n",
    );
    for pillar in Pillar::ALL {
        let rules: Vec<&&RuleMeta> = metas.iter().filter(|m| m.pillar == pillar).collect();
        if rules.is_empty() {
            continue;
        }
        text.push_str(&format!(
            "\n## {}\n\n| ID | name | WAF | severity | confidence | default | summary |\n|---|---|---|---|---|---|---|\n",
            pillar.as_str()
        ));
        for m in rules {
            text.push_str(&format!(
                "| [{id}]({id}.md) | {name} | {waf} | {sev} | {conf} | {def} | {summary} |\n",
                id = m.id,
                name = m.name,
                waf = m.waf,
                sev = m.severity.as_str(),
                conf = m.confidence.as_str(),
                def = default_label(m),
                summary = m.summary,
            ));
        }
    }
    text
}

#[derive(Serialize)]
struct JsonRules<'a> {
    rules: Vec<JsonRule<'a>>,
}

#[derive(Serialize)]
struct JsonRule<'a> {
    id: &'a str,
    name: &'a str,
    summary: &'a str,
    pillar: &'a str,
    waf: &'a str,
    severity: &'a str,
    confidence: &'a str,
    default: &'a str,
}

pub fn write_json(metas: &[&RuleMeta], out: &mut dyn Write) -> std::io::Result<()> {
    let doc = JsonRules {
        rules: metas
            .iter()
            .map(|m| JsonRule {
                id: m.id,
                name: m.name,
                summary: m.summary,
                pillar: m.pillar.as_str(),
                waf: m.waf,
                severity: m.severity.as_str(),
                confidence: m.confidence.as_str(),
                default: default_label(m),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

pub fn write_table(metas: &[&RuleMeta], out: &mut dyn Write) -> std::io::Result<()> {
    let name_width = metas.iter().map(|m| m.name.len()).max().unwrap_or(4);
    writeln!(
        out,
        "{:<7} {:<name_width$} {:<8} {:<24} {:<8} default",
        "ID", "name", "severity", "pillar", "WAF"
    )?;
    for m in metas {
        writeln!(
            out,
            "{:<7} {:<name_width$} {:<8} {:<24} {:<8} {}",
            m.id,
            m.name,
            m.severity.as_str(),
            m.pillar.as_str(),
            m.waf,
            default_label(m)
        )?;
    }
    Ok(())
}
