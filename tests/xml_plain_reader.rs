//! The plain XML reader must build exactly quick-xml's tree (names, attributes,
//! text, spans) whenever it accepts a text, and must accept the XML that Power
//! Platform exports hold, or the fast path is not taken.
//!
//! Texts: every `.xml` file in the corpus and the fixtures (inside zips too),
//! hand-written edge cases, and mutated copies of all of them.

mod common;

use common::differential::{FastReader, mutants_per_text, mutation_texts};
use pplint::fuzzing::xml_readers_agree;

fn is_xml_path(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".xml")
}

const READER: FastReader = FastReader {
    name: "plain reader",
    parses: |text| pplint::parse::xml::parse(text, 0).is_ok(),
    agrees: xml_readers_agree,
};

#[test]
fn plain_reader_agrees_on_corpus_and_fixtures_and_reads_nearly_all_of_them() {
    let texts = common::differential::seeds(is_xml_path);
    assert!(texts.len() > 50, "found only {} XML texts", texts.len());
    READER.check_seeds(&texts);
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
    // Errors inside the root's first child, which the comparison also prunes.
    "<a><b><c></d></b></a>",
    "<a><b><c></b></a>",
    "<a><b><c x=\"1\" x=\"2\"/></b></a>",
    "<a><b><c>&bogus;</c></b></a>",
    "<a><b x=\"&bogus;\"><c/></b></a>",
    "<a><b><c y=1/></b></a>",
    "<a><b>x<?pi?></b></a>",
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

/// Past a few attributes the duplicate check changes method; both must agree
/// with quick-xml's, and a tag with very many attributes must not take
/// quadratic time (100,000 took 18 s before).
#[test]
fn many_attributes_and_late_duplicates() {
    let attributes = |n: usize| (0..n).map(|i| format!(" k{i}=\"{i}\"")).collect::<String>();
    for n in [15, 16, 17, 40] {
        let distinct = format!("<a{}/>", attributes(n));
        assert!(xml_readers_agree(distinct.as_bytes()), "{n} attributes");
        for duplicate in [0, n / 2, n - 1] {
            let late = format!("<a{} k{duplicate}=\"x\"/>", attributes(n));
            assert!(
                !xml_readers_agree(late.as_bytes()),
                "{n} attributes, k{duplicate} again"
            );
            assert!(pplint::parse::xml::parse(&late, 0).is_err());
        }
    }
    let wide = format!("<a{}/>", attributes(100_000));
    let doc = pplint::parse::xml::parse(&wide, 0).expect("distinct attributes");
    assert_eq!(doc.el(0).attrs.len(), 100_000);
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
    let seeds = common::differential::seeds(is_xml_path);
    let texts = mutation_texts(EDGE_CASES, seeds, 4_000);
    // `PPLINT_XML_MUTANTS=2000 cargo test --release --test xml_plain_reader`
    // searches longer.
    let per_text = mutants_per_text("PPLINT_XML_MUTANTS", 30);
    READER.check_mutants(&texts, INSERTS, per_text, 0x2545_F491_4F6C_DD1D);
}
