//! End-to-end timing against the I/O floor, measured in one run so the ratios
//! hold on a noisy machine: `cargo bench --bench pipeline`.
//!
//! For each input: the median of several in-process runs of the CLI entry point
//! (`pplint::run`, release build, the binary's allocator) doing the floor
//! (`check --read-only`: find, read and inflate every file pplint reads, no
//! parsing) and the full pipeline (`check --format json`, output discarded),
//! each in a pool of 1 and of 2 threads. Peak RSS comes from runs of the
//! binary itself. Inputs: every real corpus item (when
//! `../shared/corpus` exists), the whole corpus in one run, and generated
//! solutions at three sizes spanning 100×. `PPLINT_BENCH_RUNS` sets the runs
//! (default 7); `PPLINT_BENCH_QUICK=1` measures only the whole corpus and the
//! generated sizes.

#[path = "support/generate.rs"]
mod generate;

// The allocator of the `pplint` binary, so in-process timings match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::Path;
use std::time::{Duration, Instant};

fn runs() -> usize {
    std::env::var("PPLINT_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Median wall time of `pplint args…` in a pool of `threads`.
fn time(threads: usize, args: &[&str]) -> Duration {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    let mut argv = vec!["pplint"];
    argv.extend_from_slice(args);
    // One warm-up run fills the page cache, as a second run by a user would.
    pool.install(|| pplint::run(argv.clone(), &mut std::io::sink(), &mut std::io::sink()));
    let samples = (0..runs())
        .map(|_| {
            let start = Instant::now();
            let code = pool
                .install(|| pplint::run(argv.clone(), &mut std::io::sink(), &mut std::io::sink()));
            let elapsed = start.elapsed();
            assert!(code <= 1, "pplint {args:?} exited {code}");
            elapsed
        })
        .collect();
    median(samples)
}

struct Row {
    name: String,
    floor1: Duration,
    full1: Duration,
    floor2: Duration,
    full2: Duration,
}

fn measure(name: &str, path: &Path) -> Row {
    let path = path.to_str().expect("utf-8 path");
    let floor = ["check", "--read-only", "--no-config", path];
    let full = [
        "check",
        "--format",
        "json",
        "--fail-on",
        "never",
        "--no-config",
        path,
    ];
    Row {
        name: name.to_string(),
        floor1: time(1, &floor),
        full1: time(1, &full),
        floor2: time(2, &floor),
        full2: time(2, &full),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn ratio(a: Duration, b: Duration) -> String {
    format!("{:.2}×", a.as_secs_f64() / b.as_secs_f64().max(1e-9))
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

/// Peak resident memory (KiB) of the release binary on `path` with `threads`
/// rayon threads, via GNU time.
fn peak_rss_kib(path: &Path, threads: usize) -> Option<u64> {
    let binary = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/pplint");
    if !binary.exists() || !Path::new("/usr/bin/time").exists() {
        return None;
    }
    let output = std::process::Command::new("/usr/bin/time")
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
        .arg(path)
        .env("RAYON_NUM_THREADS", threads.to_string())
        .stdout(std::process::Stdio::null())
        .output()
        .ok()?;
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .last()?
        .trim()
        .parse()
        .ok()
}

fn uncompressed_bytes(path: &Path) -> u64 {
    let mut out = Vec::new();
    pplint::run(
        [
            "pplint",
            "check",
            "--read-only",
            "--no-config",
            path.to_str().expect("utf-8"),
        ],
        &mut out,
        &mut std::io::sink(),
    );
    let text = String::from_utf8_lossy(&out);
    text.split(['(', ' '])
        .find_map(|w| {
            w.parse::<u64>()
                .ok()
                .filter(|_| text.contains(&format!("({w} bytes)")))
        })
        .unwrap_or(0)
}

fn main() {
    let build = std::process::Command::new(env!("CARGO"))
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
        "pplint benchmark: median of {} runs after one warm-up, {} cores\n",
        runs(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    let mut rows = Vec::new();
    if corpus.is_dir() {
        if !quick {
            let items: Vec<String> = include_str!("../tests/data/corpus_expected.tsv")
                .lines()
                .skip(1)
                .filter_map(|l| l.split('\t').next().map(str::to_string))
                .collect();
            for item in &items {
                rows.push(measure(item, &corpus.join(item)));
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
        }
        let whole = measure("whole corpus (one run)", &corpus);
        println!("## Whole corpus\n");
        print_rows(std::slice::from_ref(&whole));
        println!();
    } else {
        println!("SKIPPED corpus rows: {} is absent\n", corpus.display());
    }

    println!("## Generated solutions (scaling)\n");
    let scaling: Vec<Row> = generated
        .iter()
        .map(|(name, path)| measure(name, path))
        .collect();
    print_rows(&scaling);
    let base = scaling[0].full1.as_secs_f64();
    println!();
    for (row, (_, path)) in scaling.iter().zip(&generated) {
        let bytes = uncompressed_bytes(path);
        let rss = peak_rss_kib(path, 1).zip(peak_rss_kib(path, 2));
        println!(
            "- {}: {} bytes read, full run {:.1}× the S run (1 thread){}",
            row.name,
            bytes,
            row.full1.as_secs_f64() / base,
            rss.map_or(String::new(), |(one, two)| format!(
                ", peak RSS {:.1} MiB (1 thread) / {:.1} MiB (2 threads) (budget 2 × {:.1} MiB + 64 MiB = {:.1} MiB)",
                one as f64 / 1024.0,
                two as f64 / 1024.0,
                bytes as f64 / 1048576.0,
                2.0 * bytes as f64 / 1048576.0 + 64.0
            ))
        );
    }
}
