//! Searches for any of a set of ASCII words, with case folded as a regex's
//! `(?i)` or `(?i-u)` folds it.
//!
//! Compiling a regex costs far more than scanning a small solution, and the
//! secret detector needs several word searches for every run: a [`Words`] is
//! built in microseconds. It looks up each pair of adjacent bytes, case folded,
//! in a table of the pairs its words start with, and compares the words only
//! where one starts.

/// How a [`Words`] search folds case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Folding {
    /// None: bytes compare as they are.
    Exact,
    /// ASCII letters only, as `(?i-u)`.
    Ascii,
    /// As `(?i)`: ASCII letters, and the two other characters that fold to
    /// ASCII letters, `ſ` (to `s`) and the Kelvin sign `K` (to `k`).
    Unicode,
}

/// A search for any of a set of words of two or more ASCII bytes.
pub struct Words {
    /// Lower-case unless the folding is [`Folding::Exact`].
    words: Vec<Box<[u8]>>,
    folding: Folding,
    /// One bit for each pair of bytes a word starts with (folded).
    starts: Box<[u64; 1024]>,
}

impl Words {
    /// # Panics
    /// When a word is shorter than two bytes or not ASCII: a programming error.
    pub fn new<W: AsRef<str>>(words: impl IntoIterator<Item = W>, folding: Folding) -> Words {
        let mut starts = Box::new([0u64; 1024]);
        let words: Vec<Box<[u8]>> = words
            .into_iter()
            .map(|word| {
                let word = word.as_ref();
                assert!(
                    word.len() >= 2 && word.is_ascii(),
                    "a searched word has two or more ASCII bytes: {word:?}"
                );
                let word: Box<[u8]> = match folding {
                    Folding::Exact => word.as_bytes().into(),
                    Folding::Ascii | Folding::Unicode => {
                        word.to_ascii_lowercase().into_bytes().into()
                    }
                };
                let pair = pair_index(word[0], word[1]);
                starts[pair / 64] |= 1 << (pair % 64);
                word
            })
            .collect();
        Words {
            words,
            folding,
            starts,
        }
    }

    /// Whether `text` holds one of the words.
    pub fn is_match(&self, text: &str) -> bool {
        if self.folding == Folding::Unicode
            && !text.is_ascii()
            && (text.contains('\u{17F}') || text.contains('\u{212A}'))
        {
            let folded = text.replace('\u{17F}', "s").replace('\u{212A}', "k");
            return self.in_bytes(folded.as_bytes());
        }
        self.in_bytes(text.as_bytes())
    }

    fn in_bytes(&self, text: &[u8]) -> bool {
        let fold = |b: u8| match self.folding {
            Folding::Exact => b,
            Folding::Ascii | Folding::Unicode => b.to_ascii_lowercase(),
        };
        text.windows(2).enumerate().any(|(at, pair)| {
            let pair = pair_index(fold(pair[0]), fold(pair[1]));
            self.starts[pair / 64] & (1 << (pair % 64)) != 0 && self.starts_at(&text[at..])
        })
    }

    /// Whether one of the words starts `text`.
    fn starts_at(&self, text: &[u8]) -> bool {
        self.words.iter().any(|word| {
            text.get(..word.len())
                .is_some_and(|head| match self.folding {
                    Folding::Exact => head == &word[..],
                    Folding::Ascii | Folding::Unicode => head.eq_ignore_ascii_case(word),
                })
        })
    }
}

fn pair_index(first: u8, second: u8) -> usize {
    usize::from(first) << 8 | usize::from(second)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::helpers::random_texts;
    use regex::Regex;

    /// A search finds what the regex of its words, with its folding, finds.
    #[test]
    fn words_match_as_the_regex_would() {
        let words = ["sk-", "Q~", "key", "ssw", "pass", "xx", "k~"];
        let alphabet = [
            "s", "S", "\u{17f}", "k", "K", "\u{212a}", "q", "Q", "~", "-", "e", "E", "y", "w", "p",
            "a", "x", "X", "é", "ß", " ", "pass", "KEY", "sk-",
        ];
        let pattern: Vec<String> = words.iter().map(|w| regex::escape(w)).collect();
        let pattern = pattern.join("|");
        let searches = [
            (Folding::Exact, Regex::new(&pattern).unwrap()),
            (
                Folding::Ascii,
                Regex::new(&format!("(?i-u){pattern}")).unwrap(),
            ),
            (
                Folding::Unicode,
                Regex::new(&format!("(?i){pattern}")).unwrap(),
            ),
        ];
        let mut matched = [0; 3];
        for text in random_texts(0x2545_F491_4F6C_DD1D, &alphabet, 10).take(30_000) {
            for (n, (folding, regex)) in searches.iter().enumerate() {
                let expected = regex.is_match(&text);
                let search = Words::new(words, *folding);
                assert_eq!(search.is_match(&text), expected, "{folding:?} on {text:?}");
                matched[n] += usize::from(expected);
            }
        }
        assert!(matched.iter().all(|&m| m > 1_000), "{matched:?}");
        assert!(
            matched[0] < matched[1] && matched[1] < matched[2],
            "{matched:?}"
        );
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
