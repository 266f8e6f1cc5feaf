//! The plain XML reader must build exactly quick-xml's tree (names, attributes,
//! text, spans) whenever it accepts a text, and must accept the XML that Power
//! Platform exports hold, or the fast path is not taken.
//!
//! Texts: every `.xml` file in the corpus and the fixtures (inside zips too),
//! hand-written edge cases, and mutated copies of all of them.

mod common;

use common::differential::{XorShift, mutants_per_text, mutate, without_bom};
use pplint::fuzzing::xml_readers_agree;

fn is_xml_path(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".xml")
}

#[test]
fn plain_reader_agrees_on_corpus_and_fixtures_and_reads_nearly_all_of_them() {
    let texts = common::differential::seeds(is_xml_path);
    assert!(texts.len() > 50, "found only {} XML texts", texts.len());
    let mut declined = Vec::new();
    let (mut accepted_bytes, mut total_bytes) = (0usize, 0usize);
    for (name, bytes) in &texts {
        let text = without_bom(bytes);
        // Files quick-xml rejects are not XML Power Platform wrote.
        let Ok(as_str) = std::str::from_utf8(text) else {
            continue;
        };
        if pplint::parse::xml::parse(as_str, 0).is_err() {
            continue;
        }
        total_bytes += text.len();
        if xml_readers_agree(text) {
            accepted_bytes += text.len();
        } else {
            declined.push(name.as_str());
        }
    }
    let share = accepted_bytes as f64 / total_bytes.max(1) as f64;
    eprintln!(
        "plain reader: {:.1}% of {} bytes; declined {} files: {:?}",
        share * 100.0,
        total_bytes,
        declined.len(),
        &declined[..declined.len().min(20)]
    );
    assert!(
        share >= 0.95,
        "the plain reader declined {:.1}% of the XML bytes: {declined:?}",
        (1.0 - share) * 100.0
    );
}

/// Small texts covering each construct the plain reader handles.
const EDGE_CASES: &[&str] = &[
    "<a/>",
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<a b=\"1\" c='2'>\r\n  <d>x</d>\r\n</a>\r\n",
    "<a>\n  <b>x &amp; <![CDATA[<y>]]></b>\n  <c>\n    <d>z</d>\n  </c>\n</a>",
    "<a>x<!-- c -->y</a>",
    "<a>\n  <!-- only a comment -->\n</a>",
    "<!-- before --><a/><!-- after -->\n",
    "<a x=\"&lt;&gt;&amp;&quot;&apos;&#233;&#xE9;\" y=\"a > b\">&#x1F600; é – “q”</a>",
    "<a><b/><b></b><b > </b ></a>",
    "<ns:a xmlns:ns=\"u\" xsi:nil=\"true\"><ns:b.c-d_e>1</ns:b.c-d_e></ns:a>",
    "<a>\t \n</a>",
    "<a>]]</a>",
    "<a>]]></a>",
    "<a b=\"\"/>",
    "<ImportExportXml><Workflows><Workflow WorkflowId=\"{x}\" Name=\"F\"><JsonFileName>/Workflows/F.json</JsonFileName><StateCode>1</StateCode></Workflow></Workflows></ImportExportXml>",
];

#[test]
fn plain_reader_agrees_on_edge_cases_and_reads_them() {
    for text in EDGE_CASES {
        assert!(
            xml_readers_agree(text.as_bytes()),
            "the plain reader declined {text:?}"
        );
    }
}

/// Texts the plain reader must leave to quick-xml, which reads them its own
/// way or rejects them with a message.
const DECLINED: &[&str] = &[
    "<!DOCTYPE a><a/>",
    "<?pi x?><a/>",
    "<a><?pi x?></a>",
    "<a>&nbsp;</a>",
    "<a>& b</a>",
    "<a b=\"&unknown;\"/>",
    "<a>&#0;</a>",
    "<a b = \"1\"/>",
    "<a b=1/>",
    "<a b=\"1\"c=\"2\"/>",
    "<a b=\"1\" b=\"2\"/>",
    "<a b=\"<\"/>",
    "<Größe/>",
    "<a></b>",
    "<a>",
    "<a/><b/>",
    "x<a/>",
    "<a/>x",
    "<![CDATA[x]]><a/>",
    " <?xml version=\"1.0\"?><a/>",
    "<a><!-- open</a>",
    "",
    "<a/ >",
];

#[test]
fn plain_reader_declines_what_it_does_not_read() {
    for text in DECLINED {
        assert!(
            !xml_readers_agree(text.as_bytes()),
            "the plain reader accepted {text:?}"
        );
    }
}

#[test]
fn nesting_deeper_than_the_limit_is_left_to_quick_xml() {
    let deep = format!("{}{}", "<a>".repeat(600), "</a>".repeat(600));
    assert!(!xml_readers_agree(deep.as_bytes()));
    assert!(pplint::parse::xml::parse(&deep, 0).is_err());
    let fine = format!("{}{}", "<a>".repeat(500), "</a>".repeat(500));
    assert!(xml_readers_agree(fine.as_bytes()));
}

const INSERTS: &[&str] = &[
    "<",
    ">",
    "/",
    "/>",
    "</",
    "<a>",
    "</a>",
    "<a/>",
    "=",
    "\"",
    "'",
    " ",
    "\n",
    "\r\n",
    "\t",
    "&",
    "&amp;",
    "&lt;",
    "&#65;",
    "&#x41;",
    "&#0;",
    "&x;",
    ";",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<?",
    "?>",
    "<!DOCTYPE a>",
    ":",
    "é",
    "x",
    " b=\"1\"",
    " b='1'",
    "\u{a0}",
];

#[test]
fn plain_reader_agrees_on_mutated_texts() {
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    let mut texts: Vec<Vec<u8>> = EDGE_CASES.iter().map(|t| t.as_bytes().to_vec()).collect();
    // Small files mutate into more distinct shapes per byte parsed.
    let mut seeds = common::differential::seeds(is_xml_path);
    seeds.sort_by_key(|(_, bytes)| bytes.len());
    texts.extend(
        seeds
            .into_iter()
            .filter(|(_, bytes)| bytes.len() < 4_000)
            .map(|(_, bytes)| without_bom(&bytes).to_vec()),
    );
    // `PPLINT_XML_MUTANTS=2000 cargo test --release --test xml_plain_reader`
    // searches longer.
    let per_text = mutants_per_text("PPLINT_XML_MUTANTS", 30);
    let (mut accepted, mut tried) = (0, 0);
    for text in &texts {
        for _ in 0..per_text {
            let mutant = mutate(text, &mut rng, INSERTS);
            tried += 1;
            if xml_readers_agree(&mutant) {
                accepted += 1;
            }
        }
    }
    eprintln!("plain reader accepted {accepted} of {tried} mutants");
    assert!(
        accepted * 5 > tried,
        "too few mutants reached the plain reader: {accepted}/{tried}"
    );
}
