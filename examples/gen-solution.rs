//! Writes a synthetic solution export for benchmarks:
//! `cargo run --release --example gen-solution -- --flows 60 --topics 120 --connectors 10 out.zip`

#[path = "../benches/support/generate.rs"]
mod generate;

fn main() {
    let mut size = generate::Size {
        flows: 10,
        topics: 20,
        connectors: 2,
    };
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> usize {
            args.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{name} needs a number"))
        };
        match arg.as_str() {
            "--flows" => size.flows = number("--flows"),
            "--topics" => size.topics = number("--topics"),
            "--connectors" => size.connectors = number("--connectors"),
            path => out = Some(path.to_string()),
        }
    }
    let out = out.unwrap_or_else(|| "generated-solution.zip".to_string());
    let file = std::fs::File::create(&out).unwrap_or_else(|e| panic!("{out}: {e}"));
    generate::write_solution(&size, std::io::BufWriter::new(file))
        .unwrap_or_else(|e| panic!("{out}: {e}"));
    eprintln!(
        "wrote {out}: {} flows, {} topics, {} connectors",
        size.flows, size.topics, size.connectors
    );
}
