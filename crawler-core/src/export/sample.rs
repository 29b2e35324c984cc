//! A small hand-made report for the exporters' unit tests.

use url::Url;

use crate::error::PageError;
use crate::graph::report::CrawlReport;
use crate::graph::{CrawlGraph, Link, SkipReason};

/// index -> a ("A \"quoted\"\ttext"), index -> missing (404), a -> moved (301) -> index,
/// a -> external (out of scope).
pub(crate) fn report() -> CrawlReport {
    let url = |s: &str| Url::parse(s).unwrap();
    let mut g = CrawlGraph::new();
    let (index, _) = g.add_page(&url("http://site.test/index.html"), 0);
    let (a, _) = g.add_page(&url("http://site.test/a.html?x=1&y=<2>"), 1);
    let (missing, _) = g.add_page(&url("http://site.test/missing"), 1);
    let (moved, _) = g.add_page(&url("http://site.test/moved"), 2);
    let (external, _) = g.add_page(&url("http://other.test/"), 2);
    for (node, status) in [(index, 200), (a, 200), (missing, 404), (moved, 301)] {
        let page = g.page_mut(node);
        page.status = Some(status);
        page.content_type = Some("text/html".into());
    }
    g.page_mut(index).title = Some("Home & \"garden\"\n\u{1}".into());
    g.page_mut(missing).error = Some(PageError::HttpStatus { status: 404 });
    g.page_mut(external).skipped = Some(SkipReason::OutOfScope);
    let quoted = g.intern("A \"quoted\"\ttext \\ back");
    let nofollow = g.intern("nofollow");
    let moved_text = g.intern("moved");
    let elsewhere = g.intern("elsewhere");
    g.add_link(index, a, Link::anchor(Some(quoted), Some(nofollow)));
    g.add_link(index, missing, Link::anchor(None, None));
    g.add_link(a, moved, Link::anchor(Some(moved_text), None));
    g.add_link(moved, index, Link::redirect());
    g.add_link(a, external, Link::anchor(Some(elsewhere), None));
    CrawlReport::from_graph(g, vec![url("http://site.test/index.html")], 2)
}
