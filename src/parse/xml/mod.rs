//! An element tree with byte spans.
//!
//! The XML Power Platform writes is read directly from the bytes (`plain`);
//! anything else (a DOCTYPE, processing instructions, unusual names or
//! references, any error) goes through quick-xml events (`events`), which
//! reports what is wrong.

use crate::source::Span;

use super::SyntaxError;

mod events;
mod plain;

#[derive(Debug, Default, PartialEq)]
pub struct XmlDoc {
    /// Element 0 is the root; children are indexes into this list.
    pub elements: Vec<XmlElement>,
}

#[derive(Debug, PartialEq)]
pub struct XmlElement {
    pub name: String,
    /// From `<` of the start tag to `>` of the end tag.
    pub span: Span,
    pub start_tag: Span,
    pub attrs: Vec<XmlAttr>,
    pub children: Vec<usize>,
    pub parent: Option<usize>,
    /// Unescaped text content, trimmed, of an element without child elements
    /// (Power Platform XML has no mixed content); empty otherwise.
    pub text: String,
    /// Raw span of that text, whitespace trimmed; `None` when there is none.
    pub text_span: Option<Span>,
}

#[derive(Debug, PartialEq)]
pub struct XmlAttr {
    pub name: String,
    /// Unescaped.
    pub value: String,
    /// Raw value, without the quotes.
    pub span: Span,
}

impl XmlElement {
    pub fn attr(&self, name: &str) -> Option<&XmlAttr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    pub fn attr_ci(&self, name: &str) -> Option<&XmlAttr> {
        self.attrs
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// The text's span, or the start tag when the element is empty (RULES.md §14).
    pub fn value_span(&self) -> Span {
        self.text_span.unwrap_or(self.start_tag)
    }
}

impl XmlDoc {
    pub fn root(&self) -> Option<usize> {
        (!self.elements.is_empty()).then_some(0)
    }

    pub fn el(&self, id: usize) -> &XmlElement {
        &self.elements[id]
    }

    /// Direct children named `name` (ASCII case-insensitive: exports vary).
    pub fn children<'a>(&'a self, id: usize, name: &'a str) -> impl Iterator<Item = usize> + 'a {
        self.elements[id]
            .children
            .iter()
            .copied()
            .filter(move |&c| self.elements[c].name.eq_ignore_ascii_case(name))
    }

    pub fn child(&self, id: usize, name: &str) -> Option<usize> {
        self.children(id, name).next()
    }

    /// Follows a chain of child names.
    pub fn path(&self, id: usize, names: &[&str]) -> Option<usize> {
        names.iter().try_fold(id, |at, name| self.child(at, name))
    }

    pub fn child_text(&self, id: usize, name: &str) -> Option<&str> {
        self.child(id, name).map(|c| self.elements[c].text.as_str())
    }

    /// All elements named `name` below `id`, in document order.
    pub fn descendants(&self, id: usize, name: &str) -> Vec<usize> {
        let mut found = Vec::new();
        let mut stack: Vec<usize> = self.elements[id].children.iter().rev().copied().collect();
        while let Some(at) = stack.pop() {
            if self.elements[at].name.eq_ignore_ascii_case(name) {
                found.push(at);
            }
            stack.extend(self.elements[at].children.iter().rev().copied());
        }
        found
    }

    /// `/a/b/c` from the root down to `id` (a logical path, RULES.md §14).
    pub fn logical_path(&self, id: usize) -> String {
        let mut names = Vec::new();
        let mut at = Some(id);
        while let Some(el) = at {
            names.push(self.elements[el].name.as_str());
            at = self.elements[el].parent;
        }
        names.reverse();
        format!("/{}", names.join("/"))
    }
}

/// Parses `text` (BOM already removed; a leftover one is skipped); spans are
/// offset by `base`.
pub fn parse(text: &str, base: usize) -> Result<XmlDoc, SyntaxError> {
    parse_pruned(text, base, &[])
}

/// [`parse`], keeping the root's children named in `prune` (ASCII case
/// ignored) without their children and text when the document takes the fast
/// reader: sections no reader looks into, which need checking but no tree.
/// Everything else reads as [`parse`] reads it.
pub fn parse_pruned(text: &str, base: usize, prune: &[&str]) -> Result<XmlDoc, SyntaxError> {
    if let Some(rest) = text.strip_prefix('\u{feff}') {
        return parse_pruned(rest, base + 3, prune);
    }
    match plain::parse(text, base, prune) {
        Some(doc) => Ok(doc),
        None => events::parse(text, base),
    }
}

/// Reads `text` with both readers: `Ok(true)` when the plain reader accepted
/// it and built the quick-xml path's tree, `Ok(false)` when it declined, and
/// `Err` with both trees otherwise. Pruned of the name of the text's second
/// start tag (the root's first child in a well-formed text), the plain reader
/// must accept exactly the same texts, and build quick-xml's tree without the
/// subtrees of the root's children of that name.
pub(crate) fn compare_readers(text: &str) -> Result<bool, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let prune: Vec<&str> = second_tag_name(text).into_iter().collect();
    let plain_pruned = plain::parse(text, 0, &prune);
    let Some(plain) = plain::parse(text, 0, &[]) else {
        return match plain_pruned {
            None => Ok(false),
            Some(doc) => Err(format!(
                "the plain XML reader declines {text:?} but accepts it pruned of {prune:?}: {doc:?}"
            )),
        };
    };
    let events = match events::parse(text, 0) {
        Ok(events) if events == plain => events,
        events => {
            return Err(format!(
                "the plain XML reader and quick-xml differ on {text:?}\n plain: {plain:?}\nevents: {events:?}"
            ));
        }
    };
    let expected = without_subtrees(events, &prune);
    match plain_pruned {
        Some(doc) if doc == expected => Ok(true),
        doc => Err(format!(
            "the plain XML reader pruned of {prune:?} differs on {text:?}\n plain: {doc:?}\nexpected: {expected:?}"
        )),
    }
}

/// The name of the second start tag of `text` (markup inside comments counts).
fn second_tag_name(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let start = memchr::memchr_iter(b'<', bytes)
        .filter(|&at| {
            bytes
                .get(at + 1)
                .is_some_and(|&b| !matches!(b, b'/' | b'!' | b'?'))
        })
        .nth(1)?;
    let len = plain::name_len(&bytes[start + 1..]);
    text.get(start + 1..start + 1 + len)
}

/// `doc` with the root's children named in `prune` (ASCII case ignored) emptied
/// of children and text: the tree [`parse_pruned`] builds.
fn without_subtrees(doc: XmlDoc, prune: &[&str]) -> XmlDoc {
    let mut kept: Vec<Option<usize>> = vec![None; doc.elements.len()];
    let mut pruned = vec![false; doc.elements.len()];
    let mut elements = Vec::new();
    for (id, mut element) in doc.elements.into_iter().enumerate() {
        let parent = element.parent;
        if parent.is_some_and(|p| kept[p].is_none() || pruned[p]) {
            continue;
        }
        pruned[id] =
            parent == Some(0) && prune.iter().any(|n| n.eq_ignore_ascii_case(&element.name));
        if pruned[id] {
            element.children.clear();
            element.text.clear();
            element.text_span = None;
        }
        element.parent = parent.and_then(|p| kept[p]);
        kept[id] = Some(elements.len());
        elements.push(element);
    }
    for element in &mut elements {
        element.children = element.children.iter().filter_map(|&c| kept[c]).collect();
    }
    XmlDoc { elements }
}

/// Room for every element of `text`: each starts with a `<` that is not a
/// `</`, so the element list never moves while it grows.
fn element_capacity(text: &str) -> usize {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'<', bytes)
        .filter(|&at| bytes.get(at + 1) != Some(&b'/'))
        .count()
}

/// Appends an element whose start tag is `tag` under `parent`; its span ends
/// there until [`close_element`].
fn push_element(
    doc: &mut XmlDoc,
    name: String,
    attrs: Vec<XmlAttr>,
    parent: Option<usize>,
    tag: Span,
) -> usize {
    let id = doc.elements.len();
    doc.elements.push(XmlElement {
        name,
        span: tag,
        start_tag: tag,
        attrs,
        children: Vec::new(),
        parent,
        text: String::new(),
        text_span: None,
    });
    if let Some(p) = parent {
        doc.elements[p].children.push(id);
    }
    id
}

/// Widens an open element's text pieces (raw offsets of the first one's start
/// and the last one's end) with the piece `start..end`.
fn add_piece(pieces: &mut Option<(usize, usize)>, start: usize, end: usize) {
    *pieces = Some(pieces.map_or((start, end), |(first, _)| (first, end)));
}

/// Closes element `id` at raw offset `end`. Only an element without child
/// elements has text of its own, from its first text piece to its last
/// (`pieces`, raw offsets): for a container that span would hold the children's
/// markup and copy every subtree into each ancestor.
fn close_element(
    doc: &mut XmlDoc,
    id: usize,
    pieces: Option<(usize, usize)>,
    text: &str,
    base: usize,
    end: usize,
) {
    let element = &mut doc.elements[id];
    element.span = Span::new(element.span.start as usize, base + end);
    if element.children.is_empty()
        && let Some((first, last)) = pieces
        && let Some(raw) = text.get(first..last)
    {
        let trimmed_start = first + (raw.len() - raw.trim_start().len());
        let trimmed_end = last - (raw.len() - raw.trim_end().len());
        if trimmed_end > trimmed_start
            && let Some(value) = text.get(trimmed_start..trimmed_end)
        {
            element.text = unescape_text(value);
            element.text_span = Some(Span::new(base + trimmed_start, base + trimmed_end));
        }
    }
}

/// Gives back the slack of the growing lists once the document is complete.
fn shrink(doc: &mut XmlDoc) {
    doc.elements.shrink_to_fit();
    for element in &mut doc.elements {
        element.children.shrink_to_fit();
        element.attrs.shrink_to_fit();
    }
}

/// Unescapes raw XML text (entities, character references, CDATA sections) and
/// returns, for each unescaped byte offset where the mapping changes, the raw
/// offset it came from: `(unescaped_offset, raw_offset)`, ascending.
pub fn unescape(raw: &str) -> (String, Vec<(usize, usize)>) {
    let mut map = vec![(0, 0)];
    let text = unescape_mapped(raw, Some(&mut map));
    (text, map)
}

/// [`unescape`] without the offset map: what the tree keeps.
pub(super) fn unescape_text(raw: &str) -> String {
    unescape_mapped(raw, None)
}

fn unescape_mapped(raw: &str, mut map: Option<&mut Vec<(usize, usize)>>) -> String {
    let bytes = raw.as_bytes();
    let mut mark = |unescaped: usize, raw_at: usize| {
        if let Some(map) = map.as_deref_mut() {
            map.push((unescaped, raw_at));
        }
    };
    // Most element texts have neither references nor CDATA.
    let Some(mut pos) = memchr::memchr2(b'&', b'<', bytes) else {
        return raw.to_string();
    };
    let mut out = String::with_capacity(raw.len());
    out.push_str(&raw[..pos]);
    while pos < raw.len() {
        let rest = &raw[pos..];
        if rest.starts_with("<![CDATA[") {
            let body_start = pos + 9;
            let body_end = memchr::memmem::find(&bytes[body_start..], b"]]>")
                .map_or(raw.len(), |i| body_start + i);
            mark(out.len(), body_start);
            out.push_str(&raw[body_start..body_end]);
            pos = (body_end + 3).min(raw.len());
            mark(out.len(), pos);
            continue;
        }
        // The longest reference is `&#x10FFFF;`; look no further for its `;`.
        let window = &rest.as_bytes()[..rest.len().min(13)];
        if bytes[pos] == b'&'
            && let Some(semi) = memchr::memchr(b';', window)
            && let Some(ch) = referenced_char(&window[1..semi])
        {
            out.push(ch);
            pos += semi + 1;
            mark(out.len(), pos);
            continue;
        }
        let first = rest.chars().next().map_or(1, char::len_utf8);
        let next = memchr::memchr2(b'&', b'<', &bytes[pos + first..])
            .map_or(raw.len(), |i| pos + first + i);
        out.push_str(&raw[pos..next]);
        pos = next;
    }
    out
}

/// The character a reference names, `name` being what stands between `&` and
/// `;`: `amp`, `lt`, `gt`, `quot`, `apos`, `#233`, `#xE9` or `#XE9`.
fn referenced_char(name: &[u8]) -> Option<char> {
    let number = |digits: &[u8], radix| {
        std::str::from_utf8(digits)
            .ok()
            .and_then(|d| u32::from_str_radix(d, radix).ok())
    };
    match name {
        b"amp" => Some('&'),
        b"lt" => Some('<'),
        b"gt" => Some('>'),
        b"quot" => Some('"'),
        b"apos" => Some('\''),
        [b'#', b'x' | b'X', hex @ ..] => number(hex, 16).and_then(char::from_u32),
        [b'#', decimal @ ..] => number(decimal, 10).and_then(char::from_u32),
        _ => None,
    }
}

/// Maps an offset in unescaped text back to the raw text, using [`unescape`]'s map.
pub fn raw_offset(map: &[(usize, usize)], unescaped: usize) -> usize {
    let at = map
        .partition_point(|&(u, _)| u <= unescaped)
        .saturating_sub(1);
    let (u, r) = map[at];
    r + (unescaped - u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_text_and_attribute_spans_with_bom_and_non_ascii() {
        let raw = "\u{feff}<?xml version=\"1.0\"?>\r\n<Workflow Name=\"Flüsse &amp; Co\">\r\n  <StateCode> 1 </StateCode>\r\n  <Empty/>\r\n</Workflow>";
        let doc = parse(&raw[3..], 3).expect("valid XML");
        let root = doc.el(0);
        assert_eq!(root.name, "Workflow");
        let name = root.attr("Name").expect("attr");
        assert_eq!(name.value, "Flüsse & Co");
        assert_eq!(&raw[name.span.range()], "Flüsse &amp; Co");
        let state = doc.el(doc.child(0, "statecode").expect("child"));
        assert_eq!(state.text, "1");
        assert_eq!(&raw[state.value_span().range()], "1");
        let empty = doc.el(doc.child(0, "Empty").expect("empty"));
        assert_eq!(&raw[empty.value_span().range()], "<Empty/>");
        assert!(raw[root.span.range()].ends_with("</Workflow>"));
        assert_eq!(doc.logical_path(1), "/Workflow/StateCode");
    }

    #[test]
    fn escaped_text_maps_back_to_raw_offsets() {
        let raw = "• a &lt;b&gt; &#233;c &unknown; é";
        let (text, map) = unescape(raw);
        assert_eq!(text, "• a <b> éc &unknown; é");
        let c = text.find('c').expect("c");
        assert_eq!(&raw[raw_offset(&map, c)..], "c &unknown; é");
        let b = text.find('b').expect("b");
        assert_eq!(&raw[raw_offset(&map, b)..raw_offset(&map, b) + 1], "b");
        // Bare ampersands far from any `;`, a reference cut off at the end, CDATA.
        let raw = format!("{}x &amp; y;<![CDATA[<&>]]>z &#", "a & b ".repeat(1000));
        let (text, map) = unescape(&raw);
        assert_eq!(text, format!("{}x & y;<&>z &#", "a & b ".repeat(1000)));
        let z = text.rfind('z').expect("z");
        assert_eq!(&raw[raw_offset(&map, z)..], "z &#");
        assert_eq!(unescape("plain").0, "plain");
    }

    #[test]
    fn only_elements_without_children_have_text() {
        let raw = "<a>\n  <b>x &amp; <![CDATA[<y>]]></b>\n  <c>\n    <d>z</d>\n  </c>\n</a>";
        let doc = parse(raw, 0).expect("valid XML");
        let root = doc.root().expect("root");
        assert_eq!(doc.child_text(root, "b"), Some("x & <y>"));
        let b = doc.child(root, "b").expect("b");
        let span = doc.el(b).text_span.expect("text span");
        assert_eq!(&raw[span.range()], "x &amp; <![CDATA[<y>]]>");
        assert_eq!(doc.el(root).text, "");
        assert_eq!(doc.el(root).text_span, None);
        let c = doc.child(root, "c").expect("c");
        assert_eq!(doc.el(c).value_span(), doc.el(c).start_tag);
        assert_eq!(doc.child_text(c, "d"), Some("z"));
    }

    #[test]
    fn pruned_sections_are_kept_empty_and_still_checked() {
        let text = "\u{feff}<r>\n <Entities a=\"1\"><e><f>x</f></e> t </Entities>\n <w>y</w>\n <ENTITIES/>\n</r>";
        let doc = parse_pruned(text, 0, &["entities"]).expect("parses");
        let names: Vec<&str> = doc.elements.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["r", "Entities", "w", "ENTITIES"]);
        let entities = doc.el(1);
        assert!(entities.children.is_empty() && entities.text.is_empty());
        assert_eq!(entities.attr("a").map(|a| a.value.as_str()), Some("1"));
        assert_eq!(
            &text[entities.span.start as usize..entities.span.end as usize][..10],
            "<Entities "
        );
        assert_eq!(doc.child_text(0, "w"), Some("y"));
        // Only children of the root are pruned.
        let nested =
            parse_pruned("<r><w><Entities><e/></Entities></w></r>", 0, &["Entities"]).unwrap();
        assert_eq!(nested.elements.len(), 4);
        // What the fast reader declines is read whole by quick-xml, errors and all.
        for (declined, is_error) in [
            ("<r><Entities><e></f></Entities></r>", true),
            ("<r><Entities><e a=\"1\" a=\"2\"/></Entities></r>", true),
            ("<r><Entities><e></Entities></r>", true),
            ("<r><Entities><e>&bogus;</e></Entities></r>", false),
        ] {
            let whole = parse(declined, 0);
            assert_eq!(
                parse_pruned(declined, 0, &["Entities"]),
                whole,
                "{declined}"
            );
            assert_eq!(whole.is_err(), is_error, "{declined}");
        }
    }

    #[test]
    fn errors_have_positions() {
        let err = parse("<a><b></a>", 0).expect_err("mismatch");
        assert_eq!(err.offset, 6);
        let err = parse("<a><b>", 0).expect_err("unclosed");
        assert!(err.message.contains("not closed"));
    }

    #[test]
    fn deep_nesting_is_rejected() {
        let text = "<a>".repeat(10_000);
        assert!(parse(&text, 0).is_err());
    }
}
