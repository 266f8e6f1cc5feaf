//! Finding solutions under the paths a user gives, and reading their files into
//! memory. Zip entries are inflated in memory, never extracted; folders are read
//! without following symlinks.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use thiserror::Error;

use super::{Problem, ProblemKind, SourceFile, Span};

/// How a solution was laid out on disk (inventory JSON `layout`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Layout {
    Zip,
    Folder,
    SolutionPackager,
    McsWorkspace,
    Connector,
}

impl Layout {
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Zip => "zip",
            Layout::Folder => "folder",
            Layout::SolutionPackager => "solution-packager",
            Layout::McsWorkspace => "mcs-workspace",
            Layout::Connector => "connector",
        }
    }
}

/// Caps that keep a hostile archive from exhausting memory. The defaults fit
/// every real export seen (the largest corpus export reads about 6 MB).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_entries: usize,
    pub max_file_bytes: u64,
    pub max_total_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: 50_000,
            max_file_bytes: 64 * 1024 * 1024,
            max_total_bytes: 512 * 1024 * 1024,
        }
    }
}

/// An input that cannot be linted at all (exit code 2).
#[derive(Debug, Error, PartialEq, Eq)]
pub enum InputError {
    #[error("{path}: no such file or directory")]
    NotFound { path: String },
    #[error("{path}: cannot read: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("{path}: not a zip archive ({reason})")]
    NotZip { path: String, reason: String },
    #[error("{path}: not a Power Platform solution export: no solution.xml at the root")]
    NoSolutionXml { path: String },
    #[error("{path}: too many zip entries ({count}; the limit is {limit}, see --max-entries)")]
    TooManyEntries {
        path: String,
        count: usize,
        limit: usize,
    },
    #[error(
        "{path}: not a Power Platform solution: expected a solution .zip, an unpacked export \
         (solution.xml), a SolutionPackager folder (Other/Solution.xml), a Copilot Studio \
         workspace (settings.mcs.yml or agent.mcs.yml) or a custom connector folder \
         (apiDefinition.swagger.json); found {found}"
    )]
    NotASolution { path: String, found: String },
}

/// A solution root found on disk, not read yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputRoot {
    /// The path shown to users: the path as given, or joined below it.
    pub source: String,
    pub path: PathBuf,
    pub layout: Layout,
    /// Set for a lone `environmentvariabledefinition.xml`: read only that variable's folder.
    fragment: Option<PathBuf>,
}

/// A file that is listed but deliberately not read (binary content, nested
/// archives such as `.msapp`, uploaded knowledge files).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedEntry {
    pub path: String,
    pub size: u64,
}

/// Every file of one solution that pplint reads, plus what it skipped.
#[derive(Debug)]
pub struct LoadedSolution {
    pub source: String,
    pub layout: Layout,
    /// Sorted by path.
    pub files: Vec<SourceFile>,
    pub listed: Vec<ListedEntry>,
    pub problems: Vec<Problem>,
    /// Things a user may want to know that are not problems (skipped symlinks…).
    pub notes: Vec<String>,
}

/// Finds the solutions under `path`. A directory that is not itself a solution is
/// searched recursively; every solution found is reported on its own.
pub fn discover(path: &Path) -> Result<(Vec<InputRoot>, Vec<String>), InputError> {
    let shown = path.display().to_string();
    let meta = std::fs::symlink_metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => InputError::NotFound {
            path: shown.clone(),
        },
        _ => InputError::Unreadable {
            path: shown.clone(),
            reason: e.to_string(),
        },
    })?;
    let meta = if meta.file_type().is_symlink() {
        std::fs::metadata(path).map_err(|e| InputError::Unreadable {
            path: shown.clone(),
            reason: e.to_string(),
        })?
    } else {
        meta
    };
    if meta.is_file() {
        return discover_file(path, &shown).map(|root| (vec![root], Vec::new()));
    }
    if let Some(layout) = classify_dir(path) {
        return Ok((vec![root(shown, path, layout)], Vec::new()));
    }
    let mut roots = Vec::new();
    let mut notes = Vec::new();
    let mut walker = walkdir::WalkDir::new(path)
        .follow_links(false)
        .sort_by_file_name()
        .min_depth(1)
        .into_iter();
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                notes.push(format!("skipped: {err}"));
                continue;
            }
        };
        let entry_path = entry.path();
        let source = entry_path.display().to_string();
        if entry.file_type().is_dir() {
            if let Some(layout) = classify_dir(entry_path) {
                roots.push(root(source, entry_path, layout));
                walker.skip_current_dir();
            }
        } else if entry.file_type().is_file() && has_extension(entry_path, "zip") {
            match zip_has_solution_xml(entry_path) {
                Ok(true) => roots.push(root(source, entry_path, Layout::Zip)),
                Ok(false) => notes.push(format!("skipped {source}: a zip without solution.xml")),
                Err(err) => notes.push(format!("skipped {source}: {err}")),
            }
        }
    }
    if roots.is_empty() {
        return Err(InputError::NotASolution {
            path: shown,
            found: "a folder with no solution in it".into(),
        });
    }
    Ok((roots, notes))
}

fn root(source: String, path: &Path, layout: Layout) -> InputRoot {
    InputRoot {
        source,
        path: path.to_path_buf(),
        layout,
        fragment: None,
    }
}

fn discover_file(path: &Path, shown: &str) -> Result<InputRoot, InputError> {
    let name = file_name_lower(path);
    if name == "environmentvariabledefinition.xml" {
        // A lone definition is read as a one-variable SolutionPackager fragment,
        // keeping the in-solution path `environmentvariabledefinitions/<s>/…`.
        let var_dir = path.parent().unwrap_or(Path::new("."));
        let defs_dir = var_dir.parent().unwrap_or(Path::new("."));
        let base = defs_dir.parent().unwrap_or(Path::new("."));
        return Ok(InputRoot {
            source: shown.to_string(),
            path: base.to_path_buf(),
            layout: Layout::SolutionPackager,
            fragment: Some(var_dir.to_path_buf()),
        });
    }
    if !has_extension(path, "zip") {
        let found = if name.ends_with(".mcs.yml") {
            "a single .mcs.yml file (give its workspace folder instead)".to_string()
        } else {
            format!("a file named '{name}'")
        };
        return Err(InputError::NotASolution {
            path: shown.to_string(),
            found,
        });
    }
    match zip_has_solution_xml(path) {
        Ok(true) => Ok(root(shown.to_string(), path, Layout::Zip)),
        Ok(false) => Err(InputError::NoSolutionXml {
            path: shown.to_string(),
        }),
        Err(reason) => Err(InputError::NotZip {
            path: shown.to_string(),
            reason,
        }),
    }
}

fn zip_has_solution_xml(path: &Path) -> Result<bool, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let archive = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| e.to_string())?;
    Ok(archive
        .file_names()
        .flatten()
        .any(|name| name.eq_ignore_ascii_case("solution.xml")))
}

/// The layout of `dir` when it is itself a solution root.
pub fn classify_dir(dir: &Path) -> Option<Layout> {
    let names = child_names_lower(dir);
    let has = |name: &str| names.iter().any(|(lower, _)| lower == name);
    if has("solution.xml") {
        return Some(Layout::Folder);
    }
    if let Some((_, other)) = names.iter().find(|(lower, _)| lower == "other")
        && child_names_lower(&dir.join(other))
            .iter()
            .any(|(lower, _)| lower == "solution.xml")
    {
        return Some(Layout::SolutionPackager);
    }
    if has("settings.mcs.yml") || has("agent.mcs.yml") {
        return Some(Layout::McsWorkspace);
    }
    if has("apidefinition.swagger.json") {
        return Some(Layout::Connector);
    }
    None
}

fn child_names_lower(dir: &Path) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name.to_ascii_lowercase(), name)
        })
        .collect()
}

fn file_name_lower(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension()
        .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case(ext))
}

/// Whether pplint reads this in-solution path (everything else is only listed).
/// Binary payloads, canvas apps and nested archives are never opened.
pub fn is_read(path: &str, layout: Layout) -> bool {
    let lower = path.to_ascii_lowercase();
    let segments: Vec<&str> = lower.split('/').collect();
    let name = segments.last().copied().unwrap_or("");
    if segments.contains(&"filedata") || name.ends_with(".msapp") || name.ends_with(".zip") {
        return false;
    }
    if layout == Layout::McsWorkspace {
        if segments.first() == Some(&".mcs") {
            return false;
        }
        return name.ends_with(".mcs.yml")
            || (segments.first() == Some(&"workflows") && name == "workflow.json");
    }
    if layout == Layout::Connector {
        return segments.len() == 1
            && matches!(
                name,
                "apidefinition.swagger.json" | "apiproperties.json" | "script.csx"
            );
    }
    let top = segments.first().copied().unwrap_or("");
    match (segments.len(), top) {
        (1, _) => matches!(name, "solution.xml" | "customizations.xml"),
        (2, "other") => matches!(name, "solution.xml" | "customizations.xml"),
        (2, "workflows") => name.ends_with(".json") || name.ends_with(".json.data.xml"),
        (2, "connector" | "connectors") => {
            name.ends_with(".xml")
                || name.ends_with("_openapidefinition.json")
                || name.ends_with("_connectionparameters.json")
                || name.ends_with("_policytemplateinstances.json")
                || name.ends_with("_customcodeblobcontent.csx")
        }
        (2, "assets") => name.ends_with(".xml"),
        (3, "bots") => matches!(name, "bot.xml" | "configuration.json"),
        (3, "botcomponents") => matches!(name, "botcomponent.xml" | "data" | "data.yml"),
        (3, "botcomponentcollections") => {
            matches!(name, "botcomponentcollection.xml" | "configuration.json")
        }
        (3, "environmentvariabledefinitions") => {
            matches!(
                name,
                "environmentvariabledefinition.xml" | "environmentvariablevalues.json"
            )
        }
        _ => false,
    }
}

/// Reads one discovered solution. Never fails: what cannot be read becomes a
/// [`Problem`], except archive-level failures, which leave no files.
pub fn load(root: &InputRoot, limits: &Limits) -> Result<LoadedSolution, InputError> {
    let mut solution = LoadedSolution {
        source: root.source.clone(),
        layout: root.layout,
        files: Vec::new(),
        listed: Vec::new(),
        problems: Vec::new(),
        notes: Vec::new(),
    };
    match root.layout {
        Layout::Zip => load_zip(&root.path, &root.source, limits, &mut solution)?,
        _ => load_folder(root, limits, &mut solution),
    }
    solution.files.sort_by(|a, b| a.path.cmp(&b.path));
    solution.listed.sort_by(|a, b| a.path.cmp(&b.path));
    solution
        .problems
        .sort_by(|a, b| (&a.file, a.span).cmp(&(&b.file, b.span)));
    Ok(solution)
}

fn load_zip(
    path: &Path,
    shown: &str,
    limits: &Limits,
    solution: &mut LoadedSolution,
) -> Result<(), InputError> {
    let bytes = std::fs::read(path).map_err(|e| InputError::Unreadable {
        path: shown.to_string(),
        reason: e.to_string(),
    })?;
    load_zip_bytes(&bytes, shown, limits, solution)
}

/// Reads a solution zip held in memory (tests, fuzzing, archives inside archives).
pub fn load_zip_from_bytes(
    bytes: &[u8],
    shown: &str,
    limits: &Limits,
) -> Result<LoadedSolution, InputError> {
    let mut solution = LoadedSolution {
        source: shown.to_string(),
        layout: Layout::Zip,
        files: Vec::new(),
        listed: Vec::new(),
        problems: Vec::new(),
        notes: Vec::new(),
    };
    load_zip_bytes(bytes, shown, limits, &mut solution)?;
    solution.files.sort_by(|a, b| a.path.cmp(&b.path));
    solution.listed.sort_by(|a, b| a.path.cmp(&b.path));
    solution
        .problems
        .sort_by(|a, b| (&a.file, a.span).cmp(&(&b.file, b.span)));
    Ok(solution)
}

/// Reads a solution zip held in memory into `solution` (unsorted).
pub fn load_zip_bytes(
    bytes: &[u8],
    shown: &str,
    limits: &Limits,
    solution: &mut LoadedSolution,
) -> Result<(), InputError> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| InputError::NotZip {
        path: shown.to_string(),
        reason: e.to_string(),
    })?;
    if archive.len() > limits.max_entries {
        return Err(InputError::TooManyEntries {
            path: shown.to_string(),
            count: archive.len(),
            limit: limits.max_entries,
        });
    }
    let names: Vec<Option<String>> = (0..archive.len())
        .map(|i| {
            archive
                .name_for_index(i)
                .and_then(Result::ok)
                .map(|name| name.into_owned())
        })
        .collect();
    if !names
        .iter()
        .flatten()
        .any(|n| n.eq_ignore_ascii_case("solution.xml"))
    {
        return Err(InputError::NoSolutionXml {
            path: shown.to_string(),
        });
    }
    if archive.has_duplicate_names() {
        solution.problems.push(Problem::new(
            String::new(),
            Span::default(),
            ProblemKind::Zip,
            "the archive holds several entries with the same name (duplicate names); only the last of each was read",
        ));
    }
    // Decide up front, in a fixed order and from the declared sizes (the zip
    // crate refuses to inflate past an entry's declared size), which entries
    // fit under the total cap: nothing is inflated for an entry that cannot
    // fit, and the outcome does not depend on thread timing. Manifest first.
    let mut order: Vec<(bool, String, usize)> = (0..archive.len())
        .map(|i| {
            let lower = names[i].as_deref().unwrap_or("").to_ascii_lowercase();
            let manifest = matches!(lower.as_str(), "solution.xml" | "customizations.xml");
            (!manifest, lower, i)
        })
        .collect();
    order.sort();
    let mut budget = limits.max_total_bytes;
    let mut admitted = vec![false; archive.len()];
    for (_, _, i) in order {
        let Ok(entry) = archive.by_index_data(i) else {
            continue;
        };
        let read = names[i]
            .as_deref()
            .is_some_and(|name| is_read(name, Layout::Zip));
        let size = entry.size();
        if read && !entry.is_dir() && size <= limits.max_file_bytes && size <= budget {
            budget -= size;
            admitted[i] = true;
        }
    }
    let results: Vec<ZipRead> = (0..archive.len())
        .into_par_iter()
        .map_init(
            || (archive.clone(), flate2::Decompress::new(false)),
            |(archive, inflater), index| {
                read_zip_entry(archive, bytes, inflater, index, limits, admitted[index])
            },
        )
        .collect();
    for result in results {
        match result {
            ZipRead::Skip => {}
            ZipRead::File(file) => solution.files.push(file),
            ZipRead::Listed(entry) => solution.listed.push(entry),
            ZipRead::Problem(problem) => solution.problems.push(problem),
        }
    }
    Ok(())
}

enum ZipRead {
    Skip,
    File(SourceFile),
    Listed(ListedEntry),
    Problem(Problem),
}

fn read_zip_entry(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    archive_bytes: &[u8],
    inflater: &mut flate2::Decompress,
    index: usize,
    limits: &Limits,
    admitted: bool,
) -> ZipRead {
    let stored_name = archive
        .name_for_index(index)
        .and_then(Result::ok)
        .map(|n| n.into_owned())
        .unwrap_or_default();
    // The raw entry sets up no decompressor: `by_index` gives every entry an
    // 8 KiB read buffer, which the deflated entries pplint inflates itself
    // never use. Encrypted entries take `by_index` for its password error.
    let raw = archive.by_index_raw(index);
    let encrypted = matches!(&raw, Ok(entry) if entry.encrypted());
    let entry = match if encrypted {
        drop(raw);
        archive.by_index(index)
    } else {
        raw
    } {
        Ok(entry) => entry,
        Err(err) => {
            let name = stored_name;
            return ZipRead::Problem(Problem::new(
                name.clone(),
                Span::default(),
                ProblemKind::Zip,
                format!("cannot read zip entry '{name}': {err}"),
            ));
        }
    };
    if entry.is_dir() {
        return ZipRead::Skip;
    }
    let name = match entry.name() {
        Ok(name) => name.into_owned(),
        Err(_) => String::from_utf8_lossy(entry.name_raw()).into_owned(),
    };
    if !is_read(&name, Layout::Zip) {
        return ZipRead::Listed(ListedEntry {
            path: name,
            size: entry.size(),
        });
    }
    if entry.encrypted() {
        return ZipRead::Problem(Problem::new(
            name,
            Span::default(),
            ProblemKind::Zip,
            "the entry is encrypted",
        ));
    }
    if entry.size() > limits.max_file_bytes {
        return ZipRead::Problem(too_large(name, entry.size(), limits.max_file_bytes));
    }
    if !admitted {
        return ZipRead::Problem(over_total(name, limits.max_total_bytes));
    }
    let inflated = match (entry.compression(), entry.data_start()) {
        (zip::CompressionMethod::Deflated, Some(start)) => inflate(
            archive_bytes,
            start,
            entry.compressed_size(),
            entry.size(),
            entry.crc32(),
            inflater,
        ),
        _ => {
            let size = entry.size();
            drop(entry);
            // Stored and unsupported methods: the zip reader checks the CRC-32
            // and reports methods it cannot read.
            let mut bytes = Vec::with_capacity(usize::try_from(size.min(1 << 20)).unwrap_or(0));
            archive
                .by_index(index)
                .map_err(|err| err.to_string())
                .and_then(|entry| {
                    // The declared size can lie: cap what is actually inflated.
                    entry
                        .take(limits.max_file_bytes + 1)
                        .read_to_end(&mut bytes)
                        .map(|_| bytes)
                        .map_err(|err| err.to_string())
                })
        }
    };
    let bytes = match inflated {
        Ok(bytes) => bytes,
        Err(err) => {
            return ZipRead::Problem(Problem::new(
                name,
                Span::default(),
                ProblemKind::Zip,
                format!("cannot inflate the entry: {err}"),
            ));
        }
    };
    let len = bytes.len() as u64;
    if len > limits.max_file_bytes {
        return ZipRead::Problem(too_large(name, len, limits.max_file_bytes));
    }
    ZipRead::File(SourceFile::new(name, bytes))
}

/// Inflates a deflated entry straight from the archive's bytes with the calling
/// thread's decompressor, into exactly its declared size (never more: the
/// declared sizes were admitted against the caps), and checks its CRC-32. The
/// zip reader allocates a decompressor and buffers for every entry, and
/// thousands of small entries left tens of megabytes of freed memory behind
/// (26 MB for a 5 MB export; docs/performance.md).
fn inflate(
    archive: &[u8],
    start: u64,
    compressed: u64,
    declared: u64,
    crc: u32,
    inflater: &mut flate2::Decompress,
) -> Result<Vec<u8>, String> {
    let input = usize::try_from(start)
        .ok()
        .zip(usize::try_from(compressed).ok())
        .and_then(|(start, len)| archive.get(start..start.checked_add(len)?))
        .ok_or("the entry's data lies outside the archive")?;
    let declared = usize::try_from(declared).map_err(|_| "the entry is too large")?;
    inflater.reset(false);
    let mut out = Vec::with_capacity(declared);
    let mut ended = false;
    while !ended && out.len() < declared {
        let consumed = usize::try_from(inflater.total_in()).unwrap_or(usize::MAX);
        let produced = out.len();
        let status = inflater
            .decompress_vec(
                input.get(consumed..).unwrap_or_default(),
                &mut out,
                flate2::FlushDecompress::Finish,
            )
            .map_err(|e| e.to_string())?;
        ended = status == flate2::Status::StreamEnd;
        if !ended && out.len() == produced && inflater.total_in() as usize == consumed {
            return Err("the compressed data ends early".to_string());
        }
    }
    if !ended {
        // Full at the declared size: anything more is a lie (a zip bomb).
        let consumed = usize::try_from(inflater.total_in()).unwrap_or(usize::MAX);
        let mut probe = [0u8; 64];
        let before = inflater.total_out();
        inflater
            .decompress(
                input.get(consumed..).unwrap_or_default(),
                &mut probe,
                flate2::FlushDecompress::Finish,
            )
            .map_err(|e| e.to_string())?;
        if inflater.total_out() > before {
            return Err("File is larger than its declared uncompressed size".to_string());
        }
    }
    let mut check = flate2::Crc::new();
    check.update(&out);
    if check.sum() != crc {
        return Err("Invalid checksum".to_string());
    }
    Ok(out)
}

fn over_total(name: String, limit: u64) -> Problem {
    Problem::new(
        name,
        Span::default(),
        ProblemKind::TooLarge,
        format!(
            "the solution's files exceed {limit} bytes in total (see --max-total-size); this file was not read"
        ),
    )
}

fn too_large(name: String, size: u64, limit: u64) -> Problem {
    Problem::new(
        name,
        Span::default(),
        ProblemKind::TooLarge,
        format!("the file is {size} bytes, over the {limit}-byte limit (see --max-file-size)"),
    )
}

fn load_folder(root: &InputRoot, limits: &Limits, solution: &mut LoadedSolution) {
    let walk_from = root.fragment.as_deref().unwrap_or(&root.path);
    let mut candidates: Vec<(String, PathBuf, u64)> = Vec::new();
    // The relative path of the last folder entered at each depth: an entry's
    // path is its folder's plus its name (stripping the root off every path
    // took a tenth of reading an unpacked export).
    let mut folders: Vec<String> = Vec::new();
    if walk_from.strip_prefix(&root.path).is_ok() {
        folders.push(relative(&root.path, walk_from));
    }
    for entry in walkdir::WalkDir::new(walk_from)
        .follow_links(false)
        .sort_by_file_name()
        .min_depth(1)
    {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let rel = err
                    .path()
                    .map(|p| relative(&root.path, p))
                    .unwrap_or_default();
                solution.problems.push(Problem::new(
                    rel,
                    Span::default(),
                    ProblemKind::Encoding,
                    format!("cannot read: {err}"),
                ));
                continue;
            }
        };
        let rel = match folders.get(entry.depth() - 1) {
            Some(folder) => {
                let name = entry.file_name().to_string_lossy();
                if folder.is_empty() {
                    name.into_owned()
                } else {
                    format!("{folder}/{name}")
                }
            }
            None => relative(&root.path, entry.path()),
        };
        if entry.file_type().is_dir() && !folders.is_empty() {
            folders.truncate(entry.depth());
            folders.push(rel.clone());
        }
        if entry.file_type().is_symlink() {
            solution.notes.push(format!("{rel}: symlink not followed"));
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        if !is_read(&rel, root.layout) {
            solution.listed.push(ListedEntry { path: rel, size });
            continue;
        }
        if candidates.len() >= limits.max_entries {
            solution.problems.push(Problem::new(
                rel,
                Span::default(),
                ProblemKind::TooLarge,
                format!(
                    "more than {} files; the rest were not read",
                    limits.max_entries
                ),
            ));
            break;
        }
        candidates.push((rel, entry.into_path(), size));
    }
    // Admit files against the total cap up front, manifests first then by path,
    // so the outcome never depends on thread timing.
    candidates.sort_by_cached_key(|(rel, _, _)| {
        let lower = rel.to_ascii_lowercase();
        let manifest = matches!(
            lower.as_str(),
            "solution.xml"
                | "customizations.xml"
                | "other/solution.xml"
                | "other/customizations.xml"
        );
        (!manifest, rel.clone())
    });
    let mut budget = limits.max_total_bytes;
    let mut admitted = Vec::with_capacity(candidates.len());
    for (rel, path, size) in candidates {
        if size > limits.max_file_bytes {
            solution
                .problems
                .push(too_large(rel, size, limits.max_file_bytes));
        } else if size > budget {
            solution
                .problems
                .push(over_total(rel, limits.max_total_bytes));
        } else {
            budget -= size;
            admitted.push((rel, path, size));
        }
    }
    let results: Vec<Result<SourceFile, Problem>> = admitted
        .into_par_iter()
        .map(|(rel, path, size)| read_file(rel, &path, size, limits))
        .collect();
    for result in results {
        match result {
            Ok(file) => solution.files.push(file),
            Err(problem) => solution.problems.push(problem),
        }
    }
}

/// Reads the file at `path`, `size` bytes when it was listed. Room for them is
/// made up front: reading into an empty vector grows it by copying, about as
/// many bytes again, and leaves up to as much room unused.
fn read_file(rel: String, path: &Path, size: u64, limits: &Limits) -> Result<SourceFile, Problem> {
    let capacity = usize::try_from(size.min(limits.max_file_bytes)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    let read = std::fs::File::open(path)
        .and_then(|f| f.take(limits.max_file_bytes + 1).read_to_end(&mut bytes));
    if let Err(err) = read {
        return Err(Problem::new(
            rel,
            Span::default(),
            ProblemKind::Encoding,
            format!("cannot read the file: {err}"),
        ));
    }
    let len = bytes.len() as u64;
    if len > limits.max_file_bytes {
        return Err(too_large(rel, len, limits.max_file_bytes));
    }
    Ok(SourceFile::new(rel, bytes))
}

fn relative(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::{Limits, ProblemKind, inflate, read_file};

    fn deflated(data: &[u8]) -> Vec<u8> {
        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(data).expect("compress");
        encoder.finish().expect("compress")
    }

    fn crc(data: &[u8]) -> u32 {
        let mut crc = flate2::Crc::new();
        crc.update(data);
        crc.sum()
    }

    #[test]
    fn inflates_in_place_and_checks_size_crc_and_truncation() {
        let text = b"<Workflow>hello hello hello</Workflow>".repeat(50);
        let raw = deflated(&text);
        let mut archive = b"HEADER".to_vec();
        archive.extend_from_slice(&raw);
        let mut inflater = flate2::Decompress::new(false);
        let len = raw.len() as u64;
        let n = text.len() as u64;
        let ok = inflate(&archive, 6, len, n, crc(&text), &mut inflater);
        assert_eq!(ok.as_deref(), Ok(&text[..]));
        // The same decompressor serves the next entry.
        let again = inflate(&archive, 6, len, n, crc(&text), &mut inflater);
        assert_eq!(again.as_deref(), Ok(&text[..]));
        assert_eq!(
            inflate(&archive, 6, len, n, crc(&text) ^ 1, &mut inflater),
            Err("Invalid checksum".to_string())
        );
        assert_eq!(
            inflate(&archive, 6, len, n - 10, crc(&text), &mut inflater),
            Err("File is larger than its declared uncompressed size".to_string())
        );
        assert_eq!(
            inflate(&archive, 6, len / 2, n, crc(&text), &mut inflater),
            Err("the compressed data ends early".to_string())
        );
        assert!(inflate(&archive, 6, len + 100, n, crc(&text), &mut inflater).is_err());
        assert!(inflate(&archive, u64::MAX, len, n, crc(&text), &mut inflater).is_err());
    }

    /// A file is read whole whatever size it was listed with, and a file that
    /// grew past the limit since is refused; read at its listed size, it
    /// takes no more room than its bytes.
    #[test]
    fn reads_a_file_whole_whatever_size_it_was_listed_with() {
        let dir = std::env::temp_dir().join(format!("pplint-read-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("a.json");
        let text = b"{\"a\": 1}".repeat(100);
        std::fs::write(&path, &text).expect("write");
        let limits = Limits {
            max_file_bytes: 1000,
            ..Limits::default()
        };
        for listed in [0, 10, 799, 800, 801, 5000] {
            let file = read_file("a.json".into(), &path, listed, &limits).expect("read");
            assert_eq!(file.bytes, text, "listed as {listed} bytes");
        }
        let file = read_file("a.json".into(), &path, 800, &limits).expect("read");
        assert_eq!(file.bytes.capacity(), 800);
        let limits = Limits {
            max_file_bytes: 500,
            ..Limits::default()
        };
        for listed in [0, 400, 500] {
            let problem = read_file("a.json".into(), &path, listed, &limits).expect_err("grown");
            assert_eq!(problem.kind, ProblemKind::TooLarge);
            assert!(
                problem.detail.contains("500-byte limit"),
                "{}",
                problem.detail
            );
        }
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
