//! No output format ever prints a secret (RULES.md §9): every fake credential of
//! `fixtures/rules/SEC001/fail` is run through every renderer, and neither the
//! secret nor its tail half may appear on stdout or stderr. The human output must
//! show the redacted form `first≤4 chars…[N chars, sha256:8hex]` instead.

mod common;

use sha2::{Digest, Sha256};

const FIXTURE: &str = "fixtures/rules/SEC001/fail";

/// Every output format, as `check` arguments. Adding a format is one line.
const FORMATS: &[(&str, &[&str])] = &[
    ("human", &["--format", "human", "--color", "never"]),
    ("json", &["--format", "json"]),
    ("sarif", &["--format", "sarif"]),
    ("github", &["--format", "github"]),
    ("azure", &["--format", "azure"]),
    ("junit", &["--format", "junit"]),
    ("html", &["--format", "html"]),
];

/// Personas: the default run and the one that reports everything.
const PERSONAS: &[&[&str]] = &[&[], &["--persona", "pedantic"]];

/// The fake secrets written into the fixture (all shaped like real ones).
const SECRETS: &[&str] = &[
    // Connector: oAuthSettings.clientSecret, a customParameters token body, the
    // custom code's header, a setheader policy.
    "Fake~Client~Secret~2024",
    "Fake0Client1Secret2Value3",
    "c0ffeec0ffeec0ffeec0ffeec0ffee00",
    "sk-proj-FAKEprojFAKEproj9876543210FAKE",
    // Flow: parameter defaults (32-hex key, Entra ID secret), headers, Basic
    // password, SAS signature.
    "fa1efa1efa1efa1efa1efa1efa1efa1e",
    "FAK8Q~FAKEfake0FAKEfake1FAKEfake2FAKE3",
    "sk-FAKEfakeFAKEfakeFAKE0123456789",
    "RkFLRWtleUZBS0VrZXlGQUtFa2V5RkFLRWtleUZBS0VrZXkwMTIzNDU2Nzg5",
    "Fake!Passw0rd-2024",
    "FAKEsig1357FAKEsig2468FAKEsig0000%3D",
    // Topic HTTP node: a header and a Power Fx body string.
    "0ddba11c0ffee0ddba11c0ffee0ddba1",
    "sk-ant-FAKEantFAKEant2468013579",
    // bot.xml authentication configuration, prompt text, env var value.
    "FAK9Q~FAKEfake0FAKEfake1FAKEfake2FAKE3",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJGQUtFIn0.RkFLRXNpZ25hdHVyZUZBS0U",
    "FAKE135vhLaJq9Xw2Zt7Rk4Mn8Pb",
];

/// The redacted form RULES.md §9 prescribes, computed independently of pplint.
fn redacted(secret: &str) -> String {
    let n = secret.chars().count();
    let shown: String = secret.chars().take((n / 4).min(4)).collect();
    let hash: String = Sha256::digest(secret.as_bytes())
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{shown}…[{n} chars, sha256:{hash}]")
}

fn run(format: &[&str], persona: &[&str]) -> common::Run {
    let mut args = vec!["check", "--fail-on", "never"];
    args.extend_from_slice(format);
    args.extend_from_slice(persona);
    args.push(FIXTURE);
    common::pplint(&args)
}

#[test]
fn no_output_format_prints_a_secret() {
    let mut leaks = Vec::new();
    for (name, format) in FORMATS {
        for persona in PERSONAS {
            let out = run(format, persona);
            assert_eq!(out.code, 0, "{name} {persona:?}: {}", out.stderr);
            for secret in SECRETS {
                let tail = &secret[secret.len() / 2..];
                for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
                    if text.contains(secret) || text.contains(tail) {
                        leaks.push(format!("{name} {persona:?} {stream}: {}", redacted(secret)));
                    }
                }
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "secret material printed:\n{}",
        leaks.join("\n")
    );
}

#[test]
fn human_output_shows_every_secret_redacted() {
    let out = run(FORMATS[0].1, &[]);
    // Messages may wrap: compare with the frame gutter and line breaks removed.
    let unwrapped: String = out
        .stdout
        .split('\n')
        .map(|line| {
            line.trim_start()
                .trim_start_matches(['│', '·'])
                .trim_start()
        })
        .collect::<Vec<_>>()
        .join(" ");
    for secret in SECRETS {
        let form = redacted(secret);
        assert!(
            unwrapped.contains(&form),
            "human output lacks {form}:\n{}",
            out.stdout
        );
        // Code frames show a same-length mask: the visible prefix, then stars.
        let prefix = form.split('…').next().unwrap_or("");
        let mask = format!("{prefix}{}", "*".repeat(secret.len() - prefix.len()));
        assert!(
            out.stdout.contains(&mask),
            "human output lacks the mask {mask}"
        );
        assert!(
            form.split('…')
                .next()
                .is_some_and(|p| p.chars().count() * 4 <= secret.chars().count())
        );
    }
}

#[test]
fn json_findings_are_redacted_and_fingerprinted_by_secret() {
    let out = run(&["--format", "json", "--select", "SEC001"], &[]);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON output");
    let findings = doc["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), SECRETS.len(), "{}", out.stdout);
    let mut fingerprints: Vec<&str> = findings
        .iter()
        .map(|f| f["fingerprint"].as_str().expect("fingerprint"))
        .collect();
    fingerprints.sort_unstable();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), SECRETS.len());
    for f in findings {
        let message = f["message"].as_str().expect("message");
        assert!(
            SECRETS
                .iter()
                .any(|s| message.ends_with(&format!(": {}.", redacted(s)))),
            "{message}"
        );
    }
}
