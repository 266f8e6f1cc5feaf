//! The block-style YAML that Copilot Studio writes, read straight from the bytes.
//!
//! Block mappings and sequences, plain scalars on one line, quoted scalars on
//! one line, literal block scalars (`|`, `|-`, `|+`), empty flow collections and
//! comments. Anything else (anchors, tags, folded or multi-line scalars, flow
//! content, document markers, tabs where indentation matters, odd control
//! characters, syntax errors) makes [`parse`] return `None`, and the event
//! parser reads the file instead. A tree returned here is the tree the event
//! parser builds, spans included: `tests/yaml_block_reader.rs` compares the two
//! on the corpus, the fixtures and mutated copies of them, and the `parse_yaml`
//! fuzz target on whatever it generates.

use std::cell::Cell;

use crate::parse::{MAX_DEPTH, byte_class};
use crate::source::Span;

use super::{YamlEntry, YamlKind, YamlNode};

/// Reads `text` (BOM removed) with spans offset by `base`, or declines.
pub(super) fn parse(text: &str, base: usize) -> Option<YamlNode> {
    if !plain_bytes(text.as_bytes()) {
        return None;
    }
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        base,
        depth: 0,
        items: Vec::new(),
        entries: Vec::new(),
        last_break: Cell::new((usize::MAX, 0)),
    };
    let first = reader.next_content(0)?;
    if first.is_end(text.len()) {
        return Some(YamlNode {
            span: Span::new(base, base),
            kind: YamlKind::Map(Box::default()),
        });
    }
    let at = first.start + first.indent;
    if reader.bytes[at] == b'`' {
        // A Markdown fence: the event path blanks it first.
        return None;
    }
    let (root, next) = if reader.starts_entry(at) {
        reader.sequence(at, first.start, false)?
    } else if let Head::Key(key) = reader.head_at(at)? {
        reader.mapping(key, first.start)?
    } else {
        return None;
    };
    next.is_end(text.len()).then_some(root)
}

/// Line breaks other than `\n` and `\r\n`, control characters, a BOM inside the
/// text and non-characters are read differently by YAML parsers; leave them to
/// the event path.
fn plain_bytes(bytes: &[u8]) -> bool {
    let mut i = 0;
    while let Some(skip) = bytes[i..].iter().position(|&b| NOTABLE[usize::from(b)]) {
        i += skip;
        let b = bytes[i];
        match b {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {}
            // U+0080..U+009F (C1 controls, NEL).
            0xC2 if matches!(bytes.get(i + 1), Some(0x80..=0x9F)) => return false,
            // U+2028, U+2029 (line and paragraph separators).
            0xE2 if bytes.get(i + 1) == Some(&0x80)
                && matches!(bytes.get(i + 2), Some(0xA8 | 0xA9)) =>
            {
                return false;
            }
            // U+FEFF, U+FFFE, U+FFFF.
            0xEF if matches!(
                (bytes.get(i + 1), bytes.get(i + 2)),
                (Some(0xBB), Some(0xBF)) | (Some(0xBF), Some(0xBE | 0xBF))
            ) =>
            {
                return false;
            }
            0x80.. => {}
            _ => return false,
        }
        i += 1;
    }
    true
}

/// The bytes [`plain_bytes`] looks at: control characters but `\t` and `\n`,
/// DEL, and the lead bytes of the characters it refuses.
static NOTABLE: [bool; 256] = byte_class!(
    |b| (b < 0x20 && b != b'\n' && b != b'\t') || matches!(b, 0x7F | 0xC2 | 0xE2 | 0xEF)
);

/// The bytes that end or interrupt a plain scalar on its line: `:` (a key),
/// `#` (a comment) and `\t`.
static PLAIN_STOPS: [bool; 256] = byte_class!(|b| matches!(b, b':' | b'#' | b'\t'));

/// The first line at or after some offset that holds content: not blank, not
/// only a comment.
#[derive(Clone, Copy, Debug)]
struct Line {
    start: usize,
    /// Spaces before the content.
    indent: usize,
}

impl Line {
    fn is_end(self, len: usize) -> bool {
        self.start >= len
    }
}

struct Reader<'t> {
    text: &'t str,
    bytes: &'t [u8],
    base: usize,
    depth: usize,
    /// Children of the open collections, moved out in one allocation each when
    /// their collection closes.
    items: Vec<YamlNode>,
    entries: Vec<YamlEntry>,
    /// The last [`Reader::line_break`] asked: from where, and the break found.
    last_break: Cell<(usize, usize)>,
}

/// A mapping key found on a line.
struct Key {
    node: YamlNode,
    /// The offsets of its first character and of its `:`.
    start: usize,
    colon: usize,
}

/// What a line holds at some offset.
enum Head {
    Key(Key),
    /// A plain scalar that is not a key, already scanned.
    Plain(Plain),
    /// Anything else: a quoted scalar, a block scalar, a flow collection, or
    /// something the block reader declines.
    Other,
}

impl Reader<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.base + start, self.base + end)
    }

    fn scalar(&self, start: usize, end: usize, value: Box<str>, plain: bool) -> YamlNode {
        YamlNode {
            span: self.span(start, end),
            kind: YamlKind::Scalar { value, plain },
        }
    }

    /// The offset of the first `\n` at or after `at` (the text's length if
    /// none). A line is asked for its end several times as it is read (for its
    /// key, its value and the next line), so the last answer is kept: it holds
    /// for every offset between the one asked and the break.
    fn line_break(&self, at: usize) -> usize {
        let (from, found) = self.last_break.get();
        if (from..=found).contains(&at) {
            return found;
        }
        let found = memchr::memchr(b'\n', &self.bytes[at..]).map_or(self.bytes.len(), |i| at + i);
        self.last_break.set((at, found));
        found
    }

    /// The offset of the line break ending the line that holds `at` (`\r` of `\r\n`).
    fn content_end(&self, at: usize) -> usize {
        let end = self.line_break(at);
        if end > at && self.bytes[end - 1] == b'\r' {
            end - 1
        } else {
            end
        }
    }

    /// The start of the line after the one holding `at`.
    fn next_line(&self, at: usize) -> usize {
        (self.line_break(at) + 1).min(self.bytes.len())
    }

    /// Skips blank and comment lines from the line starting at `start`. `None`
    /// when the next content is something the block reader does not handle.
    fn next_content(&self, mut start: usize) -> Option<Line> {
        let bytes = self.bytes;
        while start < bytes.len() {
            let at = skip_spaces(bytes, start);
            let indent = at - start;
            match bytes.get(at) {
                None => break,
                Some(b'\n' | b'\r' | b'#') => start = self.next_line(at),
                Some(b'\t') => {
                    let rest = &bytes[at..self.content_end(at)];
                    match rest.iter().position(|&b| b != b' ' && b != b'\t') {
                        None => start = self.next_line(at),
                        Some(i) if rest[i] == b'#' => start = self.next_line(at),
                        // A tab in the indentation.
                        Some(_) => return None,
                    }
                }
                Some(&first) => {
                    if indent == 0
                        && (first == b'%'
                            || bytes[at..].starts_with(b"---")
                            || bytes[at..].starts_with(b"..."))
                    {
                        return None;
                    }
                    return Some(Line { start, indent });
                }
            }
        }
        Some(Line {
            start: bytes.len(),
            indent: 0,
        })
    }

    /// Whether a `- ` sequence entry starts at `at`.
    fn starts_entry(&self, at: usize) -> bool {
        self.bytes[at] == b'-'
            && matches!(self.bytes.get(at + 1), None | Some(b' ' | b'\n' | b'\r'))
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    /// A block mapping whose first key is `first`, on the line starting at
    /// `line_start`. Returns it with the first content line after it.
    fn mapping(&mut self, first: Key, line_start: usize) -> Option<(YamlNode, Line)> {
        self.enter()?;
        let column = first.start - line_start;
        let mark = self.entries.len();
        let mut key = first;
        let next = loop {
            let after = skip_spaces(self.bytes, key.colon + 1);
            let line_end = self.content_end(after);
            let (value, next) = if after == line_end || self.bytes[after] == b'#' {
                let next = self.next_content(self.next_line(after))?;
                if next.is_end(self.bytes.len()) || next.indent < column {
                    (self.empty_at(key.colon), next)
                } else if next.indent > column {
                    self.node_on_line(next, column)?
                } else if self.starts_entry(next.start + column) {
                    self.sequence(next.start + column, next.start, true)?
                } else {
                    (self.empty_at(key.colon), next)
                }
            } else {
                self.inline_value(after, column, None)?
            };
            self.entries.push(YamlEntry {
                key: key.node,
                value,
            });
            if next.is_end(self.bytes.len()) || next.indent < column {
                break next;
            }
            if next.indent > column {
                return None;
            }
            key = match self.head_at(next.start + column)? {
                Head::Key(key) => key,
                _ => return None,
            };
        };
        self.depth -= 1;
        let start = self.entries[mark].key.span.start as usize;
        let end = self.entries.last().map_or(0, |e| e.value.span.end as usize);
        let entries: Box<[YamlEntry]> = self.entries.split_off(mark).into_boxed_slice();
        let node = YamlNode {
            span: Span::new(start, end),
            kind: YamlKind::Map(entries),
        };
        Some((node, next))
    }

    /// A block sequence whose first `-` is at `at`. An indentless sequence (the
    /// value of a key in the same column) starts where its first entry does.
    fn sequence(
        &mut self,
        at: usize,
        line_start: usize,
        indentless: bool,
    ) -> Option<(YamlNode, Line)> {
        self.enter()?;
        let column = at - line_start;
        let mark = self.items.len();
        let first_after = skip_spaces(self.bytes, at + 1);
        let start = if indentless {
            if self.bytes.get(first_after) == Some(&b'#') {
                return None;
            }
            self.base + first_after
        } else {
            self.base + at
        };
        let mut at = at;
        let next = loop {
            let after = skip_spaces(self.bytes, at + 1);
            let line_end = self.content_end(after);
            let (item, next) = if after == line_end || self.bytes[after] == b'#' {
                let next = self.next_content(self.next_line(after))?;
                if !next.is_end(self.bytes.len()) && next.indent > column {
                    self.node_on_line(next, column)?
                } else {
                    (self.scalar(line_end, line_end, "".into(), true), next)
                }
            } else if self.starts_entry(after) {
                self.sequence(after, at - column, false)?
            } else {
                match self.head_at(after)? {
                    Head::Key(key) => self.mapping(key, at - column)?,
                    Head::Plain(plain) => self.inline_value(after, column, Some(plain))?,
                    Head::Other => self.inline_value(after, column, None)?,
                }
            };
            self.items.push(item);
            if next.is_end(self.bytes.len()) || next.indent < column {
                break next;
            }
            if next.indent > column {
                return None;
            }
            let dash = next.start + column;
            if !self.starts_entry(dash) {
                if indentless {
                    break next;
                }
                return None;
            }
            at = dash;
        };
        self.depth -= 1;
        let end = self.items.last().map_or(0, |n| n.span.end as usize);
        let items: Box<[YamlNode]> = self.items.split_off(mark).into_boxed_slice();
        let node = YamlNode {
            span: Span::new(start, end),
            kind: YamlKind::Seq(items),
        };
        Some((node, next))
    }

    /// A node that starts a line of its own, below a parent at `parent_column`.
    fn node_on_line(&mut self, line: Line, parent_column: usize) -> Option<(YamlNode, Line)> {
        let at = line.start + line.indent;
        if self.starts_entry(at) {
            return self.sequence(at, line.start, false);
        }
        match self.head_at(at)? {
            Head::Key(key) => self.mapping(key, line.start),
            Head::Plain(plain) => self.inline_value(at, parent_column, Some(plain)),
            // Legal, but never written by Copilot Studio.
            Head::Other if matches!(self.bytes[at], b'|' | b'[' | b'{') => None,
            Head::Other => self.inline_value(at, parent_column, None),
        }
    }

    /// The empty value of a key with nothing after its `:`: the event parser
    /// places it at the colon.
    fn empty_at(&self, colon: usize) -> YamlNode {
        self.scalar(colon, colon, "".into(), true)
    }

    /// A value that starts mid-line at `at` (after `key: ` or `- `), below a
    /// parent at `parent_column`; `scanned` when [`Reader::head_at`] read it.
    fn inline_value(
        &mut self,
        at: usize,
        parent_column: usize,
        scanned: Option<Plain>,
    ) -> Option<(YamlNode, Line)> {
        let bytes = self.bytes;
        let line_end = self.content_end(at);
        let node = match bytes[at] {
            b'|' => return self.literal(at, parent_column),
            b'"' | b'\'' => {
                let (value, close) = self.quoted(at)?;
                if !rest_is_blank(bytes, close, line_end) {
                    return None;
                }
                self.scalar(at, line_end, value, false)
            }
            b'[' | b'{' => {
                let close = if bytes[at] == b'[' { b']' } else { b'}' };
                if bytes.get(at + 1) != Some(&close) || !rest_is_blank(bytes, at + 2, line_end) {
                    return None;
                }
                let kind = if close == b']' {
                    YamlKind::Seq(Box::default())
                } else {
                    YamlKind::Map(Box::default())
                };
                YamlNode {
                    span: self.span(at, line_end),
                    kind,
                }
            }
            _ => {
                let plain = match scanned {
                    Some(plain) => plain,
                    None => self.plain(at, line_end)?,
                };
                if plain.colon.is_some() {
                    // `a: b: c` is an error; `- b: c` was read as a mapping.
                    return None;
                }
                self.plain_node(at, plain.value_end)?
            }
        };
        let next = self.next_content(self.next_line(at))?;
        if !next.is_end(bytes.len()) && next.indent > parent_column {
            // A continuation line of a multi-line scalar, or an error.
            return None;
        }
        Some((node, next))
    }

    fn plain_node(&self, at: usize, value_end: usize) -> Option<YamlNode> {
        let value = &self.text[at..value_end];
        let shown = value.trim_end();
        if shown.len() != value.len() {
            // Ends in non-ASCII white space: leave the judgement to the event parser.
            return None;
        }
        Some(self.scalar(at, value_end, value.into(), true))
    }

    /// What the line holds at `at`: a mapping key, or what else.
    fn head_at(&self, at: usize) -> Option<Head> {
        let bytes = self.bytes;
        let line_end = self.content_end(at);
        match bytes[at] {
            b'"' | b'\'' => {
                let Some((value, close)) = self.quoted(at) else {
                    return Some(Head::Other);
                };
                let colon = skip_blanks(bytes, close);
                if bytes.get(colon) != Some(&b':') || !separated(bytes, colon + 1) {
                    return Some(Head::Other);
                }
                Some(Head::Key(Key {
                    node: self.scalar(at, colon, value, false),
                    start: at,
                    colon,
                }))
            }
            _ => {
                let Some(plain) = self.plain(at, line_end) else {
                    return Some(Head::Other);
                };
                let Some(colon) = plain.colon else {
                    return Some(Head::Plain(plain));
                };
                let end = trim_blanks(bytes, at, colon);
                if end == at {
                    return None;
                }
                Some(Head::Key(Key {
                    node: self.plain_node(at, end)?,
                    start: at,
                    colon,
                }))
            }
        }
    }

    /// A plain scalar from `at` to the end of its line or a comment, with the
    /// first `: ` inside it. `None` when no plain scalar may start at `at`.
    fn plain(&self, at: usize, line_end: usize) -> Option<Plain> {
        let bytes = self.bytes;
        let first = bytes[at];
        let next = bytes.get(at + 1).copied();
        let indicator_alone = matches!(first, b'-' | b'?' | b':')
            && matches!(next, None | Some(b' ' | b'\t' | b'\n' | b'\r'));
        if indicator_alone
            || matches!(
                first,
                b',' | b'['
                    | b']'
                    | b'{'
                    | b'}'
                    | b'#'
                    | b'&'
                    | b'*'
                    | b'!'
                    | b'|'
                    | b'>'
                    | b'%'
                    | b'"'
                    | b'\''
            )
        {
            return None;
        }
        let mut i = at;
        let mut colon = None;
        let mut end = line_end;
        while let Some(skip) = bytes[i..line_end]
            .iter()
            .position(|&b| PLAIN_STOPS[usize::from(b)])
        {
            i += skip;
            match bytes[i] {
                b':' if colon.is_none()
                    && (i + 1 == line_end || matches!(bytes[i + 1], b' ' | b'\t')) =>
                {
                    colon = Some(i);
                }
                b'#' if matches!(bytes[i - 1], b' ' | b'\t') => {
                    end = i;
                    break;
                }
                b'\t' => return None,
                _ => {}
            }
            i += 1;
        }
        let value_end = trim_blanks(bytes, at, end);
        Some(Plain { value_end, colon })
    }

    /// A quoted scalar at `at` closed on the same line: its value and the offset
    /// after the closing quote.
    fn quoted(&self, at: usize) -> Option<(Box<str>, usize)> {
        let bytes = self.bytes;
        let quote = bytes[at];
        let line_end = self.content_end(at);
        let mut owned: Option<String> = None;
        let mut run = at + 1;
        let mut i = at + 1;
        loop {
            if i >= line_end {
                return None;
            }
            let b = bytes[i];
            if b == quote {
                if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.text[run..=i]);
                    i += 2;
                    run = i;
                    continue;
                }
                let value = match owned {
                    Some(mut s) => {
                        s.push_str(&self.text[run..i]);
                        s.into_boxed_str()
                    }
                    None => self.text[run..i].into(),
                };
                return Some((value, i + 1));
            }
            if b == b'\\' && quote == b'"' {
                let s = owned.get_or_insert_with(String::new);
                s.push_str(&self.text[run..i]);
                i = unescape(bytes, i + 1, line_end, s)?;
                run = i;
                continue;
            }
            i += 1;
        }
    }

    /// A literal block scalar whose indicator is at `at`, below a parent at
    /// `parent_column`.
    fn literal(&self, at: usize, parent_column: usize) -> Option<(YamlNode, Line)> {
        let bytes = self.bytes;
        let mut i = at + 1;
        let chomp = match bytes.get(i) {
            Some(b'-') => {
                i += 1;
                Chomp::Strip
            }
            Some(b'+') => {
                i += 1;
                Chomp::Keep
            }
            _ => Chomp::Clip,
        };
        let header_end = self.content_end(at);
        if !rest_is_blank(bytes, i, header_end) {
            return None;
        }
        // Find the content indentation: the first line that is not blank.
        let mut line = self.next_line(at);
        let mut widest_blank = 0;
        let indent = loop {
            if line >= bytes.len() {
                return None;
            }
            let spaces = skip_spaces(bytes, line) - line;
            match *bytes.get(line + spaces)? {
                b'\n' | b'\r' => {
                    widest_blank = widest_blank.max(spaces);
                    line = self.next_line(line);
                }
                b'\t' => return None,
                _ => break spaces,
            }
        };
        if indent <= parent_column || widest_blank > indent {
            return None;
        }
        let content_start = line + indent;
        let mut value = String::new();
        let mut pending_breaks = 0usize;
        let mut last_content_end = content_start;
        let mut line = self.next_line(at);
        loop {
            if line >= bytes.len() {
                break;
            }
            let end = self.content_end(line);
            let spaces = skip_spaces(bytes, line).min(end) - line;
            if end == bytes.len() && self.text[line..end].trim().is_empty() {
                // The event parser counts a blank last line without a line
                // break by rules of its own.
                return None;
            }
            if spaces < indent || line + indent == end {
                if line + spaces == end {
                    pending_breaks += 1;
                    line = self.next_line(line);
                    continue;
                }
                if bytes[line + spaces] == b'\t' {
                    return None;
                }
                // A less indented line ends the scalar.
                break;
            }
            value.extend(std::iter::repeat_n('\n', pending_breaks));
            pending_breaks = 0;
            // A last line without a line break still gets one, as in the event parser.
            let content = &self.text[line + indent..end];
            value.push_str(content);
            value.push('\n');
            let shown = content.trim_end().len();
            if shown > 0 {
                last_content_end = line + indent + shown;
            }
            line = self.next_line(line);
        }
        match chomp {
            Chomp::Strip => {
                let kept = value.trim_end_matches('\n').len();
                value.truncate(kept);
            }
            Chomp::Clip => {}
            Chomp::Keep => value.extend(std::iter::repeat_n('\n', pending_breaks)),
        }
        let next = self.next_content(line)?;
        let node = self.scalar(
            content_start,
            last_content_end,
            value.into_boxed_str(),
            false,
        );
        Some((node, next))
    }
}

struct Plain {
    /// The end of the text, trailing blanks excluded.
    value_end: usize,
    /// The `:` that makes the text a key, if any.
    colon: Option<usize>,
}

#[derive(Clone, Copy)]
enum Chomp {
    Strip,
    Clip,
    Keep,
}

fn skip_spaces(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at) == Some(&b' ') {
        at += 1;
    }
    at
}

fn skip_blanks(bytes: &[u8], mut at: usize) -> usize {
    while matches!(bytes.get(at), Some(b' ' | b'\t')) {
        at += 1;
    }
    at
}

fn trim_blanks(bytes: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && matches!(bytes[end - 1], b' ' | b'\t') {
        end -= 1;
    }
    end
}

/// Whether `at` is followed by white space or the end of the line.
fn separated(bytes: &[u8], at: usize) -> bool {
    matches!(bytes.get(at), None | Some(b' ' | b'\n' | b'\r'))
}

/// Whether only blanks and a comment follow `at` on its line.
fn rest_is_blank(bytes: &[u8], at: usize, line_end: usize) -> bool {
    let after = skip_blanks(bytes, at);
    after == line_end || (bytes[after] == b'#' && after > at)
}

/// Decodes the escape after a `\` at `at - 1` into `out`; returns the offset after it.
fn unescape(bytes: &[u8], at: usize, line_end: usize, out: &mut String) -> Option<usize> {
    let code = *bytes.get(at).filter(|_| at < line_end)?;
    let simple = match code {
        b'0' => '\0',
        b'a' => '\x07',
        b'b' => '\x08',
        b't' | b'\t' => '\t',
        b'n' => '\n',
        b'v' => '\x0B',
        b'f' => '\x0C',
        b'r' => '\r',
        b'e' => '\x1B',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{A0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        b'x' | b'u' | b'U' => {
            let digits = match code {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let hex = bytes
                .get(at + 1..at + 1 + digits)
                .filter(|_| at + digits < line_end)?;
            let hex = std::str::from_utf8(hex).ok()?;
            let value = u32::from_str_radix(hex, 16).ok()?;
            out.push(char::from_u32(value)?);
            return Some(at + 1 + digits);
        }
        _ => return None,
    };
    out.push(simple);
    Some(at + 1)
}
