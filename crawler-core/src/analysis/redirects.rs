//! Redirect chains: where each chain starts, every hop, where it ends, and whether it loops,
//! runs longer than one hop, or ends on a broken or out-of-scope target.
//!
//! A redirect response has no body, so a page has at most one outgoing redirect edge and the
//! redirect edges form paths and cycles. A chain starts at a page that redirects and that no
//! redirect points at, and follows redirect edges until a page that does not redirect, or
//! until a page repeats (a loop). Redirect cycles that no chain enters are reported once each,
//! from their first page in discovery order.

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde::Serialize;

use crate::graph::{CrawlGraph, LinkKind, SkipReason};

use super::PageRef;

/// Every redirect chain and counts of the troublesome ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RedirectReport {
    /// Number of chains.
    pub chains: usize,
    /// Chains of more than one hop.
    pub multi_hop: usize,
    /// Chains that come back to a page they passed.
    pub loops: usize,
    /// Chains ending on a broken page (loops excepted).
    pub to_broken: usize,
    /// Chains ending on a page outside the crawl's scope.
    pub to_out_of_scope: usize,
    /// Every chain, in discovery order of its first page.
    pub list: Vec<Chain>,
}

/// One redirect chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Chain {
    /// The first URL, the one pages link to.
    pub start: String,
    /// Every URL redirected to, in order; the last is where the chain ends (for a loop, the
    /// page it came back to).
    pub hops: Vec<String>,
    /// How the chain ends: `ok`, `broken`, `loop`, `out_of_scope`, `unfetched` (another skip
    /// reason or not fetched).
    pub outcome: &'static str,
    /// The last page of the chain.
    #[serde(rename = "final")]
    pub end: PageRef,
    /// Links (anchor edges) to the start: each one costs a redirect.
    pub referrers: usize,
}

/// The outgoing redirect edge of `index`, if any.
fn next_hop(graph: &CrawlGraph, index: NodeIndex) -> Option<NodeIndex> {
    graph
        .as_petgraph()
        .edges(index)
        .find(|e| e.weight().kind == LinkKind::Redirect)
        .map(|e| e.target())
}

/// Whether a redirect edge points at `index`.
fn is_redirect_target(graph: &CrawlGraph, index: NodeIndex) -> bool {
    graph
        .as_petgraph()
        .edges_directed(index, Direction::Incoming)
        .any(|e| e.weight().kind == LinkKind::Redirect)
}

/// The redirect report of `graph`.
pub fn chains(graph: &CrawlGraph) -> RedirectReport {
    let pg = graph.as_petgraph();
    let mut visited = vec![false; pg.node_count()];
    let mut list = Vec::new();
    let sources: Vec<NodeIndex> = pg
        .node_indices()
        .filter(|&i| next_hop(graph, i).is_some())
        .collect();
    let starts = sources.iter().filter(|&&i| !is_redirect_target(graph, i));
    // Entered chains first; then cycles no chain enters.
    for &start in starts {
        list.push(follow(graph, start, &mut visited));
    }
    for &start in &sources {
        if !visited[start.index()] {
            list.push(follow(graph, start, &mut visited));
        }
    }
    let count = |outcome: &str| list.iter().filter(|c| c.outcome == outcome).count();
    RedirectReport {
        chains: list.len(),
        multi_hop: list.iter().filter(|c| c.hops.len() > 1).count(),
        loops: count("loop"),
        to_broken: count("broken"),
        to_out_of_scope: count("out_of_scope"),
        list,
    }
}

/// Follows the chain from `start`, marking its pages visited.
fn follow(graph: &CrawlGraph, start: NodeIndex, visited: &mut [bool]) -> Chain {
    let pg = graph.as_petgraph();
    let mut on_chain = vec![start];
    visited[start.index()] = true;
    let mut hops = Vec::new();
    let mut current = start;
    let mut looped = false;
    while let Some(next) = next_hop(graph, current) {
        hops.push(pg[next].url.to_string());
        if on_chain.contains(&next) {
            looped = true;
            current = next;
            break;
        }
        visited[next.index()] = true;
        on_chain.push(next);
        current = next;
    }
    let end = &pg[current];
    let outcome = if looped {
        "loop"
    } else if end.is_broken() {
        "broken"
    } else if end.skipped == Some(SkipReason::OutOfScope) {
        "out_of_scope"
    } else if end.is_fetched() {
        "ok"
    } else {
        "unfetched"
    };
    Chain {
        start: pg[start].url.to_string(),
        hops,
        outcome,
        end: PageRef::of(end),
        referrers: pg
            .edges_directed(start, Direction::Incoming)
            .filter(|e| e.weight().kind == LinkKind::Anchor)
            .count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testgraph::TestGraph;

    #[test]
    fn chains_loops_and_endings() {
        let mut t = TestGraph::default();
        let home = t.html("home", 0);
        // one hop to an ok page
        let old = t.status("old", 1, 301);
        let new = t.html("new", 1);
        // two hops to a 404
        let r1 = t.status("r1", 1, 302);
        let r2 = t.status("r2", 1, 302);
        let gone = t.status("gone", 1, 404);
        // a loop entered from a link
        let la = t.status("la", 1, 302);
        let lb = t.status("lb", 1, 302);
        // off site
        let off = t.status("off", 1, 301);
        let ext = t.skipped("ext", 1, SkipReason::OutOfScope);
        for to in [old, r1, la, off] {
            t.link(home, to, "x");
        }
        t.link(new, old, "back");
        t.redirect(old, new);
        t.redirect(r1, r2);
        t.redirect(r2, gone);
        t.redirect(la, lb);
        t.redirect(lb, la);
        t.redirect(off, ext);
        let report = chains(&t.report(&["home"]).graph);
        assert_eq!(
            report.chains,
            3 + 1,
            "the la/lb cycle is entered by no chain and reported once, from la"
        );
        let summary: Vec<_> = report
            .list
            .iter()
            .map(|c| {
                (
                    c.start.trim_start_matches("http://t.test/"),
                    c.hops.len(),
                    c.outcome,
                    c.referrers,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("old", 1, "ok", 2),
                ("r1", 2, "broken", 1),
                ("off", 1, "out_of_scope", 1),
                ("la", 2, "loop", 1),
            ]
        );
        assert_eq!(
            report.list[3].hops,
            ["http://t.test/lb", "http://t.test/la"]
        );
        assert_eq!(report.list[1].end.url, "http://t.test/gone");
        assert_eq!((report.multi_hop, report.loops), (2, 1));
        assert_eq!((report.to_broken, report.to_out_of_scope), (1, 1));
    }

    #[test]
    fn no_redirects_no_chains() {
        let mut t = TestGraph::default();
        let a = t.html("a", 0);
        let b = t.html("b", 1);
        t.link(a, b, "b");
        let report = chains(&t.report(&["a"]).graph);
        assert_eq!(report.chains, 0);
        assert!(report.list.is_empty());
    }
}
