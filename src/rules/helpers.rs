//! Small shared pieces of rule logic.

use std::sync::LazyLock;

use crate::rules::words::{Folding, Words};

/// Content moderation levels, lowest first (RULES.md RAI001).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize)]
pub enum ModerationLevel {
    Minimum,
    Low,
    Medium,
    High,
    Maximum,
}

impl ModerationLevel {
    pub fn parse(text: &str) -> Option<ModerationLevel> {
        match text.trim().to_ascii_lowercase().as_str() {
            "minimum" | "lowest" => Some(ModerationLevel::Minimum),
            "low" => Some(ModerationLevel::Low),
            "medium" => Some(ModerationLevel::Medium),
            "high" => Some(ModerationLevel::High),
            "maximum" | "highest" => Some(ModerationLevel::Maximum),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ModerationLevel::Minimum => "Minimum",
            ModerationLevel::Low => "Low",
            ModerationLevel::Medium => "Medium",
            ModerationLevel::High => "High",
            ModerationLevel::Maximum => "Maximum",
        }
    }
}

/// What [`is_secret_like_name`] looks for: RULES.md SEC002's
/// `(secret|passw(or)?d|pwd|api[-_ ]?key|access[-_ ]?key|client[-_ ]?secret|token|conn(ection)?[-_ ]?string|sas|signature|credential|private[-_ ]?key)`,
/// each alternative spelled out (`client…secret` holds `secret`).
static SECRET_NAME: LazyLock<Words> = LazyLock::new(|| {
    let words = [
        "secret",
        "password",
        "passwd",
        "pwd",
        "token",
        "sas",
        "signature",
        "credential",
    ];
    let separated = [
        ("api", "key"),
        ("access", "key"),
        ("conn", "string"),
        ("connection", "string"),
        ("private", "key"),
    ]
    .into_iter()
    .flat_map(|(first, second)| {
        ["", "-", "_", " "].map(|separator| format!("{first}{separator}{second}"))
    });
    Words::new(
        words.into_iter().map(String::from).chain(separated),
        Folding::Unicode,
    )
});

/// Every ASCII name [`is_credential_name`] accepts (or `pfx`) contains one of
/// these words, in any ASCII case: text without them holds no credential name,
/// and searches for `name=value` pairs may skip it. Kept beside the lists it
/// summarizes; `tests::credential_words_cover_every_credential_name` checks it.
pub static CREDENTIAL_WORDS: LazyLock<Words> = LazyLock::new(|| {
    Words::new(
        [
            "secret",
            "passw",
            "pwd",
            "key",
            "token",
            "conn",
            "sas",
            "sig",
            "credential",
            "authorization",
            "code",
            "pfx",
        ],
        Folding::Ascii,
    )
});

/// A name that looks like it holds a secret (RULES.md SEC002), excluding names
/// that end like an address or identifier (`…Endpoint`, `…Url`, `…Id`).
pub fn is_secret_like_name(name: &str) -> bool {
    const NOT_SECRETS: [&str; 7] = ["endpoint", "url", "uri", "name", "id", "host", "version"];
    SECRET_NAME.is_match(name)
        && !NOT_SECRETS
            .iter()
            .any(|s| ends_with_ignore_ascii_case(name, s))
}

/// `text.to_ascii_lowercase().ends_with(suffix)` for a lower-case `suffix`,
/// without allocating: it runs for every key of every walked tree.
pub fn ends_with_ignore_ascii_case(text: &str, suffix: &str) -> bool {
    let (text, suffix) = (text.as_bytes(), suffix.as_bytes());
    text.len() >= suffix.len() && text[text.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// Where a single-quoted string of a flow expression ends:
/// the byte index in `text` (what follows the opening quote) of the first
/// quote that is not doubled (`''` stands for `'`).
pub fn closing_quote(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = 0;
    loop {
        match (bytes.get(at)?, bytes.get(at + 1)) {
            (b'\'', Some(b'\'')) => at += 2,
            (b'\'', _) => return Some(at),
            _ => at += 1,
        }
    }
}

/// The host of a URL (`https://Host:443/path` → `host`), lower-case, without
/// port or credentials; `None` when the text has no `scheme://`.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url.trim().split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    let host = if host_port.starts_with('[') {
        host_port.split(']').next()?.trim_start_matches('[')
    } else {
        host_port.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// Hosts of large-language-model APIs (RULES.md §6.2, `llm.hosts`).
pub fn is_llm_host(host: &str, path: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let ends = |suffix: &str| host.ends_with(suffix);
    ends(".openai.azure.com")
        || ends(".services.ai.azure.com")
        || ends(".inference.ai.azure.com")
        || ends(".inference.ml.azure.com")
        || (ends(".cognitiveservices.azure.com")
            && path.to_ascii_lowercase().starts_with("/openai/"))
        || matches!(
            host.as_str(),
            "api.openai.com"
                | "api.anthropic.com"
                | "generativelanguage.googleapis.com"
                | "api.mistral.ai"
                | "api.cohere.ai"
                | "api.cohere.com"
                | "api.perplexity.ai"
                | "api.groq.com"
                | "openrouter.ai"
        )
        || ends(".aiplatform.googleapis.com")
        || (host.starts_with("bedrock-runtime.") && ends(".amazonaws.com"))
}

/// Header and key names that carry credentials (RULES.md §9, "credential context").
pub const CREDENTIAL_NAMES: [&str; 15] = [
    "authorization",
    "api-key",
    "x-api-key",
    "apikey",
    "ocp-apim-subscription-key",
    "x-functions-key",
    "x-auth-token",
    "subscription-key",
    "client_secret",
    "password",
    "token",
    "access_token",
    "sig",
    "code",
    "api_key",
];

/// A header or key name in credential context: a listed name or a secret-like name.
pub fn is_credential_name(name: &str) -> bool {
    let name_trimmed = name.trim();
    CREDENTIAL_NAMES
        .iter()
        .any(|listed| listed.eq_ignore_ascii_case(name_trimmed))
        || is_secret_like_name(name)
}

pub use crate::model::graph::env_names as env_references;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::random_texts;

    fn compile(pattern: &str) -> regex::Regex {
        regex::Regex::new(pattern).expect("valid regex")
    }

    /// The word searches find what the `(?i)` (or `(?i-u)`) regexes they spell
    /// out find.
    #[test]
    fn word_searches_find_what_their_regexes_find() {
        let alphabet = [
            "s", "S", "\u{17f}", "k", "K", "\u{212a}", "e", "C", "r", "T", "_", "-", " ", "ß", "é",
            "secret", "SeCrEt", "ecret", "api", "Key", "pa", "ssword", "pwd", "token", "x",
        ];
        let searches = [
            (
                &SECRET_NAME,
                compile(
                    r"(?i)(secret|passw(or)?d|pwd|api[-_ ]?key|apikey|access[-_ ]?key|client[-_ ]?secret|token|conn(ection)?[-_ ]?string|sas|signature|credential|private[-_ ]?key)",
                ),
            ),
            (
                &CREDENTIAL_WORDS,
                compile(
                    r"(?i-u)secret|passw|pwd|key|token|conn|sas|sig|credential|authorization|code|pfx",
                ),
            ),
        ];
        let mut matched = 0;
        for text in random_texts(0x9E37_79B9_7F4A_7C15, &alphabet, 8).take(20_000) {
            for (search, regex) in &searches {
                let expected = regex.is_match(&text);
                assert_eq!(search.is_match(&text), expected, "{regex} on {text:?}");
                matched += usize::from(expected);
            }
        }
        assert!(matched > 1_000, "{matched}");
        assert!(SECRET_NAME.is_match("PA\u{17f}\u{17f}WORD"));
        assert!(!CREDENTIAL_WORDS.is_match("PA\u{17f}\u{17f}W"));
    }

    #[test]
    fn credential_words_cover_every_credential_name() {
        // Each listed name, and the shortest spellings of each alternative of
        // `SECRET_NAME`, with their separators.
        let mut names: Vec<String> = CREDENTIAL_NAMES.iter().map(|n| n.to_string()).collect();
        for name in [
            "secret",
            "password",
            "passwd",
            "pwd",
            "apikey",
            "api-key",
            "api_key",
            "api key",
            "accesskey",
            "access-key",
            "access_key",
            "access key",
            "clientsecret",
            "client_secret",
            "token",
            "connstring",
            "conn-string",
            "connection_string",
            "connectionstring",
            "sas",
            "signature",
            "credential",
            "privatekey",
            "private-key",
            "private_key",
            "private key",
            "pfx",
        ] {
            names.push(name.to_string());
        }
        for name in &names {
            assert!(
                is_credential_name(name) || name == "pfx",
                "{name} is not a credential name; update the list"
            );
            for variant in [
                name.clone(),
                name.to_ascii_uppercase(),
                format!("my{name}X"),
            ] {
                assert!(CREDENTIAL_WORDS.is_match(&variant), "{variant}");
            }
        }
        assert!(!CREDENTIAL_WORDS.is_match("Send an email to the team"));
    }

    #[test]
    fn hosts_and_env_references() {
        assert_eq!(
            url_host("https://User:pw@Contoso.openai.azure.com:443/openai/x?y").as_deref(),
            Some("contoso.openai.azure.com")
        );
        assert_eq!(url_host("not a url"), None);
        assert!(is_llm_host("contoso.openai.azure.com", "/"));
        assert!(is_llm_host(
            "x.cognitiveservices.azure.com",
            "/openai/deployments"
        ));
        assert!(!is_llm_host(
            "x.cognitiveservices.azure.com",
            "/text/analytics"
        ));
        assert!(is_llm_host("bedrock-runtime.us-east-1.amazonaws.com", "/"));
        assert!(!is_llm_host("contoso.com", "/"));
        assert_eq!(
            env_references("=If(Env.kch_demobackend, Env.kch_demoendpoint)"),
            ["kch_demobackend", "kch_demoendpoint"]
        );
        assert!(is_credential_name("Ocp-Apim-Subscription-Key"));
        assert!(is_credential_name("X-Api-Key"));
        assert!(!is_credential_name("Content-Type"));
    }

    #[test]
    fn secret_like_names() {
        assert!(is_secret_like_name("cat_AzureOpenAIAPIKey"));
        assert!(is_secret_like_name("admin_CommandCenterClientSecret"));
        assert!(!is_secret_like_name("cat_AgentTokenEndpoint"));
        assert!(!is_secret_like_name("new_SharePointSite"));
    }

    #[test]
    fn moderation_order() {
        assert!(ModerationLevel::parse("Low") < ModerationLevel::parse("High"));
        assert_eq!(
            ModerationLevel::parse("Highest"),
            Some(ModerationLevel::Maximum)
        );
    }
}
