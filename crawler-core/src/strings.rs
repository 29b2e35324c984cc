//! An append-only table of distinct strings, numbered in the order they were added.
//!
//! A crawl keeps hundreds of thousands of short strings it must find again by value: a
//! level's URLs, the graph's anchor texts. As `Box<str>`s in a set each costs its text plus
//! some 50 bytes (the box, its allocation's header and rounding, the set's slot and hash).
//! Here the texts sit one after the other in one buffer, with where each ends and a 4-byte
//! slot of a hash index over them: the text plus about 13 bytes.

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};

/// Distinct strings in one buffer, by number (0, 1, ...) and by value.
#[derive(Debug, Clone, Default)]
pub(crate) struct StringTable {
    /// The texts, one after the other.
    text: String,
    /// Where each text ends in `text`.
    ends: Vec<usize>,
    /// Numbers hashed by their text.
    index: HashTable<u32>,
    hasher: DefaultHashBuilder,
}

impl StringTable {
    /// Adds `s` unless the table holds it: its number, and whether it is new.
    ///
    /// # Panics
    /// After 2^32 strings.
    pub(crate) fn insert(&mut self, s: &str) -> (usize, bool) {
        let hash = self.hasher.hash_one(s);
        if let Some(i) = self.find(hash, s) {
            return (i, false);
        }
        self.text.push_str(s);
        self.ends.push(self.text.len());
        let Self {
            text,
            ends,
            index,
            hasher,
        } = self;
        let number = u32::try_from(ends.len() - 1).expect("fewer than 2^32 strings");
        index.insert_unique(hash, number, |&i| {
            hasher.hash_one(text_of(text, ends, i as usize))
        });
        (number as usize, true)
    }

    /// The number of `s`, if the table holds it.
    pub(crate) fn get_index_of(&self, s: &str) -> Option<usize> {
        self.find(self.hasher.hash_one(s), s)
    }

    fn find(&self, hash: u64, s: &str) -> Option<usize> {
        self.index
            .find(hash, |&i| self.get(i as usize) == s)
            .map(|&i| i as usize)
    }

    /// String number `i`.
    ///
    /// # Panics
    /// If `i >= len()`.
    pub(crate) fn get(&self, i: usize) -> &str {
        text_of(&self.text, &self.ends, i)
    }
}

/// Text number `i` of a buffer and its ends.
fn text_of<'a>(text: &'a str, ends: &[usize], i: usize) -> &'a str {
    let start = if i == 0 { 0 } else { ends[i - 1] };
    &text[start..ends[i]]
}

#[cfg(test)]
mod tests {
    use super::StringTable;

    #[test]
    fn strings_are_numbered_in_order_and_found_by_value() {
        let mut table = StringTable::default();
        assert_eq!(table.insert("a"), (0, true));
        assert_eq!(table.insert(""), (1, true));
        assert_eq!(table.insert("été ✓"), (2, true));
        assert_eq!(table.insert("a"), (0, false));
        assert_eq!(table.insert(""), (1, false));
        assert_eq!(
            (table.get(0), table.get(1), table.get(2)),
            ("a", "", "été ✓")
        );
        assert_eq!(table.get_index_of("été ✓"), Some(2));
        assert_eq!(table.get_index_of("b"), None);
    }

    #[test]
    fn many_strings_stay_distinct_across_index_growth() {
        let mut table = StringTable::default();
        for i in 0..20_000 {
            assert_eq!(table.insert(&format!("text {i}")), (i, true));
        }
        for i in (0..20_000).rev() {
            assert_eq!(table.insert(&format!("text {i}")), (i, false));
            assert_eq!(table.get(i), format!("text {i}"));
        }
    }
}
