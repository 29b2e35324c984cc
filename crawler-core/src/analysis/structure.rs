//! Link structure: which pages the links favour (in-degree, PageRank), which link out most,
//! how the site falls into strongly connected components, and which pages hang on one link.
//!
//! Degrees count edges from or to *other* pages (self-links do not count). PageRank follows
//! networkx's `pagerank` so the numbers can be checked against it: every node of the graph
//! takes part (unfetched ones are dangling), damping 0.85, each page's rank split evenly over
//! its out-edges (self-links included), the rank of dangling pages spread uniformly over all
//! pages, starting from the uniform vector. It iterates until the L1 distance between two
//! successive vectors is below [`PAGERANK_TOLERANCE`] or [`PAGERANK_MAX_ITERATIONS`] passes
//! are done, and reports which happened.

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde::Serialize;

use crate::export::page_state;
use crate::graph::CrawlGraph;

/// PageRank's damping factor.
pub const PAGERANK_DAMPING: f64 = 0.85;
/// PageRank stops when the L1 distance between successive vectors is below this.
pub const PAGERANK_TOLERANCE: f64 = 1e-9;
/// PageRank stops after this many passes at the latest.
pub const PAGERANK_MAX_ITERATIONS: u32 = 100;

/// Degrees, PageRank and components.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct StructureReport {
    /// Pages most linked to (distinct edges from other pages).
    pub top_in_degree: Vec<Ranked>,
    /// Pages linking to most other pages.
    pub top_out_degree: Vec<Ranked>,
    /// Pages with the highest PageRank.
    pub top_pagerank: Vec<Ranked>,
    /// How the PageRank iteration ended.
    pub pagerank: PageRankInfo,
    /// Strongly connected components.
    pub components: Components,
    /// Pages that exactly one other page links or redirects to.
    pub linked_from_one: usize,
    /// The first of them in discovery order (at most `top`), with that one referrer.
    pub linked_from_one_list: Vec<SingleReferrer>,
}

/// A page with a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Ranked {
    /// The URL.
    pub url: String,
    /// The page's state (see the exports).
    pub state: &'static str,
    /// The degree or the PageRank.
    pub value: f64,
}

/// How PageRank converged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PageRankInfo {
    /// The damping factor used.
    pub damping: f64,
    /// Passes made.
    pub iterations: u32,
    /// L1 distance between the last two vectors.
    pub delta: f64,
    /// Whether `delta` fell below the tolerance (otherwise the pass limit stopped it).
    pub converged: bool,
}

/// Strongly connected components (Kosaraju).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Components {
    /// Number of components, single pages included.
    pub count: usize,
    /// Components of more than one page.
    pub non_trivial: usize,
    /// Pages in the largest component.
    pub largest: usize,
}

/// A page with its only referrer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SingleReferrer {
    /// The page.
    pub url: String,
    /// The one page linking or redirecting to it.
    pub referrer: String,
}

/// PageRank scores by node index, with how the iteration ended.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PageRank {
    /// One score per node, indexed by `NodeIndex::index()`; they sum to 1.
    pub scores: Vec<f64>,
    /// How the iteration ended.
    pub info: PageRankInfo,
}

/// PageRank of every page of `graph` (see the module docs). O(iterations × links).
#[expect(clippy::cast_precision_loss, reason = "page counts are far below 2^52")]
pub fn pagerank(graph: &CrawlGraph) -> PageRank {
    let pg = graph.as_petgraph();
    let n = pg.node_count();
    let mut info = PageRankInfo {
        damping: PAGERANK_DAMPING,
        iterations: 0,
        delta: 0.0,
        converged: true,
    };
    if n == 0 {
        return PageRank {
            scores: Vec::new(),
            info,
        };
    }
    let edges: Vec<(u32, u32)> = pg
        .raw_edges()
        .iter()
        .map(|e| (index_u32(e.source()), index_u32(e.target())))
        .collect();
    let mut out_degree = vec![0u32; n];
    for &(s, _) in &edges {
        out_degree[s as usize] += 1;
    }
    let uniform = 1.0 / n as f64;
    let mut x = vec![uniform; n];
    let mut share = vec![0.0; n];
    info.converged = false;
    while info.iterations < PAGERANK_MAX_ITERATIONS {
        info.iterations += 1;
        let mut dangling = 0.0;
        for (i, (&rank, &degree)) in x.iter().zip(&out_degree).enumerate() {
            if degree == 0 {
                dangling += rank;
                share[i] = 0.0;
            } else {
                share[i] = PAGERANK_DAMPING * rank / f64::from(degree);
            }
        }
        let base = (PAGERANK_DAMPING * dangling + 1.0 - PAGERANK_DAMPING) * uniform;
        let mut next = vec![base; n];
        for &(s, t) in &edges {
            next[t as usize] += share[s as usize];
        }
        info.delta = next.iter().zip(&x).map(|(a, b)| (a - b).abs()).sum();
        x = next;
        if info.delta < PAGERANK_TOLERANCE {
            info.converged = true;
            break;
        }
    }
    PageRank { scores: x, info }
}

fn index_u32(index: NodeIndex) -> u32 {
    u32::try_from(index.index()).expect("petgraph's default index type is u32")
}

/// Strongly connected components of `graph`, with Kosaraju's algorithm: petgraph's is
/// iterative, while its `tarjan_scc` recurses once per page on a path and overflowed the
/// stack on a 100k-page crawl.
pub fn components(graph: &CrawlGraph) -> Components {
    let sccs = petgraph::algo::kosaraju_scc(graph.as_petgraph());
    Components {
        count: sccs.len(),
        non_trivial: sccs.iter().filter(|c| c.len() > 1).count(),
        largest: sccs.iter().map(Vec::len).max().unwrap_or(0),
    }
}

/// The `top` pages by `score`, highest first, ties in discovery order.
fn top_by(graph: &CrawlGraph, top: usize, score: impl Fn(NodeIndex) -> f64) -> Vec<Ranked> {
    let mut scored: Vec<(NodeIndex, f64)> = graph
        .as_petgraph()
        .node_indices()
        .map(|i| (i, score(i)))
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored
        .into_iter()
        .take(top)
        .map(|(i, value)| {
            let page = &graph.as_petgraph()[i];
            Ranked {
                url: page.url.to_string(),
                state: page_state(page),
                value,
            }
        })
        .collect()
}

/// Edges between `index` and other pages in `direction`.
#[expect(clippy::cast_precision_loss, reason = "degrees are far below 2^52")]
fn degree(graph: &CrawlGraph, index: NodeIndex, direction: Direction) -> f64 {
    graph
        .as_petgraph()
        .edges_directed(index, direction)
        .filter(|e| e.source() != e.target())
        .count() as f64
}

/// The structure report of `graph`, keeping `top` entries per ranking.
pub fn structure(graph: &CrawlGraph, top: usize) -> StructureReport {
    let pg = graph.as_petgraph();
    let rank = pagerank(graph);
    let mut linked_from_one = 0;
    let mut linked_from_one_list = Vec::new();
    for index in pg.node_indices() {
        let mut sources = pg
            .edges_directed(index, Direction::Incoming)
            .map(|e| e.source())
            .filter(|&s| s != index);
        let Some(first) = sources.next() else {
            continue;
        };
        if sources.all(|s| s == first) {
            linked_from_one += 1;
            if linked_from_one_list.len() < top {
                linked_from_one_list.push(SingleReferrer {
                    url: pg[index].url.to_string(),
                    referrer: pg[first].url.to_string(),
                });
            }
        }
    }
    StructureReport {
        top_in_degree: top_by(graph, top, |i| degree(graph, i, Direction::Incoming)),
        top_out_degree: top_by(graph, top, |i| degree(graph, i, Direction::Outgoing)),
        top_pagerank: top_by(graph, top, |i| rank.scores[i.index()]),
        pagerank: rank.info,
        components: components(graph),
        linked_from_one,
        linked_from_one_list,
    }
}

#[cfg(test)]
mod tests;
