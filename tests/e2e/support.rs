//! Helpers shared by the end-to-end tests: running a crawl and reading the hand-written oracle.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crawler_core::{export, CrawlReport, CrawlerBuilder, ExportFormat, LinkKind, Page};
use crawler_tests::{fixture_root, FixtureServer};

/// Upper bound for any one crawl in these tests, so a bug shows as a failure, not a hang.
const CRAWL_LIMIT: Duration = Duration::from_secs(60);

/// Crawls `seeds` with `builder`, failing the test if it takes longer than a minute.
pub(crate) async fn crawl(builder: CrawlerBuilder, seeds: &[String]) -> CrawlReport {
    let crawler = builder.build().expect("valid config");
    tokio::time::timeout(CRAWL_LIMIT, crawler.crawl(seeds, std::future::pending()))
        .await
        .expect("crawl finished in time")
        .expect("crawl started")
}

/// Crawls `seeds` with `builder` until `happened` is true (then the crawl is shut down), failing
/// the test if that takes longer than a minute: a hang detector, not a time limit.
pub(crate) async fn crawl_until(
    builder: CrawlerBuilder,
    seeds: &[String],
    what: &str,
    happened: impl FnMut() -> bool,
) -> CrawlReport {
    let crawler = builder.build().expect("valid config");
    tokio::time::timeout(CRAWL_LIMIT, crawler.crawl(seeds, until(what, happened)))
        .await
        .expect("crawl finished in time")
        .expect("crawl started")
}

/// Returns once `happened` is true, polling every 10 ms; fails the test, naming `what`, if it is
/// still false after [`CRAWL_LIMIT`]. The bound only catches an event that never comes: tests
/// wait for what they need to have happened, never for a fixed time.
pub(crate) async fn until(what: &str, mut happened: impl FnMut() -> bool) {
    let waited = tokio::time::timeout(CRAWL_LIMIT, async {
        while !happened() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "waited {CRAWL_LIMIT:?} for {what}");
}

/// Requests the server answered, robots.txt excepted: the pages the crawler fetched.
pub(crate) fn page_requests(server: &FixtureServer) -> usize {
    server.total_hits() - server.hits("/robots.txt")
}

/// Anchor edges of the report as (source, target) URL strings.
pub(crate) fn anchor_edges(report: &CrawlReport) -> BTreeSet<(String, String)> {
    report
        .graph
        .links()
        .filter(|(_, _, link)| link.kind == LinkKind::Anchor)
        .map(|(s, t, _)| (s.url.to_string(), t.url.to_string()))
        .collect()
}

/// Edges of every kind as (source, target) URL strings.
pub(crate) fn all_edges(report: &CrawlReport) -> BTreeSet<(String, String)> {
    report
        .graph
        .links()
        .map(|(s, t, _)| (s.url.to_string(), t.url.to_string()))
        .collect()
}

/// Targets of the anchor links on the page at `url`, in graph order.
pub(crate) fn anchors_from(report: &CrawlReport, url: &str) -> Vec<String> {
    report
        .graph
        .links()
        .filter(|(s, _, l)| s.url.as_str() == url && l.kind == LinkKind::Anchor)
        .map(|(_, t, _)| t.url.to_string())
        .collect()
}

/// The page for a URL; panics with the URL if it is missing.
pub(crate) fn page<'a>(report: &'a CrawlReport, url: &str) -> &'a Page {
    let parsed = crawler_core::Url::parse(url).expect("test URL parses");
    report
        .graph
        .page(&parsed)
        .unwrap_or_else(|| panic!("{url} is not in the graph"))
}

/// The hand-written oracle in `fixtures/`, with `SERVER` replaced by the live server.
pub(crate) struct Oracle {
    /// url -> (BFS depth, kind)
    pub(crate) nodes: BTreeMap<String, (u32, String)>,
    /// (source, target)
    pub(crate) edges: BTreeSet<(String, String)>,
}

impl Oracle {
    pub(crate) fn load(server: &FixtureServer) -> Self {
        let host = server.addr().to_string();
        let read = |name: &str| {
            let path = fixture_root().parent().expect("fixtures dir").join(name);
            std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
                .replace("SERVER", &host)
        };
        let nodes = read("site.expected-nodes.tsv")
            .lines()
            .skip(1)
            .map(|line| {
                let cols: Vec<&str> = line.split('\t').collect();
                (
                    cols[0].to_owned(),
                    (cols[1].parse().expect("depth"), cols[2].to_owned()),
                )
            })
            .collect();
        let edges = read("site.expected.tsv")
            .lines()
            .skip(1)
            .map(|line| {
                let (s, t) = line.split_once('\t').expect("two columns");
                (s.to_owned(), t.to_owned())
            })
            .collect();
        Self { nodes, edges }
    }

    /// Edges a crawl to `max_depth` records: those whose source is at depth `<= max_depth`.
    pub(crate) fn edges_at(&self, max_depth: u32) -> BTreeSet<(String, String)> {
        self.edges
            .iter()
            .filter(|(source, _)| self.nodes[source].0 <= max_depth)
            .cloned()
            .collect()
    }

    /// Nodes a crawl to `max_depth` holds: the oracle's nodes up to `max_depth + 1`.
    pub(crate) fn nodes_at(&self, max_depth: u32) -> BTreeSet<String> {
        self.nodes
            .iter()
            .filter(|(_, (depth, _))| *depth <= max_depth + 1)
            .map(|(url, _)| url.clone())
            .collect()
    }
}

/// The TSV export and the node table (URL, depth, state) of a report: what must not depend
/// on timing or on the order answers arrived in.
pub(crate) type Snapshot = (String, Vec<(String, u32, &'static str)>);

/// The [`Snapshot`] of a report.
pub(crate) fn snapshot(report: &CrawlReport) -> Snapshot {
    let mut tsv = Vec::new();
    export::write(report, ExportFormat::Tsv, &mut tsv).unwrap();
    let nodes = report
        .graph
        .pages()
        .map(|p| (p.url.to_string(), p.depth, export::page_state(p)))
        .collect();
    (String::from_utf8(tsv).unwrap(), nodes)
}
