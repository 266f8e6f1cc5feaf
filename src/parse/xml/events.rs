//! The quick-xml path: any well-formed XML, with quick-xml's checks and error
//! messages.

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::parse::{MAX_DEPTH, SyntaxError};
use crate::source::Span;

use super::{
    XmlAttr, XmlDoc, add_piece, close_element, element_capacity, push_element, shrink,
    unescape_text,
};

/// Parses `text` (no BOM) with quick-xml; spans are offset by `base`.
pub(super) fn parse(text: &str, base: usize) -> Result<XmlDoc, SyntaxError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut doc = XmlDoc::default();
    doc.elements.reserve(element_capacity(text));
    let mut stack: Vec<usize> = Vec::new();
    // For each open element: where its first text piece starts and its last
    // one ends, raw offsets.
    let mut pieces: Vec<Option<(usize, usize)>> = Vec::new();
    let error = |offset: u64, message: String| SyntaxError {
        offset: base + usize::try_from(offset).unwrap_or(usize::MAX),
        message,
    };
    loop {
        let start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader
            .read_event()
            .map_err(|e| error(reader.error_position(), e.to_string()))?;
        let end = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match event {
            Event::Start(tag) | Event::Empty(tag) => {
                let is_empty = text.as_bytes().get(end.wrapping_sub(2)) == Some(&b'/');
                if stack.len() >= MAX_DEPTH {
                    return Err(error(
                        start as u64,
                        format!("nesting deeper than {MAX_DEPTH} levels"),
                    ));
                }
                let parent = stack.last().copied();
                if parent.is_none() && !doc.elements.is_empty() {
                    return Err(error(start as u64, "more than one root element".into()));
                }
                let mut attrs = Vec::new();
                for attr in tag.attributes() {
                    let attr = attr.map_err(|e| error(start as u64, e.to_string()))?;
                    let raw = attr.value.as_ref();
                    let value_start = (raw.as_ptr() as usize)
                        .checked_sub(text.as_ptr() as usize)
                        .filter(|&s| s + raw.len() <= text.len())
                        .unwrap_or(start);
                    attrs.push(XmlAttr {
                        name: attr.key.as_ref().to_string(),
                        value: unescape_text(raw),
                        span: Span::new(base + value_start, base + value_start + raw.len()),
                    });
                }
                let id = push_element(
                    &mut doc,
                    tag.name().as_ref().to_string(),
                    attrs,
                    parent,
                    Span::new(base + start, base + end),
                );
                if is_empty {
                    continue;
                }
                stack.push(id);
                pieces.push(None);
            }
            Event::End(_) => {
                let (Some(id), Some(parts)) = (stack.pop(), pieces.pop()) else {
                    return Err(error(start as u64, "unexpected end tag".into()));
                };
                close_element(&mut doc, id, parts, text, base, end);
            }
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                if let Some(parts) = pieces.last_mut() {
                    add_piece(parts, start, end);
                } else if !text.get(start..end).unwrap_or("").trim().is_empty()
                    && doc.elements.is_empty()
                {
                    return Err(error(start as u64, "text before the root element".into()));
                }
            }
            Event::Eof => {
                if let Some(&open) = stack.last() {
                    return Err(error(
                        end as u64,
                        format!(
                            "unexpected end of file: <{}> is not closed",
                            doc.elements[open].name
                        ),
                    ));
                }
                if doc.elements.is_empty() {
                    return Err(error(0, "no root element".into()));
                }
                shrink(&mut doc);
                return Ok(doc);
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
}
