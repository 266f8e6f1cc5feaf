//! `pplint inventory`: what was found in each solution (JSON is a public contract).

use std::io::Write;

use serde::Serialize;

use crate::model::Solution;

#[derive(Debug, Serialize, PartialEq, Eq, Default, Clone)]
pub struct Counts {
    pub agents: usize,
    pub topics: usize,
    pub knowledge_sources: usize,
    pub tools: usize,
    pub flows: usize,
    pub connectors: usize,
    pub connection_references: usize,
    pub environment_variables: usize,
    pub ai_prompts: usize,
}

impl Counts {
    pub fn of(solution: &Solution<'_>) -> Counts {
        let components = &solution.components;
        Counts {
            agents: solution.agents.len(),
            topics: components.iter().filter(|c| c.is_topic()).count(),
            knowledge_sources: components
                .iter()
                .filter(|c| c.knowledge().is_some())
                .count(),
            tools: components.iter().filter(|c| c.is_tool()).count(),
            flows: solution.flows.len(),
            connectors: solution.connectors.len(),
            connection_references: solution.connection_references.len(),
            environment_variables: solution.env_vars.len(),
            ai_prompts: solution.ai_models.len(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct InventoryProblem {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct InventorySolution {
    pub source: String,
    pub unique_name: Option<String>,
    pub version: Option<String>,
    pub managed: Option<bool>,
    pub layout: &'static str,
    pub counts: Counts,
    pub problems: Vec<InventoryProblem>,
}

#[derive(Debug, Serialize)]
pub struct Inventory {
    pub solutions: Vec<InventorySolution>,
}

pub fn describe(solution: &Solution<'_>) -> InventorySolution {
    let manifest = solution.manifest.as_ref();
    let problems = solution
        .problems
        .iter()
        .map(|p| {
            let (line, column) = solution.ws.file_named(&p.file).map_or((1, 1), |id| {
                let at = solution.ws.files[id].line_col(p.span.start as usize);
                (at.line, at.column)
            });
            InventoryProblem {
                file: p.file.clone(),
                line,
                column,
                message: p.message(&solution.ws.source),
            }
        })
        .collect();
    InventorySolution {
        source: solution.ws.source.clone(),
        unique_name: manifest.map(|m| m.unique_name.clone()),
        version: manifest.and_then(|m| m.version.clone()),
        managed: manifest.map(|m| m.is_managed()),
        layout: solution.ws.layout.as_str(),
        counts: Counts::of(solution),
        problems,
    }
}

pub fn write_json(inventory: &Inventory, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, inventory)?;
    writeln!(out)
}

/// A short tree per solution, for people.
pub fn write_text(
    solution: &Solution<'_>,
    summary: &InventorySolution,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let name = summary
        .unique_name
        .as_deref()
        .unwrap_or("(no solution manifest)");
    let version = summary
        .version
        .as_deref()
        .map(|v| format!(" {v}"))
        .unwrap_or_default();
    let managed = match summary.managed {
        Some(true) => ", managed",
        Some(false) => ", unmanaged",
        None => "",
    };
    writeln!(
        out,
        "{name}{version} ({}{managed}) {}",
        summary.layout, summary.source
    )?;
    let c = &summary.counts;
    for agent in &solution.agents {
        let auth = agent
            .auth_mode
            .as_ref()
            .map_or("not set", |a| a.value.name());
        writeln!(
            out,
            "├─ agent {} [{}] authentication: {auth}",
            agent.label(),
            agent.schema_name
        )?;
    }
    let rows = [
        ("topics", c.topics),
        ("knowledge sources", c.knowledge_sources),
        ("tools", c.tools),
        ("flows", c.flows),
        ("custom connectors", c.connectors),
        ("connection references", c.connection_references),
        ("environment variables", c.environment_variables),
        ("AI prompts", c.ai_prompts),
    ];
    for (label, count) in rows {
        writeln!(out, "├─ {label}: {count}")?;
    }
    for flow in &solution.flows {
        writeln!(
            out,
            "│  ├─ flow {} ({} actions)",
            flow.name,
            flow.actions.len()
        )?;
    }
    for connector in &solution.connectors {
        let host = connector.host().unwrap_or("no host");
        writeln!(out, "│  ├─ connector {} ({host})", connector.label())?;
    }
    if summary.problems.is_empty() {
        writeln!(out, "└─ problems: none")?;
    } else {
        writeln!(out, "└─ problems: {}", summary.problems.len())?;
        for p in &summary.problems {
            writeln!(
                out,
                "   ├─ {}:{}:{}: {}",
                p.file, p.line, p.column, p.message
            )?;
        }
    }
    Ok(())
}
