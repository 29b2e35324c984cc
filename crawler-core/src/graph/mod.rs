//! The link graph: pages are nodes, links and redirects are edges.
//!
//! A compact store of pages and edges with a URL index, so a page can be found by URL in O(1),
//! viewable as petgraph's [`DiGraph`] for algorithms. Nodes are added in breadth-first
//! discovery order and never removed, so a [`NodeIndex`] stays valid and node order is the
//! order in which the crawl met the pages.
//!
//! This is the bottom of the house above `error` and `strings`: the crawl, the fetch, the
//! exports, the analyses and the importers all read these types, and they import none of those.
//!
//! # Architecture
//! - `mod.rs`: [`CrawlGraph`] and its edges, [`Link`].
//! - `page.rs`: [`Page`], a node, and [`SkipReason`], why a page was left unfetched.
//! - `renumber.rs`: a page's edges read from the page, and the pages and edges put in
//!   another order.
//! - `fragment.rs`: [`EdgeFragment`], the fragments a link names on its target page, kept
//!   beside the edges.
//! - `chunks.rs`: the chunked vectors pages and edges are stored in.
//! - [`link_kind`]: [`LinkKind`] and [`LinkKinds`](link_kind::LinkKinds), what kind of
//!   reference a link is, and the `rel` tokens (`nofollow`).
//! - [`report`]: [`CrawlReport`](report::CrawlReport), the graph with its stats and stop reason.
//! - `state.rs`: the one-word state of a page, as exports and analyses print it.

mod chunks;
mod fragment;
pub mod link_kind;
mod page;
mod renumber;
pub mod report;
pub(crate) mod state;

use std::hash::BuildHasher;
use std::num::NonZeroU32;
use std::sync::OnceLock;

use hashbrown::{DefaultHashBuilder, HashTable};
use indexmap::IndexSet;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use url::Url;

use crate::strings::StringTable;
use chunks::Chunked;
use fragment::Fragments;

pub use crate::graph::link_kind::LinkKind;
pub use fragment::EdgeFragment;
pub use page::{Page, SkipReason, Validators};

/// An interned string of the graph (anchor text or `rel`): see [`CrawlGraph::text`].
///
/// Texts repeat across a site (menus, footers, "next"), so each distinct one is stored once;
/// this keeps an edge at 12 bytes, which matters when a crawl holds millions of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TextId(NonZeroU32);

/// An edge: how the source page points at the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Link {
    /// What kind of link it is.
    pub kind: LinkKind,
    /// Anchor text of the first link of this kind to this target on the page, or the
    /// `hreflang` of an alternate link ([`CrawlGraph::text`]).
    pub text: Option<TextId>,
    /// The `rel` attribute of that link ([`CrawlGraph::text`]).
    pub rel: Option<TextId>,
    /// The source page's robots directives said `nofollow`: the link was recorded, not
    /// followed (unless the crawl ignored such directives).
    pub nofollow: bool,
    /// Only the page's rendered DOM had this link, not its HTML as served.
    pub rendered: bool,
}

impl Link {
    /// A redirect edge.
    pub fn redirect() -> Self {
        Self::new(LinkKind::Redirect, None, None, false)
    }

    /// An anchor edge with optional text and `rel`, interned with [`CrawlGraph::intern`].
    pub fn anchor(text: Option<TextId>, rel: Option<TextId>) -> Self {
        Self::new(LinkKind::Anchor, text, rel, false)
    }

    /// An edge of any kind.
    pub fn new(kind: LinkKind, text: Option<TextId>, rel: Option<TextId>, nofollow: bool) -> Self {
        Self {
            kind,
            text,
            rel,
            nofollow,
            rendered: false,
        }
    }

    /// This link, marked as found only in the rendered DOM when `rendered` is true.
    #[must_use]
    pub fn with_rendered(mut self, rendered: bool) -> Self {
        self.rendered = rendered;
        self
    }
}

/// The crawl's result: a directed graph of [`Page`]s and [`Link`]s with a URL index.
///
/// Stored compactly, since a crawl's graph is its memory: pages and edges in fixed-size
/// chunks (no doubling slack, no copy of the whole store while growing), an edge as 8 bytes
/// (target and an interned [`Link`]: a site's links repeat their texts, so distinct links are
/// about as many as distinct texts) with its source recorded once per run of edges from the
/// same page, and each URL once, in its page. [`as_petgraph`](Self::as_petgraph) builds the
/// petgraph graph on first use.
#[derive(Debug, Clone, Default)]
pub struct CrawlGraph {
    pages: Chunked<Page>,
    edges: Chunked<Edge>,
    /// Where the source of the edges changes, in edge order.
    runs: Vec<Run>,
    /// The first run of each page's edges (`u32::MAX`: none), and the next run of the same
    /// page after each run: a page's edges found from the page ([`out_links`](Self::out_links)).
    run_head: Vec<u32>,
    run_next: Vec<u32>,
    /// Page indices hashed by their page's URL string: the URL is stored once, in the page.
    index: HashTable<u32>,
    /// foldhash (randomly seeded), not `SipHash`: the profile put `SipHash` at 2-3% of a crawl.
    hasher: DefaultHashBuilder,
    texts: StringTable,
    links: IndexSet<Link, DefaultHashBuilder>,
    /// The fragments of the edges that have some.
    fragments: Fragments,
    /// The petgraph view, built by `as_petgraph` and dropped by any change.
    petgraph: OnceLock<DiGraph<Page, Link>>,
}

/// An edge without its source: the target page and the index of its [`Link`].
#[derive(Debug, Clone, Copy)]
struct Edge {
    target: u32,
    link: u32,
}

/// Edges from `first` on (until the next run) leave page `source`.
#[derive(Debug, Clone, Copy)]
struct Run {
    first: u32,
    source: u32,
}

/// A position in the graph's stores as the `u32` they keep.
fn narrow(index: usize) -> u32 {
    u32::try_from(index).expect("fewer than 2^32 pages and edges")
}

impl CrawlGraph {
    /// An empty graph.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a page for `url` at `depth`, or returns the existing one. The bool is true when the
    /// page is new. O(1) amortised.
    pub fn add_page(&mut self, url: &Url, depth: u32) -> (NodeIndex, bool) {
        if let Some(index) = self.index_of(url) {
            return (index, false);
        }
        self.changed();
        let index = narrow(self.pages.push(Page::new(url.clone(), depth)));
        self.run_head.push(u32::MAX);
        let Self {
            pages,
            index: table,
            hasher,
            ..
        } = self;
        table.insert_unique(hasher.hash_one(url.as_str()), index, |&i| {
            hasher.hash_one(pages[i as usize].url.as_str())
        });
        (NodeIndex::new(index as usize), true)
    }

    /// Adds an edge. O(1) amortised. Parallel edges are allowed; the crawler adds at most one
    /// anchor edge per (source, target).
    ///
    /// # Panics
    /// If either index is not a node of this graph (as petgraph's `add_edge`).
    pub fn add_link(&mut self, source: NodeIndex, target: NodeIndex, link: Link) -> EdgeIndex {
        let count = self.pages.len();
        assert!(
            source.index() < count && target.index() < count,
            "edge {source:?} -> {target:?} in a graph of {count} pages"
        );
        self.changed();
        let source = narrow(source.index());
        if self.runs.last().is_none_or(|run| run.source != source) {
            let first = narrow(self.edges.len());
            self.add_run(Run { first, source });
        }
        let link = narrow(self.links.insert_full(link).0);
        let target = narrow(target.index());
        EdgeIndex::new(self.edges.push(Edge { target, link }))
    }

    /// Adds the fragment `name` (as a URL writes it, without `#`) of a link whose anchor text
    /// is `text` to `edge`, marked `broken` or not. O(1) amortised. The edge's target and the
    /// petgraph view do not change.
    ///
    /// # Panics
    /// If `edge` is not an edge of this graph, or an edge before the last one given a fragment
    /// (fragments are added in edge order).
    pub fn add_fragment(&mut self, edge: EdgeIndex, name: &str, text: Option<&str>, broken: bool) {
        let count = self.edges.len();
        assert!(edge.index() < count, "{edge:?} in a graph of {count} edges");
        let name = self.intern(name);
        let text = text.map(|text| self.intern(text));
        let fragment = EdgeFragment { name, text, broken };
        self.fragments.push(narrow(edge.index()), fragment);
    }

    /// The fragments of `edge`, in the order they were added; empty for an unknown edge.
    /// O(log f) for f fragments in the graph.
    pub fn fragments(&self, edge: EdgeIndex) -> &[EdgeFragment] {
        u32::try_from(edge.index()).map_or(&[], |edge| self.fragments.of(edge))
    }

    /// The fragments of `edge`, mutably (to mark them broken).
    pub(crate) fn fragments_mut(&mut self, edge: EdgeIndex) -> &mut [EdgeFragment] {
        self.fragments.of_mut(narrow(edge.index()))
    }

    /// The edges that have fragments, in edge order. O(f).
    pub fn fragment_edges(&self) -> impl Iterator<Item = EdgeIndex> + '_ {
        self.fragments.edges().map(|e| EdgeIndex::new(e as usize))
    }

    /// Number of fragments on all edges.
    pub fn fragment_count(&self) -> usize {
        self.fragments.len()
    }

    /// The fragment's name, as a URL writes it.
    pub fn fragment_name(&self, fragment: &EdgeFragment) -> &str {
        self.text(fragment.name)
    }

    /// The fragments of `edge` as (name, broken), in the order they were added.
    pub fn fragment_names(&self, edge: EdgeIndex) -> impl Iterator<Item = (&str, bool)> + '_ {
        self.fragments(edge)
            .iter()
            .map(|f| (self.fragment_name(f), f.broken))
    }

    /// The anchor text of the first link with `fragment`, if any.
    pub fn fragment_text(&self, fragment: &EdgeFragment) -> Option<&str> {
        fragment.text.map(|id| self.text(id))
    }

    /// Stores `text` once and returns its id. O(1) amortised.
    ///
    /// # Panics
    /// After 4 billion distinct texts.
    pub fn intern(&mut self, text: &str) -> TextId {
        let (index, _) = self.texts.insert(text);
        let id = u32::try_from(index + 1).expect("fewer than 2^32 distinct texts");
        TextId(NonZeroU32::new(id).expect("index + 1 is never zero"))
    }

    /// The text behind an id from this graph.
    ///
    /// # Panics
    /// If `id` comes from another graph with more texts.
    pub fn text(&self, id: TextId) -> &str {
        self.texts.get(id.0.get() as usize - 1)
    }

    /// The anchor text of `link`, if any.
    pub fn link_text(&self, link: &Link) -> Option<&str> {
        link.text.map(|id| self.text(id))
    }

    /// The `rel` of `link`, if any.
    pub fn link_rel(&self, link: &Link) -> Option<&str> {
        link.rel.map(|id| self.text(id))
    }

    /// The index of the page for `url`, if the crawl met it.
    pub fn index_of(&self, url: &Url) -> Option<NodeIndex> {
        let url = url.as_str();
        self.index
            .find(self.hasher.hash_one(url), |&i| {
                self.pages[i as usize].url.as_str() == url
            })
            .map(|&i| NodeIndex::new(i as usize))
    }

    /// The page for `url`, if the crawl met it.
    pub fn page(&self, url: &Url) -> Option<&Page> {
        self.index_of(url).map(|i| &self.pages[i.index()])
    }

    /// The page at `index`, mutably.
    ///
    /// # Panics
    /// If `index` is not a node of this graph.
    pub fn page_mut(&mut self, index: NodeIndex) -> &mut Page {
        self.changed();
        let count = self.pages.len();
        self.pages
            .get_mut(index.index())
            .unwrap_or_else(|| panic!("{index:?} is not a page of a graph of {count}"))
    }

    /// The page at `index`.
    ///
    /// # Panics
    /// If `index` is not a node of this graph.
    pub(crate) fn page_at(&self, index: NodeIndex) -> &Page {
        &self.pages[index.index()]
    }

    /// Pages in discovery order.
    pub fn pages(&self) -> impl Iterator<Item = &Page> + '_ {
        self.pages.iter()
    }

    /// Pages in discovery order, mutably (for the crawl loop's final marking).
    pub(crate) fn pages_mut(&mut self) -> impl Iterator<Item = &mut Page> + '_ {
        self.changed();
        self.pages.iter_mut()
    }

    /// Pages with their indices, in discovery order.
    pub fn indexed_pages(&self) -> impl Iterator<Item = (NodeIndex, &Page)> + '_ {
        self.pages
            .iter()
            .enumerate()
            .map(|(i, p)| (NodeIndex::new(i), p))
    }

    /// Edges as (source, target, link), in insertion order.
    pub fn links(&self) -> impl Iterator<Item = (&Page, &Page, &Link)> + '_ {
        self.edge_ends()
            .map(|(s, t, link)| (self.page_at(s), self.page_at(t), link))
    }

    /// Edges as (edge index, source, target, link), in insertion order.
    pub fn indexed_links(&self) -> impl Iterator<Item = (EdgeIndex, &Page, &Page, &Link)> + '_ {
        self.links()
            .enumerate()
            .map(|(i, (s, t, link))| (EdgeIndex::new(i), s, t, link))
    }

    /// The source and target of `edge`. O(log r) for r runs of edges from one source.
    ///
    /// # Panics
    /// If `edge` is not an edge of this graph.
    pub fn edge_endpoints(&self, edge: EdgeIndex) -> (NodeIndex, NodeIndex) {
        let i = narrow(edge.index());
        let run = self.runs.partition_point(|run| run.first <= i) - 1;
        let target = self.edges[edge.index()].target;
        (
            NodeIndex::new(self.runs[run].source as usize),
            NodeIndex::new(target as usize),
        )
    }

    /// The link of `edge`.
    ///
    /// # Panics
    /// If `edge` is not an edge of this graph.
    pub fn link(&self, edge: EdgeIndex) -> &Link {
        &self.links[self.edges[edge.index()].link as usize]
    }

    /// Edges as (source index, target index, link), in insertion order.
    pub(crate) fn edge_ends(&self) -> impl Iterator<Item = (NodeIndex, NodeIndex, &Link)> + '_ {
        let mut runs = self.runs.iter().peekable();
        let mut source = 0;
        self.edges.iter().enumerate().map(move |(i, edge)| {
            while let Some(run) = runs.next_if(|run| run.first as usize <= i) {
                source = run.source;
            }
            (
                NodeIndex::new(source as usize),
                NodeIndex::new(edge.target as usize),
                &self.links[edge.link as usize],
            )
        })
    }

    /// Number of pages.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Number of edges.
    pub fn link_count(&self) -> usize {
        self.edges.len()
    }

    /// The graph as petgraph's [`DiGraph`], for algorithms (shortest paths, components, ...):
    /// same node and edge indices and order. Built on the first call after a change, and kept
    /// until the next change (it holds a copy of every page).
    pub fn as_petgraph(&self) -> &DiGraph<Page, Link> {
        self.petgraph.get_or_init(|| {
            let mut graph = DiGraph::with_capacity(self.page_count(), self.link_count());
            for page in self.pages() {
                graph.add_node(page.clone());
            }
            for (source, target, link) in self.edge_ends() {
                graph.add_edge(source, target, *link);
            }
            graph
        })
    }

    /// Starts a run of edges, linked into its source's list of runs.
    fn add_run(&mut self, run: Run) {
        let at = narrow(self.runs.len());
        let source = run.source as usize;
        self.runs.push(run);
        self.run_next.push(u32::MAX);
        if self.run_head[source] == u32::MAX {
            self.run_head[source] = at;
        } else {
            // Only a graph built by hand gives a page a second run.
            let mut last = self.run_head[source] as usize;
            while self.run_next[last] != u32::MAX {
                last = self.run_next[last] as usize;
            }
            self.run_next[last] = at;
        }
    }

    /// Drops the petgraph view before a change.
    fn changed(&mut self) {
        if self.petgraph.get().is_some() {
            self.petgraph = OnceLock::new();
        }
    }
}

#[cfg(test)]
mod tests;
