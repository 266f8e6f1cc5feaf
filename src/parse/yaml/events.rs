//! The general path: saphyr-parser events turned into a node tree, with the
//! tolerances for `@` keys, over-quoted values and Markdown fences.

use saphyr_parser::{Event, Parser, ScalarStyle};

use crate::parse::{MAX_DEPTH, SyntaxError};
use crate::source::Span;

use super::{YamlEntry, YamlKind, YamlNode};

/// Parses what the block reader declined, with the tolerances described in the module docs.
pub(super) fn parse(text: &str, base: usize) -> Result<YamlNode, SyntaxError> {
    use std::collections::{HashMap, HashSet};
    let mut working = text.to_string();
    unfence(&mut working);
    let mut substituted: HashMap<usize, char> = HashMap::new();
    // Stand-ins placed ahead of the parser on later key-like lines, so a file
    // with many `@odata.x:` keys is not re-parsed once per key. Each one must
    // turn out to start a scalar; those that do not (a line of a block scalar)
    // are put back and never guessed again.
    let mut speculative: HashSet<usize> = HashSet::new();
    let mut rejected: HashSet<usize> = HashSet::new();
    let mut quote_close: HashMap<usize, usize> = HashMap::new();
    loop {
        let mut used = HashSet::new();
        match build(&working, base, &substituted, &mut used) {
            Ok(node) => {
                let wrong: Vec<usize> = speculative.difference(&used).copied().collect();
                if wrong.is_empty() {
                    return Ok(node);
                }
                for at in wrong {
                    let original = substituted.remove(&at).unwrap_or('@');
                    if original == ' ' {
                        working.replace_range(at..at + 1, "\"");
                        if let Some(close) = quote_close.remove(&at) {
                            working.replace_range(close..close + 1, "\"");
                        }
                    } else {
                        working.replace_range(at..at + 1, original.encode_utf8(&mut [0; 4]));
                    }
                    speculative.remove(&at);
                    rejected.insert(at);
                }
            }
            Err(Failure::Reserved(offset)) if substituted.len() < 10_000 => {
                // Copilot Studio writes keys like `@odata.nextLink:` unquoted; read
                // them as if quoted by parsing with a same-width stand-in.
                let original = working[offset..].chars().next().unwrap_or('@');
                working.replace_range(offset..offset + 1, "_");
                substituted.insert(offset, original);
                speculative.remove(&offset);
                for at in key_like_starts(&working, offset) {
                    if !rejected.contains(&at) && !substituted.contains_key(&at) {
                        let original = working[at..].chars().next().unwrap_or('@');
                        working.replace_range(at..at + 1, "_");
                        substituted.insert(at, original);
                        speculative.insert(at);
                    }
                }
            }
            Err(Failure::Reserved(offset)) => {
                return Err(SyntaxError {
                    offset: base + offset,
                    message: "unexpected reserved character".into(),
                });
            }
            Err(Failure::Syntax(err)) => {
                // Copilot Studio also accepts a double-quoted value with unescaped
                // inner quotes (`value: "=["A", "B"]"`): read the text between the
                // outer quotes as a plain scalar, if that parses.
                if err
                    .message
                    .contains("trailing content after double-quoted scalar")
                    && substituted.len() < 10_000
                    && let Some((open, close)) = outer_quotes(&working, err.offset - base)
                {
                    working.replace_range(open..open + 1, " ");
                    working.replace_range(close..close + 1, " ");
                    substituted.insert(open, ' ');
                    speculative.remove(&open);
                    for (open, close) in over_quoted_lines(&working, close) {
                        if !rejected.contains(&open) && !substituted.contains_key(&open) {
                            working.replace_range(open..open + 1, " ");
                            working.replace_range(close..close + 1, " ");
                            substituted.insert(open, ' ');
                            quote_close.insert(open, close);
                            speculative.insert(open);
                        }
                    }
                    continue;
                }
                return Err(err);
            }
        }
    }
}

/// Lines after `from` shaped `key: "…"…"`: a double-quoted value whose first
/// closing quote is not the line's last character, which ends with a quote.
fn over_quoted_lines(text: &str, from: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (line_start, line) in lines_after(text, from) {
        let line = line.trim_end();
        if let Some(colon) = line.find(": \"")
            && line.ends_with('"')
        {
            let open = colon + 2;
            let bytes = line.as_bytes();
            let mut i = open + 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            let last = line.len() - 1;
            if i < last {
                out.push((line_start + open, line_start + last));
            }
        }
    }
    out
}

/// The lines after the one holding `from`, with their start offsets.
fn lines_after(text: &str, from: usize) -> impl Iterator<Item = (usize, &str)> {
    let first = text[from..].find('\n').map_or(text.len(), |i| from + i + 1);
    let mut line_start = first;
    std::iter::from_fn(move || {
        if line_start >= text.len() {
            return None;
        }
        let start = line_start;
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        line_start = end + 1;
        Some((start, &text[start..end]))
    })
}

/// Offsets after `from` of lines shaped `[indent][- ]*@key: …` (or with a backtick).
fn key_like_starts(text: &str, from: usize) -> Vec<usize> {
    let mut out = Vec::new();
    for (line_start, line) in lines_after(text, from) {
        let mut rest = line.trim_start_matches(' ');
        while let Some(after) = rest.strip_prefix("- ") {
            rest = after.trim_start_matches(' ');
        }
        if rest.starts_with(['@', '`']) {
            let key_end = rest.find(|c: char| c == ':' || c.is_whitespace());
            if let Some(k) = key_end
                && rest[k..].starts_with(':')
                && rest[k + 1..]
                    .chars()
                    .next()
                    .is_none_or(|c| c == ' ' || c == '\r')
            {
                out.push(line_start + (line.len() - rest.len()));
            }
        }
    }
    out
}

enum Failure {
    Reserved(usize),
    Syntax(SyntaxError),
}

/// The first and last `"` of the line holding `offset`, when the line's value
/// ends with a quote.
fn outer_quotes(text: &str, offset: usize) -> Option<(usize, usize)> {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = &text[line_start..line_end];
    let open = line_start + line.find('"')?;
    let close = line_start + line.trim_end().rfind('"')?;
    (close > open && close + 1 == line_start + line.trim_end().len()).then_some((open, close))
}

/// Blanks a Markdown fence (```` ```Lang ```` … ```` ``` ````) around the document,
/// keeping every byte offset.
fn unfence(text: &mut String) {
    let trimmed = text.trim_start();
    if !trimmed.starts_with("```") {
        return;
    }
    let open = text.len() - trimmed.len();
    let open_end = text[open..].find('\n').map_or(text.len(), |i| open + i);
    blank(text, open, open_end);
    if let Some(close) = text.rfind("```")
        && close > open_end
    {
        let close_end = text[close..].find('\n').map_or(text.len(), |i| close + i);
        blank(text, close, close_end);
    }
}

fn blank(text: &mut String, start: usize, end: usize) {
    let spaces = " ".repeat(end - start);
    text.replace_range(start..end, &spaces);
}

/// An open collection. Its children wait on the builder's shared stacks from
/// `mark` on, and leave them in one allocation of the final size when it closes.
enum Frame {
    Seq {
        start: usize,
        flow_end: bool,
        mark: usize,
    },
    Map {
        start: usize,
        flow_end: bool,
        mark: usize,
        pending_key: Option<YamlNode>,
    },
}

fn build(
    text: &str,
    base: usize,
    substituted: &std::collections::HashMap<usize, char>,
    used: &mut std::collections::HashSet<usize>,
) -> Result<YamlNode, Failure> {
    let offsets = CharOffsets::new(text);
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut open_items: Vec<YamlNode> = Vec::new();
    let mut open_entries: Vec<YamlEntry> = Vec::new();
    let mut root: Option<YamlNode> = None;
    let mut documents = 0;
    while let Some(next) = parser.next_event() {
        let (event, span) = match next {
            Ok(ok) => ok,
            Err(err) => {
                let offset = offsets.byte(err.marker().index());
                if (err.info().starts_with("unexpected character: `@'")
                    || err.info().starts_with("unexpected character: ``'"))
                    && let Some(b'@' | b'`') = text.as_bytes().get(offset)
                {
                    return Err(Failure::Reserved(offset));
                }
                return Err(Failure::Syntax(SyntaxError {
                    offset: base + offset,
                    message: err.info().to_string(),
                }));
            }
        };
        let start = offsets.byte(span.start.index());
        let end = offsets.byte(span.end.index());
        let node = match event {
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    break;
                }
                continue;
            }
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => continue,
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(Failure::Syntax(SyntaxError {
                        offset: base + start,
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                    }));
                }
                let flow_end = end > start;
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq {
                        start,
                        flow_end,
                        mark: open_items.len(),
                    }
                } else {
                    Frame::Map {
                        start,
                        flow_end,
                        mark: open_entries.len(),
                        pending_key: None,
                    }
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = stack.pop() else { continue };
                match frame {
                    Frame::Seq {
                        start: s,
                        flow_end,
                        mark,
                    } => {
                        let last = open_items[mark..].last().map(|n| n.span);
                        let e = collection_end(flow_end, end, last, s, base);
                        YamlNode {
                            span: Span::new(base + s, e),
                            kind: YamlKind::Seq(open_items.drain(mark..).collect()),
                        }
                    }
                    Frame::Map {
                        start: s,
                        flow_end,
                        mark,
                        ..
                    } => {
                        let last = open_entries[mark..].last().map(|n| n.value.span);
                        let e = collection_end(flow_end, end, last, s, base);
                        YamlNode {
                            span: Span::new(base + s, e),
                            kind: YamlKind::Map(open_entries.drain(mark..).collect()),
                        }
                    }
                }
            }
            Event::Scalar(value, style, _, _) => {
                let (s, e) = scalar_bounds(text, start, end, style);
                let mut value = value.into_owned();
                if let Some(&original) = substituted.get(&s)
                    && value.starts_with('_')
                {
                    value.replace_range(0..1, original.encode_utf8(&mut [0; 4]));
                    used.insert(s);
                }
                if s > 0 && style == ScalarStyle::Plain && substituted.get(&(s - 1)) == Some(&' ') {
                    used.insert(s - 1);
                }
                YamlNode {
                    span: Span::new(base + s, base + e),
                    kind: YamlKind::Scalar {
                        value: value.into(),
                        plain: style == ScalarStyle::Plain,
                    },
                }
            }
            Event::Alias(_) => YamlNode {
                span: Span::new(base + start, base + end),
                kind: YamlKind::Alias,
            },
        };
        match stack.last_mut() {
            None => {
                if root.is_none() {
                    root = Some(node);
                }
            }
            Some(Frame::Seq { .. }) => open_items.push(node),
            Some(Frame::Map { pending_key, .. }) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => open_entries.push(YamlEntry { key, value: node }),
            },
        }
    }
    Ok(root.unwrap_or(YamlNode {
        span: Span::new(base, base),
        kind: YamlKind::Map(Box::default()),
    }))
}

fn collection_end(
    flow: bool,
    end: usize,
    last_child: Option<Span>,
    start: usize,
    base: usize,
) -> usize {
    if flow {
        base + end
    } else {
        last_child.map_or(base + start, |s| s.end as usize)
    }
}

/// The scalar's own text: block scalars start at their content and their event
/// span runs on to the next token, so trailing whitespace is cut.
fn scalar_bounds(text: &str, start: usize, end: usize, style: ScalarStyle) -> (usize, usize) {
    let end = end.min(text.len());
    let start = start.min(end);
    match style {
        ScalarStyle::Literal | ScalarStyle::Folded | ScalarStyle::Plain => {
            let trimmed = text[start..end].trim_end();
            (start, start + trimmed.len())
        }
        _ => (start, end),
    }
}

/// saphyr-parser reports character indexes; spans must be bytes.
struct CharOffsets {
    /// Byte offset of each character, plus the text length; empty for ASCII text.
    table: Vec<usize>,
    len: usize,
}

impl CharOffsets {
    fn new(text: &str) -> Self {
        let table = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(text.len()))
                .collect()
        };
        CharOffsets {
            table,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.table.is_empty() {
            char_index.min(self.len)
        } else {
            self.table.get(char_index).copied().unwrap_or(self.len)
        }
    }
}
