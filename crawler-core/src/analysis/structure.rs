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
use serde::Serialize;

use crate::graph::state::page_state;
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

/// Strongly connected components of `graph`: Tarjan's algorithm with an explicit stack, over
/// the links laid out as flat arrays. petgraph's `tarjan_scc` recurses once per page on a
/// path and overflowed the stack on a 100k-page crawl; its `kosaraju_scc` walks the per-node
/// edge lists twice and took seconds on 3.6M links.
pub fn components(graph: &CrawlGraph) -> Components {
    let n = graph.page_count();
    let (offsets, targets) = adjacency(graph);
    let mut t = Tarjan {
        index: vec![UNSEEN; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        calls: Vec::new(),
        next: 0,
    };
    let mut out = Components {
        count: 0,
        non_trivial: 0,
        largest: 0,
    };
    for root in 0..n {
        if t.index[root] != UNSEEN {
            continue;
        }
        t.visit(root, &offsets);
        while let Some(&mut (u, ref mut pos)) = t.calls.last_mut() {
            if *pos < offsets[u + 1] {
                let w = targets[*pos] as usize;
                *pos += 1;
                if t.index[w] == UNSEEN {
                    t.visit(w, &offsets);
                } else if t.on_stack[w] {
                    t.low[u] = t.low[u].min(t.index[w]);
                }
                continue;
            }
            t.calls.pop();
            if let Some(&(parent, _)) = t.calls.last() {
                t.low[parent] = t.low[parent].min(t.low[u]);
            }
            if t.low[u] == t.index[u] {
                let mut size = 0;
                while let Some(w) = t.stack.pop() {
                    t.on_stack[w] = false;
                    size += 1;
                    if w == u {
                        break;
                    }
                }
                out.count += 1;
                out.non_trivial += usize::from(size > 1);
                out.largest = out.largest.max(size);
            }
        }
    }
    out
}

const UNSEEN: usize = usize::MAX;

/// The state of the iterative Tarjan walk: visit order, low links, the component stack, and
/// the explicit call stack of (page, next out-link to look at).
struct Tarjan {
    index: Vec<usize>,
    low: Vec<usize>,
    on_stack: Vec<bool>,
    stack: Vec<usize>,
    calls: Vec<(usize, usize)>,
    next: usize,
}

impl Tarjan {
    fn visit(&mut self, u: usize, offsets: &[usize]) {
        self.index[u] = self.next;
        self.low[u] = self.next;
        self.next += 1;
        self.stack.push(u);
        self.on_stack[u] = true;
        self.calls.push((u, offsets[u]));
    }
}

/// Out-links as compressed rows: the targets of page `i` are `targets[offsets[i]..offsets[i + 1]]`.
fn adjacency(graph: &CrawlGraph) -> (Vec<usize>, Vec<u32>) {
    let n = graph.page_count();
    let edges = graph.as_petgraph().raw_edges();
    let mut offsets = vec![0usize; n + 1];
    for e in edges {
        offsets[e.source().index() + 1] += 1;
    }
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    let mut fill = offsets.clone();
    let mut targets = vec![0u32; edges.len()];
    for e in edges {
        let s = e.source().index();
        targets[fill[s]] = index_u32(e.target());
        fill[s] += 1;
    }
    (offsets, targets)
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

/// The structure report of `graph`, keeping `top` entries per ranking. Degrees and single
/// referrers come from one sequential pass over the edge list.
pub fn structure(graph: &CrawlGraph, top: usize) -> StructureReport {
    const NONE: u32 = u32::MAX;
    const MANY: u32 = u32::MAX - 1;
    let pg = graph.as_petgraph();
    let n = pg.node_count();
    let rank = pagerank(graph);
    let (mut in_degree, mut out_degree) = (vec![0u32; n], vec![0u32; n]);
    // The one page linking to each page, NONE, or MANY.
    let mut referrer = vec![NONE; n];
    for edge in pg.raw_edges() {
        let (s, t) = (edge.source().index(), edge.target().index());
        if s == t {
            continue;
        }
        in_degree[t] += 1;
        out_degree[s] += 1;
        let source = index_u32(edge.source());
        referrer[t] = match referrer[t] {
            NONE => source,
            one if one == source => one,
            _ => MANY,
        };
    }
    let single: Vec<usize> = (0..n)
        .filter(|&i| referrer[i] != NONE && referrer[i] != MANY)
        .collect();
    let linked_from_one_list = single
        .iter()
        .take(top)
        .map(|&i| SingleReferrer {
            url: pg[NodeIndex::new(i)].url.to_string(),
            referrer: pg[NodeIndex::new(referrer[i] as usize)].url.to_string(),
        })
        .collect();
    StructureReport {
        top_in_degree: top_by(graph, top, |i| f64::from(in_degree[i.index()])),
        top_out_degree: top_by(graph, top, |i| f64::from(out_degree[i.index()])),
        top_pagerank: top_by(graph, top, |i| rank.scores[i.index()]),
        pagerank: rank.info,
        components: components(graph),
        linked_from_one: single.len(),
        linked_from_one_list,
    }
}

#[cfg(test)]
mod tests;
