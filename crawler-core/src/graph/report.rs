//! What a crawl hands back: the graph, counters, and why it stopped.

use std::time::{Duration, SystemTime};

use serde::Serialize;
use url::Url;

use crate::graph::CrawlGraph;

/// The result of [`Crawler::crawl`](crate::Crawler::crawl). Always returned once the crawl has
/// started, also when it was cancelled or hit the page cap: the graph holds everything found.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CrawlReport {
    /// The link graph.
    pub graph: CrawlGraph,
    /// Counters.
    pub stats: CrawlStats,
    /// Why the crawl ended.
    pub stopped: StopReason,
    /// The normalised seeds.
    pub seeds: Vec<Url>,
    /// The maximum depth the crawl ran with.
    pub max_depth: u32,
    /// When the crawl started (wall clock).
    pub started_at: SystemTime,
    /// The fingerprint of the rules the crawl took links from page bodies under (see
    /// [`since::link_rules`](crate::since::link_rules)), kept in the JSON and GraphML exports
    /// so that a later `--since` crawl knows whether it may reuse the links; `None` for a
    /// graph not made by a crawl.
    pub link_rules: Option<String>,
}

impl CrawlReport {
    /// A report around an existing graph, for exporting a graph built by other means.
    pub fn from_graph(graph: CrawlGraph, seeds: Vec<Url>, max_depth: u32) -> Self {
        Self {
            graph,
            stats: CrawlStats::default(),
            stopped: StopReason::Completed,
            seeds,
            max_depth,
            started_at: SystemTime::now(),
            link_rules: None,
        }
    }

    /// Pages that are broken link targets (error status, transport failure, bad redirects).
    pub fn broken_pages(&self) -> impl Iterator<Item = &crate::Page> + '_ {
        self.graph.pages().filter(|p| p.is_broken())
    }
}

/// Counters of one crawl.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CrawlStats {
    /// Requests made (every redirect hop counts).
    pub requests: usize,
    /// Frontier pages fetched (a page and its redirect hops count once), the figure `max_pages` caps.
    pub pages_fetched: usize,
    /// Requests that ended with a page error.
    pub pages_failed: usize,
    /// Pages in the graph that were never fetched (boundary, out of scope, capped, cancelled).
    pub pages_skipped: usize,
    /// Body bytes read.
    pub bytes: u64,
    /// Links not recorded: past the node or edge budget, or past the page cap once as many
    /// `max_pages` nodes as the cap were recorded.
    pub links_dropped: usize,
    /// Pages whose retries ran out on a transient failure (429, 502-504, a broken
    /// connection): each was tried again at the end of the crawl, with retries of its own.
    pub retries_exhausted: usize,
    /// Of those, pages that succeeded on that end-of-crawl pass.
    pub recovered_at_end: usize,
    /// In a crawl given a previous one (`--since`): pages answered `304 Not Modified`, whose
    /// links were taken from the previous crawl (see [`Freshness`](crate::Freshness)).
    #[serde(skip_serializing_if = "is_zero")]
    pub revalidated: usize,
    /// In a crawl given a previous one: pages of the previous crawl downloaded again.
    #[serde(skip_serializing_if = "is_zero")]
    pub changed: usize,
    /// In a crawl given a previous one: pages the previous crawl had not fetched.
    #[serde(skip_serializing_if = "is_zero")]
    pub new_pages: usize,
    /// Pages rendered in a browser.
    pub pages_rendered: usize,
    /// Of those, pages whose rendered DOM had links the static HTML did not.
    pub pages_render_gained: usize,
    /// Requests made by pages being rendered (also counted in `requests`).
    pub render_requests: usize,
    /// Wall-clock time of the crawl.
    #[serde(serialize_with = "serialize_secs")]
    pub elapsed: Duration,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes &T"
)]
fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl CrawlStats {
    /// Counts a rendered page that gained `gained` links and made `requests` requests reading
    /// `bytes` body bytes: its requests count as the crawl's too.
    pub(crate) fn count_render(&mut self, gained: usize, requests: usize, bytes: u64) {
        self.pages_rendered += 1;
        self.pages_render_gained += usize::from(gained > 0);
        self.render_requests += requests;
        self.requests += requests;
        self.bytes += bytes;
    }
}

fn serialize_secs<S: serde::Serializer>(value: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(value.as_secs_f64())
}

/// Why a crawl ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StopReason {
    /// Every reachable page up to the maximum depth was visited.
    Completed,
    /// The page cap was reached; pages left over are marked `max_pages`.
    MaxPages,
    /// The shutdown future resolved; pages left over are marked `cancelled`.
    Cancelled,
    /// The graph reached its node or edge budget (`max_nodes`, `max_edges`); pages left over
    /// are marked `graph_limit`.
    GraphLimit,
}

impl StopReason {
    /// A short lowercase label.
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::Completed => "completed",
            StopReason::MaxPages => "max_pages",
            StopReason::Cancelled => "cancelled",
            StopReason::GraphLimit => "graph_limit",
        }
    }
}
