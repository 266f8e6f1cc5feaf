//! Line and column lookup, computed lazily when a finding is rendered.

/// 1-based line and columns of a byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    pub line: u32,
    /// Unicode scalar values from the start of the line, 1-based, BOM not counted.
    pub column: u32,
    /// UTF-16 code units from the start of the line, 1-based, BOM not counted (SARIF).
    pub column_utf16: u32,
}

#[derive(Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    ascii: bool,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl LineIndex {
    pub fn new(bytes: &[u8]) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        LineIndex {
            line_starts,
            ascii: bytes.is_ascii(),
        }
    }

    /// Line/column of `offset` (clamped to the text). Offsets inside a multi-byte
    /// character count as that character.
    pub fn line_col(&self, bytes: &[u8], offset: usize) -> LineCol {
        let offset = offset.min(bytes.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let mut line_start = self.line_starts[line];
        if line == 0 && bytes.starts_with(BOM) && offset >= BOM.len() {
            line_start = BOM.len();
        }
        let prefix = &bytes[line_start.min(offset)..offset];
        let (column, column_utf16) = if self.ascii {
            (prefix.len(), prefix.len())
        } else {
            let text = String::from_utf8_lossy(prefix);
            (
                text.chars().count(),
                text.chars().map(char::len_utf16).sum(),
            )
        };
        LineCol {
            line: to_u32(line + 1),
            column: to_u32(column + 1),
            column_utf16: to_u32(column_utf16 + 1),
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lc(text: &[u8], offset: usize) -> (u32, u32, u32) {
        let index = LineIndex::new(text);
        let at = index.line_col(text, offset);
        (at.line, at.column, at.column_utf16)
    }

    #[test]
    fn ascii_positions() {
        let text = b"ab\ncd\r\nef";
        assert_eq!(lc(text, 0), (1, 1, 1));
        assert_eq!(lc(text, 4), (2, 2, 2));
        assert_eq!(lc(text, 7), (3, 1, 1));
    }

    #[test]
    fn bom_is_not_a_column() {
        let text = "\u{feff}kind: X".as_bytes();
        assert_eq!(lc(text, 3), (1, 1, 1));
        assert_eq!(lc(text, 9), (1, 7, 7));
    }

    #[test]
    fn non_ascii_counts_scalars_and_utf16() {
        let text = "é😀x\nü".as_bytes();
        // 'x' sits after a 2-byte and a 4-byte character.
        assert_eq!(lc(text, 6), (1, 3, 4));
        assert_eq!(lc(text, 8), (2, 1, 1));
        assert_eq!(lc(text, 10), (2, 2, 2));
    }
}
