//! An append-only table of distinct strings, numbered in the order they were added.
//!
//! A crawl keeps up to millions of short strings it must find again by value: seeds, a
//! level's URLs, the graph's anchor texts. As `Box<str>`s in a set each costs its text plus
//! some 50 bytes (the box, its allocation's header and rounding, the set's slot and hash).
//! Here the texts sit one after the other in one buffer, with where each ends and an 8-byte
//! slot of a hash index over them: the text plus about 17 bytes. A slot keeps 32 bits of its
//! string's hash beside the string's number, so growing the index and most misses never read
//! the string itself, which at millions of strings is a cache miss each.

use std::hash::BuildHasher as _;

use hashbrown::{DefaultHashBuilder, HashTable};

/// Distinct strings in one buffer, by number (0, 1, ...) and by value.
#[derive(Debug, Clone, Default)]
pub(crate) struct StringTable {
    /// The texts, one after the other.
    text: String,
    /// Where each text ends in `text`.
    ends: Vec<usize>,
    /// (32 bits of the hash, number) of each string.
    index: HashTable<(u32, u32)>,
    hasher: DefaultHashBuilder,
}

impl StringTable {
    /// Makes room for `strings` more strings of `bytes` bytes in all.
    pub(crate) fn reserve(&mut self, strings: usize, bytes: usize) {
        self.text.reserve(bytes);
        self.ends.reserve(strings);
        self.index.reserve(strings, |&(hash, _)| spread(hash));
    }

    /// The hash [`insert_hashed`](Self::insert_hashed) takes for `s`: a caller may compute
    /// it on another thread.
    pub(crate) fn hash(&self, s: &str) -> u32 {
        // The low half: `spread` makes a table hash of it again.
        #[expect(
            clippy::cast_possible_truncation,
            reason = "32 bits of the hash are kept"
        )]
        let hash = self.hasher.hash_one(s) as u32;
        hash
    }

    /// Adds `s` unless the table holds it: its number, and whether it is new.
    ///
    /// # Panics
    /// After 2^32 strings.
    pub(crate) fn insert(&mut self, s: &str) -> (usize, bool) {
        self.insert_hashed(self.hash(s), s)
    }

    /// [`insert`](Self::insert) with `hash` = [`hash`](Self::hash)`(s)`.
    ///
    /// # Panics
    /// After 2^32 strings.
    pub(crate) fn insert_hashed(&mut self, hash: u32, s: &str) -> (usize, bool) {
        if let Some(number) = self.find(hash, s) {
            return (number, false);
        }
        let number = u32::try_from(self.ends.len()).expect("fewer than 2^32 strings");
        self.index
            .insert_unique(spread(hash), (hash, number), |&(hash, _)| spread(hash));
        self.text.push_str(s);
        self.ends.push(self.text.len());
        (number as usize, true)
    }

    /// The number of `s`, if the table holds it.
    pub(crate) fn get_index_of(&self, s: &str) -> Option<usize> {
        self.find(self.hash(s), s)
    }

    fn find(&self, hash: u32, s: &str) -> Option<usize> {
        self.index
            .find(spread(hash), |&(other, number)| {
                other == hash && self.get(number as usize) == s
            })
            .map(|&(_, number)| number as usize)
    }

    /// String number `i`.
    ///
    /// # Panics
    /// If `i >= len()`.
    pub(crate) fn get(&self, i: usize) -> &str {
        let start = i.checked_sub(1).map_or(0, |before| self.ends[before]);
        &self.text[start..self.ends[i]]
    }

    /// Number of strings.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The strings, in order.
    pub(crate) fn iter(&self) -> impl ExactSizeIterator<Item = &str> + DoubleEndedIterator + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// A table hash from the 32 bits kept: the table takes its bucket from the low bits and a tag
/// from the top seven, so both must vary.
fn spread(hash: u32) -> u64 {
    u64::from(hash).wrapping_mul(0x9E37_79B9_7F4A_7C15)
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
        assert_eq!(table.len(), 3);
        assert_eq!(table.iter().collect::<Vec<_>>(), ["a", "", "été ✓"]);
        let hash = table.hash("b");
        assert_eq!(table.insert_hashed(hash, "b"), (3, true));
        assert_eq!(table.insert("b"), (3, false));
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
