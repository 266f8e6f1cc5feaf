//! End-to-end timing against the I/O floor, measured in one run so the ratios
//! hold on a noisy machine: `cargo bench --bench pipeline`.
//!
//! For each input: the median of several runs of the release binary, as a
//! process (start, output and exit included, as users run it), doing the
//! floor (`check --read-only`: find, read and inflate every file pplint reads,
//! no parsing) and the full pipeline (`check --format json`, output to
//! /dev/null), each with `RAYON_NUM_THREADS=1` and `=2`. The four runs of a
//! round follow each other, so drift on a shared machine hits them alike.
//! Inputs: every real corpus item (when `../shared/corpus` exists), the whole
//! corpus in one run, and generated solutions at three sizes spanning 100×.
//! `PPLINT_BENCH_RUNS` sets the rounds (default 7); `PPLINT_BENCH_QUICK=1`
//! measures only the whole corpus and the generated sizes; `PPLINT_BENCH_BIN`
//! times another build of pplint (an older commit, say) on the same inputs.

#[path = "support/generate.rs"]
mod generate;
#[path = "support/parsers.rs"]
mod parsers;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn runs() -> usize {
    std::env::var("PPLINT_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7)
}

fn binary() -> PathBuf {
    std::env::var_os("PPLINT_BENCH_BIN").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/pplint"),
        PathBuf::from,
    )
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Wall time of one `pplint args…` process with `threads` rayon threads.
fn time_once(threads: usize, args: &[&str]) -> Duration {
    let start = Instant::now();
    let status = Command::new(binary())
        .args(args)
        .env("RAYON_NUM_THREADS", threads.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run pplint");
    let elapsed = start.elapsed();
    assert!(
        status.code().is_some_and(|c| c <= 1),
        "pplint {args:?} exited {status}"
    );
    elapsed
}

struct Row {
    name: String,
    floor1: Duration,
    full1: Duration,
    floor2: Duration,
    full2: Duration,
}

/// Times the floor and the full run of one pplint process over `paths`.
fn measure(name: &str, paths: &[&Path]) -> Row {
    let paths: Vec<&str> = paths
        .iter()
        .map(|p| p.to_str().expect("utf-8 path"))
        .collect();
    let mut floor = vec!["check", "--read-only", "--no-config"];
    floor.extend(&paths);
    let mut full = vec![
        "check",
        "--format",
        "json",
        "--fail-on",
        "never",
        "--no-config",
    ];
    full.extend(&paths);
    let configs = [
        (1, &floor[..]),
        (1, &full[..]),
        (2, &floor[..]),
        (2, &full[..]),
    ];
    // One warm-up round fills the page cache, as a second run by a user would.
    for (threads, args) in configs {
        time_once(threads, args);
    }
    let mut samples: [Vec<Duration>; 4] = Default::default();
    for _ in 0..runs() {
        for (i, (threads, args)) in configs.into_iter().enumerate() {
            samples[i].push(time_once(threads, args));
        }
    }
    let [floor1, full1, floor2, full2] = samples.map(median);
    Row {
        name: name.to_string(),
        floor1,
        full1,
        floor2,
        full2,
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// How many times `b` fits in `a`.
fn times(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}

fn ratio(a: Duration, b: Duration) -> String {
    format!("{:.2}×", times(a, b))
}

fn print_rows(rows: &[Row]) {
    println!(
        "| input | floor 1t ms | full 1t ms | full/floor 1t | floor 2t ms | full 2t ms | full/floor 2t |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.name,
            ms(r.floor1),
            ms(r.full1),
            ratio(r.full1, r.floor1),
            ms(r.floor2),
            ms(r.full2),
            ratio(r.full2, r.floor2)
        );
    }
}

/// Peak resident memory (KiB) of one full run of the release binary over
/// `paths` with `threads` rayon threads, via GNU time.
fn peak_rss_kib(paths: &[&Path], threads: usize) -> Option<u64> {
    let binary = binary();
    if !binary.exists() || !Path::new("/usr/bin/time").exists() {
        return None;
    }
    let output = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(&binary)
        .args([
            "check",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--no-config",
        ])
        .args(paths)
        .env("RAYON_NUM_THREADS", threads.to_string())
        .stdout(Stdio::null())
        .output()
        .ok()?;
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .last()?
        .trim()
        .parse()
        .ok()
}

/// The bytes of every file pplint reads under `path`, as the floor reports them.
fn uncompressed_bytes(path: &Path) -> u64 {
    load_files(&[path])
        .iter()
        .map(|f| f.bytes.len() as u64)
        .sum()
}

/// Every file pplint reads from the solutions under `paths`, loaded as a run
/// loads them (found, read and inflated; nothing parsed).
fn load_files(paths: &[&Path]) -> Vec<pplint::source::SourceFile> {
    let limits = pplint::source::load::Limits::default();
    let mut files = Vec::new();
    for path in paths {
        let (roots, _) = pplint::source::load::discover(path).expect("discover");
        for root in &roots {
            files.extend(
                pplint::source::load::load(root, &limits)
                    .expect("load")
                    .files,
            );
        }
    }
    files
}

fn main() {
    let build = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("cargo build --release");
    assert!(build.success(), "cargo build --release failed");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&dir).expect("target/bench");
    let sizes = [
        ("generated S (6 flows, 12 topics, 2 connectors)", 6, 12, 2),
        ("generated M (×10)", 60, 120, 20),
        ("generated L (×100)", 600, 1200, 200),
    ];
    let mut generated = Vec::new();
    for (name, flows, topics, connectors) in sizes {
        let path = dir.join(format!("generated-{flows}.zip"));
        let file = std::fs::File::create(&path).expect("create");
        generate::write_solution(
            &generate::Size {
                flows,
                topics,
                connectors,
            },
            std::io::BufWriter::new(file),
        )
        .expect("generate");
        generated.push((name, path));
    }

    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let quick = std::env::var("PPLINT_BENCH_QUICK").is_ok_and(|v| v == "1");
    println!(
        "pplint benchmark: {}, median of {} runs after one warm-up, {} cores\n",
        binary().display(),
        runs(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    let mut rows = Vec::new();
    if corpus.is_dir() {
        let items = corpus_items();
        if !quick {
            for item in &items {
                rows.push(measure(item, &[&corpus.join(item)]));
            }
            let mut typical: Vec<Duration> = rows.iter().map(|r| r.full2).collect();
            typical.sort();
            println!("## Every corpus item\n");
            print_rows(&rows);
            println!(
                "\nCorpus items: {}; median full run (2 threads) {} ms; slowest {} ms.\n",
                rows.len(),
                ms(typical[typical.len() / 2]),
                ms(*typical.last().expect("items"))
            );
            println!("{}\n", ratio_targets(&rows));
        }
        // A pipeline gating a tenant's exports lints many solutions in one
        // run: memory must stay within the budget of the largest of them.
        let five = [corpus.as_path(); 5];
        let whole = [
            measure("whole corpus (one run)", &five[..1]),
            measure("whole corpus five times (one run)", &five),
        ];
        println!("## Whole corpus\n");
        print_rows(&whole);
        println!();
        // An item's bytes bound those of its largest solution from above.
        let largest = items
            .iter()
            .map(|item| uncompressed_bytes(&corpus.join(item)))
            .max()
            .unwrap_or(0);
        for (row, copies) in whole.iter().zip([1, 5]) {
            println!(
                "- {}: {}",
                row.name,
                rss_against_budget(&five[..copies], largest)
            );
        }
        println!(
            "  (budget from the largest corpus item, {largest} bytes read; each run holds its solutions' findings and the files they point at)\n"
        );
    } else {
        println!("SKIPPED corpus rows: {} is absent\n", corpus.display());
    }

    println!("## Generated solutions (scaling)\n");
    let scaling: Vec<Row> = generated
        .iter()
        .map(|(name, path)| measure(name, &[path]))
        .collect();
    print_rows(&scaling);
    println!();
    let mut previous: Option<(u64, Duration)> = None;
    for (row, (_, path)) in scaling.iter().zip(&generated) {
        let bytes = uncompressed_bytes(path);
        // Linear growth: the time ratio to the next smaller size against the
        // byte ratio (process start is in both, so small sizes grow slower).
        let growth = previous.map_or(String::new(), |(before_bytes, before_time)| {
            format!(
                ", {:.1}× the bytes and {:.1}× the time (1 thread) of the size before",
                bytes as f64 / before_bytes.max(1) as f64,
                times(row.full1, before_time)
            )
        });
        previous = Some((bytes, row.full1));
        println!(
            "- {}: {} bytes read{}, {}",
            row.name,
            bytes,
            growth,
            rss_against_budget(&[path], bytes)
        );
    }

    // How much of the gap to the floor parsing alone must take: pplint's
    // parsers and widely used ones that build less, against loading.
    println!("\n## Parsing alone against loading (in process, one thread)\n");
    let mut inputs: Vec<(&str, &Path)> = vec![("generated L", &generated[2].1)];
    if corpus.is_dir() {
        inputs.push(("whole corpus", &corpus));
    }
    println!("| input | format | files | MiB | pplint ms | reference ms | reference parser |");
    println!("|---|---|---:|---:|---:|---:|---|");
    let mut totals = Vec::new();
    for (name, path) in inputs {
        let comparison = parsers::compare(&[path], runs());
        for p in &comparison.formats {
            println!(
                "| {name} | {} | {} | {:.2} | {} | {} | {} |",
                p.format,
                p.files,
                p.bytes as f64 / 1048576.0,
                ms(p.pplint),
                ms(p.reference),
                p.reference_name
            );
        }
        totals.push((name, comparison));
    }
    println!();
    for (name, c) in &totals {
        println!(
            "- {name}: loading {} ms; parsing with pplint's parsers {} ms ({} the loading), with the reference parsers {} ms ({})",
            ms(c.load),
            ms(c.pplint_total()),
            ratio(c.pplint_total(), c.load),
            ms(c.reference_total()),
            ratio(c.reference_total(), c.load)
        );
    }
}

/// The items' full/floor ratios against the targets: ≤ 2.0× on one thread,
/// ≤ 1.2× on two.
fn ratio_targets(rows: &[Row]) -> String {
    let ratios = |full: fn(&Row) -> Duration, floor: fn(&Row) -> Duration| {
        let mut r: Vec<f64> = rows
            .iter()
            .map(|row| times(full(row), floor(row)))
            .collect();
        r.sort_by(f64::total_cmp);
        r
    };
    let one = ratios(|r| r.full1, |r| r.floor1);
    let two = ratios(|r| r.full2, |r| r.floor2);
    format!(
        "Full/floor of the items: median {:.2}× (1 thread) and {:.2}× (2 threads); {} of {} within 2.0× on one thread, {} within 1.2× on two.",
        one[one.len() / 2],
        two[two.len() / 2],
        one.iter().filter(|&&r| r <= 2.0).count(),
        rows.len(),
        two.iter().filter(|&&r| r <= 1.2).count()
    )
}

/// The corpus items of `tests/data/corpus_expected.tsv`, paths under the corpus.
fn corpus_items() -> Vec<String> {
    include_str!("../tests/data/corpus_expected.tsv")
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next().map(str::to_string))
        .collect()
}

/// Peak RSS of a full run over `paths` with one and with two threads, against
/// the budget for a largest solution of `largest` bytes.
fn rss_against_budget(paths: &[&Path], largest: u64) -> String {
    let budget = 2.0 * largest as f64 / 1048576.0 + 64.0;
    match peak_rss_kib(paths, 1).zip(peak_rss_kib(paths, 2)) {
        Some((one, two)) => format!(
            "peak RSS {:.1} MiB (1 thread) / {:.1} MiB (2 threads) (budget 2 × {:.1} MiB + 64 MiB = {budget:.1} MiB){}",
            one as f64 / 1024.0,
            two as f64 / 1024.0,
            largest as f64 / 1048576.0,
            if one.max(two) as f64 / 1024.0 > budget {
                " OVER BUDGET"
            } else {
                ""
            }
        ),
        None => "peak RSS not measured (no /usr/bin/time)".to_string(),
    }
}
