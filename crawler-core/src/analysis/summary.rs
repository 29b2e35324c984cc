//! The crawl in numbers: pages by state, HTTP status and content type, bytes, and fetch-time
//! percentiles.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::graph::report::CrawlReport;
use crate::graph::state::page_state;
use crate::graph::LinkKind;

use super::media_type;

/// Counts over the whole crawl.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Summary {
    /// The seeds, as normalised by the crawler.
    pub seeds: Vec<String>,
    /// The crawl's maximum depth.
    pub max_depth: u32,
    /// Why the crawl ended (`completed`, `max_pages`, `cancelled`).
    pub stopped: &'static str,
    /// Every node of the graph, fetched or not.
    pub pages: usize,
    /// Pages a request was made for (answered or failed).
    pub fetched: usize,
    /// Every edge.
    pub links: usize,
    /// Anchor edges.
    pub anchor_links: usize,
    /// Redirect edges.
    pub redirect_links: usize,
    /// Pages per state (`ok`, `error`, `redirect`, a skip reason, `unvisited`).
    pub by_state: BTreeMap<&'static str, usize>,
    /// Pages per HTTP status (as a string key, for JSON).
    pub by_status: BTreeMap<String, usize>,
    /// Pages per media type (parameters dropped), among pages with a `Content-Type`.
    pub by_content_type: BTreeMap<String, usize>,
    /// Body bytes over all pages.
    pub bytes: u64,
    /// Fetch-time percentiles over the pages that have a fetch time.
    pub fetch_ms: Percentiles,
}

/// Nearest-rank percentiles of a sample, in milliseconds; all zero for an empty sample.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Percentiles {
    /// Sample size.
    pub count: usize,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest value.
    pub max: f64,
}

impl Percentiles {
    /// Nearest-rank percentiles of `values` (sorted here).
    pub fn of(mut values: Vec<f64>) -> Self {
        if values.is_empty() {
            return Self::default();
        }
        values.sort_by(f64::total_cmp);
        let rank = |p: f64| {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss,
                reason = "a rank between 1 and len, computed in f64"
            )]
            let r = (p / 100.0 * values.len() as f64).ceil() as usize;
            values[r.clamp(1, values.len()) - 1]
        };
        Self {
            count: values.len(),
            p50: rank(50.0),
            p90: rank(90.0),
            p99: rank(99.0),
            max: values[values.len() - 1],
        }
    }
}

/// Summarises `report`.
pub fn summarise(report: &CrawlReport) -> Summary {
    let graph = &report.graph;
    let mut by_state = BTreeMap::new();
    let mut by_status = BTreeMap::new();
    let mut by_content_type = BTreeMap::new();
    let mut bytes = 0;
    let mut times = Vec::new();
    let mut fetched = 0;
    for page in graph.pages() {
        *by_state.entry(page_state(page)).or_insert(0) += 1;
        if let Some(status) = page.status {
            *by_status.entry(status.to_string()).or_insert(0) += 1;
        }
        if let Some(ct) = &page.content_type {
            *by_content_type.entry(media_type(ct)).or_insert(0) += 1;
        }
        if page.is_fetched() {
            fetched += 1;
        }
        bytes += page.bytes;
        if let Some(time) = page.fetch_time {
            times.push(time.as_secs_f64() * 1000.0);
        }
    }
    let redirect_links = graph
        .links()
        .filter(|(_, _, l)| l.kind == LinkKind::Redirect)
        .count();
    Summary {
        seeds: report.seeds.iter().map(ToString::to_string).collect(),
        max_depth: report.max_depth,
        stopped: report.stopped.as_str(),
        pages: graph.page_count(),
        fetched,
        links: graph.link_count(),
        anchor_links: graph.link_count() - redirect_links,
        redirect_links,
        by_state,
        by_status,
        by_content_type,
        bytes,
        fetch_ms: Percentiles::of(times),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testgraph::TestGraph;
    use crate::graph::SkipReason;

    #[test]
    fn nearest_rank_percentiles() {
        let p = Percentiles::of((1..=100).rev().map(f64::from).collect());
        assert_eq!(
            (p.count, p.p50, p.p90, p.p99, p.max),
            (100, 50.0, 90.0, 99.0, 100.0)
        );
        let one = Percentiles::of(vec![7.0]);
        assert_eq!((one.p50, one.p99, one.max), (7.0, 7.0, 7.0));
        assert_eq!(Percentiles::of(Vec::new()), Percentiles::default());
    }

    #[test]
    fn counts_by_state_status_and_type() {
        let mut t = TestGraph::default();
        let a = t.html("a", 0);
        let b = t.html("b", 1);
        let gone = t.status("gone", 1, 404);
        let moved = t.status("moved", 1, 301);
        let ext = t.skipped("ext", 1, SkipReason::OutOfScope);
        for to in [b, gone, moved, ext] {
            t.link(a, to, "x");
        }
        t.redirect(moved, b);
        let s = summarise(&t.report(&["a"]));
        assert_eq!((s.pages, s.fetched, s.links), (5, 4, 5));
        assert_eq!((s.anchor_links, s.redirect_links), (4, 1));
        assert_eq!(s.by_state["ok"], 2);
        assert_eq!(s.by_state["error"], 1);
        assert_eq!(s.by_state["redirect"], 1);
        assert_eq!(s.by_state["out_of_scope"], 1);
        assert_eq!(s.by_status["200"], 2);
        assert_eq!(s.by_status["404"], 1);
        assert_eq!(s.by_content_type["text/html"], 4, "parameters dropped");
        assert_eq!(s.bytes, 2000);
        assert_eq!(s.fetch_ms.count, 2);
        assert!((s.fetch_ms.p50 - 10.0).abs() < 1e-9);
        assert_eq!(s.seeds, ["http://t.test/a"]);
    }
}
