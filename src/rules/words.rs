//! Searches for any of a set of ASCII words, with case folded as a regex's
//! `(?i)` or `(?i-u)` folds it.
//!
//! Compiling a regex costs far more than scanning a small solution, and the
//! secret detector needs several word searches for every run: a [`Words`] is
//! built in microseconds. It looks up each pair of adjacent bytes, case folded,
//! in a table of the pairs its words start with, and compares the words only
//! where one starts. A long text is lower-cased a chunk at a time instead and
//! searched with the SIMD multi-word search of `aho-corasick` (Teddy), which
//! reads many bytes per instruction where the pair table reads one.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use aho_corasick::packed;

/// How a [`Words`] search folds case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Folding {
    /// ASCII letters only, as `(?i-u)`.
    Ascii,
    /// As `(?i)`: ASCII letters, and the two other characters that fold to
    /// ASCII letters, `ſ` (to `s`) and the Kelvin sign `K` (to `k`).
    Unicode,
}

/// A case-insensitive search for any of a set of words of two or more ASCII
/// bytes.
pub struct Words {
    /// The words in lower case, by the pair of bytes each starts with.
    words: Vec<(u16, Box<[u8]>)>,
    folding: Folding,
    /// One bit for each pair of bytes a word starts with.
    starts: Box<[u64; 1024]>,
    /// The lower-case words as one SIMD search, built once the long texts
    /// searched with the pair table pass [`PACKED_AFTER`] bytes (`None` where
    /// the CPU has no such search).
    packed: OnceLock<Option<packed::Searcher>>,
    /// Bytes of long texts searched so far with the pair table.
    long_bytes: AtomicUsize,
    /// The length of the longest word.
    longest: usize,
}

/// From this length on, a text is searched with [`Words::packed`]: shorter
/// ones cost less with the pair table (generated L and the corpus measured).
const PACKED_FROM: usize = 32;

/// Building the SIMD search costs about as much as searching 8 KiB with the
/// pair table: a small solution never builds it, and one with more long
/// text than this does.
const PACKED_AFTER: usize = 16 * 1024;

/// How many bytes of a long text are lower-cased at a time, on the stack.
const CHUNK: usize = 2048;

impl Words {
    /// # Panics
    /// When a word is shorter than two bytes or not ASCII: a programming error.
    pub fn new<W: AsRef<str>>(words: impl IntoIterator<Item = W>, folding: Folding) -> Words {
        let mut starts = Box::new([0u64; 1024]);
        let mut words: Vec<(u16, Box<[u8]>)> = words
            .into_iter()
            .map(|word| {
                let word = word.as_ref();
                assert!(
                    word.len() >= 2 && word.is_ascii(),
                    "a searched word has two or more ASCII bytes: {word:?}"
                );
                let word: Box<[u8]> = word.to_ascii_lowercase().into_bytes().into();
                let pair = pair_key(word[0], word[1]);
                starts[usize::from(pair) / 64] |= 1 << (pair % 64);
                (pair, word)
            })
            .collect();
        words.sort_unstable();
        let longest = words.iter().map(|(_, word)| word.len()).max().unwrap_or(0);
        Words {
            words,
            folding,
            starts,
            packed: OnceLock::new(),
            long_bytes: AtomicUsize::new(0),
            longest,
        }
    }

    /// Whether `text` holds one of the words.
    pub fn is_match(&self, text: &str) -> bool {
        if self.folding == Folding::Unicode
            && !text.is_ascii()
            && (text.contains('\u{17F}') || text.contains('\u{212A}'))
        {
            let folded: String = text.chars().map(fold_to_ascii).collect();
            return self.in_bytes(folded.as_bytes());
        }
        self.in_bytes(text.as_bytes())
    }

    fn in_bytes(&self, text: &[u8]) -> bool {
        if text.len() >= PACKED_FROM
            && let Some(searcher) = self.packed(text.len())
        {
            return self.in_lowered_chunks(searcher, text);
        }
        self.in_pairs(text)
    }

    /// The words as one SIMD search, for a long text of `len` bytes: `None`
    /// until enough long text has been searched, where the CPU has none, or
    /// for a word too long for two of them to fit a chunk. Either search gives
    /// the same answer, so when another thread builds it changes nothing.
    fn packed(&self, len: usize) -> Option<&packed::Searcher> {
        if let Some(built) = self.packed.get() {
            return built.as_ref();
        }
        if self.long_bytes.fetch_add(len, Ordering::Relaxed) + len < PACKED_AFTER {
            return None;
        }
        self.packed
            .get_or_init(|| {
                (2 * self.longest <= CHUNK)
                    .then(|| packed::Searcher::new(self.words.iter().map(|(_, word)| word)))
                    .flatten()
            })
            .as_ref()
    }

    /// Lower-cases `text` a [`CHUNK`] at a time and searches each chunk for
    /// the lower-case words; consecutive chunks overlap by one byte less than
    /// the longest word, so a word across a chunk boundary is whole in one.
    fn in_lowered_chunks(&self, searcher: &packed::Searcher, text: &[u8]) -> bool {
        let mut buffer = [0u8; CHUNK];
        let mut start = 0;
        loop {
            let end = (start + CHUNK).min(text.len());
            let chunk = &mut buffer[..end - start];
            chunk.copy_from_slice(&text[start..end]);
            chunk.make_ascii_lowercase();
            if searcher.find(&*chunk).is_some() {
                return true;
            }
            if end == text.len() {
                return false;
            }
            start = end + 1 - self.longest;
        }
    }

    fn in_pairs(&self, text: &[u8]) -> bool {
        let Some((&first, rest)) = text.split_first() else {
            return false;
        };
        let mut pair = u16::from(fold(first));
        for (at, &b) in rest.iter().enumerate() {
            pair = pair << 8 | u16::from(fold(b));
            if self.starts[usize::from(pair) / 64] & (1 << (pair % 64)) != 0
                && self.starts_at(&text[at..], pair)
            {
                return true;
            }
        }
        false
    }

    /// Whether one of the words that start with `pair` starts `text`.
    fn starts_at(&self, text: &[u8], pair: u16) -> bool {
        let from = self.words.partition_point(|(start, _)| *start < pair);
        self.words[from..]
            .iter()
            .take_while(|(start, _)| *start == pair)
            .any(|(_, word)| {
                text.get(..word.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(word))
            })
    }
}

/// Whether a word starts at byte `at` of `text`, as the regex `\b` says before
/// a word character: the character before is not one (Unicode's word
/// characters, as the regex has them), or there is none.
pub fn starts_word(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_none_or(|before| !regex_syntax::is_word_character(before))
}

/// `c`, or the ASCII letter it folds to under `(?i)` besides its own case:
/// `ſ` folds to `s` and the Kelvin sign to `k`, and no other non-ASCII
/// character folds to an ASCII letter.
pub fn fold_to_ascii(c: char) -> char {
    match c {
        '\u{17F}' => 's',
        '\u{212A}' => 'k',
        c => c,
    }
}

/// `text` after `word` (lower-case ASCII), if it starts with it in any case as
/// `(?i)` folds it.
pub fn strip_prefix_folded<'t>(text: &'t str, word: &str) -> Option<&'t str> {
    let mut chars = text.chars();
    for w in word.chars() {
        if !fold_to_ascii(chars.next()?).eq_ignore_ascii_case(&w) {
            return None;
        }
    }
    Some(chars.as_str())
}

/// `b` with bit 5 set: lower case for an ASCII letter. Other bytes may share
/// a folded value (`_` and DEL), which only makes the pair table let through a
/// few more places to compare words at.
fn fold(b: u8) -> u8 {
    b | 0x20
}

fn pair_key(first: u8, second: u8) -> u16 {
    u16::from(fold(first)) << 8 | u16::from(fold(second))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::random_texts;
    use regex::Regex;

    /// A search finds what the regex of its words, with its folding, finds.
    #[test]
    fn words_match_as_the_regex_would() {
        let words = [
            "sk-", "Q~", "key", "ke~", "ssw", "pass", "pat", "xx", "k~", "x_", "_@",
        ];
        let alphabet = [
            "s", "S", "\u{17f}", "k", "K", "\u{212a}", "q", "Q", "~", "-", "e", "E", "y", "w", "p",
            "a", "x", "X", "é", "ß", " ", "pass", "KEY", "sk-", "_", "\u{7f}", "@", "`", "t",
        ];
        let pattern: Vec<String> = words.iter().map(|w| regex::escape(w)).collect();
        let pattern = pattern.join("|");
        let searches =
            [(Folding::Ascii, "(?i-u)"), (Folding::Unicode, "(?i)")].map(|(folding, flags)| {
                let regex = Regex::new(&format!("{flags}{pattern}")).unwrap();
                (folding, regex, Words::new(words, folding))
            });
        let mut matched = [0; 2];
        for text in random_texts(0x2545_F491_4F6C_DD1D, &alphabet, 10).take(30_000) {
            for (n, (folding, regex, search)) in searches.iter().enumerate() {
                let expected = regex.is_match(&text);
                assert_eq!(search.is_match(&text), expected, "{folding:?} on {text:?}");
                matched[n] += usize::from(expected);
            }
        }
        assert!(matched.iter().all(|&m| m > 1_000), "{matched:?}");
        assert!(matched[0] < matched[1], "{matched:?}");
    }

    /// Texts of [`PACKED_FROM`] bytes and more take the chunked search once
    /// [`PACKED_AFTER`] bytes of them have been searched: the pair table
    /// before and the chunked search after find what the regex finds, words
    /// across chunk boundaries included.
    #[test]
    fn long_texts_match_as_the_regex_would() {
        let words = ["sk-", "Q~", "key", "pass", "sharedaccesskey", "-----begin "];
        let pattern: Vec<String> = words.iter().map(|w| regex::escape(w)).collect();
        let regex = Regex::new(&format!("(?i){}", pattern.join("|"))).unwrap();
        let search = Words::new(words, Folding::Unicode);
        assert!(!search.is_match(&"z".repeat(PACKED_AFTER - 1)));
        assert!(
            search.packed.get().is_none(),
            "not built before enough long text"
        );
        let filler = "lorem ipsum dolor ".repeat(80);
        let alphabet = [
            "s", "S", "\u{17f}", "k", "K", "q", "Q", "~", "-", "e", "y", "p", "a", "x", " ", "é",
            "pa", "ss", "KE", "Sk", "Shared", "Access", "-----", "BEGIN", "Begin ", &filler,
        ];
        let mut matched = 0;
        let mut long = 0;
        for text in random_texts(0x9E37_79B9_7F4A_7C15, &alphabet, 40).take(5_000) {
            let expected = regex.is_match(&text);
            assert_eq!(search.is_match(&text), expected, "{text:?}");
            matched += usize::from(expected);
            long += usize::from(text.len() > CHUNK);
        }
        assert!(matched > 500 && matched < 4_500, "{matched}");
        assert!(long > 500, "{long}");
        // The longest word holds no other, so only a chunk that has it whole
        // finds it: the overlap must be exactly one byte less than its length.
        let search = Words::new(["sharedaccesskey", "-----begin ", "q~"], Folding::Ascii);
        assert!(!search.is_match(&"z".repeat(PACKED_AFTER)));
        assert!(search.packed.get().is_some_and(Option::is_some), "built");
        let second = CHUNK + 1 - "sharedaccesskey".len();
        for word in ["SharedAccessKey", "-----BEGIN ", "q~"] {
            for end in CHUNK - 2..=CHUNK + word.len() + 1 {
                for end in [end, end + second] {
                    let before = "z".repeat(end - word.len());
                    let text = format!("{before}{word}{}", "z".repeat(40));
                    assert!(search.is_match(&text), "{word} ending at {end}");
                    let cut = &word[..word.len() - 1];
                    let text = format!("{before}{cut}{}", "z".repeat(40));
                    assert!(!search.is_match(&text), "{cut} ending at {}", end - 1);
                }
            }
        }
    }

    /// What `Folding::Unicode` relies on: under `(?i)`, only `ſ` and the Kelvin
    /// sign match an ASCII letter besides the letters themselves.
    #[test]
    fn only_two_non_ascii_characters_fold_to_ascii_letters() {
        let letter = Regex::new("(?i)^[a-z]$").unwrap();
        let folding: Vec<char> = (0x80..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|c| letter.is_match(c.encode_utf8(&mut [0; 4])))
            .collect();
        assert_eq!(folding, ['\u{17F}', '\u{212A}']);
    }

    #[test]
    #[should_panic(expected = "two or more ASCII bytes")]
    fn a_word_of_one_byte_is_refused() {
        Words::new(["k"], Folding::Ascii);
    }
}
