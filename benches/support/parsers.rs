//! Parsing alone, in process on one thread, next to loading (finding, reading
//! and inflating) the same files, which is the floor's work without the
//! process around it. pplint's parsers build trees in which every node keeps
//! its byte span; the reference parsers are widely used ones that build less:
//! serde_json's `Value` (a tree, no spans), saphyr-parser's events and
//! quick-xml's events (no tree at all). Only files both sides accept count.

use std::path::Path;
use std::time::{Duration, Instant};

use pplint::source::SourceFile;

use crate::{load_files, median};

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Json,
    Yaml,
    Xml,
}

const FORMATS: [(Format, &str, &str); 3] = [
    (Format::Json, "JSON", "serde_json::Value"),
    (Format::Yaml, "YAML", "saphyr-parser events"),
    (Format::Xml, "XML", "quick-xml events"),
];

/// One format's files of an input and the median time each side takes to parse them.
pub struct Parsing {
    pub format: &'static str,
    pub reference_name: &'static str,
    pub files: usize,
    pub bytes: usize,
    pub pplint: Duration,
    pub reference: Duration,
}

pub struct Comparison {
    /// Loading every file of the input, parsed or not.
    pub load: Duration,
    pub formats: Vec<Parsing>,
}

impl Comparison {
    pub fn pplint_total(&self) -> Duration {
        self.formats.iter().map(|p| p.pplint).sum()
    }

    pub fn reference_total(&self) -> Duration {
        self.formats.iter().map(|p| p.reference).sum()
    }
}

fn format_of(path: &str) -> Option<Format> {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or("");
    if name.ends_with(".json") {
        Some(Format::Json)
    } else if name.ends_with(".xml") {
        Some(Format::Xml)
    } else if name.ends_with(".yml")
        || name.ends_with(".yaml")
        || (lower.starts_with("botcomponents/") && name == "data")
    {
        Some(Format::Yaml)
    } else {
        None
    }
}

/// The text after the BOM, which serde_json refuses and pplint's parsers skip.
fn text_of(file: &SourceFile) -> Option<(&str, usize)> {
    let bom = file.bom_len();
    std::str::from_utf8(&file.bytes[bom..])
        .ok()
        .map(|text| (text, bom))
}

/// What a parse leaves (a tree, or a count of events so that reading them is
/// not optimised away), held until the timing of a round's parses stops:
/// neither side is timed freeing its trees, which a real run does not do.
type Parsed = Box<dyn std::any::Any>;

fn pplint_parse(format: Format, text: &str, bom: usize) -> Option<Parsed> {
    match format {
        Format::Json => pplint::parse::json::parse(text, bom)
            .ok()
            .map(|t| Box::new(t) as Parsed),
        Format::Yaml => pplint::parse::yaml::parse(text, bom)
            .ok()
            .map(|t| Box::new(t) as Parsed),
        Format::Xml => pplint::parse::xml::parse(text, bom)
            .ok()
            .map(|t| Box::new(t) as Parsed),
    }
}

fn reference_parse(format: Format, text: &str) -> Option<Parsed> {
    match format {
        Format::Json => serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .map(|t| Box::new(t) as Parsed),
        Format::Yaml => {
            let mut events = 0;
            for event in saphyr_parser::Parser::new_from_str(text) {
                event.ok()?;
                events += 1;
            }
            Some(Box::new(events))
        }
        Format::Xml => {
            let mut reader = quick_xml::Reader::from_str(text);
            let mut events = 0;
            loop {
                match reader.read_event().ok()? {
                    quick_xml::events::Event::Eof => return Some(Box::new(events)),
                    _ => events += 1,
                }
            }
        }
    }
}

/// Parses every text with `parse`, timing the parses but not the freeing.
fn time_parses(texts: &[(&str, usize)], parse: impl Fn(&str, usize) -> Option<Parsed>) -> Duration {
    let start = Instant::now();
    let parsed: Vec<Parsed> = texts
        .iter()
        .map(|&(text, bom)| parse(text, bom).expect("accepted before"))
        .collect();
    let elapsed = start.elapsed();
    std::hint::black_box(&parsed);
    elapsed
}

/// Medians of `runs` rounds over the files under `paths`, on a pool of one thread.
pub fn compare(paths: &[&Path], runs: usize) -> Comparison {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("thread pool");
    pool.install(|| {
        let files = load_files(paths);
        let chosen: Vec<Vec<(&str, usize)>> = FORMATS
            .iter()
            .map(|&(format, _, _)| {
                files
                    .iter()
                    .filter(|f| format_of(&f.path) == Some(format))
                    .filter_map(text_of)
                    .filter(|&(text, bom)| {
                        pplint_parse(format, text, bom).is_some()
                            && reference_parse(format, text).is_some()
                    })
                    .collect()
            })
            .collect();
        let mut load_times = Vec::new();
        let mut pplint_times = vec![Vec::new(); FORMATS.len()];
        let mut reference_times = vec![Vec::new(); FORMATS.len()];
        // One warm-up round, then rounds in which both sides follow each other.
        for round in 0..=runs {
            let start = Instant::now();
            let loaded = load_files(paths);
            let load_time = start.elapsed();
            drop(loaded);
            for (i, &(format, _, _)) in FORMATS.iter().enumerate() {
                let pplint_time =
                    time_parses(&chosen[i], |text, bom| pplint_parse(format, text, bom));
                let reference_time =
                    time_parses(&chosen[i], |text, _| reference_parse(format, text));
                if round > 0 {
                    pplint_times[i].push(pplint_time);
                    reference_times[i].push(reference_time);
                }
            }
            if round > 0 {
                load_times.push(load_time);
            }
        }
        Comparison {
            load: median(load_times),
            formats: FORMATS
                .iter()
                .enumerate()
                .map(|(i, &(_, format, reference_name))| Parsing {
                    format,
                    reference_name,
                    files: chosen[i].len(),
                    bytes: chosen[i].iter().map(|(t, _)| t.len()).sum(),
                    pplint: median(std::mem::take(&mut pplint_times[i])),
                    reference: median(std::mem::take(&mut reference_times[i])),
                })
                .collect(),
        }
    })
}
