//! The registry matches the public rule catalog `../shared/docs/RULES.md`
//! exactly: every ID and name, pillar and WAF code, severity, confidence and
//! default. Skipped (visibly) when the shared docs are absent.

use std::path::Path;

use pplint::rules;

struct Row {
    id: String,
    name: String,
    waf: String,
    severity: String,
    confidence: String,
    default: String,
}

fn catalog() -> Option<Vec<Row>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/docs/RULES.md");
    let Ok(text) = std::fs::read_to_string(&path) else {
        if std::env::var("PPLINT_REQUIRE_CORPUS").is_ok_and(|v| v == "1") {
            panic!("PPLINT_REQUIRE_CORPUS=1 but {} is missing", path.display());
        }
        eprintln!("SKIPPED: {} is absent", path.display());
        return None;
    };
    let rows = text
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line
                .trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            let id = cells.first()?;
            let is_id = id.len() == 6
                && id[..3].chars().all(|c| c.is_ascii_uppercase())
                && id[3..].chars().all(|c| c.is_ascii_digit());
            (is_id && cells.len() >= 9).then(|| Row {
                id: id.to_string(),
                name: cells[1].to_string(),
                waf: cells[2].to_string(),
                severity: cells[3].to_string(),
                confidence: cells[4].to_string(),
                default: cells[5].trim_end_matches(['*', '\\']).to_string(),
            })
        })
        .collect();
    Some(rows)
}

fn pillar_of(waf: &str) -> Option<&'static str> {
    Some(match waf.get(..2)? {
        "SE" => "Security",
        "RE" => "Reliability",
        "OE" => "Operational Excellence",
        "PE" => "Performance Efficiency",
        "XO" => "Experience Optimization",
        _ => return None,
    })
}

#[test]
fn registry_matches_the_rule_catalog() {
    let Some(rows) = catalog() else { return };
    assert!(rows.len() >= 50, "parsed only {} catalog rows", rows.len());
    let mut problems = Vec::new();
    for row in &rows {
        let Some(meta) = rules::find_meta(&row.id) else {
            problems.push(format!("{} {} is not implemented", row.id, row.name));
            continue;
        };
        let default = if meta.default_on { "on" } else { "pedantic" };
        let checks = [
            ("name", meta.name, row.name.as_str()),
            ("waf", meta.waf, row.waf.as_str()),
            ("severity", meta.severity.as_str(), row.severity.as_str()),
            (
                "confidence",
                meta.confidence.as_str(),
                row.confidence.as_str(),
            ),
            ("default", default, row.default.as_str()),
        ];
        for (what, actual, expected) in checks {
            if actual != expected {
                problems.push(format!(
                    "{} {what}: registry '{actual}', catalog '{expected}'",
                    row.id
                ));
            }
        }
        if let Some(pillar) = pillar_of(&row.waf)
            && meta.pillar.as_str() != pillar
        {
            problems.push(format!(
                "{} pillar: registry '{}', catalog '{pillar}'",
                row.id,
                meta.pillar.as_str()
            ));
        }
    }
    for meta in rules::all_meta() {
        if !rows.iter().any(|r| r.id == meta.id) {
            problems.push(format!("{} is not in the catalog", meta.id));
        }
    }
    assert!(
        problems.is_empty(),
        "{} mismatches:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
