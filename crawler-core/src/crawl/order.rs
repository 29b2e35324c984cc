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

#[cfg(test)]
mod tests {
    use url::Url;

    use super::*;
    use crate::graph::Link;

    /// The seed `s` links `a` and `r`; `r` redirects to `t` (depth 1, the redirect's), `a`
    /// links `t` and `x`, `t` links `y`. Folded as a crawl without levels may fold it, `r`'s
    /// chain before `a`: the canonical order is the level-by-level one, `a` first.
    #[test]
    fn a_graph_folded_out_of_order_gets_the_level_order() {
        let mut graph = CrawlGraph::new();
        let url = |p: &str| Url::parse(&format!("http://site.test/{p}")).unwrap();
        let node = |graph: &mut CrawlGraph, p: &str, depth| graph.add_page(&url(p), depth).0;
        let ps = node(&mut graph, "s", 0);
        let pa = node(&mut graph, "a", 1);
        let pr = node(&mut graph, "r", 1);
        let pt = node(&mut graph, "t", 1);
        let py = node(&mut graph, "y", 2);
        let px = node(&mut graph, "x", 2);
        let anchor = Link::anchor(None, None);
        for (from, to, link) in [
            (ps, pa, anchor),
            (ps, pr, anchor),
            (pr, pt, Link::redirect()),
            (pt, py, anchor),
            (pa, pt, anchor),
            (pa, px, anchor),
        ] {
            graph.add_link(from, to, link);
        }
        let order = canonical(&graph, &[ps], &[], LinkOptions::default());
        graph.renumber(&order.pages, &order.sources);
        let pages: Vec<&str> = graph.pages().map(|p| p.url.path()).collect();
        assert_eq!(pages, ["/s", "/a", "/r", "/t", "/x", "/y"]);
        let edges: Vec<String> = graph
            .links()
            .map(|(from, to, _)| format!("{}>{}", from.url.path(), to.url.path()))
            .collect();
        assert_eq!(
            edges,
            ["/s>/a", "/s>/r", "/a>/t", "/a>/x", "/r>/t", "/t>/y"]
        );
        // In that order already, nothing moves.
        let again = canonical(&graph, &[NodeIndex::new(0)], &[], LinkOptions::default());
        let identity: Vec<u32> = (0..6).collect();
        assert_eq!(again.pages, identity);
    }
}
