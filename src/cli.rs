//! Command-line interface: argument parsing and dispatch. Output goes to the
//! writers given, so tests run the whole CLI in process.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::inventory;
use crate::model::{Solution, Workspace};
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
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show what was found in each solution (agents, topics, flows, connectors…).
    Inventory(InventoryArgs),
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
        Some(Command::Inventory(args)) => run_inventory(&args, out, err),
        None => {
            let _ = writeln!(err, "error: no command given; see 'pplint --help'");
            Ok(EXIT_ERROR)
        }
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
