//! Syntax only: XML, JSON and YAML trees whose every node carries a byte span.
//! No Power Platform knowledge lives here.

pub mod json;
pub mod xml;
pub mod yaml;

pub use json::{JsonKind, JsonMember, JsonValue};
pub use xml::{XmlDoc, XmlElement};
pub use yaml::{YamlEntry, YamlKind, YamlNode};

use crate::source::{Problem, ProblemKind, SourceFile, Span};

/// Deeper nesting than this is refused, so hostile input cannot exhaust the stack.
pub const MAX_DEPTH: usize = 512;

pub(crate) use crate::source::byte_class;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset into the file's raw bytes.
    pub offset: usize,
    pub message: String,
}

/// A parsed file. `Unparsed` files are not structured text pplint reads as a tree.
#[derive(Debug)]
pub enum Parsed {
    Xml(XmlDoc),
    Json(JsonValue),
    Yaml(YamlNode),
    Unparsed,
    Failed,
}

/// Which parser a file needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    Xml,
    /// XML whose root's children with these names are checked but kept
    /// without children or text ([`xml::parse_pruned`]).
    XmlPruned(&'static [&'static str]),
    Json,
    Yaml,
    None,
}

/// Decodes the file as UTF-8 (after its BOM) and parses it; failures become problems.
pub fn parse_file(file: &SourceFile, syntax: Syntax) -> (Parsed, Option<Problem>) {
    if syntax == Syntax::None {
        return (Parsed::Unparsed, None);
    }
    let bom = file.bom_len();
    let text = match std::str::from_utf8(&file.bytes[bom..]) {
        Ok(text) => text,
        Err(err) => {
            let at = bom + err.valid_up_to();
            let problem = Problem::new(
                file.path.clone(),
                Span::new(at, at + err.error_len().unwrap_or(0).max(1)),
                ProblemKind::Encoding,
                format!("invalid UTF-8 at byte {at}"),
            );
            return (Parsed::Failed, Some(problem));
        }
    };
    let (result, kind) = match syntax {
        Syntax::Xml => (xml::parse(text, bom).map(Parsed::Xml), ProblemKind::Xml),
        Syntax::XmlPruned(prune) => (
            xml::parse_pruned(text, bom, prune).map(Parsed::Xml),
            ProblemKind::Xml,
        ),
        Syntax::Json => (json::parse(text, bom).map(Parsed::Json), ProblemKind::Json),
        Syntax::Yaml => (yaml::parse(text, bom).map(Parsed::Yaml), ProblemKind::Yaml),
        Syntax::None => unreachable!("handled above"),
    };
    match result {
        Ok(parsed) => (parsed, None),
        Err(err) => (Parsed::Failed, Some(syntax_problem(file, kind, &err))),
    }
}

pub fn syntax_problem(file: &SourceFile, kind: ProblemKind, err: &SyntaxError) -> Problem {
    let at = err.offset.min(file.bytes.len());
    // Point at the offending character when there is one.
    let end = file.bytes[at..]
        .iter()
        .position(|&b| b & 0xC0 != 0x80)
        .map_or(at, |_| next_char_end(&file.bytes, at));
    Problem::new(
        file.path.clone(),
        Span::new(at, end),
        kind,
        err.message.clone(),
    )
}

fn next_char_end(bytes: &[u8], at: usize) -> usize {
    if at >= bytes.len() {
        return at;
    }
    let mut end = at + 1;
    while end < bytes.len() && bytes[end] & 0xC0 == 0x80 {
        end += 1;
    }
    end
}
