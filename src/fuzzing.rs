//! Entry points shared by the fuzz targets (`fuzz/`) and the regression tests
//! that replay their findings (`tests/fuzz_regressions.rs`). Each takes
//! arbitrary bytes and must return without panicking, in bounded time.

use crate::engine::{self, Selection};
use crate::model::{Solution, Workspace};
use crate::output::{self, Report};
use crate::source::load;
use crate::source::{Layout, Limits, SourceFile};

/// Caps small enough that a fuzzer explores structure, not size.
fn limits() -> Limits {
    Limits {
        max_entries: 2_000,
        max_file_bytes: 4 * 1024 * 1024,
        max_total_bytes: 16 * 1024 * 1024,
    }
}

/// Lints the workspaces with every rule and renders every format to nowhere.
fn lint_and_render(workspaces: &[Workspace]) {
    let solutions: Vec<Solution<'_>> = workspaces.iter().map(Solution::build).collect();
    let selection = Selection {
        pedantic: true,
        ..Selection::default()
    };
    let outcome = engine::lint(&solutions, &crate::rules::registry(), &selection);
    let sources = crate::cli::solution_sources(workspaces);
    let metas = crate::rules::all_meta();
    let maps: Vec<_> = solutions
        .iter()
        .map(crate::mapping::component_map)
        .collect();
    let report = Report {
        solutions: &sources,
        findings: &outcome.findings,
        rules: &metas,
        secrets: &outcome.secrets,
    };
    let sink = &mut std::io::sink();
    let human = output::human::HumanOptions {
        color: false,
        width: 100,
    };
    let _ = output::human::render(&report, &human, sink);
    let _ = output::json::render(&report, sink);
    let _ = output::sarif::render(&report, sink);
    let _ = output::github::render(&report, sink);
    let _ = output::azure::render(&report, sink);
    let _ = output::junit::render(&report, sink);
    let _ = output::html::render(&report, &maps, sink);
    for solution in &solutions {
        let _ = crate::inventory::describe(solution);
    }
}

/// The whole pipeline from raw zip bytes.
pub fn zip_pipeline(data: &[u8]) {
    if let Ok(loaded) = load::load_zip_from_bytes(data, "fuzz.zip", &limits()) {
        lint_and_render(&[Workspace::parse(loaded)]);
    }
}

/// Also panics when the two XML readers build different trees.
pub fn parse_xml(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = crate::parse::xml::parse(text, 0);
        let _ = crate::parse::xml::unescape(text);
        xml_readers_agree(data);
    }
}

/// Panics when the plain XML reader accepts a text and builds a tree other
/// than quick-xml's; returns whether it accepted the text.
pub fn xml_readers_agree(data: &[u8]) -> bool {
    readers_agree(data, crate::parse::xml::compare_readers)
}

pub fn parse_json(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = crate::parse::json::parse(text, 0);
    }
}

/// Also panics when the two YAML readers build different trees.
pub fn parse_yaml(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = crate::parse::yaml::parse(text, 0);
        yaml_readers_agree(data);
    }
}

/// Panics when the block YAML reader accepts a text and builds a tree other
/// than the event parser's; returns whether it accepted the text.
pub fn yaml_readers_agree(data: &[u8]) -> bool {
    readers_agree(data, crate::parse::yaml::compare_readers)
}

/// Runs a fast reader's comparison with its general path on `data` (UTF-8
/// only): whether the fast reader accepted it; panics on a difference.
fn readers_agree(data: &[u8], compare: fn(&str) -> Result<bool, String>) -> bool {
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    match compare(text) {
        Ok(accepted) => accepted,
        Err(difference) => panic!("{difference}"),
    }
}

/// The files a solution's model is built from, in the order `model_files`
/// assigns NUL-separated chunks to them.
pub const MODEL_PATHS: [&str; 12] = [
    "solution.xml",
    "customizations.xml",
    "bots/cnt_bot/bot.xml",
    "bots/cnt_bot/configuration.json",
    "botcomponents/cnt_bot.topic.T/botcomponent.xml",
    "botcomponents/cnt_bot.topic.T/data",
    "Workflows/Flow-3F2A9C4E-1B7D-4E0A-9C55-2D8E6F1A7B90.json",
    "Connector/cnt_x_openapidefinition.json",
    "Connector/cnt_x_connectionparameters.json",
    "Connector/cnt_x_policytemplateinstances.json",
    "environmentvariabledefinitions/cnt_v/environmentvariabledefinition.xml",
    "environmentvariabledefinitions/cnt_v/environmentvariablevalues.json",
];

/// The model builders and every rule over a solution whose files are the
/// NUL-separated chunks of `data` (see [`MODEL_PATHS`]).
pub fn model_files(data: &[u8]) {
    lint_and_render(&[chunked(data, &MODEL_PATHS, "fuzz", Layout::Folder)]);
}

/// A solution whose files at `paths` hold the NUL-separated chunks of `data`.
fn chunked(data: &[u8], paths: &[&str], source: &str, layout: Layout) -> Workspace {
    let files = data
        .split(|&b| b == 0)
        .zip(paths)
        .map(|(bytes, path)| SourceFile::new(*path, bytes.to_vec()))
        .collect();
    Workspace::from_files(source, layout, files)
}

/// The same for a Copilot Studio workspace: chunks become
/// `settings.mcs.yml`, `agent.mcs.yml`, `topics/T.mcs.yml`, `actions/A.mcs.yml`,
/// `knowledge/K.mcs.yml`, `connectionreferences.mcs.yml`.
pub fn workspace_files(data: &[u8]) {
    const PATHS: [&str; 6] = [
        "settings.mcs.yml",
        "agent.mcs.yml",
        "topics/T.mcs.yml",
        "actions/A.mcs.yml",
        "knowledge/K.mcs.yml",
        "connectionreferences.mcs.yml",
    ];
    lint_and_render(&[chunked(
        data,
        &PATHS,
        "fuzz-workspace",
        Layout::McsWorkspace,
    )]);
}
