//! Reading the edges of one page ([`CrawlGraph::out_links`]), and putting a graph's nodes and
//! edges in another order ([`CrawlGraph::renumber`]).
//!
//! A crawl that folds pages in the order their answers arrive builds the same nodes and edges
//! in an order that depends on timing; the crawl renumbers them into its canonical order
//! before it hands the graph out (see `crawl::order`).

use std::hash::BuildHasher;

use super::{narrow, CrawlGraph, Edge, Link, Run};
use petgraph::graph::NodeIndex;

/// Edges that stay together when renumbered: from place `new` on, the edges that were at
/// `old` on, until the next block.
#[derive(Debug, Clone, Copy)]
struct Block {
    new: u32,
    old: u32,
}

impl CrawlGraph {
    /// The edges leaving `source`, in edge order, as (edge index, target, link). O(1) to
    /// start and per edge.
    pub(crate) fn out_links(
        &self,
        source: NodeIndex,
    ) -> impl Iterator<Item = (usize, NodeIndex, &Link)> + '_ {
        let mut run = self.run_head[source.index()];
        std::iter::from_fn(move || {
            if run == u32::MAX {
                return None;
            }
            let range = self.run_range(run as usize);
            run = self.run_next[run as usize];
            Some(range)
        })
        .flatten()
        .map(move |edge| {
            let Edge { target, link } = self.edges[edge];
            (
                edge,
                NodeIndex::new(target as usize),
                &self.links[link as usize],
            )
        })
    }

    /// The edges of run `run`.
    fn run_range(&self, run: usize) -> std::ops::Range<usize> {
        let first = self.runs[run].first as usize;
        let end = self
            .runs
            .get(run + 1)
            .map_or(self.edges.len(), |next| next.first as usize);
        first..end
    }

    /// Puts the pages in the order `order` gives (the old index of each new page: a
    /// permutation of `0..page_count`), and the edges in the order of their sources in
    /// `sources` (old indices; the edges of pages not in it follow, in their old order), each
    /// page's edges in their old order. Fragments follow their edges; texts, URLs and pages
    /// are unchanged. Nothing moves when all is in that order already. O(pages + edges).
    ///
    /// # Panics
    /// If `order` is not a permutation of the graph's pages.
    pub(crate) fn renumber(&mut self, order: &[u32], sources: &[u32]) {
        let count = self.page_count();
        assert_eq!(order.len(), count, "a new place for every page");
        let mut new_of = vec![u32::MAX; count];
        for (new, &old) in order.iter().enumerate() {
            assert_eq!(new_of[old as usize], u32::MAX, "page {old} placed twice");
            new_of[old as usize] = narrow(new);
        }
        // Every source's edges once, `sources` first.
        let mut listed = vec![false; count];
        let mut edge_order: Vec<u32> = Vec::with_capacity(self.runs.len());
        for &source in sources {
            let has_edges = self.run_head[source as usize] != u32::MAX;
            if has_edges && !std::mem::replace(&mut listed[source as usize], true) {
                edge_order.push(source);
            }
        }
        for run in &self.runs {
            if !std::mem::replace(&mut listed[run.source as usize], true) {
                edge_order.push(run.source);
            }
        }
        let same_pages = order
            .iter()
            .enumerate()
            .all(|(new, &old)| new == old as usize);
        let same_edges = self.runs.len() == edge_order.len()
            && self
                .runs
                .iter()
                .zip(&edge_order)
                .all(|(run, &s)| run.source == s);
        if same_pages && same_edges {
            return;
        }
        self.changed();
        // Each page's edges in their new place: a block per page, `edge_order`'s pages in turn.
        // Blocks, not a place per edge: that would add 4 bytes an edge to the crawl's peak.
        let mut blocks: Vec<Block> = Vec::with_capacity(edge_order.len());
        let mut runs = Vec::with_capacity(edge_order.len());
        let mut fragments = super::fragment::Fragments::default();
        let mut at = 0u32;
        for &old in &edge_order {
            let first = at;
            for (edge, _, _) in self.out_links(NodeIndex::new(old as usize)) {
                if blocks
                    .last()
                    .is_none_or(|b| b.old + (at - b.new) != narrow(edge))
                {
                    blocks.push(Block {
                        new: at,
                        old: narrow(edge),
                    });
                }
                if self.fragments.len() > 0 {
                    for fragment in self.fragments.of(narrow(edge)) {
                        fragments.push(at, *fragment);
                    }
                }
                at += 1;
            }
            runs.push(Run {
                first,
                source: new_of[old as usize],
            });
        }
        // In place: a copy of the edges or pages would add to the crawl's peak memory.
        self.edges.permute_with(|place| {
            let place = narrow(place);
            let block = &blocks[blocks.partition_point(|b| b.new <= place) - 1];
            (block.old + (place - block.new)) as usize
        });
        drop(blocks);
        for edge in self.edges.iter_mut() {
            edge.target = new_of[edge.target as usize];
        }
        self.pages.permute(order);
        self.run_head = vec![u32::MAX; count];
        self.run_next = Vec::with_capacity(runs.len());
        self.runs = Vec::with_capacity(runs.len());
        for run in runs {
            self.add_run(run);
        }
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
