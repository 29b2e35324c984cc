//! Broken links: every broken target with EVERY page that links to it and the anchor text of
//! each link, the question link checkers are asked most.
//!
//! A target is broken when [`Page::is_broken`](crate::Page::is_broken) says so (an error
//! status, a transport failure, a bad redirect chain; a body cut at the size cap is not). A
//! page that is not fetched (beyond the depth, out of scope) is never broken: not crawled is
//! not broken. Broken pages and the links pointing at them are counted separately, since one
//! missing page linked from a site-wide menu is one fix, not hundreds.
//!
//! With `check_fragments`, a link whose fragment names nothing on its target page is a broken
//! fragment ([`BrokenFragment`]): the page is fine, the link is not. They are listed apart,
//! one per (link, fragment), with the link's referrer and anchor text.

use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde::Serialize;

use crate::graph::{CrawlGraph, LinkKind};

use super::PageRef;

/// The broken targets of a crawl and who links to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BrokenReport {
    /// Broken pages (targets).
    pub broken_pages: usize,
    /// Links (anchor and redirect edges) pointing at a broken page.
    pub broken_links: usize,
    /// Distinct pages holding at least one broken link.
    pub referring_pages: usize,
    /// Every broken target, most-linked first, then in discovery order.
    pub targets: Vec<BrokenTarget>,
    /// Every broken fragment, in the order the crawl found the links.
    pub broken_fragments: Vec<BrokenFragment>,
}

/// A link whose fragment names no id or `<a name>` of its target page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BrokenFragment {
    /// The target page with the fragment (`http://site/guide.html#gone`).
    pub url: String,
    /// The fragment as the URL writes it, without `#`.
    pub fragment: String,
    /// The link holding it, with the anchor text of the first link with this fragment.
    pub referrer: Referrer,
}

impl BrokenFragment {
    /// The broken fragments of `graph`, in edge order.
    pub fn of(graph: &CrawlGraph) -> Vec<BrokenFragment> {
        let mut out = Vec::new();
        for edge in graph.fragment_edges() {
            let (source, target) = graph.edge_endpoints(edge);
            let link = graph.link(edge);
            for fragment in graph.fragments(edge).iter().filter(|f| f.broken) {
                let name = graph.fragment_name(fragment);
                let mut url = graph.page_at(target).url.clone();
                url.set_fragment(Some(name));
                out.push(BrokenFragment {
                    url: url.into(),
                    fragment: name.to_owned(),
                    referrer: Referrer {
                        url: graph.page_at(source).url.to_string(),
                        kind: link.kind,
                        text: graph.fragment_text(fragment).map(str::to_owned),
                        rel: graph.link_rel(link).map(str::to_owned),
                    },
                });
            }
        }
        out
    }
}

/// One broken target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BrokenTarget {
    /// The broken page.
    #[serde(flatten)]
    pub page: PageRef,
    /// Every link to it, in the order the crawl found them; empty for a broken seed.
    pub referrers: Vec<Referrer>,
}

/// One link to a page: where it is and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Referrer {
    /// The page holding the link.
    pub url: String,
    /// Anchor or redirect.
    pub kind: LinkKind,
    /// The anchor text, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The link's `rel`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rel: Option<String>,
}

/// The incoming links of the page at `index`, in insertion order.
pub(crate) fn referrers(graph: &CrawlGraph, index: petgraph::graph::NodeIndex) -> Vec<Referrer> {
    let pg = graph.as_petgraph();
    let mut edges: Vec<_> = pg.edges_directed(index, Direction::Incoming).collect();
    // petgraph lists incoming edges newest first; the crawl's order is the edge index.
    edges.sort_by_key(EdgeRef::id);
    edges
        .into_iter()
        .map(|e| Referrer {
            url: pg[e.source()].url.to_string(),
            kind: e.weight().kind,
            text: graph.link_text(e.weight()).map(str::to_owned),
            rel: graph.link_rel(e.weight()).map(str::to_owned),
        })
        .collect()
}

/// The broken-link report of `graph`.
pub fn broken(graph: &CrawlGraph) -> BrokenReport {
    let mut targets: Vec<BrokenTarget> = graph
        .indexed_pages()
        .filter(|(_, page)| page.is_broken())
        .map(|(index, page)| BrokenTarget {
            page: PageRef::of(page),
            referrers: referrers(graph, index),
        })
        .collect();
    targets.sort_by_key(|t| std::cmp::Reverse(t.referrers.len()));
    let mut sources: Vec<&str> = targets
        .iter()
        .flat_map(|t| t.referrers.iter().map(|r| r.url.as_str()))
        .collect();
    sources.sort_unstable();
    sources.dedup();
    BrokenReport {
        broken_pages: targets.len(),
        broken_links: targets.iter().map(|t| t.referrers.len()).sum(),
        referring_pages: sources.len(),
        targets,
        broken_fragments: BrokenFragment::of(graph),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testgraph::TestGraph;
    use crate::error::PageError;
    use crate::graph::SkipReason;

    #[test]
    fn every_referrer_with_its_text() {
        let mut t = TestGraph::default();
        let home = t.html("home", 0);
        let about = t.html("about", 1);
        let gone = t.status("gone", 1, 404);
        let down = t.status("down", 2, 503);
        let far = t.skipped("far", 2, SkipReason::BeyondDepth);
        let moved = t.status("moved", 1, 301);
        t.link(home, about, "About");
        t.link(home, gone, "Old page");
        t.link(about, gone, "see the old page");
        t.link(about, down, "status");
        t.link(about, far, "far away");
        t.link(home, moved, "Moved");
        t.redirect(moved, gone);
        let report = broken(&t.report(&["home"]).graph);
        assert_eq!(report.broken_pages, 2);
        assert_eq!(report.broken_links, 4);
        assert_eq!(report.referring_pages, 3);
        let gone = &report.targets[0];
        assert_eq!(gone.page.url, "http://t.test/gone");
        assert_eq!(gone.page.status, Some(404));
        assert_eq!(gone.page.error.as_deref(), Some("HTTP 404"));
        let refs: Vec<_> = gone
            .referrers
            .iter()
            .map(|r| (r.url.as_str(), r.kind, r.text.as_deref()))
            .collect();
        assert_eq!(
            refs,
            [
                ("http://t.test/home", LinkKind::Anchor, Some("Old page")),
                (
                    "http://t.test/about",
                    LinkKind::Anchor,
                    Some("see the old page")
                ),
                ("http://t.test/moved", LinkKind::Redirect, None),
            ]
        );
        assert_eq!(report.targets[1].page.url, "http://t.test/down");
    }

    #[test]
    fn broken_seed_has_no_referrers_and_cut_bodies_are_not_broken() {
        let mut t = TestGraph::default();
        let seed = t.status("seed", 0, 500);
        let big = t.html("big", 0);
        t.graph.page_mut(big).error = Some(PageError::BodyTooLarge { limit: 10 });
        let _ = seed;
        let report = broken(&t.report(&["seed", "big"]).graph);
        assert_eq!((report.broken_pages, report.broken_links), (1, 0));
        assert!(report.targets[0].referrers.is_empty());
    }

    #[test]
    fn broken_fragments_with_their_link() {
        let mut t = TestGraph::default();
        let home = t.html("home", 0);
        let guide = t.html("guide", 1);
        let edge = t.link(home, guide, "Install");
        t.graph
            .add_fragment(edge, "install", Some("Install"), false);
        t.graph.add_fragment(edge, "gone", Some("Gone"), true);
        let report = broken(&t.report(&["home"]).graph);
        assert_eq!((report.broken_pages, report.broken_links), (0, 0));
        let [fragment] = report.broken_fragments.as_slice() else {
            panic!("{:?}", report.broken_fragments);
        };
        assert_eq!(fragment.url, "http://t.test/guide#gone");
        assert_eq!(fragment.fragment, "gone");
        assert_eq!(fragment.referrer.url, "http://t.test/home");
        assert_eq!(fragment.referrer.text.as_deref(), Some("Gone"));
    }
}
