//! One level of the crawl: the pages to fetch, in frontier order, stored compactly.
//!
//! At a million pages a single level can hold hundreds of thousands of URLs, and a
//! `(NodeIndex, Url)` per entry took ~150 bytes (the `Url` struct, its heap string with its
//! slack, the index), plus a second copy of the URL in a set that kept the level free of
//! duplicates. Here an entry is its URL's text in a [`StringTable`] (one buffer shared by the
//! level, with a hash index that drops duplicates as the level is built) and two numbers (its
//! node and depth): the URL's length + some 25 bytes.
//! A URL is parsed again when its fetch starts; a normalised URL parses to itself.

use petgraph::graph::NodeIndex;
use url::Url;

use crate::strings::StringTable;

/// The pages of one level, in the order they were queued, without duplicate URLs.
#[derive(Debug, Clone, Default)]
pub struct Frontier {
    /// The URLs' texts, numbered as the entries.
    urls: StringTable,
    entries: Vec<Entry>,
}

/// One queued page; its text is the table's string of the same number.
#[derive(Debug, Clone, Copy)]
struct Entry {
    node: NodeIndex,
    depth: u32,
}

impl Frontier {
    /// An empty level.
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues `url` (a normalised, absolute URL) for graph node `node` at `depth`; false (and
    /// nothing queued) if the level holds it already.
    ///
    /// # Panics
    /// After 2^32 entries.
    pub fn push(&mut self, node: NodeIndex, depth: u32, url: &str) -> bool {
        let (_, new) = self.urls.insert(url);
        if new {
            self.entries.push(Entry { node, depth });
        }
        new
    }

    /// Whether the level holds `url`.
    pub fn contains(&self, url: &str) -> bool {
        self.urls.get_index_of(url).is_some()
    }

    /// Number of queued pages.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The graph node of entry `i`.
    ///
    /// # Panics
    /// If `i >= len()`, as every accessor here.
    pub fn node(&self, i: usize) -> NodeIndex {
        self.entries[i].node
    }

    /// The depth of entry `i`.
    pub fn depth(&self, i: usize) -> u32 {
        self.entries[i].depth
    }

    /// The URL text of entry `i`.
    pub fn as_str(&self, i: usize) -> &str {
        self.urls.get(i)
    }

    /// The URL of entry `i`, parsed again.
    ///
    /// # Panics
    /// If the text queued for it was not an absolute URL (only `Url`s are queued by the crawl).
    pub fn url(&self, i: usize) -> Url {
        Url::parse(self.as_str(i)).expect("a queued URL parses again")
    }

    /// The entries as (node, depth, URL text), in order.
    pub fn iter(&self) -> impl Iterator<Item = (NodeIndex, u32, &str)> + '_ {
        (0..self.len()).map(|i| (self.node(i), self.depth(i), self.as_str(i)))
    }

    /// The nodes of the entries from `start` on.
    pub fn nodes_from(&self, start: usize) -> impl Iterator<Item = NodeIndex> + '_ {
        self.entries.iter().skip(start).map(|entry| entry.node)
    }

    /// Keeps the first `len` entries.
    pub fn truncate(&mut self, len: usize) {
        if len < self.len() {
            self.keep_only(|i| i < len);
        }
    }

    /// Keeps the entries whose URL text `keep` accepts (asked once each, in order).
    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        let kept: Vec<bool> = (0..self.len()).map(|i| keep(self.as_str(i))).collect();
        if !kept.iter().all(|&k| k) {
            self.keep_only(|i| kept[i]);
        }
    }

    /// Rebuilds the level from the entries `keep` names by position (texts and index).
    fn keep_only(&mut self, keep: impl Fn(usize) -> bool) {
        let old = std::mem::take(self);
        for i in (0..old.len()).filter(|&i| keep(i)) {
            self.push(old.node(i), old.depth(i), old.as_str(i));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(urls: &[&str]) -> Frontier {
        let mut level = Frontier::new();
        for (i, url) in urls.iter().enumerate() {
            level.push(NodeIndex::new(i), u32::try_from(i).unwrap(), url);
        }
        level
    }

    #[test]
    fn entries_keep_their_order_node_depth_and_text_without_duplicates() {
        let mut level = level(&["http://a.test/", "http://a.test/x?y=1", "http://b.test/"]);
        assert!(!level.push(NodeIndex::new(9), 9, "http://a.test/x?y=1"));
        assert_eq!(level.len(), 3);
        assert_eq!(level.as_str(1), "http://a.test/x?y=1");
        assert_eq!((level.node(1), level.depth(1)), (NodeIndex::new(1), 1));
        assert_eq!(level.url(2), Url::parse("http://b.test/").unwrap());
        assert!(level.contains("http://b.test/") && !level.contains("http://c.test/"));
        let texts: Vec<&str> = level.iter().map(|(_, _, url)| url).collect();
        assert_eq!(
            texts,
            ["http://a.test/", "http://a.test/x?y=1", "http://b.test/"]
        );
        level.push(NodeIndex::new(3), 3, "http://c.test/");
        assert_eq!(
            level.nodes_from(2).collect::<Vec<_>>(),
            [2, 3].map(NodeIndex::new)
        );
    }

    #[test]
    fn retain_and_truncate_keep_texts_and_the_index_right() {
        let mut level = level(&["http://a.test/1", "http://a.test/22", "http://a.test/333"]);
        let mut asked = Vec::new();
        level.retain(|url| {
            asked.push(url.to_owned());
            !url.ends_with("22")
        });
        assert_eq!(asked.len(), 3, "asked once each");
        let kept: Vec<(usize, &str)> = level.iter().map(|(n, _, u)| (n.index(), u)).collect();
        assert_eq!(kept, [(0, "http://a.test/1"), (2, "http://a.test/333")]);
        assert!(!level.contains("http://a.test/22"));
        assert!(
            level.push(NodeIndex::new(5), 1, "http://a.test/22"),
            "gone, so new"
        );
        assert!(
            !level.push(NodeIndex::new(6), 1, "http://a.test/333"),
            "still there"
        );
        level.truncate(1);
        assert_eq!(level.len(), 1);
        assert!(!level.contains("http://a.test/333"));
        assert!(level.push(NodeIndex::new(7), 1, "http://a.test/333"));
        assert_eq!(level.as_str(1), "http://a.test/333");
    }
}
