//! Pages the link structure neglects: orphans, dead ends, and pages reached only through
//! redirects.
//!
//! - An **orphan** is an entry point (a page at depth 0: a seed, or a sitemap URL with
//!   `--sitemap`), other than the first seed, that no other page of the crawl links to or
//!   redirects to. Links are only known from pages the crawl fetched, so a page linked only
//!   from pages beyond `--depth` shows as an orphan too: crawl deep enough for the answer to
//!   be about the site.
//! - A **dead end** is a page fetched as HTML with a 2xx status that links to no other page
//!   (self-links do not count).
//! - A page is reached **only through redirects** when redirects point at it but no other page
//!   links to it, and it is not an entry point.

use serde::Serialize;

use crate::graph::report::CrawlReport;
use crate::graph::{CrawlGraph, LinkKind};

use super::{is_html_ok, PageRef};

/// Orphans, dead ends and redirect-only pages; every list is complete, in discovery order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct OrphanReport {
    /// Entry points (depth 0) examined, the first seed included.
    pub entry_points: usize,
    /// Entry points other than the first seed that no other page links or redirects to.
    pub orphans: Vec<PageRef>,
    /// 2xx HTML pages without links to other pages.
    pub dead_ends: Vec<PageRef>,
    /// Pages that redirects point at but no other page links to (entry points excepted).
    pub redirect_only: Vec<PageRef>,
}

/// Per page: anchor links and redirects from other pages, and links to other pages. One
/// sequential pass over the edge list: walking petgraph's per-node edge lists instead jumps
/// around memory and took seconds on a 3.6M-link crawl.
fn counts(graph: &CrawlGraph) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
    let n = graph.page_count();
    let (mut anchors, mut redirects, mut out) = (vec![0u32; n], vec![0u32; n], vec![0u32; n]);
    for edge in graph.as_petgraph().raw_edges() {
        let (s, t) = (edge.source().index(), edge.target().index());
        if s == t {
            continue;
        }
        out[s] += 1;
        match edge.weight.kind {
            LinkKind::Redirect => redirects[t] += 1,
            _ => anchors[t] += 1,
        }
    }
    (anchors, redirects, out)
}

/// The orphan report of `report`.
pub fn orphans(report: &CrawlReport) -> OrphanReport {
    let graph = &report.graph;
    let (anchors_in, redirects_in, out_links) = counts(graph);
    let first_seed = report.seeds.first();
    let mut out = OrphanReport {
        entry_points: 0,
        orphans: Vec::new(),
        dead_ends: Vec::new(),
        redirect_only: Vec::new(),
    };
    for (index, page) in graph.indexed_pages() {
        let (anchors, redirects) = (anchors_in[index.index()], redirects_in[index.index()]);
        if page.depth == 0 {
            out.entry_points += 1;
            if Some(&page.url) != first_seed && anchors + redirects == 0 {
                out.orphans.push(PageRef::of(page));
            }
        } else if redirects > 0 && anchors == 0 {
            out.redirect_only.push(PageRef::of(page));
        }
        if is_html_ok(page) && out_links[index.index()] == 0 {
            out.dead_ends.push(PageRef::of(page));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testgraph::TestGraph;

    #[test]
    fn orphans_dead_ends_and_redirect_only() {
        let mut t = TestGraph::default();
        let home = t.html("home", 0);
        let linked = t.html("linked", 0); // a seed that home links to: not an orphan
        let lonely = t.html("lonely", 0); // only links to itself: an orphan
        let via = t.status("via", 1, 301);
        let target = t.html("target", 1); // reached only by the redirect, and a dead end
        t.link(home, linked, "linked");
        t.link(lonely, lonely, "me");
        t.link(lonely, home, "home");
        t.link(linked, via, "via");
        t.redirect(via, target);
        let report = orphans(&t.report(&["home", "linked", "lonely"]));
        let urls = |pages: &[PageRef]| -> Vec<String> {
            pages
                .iter()
                .map(|p| p.url.replace("http://t.test/", ""))
                .collect()
        };
        assert_eq!(report.entry_points, 3);
        assert_eq!(urls(&report.orphans), ["lonely"], "home is the first seed");
        assert_eq!(urls(&report.redirect_only), ["target"]);
        assert_eq!(
            urls(&report.dead_ends),
            ["target"],
            "lonely's self-link does not count"
        );
        let _ = target;
    }
}
