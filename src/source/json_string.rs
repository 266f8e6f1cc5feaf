//! The bytes of a JSON string that need attention: where the JSON parser's
//! plain text ends and where the JSON writers must escape.

use super::byte_class;

/// The bytes a JSON string cannot hold as they are: `"`, `\\` and control
/// characters.
static SPECIAL: [bool; 256] = byte_class!(|b| b < 0x20 || b == b'"' || b == b'\\');

/// The first byte of `bytes` in [`SPECIAL`], found eight bytes at a time:
/// strings are most of a flow's bytes and of a JSON report. In each word, a byte that is a quote, a
/// backslash or below 0x20 sets its high bit in `found` (bytes after the first
/// such byte may too, so only the lowest is read).
pub fn special_byte(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |w: u64| w.wrapping_sub(ONES) & !w;
    let mut at = 0;
    while let Some(word) = bytes.get(at..at + 8) {
        let mut le = [0; 8];
        le.copy_from_slice(word);
        let w = u64::from_le_bytes(le);
        let found = (zero_byte(w ^ (ONES * u64::from(b'"')))
            | zero_byte(w ^ (ONES * u64::from(b'\\')))
            | (w.wrapping_sub(ONES * 0x20) & !w))
            & HIGH;
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    bytes[at..]
        .iter()
        .position(|&b| SPECIAL[usize::from(b)])
        .map(|i| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_bytes_found_word_by_word_as_byte_by_byte() {
        let mut next = crate::testing::xorshift(0x9E37_79B9_7F4A_7C15);
        let pool: Vec<u8> = (0..=255).collect();
        for _ in 0..50_000 {
            let len = (next() % 40) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| match next() % 4 {
                    // Mostly plain bytes, so stops fall anywhere in a word.
                    0 => pool[(next() % 256) as usize],
                    _ => b'a' + (next() % 26) as u8,
                })
                .collect();
            let expected = bytes.iter().position(|&b| SPECIAL[usize::from(b)]);
            assert_eq!(special_byte(&bytes), expected, "{bytes:?}");
        }
    }
}
