//! The canonical order of a finished crawl's pages and edges, computed from the graph alone,
//! so that an export does not depend on the order in which answers arrived.
//!
//! It is the order a crawl that fetches level by level and folds each level in order builds:
//! 1. the sitemaps' URLs and the seeds, in the order of their nodes (the sitemaps are read
//!    before the seeds are claimed);
//! 2. then level by level, each page of the level visited in turn: its edges in the order the
//!    page gave them, each target numbered when first met;
//! 3. a redirect to a page of the same depth that no earlier page queued is followed at once
//!    (the redirect's target keeps the depth of the URL that redirected, and its links come
//!    right after the redirect), as the fetch follows a redirect chain;
//! 4. a followed link queues its target for the next level, unless the target is queued
//!    already or is reached by such a redirect of a page of its own depth (that redirect
//!    reaches it first).
//!
//! A page is visited once; pages and edges no visit reached (pages of a crawl that stopped
//! early) keep their relative order after the rest. A crawl that runs level by level builds
//! this order as it goes, so for it the renumbering changes nothing; a crawl that folds pages
//! as they arrive gets the same graph, node for node and edge for edge.

use petgraph::graph::NodeIndex;

use crate::config::links::LinkOptions;
use crate::graph::{CrawlGraph, LinkKind};

/// The canonical order of a graph: its pages, and the pages whose edges come first, in the
/// order they do.
#[derive(Debug)]
pub(crate) struct Canonical {
    /// The old index of each page, in canonical order.
    pub(crate) pages: Vec<u32>,
    /// The pages visited, in order: their edges come first, in this order.
    pub(crate) sources: Vec<u32>,
}

/// The canonical order of `graph`. `roots` are the seeds and `listed` the sitemaps' URLs,
/// each in the order they were added.
pub(crate) fn canonical(
    graph: &CrawlGraph,
    roots: &[NodeIndex],
    listed: &[NodeIndex],
    links: LinkOptions,
) -> Canonical {
    let count = graph.page_count();
    let mut order = Order {
        placed: vec![false; count],
        order: Vec::with_capacity(count),
    };
    // In the order of their nodes: the sitemaps' URLs are found before the seeds are claimed,
    // and a seed of a later part of a long list that an earlier part linked has its node from
    // that link (with several such seeds, their order among themselves is the order their
    // links were folded in, which a crawl without levels does not fix).
    let mut added: Vec<NodeIndex> = listed.iter().chain(roots).copied().collect();
    added.sort_unstable();
    for &root in &added {
        order.place(root);
    }
    let depth = |node: NodeIndex| graph.page_at(node).depth;
    // Targets of a redirect from a page of their own depth: that redirect reaches them.
    let mut redirected = vec![false; count];
    for (source, target, link) in graph.edge_ends() {
        if link.kind == LinkKind::Redirect && depth(source) == depth(target) {
            redirected[target.index()] = true;
        }
    }
    let mut queued = vec![false; count];
    let mut sources = Vec::new();
    let mut level: Vec<NodeIndex> = Vec::new();
    for &root in roots.iter().chain(listed) {
        if !std::mem::replace(&mut queued[root.index()], true) {
            level.push(root);
        }
    }
    while !level.is_empty() {
        let mut next = Vec::new();
        for &page in &level {
            let mut at = page;
            // The page, then the redirect chain it starts.
            loop {
                sources.push(narrow(at));
                let mut chained = None;
                for (_, target, link) in graph.out_links(at) {
                    order.place(target);
                    let t = target.index();
                    if queued[t] {
                        continue;
                    }
                    if link.kind == LinkKind::Redirect {
                        if depth(target) == depth(at) {
                            queued[t] = true;
                            chained = Some(target);
                        }
                        continue;
                    }
                    let rel = graph.link_rel(link);
                    if !links.follows(link.kind, rel, link.nofollow) {
                        continue;
                    }
                    if redirected[t] && depth(target) <= depth(at) {
                        continue;
                    }
                    queued[t] = true;
                    next.push(target);
                }
                match chained {
                    Some(target) => at = target,
                    None => break,
                }
            }
        }
        level = next;
    }
    for node in 0..count {
        order.place(NodeIndex::new(node));
    }
    Canonical {
        pages: order.order,
        sources,
    }
}

fn narrow(node: NodeIndex) -> u32 {
    u32::try_from(node.index()).expect("fewer than 2^32 pages")
}

/// The canonical order as it is built.
struct Order {
    placed: Vec<bool>,
    order: Vec<u32>,
}

impl Order {
    /// Gives `node` the next place, unless it has one.
    fn place(&mut self, node: NodeIndex) {
        if !std::mem::replace(&mut self.placed[node.index()], true) {
            self.order.push(narrow(node));
        }
    }
}
