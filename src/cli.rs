//! Command-line interface: argument parsing and dispatch. Output goes to the
//! writers given, so tests run the whole CLI in process.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use std::io::IsTerminal;

use rayon::prelude::*;

use crate::engine::{self, Selection};
use crate::finding::{Confidence, Severity};
use crate::inventory;
use crate::model::{Solution, Workspace};
use crate::output::{self, Report, SolutionSource};
use crate::rules;
use crate::source::{self, Limits};

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
    Check(CheckArgs),
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
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human, env = "PPLINT_FORMAT")]
    format: CheckFormat,
    /// Exit 1 when a finding of this severity or higher is reported. Cumulative:
    /// `--fail-on medium` fails on medium, high and critical (unlike Solution
    /// Checker, whose threshold is not cumulative). `never` always exits 0
    /// unless pplint itself fails (exit 2).
    #[arg(long, value_enum, default_value_t = FailOn::High, env = "PPLINT_FAIL_ON")]
    fail_on: FailOn,
    /// Colour in human output; `auto` honours NO_COLOR and non-terminals.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    #[command(flatten)]
    filter: FilterArgs,
    /// Make unparsable input (PPX000) fatal: exit 2.
    #[arg(long)]
    strict: bool,
    /// The environment the solution is deployed to; `test` and `prod` enable
    /// ALM003 (unmanaged solution for deployment).
    #[arg(long, value_enum)]
    target: Option<Target>,
    #[command(flatten)]
    limits: LimitArgs,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Rule selection")]
struct FilterArgs {
    /// Run only these rules: IDs, ID prefixes (AGT) or names, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    select: Vec<String>,
    /// Never run these rules: IDs, ID prefixes or names, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    ignore: Vec<String>,
    /// `regular` runs the default rules and reports confidence medium or higher;
    /// `pedantic` runs every rule at every confidence.
    #[arg(long, value_enum, default_value_t = Persona::Regular)]
    persona: Persona,
    /// Drop findings below this confidence.
    #[arg(long, value_enum)]
    min_confidence: Option<ConfidenceArg>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Target {
    Dev,
    Test,
    Prod,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum CheckFormat {
    Human,
    Json,
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
    let mut workspaces = Vec::new();
    let mut failed = false;
    for path in paths {
        let (roots, notes) = match source::load::discover(path) {
            Ok(found) => found,
            Err(e) => {
                let _ = writeln!(err, "error: {e}");
                failed = true;
                continue;
            }
        };
        for note in notes {
            let _ = writeln!(err, "note: {note}");
        }
        for root in roots {
            match source::load::load(&root, limits) {
                Ok(loaded) => {
                    for note in &loaded.notes {
                        let _ = writeln!(err, "note: {}: {note}", loaded.source);
                    }
                    workspaces.push(Workspace::parse(loaded));
                }
                Err(e) => {
                    let _ = writeln!(err, "error: {e}");
                    failed = true;
                }
            }
        }
    }
    (workspaces, failed)
}

fn run_inventory(
    args: &InventoryArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<u8> {
    let (workspaces, failed) = load_all(&args.paths, &args.limits.limits(), err);
    let mut report = inventory::Inventory {
        solutions: Vec::new(),
    };
    for ws in &workspaces {
        let solution = Solution::build(ws);
        let summary = inventory::describe(&solution);
        if let InventoryFormat::Text = args.format {
            inventory::write_text(&solution, &summary, out)?;
        }
        report.solutions.push(summary);
    }
    if let InventoryFormat::Json = args.format {
        inventory::write_json(&report, out)?;
    }
    Ok(if failed { EXIT_ERROR } else { EXIT_OK })
}

fn run_check(args: &CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    if args.paths.is_empty() {
        writeln!(err, "error: no PATH given; usage: pplint check PATH...")?;
        return Ok(EXIT_ERROR);
    }
    let (workspaces, input_failed) = load_all(&args.paths, &args.limits.limits(), err);
    let solutions: Vec<Solution<'_>> = workspaces.par_iter().map(Solution::build).collect();
    let selection = Selection {
        select: args.filter.select.clone(),
        ignore: args.filter.ignore.clone(),
        pedantic: args.filter.persona == Persona::Pedantic,
        min_confidence: args.filter.min_confidence.map(|c| match c {
            ConfidenceArg::Low => Confidence::Low,
            ConfidenceArg::Medium => Confidence::Medium,
            ConfidenceArg::High => Confidence::High,
        }),
    };
    if let Some(unknown) = unknown_rule_patterns(&selection) {
        writeln!(err, "error: no rule matches {unknown}; see 'pplint rules'")?;
        return Ok(EXIT_ERROR);
    }
    let settings = rules::Settings {
        target: match args.target {
            Some(Target::Test) => Some("test".to_string()),
            Some(Target::Prod) => Some("prod".to_string()),
            Some(Target::Dev) | None => None,
        },
    };
    let outcome = engine::lint(&solutions, &rules::registry_with(&settings), &selection);
    let sources: Vec<SolutionSource<'_>> = workspaces
        .iter()
        .map(|ws| SolutionSource {
            source: &ws.source,
            files: &ws.files,
        })
        .collect();
    let report = Report {
        solutions: &sources,
        findings: &outcome.findings,
    };
    match args.format {
        CheckFormat::Human => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                        && std::io::stdout().is_terminal()
                }
            };
            output::human::render(
                &report,
                &output::human::HumanOptions { color, width: 100 },
                out,
            )?;
        }
        CheckFormat::Json => output::json::render(&report, out)?,
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
        .any(|f| f.rule.id == rules::PPX000.id && !f.suppressed);
    if args.strict && unparsable {
        writeln!(
            err,
            "error: --strict: some input could not be parsed (PPX000)"
        )?;
    }
    if input_failed || !outcome.internal_errors.is_empty() || (args.strict && unparsable) {
        return Ok(EXIT_ERROR);
    }
    let failing = args.fail_on.threshold().is_some_and(|threshold| {
        outcome
            .findings
            .iter()
            .any(|f| !f.suppressed && f.severity >= threshold)
    });
    Ok(if failing { EXIT_FINDINGS } else { EXIT_OK })
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
