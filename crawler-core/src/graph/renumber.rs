//! Putting a graph's nodes and edges in another order ([`CrawlGraph::renumber`]), and reading
//! the edges of one page ([`OutEdges`]).
//!
//! A crawl that folds pages in the order their answers arrive builds the same nodes and edges
//! in an order that depends on timing; the crawl renumbers them into its canonical order
//! before it hands the graph out (see `crawl::order`).

use std::hash::BuildHasher;

use super::{narrow, Chunked, CrawlGraph, Edge, Link, Run};
use petgraph::graph::NodeIndex;

/// Where each page's edges are: for each page, its runs of edges, in edge order.
///
/// The crawl folds all the edges of a page at once, so a page has one run; a graph built by
/// hand may have several, and they are read in order.
#[derive(Debug)]
pub(crate) struct OutEdges {
    /// The first run of each page, or `u32::MAX`.
    head: Vec<u32>,
    /// The next run of the same page, or `u32::MAX`.
    next: Vec<u32>,
}

impl OutEdges {
    /// The index of `graph`'s edges by source page.
    pub(crate) fn of(graph: &CrawlGraph) -> Self {
        let mut head = vec![u32::MAX; graph.page_count()];
        let mut next = vec![u32::MAX; graph.runs.len()];
        // Backwards, so each page's list comes out in edge order.
        for (i, run) in graph.runs.iter().enumerate().rev() {
            let source = run.source as usize;
            next[i] = head[source];
            head[source] = narrow(i);
        }
        Self { head, next }
    }

    /// The edges leaving `source`, in edge order, as (edge index, target, link).
    pub(crate) fn edges<'a>(
        &'a self,
        graph: &'a CrawlGraph,
        source: NodeIndex,
    ) -> impl Iterator<Item = (usize, NodeIndex, &'a Link)> + 'a {
        let mut run = self.head[source.index()];
        std::iter::from_fn(move || {
            if run == u32::MAX {
                return None;
            }
            let range = graph.run_range(run as usize);
            run = self.next[run as usize];
            Some(range)
        })
        .flatten()
        .map(move |edge| {
            let Edge { target, link } = graph.edges[edge];
            (
                edge,
                NodeIndex::new(target as usize),
                &graph.links[link as usize],
            )
        })
    }
}

impl CrawlGraph {
    /// The edges of run `run`.
    fn run_range(&self, run: usize) -> std::ops::Range<usize> {
        let first = self.runs[run].first as usize;
        let end = self
            .runs
            .get(run + 1)
            .map_or(self.edges.len(), |next| next.first as usize);
        first..end
    }

    /// Puts the pages in the order `order` gives (the old index of each new node: a
    /// permutation of `0..page_count`), and the edges in the order of their new sources, each
    /// page's edges in their old order. Fragments follow their edges; texts, URLs and pages
    /// are unchanged. O(pages + edges).
    ///
    /// # Panics
    /// If `order` is not a permutation of the graph's nodes.
    pub(crate) fn renumber(&mut self, order: &[u32]) {
        let count = self.page_count();
        assert_eq!(order.len(), count, "a new place for every page");
        let mut new_of = vec![u32::MAX; count];
        for (new, &old) in order.iter().enumerate() {
            assert_eq!(new_of[old as usize], u32::MAX, "page {old} placed twice");
            new_of[old as usize] = narrow(new);
        }
        if order
            .iter()
            .enumerate()
            .all(|(new, &old)| new == old as usize)
        {
            return;
        }
        self.changed();
        let out = OutEdges::of(self);
        let mut edges = Chunked::default();
        let mut runs = Vec::with_capacity(self.runs.len());
        let mut fragments = super::fragment::Fragments::default();
        for (new, &old) in order.iter().enumerate() {
            let mut first = true;
            for (edge, target, _) in out.edges(self, NodeIndex::new(old as usize)) {
                let Edge { link, .. } = self.edges[edge];
                let target = new_of[target.index()];
                let at = narrow(edges.push(Edge { target, link }));
                if first {
                    runs.push(Run {
                        first: at,
                        source: narrow(new),
                    });
                    first = false;
                }
                if self.fragments.len() > 0 {
                    for fragment in self.fragments.of(narrow(edge)) {
                        fragments.push(at, *fragment);
                    }
                }
            }
        }
        let mut old_pages: Vec<Option<super::Page>> = std::mem::take(&mut self.pages)
            .into_iter()
            .map(Some)
            .collect();
        let mut pages = Chunked::default();
        for &old in order {
            let page = old_pages[old as usize].take().expect("a permutation");
            pages.push(page);
        }
        self.pages = pages;
        self.edges = edges;
        self.runs = runs;
        self.fragments = fragments;
        self.reindex();
    }

    /// Builds the URL index again from the pages.
    fn reindex(&mut self) {
        let Self {
            pages,
            index,
            hasher,
            ..
        } = self;
        index.clear();
        for (i, page) in pages.iter().enumerate() {
            index.insert_unique(hasher.hash_one(page.url.as_str()), narrow(i), |&i| {
                hasher.hash_one(pages[i as usize].url.as_str())
            });
        }
    }
}
