//! A reader for the XML Power Platform writes, straight from the bytes: an
//! `<?xml …?>` declaration, comments, elements with ASCII names and quoted
//! attributes, text with the five predefined and numeric character references,
//! and CDATA sections. It builds exactly the tree of the quick-xml path
//! (`events`), spans included, and declines (`None`) everything else: a
//! DOCTYPE, other processing instructions, other references, white space
//! around `=`, text outside the root element, nesting past [`MAX_DEPTH`], any
//! error. quick-xml then reads the text and reports what is wrong.
//!
//! Why: quick-xml checks each event's bytes for UTF-8 again and decodes events
//! the tree does not need; this reader makes one pass with `memchr`.

use std::collections::HashSet;
use std::ops::Range;

use memchr::{memchr, memchr2, memchr3, memmem};

use crate::parse::{MAX_DEPTH, byte_class};
use crate::source::Span;

use super::{
    XmlAttr, XmlDoc, add_piece, close_element, element_capacity, push_element, referenced_char,
    shrink, unescape_text,
};

/// Parses `text` (no BOM); spans are offset by `base`. The root's children
/// named in `prune` (ASCII case ignored) are read and checked like the rest, but
/// kept without children or text: sections no reader looks into.
pub(super) fn parse(text: &str, base: usize, prune: &[&str]) -> Option<XmlDoc> {
    let bytes = text.as_bytes();
    let mut doc = XmlDoc::default();
    // A pruned document keeps a fraction of its elements: its list grows.
    if prune.is_empty() {
        doc.elements.reserve(element_capacity(text));
    }
    let mut stack: Vec<usize> = Vec::new();
    // For each open element: where its first text piece starts and its last
    // one ends, raw offsets.
    let mut pieces: Vec<Option<(usize, usize)>> = Vec::new();
    // Inside a pruned element: whether one is open, and the name of each open
    // element below it.
    let mut pruning = false;
    let mut skipped: Vec<&str> = Vec::new();
    let mut pos = 0;
    if bytes.starts_with(b"<?xml") && bytes.get(5).is_some_and(|&b| is_space(b)) {
        pos = memmem::find(bytes, b"?>")? + 2;
    }
    loop {
        let markup = text_end(bytes, pos)?;
        if markup > pos && !pruning {
            match pieces.last_mut() {
                Some(parts) => add_piece(parts, pos, markup),
                None if text[pos..markup].trim().is_empty() => {}
                None => return None,
            }
        }
        if markup == bytes.len() {
            break;
        }
        pos = markup;
        let rest = &bytes[pos..];
        if rest.starts_with(b"<!--") {
            pos += 4 + memmem::find(&rest[4..], b"-->")? + 3;
        } else if rest.starts_with(b"<![CDATA[") {
            let end = pos + 9 + memmem::find(&rest[9..], b"]]>")? + 3;
            let parts = pieces.last_mut()?;
            if !pruning {
                add_piece(parts, pos, end);
            }
            pos = end;
        } else if rest.starts_with(b"</") {
            let name_end = pos + 2 + name_len(&rest[2..]);
            let close = name_end + spaces(&bytes[name_end..]);
            let name = &text[pos + 2..name_end];
            if let Some(open) = skipped.pop() {
                if bytes.get(close) != Some(&b'>') || open != name {
                    return None;
                }
                pos = close + 1;
                continue;
            }
            let (id, parts) = (stack.pop()?, pieces.pop()?);
            if bytes.get(close) != Some(&b'>') || doc.elements[id].name != name {
                return None;
            }
            pos = close + 1;
            close_element(&mut doc, id, parts, text, base, pos);
            pruning = false;
        } else if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
            return None;
        } else {
            let parent = stack.last().copied();
            if stack.len() + skipped.len() >= MAX_DEPTH
                || (parent.is_none() && !doc.elements.is_empty())
            {
                return None;
            }
            if pruning {
                let (tag_end, name_end) = scan_start_tag(bytes, pos, |_, _| {})?;
                if bytes[tag_end - 2] != b'/' {
                    skipped.push(&text[pos + 1..name_end]);
                }
                pos = tag_end;
                continue;
            }
            let (tag_end, name, attrs) = start_tag(text, pos, base)?;
            let is_empty = bytes[tag_end - 2] == b'/';
            let tag = Span::new(base + pos, base + tag_end);
            let pruned = stack.len() == 1 && prune.iter().any(|p| p.eq_ignore_ascii_case(&name));
            let id = push_element(&mut doc, name, attrs, parent, tag);
            pos = tag_end;
            if !is_empty {
                stack.push(id);
                pieces.push(None);
                pruning = pruned;
            }
        }
    }
    if !stack.is_empty() || doc.elements.is_empty() {
        return None;
    }
    shrink(&mut doc);
    Some(doc)
}

/// The start tag at `start` (`<name a="v" …>` or `…/>`): where it ends, its
/// name and its attributes.
fn start_tag(text: &str, start: usize, base: usize) -> Option<(usize, String, Vec<XmlAttr>)> {
    let mut attrs: Vec<XmlAttr> = Vec::new();
    let (tag_end, name_end) = scan_start_tag(text.as_bytes(), start, |key, value| {
        attrs.push(XmlAttr {
            name: text[key].to_string(),
            value: unescape_text(&text[value.clone()]),
            span: Span::new(base + value.start, base + value.end),
        });
    })?;
    Some((tag_end, text[start + 1..name_end].to_string(), attrs))
}

/// Checks the start tag at `start` and hands each attribute's name and raw
/// value (offsets into `bytes`) to `attribute`: where the tag ends and where
/// its name ends.
fn scan_start_tag(
    bytes: &[u8],
    start: usize,
    mut attribute: impl FnMut(Range<usize>, Range<usize>),
) -> Option<(usize, usize)> {
    let name_end = start + 1 + name_len(&bytes[start + 1..]);
    if name_end == start + 1 {
        return None;
    }
    let mut names = AttributeNames::default();
    let mut pos = name_end;
    loop {
        let gap = spaces(&bytes[pos..]);
        pos += gap;
        match bytes.get(pos)? {
            b'>' => return Some((pos + 1, name_end)),
            b'/' if bytes.get(pos + 1) == Some(&b'>') => return Some((pos + 2, name_end)),
            _ if gap == 0 => return None,
            _ => {}
        }
        let key_end = pos + name_len(&bytes[pos..]);
        let quote = *bytes.get(key_end + 1)?;
        if key_end == pos || bytes[key_end] != b'=' || (quote != b'"' && quote != b'\'') {
            return None;
        }
        let value_start = key_end + 2;
        let value_end = value_end(bytes, value_start, quote)?;
        if !names.insert(&bytes[pos..key_end]) {
            return None;
        }
        attribute(pos..key_end, value_start..value_end);
        pos = value_end + 1;
    }
}

/// The attribute names of one start tag, for the duplicate check: an array while
/// there are few, a hash set past that, so a hostile tag with 100,000
/// attributes costs linear time (quick-xml's check does the same).
#[derive(Default)]
struct AttributeNames<'t> {
    few: [&'t [u8]; 16],
    len: usize,
    many: HashSet<&'t [u8]>,
}

impl<'t> AttributeNames<'t> {
    /// Adds `name`; false when the tag already has it.
    fn insert(&mut self, name: &'t [u8]) -> bool {
        if self.len < self.few.len() {
            if self.few[..self.len].contains(&name) {
                return false;
            }
            self.few[self.len] = name;
            self.len += 1;
            return true;
        }
        if self.many.is_empty() {
            self.many.extend(self.few);
        }
        self.many.insert(name)
    }
}

/// Bytes of an ASCII name (`Workflow`, `xsi:nil`, `msdyn_ai-model.x`) at the
/// start of `bytes`.
pub(super) fn name_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|&b| !NAME_BYTES[usize::from(b)])
        .unwrap_or(bytes.len())
}

/// The bytes [`name_len`] accepts, by table: names make up much of the markup.
static NAME_BYTES: [bool; 256] =
    byte_class!(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'.' | b'-'));

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// XML white space at the start of `bytes`.
fn spaces(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|&b| !is_space(b))
        .unwrap_or(bytes.len())
}

/// Where the text at `from` ends: the next `<` or the end of `bytes`; `None`
/// when a `&` in it is not a plain reference.
fn text_end(bytes: &[u8], mut from: usize) -> Option<usize> {
    loop {
        match memchr2(b'<', b'&', &bytes[from..]).map(|i| from + i) {
            None => return Some(bytes.len()),
            Some(at) if bytes[at] == b'<' => return Some(at),
            Some(at) => from = at + reference_len(&bytes[at..])?,
        }
    }
}

/// Where the attribute value at `from` ends: the next `quote`; `None` when it
/// holds a `<`, a `&` that is not a plain reference, or no closing quote.
fn value_end(bytes: &[u8], mut from: usize, quote: u8) -> Option<usize> {
    loop {
        let at = from + memchr3(quote, b'&', b'<', &bytes[from..])?;
        match bytes[at] {
            b'&' => from = at + reference_len(&bytes[at..])?,
            b'<' => return None,
            _ => return Some(at),
        }
    }
}

/// The length of the reference at the start of `bytes` when it is `&amp;`,
/// `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&#123;` or `&#x1F;` naming a character
/// other than NUL.
fn reference_len(bytes: &[u8]) -> Option<usize> {
    let window = &bytes[1..bytes.len().min(12)];
    let semi = memchr(b';', window)?;
    let name = &window[..semi];
    // Digits only (a number may not have a sign), and a lower-case `x`.
    let digits = match name {
        [b'#', b'x', hex @ ..] => hex.iter().all(u8::is_ascii_hexdigit),
        [b'#', decimal @ ..] => decimal.iter().all(u8::is_ascii_digit),
        _ => true,
    };
    (digits && referenced_char(name).is_some_and(|c| c != '\0')).then_some(semi + 2)
}
