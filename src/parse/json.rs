//! A strict JSON parser that keeps the byte span of every key and value.
//! Written for spans (serde_json has none) and for bounded nesting on hostile input.

use crate::source::{Span, json_string};

use super::{MAX_DEPTH, SyntaxError};

#[derive(Clone, Debug, PartialEq)]
pub struct JsonValue {
    /// A string's span includes its quotes.
    pub span: Span,
    pub kind: JsonKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum JsonKind {
    Null,
    Bool(bool),
    /// The number as written.
    Number(Box<str>),
    String(Box<str>),
    Array(Box<[JsonValue]>),
    Object(Box<[JsonMember]>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct JsonMember {
    pub key: Box<str>,
    /// Includes the quotes.
    pub key_span: Span,
    pub value: JsonValue,
}

impl JsonValue {
    pub fn get(&self, key: &str) -> Option<&JsonValue> {
        self.member(key).map(|m| &m.value)
    }

    pub fn member(&self, key: &str) -> Option<&JsonMember> {
        self.members().iter().find(|m| &*m.key == key)
    }

    /// Key lookup ignoring ASCII case (exports mix `Skills`/`skills` spellings).
    pub fn get_ci(&self, key: &str) -> Option<&JsonValue> {
        self.member_ci(key).map(|m| &m.value)
    }

    pub fn member_ci(&self, key: &str) -> Option<&JsonMember> {
        self.members()
            .iter()
            .find(|m| m.key.eq_ignore_ascii_case(key))
    }

    /// Follows `keys` through nested objects.
    pub fn path(&self, keys: &[&str]) -> Option<&JsonValue> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    pub fn members(&self) -> &[JsonMember] {
        match &self.kind {
            JsonKind::Object(members) => members,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[JsonValue] {
        match &self.kind {
            JsonKind::Array(items) => items,
            _ => &[],
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            JsonKind::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            JsonKind::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match &self.kind {
            JsonKind::Number(n) => n.parse().ok(),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self.kind, JsonKind::Object(_))
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, JsonKind::Null)
    }

    /// The value as display text: strings unquoted, scalars as written.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.kind {
            JsonKind::String(s) => Some(s.to_string()),
            JsonKind::Number(n) => Some(n.to_string()),
            JsonKind::Bool(b) => Some(b.to_string()),
            JsonKind::Null => Some("null".into()),
            _ => None,
        }
    }
}

/// Parses `text`; spans are offset by `base` (the BOM length, or where embedded
/// JSON starts in its file).
pub fn parse(text: &str, base: usize) -> Result<JsonValue, SyntaxError> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        text,
        pos: 0,
        base,
        items: Vec::new(),
        members: Vec::new(),
        scratch: String::new(),
    };
    parser.skip_ws();
    let value = parser.value(0)?;
    parser.skip_ws();
    if parser.pos < parser.bytes.len() {
        return Err(parser.error("trailing characters after the JSON value"));
    }
    Ok(value)
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
    base: usize,
    /// Children of the arrays and objects being parsed, innermost last.
    items: Vec<JsonValue>,
    members: Vec<JsonMember>,
    /// The decoded text of a string with escapes.
    scratch: String,
}

impl Parser<'_> {
    fn error(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            offset: self.base + self.pos,
            message: message.into(),
        }
    }

    fn span(&self, start: usize) -> Span {
        Span::new(self.base + start, self.base + self.pos)
    }

    /// Skips whitespace. Exports are indented with spaces: after a line
    /// break, runs of eight spaces are skipped eight at a time.
    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' => {
                    self.pos += 1;
                    while self.bytes.get(self.pos..self.pos + 8) == Some(b"        ") {
                        self.pos += 8;
                    }
                }
                _ => return,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<JsonValue, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(self.error(format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        let start = self.pos;
        let kind = match self.bytes.get(self.pos) {
            None => return Err(self.error("unexpected end of input, expected a value")),
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => JsonKind::String(self.string()?),
            Some(b't') => self.literal("true", JsonKind::Bool(true))?,
            Some(b'f') => self.literal("false", JsonKind::Bool(false))?,
            Some(b'n') => self.literal("null", JsonKind::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => {
                let found = self.text[self.pos..].chars().next().unwrap_or(' ');
                return Err(self.error(format!("expected a value, found '{found}'")));
            }
        };
        Ok(JsonValue {
            span: self.span(start),
            kind,
        })
    }

    fn literal(&mut self, word: &str, kind: JsonKind) -> Result<JsonKind, SyntaxError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(kind)
        } else {
            Err(self.error(format!("expected '{word}'")))
        }
    }

    fn number(&mut self) -> Result<JsonKind, SyntaxError> {
        let start = self.pos;
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let digits = |p: &mut Self| {
            let from = p.pos;
            while p.bytes.get(p.pos).is_some_and(u8::is_ascii_digit) {
                p.pos += 1;
            }
            p.pos > from
        };
        if !digits(self) {
            return Err(self.error("invalid number"));
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if !digits(self) {
                return Err(self.error("invalid number: digits expected after '.'"));
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.pos) {
                self.pos += 1;
            }
            if !digits(self) {
                return Err(self.error("invalid number: digits expected in the exponent"));
            }
        }
        Ok(JsonKind::Number(self.text[start..self.pos].into()))
    }

    /// A string token; allocated once at its final size (the text between the
    /// quotes when it has no escapes, else the decoded text built in `scratch`).
    fn string(&mut self) -> Result<Box<str>, SyntaxError> {
        let open = self.pos;
        self.pos += 1;
        let mut decoded = std::mem::take(&mut self.scratch);
        decoded.clear();
        let result = loop {
            let chunk_start = self.pos;
            self.pos += json_string::special_byte(&self.bytes[self.pos..])
                .unwrap_or(self.bytes.len() - self.pos);
            let chunk = &self.text[chunk_start..self.pos];
            match self.bytes.get(self.pos) {
                None => {
                    self.pos = open;
                    break Err(self.error("unterminated string"));
                }
                Some(b'"') => {
                    self.pos += 1;
                    if decoded.is_empty() {
                        break Ok(Box::from(chunk));
                    }
                    decoded.push_str(chunk);
                    break Ok(Box::from(decoded.as_str()));
                }
                Some(b'\\') => {
                    decoded.push_str(chunk);
                    self.pos += 1;
                    if let Err(e) = self.escape(&mut decoded) {
                        break Err(e);
                    }
                }
                Some(_) => break Err(self.error("control character in a string")),
            }
        };
        self.scratch = decoded;
        result
    }

    fn escape(&mut self, out: &mut String) -> Result<(), SyntaxError> {
        let Some(&c) = self.bytes.get(self.pos) else {
            return Err(self.error("unterminated escape"));
        };
        self.pos += 1;
        match c {
            b'"' => out.push('"'),
            b'\\' => out.push('\\'),
            b'/' => out.push('/'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' => {
                let high = self.hex4()?;
                let ch = if (0xD800..0xDC00).contains(&high) {
                    if self.bytes[self.pos..].starts_with(b"\\u") {
                        self.pos += 2;
                        let low = self.hex4()?;
                        if (0xDC00..0xE000).contains(&low) {
                            char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                        } else {
                            None
                        }
                    } else {
                        None
                    }
                } else {
                    char::from_u32(high)
                };
                out.push(ch.unwrap_or('\u{FFFD}'));
            }
            _ => {
                self.pos -= 1;
                return Err(self.error("invalid escape in a string"));
            }
        }
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let digits = self
            .bytes
            .get(self.pos..self.pos + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok());
        match digits {
            Some(value) => {
                self.pos += 4;
                Ok(value)
            }
            None => Err(self.error("invalid \\u escape")),
        }
    }

    // Arrays and objects collect their children on the parser's shared stacks
    // and take them off in one allocation of the final size when they close.
    fn array(&mut self, depth: usize) -> Result<JsonKind, SyntaxError> {
        self.pos += 1;
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(JsonKind::Array(Box::default()));
        }
        let mark = self.items.len();
        loop {
            self.skip_ws();
            let item = self.value(depth + 1)?;
            self.items.push(item);
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(JsonKind::Array(
                        self.items.split_off(mark).into_boxed_slice(),
                    ));
                }
                _ => return Err(self.error("expected ',' or ']' in an array")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<JsonKind, SyntaxError> {
        self.pos += 1;
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(JsonKind::Object(Box::default()));
        }
        let mark = self.members.len();
        loop {
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err(self.error("expected a quoted key in an object"));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = self.span(key_start);
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b':') {
                return Err(self.error("expected ':' after an object key"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            self.members.push(JsonMember {
                key,
                key_span,
                value,
            });
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(JsonKind::Object(
                        self.members.split_off(mark).into_boxed_slice(),
                    ));
                }
                _ => return Err(self.error("expected ',' or '}' in an object")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(text: &str, span: Span) -> &str {
        &text[span.range()]
    }

    #[test]
    fn spans_cover_keys_and_values_with_non_ascii_and_bom() {
        let raw = "\u{feff}{\r\n  \"crème\": \"brûlée\",\r\n  \"n\": [1, 2.5e3, true, null]\r\n}";
        let value = parse(&raw[3..], 3).expect("valid JSON");
        let member = value.member("crème").expect("key");
        assert_eq!(slice(raw, member.key_span), "\"crème\"");
        assert_eq!(slice(raw, member.value.span), "\"brûlée\"");
        assert_eq!(member.value.as_str(), Some("brûlée"));
        let n = value.get("n").expect("array");
        assert_eq!(slice(raw, n.span), "[1, 2.5e3, true, null]");
        assert_eq!(slice(raw, n.items()[1].span), "2.5e3");
    }

    #[test]
    fn escapes_and_surrogates() {
        let value = parse(r#"{"a":"x\"\u00e9\ud83d\ude00\n"}"#, 0).expect("valid");
        assert_eq!(value.get("a").and_then(JsonValue::as_str), Some("x\"é😀\n"));
    }

    #[test]
    fn errors_carry_offsets() {
        let err = parse("{\"a\": [1, }", 0).expect_err("invalid");
        assert_eq!(err.offset, 10);
        let err = parse("{\"a\": 1} x", 0).expect_err("trailing");
        assert_eq!(err.offset, 9);
        assert!(parse("\"open", 0).is_err());
    }

    /// A random JSON document, written with random whitespace between its
    /// tokens: runs of spaces after line breaks as exports indent them, lone
    /// spaces, tabs and CR LF.
    fn random_document(next: &mut impl FnMut() -> u64, depth: u32, out: &mut String) {
        const SPACE: [&str; 10] = [
            "",
            " ",
            "\n",
            "\n  ",
            "\n       ",
            "\n        ",
            "\n               ",
            "\r\n                   ",
            "\t",
            "\n\t        \n ",
        ];
        let space = |out: &mut String, roll: u64| out.push_str(SPACE[(roll % 10) as usize]);
        space(out, next());
        match next() % if depth < 4 { 8 } else { 5 } {
            0 => out.push_str("\"text é\\n\""),
            1 => out.push_str("-12.5e3"),
            2 => out.push_str("true"),
            3 => out.push_str("null"),
            4 => out.push_str("\"\""),
            5 | 6 => {
                let object = next().is_multiple_of(2);
                out.push(if object { '{' } else { '[' });
                for i in 0..next() % 4 {
                    if i > 0 {
                        space(out, next());
                        out.push(',');
                    }
                    if object {
                        space(out, next());
                        out.push_str(&format!("\"k{i}\""));
                        space(out, next());
                        out.push(':');
                    }
                    random_document(next, depth + 1, out);
                }
                space(out, next());
                out.push(if object { '}' } else { ']' });
            }
            _ => out.push('0'),
        }
        space(out, next());
    }

    fn to_serde(value: &JsonValue) -> serde_json::Value {
        match &value.kind {
            JsonKind::Null => serde_json::Value::Null,
            JsonKind::Bool(b) => serde_json::Value::Bool(*b),
            JsonKind::Number(n) => serde_json::from_str(n).expect("a number"),
            JsonKind::String(s) => serde_json::Value::String(s.to_string()),
            JsonKind::Array(items) => items.iter().map(to_serde).collect(),
            JsonKind::Object(members) => members
                .iter()
                .map(|m| (m.key.to_string(), to_serde(&m.value)))
                .collect(),
        }
    }

    /// Every value's span holds exactly that value, as `serde_json` reads it.
    fn check_spans(text: &str, value: &JsonValue) {
        let alone: serde_json::Value =
            serde_json::from_str(&text[value.span.range()]).expect("a span holds one value");
        assert_eq!(alone, to_serde(value), "{:?}", &text[value.span.range()]);
        for item in value.items() {
            check_spans(text, item);
        }
        for member in value.members() {
            assert_eq!(
                &text[member.key_span.range()],
                format!("\"{}\"", member.key)
            );
            check_spans(text, &member.value);
        }
    }

    #[test]
    fn random_documents_read_as_serde_json_reads_them_with_exact_spans() {
        let mut next = crate::testing::xorshift(0x2545_F491_4F6C_DD1D);
        let mut containers = 0;
        for _ in 0..3_000 {
            let mut text = String::new();
            random_document(&mut next, 0, &mut text);
            let expected: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
            let value = parse(&text, 0).unwrap_or_else(|e| panic!("{e:?} in {text:?}"));
            assert_eq!(to_serde(&value), expected, "{text:?}");
            check_spans(&text, &value);
            containers += usize::from(!value.items().is_empty() || !value.members().is_empty());
        }
        assert!(containers > 300, "{containers}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let text = "[".repeat(100_000);
        let err = parse(&text, 0).expect_err("too deep");
        assert!(err.message.contains("nesting"));
    }
}
