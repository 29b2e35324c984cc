//! Crawl settings: the [`CrawlSpec`] every front door starts from, the validated
//! [`CrawlConfig`] a crawl runs on, and the documented defaults.
//!
//! Every default is a public `DEFAULT_*` constant so the CLI's help text and the library agree.
//! In a config every limit carries its type (`NonZeroUsize` for counts, `Duration` for times).
//!
//! Everything here is data: no setters (those are the builder's, in `crawl/builder`), no
//! client and no I/O. The fetch reads these types; nothing here imports the fetch or the crawl.
//!
//! # Architecture
//! - `mod.rs`: [`CrawlConfig`], the defaults and the limits.
//! - [`spec`]: [`CrawlSpec`], plain and serialisable, and its validation into a config.
//! - [`secret`]: [`Secret`], a value that serialises only as its digest.
//! - [`http`]: [`HttpOptions`](http::HttpOptions), the request options (headers, Basic auth,
//!   cookies, proxy), and the credentials kept to the seeds' origins.
//! - [`links`]: [`LinkOptions`](links::LinkOptions), which kinds of link are recorded and
//!   followed, and what `rel="nofollow"` does.
//! - [`files`]: [`FileOptions`](files::FileOptions), the settings of `file://` crawls.
//! - [`scope`]: which hosts and paths a crawl may leave its seeds for.
//! - [`cookies`]: the cookie jar a crawl starts with.
//! - [`render`]: when pages are rendered in a browser, and the renderer.

pub mod cookies;
pub mod files;
pub mod http;
pub mod links;
pub mod render;
pub mod scope;
pub mod secret;
pub mod spec;

pub use secret::Secret;
pub use spec::{CrawlSpec, Header, Login, SpecDifference, SpecError, WorkerSpec, SPEC_SCHEMA};

use std::num::NonZeroUsize;
use std::time::Duration;

use crate::config::scope::Scope;
use crate::extract::Extraction;

/// Default maximum depth: seeds are depth 0, so 2 fetches the seeds, their links and the links of those.
pub const DEFAULT_MAX_DEPTH: u32 = 2;
/// Default number of requests in flight across all hosts.
pub const DEFAULT_CONCURRENCY: usize = 32;
/// Default number of requests in flight to one host: two, the old HTTP/1.1 advice for
/// clients, so a small site on the open web is never hammered. Raise it for your own servers.
pub const DEFAULT_PER_HOST: usize = 2;
/// Default limit for a whole request, from connecting to the last body byte.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default limit for establishing a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default limit for one read on an open connection (a server that stalls mid-body).
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(15);
/// Default maximum number of redirects followed from one URL.
pub const DEFAULT_MAX_REDIRECTS: usize = 10;
/// Default maximum body size read from one page, in bytes, after decompression.
pub const DEFAULT_MAX_BODY_BYTES: usize = 10 * 1024 * 1024;
/// Default maximum number of links taken from one page; the rest are dropped.
pub const DEFAULT_MAX_LINKS_PER_PAGE: usize = 10_000;
/// Default maximum length of a URL, in bytes; longer links are dropped.
pub const DEFAULT_MAX_URL_LEN: usize = 2048;
/// Default number of retries of a transient failure (429, 502-504, refused or reset connection).
pub const DEFAULT_RETRIES: u32 = 2;
/// Default wait before the first retry; it doubles with each further retry.
pub const DEFAULT_RETRY_BASE_DELAY: Duration = Duration::from_millis(500);
/// Default limit for one page across its redirect hops and retries, so that one URL cannot
/// hold a level for `(max_redirects + 1) x (retries + 1) x (timeout + Retry-After)`.
pub const DEFAULT_PAGE_TIMEOUT: Duration = Duration::from_secs(120);
/// Default budget of nodes in the graph: about 340 MB of graph and seen set at the measured
/// ~675 bytes a node (see docs/limits.md).
pub const DEFAULT_MAX_NODES: usize = 500_000;
/// Default budget of edges in the graph: about 175 MB at ~35 bytes an edge.
pub const DEFAULT_MAX_EDGES: usize = 5_000_000;
/// The `crawl` command's default `max_nodes` for a streamed crawl (`--stream`, `--format
/// jsonl`), which keeps no graph: there it bounds the URLs queued for fetching, each a 16-byte
/// fingerprint in the seen set plus its share of a level's frontier, about 120 bytes a URL as
/// measured at a million pages (see docs/limits.md), so some 6 GB at the bound. A streamed
/// crawl is for sites of millions of pages; the bound is there to stop a runaway crawl (a
/// trap the depth does not cut), not a big site.
pub const DEFAULT_STREAM_MAX_NODES: usize = 50_000_000;
/// Longest duration any setting takes (the timeouts, `delay`, `retry_base_delay`, and the gap
/// between requests that `rate` implies): one day. Longer values are refused by
/// [`build`](crate::CrawlerBuilder::build), so no deadline computed from a setting can overflow.
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 60 * 60);
/// Most requests in flight a crawler takes, across all hosts (`concurrency`) or to one host
/// (`per_host`): 2^20, Linux's default ceiling on a process's open files, since every request in
/// flight holds a socket. Larger values are refused by [`build`](crate::CrawlerBuilder::build).
pub const MAX_CONCURRENCY: usize = 1 << 20;
/// Default `User-Agent` header.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "crawlgraph/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/crawlgraph/crawlgraph)"
);

/// The validated settings of a [`Crawler`](crate::Crawler), made from a [`CrawlSpec`] by
/// [`CrawlSpec::config`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CrawlConfig {
    /// Deepest level fetched; seeds are depth 0. Links found at this depth become unfetched
    /// boundary nodes at `max_depth + 1`.
    pub max_depth: u32,
    /// At most this many pages are fetched (redirect hops followed for a page count with it).
    pub max_pages: Option<NonZeroUsize>,
    /// Requests in flight across all hosts.
    pub concurrency: NonZeroUsize,
    /// Requests in flight to one host (host and port).
    pub per_host: NonZeroUsize,
    /// Limit for a whole request.
    pub timeout: Duration,
    /// Limit for one page across its redirect hops and retries, from when its first request
    /// may be sent.
    pub page_timeout: Duration,
    /// Nodes the graph may hold; reaching it stops the crawl ([`StopReason::GraphLimit`](crate::StopReason::GraphLimit)).
    pub max_nodes: NonZeroUsize,
    /// Edges the graph may hold; reaching it stops the crawl ([`StopReason::GraphLimit`](crate::StopReason::GraphLimit)).
    pub max_edges: NonZeroUsize,
    /// Limit for establishing a connection.
    pub connect_timeout: Duration,
    /// Limit for one read.
    pub read_timeout: Duration,
    /// Redirects followed from one URL before it fails with `TooManyRedirects`.
    pub max_redirects: usize,
    /// Bytes of a page body read, after decompression.
    pub max_body_bytes: NonZeroUsize,
    /// Links kept from one page.
    pub max_links_per_page: NonZeroUsize,
    /// Longest URL kept, in bytes.
    pub max_url_len: NonZeroUsize,
    /// `User-Agent` sent with every request.
    pub user_agent: String,
    /// Which URLs may be fetched.
    pub scope: Scope,
    /// Whether robots.txt is fetched and obeyed.
    pub respect_robots: bool,
    /// Minimum time between the starts of two requests to one host.
    pub delay: Option<Duration>,
    /// Maximum requests per second to one host.
    pub rate: Option<f64>,
    /// Retries of a transient failure.
    pub retries: u32,
    /// Wait before the first retry; doubled for each further one.
    pub retry_base_delay: Duration,
    /// Whether hosts resolving to loopback, private or link-local addresses are refused.
    pub deny_private_ips: bool,
    /// Whether the seeds' sitemaps (robots.txt `Sitemap:` lines, `/sitemap.xml`) add seeds.
    pub sitemaps: bool,
    /// How links are taken out of pages.
    pub extraction: Extraction,
    /// Extra headers, cookies, credentials, proxy and TLS checks.
    pub http: crate::config::http::HttpOptions,
    /// Which links become edges and which are followed.
    pub links: crate::config::links::LinkOptions,
    /// Settings of `file://` crawls.
    pub files: crate::config::files::FileOptions,
    /// When pages are rendered in a browser, and the browser.
    pub render: crate::config::render::RenderOptions,
}

impl CrawlConfig {
    /// Whether a crawl with these settings runs without levels, each page fetched as soon as it
    /// is found (see docs/crawling.md). A crawl capped by `max_pages`, or one that checks
    /// resources, keeps levels: which pages the cap keeps, and whether a URL is fetched as a
    /// page or a resource, depend on every link of the levels before it. A streaming crawl
    /// keeps levels too (it keeps no graph to correct depths in).
    pub fn flows(&self) -> bool {
        // Mirrored by `CrawlSpec::flows`, which a spec test keeps equal to this.
        self.max_pages.is_none() && !self.links.check_resources
    }

    /// The minimum gap between two request starts to one host, from `delay` and `rate`.
    pub fn host_gap(&self) -> Duration {
        // The builder keeps `1 / rate` within MAX_DURATION; the checked conversion and the cap
        // make sure no value can panic here even so.
        let from_rate = self.rate.map_or(Duration::ZERO, |rate| {
            Duration::try_from_secs_f64(1.0 / rate).unwrap_or(MAX_DURATION)
        });
        self.delay
            .unwrap_or_default()
            .max(from_rate)
            .min(MAX_DURATION)
    }
}
