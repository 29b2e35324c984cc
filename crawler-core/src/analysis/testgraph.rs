//! Hand-built graphs for the analyses' unit tests: pages by short name, with the fields the
//! crawler would have set.

use std::time::Duration;

use petgraph::graph::{EdgeIndex, NodeIndex};
use url::Url;

use crate::error::PageError;
use crate::graph::report::CrawlReport;
use crate::graph::{CrawlGraph, Link, SkipReason};

/// A graph under construction; names become `http://t.test/NAME`.
#[derive(Debug, Default)]
pub(crate) struct TestGraph {
    pub(crate) graph: CrawlGraph,
}

/// `http://t.test/NAME`.
pub(crate) fn url(name: &str) -> Url {
    Url::parse(&format!("http://t.test/{name}")).unwrap()
}

impl TestGraph {
    /// A 200 HTML page at `depth`.
    pub(crate) fn html(&mut self, name: &str, depth: u32) -> NodeIndex {
        let (i, _) = self.graph.add_page(&url(name), depth);
        let page = self.graph.page_mut(i);
        page.status = Some(200);
        page.content_type = Some("text/html; charset=utf-8".into());
        page.bytes = 1000;
        page.fetch_time = Some(Duration::from_millis(10));
        i
    }

    /// A page answered with `status` (4xx/5xx get an `HttpStatus` error).
    pub(crate) fn status(&mut self, name: &str, depth: u32, status: u16) -> NodeIndex {
        let (i, _) = self.graph.add_page(&url(name), depth);
        let page = self.graph.page_mut(i);
        page.status = Some(status);
        page.content_type = Some("text/html".into());
        if status >= 400 {
            page.error = Some(PageError::HttpStatus { status });
        }
        i
    }

    /// An unfetched page skipped for `reason`.
    pub(crate) fn skipped(&mut self, name: &str, depth: u32, reason: SkipReason) -> NodeIndex {
        let (i, _) = self.graph.add_page(&url(name), depth);
        self.graph.page_mut(i).skipped = Some(reason);
        i
    }

    /// An anchor link with `text`.
    pub(crate) fn link(&mut self, from: NodeIndex, to: NodeIndex, text: &str) -> EdgeIndex {
        let text = self.graph.intern(text);
        self.graph
            .add_link(from, to, Link::anchor(Some(text), None))
    }

    /// A redirect edge.
    pub(crate) fn redirect(&mut self, from: NodeIndex, to: NodeIndex) {
        self.graph.add_link(from, to, Link::redirect());
    }

    /// The report, seeded with `seeds`.
    pub(crate) fn report(self, seeds: &[&str]) -> CrawlReport {
        CrawlReport::from_graph(self.graph, seeds.iter().map(|s| url(s)).collect(), 5)
    }
}
