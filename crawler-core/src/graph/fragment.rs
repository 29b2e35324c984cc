//! The fragments of edges: which places of the target page a link names
//! (`guide.html#install`), and whether each was found, when fragments are checked.
//!
//! The edge's target stays the fragment-free page, so the graph's nodes and edges are the same
//! with or without fragments: several links from one page to another with different fragments
//! are still one edge (per kind), carrying the distinct fragments in document order. The
//! fragments sit beside the edges, stored only for the edges that have some.

use super::TextId;

/// One fragment of an edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct EdgeFragment {
    /// The fragment as the URL writes it (percent-encoded, without the `#`), interned
    /// ([`CrawlGraph::text`](super::CrawlGraph::text)).
    pub name: TextId,
    /// The anchor text of the first link with this fragment, interned.
    pub text: Option<TextId>,
    /// The target is an HTML page fetched with a 2xx answer, and nothing on it has this name:
    /// a broken fragment.
    pub broken: bool,
}

/// The fragments of the edges that have some, in edge order.
#[derive(Debug, Clone, Default)]
pub(super) struct Fragments {
    /// The edge of each fragment, ascending.
    edges: Vec<u32>,
    fragments: Vec<EdgeFragment>,
}

impl Fragments {
    /// Adds a fragment to `edge`, which must be the last edge given fragments or a later one.
    pub(super) fn push(&mut self, edge: u32, fragment: EdgeFragment) {
        assert!(
            self.edges.last().is_none_or(|&last| last <= edge),
            "fragments are added in edge order"
        );
        self.edges.push(edge);
        self.fragments.push(fragment);
    }

    /// Where the fragments of `edge` are.
    fn range(&self, edge: u32) -> std::ops::Range<usize> {
        let start = self.edges.partition_point(|&e| e < edge);
        let end = start + self.edges[start..].partition_point(|&e| e == edge);
        start..end
    }

    /// The fragments of `edge`, in the order they were added.
    pub(super) fn of(&self, edge: u32) -> &[EdgeFragment] {
        &self.fragments[self.range(edge)]
    }

    /// The fragments of `edge`, mutably.
    pub(super) fn of_mut(&mut self, edge: u32) -> &mut [EdgeFragment] {
        let range = self.range(edge);
        &mut self.fragments[range]
    }

    /// The edges that have fragments, ascending, each once.
    pub(super) fn edges(&self) -> impl Iterator<Item = u32> + '_ {
        let mut last = None;
        self.edges.iter().copied().filter(move |&edge| {
            let new = last != Some(edge);
            last = Some(edge);
            new
        })
    }

    /// Fragments held.
    pub(super) fn len(&self) -> usize {
        self.fragments.len()
    }
}
