//! Click depth: how many pages sit at each depth, and which pages are buried deepest.
//!
//! Depth is the crawler's breadth-first depth (seeds and sitemap URLs are 0), so it is the
//! shortest number of clicks from an entry point. Every node counts, fetched or not, so the
//! histogram adds up to the page count.

use serde::Serialize;

use crate::graph::CrawlGraph;

use super::PageRef;

/// Pages per depth and the deepest pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DepthReport {
    /// The largest depth of any page.
    pub max: u32,
    /// One entry per depth from 0 to `max`, also for depths without pages.
    pub histogram: Vec<DepthCount>,
    /// The deepest pages, deepest first, then in discovery order (at most `top`).
    pub deepest: Vec<PageRef>,
}

/// How many pages sit at one depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DepthCount {
    /// The depth.
    pub depth: u32,
    /// Pages at that depth.
    pub pages: usize,
}

/// The depth report of `graph`, keeping `top` deepest pages.
pub fn depths(graph: &CrawlGraph, top: usize) -> DepthReport {
    let max = graph.pages().map(|p| p.depth).max().unwrap_or(0);
    let mut counts = vec![0usize; max as usize + 1];
    for page in graph.pages() {
        counts[page.depth as usize] += 1;
    }
    let mut pages: Vec<_> = graph.pages().collect();
    // Stable sort: equal depths keep discovery order.
    pages.sort_by_key(|p| std::cmp::Reverse(p.depth));
    DepthReport {
        max,
        histogram: (0..=max)
            .zip(counts)
            .map(|(depth, pages)| DepthCount { depth, pages })
            .collect(),
        deepest: pages.into_iter().take(top).map(PageRef::of).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testgraph::TestGraph;

    #[test]
    #[expect(clippy::many_single_char_names, reason = "pages named as in a drawing")]
    fn histogram_counts_every_depth_and_deepest_come_first() {
        let mut t = TestGraph::default();
        let a = t.html("a", 0);
        let b = t.html("b", 1);
        let c = t.html("c", 1);
        let d = t.html("d", 3);
        let e = t.html("e", 3);
        t.link(a, b, "b");
        t.link(a, c, "c");
        t.link(c, d, "d");
        t.link(c, e, "e");
        let report = depths(&t.report(&["a"]).graph, 3);
        assert_eq!(report.max, 3);
        let counts: Vec<_> = report
            .histogram
            .iter()
            .map(|c| (c.depth, c.pages))
            .collect();
        assert_eq!(counts, [(0, 1), (1, 2), (2, 0), (3, 2)]);
        let deepest: Vec<_> = report.deepest.iter().map(|p| p.url.as_str()).collect();
        assert_eq!(
            deepest,
            ["http://t.test/d", "http://t.test/e", "http://t.test/b"]
        );
        let _ = (b, d, e);
    }

    #[test]
    fn empty_graph() {
        let report = depths(&CrawlGraph::new(), 5);
        assert_eq!(report.max, 0);
        assert_eq!(report.histogram, [DepthCount { depth: 0, pages: 0 }]);
        assert!(report.deepest.is_empty());
    }
}
