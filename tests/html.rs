//! The HTML report (`--format html`): a structural snapshot, self-containment,
//! every finding present, secrets redacted, the scorecard and the agent map, the
//! corpus at scale, and a render in headless Chromium.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::pplint;
use serde_json::Value;

const DEMO: &str = "fixtures/demo/contoso-helpdesk";
/// A stable rule set, so new rules do not churn the snapshot.
const RULES: &str = "AGT001,RAI001,KNW003,ALM005";
const DOCS_BASE: &str = "https://github.com/pplint/pplint/blob/main/";
const HOME: &str = "https://github.com/pplint/pplint";
const PILLARS: [(&str, &str); 5] = [
    ("security", "Security"),
    ("reliability", "Reliability"),
    ("operational-excellence", "Operational Excellence"),
    ("performance-efficiency", "Performance Efficiency"),
    ("experience-optimization", "Experience Optimization"),
];

fn html_of(args: &[&str]) -> String {
    let mut argv = vec!["check", "--no-config", "--format", "html"];
    argv.extend_from_slice(args);
    let run = pplint(&argv);
    assert!(run.code <= 1, "exit {}: {}", run.code, run.stderr);
    assert!(run.stdout.starts_with("<!DOCTYPE html>"), "{}", run.stderr);
    run.stdout
}

fn json_of(args: &[&str], format: &str) -> Value {
    let mut argv = vec!["check", "--no-config", "--format", format];
    argv.extend_from_slice(args);
    let run = pplint(&argv);
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("invalid JSON ({e}): {}", run.stderr))
}

/// The escaping the report applies to text from solutions.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn scrub_version(text: &str) -> String {
    text.replace(env!("CARGO_PKG_VERSION"), "[version]")
}

/// Value of every `name="…"` attribute in the page.
fn attribute_values<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let needle = format!(" {name}=\"");
    html.match_indices(&needle)
        .map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            &rest[..rest.find('"').expect("closing quote")]
        })
        .collect()
}

/// The component maps of the solutions under `path`, as the CLI builds them.
fn maps_of(path: &str) -> Vec<pplint::output::map::ComponentMap> {
    let mut err = Vec::new();
    let (workspaces, _) = pplint::cli::load_all(
        &[PathBuf::from(path)],
        &pplint::source::Limits::default(),
        &mut err,
    );
    workspaces
        .iter()
        .map(|ws| pplint::mapping::component_map(&pplint::model::Solution::build(ws)))
        .collect()
}

/// The `<svg class="map" id="s{i}-svg" …>…</svg>` of solution `i`.
fn map_svg(html: &str, solution: usize) -> Option<&str> {
    let start = html.find(&format!("<svg class=\"map\" id=\"s{solution}-svg\""))?;
    let end = start + html[start..].find("</svg>")?;
    Some(&html[start..end])
}

/// Checks the page loads nothing: no `src`, `<link>`, `@import` or `url()` other
/// than in-page markers, and every link is an in-page anchor or the docs.
fn assert_self_contained(html: &str) {
    assert!(!html.contains(" src="), "an element loads a resource");
    assert!(!html.contains("<link"), "a <link> element");
    assert!(!html.contains("@import"), "a CSS @import");
    assert!(!html.contains("<iframe") && !html.contains("<img") && !html.contains("<object"));
    for (at, _) in html.match_indices("url(") {
        assert!(
            html[at..].starts_with("url(#"),
            "external url(): {}",
            &html[at..at + 40]
        );
    }
    let scripts = html.matches("<script").count();
    assert_eq!(scripts, 1, "one inline script");
    assert!(
        html.contains("<script>"),
        "the script is inline, without attributes"
    );
    for href in attribute_values(html, "href")
        .into_iter()
        .chain(attribute_values(html, "xlink:href"))
    {
        assert!(
            href.starts_with('#') || href.starts_with(DOCS_BASE) || href == HOME,
            "external link {href}"
        );
    }
}

// ---------------------------------------------------------------------------
// 1. Structure snapshot

const VOID: [&str; 6] = ["meta", "br", "input", "hr", "img", "link"];
/// Attributes kept in the digest (geometry of edges and boxes is left out).
const KEPT: [&str; 14] = [
    "id",
    "class",
    "href",
    "data-sev",
    "data-pillar",
    "data-filter",
    "data-identity",
    "data-i",
    "data-a",
    "data-b",
    "transform",
    "viewBox",
    "hidden",
    "aria-label",
];

/// An indented skeleton of the page: elements with their ids, classes, links and
/// layout attributes, and collapsed text; `<style>` and `<script>` bodies left out.
fn digest(html: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(tail) = rest.strip_prefix('<') {
            let end = tail.find('>').expect("tag end");
            let tag = &tail[..end];
            rest = &tail[end + 1..];
            if tag.starts_with('!') {
                continue;
            }
            if tag.starts_with('/') {
                depth = depth.saturating_sub(1);
                continue;
            }
            let name = tag
                .split(|c: char| c.is_whitespace() || c == '/')
                .next()
                .expect("tag name");
            let mut line = format!("{}<{name}", "  ".repeat(depth));
            for (key, value) in attributes(&tag[name.len()..]) {
                let svg_size = name == "svg" && (key == "width" || key == "height");
                match value {
                    Some(value) if KEPT.contains(&key) || svg_size => {
                        line.push_str(&format!(" {key}=\"{value}\""));
                    }
                    None if KEPT.contains(&key) => line.push_str(&format!(" {key}")),
                    _ => {}
                }
            }
            line.push('>');
            out.push_str(&line);
            out.push('\n');
            if name == "style" || name == "script" {
                let close = format!("</{name}>");
                let at = rest.find(&close).expect("closing tag");
                out.push_str(&format!("{}[{name} omitted]\n", "  ".repeat(depth + 1)));
                rest = &rest[at + close.len()..];
                continue;
            }
            if !tag.ends_with('/') && !VOID.contains(&name) {
                depth += 1;
            }
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let text = rest[..end].split_whitespace().collect::<Vec<_>>().join(" ");
            if !text.is_empty() {
                out.push_str(&format!("{}\"{text}\"\n", "  ".repeat(depth)));
            }
            rest = &rest[end..];
        }
    }
    out
}

/// `key="value"` and bare `key` attributes of a start tag's rest.
fn attributes(mut rest: &str) -> Vec<(&str, Option<&str>)> {
    let mut out = Vec::new();
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() {
            return out;
        }
        let key_end = rest
            .find(|c: char| c.is_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let key = &rest[..key_end];
        rest = &rest[key_end..];
        if let Some(value) = rest.strip_prefix("=\"") {
            let end = value.find('"').expect("attribute end");
            out.push((key, Some(&value[..end])));
            rest = &value[end + 1..];
        } else {
            out.push((key, None));
        }
    }
}

#[test]
fn demo_structure_snapshot() {
    let html = html_of(&["--select", RULES, DEMO]);
    assert!(html.len() < 200_000, "{} bytes", html.len());
    insta::assert_snapshot!("demo_html_digest", scrub_version(&digest(&html)));
}

#[test]
fn output_is_deterministic_and_written_to_the_output_file() {
    let dir = std::env::temp_dir().join(format!("pplint-html-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("report.html");
    let run = pplint(&[
        "check",
        "--no-config",
        "--select",
        RULES,
        "--format",
        "html",
        "--output",
        file.to_str().expect("utf-8"),
        DEMO,
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    let written = std::fs::read_to_string(&file).expect("report written");
    assert_eq!(written, html_of(&["--select", RULES, DEMO]));
    std::fs::remove_dir_all(&dir).ok();
}

// ---------------------------------------------------------------------------
// 2. Content

#[test]
fn demo_report_is_self_contained_and_complete() {
    let html = html_of(&[DEMO]);
    assert_self_contained(&html);

    // Every finding, with its rule's doc link.
    let report = json_of(&[DEMO], "json");
    let findings = report["findings"].as_array().expect("findings");
    assert!(!findings.is_empty());
    for f in findings {
        let message = f["message"].as_str().expect("message");
        assert!(
            html.contains(&escape(message)),
            "missing message: {message}"
        );
        let id = f["rule_id"].as_str().expect("rule id");
        assert!(
            html.contains(&format!("href=\"{DOCS_BASE}docs/rules/{id}.md\"")),
            "{id} doc link"
        );
        let help = f["help"].as_str().expect("help");
        assert!(html.contains(&escape(help)), "missing help of {id}");
    }
    assert_eq!(
        html.matches("<article class=\"finding ").count(),
        findings.len()
    );

    // The scorecard: one card per pillar.
    assert!(html.contains("<section id=\"scorecard\""));
    for (slug, name) in PILLARS {
        assert!(
            html.contains(&format!("id=\"pillar-{slug}\"")),
            "{name} card"
        );
        assert!(html.contains(&format!("<h3>{name}</h3>")), "{name} heading");
    }
    // Security fails (AGT001 …); every pillar card says how many rules passed.
    assert!(html.contains("<article class=\"pillar-card fail\" id=\"pillar-security\""));
    assert_eq!(html.matches("rules passed</p>").count(), 5);

    // The map: one node per map node, one path per edge.
    let maps = maps_of(DEMO);
    assert_eq!(maps.len(), 1);
    let svg = map_svg(&html, 0).expect("map svg");
    assert_eq!(svg.matches("<g class=\"node ").count(), maps[0].nodes.len());
    assert_eq!(
        svg.matches("<path class=\"edge\"").count(),
        maps[0].edges.len()
    );
    for node in &maps[0].nodes {
        assert!(svg.contains(&format!("data-identity=\"{}\"", escape(&node.identity))));
        let first_word = node.label.split_whitespace().next().unwrap_or_default();
        assert!(
            svg.contains(&escape(first_word)),
            "label of {}",
            node.identity
        );
    }
    // The agent has findings: its node is badged with its worst severity (high).
    assert!(svg.contains("<g class=\"node k-agent sev-high\""), "{svg}");
    assert!(
        html.contains("Conversational boosting – Grüße"),
        "UTF-8 labels kept"
    );
}

#[test]
fn secrets_stay_redacted() {
    let fixture = "fixtures/rules/SEC001/fail";
    if !Path::new(fixture).is_dir() {
        eprintln!("SKIPPED: {fixture} is missing");
        return;
    }
    let html = html_of(&["--select", "SEC001", fixture]);
    let sarif = json_of(&["--select", "SEC001", fixture], "sarif");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(!results.is_empty(), "SEC001 fixture has findings");
    for result in results {
        let region = &result["locations"][0]["physicalLocation"]["region"];
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .expect("uri");
        let bytes = std::fs::read(uri).unwrap_or_else(|e| panic!("{uri}: {e}"));
        let start = region["byteOffset"].as_u64().expect("offset") as usize;
        let len = region["byteLength"].as_u64().expect("length") as usize;
        let secret = String::from_utf8_lossy(&bytes[start..start + len]).into_owned();
        assert!(secret.len() >= 8, "secret span of {uri}");
        // Nowhere in the page: not in its snippet, nor in another finding's context.
        assert!(!html.contains(&secret), "secret of {uri} leaked");
        assert!(
            !html.contains(&escape(&secret)),
            "secret of {uri} leaked (escaped)"
        );
        let redacted = region["snippet"]["text"].as_str().expect("redacted");
        assert!(
            html.contains(&format!("<mark>{}</mark>", escape(redacted))),
            "redacted form {redacted} highlighted"
        );
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

#[test]
fn suppressed_findings_are_marked_with_their_reason() {
    let dir = std::env::temp_dir().join(format!("pplint-html-suppress-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_tree(Path::new(DEMO), &dir);
    std::fs::write(
        dir.join("pplint.toml"),
        "[[suppress]]\nrule = \"AGT001\"\ncomponent = \"bot:cnt_help*\"\n\
         reason = \"public FAQ agent, reviewed by <security> & legal\"\nexpires = 2030-01-01\n",
    )
    .expect("config");
    let run = pplint(&[
        "check",
        "--today",
        "2026-06-01",
        "--select",
        RULES,
        "--format",
        "html",
        dir.to_str().expect("utf-8"),
    ]);
    let html = run.stdout;
    let start = html
        .find("<article class=\"finding sev-high suppressed\"")
        .expect("suppressed finding listed");
    let article = &html[start..start + html[start..].find("</article>").expect("end")];
    assert!(article.contains("AGT001"));
    assert!(article.contains(
        "<b>Suppressed</b> (pplint.toml): public FAQ agent, reviewed by &lt;security&gt; &amp; legal"
    ));
    // Counted apart, with a filter of its own; the agent's badge counts the rest.
    assert!(html.contains("<li class=\"suppressed-total\"><b>1</b> suppressed</li>"));
    assert!(html.contains("data-filter=\"suppressed\""));
    assert!(html.contains("<span class=\"count\">4 findings · 1 suppressed</span>"));
    let svg = map_svg(&html, 0).expect("map");
    assert!(
        svg.contains("bot:cnt_helpdesk\n2 findings (worst: high)"),
        "{svg}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn solutions_without_components_get_a_note() {
    let dir = std::env::temp_dir().join(format!("pplint-html-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("solution.xml"),
        "<ImportExportXml><SolutionManifest><UniqueName>Empty</UniqueName><Managed>1</Managed></SolutionManifest></ImportExportXml>",
    )
    .expect("write");
    let html = html_of(&[dir.to_str().expect("utf-8")]);
    assert!(!html.contains("<svg class=\"map\""));
    assert!(html.contains("so there is no map to draw"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn corpus_report_scales() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let path = corpus.to_str().expect("utf-8").to_string();
    let html = html_of(&[&path]);
    assert_self_contained(&html);
    let maps = maps_of(&path);
    assert!(maps.len() > 10);
    let mut largest = 0;
    for (i, map) in maps.iter().enumerate() {
        match map_svg(&html, i) {
            Some(svg) => {
                assert_eq!(
                    svg.matches("<g class=\"node ").count(),
                    map.nodes.len(),
                    "solution {i}"
                );
                // Labels are wrapped or truncated: no line overflows its node.
                for line in svg.split("<text class=\"label\"").skip(1) {
                    let text = &line
                        [line.find('>').expect("text") + 1..line.find("</text>").expect("end")];
                    let text = text
                        .replace("&#39;", "'")
                        .replace("&quot;", "\"")
                        .replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&amp;", "&");
                    assert!(text.chars().count() <= 40, "label line too long: {text}");
                }
                largest = largest.max(map.nodes.len());
            }
            None => assert!(map.nodes.is_empty(), "solution {i} has nodes but no map"),
        }
    }
    assert!(largest >= 100, "the largest corpus map has {largest} nodes");
    let findings = json_of(&[&path], "json")["findings"]
        .as_array()
        .expect("findings")
        .len();
    assert_eq!(html.matches("<article class=\"finding ").count(), findings);
}

// ---------------------------------------------------------------------------
// 3. Headless browser

/// Debian's Chromium, or `None` with a visible message. With
/// `PPLINT_REQUIRE_BROWSER=1` a missing browser fails the test instead.
fn chromium() -> Option<PathBuf> {
    let path = PathBuf::from("/usr/bin/chromium");
    if path.exists() {
        return Some(path);
    }
    if std::env::var("PPLINT_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
        panic!(
            "PPLINT_REQUIRE_BROWSER=1 but {} is missing (apt-get install -y chromium)",
            path.display()
        );
    }
    eprintln!(
        "SKIPPED: no browser at {} (apt-get install -y chromium; set PPLINT_REQUIRE_BROWSER=1 to make this fail)",
        path.display()
    );
    None
}

struct BrowserRun {
    stdout: String,
    stderr: String,
}

/// Runs headless Chromium on a fresh profile, offline (every host name fails to
/// resolve), under `timeout` so a hung browser and its helpers are killed.
fn browse(chromium: &Path, tag: &str, args: &[String]) -> BrowserRun {
    let profile =
        std::env::temp_dir().join(format!("pplint-chromium-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&profile);
    std::fs::create_dir_all(&profile).expect("profile dir");
    let mut argv: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--enable-logging=stderr",
        "--v=0",
    ]
    .map(String::from)
    .to_vec();
    argv.push(format!("--user-data-dir={}", profile.display()));
    argv.extend_from_slice(args);
    let mut command = if Path::new("/usr/bin/timeout").exists() {
        let mut c = Command::new("/usr/bin/timeout");
        c.args(["--kill-after=10", "120"]).arg(chromium);
        c
    } else {
        Command::new(chromium)
    };
    let output = command
        .args(&argv)
        .stdin(Stdio::null())
        .output()
        .expect("run chromium");
    let _ = std::fs::remove_dir_all(&profile);
    let run = BrowserRun {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        output.status.success(),
        "chromium failed ({}): {}",
        output.status,
        run.stderr
    );
    run
}

/// Console messages of the page (the page logs nothing, so any is a problem).
fn console_messages(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .collect()
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    (be(16), be(20))
}

/// Renders the demo report in headless Chromium: a screenshot for people to
/// look at (`target/html-report.png`), and the DOM after the script ran. The
/// script marks `<html data-report="ready">` as its last step, so an exception
/// anywhere in it leaves the marker out; console messages (errors and
/// uncaught exceptions are logged with `--enable-logging=stderr`) fail the test
/// too. A second load with `#hide=…` checks the filters work from a file: URL.
#[test]
fn renders_in_headless_chromium() {
    let Some(chromium) = chromium() else {
        return;
    };
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&target).expect("target dir");
    let page = target.join("html-report.html");
    let screenshot = target.join("html-report.png");
    let _ = std::fs::remove_file(&screenshot);
    let run = pplint(&[
        "check",
        "--no-config",
        "--format",
        "html",
        "--output",
        page.to_str().expect("utf-8"),
        DEMO,
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let url = format!("file://{}", page.display());
    let findings = json_of(&[DEMO], "json")["findings"]
        .as_array()
        .expect("findings")
        .clone();
    let high = findings.iter().filter(|f| f["severity"] == "high").count();
    assert!(high > 0);

    let shot = browse(
        &chromium,
        "shot",
        &[
            format!("--screenshot={}", screenshot.display()),
            "--window-size=1400,2000".to_string(),
            url.clone(),
        ],
    );
    assert_eq!(console_messages(&shot.stderr), Vec::<&str>::new());
    let png = std::fs::read(&screenshot).expect("screenshot written");
    assert_eq!(png_size(&png), (1400, 2000));
    assert!(png.len() > 50_000, "a blank page? {} bytes", png.len());
    eprintln!("screenshot: {}", screenshot.display());

    let dom = browse(&chromium, "dom", &["--dump-dom".to_string(), url.clone()]);
    assert_eq!(console_messages(&dom.stderr), Vec::<&str>::new());
    let html = &dom.stdout;
    assert!(
        html.contains("data-report=\"ready\""),
        "the script did not finish: {}",
        dom.stderr
    );
    assert!(html.contains("<section id=\"scorecard\""));
    assert_eq!(html.matches("<article class=\"pillar-card").count(), 5);
    let maps = maps_of(DEMO);
    let svg = map_svg(html, 0).expect("map in the DOM");
    assert_eq!(svg.matches("<g class=\"node ").count(), maps[0].nodes.len());
    // The filter bar is shown and counts every finding.
    assert!(html.contains("<nav id=\"filters\" class=\"filters\" aria-label=\"Filters\">"));
    assert!(html.contains(&format!(
        "<b id=\"shown\">{n} of {n}</b>",
        n = findings.len()
    )));

    let filtered = browse(
        &chromium,
        "filter",
        &["--dump-dom".to_string(), format!("{url}#hide=sev:high")],
    );
    assert_eq!(console_messages(&filtered.stderr), Vec::<&str>::new());
    let html = &filtered.stdout;
    assert!(html.contains("data-hidden=\"sev:high\""));
    assert_eq!(
        html.matches("<article class=\"finding sev-high filtered\"")
            .count(),
        high
    );
    assert!(html.contains(&format!(
        "<b id=\"shown\">{} of {}</b>",
        findings.len() - high,
        findings.len()
    )));
    assert!(html.contains("data-filter=\"sev:high\" aria-pressed=\"false\""));
}
