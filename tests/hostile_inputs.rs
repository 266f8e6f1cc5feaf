//! Hostile inputs: every one is built here (no binaries are committed) and must
//! end with a clear error or a reported problem, in bounded time and memory,
//! while the rest of the solution is still read.
//!
//! Zip archives whose bytes matter (bombs, lying sizes, odd names, corrupt
//! headers) are written by hand with [`raw_zip`]: a deflate stream of one
//! repeated byte is generated directly (fixed Huffman codes, 13 bits per 258
//! bytes), so a 200 MiB entry costs about 1.3 MB and a few milliseconds.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pplint::inventory::Counts;
use pplint::model::{AuthMode, Solution, Workspace};
use pplint::source::ProblemKind;
use pplint::source::load::{
    InputError, Layout, Limits, LoadedSolution, discover, load, load_zip_bytes,
};

const MIB: u64 = 1024 * 1024;

// ---------------------------------------------------------------------------
// Fixture text
// ---------------------------------------------------------------------------

const SOLUTION_XML: &str = r#"<ImportExportXml version="9.2.24014.198" SolutionPackageVersion="9.2" languagecode="1033" generatedBy="CrmLive">
  <SolutionManifest>
    <UniqueName>Hostile</UniqueName>
    <LocalizedNames>
      <LocalizedName description="Hostile" languagecode="1033" />
    </LocalizedNames>
    <Descriptions />
    <Version>1.0.0.0</Version>
    <Managed>0</Managed>
    <Publisher>
      <UniqueName>contoso</UniqueName>
      <CustomizationPrefix>cnt</CustomizationPrefix>
      <CustomizationOptionValuePrefix>10000</CustomizationOptionValuePrefix>
    </Publisher>
    <RootComponents />
    <MissingDependencies />
  </SolutionManifest>
</ImportExportXml>
"#;

const CUSTOMIZATIONS_XML: &str = r#"<ImportExportXml xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Entities />
  <Roles />
  <Workflows />
  <Connectors />
  <connectionreferences />
  <Languages>
    <Language>1033</Language>
  </Languages>
</ImportExportXml>
"#;

const BOT_XML: &str = r#"<bot schemaname="cnt_b">
  <authenticationmode>2</authenticationmode>
  <authenticationtrigger>1</authenticationtrigger>
  <language>1033</language>
  <name>Hostile Bot</name>
  <template>default-2.1.0</template>
</bot>
"#;

const BOT_PATH: &str = "bots/cnt_b/bot.xml";
const CONFIG_PATH: &str = "bots/cnt_b/configuration.json";
const COMPONENT_DIR: &str = "botcomponents/cnt_b.topic.T";

fn component_xml(component_type: u32) -> String {
    format!(
        "<botcomponent schemaname=\"cnt_b.topic.T\">\n  <componenttype>{component_type}</componenttype>\n  \
         <name>T</name>\n  <parentbotid>\n    <schemaname>cnt_b</schemaname>\n  </parentbotid>\n</botcomponent>\n"
    )
}

const TOPIC_YAML: &str =
    "kind: AdaptiveDialog\nbeginDialog:\n  kind: OnRecognizedIntent\n  id: main\n";

/// BOM + the text with every `\n` turned into `\r\n`.
fn bom_crlf(text: &str) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    out.extend_from_slice(text.replace('\n', "\r\n").as_bytes());
    out
}

// ---------------------------------------------------------------------------
// Temporary directories (no tempfile crate): unique per process and test,
// removed on drop, also when the test fails.
// ---------------------------------------------------------------------------

struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> TempDir {
        let path =
            std::env::temp_dir().join(format!("pplint-hostile-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn join(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }

    fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("create parent");
        std::fs::write(&path, bytes).expect("write temp file");
        path
    }

    fn mkdir(&self, rel: &str) -> PathBuf {
        let path = self.0.join(rel);
        std::fs::create_dir_all(&path).expect("create dir");
        path
    }

    /// Every file name below the directory (recursively, symlinks not followed).
    fn names(&self) -> Vec<String> {
        fn walk(dir: &Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                out.push(entry.file_name().to_string_lossy().into_owned());
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    walk(&entry.path(), out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.0, &mut out);
        out.sort();
        out
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn s(path: &Path) -> &str {
    path.to_str().expect("utf-8 temp path")
}

// ---------------------------------------------------------------------------
// Loading helpers
// ---------------------------------------------------------------------------

const SHOWN: &str = "hostile.zip";

/// `load_zip_bytes`, sorted the way `load` sorts.
fn load_mem(bytes: &[u8], limits: &Limits) -> Result<LoadedSolution, InputError> {
    let mut loaded = LoadedSolution {
        source: SHOWN.to_string(),
        layout: Layout::Zip,
        files: Vec::new(),
        listed: Vec::new(),
        problems: Vec::new(),
        notes: Vec::new(),
    };
    load_zip_bytes(bytes, SHOWN, limits, &mut loaded)?;
    loaded.files.sort_by(|a, b| a.path.cmp(&b.path));
    loaded.listed.sort_by(|a, b| a.path.cmp(&b.path));
    loaded
        .problems
        .sort_by(|a, b| (&a.file, a.span).cmp(&(&b.file, b.span)));
    Ok(loaded)
}

/// `discover` + `load` of a path holding exactly one solution.
fn load_path(path: &Path, limits: &Limits) -> LoadedSolution {
    let (roots, notes) = discover(path).expect("discover");
    assert_eq!(roots.len(), 1, "one solution under {}", path.display());
    assert!(notes.is_empty(), "discovery notes: {notes:?}");
    load(&roots[0], limits).expect("load")
}

fn file_paths(loaded: &LoadedSolution) -> Vec<&str> {
    loaded.files.iter().map(|f| f.path.as_str()).collect()
}

fn listed_paths(loaded: &LoadedSolution) -> Vec<&str> {
    loaded.listed.iter().map(|l| l.path.as_str()).collect()
}

fn file_bytes<'a>(loaded: &'a LoadedSolution, path: &str) -> &'a [u8] {
    &loaded
        .files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("{path} not read"))
        .bytes
}

/// `(file, kind, detail)` of each problem.
fn summary(problems: &[pplint::source::Problem]) -> Vec<(String, ProblemKind, String)> {
    problems
        .iter()
        .map(|p| (p.file.clone(), p.kind, p.detail.clone()))
        .collect()
}

fn err_of(result: Result<LoadedSolution, InputError>) -> InputError {
    match result {
        Ok(loaded) => panic!(
            "expected an input error, got files {:?}, problems {:?}",
            file_paths(&loaded),
            summary(&loaded.problems)
        ),
        Err(err) => err,
    }
}

/// Panics when `f` takes longer than `limit` (a loose sanity guard, not a benchmark).
fn within<T>(limit: Duration, what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    let elapsed = start.elapsed();
    assert!(elapsed < limit, "{what} took {elapsed:?} (limit {limit:?})");
    out
}

// ---------------------------------------------------------------------------
// Hand-written zip archives
// ---------------------------------------------------------------------------

fn crc_byte(mut crc: u32, byte: u8) -> u32 {
    crc ^= u32::from(byte);
    for _ in 0..8 {
        crc = if crc & 1 == 1 {
            (crc >> 1) ^ 0xEDB8_8320
        } else {
            crc >> 1
        };
    }
    crc
}

fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0, |crc, &b| crc_byte(crc, b))
}

/// An affine map over GF(2)^32: `apply(s) = k ^ (xor of cols[i] for each set bit i of s)`.
#[derive(Clone, Copy)]
struct Affine {
    cols: [u32; 32],
    k: u32,
}

impl Affine {
    fn identity() -> Affine {
        let mut cols = [0; 32];
        for (i, col) in cols.iter_mut().enumerate() {
            *col = 1 << i;
        }
        Affine { cols, k: 0 }
    }

    fn apply(&self, s: u32) -> u32 {
        (0..32)
            .filter(|i| s >> i & 1 == 1)
            .fold(self.k, |acc, i| acc ^ self.cols[i])
    }

    /// `self ∘ other`.
    fn after(&self, other: &Affine) -> Affine {
        let mut cols = [0; 32];
        for (i, col) in cols.iter_mut().enumerate() {
            *col = self.apply(other.cols[i]) ^ self.k;
        }
        Affine {
            cols,
            k: self.apply(other.k),
        }
    }
}

/// CRC-32 of `len` copies of `byte`, in O(log len): one CRC byte step is affine,
/// so `len` steps are that map raised to the power `len`.
fn crc32_of_run(byte: u8, len: u64) -> u32 {
    let k = crc_byte(0, byte);
    let mut cols = [0; 32];
    for (i, col) in cols.iter_mut().enumerate() {
        *col = crc_byte(1 << i, byte) ^ k;
    }
    let mut base = Affine { cols, k };
    let mut result = Affine::identity();
    let mut n = len;
    while n > 0 {
        if n & 1 == 1 {
            result = base.after(&result);
        }
        base = base.after(&base);
        n >>= 1;
    }
    !result.apply(!0)
}

struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value) << self.n;
        self.n += count;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// Huffman codes are packed most significant bit first.
    fn code(&mut self, code: u32, len: u32) {
        self.put(code.reverse_bits() >> (32 - len), len);
    }
}

/// A raw deflate stream inflating to `len` copies of `byte` (`byte` < 144): one
/// fixed-Huffman block, a literal, then length-258 distance-1 matches.
fn deflate_run(byte: u8, len: u64) -> Vec<u8> {
    assert!(byte < 144, "only 8-bit fixed literal codes are generated");
    let mut bits = Bits {
        out: Vec::with_capacity((len / 150) as usize + 16),
        acc: 0,
        n: 0,
    };
    bits.put(1, 1); // BFINAL
    bits.put(1, 2); // BTYPE = fixed Huffman
    let literal = |bits: &mut Bits| bits.code(0x30 + u32::from(byte), 8);
    let mut remaining = len;
    if remaining > 0 {
        literal(&mut bits);
        remaining -= 1;
    }
    while remaining >= 258 {
        bits.code(0xC5, 8); // length code 285 = 258 bytes
        bits.code(0, 5); // distance code 0 = 1 byte back
        remaining -= 258;
    }
    for _ in 0..remaining {
        literal(&mut bits);
    }
    bits.code(0, 7); // end of block
    if bits.n > 0 {
        bits.out.push(bits.acc as u8);
    }
    bits.out
}

#[derive(Clone)]
struct RawEntry {
    name: Vec<u8>,
    /// 0 = stored, 8 = deflate.
    method: u16,
    flags: u16,
    /// As stored in the archive (compressed).
    data: Vec<u8>,
    crc: u32,
    /// Declared uncompressed size (may lie).
    size: u32,
}

fn stored(name: &str, bytes: impl AsRef<[u8]>) -> RawEntry {
    let bytes = bytes.as_ref();
    RawEntry {
        name: name.as_bytes().to_vec(),
        method: 0,
        flags: 0,
        data: bytes.to_vec(),
        crc: crc32(bytes),
        size: u32::try_from(bytes.len()).expect("small"),
    }
}

/// A deflated entry of `len` copies of `byte`, honest size and CRC.
fn deflated_run(name: &str, byte: u8, len: u64) -> RawEntry {
    RawEntry {
        name: name.as_bytes().to_vec(),
        method: 8,
        flags: 0,
        data: deflate_run(byte, len),
        crc: crc32_of_run(byte, len),
        size: u32::try_from(len).expect("under 4 GiB"),
    }
}

fn raw_zip(entries: &[RawEntry]) -> Vec<u8> {
    raw_zip_with_aliases(entries, &[])
}

/// A zip of `entries`, plus extra central-directory records `(name, i)` that
/// point at entry `i`'s local header and data (overlapping entries).
fn raw_zip_with_aliases(entries: &[RawEntry], aliases: &[(String, usize)]) -> Vec<u8> {
    fn u16le(out: &mut Vec<u8>, v: u16) {
        out.extend_from_slice(&v.to_le_bytes());
    }
    fn u32le(out: &mut Vec<u8>, v: u32) {
        out.extend_from_slice(&v.to_le_bytes());
    }
    fn common(out: &mut Vec<u8>, e: &RawEntry, name: &[u8]) {
        u16le(out, 20); // version needed
        u16le(out, e.flags);
        u16le(out, e.method);
        u16le(out, 0); // time
        u16le(out, 33); // date: 1980-01-01
        u32le(out, e.crc);
        u32le(out, u32::try_from(e.data.len()).expect("small"));
        u32le(out, e.size);
        u16le(out, u16::try_from(name.len()).expect("short name"));
        u16le(out, 0); // extra length
    }
    let mut out = Vec::new();
    let mut offsets = Vec::new();
    for e in entries {
        offsets.push(u32::try_from(out.len()).expect("small archive"));
        u32le(&mut out, 0x0403_4b50);
        common(&mut out, e, &e.name);
        out.extend_from_slice(&e.name);
        out.extend_from_slice(&e.data);
    }
    let cd_start = out.len();
    let records = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.name.clone(), i))
        .chain(aliases.iter().map(|(n, i)| (n.as_bytes().to_vec(), *i)));
    let mut count = 0u16;
    for (name, i) in records {
        let e = &entries[i];
        u32le(&mut out, 0x0201_4b50);
        u16le(&mut out, 20); // version made by
        common(&mut out, e, &name);
        u16le(&mut out, 0); // comment length
        u16le(&mut out, 0); // disk
        u16le(&mut out, 0); // internal attributes
        u32le(&mut out, 0); // external attributes
        u32le(&mut out, offsets[i]);
        out.extend_from_slice(&name);
        count += 1;
    }
    let cd_len = out.len() - cd_start;
    u32le(&mut out, 0x0605_4b50);
    u16le(&mut out, 0);
    u16le(&mut out, 0);
    u16le(&mut out, count);
    u16le(&mut out, count);
    u32le(&mut out, u32::try_from(cd_len).expect("small"));
    u32le(&mut out, u32::try_from(cd_start).expect("small"));
    u16le(&mut out, 0);
    out
}

/// solution.xml, customizations.xml and one agent, plus `extra`.
fn base_with(extra: Vec<RawEntry>) -> Vec<RawEntry> {
    let mut entries = vec![
        stored("solution.xml", SOLUTION_XML),
        stored("customizations.xml", CUSTOMIZATIONS_XML),
        stored(BOT_PATH, BOT_XML),
    ];
    entries.extend(extra);
    entries
}

#[test]
fn the_hand_written_zip_and_deflate_generators_are_sound() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    for len in [0, 1, 257, 258, 259, 1000, 70_001] {
        assert_eq!(
            crc32_of_run(b' ', len),
            crc32(&vec![b' '; len as usize]),
            "{len}"
        );
    }
    // What the loader inflates is exactly what was meant, CRC checked at EOF.
    let len = 100_003;
    let zip = raw_zip(&[
        stored("solution.xml", SOLUTION_XML),
        deflated_run("customizations.xml", b' ', len),
    ]);
    let loaded = load_mem(&zip, &Limits::default()).expect("valid zip");
    assert!(
        loaded.problems.is_empty(),
        "{:?}",
        summary(&loaded.problems)
    );
    assert_eq!(
        file_bytes(&loaded, "customizations.xml"),
        vec![b' '; len as usize]
    );
    assert_eq!(file_bytes(&loaded, "solution.xml"), SOLUTION_XML.as_bytes());
}

// ---------------------------------------------------------------------------
// 1. Zip bombs: one huge entry
// ---------------------------------------------------------------------------

/// 200 MiB of spaces as `customizations.xml`, about 1.3 MB compressed.
const BOMB_LEN: u64 = 200 * MIB;

fn bomb_zip(declared_size: Option<u32>) -> Vec<u8> {
    let mut bomb = deflated_run("customizations.xml", b' ', BOMB_LEN);
    if let Some(size) = declared_size {
        bomb.size = size;
    }
    raw_zip(&[
        stored("solution.xml", SOLUTION_XML),
        bomb,
        stored(BOT_PATH, BOT_XML),
    ])
}

#[test]
fn zip_bomb_entry_over_the_file_cap_is_a_too_large_problem() {
    let zip = bomb_zip(None);
    assert!(zip.len() < 2 * MIB as usize, "the bomb itself is small");
    assert!(
        Limits::default().max_file_bytes < BOMB_LEN,
        "the default cap stops this bomb"
    );
    for cap in [16 * MIB, Limits::default().max_file_bytes] {
        let limits = Limits {
            max_file_bytes: cap,
            ..Limits::default()
        };
        let loaded = within(Duration::from_secs(20), "loading a zip bomb", || {
            load_mem(&zip, &limits).expect("a bomb is not an input error")
        });
        assert_eq!(
            summary(&loaded.problems),
            [(
                "customizations.xml".to_string(),
                ProblemKind::TooLarge,
                format!(
                    "the file is {BOMB_LEN} bytes, over the {cap}-byte limit (see --max-file-size)"
                ),
            )]
        );
        assert_eq!(file_paths(&loaded), [BOT_PATH, "solution.xml"]);
        let ws = Workspace::parse(loaded);
        let solution = Solution::build(&ws);
        assert_eq!(solution.unique_name(), Some("Hostile"));
        assert_eq!(solution.agents.len(), 1);
        assert_eq!(
            solution.problems[0].message(SHOWN),
            format!(
                "Could not parse customizations.xml as too-large: the file is {BOMB_LEN} bytes, \
                 over the {cap}-byte limit (see --max-file-size)."
            )
        );
    }
}

#[test]
fn zip_bomb_lying_about_its_size_is_cut_off_at_the_declared_size() {
    // Declares 1 MiB (under the 16 MiB cap) but inflates to 200 MiB: reading
    // stops right after the declared size, so at most ~1 MiB is inflated.
    let zip = bomb_zip(Some(MIB as u32));
    let limits = Limits {
        max_file_bytes: 16 * MIB,
        ..Limits::default()
    };
    let loaded = within(Duration::from_secs(20), "loading a lying zip bomb", || {
        load_mem(&zip, &limits).expect("a bomb is not an input error")
    });
    let problems = summary(&loaded.problems);
    assert_eq!(problems.len(), 1, "{problems:?}");
    let (file, kind, detail) = &problems[0];
    assert_eq!(file, "customizations.xml");
    assert_eq!(*kind, ProblemKind::Zip);
    assert!(
        detail.starts_with("cannot inflate the entry: ")
            && detail.contains("larger than its declared uncompressed size"),
        "{detail}"
    );
    assert_eq!(file_paths(&loaded), [BOT_PATH, "solution.xml"]);

    // Declaring more than the cap is refused before inflating anything.
    let zip = bomb_zip(Some(u32::MAX));
    let loaded = load_mem(&zip, &limits).expect("loads");
    assert_eq!(loaded.problems[0].kind, ProblemKind::TooLarge);
    assert_eq!(
        loaded.problems[0].detail,
        format!(
            "the file is {} bytes, over the {}-byte limit (see --max-file-size)",
            u32::MAX,
            16 * MIB
        )
    );
}

#[test]
fn zip_bomb_through_the_cli_is_a_ppx000_finding_and_the_cap_is_a_flag() {
    let dir = TempDir::new("bomb_cli");
    let bomb = dir.write("bomb.zip", bomb_zip(None));
    let run = within(Duration::from_secs(30), "pplint check on a bomb", || {
        common::pplint(&["check", "--format", "json", "--color", "never", s(&bomb)])
    });
    assert_eq!(run.code, 1, "PPX000 is high severity: {}", run.stderr);
    assert!(
        run.stdout.contains(&format!(
            "Could not parse customizations.xml as too-large: the file is {BOMB_LEN} bytes, over the {}-byte limit (see --max-file-size).",
            Limits::default().max_file_bytes
        )),
        "{}",
        run.stdout
    );

    // The flags change the caps: a tiny --max-file-size refuses even solution.xml.
    let small = dir.write("small.zip", raw_zip(&base_with(Vec::new())));
    let run = common::pplint(&[
        "check",
        "--format",
        "json",
        "--max-file-size",
        "100",
        s(&small),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    for file in ["solution.xml", "customizations.xml", BOT_PATH] {
        assert!(
            run.stdout
                .contains(&format!("Could not parse {file} as too-large: the file is")),
            "{file}: {}",
            run.stdout
        );
    }
    assert!(
        run.stdout
            .contains("over the 100-byte limit (see --max-file-size)")
    );
    let run = common::pplint(&["check", "--max-file-size", "lots", s(&small)]);
    assert_eq!(run.code, 2, "a bad flag value is a usage error");
}

// ---------------------------------------------------------------------------
// 2. Many medium entries past the total cap
// ---------------------------------------------------------------------------

/// 20 flows of 1 MiB each (a 1 MiB JSON number), 20 MiB in total.
fn twenty_mib_of_flows() -> Vec<RawEntry> {
    (0..20)
        .map(|i| deflated_run(&format!("workflows/f{i:02}.json"), b'1', MIB))
        .collect()
}

fn total_cap_detail(cap: u64) -> String {
    format!(
        "the solution's files exceed {cap} bytes in total (see --max-total-size); this file was not read"
    )
}

#[test]
fn entries_past_the_total_cap_are_too_large_problems() {
    let cap = 5 * MIB;
    let limits = Limits {
        max_total_bytes: cap,
        ..Limits::default()
    };
    let zip = raw_zip(&base_with(twenty_mib_of_flows()));
    let loaded = within(Duration::from_secs(10), "loading 20 MiB of flows", || {
        load_mem(&zip, &limits).expect("loads")
    });
    let read_bytes: u64 = loaded.files.iter().map(|f| f.bytes.len() as u64).sum();
    assert!(read_bytes <= cap, "{read_bytes} bytes read, over the cap");
    let flows_read = loaded
        .files
        .iter()
        .filter(|f| f.path.starts_with("workflows/"))
        .count();
    assert!(
        (4..=5).contains(&flows_read),
        "as many 1 MiB flows as fit: {flows_read}"
    );
    assert_eq!(
        loaded.files.len() + loaded.problems.len(),
        23,
        "every entry accounted for"
    );
    for (file, kind, detail) in summary(&loaded.problems) {
        assert_eq!(kind, ProblemKind::TooLarge, "{file}");
        assert_eq!(detail, total_cap_detail(cap), "{file}");
    }
    // The rest of the pipeline copes.
    let ws = Workspace::parse(loaded);
    let solution = Solution::build(&ws);
    assert!(solution.flows.len() <= 5);
}

#[test]
fn folder_files_past_the_total_cap_are_too_large_problems() {
    let dir = TempDir::new("folder_total_cap");
    dir.write("solution.xml", SOLUTION_XML);
    let flow = vec![b'1'; MIB as usize];
    for i in 0..20 {
        dir.write(&format!("workflows/f{i:02}.json"), &flow);
    }
    let cap = 5 * MIB;
    let loaded = load_path(
        dir.path(),
        &Limits {
            max_total_bytes: cap,
            ..Limits::default()
        },
    );
    assert_eq!(loaded.layout, Layout::Folder);
    let read_bytes: u64 = loaded.files.iter().map(|f| f.bytes.len() as u64).sum();
    assert!(read_bytes <= cap);
    assert_eq!(loaded.files.len() + loaded.problems.len(), 21);
    assert!(loaded.problems.len() >= 16);
    for p in &loaded.problems {
        assert_eq!(p.kind, ProblemKind::TooLarge);
        assert!(
            p.detail
                .starts_with(&format!("the solution's files exceed {cap} bytes in total")),
            "{}",
            p.detail
        );
    }
}

#[test]
fn the_files_read_under_the_total_cap_do_not_depend_on_thread_timing() {
    let limits = Limits {
        max_total_bytes: 5 * MIB,
        ..Limits::default()
    };
    let zip = raw_zip(&base_with(twenty_mib_of_flows()));
    let first = load_mem(&zip, &limits).expect("loads");
    let expected: Vec<String> = file_paths(&first).iter().map(|p| p.to_string()).collect();
    // The manifest and the agent are never the files that get dropped.
    for must in ["solution.xml", "customizations.xml", BOT_PATH] {
        assert!(
            expected.iter().any(|p| p == must),
            "{must} not read: {expected:?}"
        );
    }
    for _ in 0..30 {
        let again = load_mem(&zip, &limits).expect("loads");
        assert_eq!(file_paths(&again), expected);
    }
}

#[test]
fn entries_that_cannot_fit_under_the_total_cap_are_not_inflated() {
    // 100 central-directory records share one 8 MiB deflate stream (66 KB of
    // zip); the total cap (4 MiB) is smaller than any one of them. The shared
    // stream's CRC is wrong, so an entry that *is* inflated ends as a Zip
    // "Invalid checksum" problem and one that is refused up front as TooLarge.
    // With default limits (50 000 entries × 64 MiB) the same trick inflates
    // terabytes from a ~4 MB file.
    let mut bomb = deflated_run("workflows/w000.json", b'1', 8 * MIB);
    bomb.crc ^= 1;
    let entries = vec![stored("solution.xml", SOLUTION_XML), bomb];
    let aliases: Vec<(String, usize)> = (1..100)
        .map(|i| (format!("workflows/w{i:03}.json"), 1))
        .collect();
    let zip = raw_zip_with_aliases(&entries, &aliases);
    let cap = 4 * MIB;
    let limits = Limits {
        max_total_bytes: cap,
        ..Limits::default()
    };
    let loaded = within(
        Duration::from_secs(3),
        "loading overlapping entries",
        || load_mem(&zip, &limits).expect("loads"),
    );
    assert_eq!(file_paths(&loaded), ["solution.xml"]);
    assert_eq!(loaded.problems.len(), 100);
    for p in &loaded.problems {
        assert_eq!(
            (p.kind, p.detail.as_str()),
            (ProblemKind::TooLarge, total_cap_detail(cap).as_str()),
            "{}",
            p.file
        );
    }
}

// ---------------------------------------------------------------------------
// 3. Too many entries
// ---------------------------------------------------------------------------

#[test]
fn too_many_entries_is_an_input_error() {
    let extra: Vec<RawEntry> = (0..57)
        .map(|i| stored(&format!("Assets/a{i:02}.txt"), "x"))
        .collect();
    let zip = raw_zip(&base_with(extra));
    let limits = Limits {
        max_entries: 50,
        ..Limits::default()
    };
    let err = err_of(load_mem(&zip, &limits));
    assert_eq!(
        err,
        InputError::TooManyEntries {
            path: SHOWN.into(),
            count: 60,
            limit: 50
        }
    );
    assert_eq!(
        err.to_string(),
        "hostile.zip: too many zip entries (60; the limit is 50, see --max-entries)"
    );
    // At the limit it loads.
    let loaded = load_mem(
        &zip,
        &Limits {
            max_entries: 60,
            ..Limits::default()
        },
    )
    .expect("60 entries fit a limit of 60");
    assert_eq!(loaded.listed.len(), 57);

    let dir = TempDir::new("too_many_entries");
    let path = dir.write("many.zip", &zip);
    let run = common::pplint(&["check", "--max-entries", "50", s(&path)]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(
        run.stderr,
        format!(
            "error: {}: too many zip entries (60; the limit is 50, see --max-entries)\n",
            path.display()
        )
    );
    let run = common::pplint(&["inventory", "--max-entries", "50", s(&path)]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("see --max-entries"), "{}", run.stderr);
    let run = common::pplint(&["inventory", s(&path)]);
    assert_eq!(run.code, 0, "the default limit fits: {}", run.stderr);
}

#[test]
fn too_many_files_in_a_folder_stops_reading() {
    let dir = TempDir::new("too_many_files");
    dir.write("solution.xml", SOLUTION_XML);
    for i in 0..60 {
        dir.write(&format!("workflows/f{i:02}.json"), "{}");
    }
    let loaded = load_path(
        dir.path(),
        &Limits {
            max_entries: 50,
            ..Limits::default()
        },
    );
    assert_eq!(loaded.files.len(), 50);
    assert_eq!(
        summary(&loaded.problems),
        [(
            "workflows/f49.json".to_string(),
            ProblemKind::TooLarge,
            "more than 50 files; the rest were not read".to_string()
        )]
    );
}

// ---------------------------------------------------------------------------
// 4. Entry names that would escape on extraction
// ---------------------------------------------------------------------------

#[test]
fn hostile_entry_names_are_plain_names_and_nothing_is_written() {
    let dir = TempDir::new("entry_names");
    let cwd = std::env::current_dir().expect("cwd");
    let abs_before = Path::new("/abs/solution.xml").exists();
    let names = [
        "../evil.xml",
        "../../../../../../tmp/evil.xml",
        "/abs/solution.xml",
        "bots\\x\\bot.xml",
        "C:\\evil.xml",
    ];
    let mut extra: Vec<RawEntry> = names
        .iter()
        .map(|n| {
            stored(
                n,
                "<bot schemaname=\"evil\"><authenticationmode>1</authenticationmode></bot>",
            )
        })
        .collect();
    // A read path with a backslash and `..` in its last segment.
    extra.push(stored("workflows/..\\evil.json", "{}"));
    let zip = raw_zip(&base_with(extra));
    let path = dir.write("names.zip", &zip);
    let loaded = load_path(&path, &Limits::default());
    assert!(
        loaded.problems.is_empty(),
        "{:?}",
        summary(&loaded.problems)
    );
    assert_eq!(
        file_paths(&loaded),
        [
            BOT_PATH,
            "customizations.xml",
            "solution.xml",
            "workflows/..\\evil.json"
        ]
    );
    let mut expected_listed = names.to_vec();
    expected_listed.sort();
    assert_eq!(listed_paths(&loaded), expected_listed);
    // Stored names are never resolved: the only agent is the real one.
    let ws = Workspace::parse(loaded);
    let solution = Solution::build(&ws);
    assert_eq!(solution.agents.len(), 1);
    assert_eq!(solution.agents[0].schema_name, "cnt_b");
    // Nothing was extracted anywhere.
    assert_eq!(dir.names(), ["names.zip"]);
    for place in [
        cwd.as_path(),
        cwd.parent().unwrap_or(&cwd),
        dir.path().parent().expect("tmp"),
    ] {
        assert!(
            !place.join("evil.xml").exists(),
            "evil.xml in {}",
            place.display()
        );
    }
    assert_eq!(Path::new("/abs/solution.xml").exists(), abs_before);
    // Same through the CLI.
    let run = common::pplint(&["inventory", s(&path)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(dir.names(), ["names.zip"]);
}

// ---------------------------------------------------------------------------
// 5. Nested archives
// ---------------------------------------------------------------------------

#[test]
fn nested_archives_are_listed_not_opened() {
    // A canvas app is itself a zip; this one even holds a solution and an agent.
    let msapp = common::zip_entries(&[
        ("Header.json", b"{}".as_slice()),
        ("solution.xml", SOLUTION_XML.as_bytes()),
        (BOT_PATH, BOT_XML.as_bytes()),
    ]);
    let nested = raw_zip(&base_with(Vec::new()));
    let msapp_path = "CanvasApps/cnt_app_DocumentUri.msapp";
    let zip = raw_zip(&[
        stored("solution.xml", SOLUTION_XML),
        stored(msapp_path, &msapp),
        stored("Other/nested.zip", &nested),
        stored("workflows/inner.zip", &nested),
    ]);
    let loaded = load_mem(&zip, &Limits::default()).expect("loads");
    assert!(loaded.problems.is_empty());
    assert_eq!(file_paths(&loaded), ["solution.xml"]);
    let listed: Vec<(&str, u64)> = loaded
        .listed
        .iter()
        .map(|l| (l.path.as_str(), l.size))
        .collect();
    assert_eq!(
        listed,
        [
            (msapp_path, msapp.len() as u64),
            ("Other/nested.zip", nested.len() as u64),
            ("workflows/inner.zip", nested.len() as u64),
        ]
    );
    let ws = Workspace::parse(loaded);
    assert!(Solution::build(&ws).agents.is_empty());
    // Listed entries are not read, so they do not count against the total cap.
    let tight = Limits {
        max_total_bytes: SOLUTION_XML.len() as u64,
        ..Limits::default()
    };
    let loaded = load_mem(&zip, &tight).expect("loads");
    assert!(
        loaded.problems.is_empty(),
        "{:?}",
        summary(&loaded.problems)
    );
    assert_eq!(file_paths(&loaded), ["solution.xml"]);

    // Same in a folder.
    let dir = TempDir::new("nested_archives");
    dir.write("solution.xml", SOLUTION_XML);
    dir.write(msapp_path, &msapp);
    let loaded = load_path(dir.path(), &Limits::default());
    assert_eq!(file_paths(&loaded), ["solution.xml"]);
    assert_eq!(listed_paths(&loaded), [msapp_path]);
    assert_eq!(loaded.listed[0].size, msapp.len() as u64);
}

// ---------------------------------------------------------------------------
// 6. BOM and CRLF
// ---------------------------------------------------------------------------

fn bom_crlf_entries() -> Vec<(String, Vec<u8>)> {
    let bot = "<bot schemaname=\"cnt_b\">\n  <authenticationmode>1</authenticationmode>\n  <name>Grüße Bot</name>\n</bot>\n";
    let config = "{\n  \"settings\": {\n    \"GenerativeActionsEnabled\": true\n  }\n}\n";
    vec![
        ("solution.xml".into(), bom_crlf(SOLUTION_XML)),
        ("customizations.xml".into(), bom_crlf(CUSTOMIZATIONS_XML)),
        (BOT_PATH.into(), bom_crlf(bot)),
        (CONFIG_PATH.into(), bom_crlf(config)),
        (
            format!("{COMPONENT_DIR}/botcomponent.xml"),
            bom_crlf(&component_xml(9)),
        ),
        (format!("{COMPONENT_DIR}/data"), bom_crlf(TOPIC_YAML)),
    ]
}

fn assert_bom_crlf_solution(loaded: LoadedSolution) {
    assert!(
        loaded.problems.is_empty(),
        "{:?}",
        summary(&loaded.problems)
    );
    // Files are kept as stored.
    assert!(
        loaded
            .files
            .iter()
            .all(|f| f.bytes.starts_with(b"\xEF\xBB\xBF"))
    );
    let ws = Workspace::parse(loaded);
    let solution = Solution::build(&ws);
    assert!(
        solution.problems.is_empty(),
        "{:?}",
        summary(&solution.problems)
    );
    assert_eq!(solution.unique_name(), Some("Hostile"));
    assert_eq!(solution.agents.len(), 1);
    let agent = &solution.agents[0];
    assert_eq!(agent.display_name.as_deref(), Some("Grüße Bot"));
    let auth = agent.auth_mode.as_ref().expect("authenticationmode");
    assert_eq!(auth.value, AuthMode::None);
    let file = &ws.files[auth.loc.file];
    assert_eq!(file.path, BOT_PATH);
    assert_eq!(&file.bytes[auth.loc.span.range()], b"1");
    let at = file.line_col(auth.loc.span.start as usize);
    assert_eq!((at.line, at.column), (2, 23));
    let generative = agent
        .setting_bool(&["settings", "GenerativeActionsEnabled"])
        .expect("setting");
    assert!(generative.value);
    assert_eq!(
        &ws.files[generative.loc.file].bytes[generative.loc.span.range()],
        b"true"
    );
    assert_eq!(solution.components.len(), 1);
    let component = &solution.components[0];
    let kind = component.data.and_then(|d| d.get("kind")).expect("kind");
    let data_file = &ws.files[component.data_file.expect("data file")];
    assert_eq!(&data_file.bytes[kind.span.range()], b"AdaptiveDialog");
    assert_eq!(Counts::of(&solution).topics, 1);
}

#[test]
fn bom_and_crlf_are_read_and_spans_index_the_raw_bytes() {
    let entries = bom_crlf_entries();
    let raw: Vec<RawEntry> = entries.iter().map(|(n, b)| stored(n, b)).collect();
    assert_bom_crlf_solution(load_mem(&raw_zip(&raw), &Limits::default()).expect("zip loads"));

    let dir = TempDir::new("bom_crlf");
    for (name, bytes) in &entries {
        dir.write(name, bytes);
    }
    assert_bom_crlf_solution(load_path(dir.path(), &Limits::default()));
}

// ---------------------------------------------------------------------------
// 7. Invalid UTF-8
// ---------------------------------------------------------------------------

#[test]
fn invalid_utf8_is_an_encoding_problem_at_the_right_byte() {
    let head = "\u{feff}<ImportExportXml>\r\n  <Entities>caf";
    let mut customizations = head.as_bytes().to_vec();
    customizations.extend_from_slice(b"\xE9</Entities>\r\n</ImportExportXml>\r\n");
    let at = head.len();
    // A configuration.json cut inside a multi-byte character.
    let config = b"{\"name\": \"\xE2\x82";
    let config_at = config.len() - 2;
    // UTF-16 (BOM FF FE) is not UTF-8 either.
    let utf16: Vec<u8> = "\u{feff}kind: AdaptiveDialog\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let zip = raw_zip(&[
        stored("solution.xml", SOLUTION_XML),
        stored("customizations.xml", &customizations),
        stored(BOT_PATH, BOT_XML),
        stored(CONFIG_PATH, config),
        stored(
            &format!("{COMPONENT_DIR}/botcomponent.xml"),
            component_xml(9),
        ),
        stored(&format!("{COMPONENT_DIR}/data"), &utf16),
    ]);
    let loaded = load_mem(&zip, &Limits::default()).expect("loads");
    assert!(loaded.problems.is_empty(), "reading is not decoding");
    let ws = Workspace::parse(loaded);
    let solution = Solution::build(&ws);
    let problems: Vec<(String, ProblemKind, String, (u32, u32))> = solution
        .problems
        .iter()
        .map(|p| {
            (
                p.file.clone(),
                p.kind,
                p.detail.clone(),
                (p.span.start, p.span.end),
            )
        })
        .collect();
    assert_eq!(
        problems,
        [
            (
                format!("{COMPONENT_DIR}/data"),
                ProblemKind::Encoding,
                "invalid UTF-8 at byte 0".to_string(),
                (0, 1)
            ),
            (
                CONFIG_PATH.to_string(),
                ProblemKind::Encoding,
                format!("invalid UTF-8 at byte {config_at}"),
                (config_at as u32, config_at as u32 + 1)
            ),
            (
                "customizations.xml".to_string(),
                ProblemKind::Encoding,
                format!("invalid UTF-8 at byte {at}"),
                (at as u32, at as u32 + 1)
            ),
        ]
    );
    let p = solution
        .problems
        .iter()
        .find(|p| p.file == "customizations.xml")
        .expect("problem");
    assert_eq!(
        p.message(SHOWN),
        format!("Could not parse customizations.xml as encoding: invalid UTF-8 at byte {at}.")
    );
    assert_eq!(
        ws.files
            .iter()
            .find(|f| f.path == "customizations.xml")
            .expect("read")
            .bytes[at],
        0xE9
    );
    // The other files are still parsed.
    assert_eq!(solution.unique_name(), Some("Hostile"));
    assert_eq!(solution.agents.len(), 1);
    assert!(solution.agents[0].config.is_none());
    assert_eq!(solution.components.len(), 1);

    let dir = TempDir::new("invalid_utf8");
    let path = dir.write("latin1.zip", &zip);
    let run = common::pplint(&["check", "--format", "json", s(&path)]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains(&format!(
        "Could not parse customizations.xml as encoding: invalid UTF-8 at byte {at}."
    )));
}

// ---------------------------------------------------------------------------
// 8. Inputs that are not solutions
// ---------------------------------------------------------------------------

#[test]
fn inputs_that_are_not_solutions_are_clear_input_errors() {
    let dir = TempDir::new("not_solutions");

    let fake = dir.write("fake.zip", b"PK\x03\x04 this is not really a zip");
    let (path, err) = (
        s(&fake).to_string(),
        discover(&fake).expect_err("not a zip"),
    );
    assert!(
        matches!(&err, InputError::NotZip { path: p, .. } if *p == path),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with(&format!("{path}: not a zip archive ("))
    );
    let run = common::pplint(&["check", &path]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with(&format!("error: {path}: not a zip archive (")),
        "{}",
        run.stderr
    );
    assert!(matches!(
        err_of(load_mem(b"hello", &Limits::default())),
        InputError::NotZip { .. }
    ));

    let no_solution = dir.write(
        "other.zip",
        common::zip_entries(&[
            ("readme.txt", b"hi".as_slice()),
            ("other/solution.xml", b"<x/>"),
        ]),
    );
    let path = s(&no_solution).to_string();
    let err = discover(&no_solution).expect_err("no solution.xml");
    assert_eq!(err, InputError::NoSolutionXml { path: path.clone() });
    assert_eq!(
        err.to_string(),
        format!("{path}: not a Power Platform solution export: no solution.xml at the root")
    );
    assert_eq!(
        err_of(load_mem(
            &std::fs::read(&no_solution).expect("read"),
            &Limits::default()
        )),
        InputError::NoSolutionXml { path: SHOWN.into() }
    );
    let run = common::pplint(&["inventory", &path]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!(
            "error: {path}: not a Power Platform solution export: no solution.xml at the root\n"
        )
    );

    let missing = dir.join("missing.zip");
    let path = s(&missing).to_string();
    let err = discover(&missing).expect_err("missing");
    assert_eq!(err, InputError::NotFound { path: path.clone() });
    assert_eq!(
        err.to_string(),
        format!("{path}: no such file or directory")
    );
    assert_eq!(common::pplint(&["check", &path]).code, 2);

    let random = dir.mkdir("random");
    std::fs::write(random.join("notes.txt"), "hello").expect("write");
    std::fs::create_dir_all(random.join("sub")).expect("mkdir");
    std::fs::write(random.join("sub/readme.md"), "# hi").expect("write");
    let path = s(&random).to_string();
    let err = discover(&random).expect_err("no solution");
    assert_eq!(
        err,
        InputError::NotASolution {
            path: path.clone(),
            found: "a folder with no solution in it".into()
        }
    );
    let text = err.to_string();
    assert!(text.starts_with(&format!("{path}: not a Power Platform solution: expected a solution .zip, an unpacked export (solution.xml)")), "{text}");
    assert!(
        text.ends_with("found a folder with no solution in it"),
        "{text}"
    );
    let run = common::pplint(&["check", &path]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("expected a solution .zip"));

    let notes = random.join("notes.txt");
    let err = discover(&notes).expect_err("a text file");
    assert!(
        matches!(&err, InputError::NotASolution { found, .. } if found == "a file named 'notes.txt'"),
        "{err:?}"
    );

    // A search folder: the bad zip is a note, the good solution still loads.
    let search = dir.mkdir("search");
    std::fs::write(search.join("bad.zip"), b"garbage").expect("write");
    std::fs::write(search.join("empty.zip"), empty_zip()).expect("write");
    std::fs::create_dir_all(search.join("good")).expect("mkdir");
    std::fs::write(search.join("good/solution.xml"), SOLUTION_XML).expect("write");
    let (roots, notes) = discover(&search).expect("one good solution");
    assert_eq!(roots.len(), 1);
    assert_eq!(roots[0].layout, Layout::Folder);
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(
        notes[0].starts_with("skipped ") && notes[0].contains("bad.zip: "),
        "{notes:?}"
    );
    assert!(
        notes[1].ends_with("empty.zip: a zip without solution.xml"),
        "{notes:?}"
    );
}

// ---------------------------------------------------------------------------
// 9. Truncated and corrupted archives
// ---------------------------------------------------------------------------

/// Runs the whole pipeline; returns the input error, if any. Panics propagate.
fn pipeline(bytes: &[u8]) -> Option<InputError> {
    match load_mem(bytes, &Limits::default()) {
        Ok(loaded) => {
            let ws = Workspace::parse(loaded);
            let solution = Solution::build(&ws);
            let _ = Counts::of(&solution);
            for p in &solution.problems {
                assert!(!p.detail.is_empty());
                let _ = p.message(SHOWN);
            }
            None
        }
        Err(err) => {
            assert!(!err.to_string().is_empty());
            Some(err)
        }
    }
}

fn small_solution_zip() -> Vec<u8> {
    raw_zip(&base_with(vec![
        deflated_run("workflows/flow.json", b'1', 4000),
        stored(
            &format!("{COMPONENT_DIR}/botcomponent.xml"),
            component_xml(9),
        ),
        stored(&format!("{COMPONENT_DIR}/data"), TOPIC_YAML),
    ]))
}

#[test]
fn truncated_zips_end_as_not_zip_errors_at_every_length() {
    let zip = small_solution_zip();
    assert!(pipeline(&zip).is_none());
    let half = &zip[..zip.len() / 2];
    assert!(matches!(pipeline(half), Some(InputError::NotZip { .. })));
    let mut panics = Vec::new();
    for len in 0..zip.len() {
        match catch_unwind(AssertUnwindSafe(|| pipeline(&zip[..len]))) {
            Ok(Some(InputError::NotZip { reason, .. })) => assert!(!reason.is_empty()),
            Ok(other) => panic!("truncated at {len}: {other:?}"),
            Err(_) => panics.push(len),
        }
    }
    assert!(panics.is_empty(), "panicked when truncated at {panics:?}");
}

/// Offsets of every header byte of a [`raw_zip`] archive (local headers and
/// names, central directory, end record) plus the first and last two bytes of
/// each entry's data. Flipping any other data byte only breaks the CRC.
fn structural_offsets(zip: &[u8]) -> Vec<usize> {
    let le16 = |at: usize| usize::from(u16::from_le_bytes([zip[at], zip[at + 1]]));
    let le32 = |at: usize| u32::from_le_bytes(zip[at..at + 4].try_into().expect("4")) as usize;
    let eocd = zip.len() - 22;
    let cd_start = le32(eocd + 16);
    let mut offsets = Vec::new();
    let mut at = 0;
    while at < cd_start {
        let data = at + 30 + le16(at + 26) + le16(at + 28);
        let end = data + le32(at + 18);
        offsets.extend(at..data);
        offsets.extend((data..end).filter(|&i| i < data + 2 || i + 2 >= end));
        at = end;
    }
    offsets.extend(cd_start..zip.len());
    offsets
}

#[test]
fn corrupting_any_header_byte_never_panics() {
    let zip = small_solution_zip();
    let eocd = zip.len() - 22;
    let cd_start =
        u32::from_le_bytes(zip[eocd + 16..eocd + 20].try_into().expect("4 bytes")) as usize;
    // A broken central-directory signature is a clear input error.
    let mut broken = zip.clone();
    broken[cd_start] ^= 0xFF;
    let err = pipeline(&broken).expect("input error");
    assert!(matches!(err, InputError::NotZip { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("hostile.zip: not a zip archive (")
    );
    // A flipped content byte is a CRC problem on that entry only.
    let mut flipped = zip.clone();
    flipped[30 + "solution.xml".len() + 10] ^= 0xFF; // inside solution.xml's text
    let loaded = load_mem(&flipped, &Limits::default()).expect("loads");
    assert_eq!(
        summary(&loaded.problems),
        [(
            "solution.xml".to_string(),
            ProblemKind::Zip,
            "cannot inflate the entry: Invalid checksum".to_string()
        )]
    );
    assert_eq!(loaded.files.len(), 5);

    let offsets = structural_offsets(&zip);
    assert!(offsets.len() > 500, "{} offsets", offsets.len());
    let mut panics = Vec::new();
    let mut outcomes = std::collections::BTreeMap::<&str, usize>::new();
    within(
        Duration::from_secs(20),
        "corrupting every header byte",
        || {
            for &at in &offsets {
                let mut bytes = zip.clone();
                bytes[at] ^= 0xFF;
                match catch_unwind(AssertUnwindSafe(|| pipeline(&bytes))) {
                    Ok(None) => *outcomes.entry("loaded").or_default() += 1,
                    Ok(Some(InputError::NotZip { .. })) => {
                        *outcomes.entry("NotZip").or_default() += 1
                    }
                    Ok(Some(InputError::NoSolutionXml { .. })) => {
                        *outcomes.entry("NoSolutionXml").or_default() += 1;
                    }
                    Ok(Some(err)) => panic!("byte {at}: {err:?}"),
                    Err(_) => panics.push(at),
                }
            }
        },
    );
    assert!(
        panics.is_empty(),
        "panicked when byte(s) {panics:?} were flipped"
    );
    assert!(
        outcomes.contains_key("NotZip") && outcomes.contains_key("loaded"),
        "{outcomes:?}"
    );
}

#[test]
fn unreadable_entries_are_zip_problems_and_the_rest_is_read() {
    let mut bad_crc = stored("customizations.xml", CUSTOMIZATIONS_XML);
    bad_crc.crc ^= 1;
    let mut encrypted = stored(CONFIG_PATH, "{}");
    encrypted.flags |= 1;
    let mut bzip2 = stored("workflows/flow.json", "{}");
    bzip2.method = 12;
    let mut broken_deflate = deflated_run(&format!("{COMPONENT_DIR}/data"), b' ', 10_000);
    broken_deflate.data[0] = 0xFF; // BTYPE = 3 (reserved)
    let zip = raw_zip(&[
        stored("solution.xml", SOLUTION_XML),
        bad_crc,
        stored(BOT_PATH, BOT_XML),
        encrypted,
        bzip2,
        broken_deflate,
    ]);
    let loaded = load_mem(&zip, &Limits::default()).expect("loads");
    assert_eq!(file_paths(&loaded), [BOT_PATH, "solution.xml"]);
    let problems = summary(&loaded.problems);
    let files: Vec<&str> = problems.iter().map(|(f, _, _)| f.as_str()).collect();
    let data_path = format!("{COMPONENT_DIR}/data");
    assert_eq!(
        files,
        [
            data_path.as_str(),
            CONFIG_PATH,
            "customizations.xml",
            "workflows/flow.json"
        ]
    );
    assert!(
        problems
            .iter()
            .all(|(_, kind, _)| *kind == ProblemKind::Zip)
    );
    assert_eq!(problems[2].2, "cannot inflate the entry: Invalid checksum");
    assert!(
        problems[0].2.starts_with("cannot inflate the entry: "),
        "{}",
        problems[0].2
    );
    assert!(
        problems[1].2.contains("Password required"),
        "{}",
        problems[1].2
    );
    assert!(problems[3].2.contains("not supported"), "{}", problems[3].2);
    let ws = Workspace::parse(loaded);
    assert_eq!(Solution::build(&ws).agents.len(), 1);
}

/// The archive with its end records replaced by a Zip64 end record claiming
/// `entries` entries.
fn with_zip64_end(zip: &[u8], entries: u64) -> Vec<u8> {
    let eocd = zip.len() - 22;
    let cd_len = u64::from(u32::from_le_bytes(
        zip[eocd + 12..eocd + 16].try_into().expect("4"),
    ));
    let cd_start = u64::from(u32::from_le_bytes(
        zip[eocd + 16..eocd + 20].try_into().expect("4"),
    ));
    let mut out = zip[..eocd].to_vec();
    let zip64_end = out.len() as u64;
    out.extend_from_slice(&0x0606_4b50u32.to_le_bytes());
    out.extend_from_slice(&44u64.to_le_bytes());
    out.extend_from_slice(&45u16.to_le_bytes());
    out.extend_from_slice(&45u16.to_le_bytes());
    out.extend_from_slice(&[0; 8]); // disk numbers
    out.extend_from_slice(&entries.to_le_bytes());
    out.extend_from_slice(&entries.to_le_bytes());
    out.extend_from_slice(&cd_len.to_le_bytes());
    out.extend_from_slice(&cd_start.to_le_bytes());
    out.extend_from_slice(&0x0706_4b50u32.to_le_bytes()); // locator
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&zip64_end.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&[0xFF; 12]); // counts, size and offset: see Zip64
    out.extend_from_slice(&[0; 2]);
    out
}

#[test]
fn a_zip64_end_record_claiming_2_pow_40_entries_fails_fast() {
    let zip = small_solution_zip();
    let err = within(Duration::from_secs(2), "a lying Zip64 end record", || {
        err_of(load_mem(&with_zip64_end(&zip, 1 << 40), &Limits::default()))
    });
    assert!(matches!(err, InputError::NotZip { .. }), "{err:?}");
}

#[test]
fn duplicate_entry_names_are_reported() {
    // Two bot.xml with the same name: the linted copy may not be the one
    // another reader (or Power Platform) uses, so this must not pass silently.
    let zip = raw_zip(&base_with(vec![stored(
        BOT_PATH,
        "<bot schemaname=\"cnt_b\"><authenticationmode>2</authenticationmode></bot>",
    )]));
    let loaded = load_mem(&zip, &Limits::default()).expect("loads");
    assert!(
        loaded
            .problems
            .iter()
            .any(|p| p.kind == ProblemKind::Zip && p.detail.contains("duplicate")),
        "no problem reported: {:?}",
        summary(&loaded.problems)
    );
}

#[test]
fn duplicate_entry_names_do_not_panic() {
    let zip = raw_zip(&base_with(vec![
        stored("solution.xml", "<dup/>"),
        stored(BOT_PATH, "<bot schemaname=\"other\"/>"),
    ]));
    let loaded = load_mem(&zip, &Limits::default()).expect("loads");
    assert_eq!(
        file_paths(&loaded),
        [BOT_PATH, "customizations.xml", "solution.xml"]
    );
    // Current behaviour: the last copy wins.
    assert_eq!(file_bytes(&loaded, "solution.xml"), b"<dup/>");
    assert!(pipeline(&zip).is_none());
}

// ---------------------------------------------------------------------------
// 10. Symlinks and other special files in folders
// ---------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn symlinks_in_a_folder_solution_are_not_followed() {
    use std::os::unix::fs::symlink;
    let outside = TempDir::new("symlinks_outside");
    let secret = outside.write(
        "secret.xml",
        "<ImportExportXml><Entities>TOPSECRET</Entities></ImportExportXml>",
    );
    outside.write(
        "evil/bot.xml",
        "<bot schemaname=\"evil\"><authenticationmode>1</authenticationmode></bot>",
    );
    let dir = TempDir::new("symlinks");
    dir.write("solution.xml", SOLUTION_XML);
    dir.write(BOT_PATH, BOT_XML);
    symlink(&secret, dir.join("customizations.xml")).expect("symlink");
    symlink(outside.join("evil"), dir.join("bots/evil")).expect("symlink");
    dir.mkdir("workflows");
    symlink(dir.join("workflows/b.json"), dir.join("workflows/a.json")).expect("symlink");
    symlink(dir.join("workflows/a.json"), dir.join("workflows/b.json")).expect("symlink");
    symlink("self.json", dir.join("workflows/self.json")).expect("symlink");
    symlink("/etc/hostname", dir.join("workflows/host.json")).expect("symlink");
    symlink(dir.path(), dir.join("botcomponents")).expect("symlink"); // a directory loop

    let loaded = within(
        Duration::from_secs(10),
        "loading a folder of symlinks",
        || load_path(dir.path(), &Limits::default()),
    );
    assert_eq!(file_paths(&loaded), [BOT_PATH, "solution.xml"]);
    assert!(loaded.listed.is_empty(), "{:?}", listed_paths(&loaded));
    assert!(
        loaded.problems.is_empty(),
        "{:?}",
        summary(&loaded.problems)
    );
    assert!(
        loaded
            .files
            .iter()
            .all(|f| !String::from_utf8_lossy(&f.bytes).contains("TOPSECRET"))
    );
    let mut notes = loaded.notes.clone();
    notes.sort();
    assert_eq!(
        notes,
        [
            "botcomponents: symlink not followed",
            "bots/evil: symlink not followed",
            "customizations.xml: symlink not followed",
            "workflows/a.json: symlink not followed",
            "workflows/b.json: symlink not followed",
            "workflows/host.json: symlink not followed",
            "workflows/self.json: symlink not followed",
        ]
    );
    let ws = Workspace::parse(loaded);
    let solution = Solution::build(&ws);
    assert_eq!(solution.unique_name(), Some("Hostile"));
    let agents: Vec<&str> = solution
        .agents
        .iter()
        .map(|a| a.schema_name.as_str())
        .collect();
    assert_eq!(agents, ["cnt_b"]);

    // The CLI goes on and shows the notes.
    let run = within(Duration::from_secs(20), "pplint check on symlinks", || {
        common::pplint(&["check", s(dir.path())])
    });
    assert!(run.code < 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "note: {}: customizations.xml: symlink not followed\n",
            dir.path().display()
        )),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("TOPSECRET"));
}

#[cfg(unix)]
#[test]
fn symlinked_solutions_are_not_followed_during_discovery() {
    use std::os::unix::fs::symlink;
    let real = TempDir::new("symlink_target");
    real.write("solution.xml", SOLUTION_XML);
    real.write(BOT_PATH, BOT_XML);
    let zip = real.write("packed.zip", raw_zip(&base_with(Vec::new())));

    // A search folder holding only links to solutions elsewhere finds nothing.
    let search = TempDir::new("symlink_search");
    symlink(real.path(), search.join("linked-folder")).expect("symlink");
    symlink(&zip, search.join("linked.zip")).expect("symlink");
    let err = discover(search.path()).expect_err("links are not followed");
    assert!(
        matches!(&err, InputError::NotASolution { found, .. } if found == "a folder with no solution in it"),
        "{err:?}"
    );

    // A folder whose solution.xml is a link: the link target is not read.
    let sneaky = TempDir::new("symlink_manifest");
    symlink(real.join("solution.xml"), sneaky.join("solution.xml")).expect("symlink");
    sneaky.write(BOT_PATH, BOT_XML);
    let loaded = load_path(sneaky.path(), &Limits::default());
    assert_eq!(file_paths(&loaded), [BOT_PATH]);
    assert_eq!(loaded.notes, ["solution.xml: symlink not followed"]);

    // The input itself may be a link: that is what the user asked for.
    let link = search.join("given");
    symlink(real.path(), &link).expect("symlink");
    let loaded = load_path(&link, &Limits::default());
    assert_eq!(file_paths(&loaded), [BOT_PATH, "solution.xml"]);
}

#[cfg(unix)]
#[test]
fn fifos_are_never_opened() {
    let dir = TempDir::new("fifo");
    dir.write("solution.xml", SOLUTION_XML);
    dir.write(BOT_PATH, BOT_XML);
    let made = ["customizations.xml", "pipe.zip"].iter().all(|name| {
        std::process::Command::new("mkfifo")
            .arg(dir.join(name))
            .status()
            .is_ok_and(|s| s.success())
    });
    if !made {
        eprintln!("SKIPPED: mkfifo is not available");
        return;
    }
    // Opening a FIFO for reading blocks until a writer appears: run on a
    // thread so a regression fails the test instead of hanging it.
    let (tx, rx) = std::sync::mpsc::channel();
    let root = dir.path().to_path_buf();
    std::thread::spawn(move || {
        let folder = load_path(&root, &Limits::default());
        let paths: Vec<String> = folder.files.iter().map(|f| f.path.clone()).collect();
        let pipe = discover(&root.join("pipe.zip")).map(|_| ());
        let _ = tx.send((paths, folder.notes, pipe));
    });
    let (paths, notes, pipe) = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("loading a folder with FIFOs hung");
    assert_eq!(paths, [BOT_PATH, "solution.xml"]);
    assert!(notes.is_empty(), "{notes:?}");
    assert!(
        matches!(pipe, Err(InputError::NotASolution { .. })),
        "a FIFO named .zip: {pipe:?}"
    );
}

// ---------------------------------------------------------------------------
// 11. Deep nesting and expansion bombs
// ---------------------------------------------------------------------------

fn with_topic(data: impl AsRef<[u8]>, extra: Vec<RawEntry>) -> Vec<u8> {
    let mut entries = base_with(vec![
        stored(
            &format!("{COMPONENT_DIR}/botcomponent.xml"),
            component_xml(9),
        ),
        stored(&format!("{COMPONENT_DIR}/data"), data),
    ]);
    entries.extend(extra);
    raw_zip(&entries)
}

/// `(file, kind, detail, span start)` of every problem, after model building.
fn solution_problems(zip: &[u8]) -> Vec<(String, ProblemKind, String, u32)> {
    let ws = Workspace::parse(load_mem(zip, &Limits::default()).expect("loads"));
    let solution = Solution::build(&ws);
    assert_eq!(solution.agents.len(), 1, "the agent is still read");
    assert_eq!(solution.components.len(), 1, "the component is still read");
    solution
        .problems
        .iter()
        .map(|p| (p.file.clone(), p.kind, p.detail.clone(), p.span.start))
        .collect()
}

#[test]
fn deep_nesting_is_a_problem_not_a_stack_overflow() {
    let deep_json = "[".repeat(100_000);
    let deep_xml = "<a>".repeat(100_000);
    let deep_flow_yaml = "[".repeat(100_000);
    let mut zip_entries = base_with(vec![
        stored(CONFIG_PATH, &deep_json),
        stored(
            &format!("{COMPONENT_DIR}/botcomponent.xml"),
            component_xml(9),
        ),
        stored(&format!("{COMPONENT_DIR}/data"), &deep_flow_yaml),
    ]);
    zip_entries[1] = stored("customizations.xml", &deep_xml);
    let zip = raw_zip(&zip_entries);
    let problems = within(Duration::from_secs(10), "parsing deep nesting", || {
        solution_problems(&zip)
    });
    let too_deep = "nesting deeper than 512 levels".to_string();
    assert_eq!(
        problems,
        [
            (
                format!("{COMPONENT_DIR}/data"),
                ProblemKind::Yaml,
                "recursion limit exceeded".into(),
                255
            ),
            (CONFIG_PATH.into(), ProblemKind::Json, too_deep.clone(), 513),
            (
                "customizations.xml".into(),
                ProblemKind::Xml,
                too_deep.clone(),
                512 * 3
            ),
        ]
    );

    // Block-style YAML nests without the scanner's flow limit; our own cap applies.
    let mut deep_block = String::new();
    for level in 0..600 {
        deep_block.push_str(&" ".repeat(level));
        deep_block.push_str("a:\n");
    }
    let zip = with_topic(&deep_block, Vec::new());
    let problems = within(Duration::from_secs(10), "parsing deep block YAML", || {
        solution_problems(&zip)
    });
    assert_eq!(problems.len(), 1, "{problems:?}");
    let (file, kind, detail, _) = &problems[0];
    assert_eq!(
        (file.as_str(), *kind),
        (format!("{COMPONENT_DIR}/data").as_str(), ProblemKind::Yaml)
    );
    assert_eq!(*detail, too_deep);
}

#[test]
fn yaml_alias_bomb_is_parsed_without_expanding_aliases() {
    let mut data = String::from(
        "kind: AdaptiveDialog\nlol0: &lol0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for level in 1..=9 {
        let prev = format!("*lol{}", level - 1);
        let items = [prev.as_str(); 9].join(",");
        data.push_str(&format!("lol{level}: &lol{level} [{items}]\n"));
    }
    let zip = with_topic(&data, Vec::new());
    let ws = within(Duration::from_secs(5), "parsing an alias bomb", || {
        Workspace::parse(load_mem(&zip, &Limits::default()).expect("loads"))
    });
    let solution = Solution::build(&ws);
    assert!(
        solution.problems.is_empty(),
        "{:?}",
        summary(&solution.problems)
    );
    let component = &solution.components[0];
    assert_eq!(component.kind.as_deref(), Some("AdaptiveDialog"));
    let top = component.data.expect("parsed").get("lol9").expect("lol9");
    assert_eq!(top.items().len(), 9);
    assert!(
        top.items()
            .iter()
            .all(|n| matches!(n.kind, pplint::parse::YamlKind::Alias)),
        "aliases stay aliases"
    );

    // Every rule runs over it quickly too.
    let dir = TempDir::new("alias_bomb");
    let path = dir.write("aliases.zip", &zip);
    let run = within(
        Duration::from_secs(20),
        "pplint check on an alias bomb",
        || common::pplint(&["check", "--persona", "pedantic", s(&path)]),
    );
    assert!(run.code < 2, "{}", run.stderr);
}

#[test]
fn xml_entity_bomb_is_not_expanded() {
    let mut doctype = String::from("<!DOCTYPE bot [\n  <!ENTITY lol0 \"lol\">\n");
    for level in 1..=9 {
        let refs = format!("&lol{};", level - 1).repeat(10);
        doctype.push_str(&format!("  <!ENTITY lol{level} \"{refs}\">\n"));
    }
    doctype.push_str("]>\n");
    let bot = format!(
        "<?xml version=\"1.0\"?>\n{doctype}<bot schemaname=\"cnt_b\">\n  <authenticationmode>1</authenticationmode>\n  <name>&lol9;</name>\n</bot>\n"
    );
    let mut entries = base_with(Vec::new());
    entries[2] = stored(BOT_PATH, &bot);
    let zip = raw_zip(&entries);
    let ws = within(Duration::from_secs(5), "parsing an entity bomb", || {
        Workspace::parse(load_mem(&zip, &Limits::default()).expect("loads"))
    });
    let solution = Solution::build(&ws);
    assert!(
        solution.problems.is_empty(),
        "{:?}",
        summary(&solution.problems)
    );
    assert_eq!(solution.agents[0].display_name.as_deref(), Some("&lol9;"));
    assert_eq!(
        solution.agents[0].auth_mode.as_ref().map(|a| &a.value),
        Some(&AuthMode::None)
    );

    let dir = TempDir::new("entity_bomb");
    let path = dir.write("laughs.zip", &zip);
    let run = within(
        Duration::from_secs(20),
        "pplint check on an entity bomb",
        || common::pplint(&["check", "--persona", "pedantic", s(&path)]),
    );
    assert!(run.code < 2, "{}", run.stderr);
}

#[test]
fn nesting_just_under_the_depth_limit_runs_every_rule_without_overflow() {
    // Parsers refuse depth > 512; everything below must survive every model
    // reader and rule, also on rayon's 2 MiB worker stacks. Run the real binary
    // so a stack overflow fails this test instead of aborting the whole suite.
    let dir = TempDir::new("just_under_the_limit");
    dir.write("solution.xml", SOLUTION_XML);
    dir.write(
        "customizations.xml",
        format!(
            "<ImportExportXml>{}{}</ImportExportXml>",
            "<Workflows>".repeat(500),
            "</Workflows>".repeat(500)
        ),
    );
    dir.write(BOT_PATH, BOT_XML);
    dir.write(
        CONFIG_PATH,
        format!(
            "{{\"settings\": {{\"GenerativeActionsEnabled\": true}}, \"aISettings\": {}1{}}}",
            "{\"aISettings\": ".repeat(500),
            "}".repeat(500)
        ),
    );
    let mut actions = String::from("{}");
    for i in 0..250 {
        actions = format!("{{\"scope{i}\": {{\"type\": \"Scope\", \"actions\": {actions}}}}}");
    }
    dir.write(
        "workflows/Deep-9DA85DD8-0000-4000-8000-000000000000.json",
        format!("{{\"properties\": {{\"definition\": {{\"actions\": {actions}}}}}}}"),
    );
    let mut topic = String::from(
        "kind: AdaptiveDialog\nbeginDialog:\n  kind: OnRecognizedIntent\n  id: main\n  actions:\n",
    );
    for i in 0..120 {
        let pad = " ".repeat(4 + 8 * i);
        topic.push_str(&format!(
            "{pad}- kind: ConditionGroup\n{pad}  id: c{i}\n{pad}  conditions:\n{pad}    - id: d{i}\n{pad}      condition: =true\n{pad}      actions:\n"
        ));
    }
    let pad = " ".repeat(4 + 8 * 120);
    topic.push_str(&format!(
        "{pad}- kind: SendActivity\n{pad}  id: leaf\n{pad}  activity: hello\n"
    ));
    dir.write(
        &format!("{COMPONENT_DIR}/botcomponent.xml"),
        component_xml(9),
    );
    dir.write(&format!("{COMPONENT_DIR}/data"), &topic);

    // Parsing alone is safe in process (a deeper input recurses just as far
    // before it is refused, see above): check that the files are really close
    // to the limit and parse cleanly.
    let ws = Workspace::parse(load_path(dir.path(), &Limits::default()));
    assert!(ws.problems.is_empty(), "{:?}", summary(&ws.problems));
    let depth_of = |path: &str| {
        let file = ws
            .files
            .iter()
            .position(|f| f.path.starts_with(path))
            .expect(path);
        if let Some(json) = ws.json(file) {
            let mut stack = vec![(json, 0)];
            let mut max = 0;
            while let Some((v, d)) = stack.pop() {
                max = max.max(d);
                stack.extend(v.items().iter().map(|c| (c, d + 1)));
                stack.extend(v.members().iter().map(|m| (&m.value, d + 1)));
            }
            max
        } else if let Some(yaml) = ws.yaml(file) {
            let mut stack = vec![(yaml, 0)];
            let mut max = 0;
            while let Some((v, d)) = stack.pop() {
                max = max.max(d);
                stack.extend(v.items().iter().map(|c| (c, d + 1)));
                stack.extend(v.entries().iter().map(|e| (&e.value, d + 1)));
            }
            max
        } else {
            let doc = ws.xml(file).expect("parsed");
            (0..doc.elements.len())
                .map(|mut id| {
                    let mut d = 0;
                    while let Some(p) = doc.el(id).parent {
                        id = p;
                        d += 1;
                    }
                    d
                })
                .max()
                .unwrap_or(0)
        }
    };
    let data_path = format!("{COMPONENT_DIR}/data");
    for (path, at_least) in [
        ("customizations.xml", 500),
        (CONFIG_PATH, 500),
        ("workflows/Deep-", 500),
        (data_path.as_str(), 480),
    ] {
        let depth = depth_of(path);
        assert!(
            (at_least..=512).contains(&depth),
            "{path} is {depth} levels deep"
        );
    }
    drop(ws);

    let out = dir.join("out.json");
    let err = dir.join("err.txt");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pplint"))
        .args([
            "check",
            "--persona",
            "pedantic",
            "--format",
            "json",
            s(dir.path()),
        ])
        .stdout(std::fs::File::create(&out).expect("out"))
        .stderr(std::fs::File::create(&err).expect("err"))
        .spawn()
        .expect("run pplint");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("pplint did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = std::fs::read_to_string(&out).expect("stdout");
    let stderr = std::fs::read_to_string(&err).expect("stderr");
    assert!(
        matches!(status.code(), Some(0 | 1)),
        "pplint crashed ({status}): {stderr}"
    );
    assert!(!stderr.contains("internal error"), "{stderr}");
    assert!(
        !stdout.contains("PPX000"),
        "everything is under the limit and parses: {stdout}"
    );
}

#[test]
fn yaml_fallbacks_parse_in_linear_time() {
    // Copilot Studio writes `@odata.nextLink:` unquoted and `value: "=["A", "B"]"`
    // with inner quotes; each occurrence currently makes `parse::yaml::parse`
    // start over (and scan every earlier substitution per scalar). In a debug
    // build 1 000 `@` keys took ~5 s, 1 500 ~18 s, 3 000 ~95 s; 1 000
    // over-quoted values ~15 s. A few thousand lines hang pplint for hours.
    let mut at_keys = String::from("kind: AdaptiveDialog\n");
    for i in 0..1500 {
        at_keys.push_str(&format!("@odata.k{i}: 1\n"));
    }
    let zip = with_topic(&at_keys, Vec::new());
    let problems = within(Duration::from_secs(3), "parsing 1 500 `@` keys", || {
        solution_problems(&zip)
    });
    assert!(problems.is_empty(), "{problems:?}");

    let mut quoted = String::from("kind: AdaptiveDialog\n");
    for i in 0..1000 {
        quoted.push_str(&format!("k{i}: \"=[\"A\", \"B\"]\"\n"));
    }
    let zip = with_topic(&quoted, Vec::new());
    let problems = within(
        Duration::from_secs(3),
        "parsing 1 000 over-quoted values",
        || solution_problems(&zip),
    );
    assert!(problems.is_empty(), "{problems:?}");
}

// ---------------------------------------------------------------------------
// 12. Empty archives and empty files
// ---------------------------------------------------------------------------

fn empty_zip() -> Vec<u8> {
    zip::ZipWriter::new(std::io::Cursor::new(Vec::new()))
        .finish()
        .expect("finish")
        .into_inner()
}

#[test]
fn empty_archives_and_empty_files_have_clear_outcomes() {
    let empty = empty_zip();
    assert_eq!(empty.len(), 22, "just the end-of-central-directory record");
    assert_eq!(
        err_of(load_mem(&empty, &Limits::default())),
        InputError::NoSolutionXml { path: SHOWN.into() }
    );
    let dir = TempDir::new("empty");
    let path = dir.write("empty.zip", &empty);
    assert_eq!(
        discover(&path).expect_err("empty"),
        InputError::NoSolutionXml {
            path: s(&path).into()
        }
    );
    let run = common::pplint(&["check", s(&path)]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no solution.xml at the root"),
        "{}",
        run.stderr
    );

    let zero = dir.write("zero.zip", b"");
    assert!(matches!(discover(&zero), Err(InputError::NotZip { .. })));
    assert_eq!(common::pplint(&["check", s(&zero)]).code, 2);

    // Empty files inside a solution.
    let zip = raw_zip(&[
        stored("solution.xml", ""),
        stored("customizations.xml", ""),
        stored(BOT_PATH, BOT_XML),
        stored(CONFIG_PATH, ""),
        stored(
            &format!("{COMPONENT_DIR}/botcomponent.xml"),
            component_xml(9),
        ),
        stored(&format!("{COMPONENT_DIR}/data"), ""),
    ]);
    let problems = solution_problems(&zip);
    assert_eq!(
        problems,
        [
            (
                CONFIG_PATH.into(),
                ProblemKind::Json,
                "unexpected end of input, expected a value".into(),
                0
            ),
            (
                "customizations.xml".into(),
                ProblemKind::Xml,
                "no root element".into(),
                0
            ),
            (
                "solution.xml".into(),
                ProblemKind::Xml,
                "no root element".into(),
                0
            ),
        ]
    );
    let path = dir.write("empty-files.zip", &zip);
    let run = common::pplint(&["check", "--format", "json", s(&path)]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("Could not parse solution.xml as xml: no root element.")
    );
    let run = common::pplint(&["check", "--strict", s(&path)]);
    assert_eq!(run.code, 2);
}

/// Solutions load at the same time, but what discovery and loading say comes
/// out in the order of the inputs, as if they loaded one after the other.
#[cfg(unix)]
#[test]
fn messages_of_several_inputs_keep_their_order() {
    use std::os::unix::fs::symlink;
    let dir = TempDir::new("message_order");
    let noted = |name: &str| {
        dir.write(&format!("{name}/solution.xml"), SOLUTION_XML);
        dir.write(&format!("{name}/{BOT_PATH}"), BOT_XML);
        symlink("/etc/hostname", dir.join(&format!("{name}/notes.json"))).expect("symlink");
        dir.join(name).to_str().expect("utf-8").to_string()
    };
    let first = noted("first");
    let missing = dir.join("missing").to_str().expect("utf-8").to_string();
    let skipped = dir.join("skipped");
    std::fs::create_dir_all(&skipped).expect("mkdir");
    std::fs::write(
        skipped.join("other.zip"),
        common::zip_entries(&[("a.txt", b"a")]),
    )
    .expect("zip");
    dir.write("skipped/inner/solution.xml", SOLUTION_XML);
    let skipped = skipped.to_str().expect("utf-8").to_string();
    let broken = dir
        .write("broken.zip", b"PK\x03\x04 not a zip")
        .to_str()
        .expect("utf-8")
        .to_string();
    let last = noted("last");
    for args in [
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "--fail-on",
            "never",
        ][..],
        &["check", "--read-only", "--no-config"][..],
    ] {
        let mut argv = args.to_vec();
        argv.extend([
            first.as_str(),
            missing.as_str(),
            skipped.as_str(),
            broken.as_str(),
            last.as_str(),
        ]);
        let run = common::pplint(&argv);
        assert_eq!(run.code, 2, "{}", run.stderr);
        let lines: Vec<&str> = run.stderr.lines().collect();
        let at = |needle: &str| {
            lines
                .iter()
                .position(|l| l.contains(needle))
                .unwrap_or_else(|| panic!("{needle:?} not in {lines:?}"))
        };
        let errors = [at(&missing), at(&broken)];
        if args.contains(&"--read-only") {
            assert!(errors[0] < errors[1], "{lines:?}");
            assert!(!run.stderr.contains("note:"), "{lines:?}");
            assert!(run.stdout.contains("of 3 solutions"), "{}", run.stdout);
            let one = common::pplint(&["check", "--read-only", "--no-config", first.as_str()]);
            assert!(
                one.stdout.ends_with(" bytes) of 1 solution\n"),
                "{}",
                one.stdout
            );
        } else {
            let order = [
                at(&format!("{first}: notes.json")),
                errors[0],
                at("without solution.xml"),
                errors[1],
                at(&format!("{last}: notes.json")),
            ];
            assert!(order.is_sorted(), "{order:?} in {lines:?}");
        }
    }
}
