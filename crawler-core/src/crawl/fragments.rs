//! Checking the fragments of links once the crawl is done (`check_fragments`).
//!
//! A link can be folded before its target is fetched (a link to a later level) or after (a
//! link back up), so nothing is decided while folding: [`PageAnchors`] keeps the anchors of
//! every HTML page fetched with a 2xx answer, and [`PageAnchors::check`] marks, when the graph
//! is finished, each fragment on an edge whose target has anchors and names none of them. An
//! edge to any other target (not HTML, not fetched, an error, a redirect, a body cut at the
//! size cap, a page with more anchors than were kept) keeps its fragments unmarked: not
//! checked is not broken.
//!
//! Memory: about 8 bytes per distinct anchor of each such page (at most
//! [`MAX_ANCHORS_PER_PAGE`](crate::extract::anchors::MAX_ANCHORS_PER_PAGE) a page), held
//! until the crawl ends.

use hashbrown::HashMap;
use petgraph::graph::NodeIndex;

use crate::extract::Anchors;
use crate::graph::CrawlGraph;
use crate::outcome::Hop;

/// The anchors of the pages whose fragments can be checked, by node.
#[derive(Debug, Default)]
pub(crate) struct PageAnchors {
    by_page: HashMap<NodeIndex, Anchors>,
}

impl PageAnchors {
    /// Keeps `anchors` for `page` if its last request `hop` was answered 2xx, complete.
    pub(crate) fn record(&mut self, page: NodeIndex, hop: &Hop, anchors: Option<Anchors>) {
        let answered = hop.status.is_some_and(|s| (200..300).contains(&s)) && hop.error.is_none();
        match anchors {
            Some(anchors) if answered => {
                self.by_page.insert(page, anchors);
            }
            _ => {
                // A page folded again (the end-of-crawl retry) keeps only its last answer.
                self.by_page.remove(&page);
            }
        }
    }

    /// Marks broken every fragment of `graph` whose target page has anchors and whose name
    /// is not among them.
    pub(crate) fn check(&self, graph: &mut CrawlGraph) {
        let edges: Vec<_> = graph.fragment_edges().collect();
        for edge in edges {
            let (_, target) = graph.edge_endpoints(edge);
            let Some(anchors) = self.by_page.get(&target) else {
                continue;
            };
            let missing: Vec<bool> = graph
                .fragments(edge)
                .iter()
                .map(|f| anchors.indicates(graph.fragment_name(f)) == Some(false))
                .collect();
            for (fragment, missing) in graph.fragments_mut(edge).iter_mut().zip(missing) {
                fragment.broken = missing;
            }
        }
    }
}
