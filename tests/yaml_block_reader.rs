//! The block YAML reader must build exactly the event parser's tree (spans,
//! values, styles) whenever it accepts a text, and must accept the YAML that
//! Copilot Studio writes, or the fast path is not taken.
//!
//! Texts: every YAML file and bot component `data` in the corpus and the
//! fixtures (inside zips too), hand-written edge cases, and mutated copies of
//! all of them.

mod common;

use common::differential::{FastReader, mutants_per_text, mutation_texts};
use pplint::fuzzing::yaml_readers_agree;

fn is_yaml_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".yml")
        || lower.ends_with(".yaml")
        || (lower.contains("botcomponents/") && lower.ends_with("/data"))
}

/// The texts the differential tests start from.
fn seeds() -> Vec<(String, Vec<u8>)> {
    common::differential::seeds(is_yaml_path)
}

const READER: FastReader = FastReader {
    name: "block reader",
    parses: |text| pplint::parse::yaml::parse(text, 0).is_ok(),
    agrees: yaml_readers_agree,
};

#[test]
fn block_reader_agrees_on_corpus_and_fixtures_and_reads_nearly_all_of_them() {
    let texts = seeds();
    assert!(texts.len() > 50, "found only {} YAML texts", texts.len());
    READER.check_seeds(&texts);
}

/// Small texts covering each construct the block reader handles and the
/// places where the event parser's spans are surprising.
const EDGE_CASES: &[&str] = &[
    "a: b\nc:\n  d: e\n  f:\n    - g\n    - h: i\n      j: k\n",
    "a:\nb: c\nd:   # comment\ne:\n",
    "- \n-    \n-   # c\n-\n  a: 1\n- x\n",
    "a: |-\n  x\n  y\n\nb: 1\nc: |\n  x\n\n\nd: |+\n  x\n\n\nf: |- # c\n  q\n",
    "a: \"x\\\"y\"\nb: 'it''s'\nc: \"x\" # c\nd: b#c\ne: b # c\nf: http://x\n\"g\": 1\n'h' : 2\ni  : 3\n",
    "a: []\nb: {}\nc: []   # c\n",
    "a:\n- b\n- c\nd: e\n",
    "a:\n- k: v\nb:\n- - x\nc:\n- \"q\"\nd:\n- |\n  x\ne:\n-\n  k: v\nf:\n-\n- c\ng:\n- []\nh: x\n",
    "- a: 1\n  b: 2\n-   c: 3\n- - x\n  - y\n",
    "a:\n  b: 1\n\n# comment\nc: |-\n    indented\n      more\n  \n    back\n",
    "a: \"x\"  \r\nb: \"y\" # c\r\nc:\r\nd:\r\n  - \r\n  -\r\n  - z\r\ne: []  \r\n",
    "a: |-\n  x\n  \n     \n",
    "a: |\n  x\n \nb: |+\n  y\n \n   \nc: 1\n",
    "a: \"\\u00e9\\t\\x41\\/\\\\ \\N\"\nb: \"emoji \\U0001F600\"\nc: x:y\nd: -1\ne: ?x\nf: :x\ng: a,b]c\n",
    "@odata.type: x\nvalue:\n  - @odata.id: y\n    `tick`: z\n",
    "kind: AdaptiveDialog\nbeginDialog:\n  kind: OnRecognizedIntent\n  id: main\n  actions:\n    - kind: SendActivity\n      id: s1\n      activity: Héllo wörld – “quoted”\n",
    "b: \"\u{3000}\"\nc: '\u{a0}'\n",
    "   # indented comment only\n",
    "",
    "a: 1\n# trailing comment",
    "a: 1\nb: 2",
    "- - - - x\n",
    "a: |\n  x",
];

#[test]
fn block_reader_agrees_on_edge_cases_and_reads_them() {
    for text in EDGE_CASES {
        assert!(
            yaml_readers_agree(text.as_bytes()),
            "the block reader declined {text:?}"
        );
    }
}

/// Texts the block reader must leave to the event parser; each is read by the
/// event parser in its own way (or rejected with a message).
const DECLINED: &[&str] = &[
    "a: b\n  c\n",
    "a: 'multi\n  line'\n",
    "a: >\n  folded\n",
    "a: &x 1\nb: *x\n",
    "a: !tag 1\n",
    "---\na: b\n",
    "a: [1, 2]\n",
    "? complex\n: value\n",
    "a:\tb\n",
    "```yaml\na: b\n```\n",
    "a: \"=[\"A\", \"B\"]\"\n",
    "just a scalar\n",
    "a: |2\n   x\n",
    "a: b: c\n",
    "a: 1\n  b: 2\n",
    "a: x\u{85}y\n",
    "a: x\u{a0}\n",
    "a: |+\n  x\n\n ",
    "a: |+\n  x\n\n  ",
    "a: |\n  x\n  ",
];

#[test]
fn block_reader_declines_what_it_does_not_read() {
    for text in DECLINED {
        assert!(
            !yaml_readers_agree(text.as_bytes()),
            "the block reader accepted {text:?}"
        );
    }
}

const INSERTS: &[&str] = &[
    ":", ": ", "-", "- ", " ", "  ", "\n", "\r\n", "#", " #", "\"", "'", "|", "|-", "|+", ">",
    "\t", "[", "]", "{", "}", "[]", "{}", "&a ", "*a", "!t ", "@", "`", "%", "?", "\\", "é",
    "\u{a0}", "---", "...", "''", "\\\"", "\\u00", "x", "k: v\n", "- k: v\n", "\n  ", "\n-",
];

#[test]
fn block_reader_agrees_on_mutated_texts() {
    let texts = mutation_texts(EDGE_CASES, seeds(), 6_000);
    // `PPLINT_YAML_MUTANTS=2000 cargo test --release --test yaml_block_reader`
    // searches longer.
    let per_text = mutants_per_text("PPLINT_YAML_MUTANTS", 40);
    READER.check_mutants(&texts, INSERTS, per_text, 0x9E37_79B9_7F4A_7C15);
}
