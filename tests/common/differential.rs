//! What the differential tests of the fast parsers share: the texts they start
//! from (every file of a kind in the corpus and the fixtures, inside zips too),
//! a deterministic generator, and random edits.

use std::io::Read;
use std::path::Path;

/// `(name, bytes)` of every file under `root` whose path satisfies `wanted`,
/// zip entries included (named `zip!entry`).
pub fn texts_under(root: &Path, wanted: fn(&str) -> bool) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.expect("walk");
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let name = path.to_string_lossy().replace('\\', "/");
        if name.to_ascii_lowercase().ends_with(".zip") {
            let bytes = std::fs::read(path).expect("read zip");
            let Ok(mut archive) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
                continue;
            };
            for i in 0..archive.len() {
                let mut file = archive.by_index(i).expect("entry");
                let Ok(inner) = file.name().map(|n| n.to_string()) else {
                    continue;
                };
                if wanted(&inner) {
                    let mut data = Vec::new();
                    if file.read_to_end(&mut data).is_ok() {
                        out.push((format!("{name}!{inner}"), data));
                    }
                }
            }
        } else if wanted(&name) {
            out.push((name, std::fs::read(path).expect("read")));
        }
    }
    out
}

/// The fixtures' and (when present) the corpus's files that satisfy `wanted`.
pub fn seeds(wanted: fn(&str) -> bool) -> Vec<(String, Vec<u8>)> {
    let mut texts = texts_under(&super::fixtures(), wanted);
    if let Some(corpus) = super::corpus() {
        texts.extend(texts_under(&corpus, wanted));
    }
    texts
}

pub fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// A small deterministic generator, so a failure replays exactly.
pub struct XorShift(pub u64);

impl XorShift {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One to four random edits: insert one of `inserts`, delete, duplicate or
/// re-indent a line, or splice in a piece of the text itself.
pub fn mutate(text: &[u8], rng: &mut XorShift, inserts: &[&str]) -> Vec<u8> {
    let mut out = text.to_vec();
    for _ in 0..=rng.below(3) {
        let at = rng.below(out.len() + 1);
        match rng.below(6) {
            0 | 1 => {
                let insert = inserts[rng.below(inserts.len())].as_bytes();
                out.splice(at..at, insert.iter().copied());
            }
            2 if !out.is_empty() => {
                let end = (at + 1 + rng.below(3)).min(out.len());
                out.drain(at.min(end)..end);
            }
            3 => {
                let start = out[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                let end = out[at..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(out.len(), |i| at + i + 1);
                let line = out[start..end].to_vec();
                out.splice(start..start, line);
            }
            4 => {
                let start = out[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                if rng.below(2) == 0 {
                    out.splice(start..start, *b"  ");
                } else if out[start..].starts_with(b" ") {
                    out.remove(start);
                }
            }
            _ => {
                let from = rng.below(out.len() + 1);
                let end = (from + rng.below(40)).min(out.len());
                let piece = out[from..end].to_vec();
                out.splice(at..at, piece);
            }
        }
    }
    out
}

/// How many mutants per text: `var` from the environment, else `default`.
pub fn mutants_per_text(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// A fast reader with a general path behind it, as the differential tests see it.
pub struct FastReader {
    /// For messages: "block reader", "plain reader".
    pub name: &'static str,
    /// Whether the general path reads the text (files it rejects are not what
    /// the exports hold).
    pub parses: fn(&str) -> bool,
    /// Whether the fast reader accepted the text; panics when the trees differ.
    pub agrees: fn(&[u8]) -> bool,
}

impl FastReader {
    /// Checks every seed and that the fast reader took at least 95 % of their bytes.
    pub fn check_seeds(&self, texts: &[(String, Vec<u8>)]) {
        let mut declined = Vec::new();
        let (mut accepted_bytes, mut total_bytes) = (0usize, 0usize);
        for (name, bytes) in texts {
            let text = without_bom(bytes);
            let Ok(as_str) = std::str::from_utf8(text) else {
                continue;
            };
            if !(self.parses)(as_str) {
                continue;
            }
            total_bytes += text.len();
            if (self.agrees)(text) {
                accepted_bytes += text.len();
            } else {
                declined.push(name.as_str());
            }
        }
        let share = accepted_bytes as f64 / total_bytes.max(1) as f64;
        eprintln!(
            "{}: {:.1}% of {} bytes; declined {} files: {:?}",
            self.name,
            share * 100.0,
            total_bytes,
            declined.len(),
            &declined[..declined.len().min(20)]
        );
        assert!(
            share >= 0.95,
            "the {} declined {:.1}% of the bytes: {declined:?}",
            self.name,
            (1.0 - share) * 100.0
        );
    }

    /// Checks `per_text` mutants of each text, and that at least a fifth of
    /// them reached the fast reader.
    pub fn check_mutants(&self, texts: &[Vec<u8>], inserts: &[&str], per_text: usize, seed: u64) {
        let mut rng = XorShift(seed);
        let (mut accepted, mut tried) = (0, 0);
        for text in texts {
            for _ in 0..per_text {
                let mutant = mutate(text, &mut rng, inserts);
                tried += 1;
                if (self.agrees)(&mutant) {
                    accepted += 1;
                }
            }
        }
        eprintln!("{} accepted {accepted} of {tried} mutants", self.name);
        assert!(
            accepted * 5 > tried,
            "too few mutants reached the {}: {accepted}/{tried}",
            self.name
        );
    }
}

/// `edge_cases`, then the seeds smaller than `max_len` bytes, smallest first:
/// small files mutate into more distinct shapes per byte parsed.
pub fn mutation_texts(
    edge_cases: &[&str],
    seeds: Vec<(String, Vec<u8>)>,
    max_len: usize,
) -> Vec<Vec<u8>> {
    let mut seeds = seeds;
    seeds.sort_by_key(|(_, bytes)| bytes.len());
    edge_cases
        .iter()
        .map(|t| t.as_bytes().to_vec())
        .chain(
            seeds
                .into_iter()
                .filter(|(_, bytes)| bytes.len() < max_len)
                .map(|(_, bytes)| without_bom(&bytes).to_vec()),
        )
        .collect()
}
