//! The secret detector of RULES.md §9, shared by SEC001, SEC102, FLW004 and CON004.
//!
//! [`scan`] splits a value into the parts that are literal text (a flow expression
//! `@…` or a Power Fx formula `=…` only contributes its quoted string arguments),
//! then [`scan_literal`] looks in each for known credential shapes, for
//! high-entropy tokens and for `name=value` pairs whose name is a credential name.
//! Placeholders ([`is_placeholder`]) are never reported. A hit carries the secret's
//! range in the scanned text, its redacted form ([`redact`]) and its SHA-256 (the
//! fingerprint discriminator); callers never print the secret itself.

use std::ops::Range;
use std::sync::{LazyLock, OnceLock};

use regex::{Regex, RegexSet};
use sha2::{Digest, Sha256};

use crate::finding::Confidence;
use crate::parse::byte_class;
use crate::rules::helpers::{CREDENTIAL_WORDS, is_credential_name};
use crate::rules::words::{Folding, Words, fold_to_ascii};

/// What a credential is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SecretKind {
    OpenAiKey,
    AnthropicKey,
    EntraClientSecret,
    HexKey,
    Jwt,
    BearerToken,
    SasSignature,
    ConnectionStringKey,
    GitHubToken,
    AwsAccessKey,
    GoogleApiKey,
    SlackToken,
    PrivateKey,
    UrlCredentials,
    /// A literal in a field that only ever holds a secret ([`Context::SecretField`]).
    FieldValue,
    /// A high-entropy token (credential context: medium, elsewhere: low confidence).
    HighEntropy,
}

impl SecretKind {
    /// The label used as `{kind}` in "{kind} credential in …".
    pub fn label(self) -> &'static str {
        match self {
            SecretKind::OpenAiKey => "OpenAI API key",
            SecretKind::AnthropicKey => "Anthropic API key",
            SecretKind::EntraClientSecret => "Entra ID client secret",
            SecretKind::HexKey => "32-hex API key",
            SecretKind::Jwt => "JWT",
            SecretKind::BearerToken => "Bearer token",
            SecretKind::SasSignature => "SAS signature",
            SecretKind::ConnectionStringKey => "Connection-string key",
            SecretKind::GitHubToken => "GitHub token",
            SecretKind::AwsAccessKey => "AWS access key",
            SecretKind::GoogleApiKey => "Google API key",
            SecretKind::SlackToken => "Slack token",
            SecretKind::PrivateKey => "Private key",
            SecretKind::UrlCredentials => "URL-embedded",
            SecretKind::FieldValue => "Literal",
            SecretKind::HighEntropy => "High-entropy",
        }
    }
}

/// Where a literal sits, which decides how suspicious a token must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// Any string.
    Plain,
    /// The value of a header, key or parameter with a credential name
    /// ([`is_credential_key`]): 32-hex keys and medium-entropy tokens count.
    Credential,
    /// A field that exists only to hold a secret (`oAuthSettings.clientSecret`,
    /// flow `authentication.{secret,password,pfx}`): any non-placeholder literal counts.
    SecretField,
}

/// How a value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// Plain text: everything is literal.
    Literal,
    /// Workflow Definition Language (flows, connector policies): `@…` is an
    /// expression, `@{…}` an interpolation, `@@` an escaped `@`; inline
    /// `@name(…)` calls (policy values) are expressions too.
    Flow,
    /// Copilot Studio YAML: `=…` is a Power Fx formula.
    PowerFx,
}

/// One credential found in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretHit {
    pub kind: SecretKind,
    pub confidence: Confidence,
    /// Byte range of the secret in the scanned text.
    pub range: Range<usize>,
    /// `first≤4 chars…[N chars, sha256:8hex]`, at most 25 % of the secret.
    pub redacted: String,
    /// Hex SHA-256 of the secret: the fingerprint discriminator.
    pub sha256: String,
}

/// A credential-context name: RULES.md §9's list and the SEC002 pattern
/// ([`is_credential_name`]), plus `pfx` (`authentication.pfx`).
pub fn is_credential_key(name: &str) -> bool {
    let name = name.trim();
    // `item/api_key`, `headers/X-Api-Key`: the last segment names the value.
    let last = name.rsplit(['/', '.']).next().unwrap_or(name);
    is_credential_name(name)
        || (last.len() != name.len() && is_credential_name(last))
        || last.eq_ignore_ascii_case("pfx")
}

/// Hex SHA-256 of `text`.
pub fn sha256_hex(text: &str) -> String {
    crate::finding::hex(&Sha256::digest(text.as_bytes()))
}

/// `first≤4 chars…[N chars, sha256:8hex]`: never more than 25 % of the secret
/// (a secret of fewer than 4 characters shows none of it).
pub fn redact(secret: &str) -> String {
    let n = secret.chars().count();
    let shown: String = secret.chars().take((n / 4).min(4)).collect();
    let hash = sha256_hex(secret);
    format!("{shown}…[{n} chars, sha256:{}]", &hash[..8])
}

/// Words that mark a placeholder wherever they stand (`your-key-here`,
/// `TEST_TOKEN`), in any case.
static PLACEHOLDER_MARKS: LazyLock<Words> = LazyLock::new(|| {
    Words::new(
        [
            "placeholder",
            "dummy",
            "your_",
            "your-",
            "changeme",
            "change_me",
            "change-me",
            "example",
            "sample",
            "test",
            "xxxx",
            "***",
        ],
        Folding::Unicode,
    )
});

/// Whether `text` holds template or placeholder syntax: what the regex
/// `<[^<>]*> | \[\[[^\]]*\]\] | \#\{[^}]*\}\# | \$\{[^}]*\} | \{\{[^}]*\}\} | \$\([^)]*\) | (?i)%[A-Za-z_][A-Za-z0-9_]*%`
/// finds (`<your key>`, `[[DUMMY]]`, `#{token}#`, `${VAR}`, `{{var}}`, `$(VAR)`,
/// `%VAR%`), in one pass. Each flag says that an opening sequence stands
/// since the last closing character, which the enclosed text may not hold.
fn has_template_variable(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut angle = false;
    let mut double_bracket = false;
    let mut hash_brace = false;
    let mut dollar_brace = false;
    let mut double_brace = false;
    let mut dollar_paren = false;
    for (i, &b) in bytes.iter().enumerate() {
        let next = bytes.get(i + 1).copied();
        match b {
            b'<' => angle = true,
            b'>' if angle => return true,
            b'[' if next == Some(b'[') => double_bracket = true,
            b']' if double_bracket && next == Some(b']') => return true,
            b']' => double_bracket = false,
            b'#' if next == Some(b'{') => hash_brace = true,
            b'$' if next == Some(b'{') => dollar_brace = true,
            b'{' if next == Some(b'{') => double_brace = true,
            b'}' if dollar_brace
                || (hash_brace && next == Some(b'#'))
                || (double_brace && next == Some(b'}')) =>
            {
                return true;
            }
            b'}' => (hash_brace, dollar_brace, double_brace) = (false, false, false),
            b'$' if next == Some(b'(') => dollar_paren = true,
            b')' if dollar_paren => return true,
            b'%' if is_percent_variable(&text[i + 1..]) => return true,
            _ => {}
        }
    }
    false
}

/// Whether `rest` starts with `NAME%`, `NAME` a letter or `_` then letters,
/// digits or `_` (letters folded as `(?i)` folds them: `ſ` and `K` too).
fn is_percent_variable(rest: &str) -> bool {
    let letter = |c: char| {
        let c = fold_to_ascii(c);
        c.is_ascii_alphabetic() || c == '_'
    };
    let mut chars = rest.chars();
    if !chars.next().is_some_and(letter) {
        return false;
    }
    chars
        .find(|&c| !(letter(c) || c.is_ascii_digit()))
        .is_some_and(|c| c == '%')
}

/// Whether `text` holds a placeholder word or template syntax.
fn has_placeholder_mark(text: &str) -> bool {
    PLACEHOLDER_MARKS.is_match(text) || has_template_variable(text)
}

/// Whole values that name the thing instead of holding it.
const PLACEHOLDER_WORDS: [&str; 17] = [
    "none",
    "null",
    "nil",
    "undefined",
    "string",
    "secret",
    "password",
    "passwd",
    "n/a",
    "na",
    "tbd",
    "todo",
    "value",
    "token",
    "apikey",
    "api_key",
    "key",
];

/// A value that is not a real secret: empty, a documented placeholder
/// (`placeholder`, `dummy`, `your_`/`your-`, `changeme`, `example`, `sample`,
/// `test`, `xxxx`, `***`, `<…>`, `[[…]]`, `#{…}#`), a template variable
/// (`${…}`, `{{…}}`, `$(…)`, `%…%`), a single repeated character, or a bare word
/// such as `secret` or `none`. Case-insensitive.
pub fn is_placeholder(text: &str) -> bool {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return true;
    }
    if has_placeholder_mark(trimmed) {
        return true;
    }
    let lower = trimmed.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.contains(&lower.as_str()) {
        return true;
    }
    let mut chars = trimmed.chars();
    let first = chars.next();
    chars.all(|c| Some(c) == first)
}

/// Shannon entropy in bits per character. The terms are added in character
/// order: floating-point sums depend on their order, and a sum in a hash
/// map's (random) order gave a token at a threshold different results on
/// different runs.
pub fn entropy(text: &str) -> f64 {
    let mut chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return 0.0;
    }
    chars.sort_unstable();
    let n = chars.len() as f64;
    chars
        .chunk_by(|a, b| a == b)
        .map(|run| {
            let p = run.len() as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// A known shape: the pattern, the capture group holding the secret (0 = whole
/// match), whether it needs credential context, and literals one of which every
/// match contains (in the shape's case sensitivity; empty when there is none).
/// Its regex is compiled the first time a [`ShapeSet`] says it may match: most
/// runs need few of them.
struct Shape {
    kind: SecretKind,
    pattern: &'static str,
    regex: OnceLock<Regex>,
    group: usize,
    credential_only: bool,
    literals: &'static [&'static str],
    folded_literals: OnceLock<Words>,
    /// A byte every match holds besides a literal, for a shape whose literal is
    /// common in ordinary text (`://`).
    also_needs: Option<u8>,
}

impl Shape {
    fn also_needs(self, byte: u8) -> Shape {
        Shape {
            also_needs: Some(byte),
            ..self
        }
    }

    fn regex(&self) -> &Regex {
        self.regex
            .get_or_init(|| Regex::new(self.pattern).expect("valid regex"))
    }

    /// Whether `text` holds one of the shape's literals, as case-sensitive as
    /// the shape (always, without any).
    fn may_match(&self, text: &str) -> bool {
        if self.literals.is_empty() {
            return true;
        }
        if !self.pattern.starts_with("(?i)") {
            return self.literals.iter().any(|literal| {
                memchr::memmem::find(text.as_bytes(), literal.as_bytes()).is_some()
            });
        }
        self.folded_literals
            .get_or_init(|| Words::new(self.literals, Folding::Unicode))
            .is_match(text)
    }
}

fn shape(
    kind: SecretKind,
    pattern: &'static str,
    group: usize,
    credential_only: bool,
    literals: &'static [&'static str],
) -> Shape {
    Shape {
        kind,
        pattern,
        regex: OnceLock::new(),
        group,
        credential_only,
        literals,
        folded_literals: OnceLock::new(),
        also_needs: None,
    }
}

/// How the shapes that need no credential context pick the ones that can
/// match a string, so the capture searches run only for those (most strings
/// match none).
///
/// A search for all their literals ([`Words`]: nothing to compile) runs first
/// and rules most strings out. A short text that holds one then runs the automaton of
/// all shapes, one pass that says which can match; a long one (a 58 kB HTML
/// body with a link) checks each shape's own literals, which costs less than
/// a pass of the automaton, since the automaton has no literal to skip to
/// (most shapes start with a look-behind alternative).
///
/// The automaton is built the first time a short text needs it: compiling it
/// costs more than linting a small solution. Counted repetitions (`{31,34}`)
/// are loosened to `+`/`*` in it ([`loosen_counts`]): it only has to match a
/// superset, and counted repetitions make it large enough to slow long texts
/// tenfold.
struct ShapeSet {
    /// Index in [`SHAPES`] of each shape of the literal search and the automaton.
    shapes: Vec<usize>,
    any_literal: Words,
    automaton: OnceLock<RegexSet>,
    /// Index in [`SHAPES`] of each shape checked on its own, by its literal and
    /// the byte it also needs: a URL's `://` is in too many strings to send
    /// them all to the automaton, while credentials in a URL also need an `@`.
    paired: Vec<usize>,
}

/// From this length on, a text that holds a literal checks each shape's own
/// literals instead of running the automaton.
const LONG_TEXT: usize = 256;

impl ShapeSet {
    fn plain() -> ShapeSet {
        let (paired, shapes): (Vec<usize>, Vec<usize>) = (0..SHAPES.len())
            .filter(|&i| !SHAPES[i].credential_only)
            .partition(|&i| SHAPES[i].also_needs.is_some());
        let literals = shapes.iter().flat_map(|&i| {
            assert!(
                !SHAPES[i].literals.is_empty(),
                "every plain shape has literals"
            );
            SHAPES[i].literals
        });
        // Case-insensitive throughout: a superset.
        let any_literal = Words::new(literals, Folding::Unicode);
        ShapeSet {
            shapes,
            any_literal,
            automaton: OnceLock::new(),
            paired,
        }
    }

    fn automaton(&self) -> &RegexSet {
        self.automaton.get_or_init(|| {
            RegexSet::new(
                self.shapes
                    .iter()
                    .map(|&i| loosen_counts(SHAPES[i].pattern)),
            )
            .expect("valid regexes")
        })
    }

    /// The shapes that may match `text`, in [`SHAPES`] order.
    fn candidates(&self, text: &str) -> Vec<&'static Shape> {
        let all: &'static [Shape] = &SHAPES;
        let mut found: Vec<usize> = if !self.any_literal.is_match(text) {
            Vec::new()
        } else if text.len() >= LONG_TEXT {
            self.shapes
                .iter()
                .copied()
                .filter(|&i| all[i].may_match(text))
                .collect()
        } else {
            self.automaton()
                .matches(text)
                .into_iter()
                .map(|i| self.shapes[i])
                .collect()
        };
        let paired = self.paired.iter().copied().filter(|&i| {
            all[i]
                .also_needs
                .is_some_and(|byte| memchr::memchr(byte, text.as_bytes()).is_some())
                && all[i].may_match(text)
        });
        found.extend(paired);
        found.sort_unstable();
        found.into_iter().map(|i| &all[i]).collect()
    }
}

/// `pattern` with every counted repetition (`{3}`, `{20,}`, `{31,34}`) made
/// `+` (`*` when it may repeat zero times).
fn loosen_counts(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let min_len = after.bytes().take_while(u8::is_ascii_digit).count();
        let max_len = match after.as_bytes().get(min_len) {
            Some(b',') => {
                1 + after[min_len + 1..]
                    .bytes()
                    .take_while(u8::is_ascii_digit)
                    .count()
            }
            _ => 0,
        };
        if min_len > 0 && after.as_bytes().get(min_len + max_len) == Some(&b'}') {
            out.push(if after[..min_len].bytes().all(|b| b == b'0') {
                '*'
            } else {
                '+'
            });
            rest = &after[min_len + max_len + 1..];
        } else {
            out.push('{');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The shapes that need no credential context.
static PLAIN_SHAPES: LazyLock<ShapeSet> = LazyLock::new(ShapeSet::plain);

static SHAPES: LazyLock<Vec<Shape>> = LazyLock::new(|| {
    use SecretKind::*;
    vec![
        shape(
            PrivateKey,
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----(?s:.*?)(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
            0,
            false,
            &["-----BEGIN "],
        ),
        shape(
            AnthropicKey,
            r"(?:^|[^A-Za-z0-9_-])(sk-ant-[A-Za-z0-9_-]{20,})",
            1,
            false,
            &["sk-ant-"],
        ),
        shape(
            OpenAiKey,
            r"(?:^|[^A-Za-z0-9_-])(sk-(?:proj-)?[A-Za-z0-9_-]{20,})",
            1,
            false,
            &["sk-"],
        ),
        shape(
            EntraClientSecret,
            r"(?:^|[^A-Za-z0-9_~.-])([A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})(?:$|[^A-Za-z0-9_~.-])",
            1,
            false,
            &["Q~"],
        ),
        shape(
            Jwt,
            r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
            0,
            false,
            &["eyJ"],
        ),
        shape(
            SasSignature,
            r"[?&]sig=([A-Za-z0-9%+/=]{30,})",
            1,
            false,
            &["sig="],
        ),
        shape(
            ConnectionStringKey,
            r"(?i)(?:AccountKey|SharedAccessKey)=([^;\s]+)",
            1,
            false,
            &["AccountKey", "SharedAccessKey"],
        ),
        shape(
            ConnectionStringKey,
            r"(?i)(?:^|[;\s])(?:Password|Pwd)=([^;]{6,})",
            1,
            false,
            &["Password", "Pwd"],
        ),
        shape(
            GitHubToken,
            r"(?:^|[^A-Za-z0-9_])(gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{20,})",
            1,
            false,
            &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
        ),
        shape(
            AwsAccessKey,
            r"(?:^|[^A-Z0-9])(AKIA[0-9A-Z]{16})(?:$|[^A-Z0-9])",
            1,
            false,
            &["AKIA"],
        ),
        shape(
            GoogleApiKey,
            r"(?:^|[^A-Za-z0-9_-])(AIza[0-9A-Za-z_-]{35})",
            1,
            false,
            &["AIza"],
        ),
        shape(
            SlackToken,
            r"(xox[abprs]-[A-Za-z0-9-]{10,})",
            1,
            false,
            &["xox"],
        ),
        shape(
            UrlCredentials,
            r"(?i)https?://[^/\s:@]+:([^/\s@]+)@",
            1,
            false,
            &["://"],
        )
        .also_needs(b'@'),
        shape(
            BearerToken,
            r"Bearer\s+([A-Za-z0-9._~+/=-]{20,})",
            1,
            false,
            &["Bearer"],
        ),
        shape(
            HexKey,
            r"(?:^|[^A-Za-z0-9])([0-9a-fA-F]{32})(?:$|[^A-Za-z0-9])",
            1,
            true,
            &[],
        ),
    ]
});

/// `name=value` / `"name": "value"` pairs inside a literal (query strings, JSON
/// or form bodies written as text): the range of each name and of its value,
/// left to right, as the regex
/// `["']?([A-Za-z][A-Za-z0-9_.-]*)["']?\s*[:=]\s*["']?([^\s"'&;,{}()<>]{6,})`
/// captures them.
///
/// Each part of that regex takes all it can and what follows it cannot start
/// with what it takes, so it never backtracks: a scan reads each name once. A
/// name that is not followed by a value fails for every start inside it too,
/// so the scan resumes after it.
fn pairs(text: &str) -> Vec<(Range<usize>, Range<usize>)> {
    let bytes = text.as_bytes();
    let is_name = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-');
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        let name_start = if b.is_ascii_alphabetic() {
            at
        } else if matches!(b, b'"' | b'\'')
            && bytes.get(at + 1).is_some_and(u8::is_ascii_alphabetic)
        {
            at + 1
        } else {
            at += 1;
            continue;
        };
        let name_end = name_start
            + bytes[name_start..]
                .iter()
                .take_while(|b| is_name(b))
                .count();
        match pair_value(text, name_end) {
            Some(value) => {
                at = value.end;
                found.push((name_start..name_end, value));
            }
            None => at = name_end,
        }
    }
    found
}

/// The value of a pair whose name ends at `at`: `["']?\s*[:=]\s*["']?`, then
/// six or more characters out of white space and `"'&;,{}()<>`.
fn pair_value(text: &str, at: usize) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let after_quote = |at: usize| at + usize::from(matches!(bytes.get(at), Some(b'"' | b'\'')));
    let after_space = |at: usize| text.len() - text[at..].trim_start().len();
    let separator = after_space(after_quote(at));
    if !matches!(bytes.get(separator), Some(b':' | b'=')) {
        return None;
    }
    let start = after_quote(after_space(separator + 1));
    let (chars, len) = text[start..]
        .chars()
        .take_while(|&c| {
            !(c.is_whitespace()
                || matches!(
                    c,
                    '"' | '\'' | '&' | ';' | ',' | '{' | '}' | '(' | ')' | '<' | '>'
                ))
        })
        .fold((0, 0), |(chars, len), c| (chars + 1, len + c.len_utf8()));
    (chars >= 6).then(|| start..start + len)
}

/// The longest pair name considered (`name=value` in a literal).
const PAIR_NAME_MAX: usize = 61;

/// The name of a pair ([`pairs`]): at most [`PAIR_NAME_MAX`] characters, from
/// the first letter of its tail.
fn pair_name(name: &str) -> &str {
    let tail = &name[name.len().saturating_sub(PAIR_NAME_MAX)..];
    tail.trim_start_matches(|c: char| !c.is_ascii_alphabetic())
}

/// A GUID, with or without braces: an identifier, never an entropy finding.
fn is_guid(t: &str) -> bool {
    let t = t.strip_prefix('{').unwrap_or(t);
    let t = t.strip_suffix('}').unwrap_or(t);
    t.len() == 36
        && t.split('-').map(str::len).eq([8, 4, 4, 4, 12])
        && t.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit())
}

/// The entropy heuristics' thresholds (RULES.md §9).
#[derive(Clone, Copy, Debug, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// In credential context: a token of at least this many characters…
    pub credential_min_length: usize,
    /// …at this many bits per character or more (medium confidence).
    pub credential_min_entropy: f64,
    /// In credential context: 32+ hex characters at this many bits per character.
    pub hex_min_entropy: f64,
    /// Elsewhere: a token of at least this many characters…
    pub plain_min_length: usize,
    /// …at this many bits per character or more (low confidence).
    pub plain_min_entropy: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            credential_min_length: 20,
            credential_min_entropy: 3.5,
            hex_min_entropy: 3.0,
            plain_min_length: 32,
            plain_min_entropy: 4.5,
        }
    }
}

/// Scans `text` as written in `syntax`: literal parts in `context`, quoted string
/// arguments of expressions in credential context when their name says so.
#[allow(dead_code)] // The detector's entry point for SEC102 and FLW004.
pub fn scan(text: &str, syntax: Syntax, context: Context) -> Vec<SecretHit> {
    scan_with(text, syntax, context, &Thresholds::default())
}

/// [`scan`] with explicit entropy thresholds.
pub fn scan_with(
    text: &str,
    syntax: Syntax,
    context: Context,
    thresholds: &Thresholds,
) -> Vec<SecretHit> {
    if is_all_literal(text, syntax) {
        return scan_literal_with(text, context, thresholds);
    }
    let mut hits = Vec::new();
    for (range, segment_context) in literal_segments(text, syntax, context) {
        let Some(segment) = text.get(range.clone()) else {
            continue;
        };
        for mut hit in scan_literal_with(segment, segment_context, thresholds) {
            hit.range = hit.range.start + range.start..hit.range.end + range.start;
            hits.push(hit);
        }
    }
    dedupe(hits)
}

/// Whether [`literal_segments`] would give the whole of `text` in its own
/// context (or nothing, for an empty flow string): most strings hold no
/// expression, and need neither the segments nor their offsets.
fn is_all_literal(text: &str, syntax: Syntax) -> bool {
    match syntax {
        Syntax::Literal => true,
        Syntax::PowerFx => !text.trim_start().starts_with('='),
        Syntax::Flow => memchr::memchr(b'@', text.as_bytes()).is_none(),
    }
}

/// Scans literal text (no expression handling).
#[allow(dead_code)] // Part of the detector's API (SEC102, FLW004).
pub fn scan_literal(text: &str, context: Context) -> Vec<SecretHit> {
    scan_literal_with(text, context, &Thresholds::default())
}

/// [`scan_literal`] with explicit entropy thresholds.
pub fn scan_literal_with(text: &str, context: Context, thresholds: &Thresholds) -> Vec<SecretHit> {
    let mut hits = Vec::new();
    let credential = context != Context::Plain;
    let mut shapes = PLAIN_SHAPES.candidates(text);
    // The credential-only shape (32 hex digits) has no literal: its hex run is
    // what to look for.
    if credential && has_run(text, 32, &HEX_BYTES) {
        shapes.extend(SHAPES.iter().filter(|s| s.credential_only));
    }
    for shape in shapes {
        for caps in shape.regex().captures_iter(text) {
            let Some(m) = caps.get(shape.group) else {
                continue;
            };
            let secret = m.as_str();
            if is_placeholder(secret) || is_template(secret) {
                continue;
            }
            if shape.kind == SecretKind::ConnectionStringKey && secret.trim_start().starts_with('@')
            {
                continue;
            }
            hits.push(hit(shape.kind, Confidence::High, text, m.range()));
        }
    }
    // `client_secret=…` inside a literal: the value is in credential context.
    let pairs = (memchr::memchr2(b':', b'=', text.as_bytes()).is_some()
        && CREDENTIAL_WORDS.is_match(text))
    .then(|| pairs(text));
    for (name, value) in pairs.into_iter().flatten() {
        if !is_credential_key(pair_name(&text[name])) {
            continue;
        }
        if let Some(h) = credential_token(text, value, thresholds) {
            hits.push(h);
        }
    }
    match context {
        Context::SecretField => {
            let start = text.len() - text.trim_start().len();
            let trimmed = start..start + text.trim().len();
            let value = &text[trimmed.clone()];
            if value.chars().count() >= 4 && !is_placeholder(value) && !is_template(value) {
                hits.push(hit(SecretKind::FieldValue, Confidence::High, text, trimmed));
            }
        }
        Context::Credential => {
            for token in tokens(text) {
                if let Some(h) = credential_token(text, token, thresholds) {
                    hits.push(h);
                }
            }
        }
        Context::Plain if has_run(text, thresholds.plain_min_length, &TOKEN_BYTES) => {
            for token in tokens(text) {
                let t = &text[token.clone()];
                let n = t.chars().count();
                if n >= thresholds.plain_min_length
                    && n <= 128
                    && t.bytes().all(|b| TOKEN_BYTES[usize::from(b)])
                    && t.bytes().any(|b| b.is_ascii_digit())
                    && t.bytes().any(|b| b.is_ascii_alphabetic())
                    && !is_identifier_like(t)
                    && entropy(t) >= thresholds.plain_min_entropy
                {
                    hits.push(hit(SecretKind::HighEntropy, Confidence::Low, text, token));
                }
            }
        }
        Context::Plain => {}
    }
    dedupe(hits)
}

/// The bytes a plain-context high-entropy token is made of.
static TOKEN_BYTES: [bool; 256] =
    byte_class!(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-'));

/// Whether `text` has `min` bytes of `class` in a row: a plain-context token is
/// nothing but [`TOKEN_BYTES`], so text without such a run needs no splitting.
/// It looks at the last byte of each window of `min` bytes first: when that
/// byte is out of `class`, no run through it starts in the window, and the
/// next window starts after it. Most text is words, so most bytes go unread.
fn has_run(text: &str, min: usize, class: &[bool; 256]) -> bool {
    let bytes = text.as_bytes();
    if min == 0 {
        return true;
    }
    let mut start = 0;
    while let Some(&last) = bytes.get(start + min - 1) {
        let window = &bytes[start..start + min - 1];
        if !class[usize::from(last)] {
            start += min;
            continue;
        }
        match window.iter().rposition(|&b| !class[usize::from(b)]) {
            None => return true,
            Some(outside) => start += outside + 1,
        }
    }
    false
}

/// ASCII hex digits.
static HEX_BYTES: [bool; 256] = byte_class!(|b| b.is_ascii_hexdigit());

/// A token in credential context: 32+ hex at ≥ 3.0 bits/char, or ≥ 20 chars at
/// ≥ 3.5 bits/char (RULES.md §9; [`Thresholds`]).
fn credential_token(text: &str, range: Range<usize>, thresholds: &Thresholds) -> Option<SecretHit> {
    if text.get(range.clone()).is_some_and(is_placeholder) {
        return None;
    }
    let range = trim_range(text, range);
    let t = text.get(range.clone())?;
    if is_placeholder(t) || is_template(t) || is_identifier_like(t) || is_structured(t) {
        return None;
    }
    let n = t.chars().count();
    if n > 512 {
        return None;
    }
    let hex = n >= 32 && t.bytes().all(|b| b.is_ascii_hexdigit());
    if hex && n == 32 {
        return Some(hit(SecretKind::HexKey, Confidence::High, text, range));
    }
    // Generated secrets have digits or base64 symbols; words and identifiers
    // (`InvalidRequestErrorCode`) have not.
    let varied = t.bytes().any(|b| b.is_ascii_digit() || b"+/=".contains(&b));
    let e = entropy(t);
    if (hex && e >= thresholds.hex_min_entropy)
        || (n >= thresholds.credential_min_length
            && varied
            && e >= thresholds.credential_min_entropy)
    {
        return Some(hit(
            SecretKind::HighEntropy,
            Confidence::Medium,
            text,
            range,
        ));
    }
    None
}

/// Identifiers that are long and varied but public: GUIDs, URLs and paths,
/// dotted names, expressions.
fn is_identifier_like(t: &str) -> bool {
    is_guid(t)
        || t.contains("://")
        || t.starts_with('/')
        || t.matches('/').count() >= 3
        || t.starts_with('@')
        || t.starts_with('=')
        || (t.contains('.')
            && t.split('.').all(|p| {
                p.bytes()
                    .all(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'-')
            }))
}

/// Text made of parts (a URL, a query or form string, `key:value`): its
/// `name=value` pairs are scanned one by one instead.
fn is_structured(t: &str) -> bool {
    let inner = t.trim_end_matches('=');
    t.contains("://") || t.contains('&') || t.contains('?') || inner.contains('=')
}

/// Text that is a reference to a value, not the value.
fn is_template(t: &str) -> bool {
    t.contains('{')
        || t.contains('}')
        || t.starts_with("@connectionParameters")
        || t.starts_with('@')
}

/// Whitespace-separated tokens with surrounding punctuation removed.
fn tokens(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut push = |range: Range<usize>| {
        let r = trim_range(text, range);
        if !r.is_empty() {
            out.push(r);
        }
    };
    let mut start = None;
    let mut i = 0;
    while i < bytes.len() {
        // Runs of ASCII that is not white space need no decoding: this runs
        // over every long string of a solution.
        let run = bytes[i..]
            .iter()
            .position(|&b| SPLIT_CHECK[usize::from(b)])
            .unwrap_or(bytes.len() - i);
        if run > 0 {
            start.get_or_insert(i);
            i += run;
            continue;
        }
        let (blank, width) = if bytes[i].is_ascii() {
            (true, 1)
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            (c.is_whitespace(), c.len_utf8())
        };
        if blank {
            if let Some(s) = start.take() {
                push(s..i);
            }
        } else {
            start.get_or_insert(i);
        }
        i += width;
    }
    if let Some(s) = start {
        push(s..bytes.len());
    }
    out
}

/// The bytes [`tokens`] looks at one by one: ASCII white space and every
/// non-ASCII byte.
static SPLIT_CHECK: [bool; 256] = byte_class!(|b| b >= 0x80 || matches!(b, 0x09..=0x0D | 0x20));

/// `range` without surrounding whitespace, quotes and punctuation.
fn trim_range(text: &str, range: Range<usize>) -> Range<usize> {
    let Some(slice) = text.get(range.clone()) else {
        return range.start..range.start;
    };
    let junk = |c: char| c.is_whitespace() || "\"'`,;()[]{}<>".contains(c);
    let start = range.start + (slice.len() - slice.trim_start_matches(junk).len());
    let end = range.end - (slice.len() - slice.trim_end_matches(junk).len());
    if end < start {
        start..start
    } else {
        start..end
    }
}

fn hit(kind: SecretKind, confidence: Confidence, text: &str, range: Range<usize>) -> SecretHit {
    let secret = text.get(range.clone()).unwrap_or("");
    SecretHit {
        kind,
        confidence,
        redacted: redact(secret),
        sha256: sha256_hex(secret),
        range,
    }
}

/// One hit per stretch of text: known shapes first, then higher confidence,
/// then the longer range.
fn dedupe(mut hits: Vec<SecretHit>) -> Vec<SecretHit> {
    let rank = |h: &SecretHit| {
        let shape = !matches!(h.kind, SecretKind::HighEntropy | SecretKind::FieldValue);
        (
            std::cmp::Reverse(shape),
            std::cmp::Reverse(h.confidence),
            h.range.start,
        )
    };
    hits.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then((b.range.end - b.range.start).cmp(&(a.range.end - a.range.start)))
    });
    let mut kept: Vec<SecretHit> = Vec::new();
    for h in hits {
        if kept
            .iter()
            .all(|k| h.range.end <= k.range.start || h.range.start >= k.range.end)
        {
            kept.push(h);
        }
    }
    kept.sort_by_key(|h| h.range.start);
    kept
}

/// The parts of `text` to scan as literal text, each with its context.
pub fn literal_segments(
    text: &str,
    syntax: Syntax,
    context: Context,
) -> Vec<(Range<usize>, Context)> {
    match syntax {
        Syntax::Literal => vec![(0..text.len(), context)],
        Syntax::PowerFx => {
            let start = text.len() - text.trim_start().len();
            if text[start..].starts_with('=') {
                quoted_strings(text, start + 1..text.len(), b'"', context, false)
            } else {
                vec![(0..text.len(), context)]
            }
        }
        Syntax::Flow => flow_segments(text, context),
    }
}

/// Literal parts of a Workflow Definition Language string.
fn flow_segments(text: &str, context: Context) -> Vec<(Range<usize>, Context)> {
    if text.starts_with("@@") {
        return vec![(1..text.len(), context)];
    }
    if text.starts_with('@') && !text.starts_with("@{") {
        return quoted_strings(text, 1..text.len(), b'\'', context, true);
    }
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut literal_start = 0;
    let mut i = 0;
    while let Some(skip) = memchr::memchr(b'@', &bytes[i..]) {
        i += skip;
        if bytes.get(i + 1) == Some(&b'@') {
            i += 2;
            continue;
        }
        let inline_call =
            bytes[i] == b'@' && bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) && {
                let rest = &bytes[i + 1..];
                let name_len = rest
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                    .count();
                rest.get(name_len) == Some(&b'(')
            };
        if bytes[i] == b'@' && (bytes.get(i + 1) == Some(&b'{') || inline_call) {
            if literal_start < i {
                out.push((literal_start..i, context));
            }
            let (open, close) = if inline_call {
                (b'(', b')')
            } else {
                (b'{', b'}')
            };
            let body_start = if inline_call {
                i + 1 + bytes[i + 1..].iter().position(|&b| b == b'(').unwrap_or(0)
            } else {
                i + 1
            };
            let end = matching(bytes, body_start, open, close).unwrap_or(bytes.len());
            out.extend(quoted_strings(text, body_start..end, b'\'', context, true));
            i = (end + 1).min(bytes.len());
            literal_start = i;
            continue;
        }
        i += 1;
    }
    if literal_start < bytes.len() {
        out.push((literal_start..bytes.len(), context));
    }
    out
}

/// Index of the bracket closing the one at `open_at`, skipping quoted strings.
fn matching(bytes: &[u8], open_at: usize, open: u8, close: u8) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut i = open_at;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => {
                if bytes.get(i + 1) == Some(&q) {
                    i += 1;
                } else {
                    quote = None;
                }
            }
            Some(_) => {}
            None if b == b'\'' || b == b'"' => quote = Some(b),
            None if b == open => depth += 1,
            None if b == close => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            None => {}
        }
        i += 1;
    }
    None
}

/// Workflow functions whose string argument names a value instead of holding it.
const REFERENCE_FUNCTIONS: [&str; 20] = [
    "parameters",
    "variables",
    "body",
    "outputs",
    "actions",
    "action",
    "items",
    "item",
    "result",
    "triggerbody",
    "triggeroutputs",
    "triggerformdatavalue",
    "triggerformdatamultiplevalues",
    "connectionparameters",
    "headers",
    "queryparameters",
    "environmentvariables",
    "appsetting",
    "iterationindexes",
    "listcallbackurl",
];

/// The contents of `quote`-delimited strings (a doubled quote escapes it) inside
/// `within`, each in credential context when the name before it is a credential
/// name (`api_key: "…"`, `["x-api-key"] = "…"`, `"Authorization", "…"`). With
/// `skip_references`, the arguments of reference functions (`parameters('…')`)
/// and property indexers (`?['…']`) are names, not values, and are skipped.
/// A secret-only field's context becomes credential context inside an expression.
pub fn quoted_strings(
    text: &str,
    within: Range<usize>,
    quote: u8,
    context: Context,
    skip_references: bool,
) -> Vec<(Range<usize>, Context)> {
    let context = if context == Context::SecretField {
        Context::Credential
    } else {
        context
    };
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = within.start;
    let end = within.end.min(bytes.len());
    while i < end {
        let Some(skip) = memchr::memchr(quote, &bytes[i..end]) else {
            break;
        };
        let open = i + skip;
        let mut j = open + 1;
        while j < end {
            if bytes[j] == quote {
                if bytes.get(j + 1) == Some(&quote) && j + 1 < end {
                    j += 2;
                    continue;
                }
                break;
            }
            if quote == b'"' && bytes[j] == b'\\' {
                j += 2;
                continue;
            }
            j += 1;
        }
        let close = j.min(end);
        let inner = open + 1..close;
        let is_reference = skip_references && is_reference_argument(text, open);
        if !inner.is_empty()
            && !is_reference
            && text.is_char_boundary(inner.start)
            && text.is_char_boundary(inner.end)
        {
            let named = preceding_name(text, open).is_some_and(is_credential_key);
            let ctx = if named && context == Context::Plain {
                Context::Credential
            } else {
                context
            };
            out.push((inner, ctx));
        }
        i = close + 1;
    }
    out
}

/// A quoted string at `open` that is a property indexer (`['…']`) or the first
/// argument of a reference function (`parameters('…')`).
fn is_reference_argument(text: &str, open: usize) -> bool {
    let before = text.get(..open).unwrap_or("").trim_end();
    if before.ends_with('[') {
        return true;
    }
    let Some(call) = before.strip_suffix('(') else {
        return false;
    };
    let call = call.trim_end().as_bytes();
    let name_len = call
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    let name = &call[call.len() - name_len..];
    REFERENCE_FUNCTIONS
        .iter()
        .any(|function| name.eq_ignore_ascii_case(function.as_bytes()))
}

/// The name a quoted string at `open` is the value of: the identifier or quoted
/// key before a `:` or `=` (not `==`, `!=`, `<=`, `>=`), or the quoted string
/// before a `,` (a name/value argument pair).
pub fn preceding_name(text: &str, open: usize) -> Option<&str> {
    let before = text.get(..open)?.trim_end();
    let last = before.chars().last()?;
    let rest = &before[..before.len() - last.len_utf8()];
    match last {
        ':' | '=' => {
            if last == '=' && rest.ends_with(['=', '!', '<', '>']) {
                return None;
            }
            name_before(rest.trim_end())
        }
        ',' => {
            let rest = rest.trim_end();
            let q = rest.chars().last()?;
            if q == '"' || q == '\'' {
                name_before(rest)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The identifier, quoted string or `["quoted"]` indexer ending `text`.
fn name_before(text: &str) -> Option<&str> {
    let text = text.strip_suffix(']').map_or(text, str::trim_end);
    let last = text.chars().last()?;
    if last == '"' || last == '\'' {
        let body = &text[..text.len() - 1];
        let start = body.rfind(last)?;
        return Some(&body[start + 1..]);
    }
    let start = text
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .last()
        .map(|(i, _)| i)?;
    Some(&text[start..])
}

/// Where `range` of the decoded text is in a file: the same bytes when they occur
/// verbatim in the token's raw text (matched by occurrence), else the whole token.
pub fn locate(raw_token: &str, decoded: &str, range: Range<usize>) -> Range<usize> {
    let Some(needle) = decoded.get(range.clone()) else {
        return 0..raw_token.len();
    };
    if needle.is_empty() {
        return 0..raw_token.len();
    }
    let nth = decoded
        .get(..range.start)
        .map_or(0, |before| before.matches(needle).count());
    match raw_token.match_indices(needle).nth(nth) {
        Some((at, _)) => at..at + needle.len(),
        None => 0..raw_token.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::random_texts;

    fn kinds(
        text: &str,
        syntax: Syntax,
        context: Context,
    ) -> Vec<(SecretKind, Confidence, String)> {
        scan(text, syntax, context)
            .into_iter()
            .map(|h| (h.kind, h.confidence, text[h.range].to_string()))
            .collect()
    }

    /// The shortcut of [`scan_with`]: a text it scans whole is one literal
    /// segment in its own context (none when it is an empty flow string).
    #[test]
    fn all_literal_texts_are_one_segment() {
        let alphabet = [
            "@", "@@", "@{", "}", "(", ")", "'", "\"", "=", " ", "\u{a0}", "a", "key", "x(", ",",
        ];
        let mut whole = 0;
        for text in random_texts(0x5851_F42D_4C95_7F2D, &alphabet, 8).take(20_000) {
            for syntax in [Syntax::Literal, Syntax::PowerFx, Syntax::Flow] {
                for context in [Context::Plain, Context::Credential, Context::SecretField] {
                    if !is_all_literal(&text, syntax) {
                        continue;
                    }
                    whole += 1;
                    let segments = literal_segments(&text, syntax, context);
                    if text.is_empty() && syntax == Syntax::Flow {
                        assert!(segments.is_empty(), "{segments:?}");
                    } else {
                        assert_eq!(segments, [(0..text.len(), context)], "{syntax:?} {text:?}");
                    }
                }
            }
        }
        assert!(whole > 20_000, "{whole}");
    }

    /// Tokens as defined: runs of characters that are not `char::is_whitespace`.
    fn tokens_by_chars(text: &str) -> Vec<Range<usize>> {
        let mut expected = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
            if c.is_whitespace() {
                if let Some(s) = start.take() {
                    let r = trim_range(text, s..i);
                    if !r.is_empty() {
                        expected.push(r);
                    }
                }
            } else if start.is_none() {
                start = Some(i);
            }
        }
        expected
    }

    #[test]
    fn tokens_split_at_unicode_white_space_like_char_is_whitespace() {
        let text = "a\u{3000}bé\u{a0}\"c\"\x0b d\u{2028}(e)\t\r\nf\u{85}g  ";
        assert_eq!(tokens(text), tokens_by_chars(text));
        assert_eq!(tokens(text).len(), 7, "{:?}", tokens(text));
        let alphabet = [
            "a", "Z", "0", " ", "\t", "\n", "\x0b", "é", "\u{a0}", "\u{3000}", "\u{85}", "(", "\"",
            "'", ";", "日", "\u{2028}", "xy",
        ];
        for text in random_texts(0x2545_F491_4F6C_DD1D, &alphabet, 24).take(2_000) {
            assert_eq!(tokens(&text), tokens_by_chars(&text), "{text:?}");
        }
    }

    /// [`has_run`] skips bytes; it answers as a byte-by-byte count does.
    #[test]
    fn runs_found_as_a_byte_by_byte_count_finds_them() {
        let counted = |text: &str, min: usize, class: &[bool; 256]| {
            let mut run = 0;
            for &b in text.as_bytes() {
                run = if class[usize::from(b)] { run + 1 } else { 0 };
                if run >= min {
                    return true;
                }
            }
            min == 0
        };
        let alphabet = [
            "a",
            "Z",
            "0",
            "f",
            "+",
            "=",
            " ",
            "\"",
            ".",
            "é",
            "\n",
            "Q9x",
            "deadbeef",
            "0123456789",
        ];
        let mut found = 0;
        for text in random_texts(0x5851_F42D_4C95_7F2D, &alphabet, 60).take(20_000) {
            for min in [0, 1, 2, 3, 5, 8, 13, 20, 32] {
                for class in [&TOKEN_BYTES, &HEX_BYTES] {
                    let expected = counted(&text, min, class);
                    assert_eq!(has_run(&text, min, class), expected, "{text:?} {min}");
                    found += usize::from(expected && min >= 8);
                }
            }
        }
        assert!(found > 5_000, "{found}");
    }

    #[test]
    fn token_runs_cover_every_plain_token() {
        assert!(has_run("x aB3+/=_-aB3 y", 10, &TOKEN_BYTES));
        assert!(!has_run("x aB3+/=_-aB y", 11, &TOKEN_BYTES));
        assert!(!has_run(
            "aB3+/=_-aB3".repeat(4).replace('=', " ").as_str(),
            32,
            &TOKEN_BYTES
        ));
        assert!(has_run("", 0, &TOKEN_BYTES));
        let alphabet = [
            "a", "Z", "0", "+", "=", " ", "\"", "(", ".", "é", "\n", "Q9x",
        ];
        for text in random_texts(0x9E37_79B9_7F4A_7C15, &alphabet, 40).take(5_000) {
            for min in [0, 1, 4, 8] {
                let token = tokens(&text).into_iter().any(|r| {
                    r.len() >= min && text[r].bytes().all(|b| TOKEN_BYTES[usize::from(b)])
                });
                assert!(
                    !token || has_run(&text, min, &TOKEN_BYTES),
                    "{text:?} {min}"
                );
            }
        }
    }

    #[test]
    fn counts_are_loosened_as_a_regex_would() {
        let counted = Regex::new(r"\{(\d+)(?:,\d*)?\}").expect("valid regex");
        let by_regex = |pattern: &str| {
            counted
                .replace_all(pattern, |caps: &regex::Captures<'_>| {
                    if caps[1].bytes().all(|b| b == b'0') {
                        "*"
                    } else {
                        "+"
                    }
                })
                .into_owned()
        };
        let samples = [
            "a{3}",
            "a{0,2}b{12,}",
            "{",
            "}",
            "a{",
            "a{,3}",
            "a{x}",
            "{{1}}",
            "a{3,4",
        ];
        for pattern in SHAPES.iter().map(|s| s.pattern).chain(samples) {
            assert_eq!(loosen_counts(pattern), by_regex(pattern), "{pattern}");
        }
        assert_eq!(loosen_counts("[a-f]{32}x{0,}"), "[a-f]+x*");
    }

    #[test]
    fn hex_keys_need_a_run_of_32_hex_digits() {
        let hex = SHAPES
            .iter()
            .find(|s| s.kind == SecretKind::HexKey)
            .expect("hex shape");
        let alphabet = [
            "deadbeef",
            "0123456789ABCDEF",
            "deadbeef",
            "a",
            " ",
            "-",
            "g",
            "é",
        ];
        let mut matched = 0;
        for text in random_texts(0x2545_F491_4F6C_DD1D, &alphabet, 12).take(3_000) {
            if hex.regex().is_match(&text) {
                matched += 1;
                assert!(has_run(&text, 32, &HEX_BYTES), "{text:?}");
            }
        }
        assert!(matched > 20, "only {matched} texts held a hex key");
    }

    /// The literal search must never hide a shape: every literal is in its
    /// shape's pattern, and only the 32-hex shape (credential context) has none.
    #[test]
    fn shape_literals_come_from_their_patterns() {
        let letters = Regex::new(r"\[([a-z]+)\]").expect("valid regex");
        for shape in SHAPES.iter() {
            assert_eq!(
                shape.literals.is_empty(),
                shape.kind == SecretKind::HexKey,
                "{:?}",
                shape.kind
            );
            // `gh[pousr]_` holds `ghp_`, `gho_`, …: classes of letters spelled out.
            let mut spellings = vec![shape.pattern.to_string()];
            while let Some(class) = letters.captures(&spellings[0]) {
                let (range, set) = (class.get(0).unwrap().range(), class[1].to_string());
                spellings = spellings
                    .iter()
                    .flat_map(|p| {
                        let range = range.clone();
                        set.chars()
                            .map(move |c| format!("{}{c}{}", &p[..range.start], &p[range.end..]))
                    })
                    .collect();
            }
            if let Some(byte) = shape.also_needs {
                assert!(
                    shape.pattern.contains(char::from(byte)),
                    "{}",
                    shape.pattern
                );
            }
            for literal in shape.literals {
                let found = spellings.iter().any(|pattern| {
                    if pattern.starts_with("(?i)") {
                        let lower = pattern.to_ascii_lowercase();
                        lower.contains(&literal.to_ascii_lowercase())
                    } else {
                        pattern.contains(literal)
                    }
                });
                assert!(found, "{literal} not in {}", shape.pattern);
            }
        }
        // Case folding beyond ASCII, as the shapes' own `(?i)` does it.
        let folded = "Server=db;Pa\u{17f}\u{17f}word=Fake!Pass99;";
        assert_eq!(
            kinds(folded, Syntax::Literal, Context::Plain),
            [(
                SecretKind::ConnectionStringKey,
                Confidence::High,
                "Fake!Pass99".to_string()
            )]
        );
        let plain = "Send the weekly report to https://contoso.sharepoint.com/sites/x";
        assert!(PLAIN_SHAPES.candidates("Send the weekly report").is_empty());
        assert!(kinds(plain, Syntax::Literal, Context::Plain).is_empty());
    }

    // Shapes some secret scanners refuse in source: built at run time.
    fn fake(parts: &[&str]) -> String {
        parts.concat()
    }

    #[test]
    fn every_known_shape_is_found_with_high_confidence() {
        let hex = "deadbeefdeadbeefdeadbeefdeadbeef";
        let cases: Vec<(String, Context, SecretKind, String)> = vec![
            (
                "sk-FAKEfakeFAKEfake0123456789".into(),
                Context::Plain,
                SecretKind::OpenAiKey,
                "sk-FAKEfakeFAKEfake0123456789".into(),
            ),
            (
                "key sk-proj-FAKE_fake-FAKE0123456789abc".into(),
                Context::Plain,
                SecretKind::OpenAiKey,
                "sk-proj-FAKE_fake-FAKE0123456789abc".into(),
            ),
            (
                "sk-ant-FAKEfakeFAKEfake0123456789".into(),
                Context::Plain,
                SecretKind::AnthropicKey,
                "sk-ant-FAKEfakeFAKEfake0123456789".into(),
            ),
            (
                "Abc8Q~FAKEfakeFAKEfakeFAKEfake01234567".into(),
                Context::Plain,
                SecretKind::EntraClientSecret,
                "Abc8Q~FAKEfakeFAKEfakeFAKEfake01234567".into(),
            ),
            (hex.into(), Context::Credential, SecretKind::HexKey, hex.into()),
            (
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJGQUtFIn0.FAKEsignatureFAKE".into(),
                Context::Plain,
                SecretKind::Jwt,
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJGQUtFIn0.FAKEsignatureFAKE".into(),
            ),
            (
                "Bearer FAKEfakeFAKEfake0123456789".into(),
                Context::Plain,
                SecretKind::BearerToken,
                "FAKEfakeFAKEfake0123456789".into(),
            ),
            (
                "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&sig=FAKE%2Bfake0123456789FAKEfake0123456789%3D".into(),
                Context::Plain,
                SecretKind::SasSignature,
                "FAKE%2Bfake0123456789FAKEfake0123456789%3D".into(),
            ),
            (
                "DefaultEndpointsProtocol=https;AccountName=fake;AccountKey=FAKEfake0123456789==;EndpointSuffix=core.windows.net".into(),
                Context::Plain,
                SecretKind::ConnectionStringKey,
                "FAKEfake0123456789==".into(),
            ),
            (
                "Endpoint=sb://fake.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=FAKEfake0123=".into(),
                Context::Plain,
                SecretKind::ConnectionStringKey,
                "FAKEfake0123=".into(),
            ),
            (
                "Server=tcp:db;User ID=app;Password=Fake!Pass99;".into(),
                Context::Plain,
                SecretKind::ConnectionStringKey,
                "Fake!Pass99".into(),
            ),
            (
                fake(&["gh", "p_", "FAKEfakeFAKEfakeFAKEfakeFAKEfake0123"]),
                Context::Plain,
                SecretKind::GitHubToken,
                fake(&["gh", "p_", "FAKEfakeFAKEfakeFAKEfakeFAKEfake0123"]),
            ),
            (
                fake(&["github", "_pat_", "FAKE0123456789fake_FAKE"]),
                Context::Plain,
                SecretKind::GitHubToken,
                fake(&["github", "_pat_", "FAKE0123456789fake_FAKE"]),
            ),
            (
                fake(&["id=", "AKIA", "FAKEFAKEFAKE0123"]),
                Context::Plain,
                SecretKind::AwsAccessKey,
                fake(&["AKIA", "FAKEFAKEFAKE0123"]),
            ),
            (
                fake(&["AIza", "FAKEfakeFAKEfakeFAKEfakeFAKEfake012"]),
                Context::Plain,
                SecretKind::GoogleApiKey,
                fake(&["AIza", "FAKEfakeFAKEfakeFAKEfakeFAKEfake012"]),
            ),
            (
                fake(&["xo", "xb-", "0000-FAKEfakeFAKE"]),
                Context::Plain,
                SecretKind::SlackToken,
                fake(&["xo", "xb-", "0000-FAKEfakeFAKE"]),
            ),
            (
                fake(&["-----BEGIN RSA ", "PRIVATE KEY-----\nMIIFAKE\n-----END RSA ", "PRIVATE KEY-----"]),
                Context::Plain,
                SecretKind::PrivateKey,
                fake(&["-----BEGIN RSA ", "PRIVATE KEY-----\nMIIFAKE\n-----END RSA ", "PRIVATE KEY-----"]),
            ),
            (
                "https://svc:FakePass42@api.contoso.com/v1".into(),
                Context::Plain,
                SecretKind::UrlCredentials,
                "FakePass42".into(),
            ),
        ];
        // Long texts pick their shapes by each shape's literals (`LONG_TEXT`).
        let filler = "Send the weekly report to the team; ".repeat(8);
        assert!(filler.len() >= LONG_TEXT);
        for (text, context, kind, secret) in cases {
            let found = kinds(&text, Syntax::Literal, context);
            assert_eq!(
                found,
                vec![(kind, Confidence::High, secret.clone())],
                "{text}"
            );
            let long = format!("{filler}\n{text}\n{filler}");
            let found = kinds(&long, Syntax::Literal, context);
            assert_eq!(found, vec![(kind, Confidence::High, secret)], "{long}");
        }
    }

    #[test]
    fn hex_keys_need_credential_context() {
        let hex = "deadbeefdeadbeefdeadbeefdeadbeef";
        assert!(scan_literal(hex, Context::Plain).is_empty());
        assert_eq!(scan_literal(hex, Context::Credential).len(), 1);
        // …which a name inside the literal can give.
        let found = kinds(&format!("?code={hex}&x=1"), Syntax::Literal, Context::Plain);
        assert_eq!(
            found,
            vec![(SecretKind::HexKey, Confidence::High, hex.to_string())]
        );
        // A GUID is an identifier, never a key.
        assert!(
            scan_literal("c47bf440-52ce-4d7f-808f-f377e572ac20", Context::Credential).is_empty()
        );
    }

    #[test]
    fn placeholders_are_never_findings() {
        for value in [
            "",
            "   ",
            "PLACEHOLDER_API_KEY",
            "dummy-value",
            "[[DUMMY]]",
            "[[CLIENT_ID]]",
            "YOUR_CLIENT_SECRET",
            "your-api-key",
            "test",
            "changeme",
            "example-key-0123456789abcdef0123",
            "sample",
            "xxxxxxxxxxxxxxxxxxxxxxxx",
            "********",
            "<your api key>",
            "<<Enter client id>>",
            "#{environmentvariable.cat_AgentTokenEndpoint}#",
            "${API_KEY}",
            "{{apiKey}}",
            "Value-From-Your-App-Registration",
            "secret",
            "none",
        ] {
            assert!(is_placeholder(value), "{value:?}");
            for context in [Context::Plain, Context::Credential, Context::SecretField] {
                assert!(
                    scan_literal(value, context).is_empty(),
                    "{value:?} {context:?}"
                );
            }
        }
        assert!(scan_literal("Bearer YOUR_API_KEY_GOES_HERE_0123", Context::Credential).is_empty());
        assert!(scan_literal("sk-your-key-goes-here-0123456789", Context::Plain).is_empty());
        assert!(!is_placeholder("sk-FAKEfakeFAKEfake0123456789"));
    }

    /// The placeholder marks are what this regex, the rule as RULES.md words
    /// it, finds.
    #[test]
    fn placeholder_marks_are_found_as_the_regex_finds_them() {
        let regex = Regex::new(
            r"(?ix)
            placeholder | dummy | your[_-] | changeme | change[_-]me | example | sample | test | xxxx
            | \*{3,}
            | <[^<>]*>
            | \[\[[^\]]*\]\]
            | \#\{[^}]*\}\#
            | \$\{[^}]*\}
            | \{\{[^}]*\}\}
            | \$\([^)]*\)
            | %[A-Za-z_][A-Za-z0-9_]*%
            ",
        )
        .unwrap();
        let alphabet = [
            "<", ">", "[", "]", "[[", "]]", "#", "{", "}", "$", "(", ")", "%", "a", "Z", "_", "9",
            "\u{17f}", "\u{212a}", "*", "**", "te", "ST", "\u{17f}t", "x", "xx", " ", "\n", "é",
            "your", "-", "dummy", "Change", "me",
        ];
        let mut matched = 0;
        for text in random_texts(0x853C_49E6_748F_EA9B, &alphabet, 9).take(60_000) {
            let expected = regex.is_match(&text);
            assert_eq!(has_placeholder_mark(&text), expected, "{text:?}");
            matched += usize::from(expected);
        }
        assert!((5_000..50_000).contains(&matched), "{matched}");
    }

    #[test]
    fn pairs_are_found_as_the_regex_finds_them() {
        let regex = Regex::new(
            r#"["']?([A-Za-z][A-Za-z0-9_.-]*)["']?\s*[:=]\s*["']?([^\s"'&;,{}()<>]{6,})"#,
        )
        .unwrap();
        let alphabet = [
            "\"", "'", "a", "Z", "9", "_", ".", "-", " ", "\t", "\u{a0}", "\u{2003}", ":", "=",
            "&", ";", ",", "{", "}", "(", ")", "<", ">", "é", "key", "Secret", "abcdef", "x=",
            "\u{17f}", "/", "+", "token=", ": \"", "abcdefgh", "\u{3000}",
        ];
        let mut matched = 0;
        for text in random_texts(0xA076_1D64_78BD_642F, &alphabet, 14).take(60_000) {
            let expected: Vec<(Range<usize>, Range<usize>)> = regex
                .captures_iter(&text)
                .map(|caps| (caps.get(1).unwrap().range(), caps.get(2).unwrap().range()))
                .collect();
            matched += expected.len();
            assert_eq!(pairs(&text), expected, "{text:?}");
        }
        assert!(matched > 3_000, "{matched}");
    }

    #[test]
    fn guids_are_found_as_the_regex_finds_them() {
        let regex = Regex::new(
            r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$",
        )
        .unwrap();
        let guid = "c47bf440-52CE-4d7f-808f-f377e572ac20";
        let mut texts = vec![
            guid.to_string(),
            format!("{{{guid}}}"),
            format!("{{{guid}"),
            format!("{guid}}}"),
            format!("{{{{{guid}}}"),
            format!("{guid}\n"),
            guid.replace('-', ""),
            guid.replacen('-', "", 1) + "-",
            guid.replace('c', "g"),
            guid.replace('c', "é"),
            "{}".to_string(),
            String::new(),
        ];
        texts.extend((0..guid.len()).map(|i| format!("{}{}", &guid[..i], &guid[i + 1..])));
        texts.extend((0..=guid.len()).map(|i| format!("{}0{}", &guid[..i], &guid[i..])));
        let mut matched = 0;
        for text in &texts {
            assert_eq!(is_guid(text), regex.is_match(text), "{text:?}");
            matched += usize::from(regex.is_match(text));
        }
        assert_eq!(matched, 4);
    }

    #[test]
    fn entropy_edges() {
        // 20 characters, 20 distinct: log2(20) ≈ 4.32 ≥ 3.5.
        let twenty = "AbCdEfGhIjKlMnOpQr5t";
        assert!(entropy(twenty) >= 3.5);
        let found = kinds(twenty, Syntax::Literal, Context::Credential);
        assert_eq!(
            found,
            vec![(
                SecretKind::HighEntropy,
                Confidence::Medium,
                twenty.to_string()
            )]
        );
        // 19 characters: too short.
        assert!(scan_literal(&twenty[..19], Context::Credential).is_empty());
        // 20 characters but low entropy (2 symbols: 1 bit/char).
        assert!(scan_literal("a1a1a1a1a1a1a1a1a1a1", Context::Credential).is_empty());
        // Words and identifiers (no digit or base64 symbol) are not generated secrets.
        assert!(scan_literal("InvalidRequestErrorCode", Context::Credential).is_empty());
        // 40 hex characters at ≥ 3.0 bits/char: medium.
        let hex40 = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(
            kinds(hex40, Syntax::Literal, Context::Credential),
            vec![(
                SecretKind::HighEntropy,
                Confidence::Medium,
                hex40.to_string()
            )]
        );
        // Not in credential context: the same token is nothing…
        assert!(scan_literal(twenty, Context::Plain).is_empty());
        // …but 32+ characters at ≥ 4.5 bits/char is a low-confidence hit.
        let random = "Qm9vT2xLp3Xz8RwYc1VbN5sKd7FgHj2A";
        assert!(entropy(random) >= 4.5);
        assert_eq!(
            kinds(random, Syntax::Literal, Context::Plain),
            vec![(SecretKind::HighEntropy, Confidence::Low, random.to_string())]
        );
        // 31 characters: too short elsewhere.
        assert!(scan_literal(&random[..31], Context::Plain).is_empty());
        // Low-entropy long text and identifiers are not secrets.
        assert!(
            scan_literal(
                "https://login.microsoftonline.com/common/oauth2/v2.0/token",
                Context::Plain
            )
            .is_empty()
        );
        assert!(
            scan_literal(
                "Microsoft.PowerApps.Administration.Management",
                Context::Plain
            )
            .is_empty()
        );
        assert!(
            scan_literal(
                "/subscriptions/2bc1f261/resourceGroups/coe/providers/x",
                Context::Credential
            )
            .is_empty()
        );
        assert_eq!(entropy(""), 0.0);
        assert!((entropy("ab") - 1.0).abs() < 1e-9);
    }

    /// The entropy of a text is one number: the same bits on every call and
    /// for every order of its characters, so a token at a threshold is
    /// reported on every run or on none.
    #[test]
    fn entropy_is_the_same_bits_on_every_call_and_for_every_order() {
        let alphabet = [
            "a", "b", "c", "Z", "0", "9", "+", "/", "=", "_", "é", "€", "😀", "K",
        ];
        for text in crate::testing::random_texts(0x9E37_79B9_7F4A_7C15, &alphabet, 60).take(2_000) {
            let e = entropy(&text);
            let reversed: String = text.chars().rev().collect();
            assert_eq!(entropy(&reversed).to_bits(), e.to_bits(), "{text:?}");
            for _ in 0..20 {
                assert_eq!(entropy(&text).to_bits(), e.to_bits(), "{text:?}");
            }
        }
    }

    #[test]
    fn secret_fields_report_any_real_literal() {
        assert_eq!(
            kinds("Fake.Secret.42", Syntax::Literal, Context::SecretField),
            vec![(
                SecretKind::FieldValue,
                Confidence::High,
                "Fake.Secret.42".to_string()
            )]
        );
        assert!(scan_literal("test", Context::SecretField).is_empty());
        assert!(scan_literal("abc", Context::SecretField).is_empty());
        assert!(
            scan(
                "@parameters('Secret (cre06_secret)')",
                Syntax::Flow,
                Context::SecretField
            )
            .is_empty()
        );
    }

    #[test]
    fn redaction_shows_at_most_a_quarter_and_at_most_four_chars() {
        for (secret, shown) in [
            ("sk-FAKEfakeFAKEfake0123456789", "sk-F"),
            ("abcdefgh", "ab"),
            ("abc", ""),
            ("abcdefghijklmno", "abc"),
            ("ab€defgh", "ab"),
        ] {
            let r = redact(secret);
            let n = secret.chars().count();
            let prefix = r.split('…').next().expect("prefix");
            assert_eq!(prefix, shown, "{secret}");
            assert!(prefix.chars().count() * 4 <= n, "{secret}: {r}");
            assert!(prefix.chars().count() <= 4);
            assert!(
                r.ends_with(&format!("[{n} chars, sha256:{}]", &sha256_hex(secret)[..8])),
                "{r}"
            );
            assert!(!r.contains(&secret[secret.len() / 2..]), "{r}");
        }
        let h = &scan_literal("sk-FAKEfakeFAKEfake0123456789", Context::Plain)[0];
        assert_eq!(h.sha256, sha256_hex("sk-FAKEfakeFAKEfake0123456789"));
        assert_eq!(h.redacted, redact("sk-FAKEfakeFAKEfake0123456789"));
    }

    #[test]
    fn flow_expressions_only_scan_quoted_arguments() {
        let key = "sk-FAKEfakeFAKEfake0123456789";
        // A pure reference is not a literal.
        assert!(
            scan(
                "@parameters('Azure OpenAI API Key (cat_AzureOpenAIAPIKey)')",
                Syntax::Flow,
                Context::Credential
            )
            .is_empty()
        );
        assert!(
            scan(
                "@{body('Parse_JSON')?['access_token']}",
                Syntax::Flow,
                Context::Credential
            )
            .is_empty()
        );
        // Long reference names in credential context are names, not secrets.
        assert!(
            scan(
                "@parameters('Azure OpenAI API Key (cat_AzureOpenAIAPIKey2)')",
                Syntax::Flow,
                Context::SecretField
            )
            .is_empty()
        );
        assert!(scan("@{outputs('Get_Secret_Value_From_Vault_2024')?['body/EnvironmentVariableSecretValue']}", Syntax::Flow, Context::Credential).is_empty());
        // A quoted argument is.
        let text = format!("@concat('Bearer ', '{key}')");
        assert_eq!(kinds(&text, Syntax::Flow, Context::Plain)[0].2, key);
        // Interpolation: the literal part is scanned, the reference is not.
        let text = format!("Bearer {key} @{{variables('x')}}");
        assert_eq!(kinds(&text, Syntax::Flow, Context::Credential)[0].2, key);
        // Policy values: inline calls are expressions.
        assert!(
            scan(
                "Bearer @connectionParameters('api_key')",
                Syntax::Flow,
                Context::Credential
            )
            .is_empty()
        );
        assert!(
            scan(
                "Basic @connectionParameters('api_key')",
                Syntax::Flow,
                Context::Credential
            )
            .is_empty()
        );
        // `@@` escapes a literal `@`.
        assert_eq!(
            kinds(&format!("@@{key}"), Syntax::Flow, Context::Plain)[0].2,
            key
        );
    }

    #[test]
    fn power_fx_only_scans_string_literals() {
        let key = "sk-FAKEfakeFAKEfake0123456789";
        let text = format!("=\"Bearer {key}\"");
        let found = kinds(&text, Syntax::PowerFx, Context::Plain);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].2, key);
        let text = "=\"Bearer FAKEfakeFAKEfake0123456789\"";
        assert_eq!(
            kinds(text, Syntax::PowerFx, Context::Plain),
            vec![(
                SecretKind::BearerToken,
                Confidence::High,
                "FAKEfakeFAKEfake0123456789".to_string()
            )]
        );
        assert!(
            scan(
                "=\"Bearer \" & Env.kch_demokey",
                Syntax::PowerFx,
                Context::Credential
            )
            .is_empty()
        );
        assert!(scan("=Topic.Token", Syntax::PowerFx, Context::Credential).is_empty());
        // A record field named like a credential puts its string in credential context.
        let hex = "deadbeefdeadbeefdeadbeefdeadbeef";
        let text = format!("={{ api_key: \"{hex}\", model: \"gpt-4o\" }}");
        assert_eq!(
            kinds(&text, Syntax::PowerFx, Context::Plain),
            vec![(SecretKind::HexKey, Confidence::High, hex.to_string())]
        );
        // Without `=` the value is literal text.
        assert_eq!(kinds(key, Syntax::PowerFx, Context::Plain)[0].2, key);
    }

    #[test]
    fn names_before_quoted_strings() {
        assert_eq!(
            preceding_name(r#"x = { api_key: "v" }"#, 15),
            Some("api_key")
        );
        assert_eq!(
            preceding_name(r#"["x-api-key"] = "v""#, 16),
            Some("x-api-key")
        );
        assert_eq!(
            preceding_name(r#"Add("Authorization", "v")"#, 21),
            Some("Authorization")
        );
        assert_eq!(preceding_name(r#"if (a == "v")"#, 9), None);
    }

    #[test]
    fn pairs_in_literals_and_dedupe() {
        let body = "grant_type=client_credentials&client_secret=Abc8Q~FAKEfakeFAKEfakeFAKEfake01234567&scope=x";
        let found = kinds(body, Syntax::Literal, Context::Plain);
        assert_eq!(
            found,
            vec![(
                SecretKind::EntraClientSecret,
                Confidence::High,
                "Abc8Q~FAKEfakeFAKEfakeFAKEfake01234567".to_string()
            )]
        );
        let template =
            "grant_type=authorization_code&code={Code}&client_secret={BigEvalClientSecret}";
        assert!(scan(template, Syntax::Literal, Context::Plain).is_empty());
        // One long form string is not one token: only its credential pair counts.
        let body = "grant_type=client_credentials&client_id=contoso-reporting&client_secret=Fake0Client1Secret2Value3";
        assert_eq!(
            kinds(body, Syntax::Literal, Context::Credential),
            vec![(
                SecretKind::HighEntropy,
                Confidence::Medium,
                "Fake0Client1Secret2Value3".to_string()
            )]
        );
        let json = r#"{"password": "N0tAR3alPassw0rdJustF4ke"}"#;
        assert_eq!(
            kinds(json, Syntax::Literal, Context::Plain)[0].0,
            SecretKind::HighEntropy
        );
        // A pair's name is its last 61 characters from a letter on.
        let long = format!("{}_apikey=N0tAR3alK3yJustF4keValue", "x".repeat(70));
        assert_eq!(
            kinds(&long, Syntax::Literal, Context::Plain)[0].2,
            "N0tAR3alK3yJustF4keValue"
        );
        assert_eq!(pair_name("api_key"), "api_key");
        assert_eq!(pair_name(&format!("a{}_key", "9".repeat(60))), "key");
        // Long base64 text (an inline image) with one `name:value` pair.
        let image = format!(
            "data:image/png;base64,{}==",
            "iVBORw0KGgoAAAANSUhEUg".repeat(2000)
        );
        assert!(scan(&image, Syntax::Literal, Context::Plain).is_empty());
    }

    #[test]
    fn locate_maps_secrets_into_raw_tokens() {
        let decoded = "Bearer sk-FAKEfakeFAKEfake0123456789";
        let hits = scan_literal(decoded, Context::Plain);
        let raw = "\"Bearer sk-FAKEfakeFAKEfake0123456789\"";
        let r = locate(raw, decoded, hits[0].range.clone());
        assert_eq!(&raw[r], "sk-FAKEfakeFAKEfake0123456789");
        // Not found verbatim (escaped): the whole token.
        let r = locate("\"x\"", decoded, hits[0].range.clone());
        assert_eq!(r, 0..3);
    }

    #[test]
    fn hostile_text_never_panics() {
        let pieces = [
            "@",
            "@@",
            "@{",
            "{",
            "}",
            "'",
            "''",
            "\"",
            "=",
            "==",
            "é",
            "€",
            "(",
            ")",
            "[",
            "]",
            ",",
            "sk-",
            "Bearer ",
            "?sig=",
            "Password=",
            "api_key:",
            "\\",
            "-----BEGIN PRIVATE KEY-----",
            "deadbeefdeadbeefdeadbeefdeadbeef",
            "https://u:p@h/",
            "parameters(",
            " ",
        ];
        let mut texts = vec![
            String::new(),
            "@concat('é', '".to_string(),
            "=\"€\" & \"".to_string(),
            "Bearer @{x('".to_string(),
            "@@{'".to_string(),
        ];
        for _ in 0..2 {
            let mut next = Vec::new();
            for t in &texts {
                for p in pieces {
                    next.push(format!("{t}{p}"));
                }
            }
            texts = next;
        }
        for text in &texts {
            for syntax in [Syntax::Literal, Syntax::Flow, Syntax::PowerFx] {
                for context in [Context::Plain, Context::Credential, Context::SecretField] {
                    for hit in scan(text, syntax, context) {
                        assert!(text.get(hit.range.clone()).is_some(), "{text:?}");
                        let _ = locate(text, text, hit.range);
                    }
                }
            }
            let _ = is_placeholder(text);
        }
    }
}
