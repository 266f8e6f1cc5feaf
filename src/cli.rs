//! Command-line interface: argument parsing and dispatch. Output goes to the
//! writers given, so tests run the whole CLI in process.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Args, Parser, Subcommand, ValueEnum};

use std::io::IsTerminal;

use rayon::prelude::*;

use crate::config::{self, Config};
use crate::engine::{self, Selection};
use crate::finding::{Confidence, Severity};
use crate::inventory;
use crate::model::{Solution, Workspace};
use crate::output::{self, Report, SolutionSource};
use crate::rules;
use crate::source::{self, Limits};
use crate::suppress;

/// Exit codes shared by every command.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "pplint",
    version,
    about = "Fast, offline well-architected linter for exported Power Platform solutions",
    long_about = "Fast, offline well-architected linter for exported Power Platform solutions.\n\n\
        `pplint PATH...` is `pplint check PATH...`.",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    check: CheckArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Lint solutions (the default command).
    Check(Box<CheckArgs>),
    /// Show what was found in each solution (agents, topics, flows, connectors…).
    Inventory(InventoryArgs),
    /// List the rules.
    Rules(RulesArgs),
    /// Print a rule's documentation.
    Explain {
        /// Rule ID (AGT001) or name (agent-no-authentication).
        rule: String,
    },
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Solution .zip files, unpacked or SolutionPackager folders, .mcs.yml
    /// workspaces, connector folders, or folders holding any of them.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format [default: human].
    #[arg(long, value_enum, env = "PPLINT_FORMAT")]
    format: Option<CheckFormat>,
    /// Write the output to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also write a SARIF 2.1.0 report to FILE (any --format on stdout).
    #[arg(long, value_name = "FILE")]
    sarif_file: Option<PathBuf>,
    /// Also write a JSON v1 report to FILE.
    #[arg(long, value_name = "FILE")]
    json_file: Option<PathBuf>,
    /// Also write a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE")]
    junit_file: Option<PathBuf>,
    /// Exit 1 when a finding of this severity or higher is reported. Cumulative:
    /// `--fail-on medium` fails on medium, high and critical (unlike Solution
    /// Checker, whose threshold is not cumulative). `never` always exits 0
    /// unless pplint itself fails (exit 2). [default: high]
    #[arg(long, value_enum, env = "PPLINT_FAIL_ON")]
    fail_on: Option<FailOn>,
    /// Colour in human output; `auto` honours NO_COLOR and non-terminals.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    #[command(flatten)]
    filter: FilterArgs,
    /// Make unparsable input (PPX000) fatal: exit 2.
    #[arg(long)]
    strict: bool,
    /// Only find and read the inputs (inflating zip entries), without parsing or
    /// linting: the I/O floor that benchmarks compare against.
    #[arg(long)]
    read_only: bool,
    /// The environment the solution is deployed to; `test` and `prod` enable
    /// ALM003 (unmanaged solution for deployment).
    #[arg(long, value_enum)]
    target: Option<Target>,
    #[command(flatten)]
    config: ConfigArgs,
    #[command(flatten)]
    limits: LimitArgs,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Configuration, suppressions and baseline")]
struct ConfigArgs {
    /// Use this pplint.toml instead of searching upwards from the first PATH.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Ignore any pplint.toml.
    #[arg(long)]
    no_config: bool,
    /// Report only findings whose fingerprints are not in this baseline file, and
    /// list baseline entries that no longer match.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record the current findings' fingerprints in FILE (then exit 0).
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Show every finding: ignore [[suppress]] entries and the baseline.
    #[arg(long)]
    no_suppress: bool,
    /// Judge suppression expiry as of this day (YYYY-MM-DD) instead of today,
    /// for reproducible runs.
    #[arg(long, value_name = "DATE", env = "PPLINT_TODAY", value_parser = parse_day)]
    today: Option<String>,
}

fn parse_day(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let shape = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if shape {
        Ok(text.to_string())
    } else {
        Err("expected YYYY-MM-DD".to_string())
    }
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Rule selection")]
struct FilterArgs {
    /// Run only these rules: IDs, ID prefixes (AGT), names, pillars (Security)
    /// or tags (cross-component), comma-separated. Overrides pplint.toml.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    select: Vec<String>,
    /// Never run these rules (same forms as --select).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    ignore: Vec<String>,
    /// `regular` runs the default rules and reports confidence medium or higher;
    /// `pedantic` runs every rule at every confidence. [default: regular]
    #[arg(long, value_enum)]
    persona: Option<Persona>,
    /// Drop findings below this confidence.
    #[arg(long, value_enum)]
    min_confidence: Option<ConfidenceArg>,
    /// Drop findings below this severity (they are not reported at all).
    #[arg(long, value_enum)]
    min_severity: Option<MinSeverity>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum MinSeverity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Target {
    Dev,
    Test,
    Prod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CheckFormat {
    Human,
    Json,
    Sarif,
    Github,
    Azure,
    Junit,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Info,
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Persona {
    Regular,
    Pedantic,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ConfidenceArg {
    Low,
    Medium,
    High,
}

#[derive(Debug, Args)]
struct RulesArgs {
    #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
    format: RulesFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RulesFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
struct InventoryArgs {
    /// Solution .zip files, unpacked or SolutionPackager folders, .mcs.yml
    /// workspaces, connector folders, or folders holding any of them.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = InventoryFormat::Text)]
    format: InventoryFormat,
    #[command(flatten)]
    limits: LimitArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum InventoryFormat {
    Text,
    Json,
}

/// Caps for hostile archives.
#[derive(Debug, Args)]
#[command(next_help_heading = "Input limits")]
pub struct LimitArgs {
    /// Most entries a zip may hold.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_entries)]
    max_entries: usize,
    /// Largest file read, in bytes (uncompressed).
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_file_bytes)]
    max_file_size: u64,
    /// Most bytes read from one solution, in total (uncompressed).
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_total_bytes)]
    max_total_size: u64,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_entries: self.max_entries,
            max_file_bytes: self.max_file_size,
            max_total_bytes: self.max_total_size,
        }
    }
}

/// Set by [`run_process`]: the process exits right after this run.
static PROCESS_EXITS_AFTER_RUN: AtomicBool = AtomicBool::new(false);

/// [`run`] for the `pplint` binary, which exits when it returns: the parse trees,
/// model and findings are left to the operating system instead of being freed
/// one allocation at a time (a few percent of a large run).
pub fn run_process(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    PROCESS_EXITS_AFTER_RUN.store(true, Ordering::Relaxed);
    // The calling thread is one of the pool's threads rather than one that
    // waits on them: each parallel step then starts on it without handing the
    // work to another thread and sleeping until that thread is done.
    let _ = rayon::ThreadPoolBuilder::new()
        .use_current_thread()
        .build_global();
    run(args, out, err)
}

/// A solution linted on the thread that loaded it: its files, what the rules
/// found (located in solution 0 until [`engine::merge`] places it), and
/// its component map when the HTML report draws one. In a run over several
/// solutions, its trees, its model and the bytes of every file no finding
/// points at are freed once the rules have run: the run holds the trees of
/// the few solutions being linted, not those of all of them.
struct Linted {
    workspace: Workspace,
    outcome: engine::Outcome,
    map: Option<crate::output::map::ComponentMap>,
}

impl Linted {
    fn new(
        loaded: source::LoadedSolution,
        rules: &[Box<dyn rules::Rule>],
        selection: &Selection,
        html: bool,
        several: bool,
    ) -> Linted {
        let mut workspace = Workspace::parse(loaded);
        let solution = Solution::build(&workspace);
        let outcome = engine::lint_solution(&solution, rules, selection);
        let map = html.then(|| crate::mapping::component_map(&solution));
        if several {
            drop(solution);
            let mut pointed_at = vec![false; workspace.files.len()];
            for location in outcome
                .findings
                .iter()
                .flat_map(crate::finding::Finding::locations)
            {
                if let crate::finding::FileRef::Id(id) = location.file {
                    pointed_at[id] = true;
                }
            }
            workspace.free_all_but(&pointed_at);
        } else {
            // The run's only solution: freeing its model and trees would only
            // delay the exit.
            drop(HeldToExit::new(solution));
        }
        Linted {
            workspace,
            outcome,
            map,
        }
    }
}

/// A value a check run holds until it ends; not freed when the process exits
/// right after ([`run_process`]).
struct HeldToExit<T>(Option<T>);

impl<T> HeldToExit<T> {
    fn new(value: T) -> Self {
        HeldToExit(Some(value))
    }
}

impl<T> std::ops::Deref for HeldToExit<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.0.as_ref().expect("held until drop")
    }
}

impl<T> std::ops::DerefMut for HeldToExit<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.0.as_mut().expect("held until drop")
    }
}

impl<T> Drop for HeldToExit<T> {
    fn drop(&mut self) {
        if let Some(value) = self.0.take()
            && PROCESS_EXITS_AFTER_RUN.load(Ordering::Relaxed)
        {
            std::mem::forget(value);
        }
    }
}

/// What the renderers read of each loaded workspace.
pub(crate) fn solution_sources(workspaces: &[Workspace]) -> Vec<SolutionSource<'_>> {
    workspaces
        .iter()
        .map(|ws| SolutionSource {
            source: &ws.source,
            files: &ws.files,
        })
        .collect()
}

/// Runs pplint with `args` (the first is the program name); returns the exit code.
pub fn run(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let text = e.render().to_string();
            let _ = if e.use_stderr() {
                write!(err, "{text}")
            } else {
                write!(out, "{text}")
            };
            return code;
        }
    };
    let result = match cli.command {
        Some(Command::Check(args)) => run_check(&args, out, err),
        Some(Command::Inventory(args)) => run_inventory(&args, out, err),
        Some(Command::Rules(args)) => run_rules(&args, out),
        Some(Command::Explain { rule }) => run_explain(&rule, out, err),
        None if cli.check.paths.is_empty() => {
            let _ = writeln!(
                err,
                "error: no PATH given; usage: pplint [check] PATH... (see 'pplint --help')"
            );
            Ok(EXIT_ERROR)
        }
        None => run_check(&cli.check, out, err),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(err, "error: cannot write output: {e}");
            EXIT_ERROR
        }
    }
}

/// Every solution under `paths`, loaded and parsed. Inputs that cannot be read
/// are reported on `err`; the others still load.
pub fn load_all(paths: &[PathBuf], limits: &Limits, err: &mut dyn Write) -> (Vec<Workspace>, bool) {
    load_all_with_progress(paths, limits, err, false, |loaded, _| {
        Workspace::parse(loaded)
    })
}

/// Every solution under `paths`, each made a `T` by `make` on the thread that
/// loaded it (`make` is told whether the run has more than one), with a
/// progress bar on the terminal when `progress` is set and several solutions
/// are read (never in machine formats or when piped).
fn load_all_with_progress<T: Send>(
    paths: &[PathBuf],
    limits: &Limits,
    err: &mut dyn Write,
    progress: bool,
    make: impl Fn(source::LoadedSolution, bool) -> T + Sync,
) -> (Vec<T>, bool) {
    let bar = (progress && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} solutions {wide_msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let (workspaces, failed) = load_solutions(paths, limits, err, true, bar.as_ref(), make);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    (workspaces, failed)
}

/// What discovering the inputs gave, in input order.
enum Found {
    /// A line to print as it stands.
    Said(String),
    Solution(source::load::InputRoot),
}

/// Finds the solutions under `paths` and loads them all at once, each made a
/// `T` by `make` on the thread that loaded it, counting them on `bar`. What
/// discovery and loading say (errors, and notes when `notes` is set) comes out
/// in input order, as a run that loads one solution after the other prints it.
fn load_solutions<T: Send>(
    paths: &[PathBuf],
    limits: &Limits,
    err: &mut dyn Write,
    notes: bool,
    bar: Option<&indicatif::ProgressBar>,
    make: impl Fn(source::LoadedSolution, bool) -> T + Sync,
) -> (Vec<T>, bool) {
    let mut failed = false;
    let mut found = Vec::new();
    for path in paths {
        match source::load::discover(path) {
            Ok((roots, discovered)) => {
                if notes {
                    found.extend(discovered.iter().map(|n| Found::Said(format!("note: {n}"))));
                }
                found.extend(roots.into_iter().map(Found::Solution));
            }
            Err(e) => {
                found.push(Found::Said(format!("error: {e}")));
                failed = true;
            }
        }
    }
    let solutions = found
        .iter()
        .filter(|f| matches!(f, Found::Solution(_)))
        .count();
    if let Some(bar) = bar {
        bar.set_length(solutions as u64);
    }
    // Each input's lines to print, in order, and the solution it made.
    let read: Vec<(Vec<String>, Option<T>)> = found
        .par_iter()
        .map(|step| match step {
            Found::Said(line) => (vec![line.clone()], None),
            Found::Solution(root) => {
                if let Some(bar) = bar {
                    bar.set_message(root.source.clone());
                    bar.inc(1);
                }
                match source::load::load(root, limits) {
                    Ok(loaded) => {
                        let said = if notes {
                            let source = &loaded.source;
                            loaded
                                .notes
                                .iter()
                                .map(|n| format!("note: {source}: {n}"))
                                .collect()
                        } else {
                            Vec::new()
                        };
                        (said, Some(make(loaded, solutions > 1)))
                    }
                    Err(e) => (vec![format!("error: {e}")], None),
                }
            }
        })
        .collect();
    let mut made = Vec::with_capacity(solutions);
    for (said, value) in read {
        for line in said {
            let _ = writeln!(err, "{line}");
        }
        made.extend(value);
    }
    // A solution that did not load said why.
    failed |= made.len() < solutions;
    (made, failed)
}

fn run_inventory(
    args: &InventoryArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<u8> {
    let text = matches!(args.format, InventoryFormat::Text);
    // Each solution is described, and its text written, as it loads: the run
    // holds summaries, not every solution's files and trees.
    let (described, failed) = load_all_with_progress(
        &args.paths,
        &args.limits.limits(),
        err,
        false,
        |loaded, _| {
            let workspace = Workspace::parse(loaded);
            let solution = Solution::build(&workspace);
            let summary = inventory::describe(&solution);
            let mut written = Vec::new();
            let wrote = if text {
                inventory::write_text(&solution, &summary, &mut written)
            } else {
                Ok(())
            };
            (summary, wrote.map(|()| written))
        },
    );
    let mut report = inventory::Inventory {
        solutions: Vec::with_capacity(described.len()),
    };
    for (summary, written) in described {
        out.write_all(&written?)?;
        report.solutions.push(summary);
    }
    if !text {
        inventory::write_json(&report, out)?;
    }
    Ok(if failed { EXIT_ERROR } else { EXIT_OK })
}

/// The configuration in force: `--config`, else `pplint.toml` found upwards
/// from the first input, else none.
fn resolve_config(args: &CheckArgs, err: &mut dyn Write) -> Result<(Config, Option<PathBuf>), u8> {
    if args.config.no_config {
        return Ok((Config::default(), None));
    }
    let path = match &args.config.config {
        Some(path) => Some(path.clone()),
        None => args.paths.first().and_then(|p| config::discover(p)),
    };
    let Some(path) = path else {
        return Ok((Config::default(), None));
    };
    match config::load(&path) {
        Ok(config) => Ok((config, Some(path))),
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            Err(EXIT_ERROR)
        }
    }
}

fn severity_of(setting: config::FailOnSetting) -> FailOn {
    match setting {
        config::FailOnSetting::Critical => FailOn::Critical,
        config::FailOnSetting::High => FailOn::High,
        config::FailOnSetting::Medium => FailOn::Medium,
        config::FailOnSetting::Low => FailOn::Low,
        config::FailOnSetting::Info => FailOn::Info,
        config::FailOnSetting::Never => FailOn::Never,
    }
}

fn write_report(
    path: &std::path::Path,
    render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    err: &mut dyn Write,
) -> bool {
    let result = std::fs::File::create(path).and_then(|file| {
        let mut writer = std::io::BufWriter::new(file);
        render(&mut writer)?;
        writer.flush()
    });
    match result {
        Ok(()) => true,
        Err(e) => {
            let _ = writeln!(err, "error: cannot write {}: {e}", path.display());
            false
        }
    }
}

fn run_check(args: &CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    if args.paths.is_empty() {
        writeln!(err, "error: no PATH given; usage: pplint check PATH...")?;
        return Ok(EXIT_ERROR);
    }
    let (config, config_path) = match resolve_config(args, err) {
        Ok(found) => found,
        Err(code) => return Ok(code),
    };
    let config_dir = config_path
        .as_deref()
        .and_then(std::path::Path::parent)
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let selection = Selection {
        select: if args.filter.select.is_empty() {
            config.rules.select.clone()
        } else {
            args.filter.select.clone()
        },
        ignore: if args.filter.ignore.is_empty() {
            config.rules.ignore.clone()
        } else {
            args.filter.ignore.clone()
        },
        pedantic: match args.filter.persona {
            Some(persona) => persona == Persona::Pedantic,
            None => config.persona == Some(config::PersonaSetting::Pedantic),
        },
        min_confidence: args
            .filter
            .min_confidence
            .map(|c| match c {
                ConfidenceArg::Low => Confidence::Low,
                ConfidenceArg::Medium => Confidence::Medium,
                ConfidenceArg::High => Confidence::High,
            })
            .or(config.min_confidence.map(|c| match c {
                config::ConfidenceSetting::Low => Confidence::Low,
                config::ConfidenceSetting::Medium => Confidence::Medium,
                config::ConfidenceSetting::High => Confidence::High,
            })),
    };
    if let Some(unknown) = unknown_rule_patterns(&selection) {
        writeln!(err, "error: no rule matches {unknown}; see 'pplint rules'")?;
        return Ok(EXIT_ERROR);
    }
    for id in config
        .rules
        .severity
        .keys()
        .chain(config.rules.options.keys())
    {
        if rules::find_meta(id).is_none() {
            writeln!(
                err,
                "error: {}: unknown rule '{id}' in [rules]; see 'pplint rules'",
                config_path
                    .as_deref()
                    .map_or(String::new(), |p| p.display().to_string())
            )?;
            return Ok(EXIT_ERROR);
        }
    }
    let target = match args.target {
        Some(t) => Some(t),
        None => config.target.map(|t| match t {
            config::TargetSetting::Dev => Target::Dev,
            config::TargetSetting::Test => Target::Test,
            config::TargetSetting::Prod => Target::Prod,
        }),
    };
    let settings = rules::Settings {
        target: match target {
            Some(Target::Test) => Some("test".to_string()),
            Some(Target::Prod) => Some("prod".to_string()),
            Some(Target::Dev) | None => None,
        },
        options: config.rules.options.clone(),
    };
    let registry = match rules::registry_with(&settings) {
        Ok(registry) => registry,
        Err(e) => {
            let shown = config_path
                .as_deref()
                .map_or_else(|| "pplint.toml".to_string(), |p| p.display().to_string());
            writeln!(err, "error: {shown}: {e}")?;
            return Ok(EXIT_ERROR);
        }
    };
    let mut ran: Vec<&'static rules::RuleMeta> = registry
        .iter()
        .map(|r| r.meta())
        .filter(|m| selection.runs(m))
        .collect();
    if selection.runs(&rules::PPX000) {
        ran.push(&rules::PPX000);
    }
    ran.sort_by_key(|m| m.id);

    if args.read_only {
        return read_only(args, out, err);
    }
    let human_on_terminal =
        args.output.is_none() && matches!(args.format, None | Some(CheckFormat::Human));
    let html = args.format == Some(CheckFormat::Html);
    let (linted, input_failed) = load_all_with_progress(
        &args.paths,
        &args.limits.limits(),
        err,
        human_on_terminal,
        |loaded, several| Linted::new(loaded, &registry, &selection, html, several),
    );
    let mut workspaces = Vec::with_capacity(linted.len());
    let mut outcomes = Vec::with_capacity(linted.len());
    let mut maps = Vec::new();
    for linted in linted {
        outcomes.push(linted.outcome);
        workspaces.push(linted.workspace);
        maps.extend(linted.map);
    }
    let workspaces = HeldToExit::new(workspaces);
    let mut outcome = HeldToExit::new(engine::merge(outcomes, |index| &workspaces[index]));

    let path_of = |f: &crate::finding::Finding| -> String {
        match &f.primary.file {
            crate::finding::FileRef::Id(id) => {
                workspaces[f.primary.solution].files[*id].path.clone()
            }
            crate::finding::FileRef::Unread(path) => path.clone(),
        }
    };
    let mut applied = suppress::apply(
        &mut outcome.findings,
        &config,
        &path_of,
        &args.config.today.clone().unwrap_or_else(suppress::today),
        !args.config.no_suppress,
    );
    if let Some(min) = args.filter.min_severity {
        let min = match min {
            MinSeverity::Critical => Severity::Critical,
            MinSeverity::High => Severity::High,
            MinSeverity::Medium => Severity::Medium,
            MinSeverity::Low => Severity::Low,
            MinSeverity::Info => Severity::Info,
        };
        let before = outcome.findings.len();
        outcome.findings.retain(|f| f.severity >= min);
        applied.ignored += before - outcome.findings.len();
    }
    let baseline_path = args
        .config
        .baseline
        .clone()
        .or_else(|| config.baseline.as_ref().map(|b| config_dir.join(b)));
    if let (Some(path), false) = (
        &baseline_path,
        args.config.no_suppress || args.config.write_baseline.is_some(),
    ) {
        match suppress::read_baseline(path) {
            Ok(baseline) => {
                suppress::apply_baseline(&mut outcome.findings, &baseline, &mut applied)
            }
            Err(e) => {
                writeln!(err, "error: {e}")?;
                return Ok(EXIT_ERROR);
            }
        }
    }

    let sources = solution_sources(&workspaces);
    let report = Report {
        solutions: &sources,
        findings: &outcome.findings,
        rules: &ran,
        secrets: &outcome.secrets,
    };
    report.index_lines();

    if let Some(path) = &args.config.write_baseline {
        let baseline = suppress::baseline_of(&outcome.findings, &path_of);
        let count = baseline.findings.len();
        let ok = write_report(
            path,
            |w| {
                serde_json::to_writer_pretty(&mut *w, &baseline)?;
                writeln!(w)
            },
            err,
        );
        if !ok {
            return Ok(EXIT_ERROR);
        }
        writeln!(err, "wrote {count} fingerprints to {}", path.display())?;
        return Ok(if input_failed { EXIT_ERROR } else { EXIT_OK });
    }

    let format = args.format.unwrap_or(CheckFormat::Human);
    let to_file = args.output.is_some();
    let color = !to_file
        && match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        };
    let render = |w: &mut dyn Write| -> std::io::Result<()> {
        match format {
            CheckFormat::Human => {
                output::human::render(
                    &report,
                    &output::human::HumanOptions { color, width: 100 },
                    w,
                )?;
                if applied.ignored + applied.suppressed + applied.baselined > 0 {
                    writeln!(
                        w,
                        "({} suppressed, {} in the baseline, {} ignored by configuration; --no-suppress shows them)",
                        applied.suppressed, applied.baselined, applied.ignored
                    )?;
                }
                Ok(())
            }
            CheckFormat::Json => output::json::render(&report, w),
            CheckFormat::Sarif => output::sarif::render(&report, w),
            CheckFormat::Github => output::github::render(&report, w),
            CheckFormat::Azure => output::azure::render(&report, w),
            CheckFormat::Junit => output::junit::render(&report, w),
            CheckFormat::Html => output::html::render(&report, &maps, w),
        }
    };
    let mut write_failed = false;
    match &args.output {
        Some(path) => write_failed |= !write_report(path, render, err),
        None => render(out)?,
    }
    for (path, fmt) in [
        (&args.sarif_file, CheckFormat::Sarif),
        (&args.json_file, CheckFormat::Json),
        (&args.junit_file, CheckFormat::Junit),
    ] {
        let Some(path) = path else { continue };
        let ok = write_report(
            path,
            |w| match fmt {
                CheckFormat::Sarif => output::sarif::render(&report, w),
                CheckFormat::Junit => output::junit::render(&report, w),
                _ => output::json::render(&report, w),
            },
            err,
        );
        write_failed |= !ok;
    }

    for note in &applied.notes {
        writeln!(err, "warning: {note}")?;
    }
    if !applied.stale_baseline.is_empty() {
        writeln!(
            err,
            "note: {} baseline entries no longer match a finding (fixed or changed); rewrite the baseline with --write-baseline:",
            applied.stale_baseline.len()
        )?;
        for entry in &applied.stale_baseline {
            writeln!(
                err,
                "  {} {} {} {}",
                entry.fingerprint, entry.rule_id, entry.file, entry.message
            )?;
        }
    }
    for error in &outcome.internal_errors {
        writeln!(
            err,
            "error: internal error in rule {} on {}: {} (this is a bug in pplint; the other rules' findings are complete)",
            error.rule, error.source, error.message
        )?;
    }
    let unparsable = outcome
        .findings
        .iter()
        .any(|f| f.rule.id == rules::PPX000.id && !f.is_suppressed());
    if args.strict && unparsable {
        writeln!(
            err,
            "error: --strict: some input could not be parsed (PPX000)"
        )?;
    }
    if input_failed
        || write_failed
        || !outcome.internal_errors.is_empty()
        || (args.strict && unparsable)
    {
        return Ok(EXIT_ERROR);
    }
    let fail_on = args
        .fail_on
        .or(config.fail_on.map(severity_of))
        .unwrap_or(FailOn::High);
    let failing = fail_on.threshold().is_some_and(|threshold| {
        outcome
            .findings
            .iter()
            .any(|f| !f.is_suppressed() && f.severity >= threshold)
    });
    Ok(if failing { EXIT_FINDINGS } else { EXIT_OK })
}

/// `--read-only`: discovery and loading only.
fn read_only(args: &CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    let (counts, failed) = load_solutions(
        &args.paths,
        &args.limits.limits(),
        err,
        false,
        None,
        |loaded, _| {
            let bytes: usize = loaded.files.iter().map(|f| f.bytes.len()).sum();
            (loaded.files.len(), bytes)
        },
    );
    let files: usize = counts.iter().map(|(files, _)| files).sum();
    let bytes: usize = counts.iter().map(|(_, bytes)| bytes).sum();
    let solutions = counts.len();
    let plural = if solutions == 1 { "" } else { "s" };
    writeln!(
        out,
        "read {files} files ({bytes} bytes) of {solutions} solution{plural}"
    )?;
    Ok(if failed { EXIT_ERROR } else { EXIT_OK })
}

/// The first `--select`/`--ignore` entry that matches no rule, if any.
fn unknown_rule_patterns(selection: &Selection) -> Option<String> {
    let metas = rules::all_meta();
    selection
        .select
        .iter()
        .chain(&selection.ignore)
        .filter(|p| !p.trim().is_empty())
        .find(|p| {
            let probe = Selection {
                select: vec![(*p).clone()],
                ..Selection::default()
            };
            !metas.iter().any(|m| probe.runs(m))
        })
        .cloned()
}

fn run_rules(args: &RulesArgs, out: &mut dyn Write) -> std::io::Result<u8> {
    let metas = rules::all_meta();
    match args.format {
        RulesFormat::Json => rules::docs::write_json(&metas, out)?,
        RulesFormat::Markdown => write!(out, "{}", rules::docs::index_markdown(&metas))?,
        RulesFormat::Table => rules::docs::write_table(&metas, out)?,
    }
    Ok(EXIT_OK)
}

fn run_explain(rule: &str, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    match rules::find_meta(rule) {
        Some(meta) => {
            write!(out, "{}", rules::docs::rule_markdown(meta))?;
            Ok(EXIT_OK)
        }
        None => {
            writeln!(err, "error: unknown rule '{rule}'; see 'pplint rules'")?;
            Ok(EXIT_ERROR)
        }
    }
}
