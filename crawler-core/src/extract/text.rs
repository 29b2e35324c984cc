//! Anchor and title text as a reader sees it: runs of whitespace collapsed to one space,
//! leading and trailing whitespace dropped, cut at a number of characters.
//!
//! It runs on every text token inside every `<a>` and `<title>` of every page, so it appends a
//! word at a time (one copy and one capacity check a word, not a character) into a buffer sized
//! from the first text rather than grown from empty; per character, the profile of the 10k
//! crawl put it at 4% of the CPU with its reallocations.

/// Collects text with runs of whitespace collapsed to one space, leading and trailing
/// whitespace dropped, cut at a number of characters (inter-word spaces count).
#[derive(Debug)]
pub(crate) struct Text {
    collected: String,
    chars: usize,
    max_chars: usize,
    pending_space: bool,
}

impl Text {
    pub(crate) fn new(max_chars: usize) -> Self {
        Self {
            collected: String::new(),
            chars: 0,
            max_chars,
            pending_space: false,
        }
    }

    /// Appends `s`; returns false once the cap is reached (further input is ignored).
    pub(crate) fn push(&mut self, s: &str) -> bool {
        if self.collected.capacity() == 0 {
            // At most four bytes a character.
            self.collected
                .reserve(s.len().min(self.max_chars.saturating_mul(4)));
        }
        let mut rest = s;
        loop {
            let word = rest.trim_start();
            if word.len() != rest.len() {
                self.pending_space = !self.collected.is_empty();
            }
            if word.is_empty() {
                return true;
            }
            let end = word_end(word);
            if !self.push_word(&word[..end]) {
                return false;
            }
            rest = &word[end..];
        }
    }

    /// Appends one word (no whitespace in it), after the pending space; as much of it as fits.
    fn push_word(&mut self, word: &str) -> bool {
        // The space between words counts against the cap too, and is only written when the
        // first character of the word after it fits.
        let space = usize::from(self.pending_space);
        let room = self.max_chars.saturating_sub(self.chars + space);
        if room == 0 {
            self.chars = self.max_chars;
            return false;
        }
        if self.pending_space {
            self.collected.push(' ');
            self.pending_space = false;
        }
        let length = if word.is_ascii() {
            word.len()
        } else {
            word.chars().count()
        };
        if length <= room {
            self.collected.push_str(word);
            self.chars += space + length;
            return true;
        }
        let cut = word.char_indices().nth(room).map_or(word.len(), |(i, _)| i);
        self.collected.push_str(&word[..cut]);
        self.chars = self.max_chars;
        false
    }

    /// The text, or `None` if it is empty.
    pub(crate) fn finish(self) -> Option<String> {
        Some(self.collected).filter(|t| !t.is_empty())
    }
}

/// Where the first whitespace (as `char::is_whitespace` says) of `s` is, or its length. ASCII,
/// the common case, is scanned a byte at a time: of it, only 9 to 13 and 32 are whitespace.
fn word_end(s: &str) -> usize {
    for (i, byte) in s.bytes().enumerate() {
        if !byte.is_ascii() {
            // All before `i` is ASCII, so a character starts at `i`.
            return i + s[i..].find(char::is_whitespace).unwrap_or(s.len() - i);
        }
        if matches!(byte, b'\t'..=b'\r' | b' ') {
            return i;
        }
    }
    s.len()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::Text;

    /// The definition, a character at a time: what [`Text`] must equal.
    fn reference(chunks: &[String], max_chars: usize) -> (Option<String>, Vec<bool>) {
        let (mut out, mut chars, mut pending, mut results) = (String::new(), 0, false, vec![]);
        for chunk in chunks {
            let mut open = true;
            for c in chunk.chars() {
                if c.is_whitespace() {
                    pending = !out.is_empty();
                    continue;
                }
                let needed = 1 + usize::from(pending);
                if chars + needed > max_chars {
                    chars = max_chars;
                    open = false;
                    break;
                }
                if pending {
                    out.push(' ');
                    pending = false;
                }
                out.push(c);
                chars += needed;
            }
            results.push(open);
        }
        (Some(out).filter(|t| !t.is_empty()), results)
    }

    fn collect(chunks: &[String], max_chars: usize) -> (Option<String>, Vec<bool>) {
        let mut text = Text::new(max_chars);
        let results = chunks.iter().map(|chunk| text.push(chunk)).collect();
        (text.finish(), results)
    }

    #[test]
    fn whitespace_collapses_and_the_cap_counts_spaces() {
        let chunks = ["  River\n\t in", "  village\u{a0}story  "].map(String::from);
        assert_eq!(
            collect(&chunks, 200),
            (Some("River in village story".into()), vec![true, true])
        );
        assert_eq!(
            collect(&chunks, 8),
            (Some("River in".into()), vec![true, false])
        );
        // The space is not written when no character after it fits.
        assert_eq!(
            collect(&chunks, 6),
            (Some("River".into()), vec![false, false])
        );
        assert_eq!(collect(&chunks, 0), (None, vec![false, false]));
    }

    #[test]
    fn a_word_is_cut_between_characters_not_bytes() {
        let chunks = ["café日本語".to_owned()];
        assert_eq!(collect(&chunks, 5), (Some("café日".into()), vec![false]));
    }

    proptest! {
        #[test]
        fn equals_the_character_at_a_time_definition(
            chunks in prop::collection::vec("[a é日\t\n\r\u{b}\u{c}\u{1c}\u{85}\u{a0}\u{3000}x]{0,12}", 0..6),
            max_chars in 0usize..24,
        ) {
            prop_assert_eq!(collect(&chunks, max_chars), reference(&chunks, max_chars));
        }
    }
}
