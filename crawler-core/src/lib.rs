//! crawler-core: crawl web sites breadth-first to a bounded depth and get the link graph back.
//!
//! Pages are nodes and links are edges of a petgraph directed graph ([`CrawlGraph`]), with
//! status, depth, errors and redirects recorded. One shared HTTP client, a global cap on
//! requests in flight plus a cap per host, URL dedup in a concurrent set, and links extracted
//! with html5ever. Per-page failures (404s, timeouts, redirect loops) are stored in the graph,
//! never returned as errors, so one bad page never loses the rest.
//!
//! # Quick start
//! ```
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let server = crawler_tests::FixtureServer::start();
//! # let seed = server.url("/index.html");
//! use crawler_core::{Crawler, ExportFormat, StopReason};
//!
//! let crawler = Crawler::builder().max_depth(1).per_host(4).build()?;
//! let report = crawler.crawl([seed.as_str()], std::future::pending()).await?;
//! assert_eq!(report.stopped, StopReason::Completed);
//! for (source, target, _link) in report.graph.links() {
//!     println!("{}\t{}", source.url, target.url);
//! }
//! let mut dot = Vec::new();
//! crawler_core::export::write(&report, ExportFormat::Dot, &mut dot)?;
//! assert!(dot.starts_with(b"digraph"));
//! # Ok(())
//! # }
//! ```
//!
//! # Architecture
//! - [`config`] and [`builder`]: the [`CrawlSpec`] every front door starts from, its
//!   validation, the defaults, and the builder that fills a spec.
//! - `crawler`: the level-by-level loop, the depth rule and stop reasons.
//! - `fetch` ([`Fetcher`]): one page: request, redirect chain, body cap, parse off the async
//!   workers; `request`, `retry`, [`robots`], `politeness`, `address`, `charset` serve it.
//! - [`outcome`]: what one fetch produces ([`PageOutcome`]), serialisable.
//! - `fold` ([`GraphBuilder`]): outcomes folded into the graph, the same for a live crawl and a
//!   replay of stored outcomes.
//! - [`coordination`]: the per-request seam a store shared by several workers answers
//!   (redirect claims, robots.txt, pacing); [`Local`] is the in-process one.
//! - [`extract`] and `url_norm`: links out of HTML, and the normalisation rules.
//! - `politeness`: the per-host semaphores. [`frontier`]: the seen set behind a trait.
//! - [`graph`], [`report`], [`event`], [`export`]: what comes back and how it is written out.
#![warn(unreachable_pub, missing_debug_implementations)]
#![deny(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

mod address;
pub mod analysis;
mod backpressure;
pub mod builder;
mod charset;
pub mod config;
pub mod cookies;
pub mod coordination;
mod crawler;
mod dispatch;
pub mod error;
pub mod event;
pub mod export;
pub mod extract;
mod fetch;
mod fold;
pub mod frontier;
pub mod graph;
pub mod http_options;
pub mod import;
mod level;
pub mod link_kind;
pub mod link_options;
pub mod outcome;
mod page_links;
mod politeness;
mod probe;
pub mod report;
mod request;
mod retry;
pub mod robots;
pub mod scope;
mod seeds;
pub mod sitemap;
pub mod stream;
mod strings;
pub mod transport;
mod url_norm;

pub use builder::CrawlerBuilder;
pub use config::{
    CrawlConfig, CrawlSpec, Header, Login, Secret, SpecDifference, SpecError, WorkerSpec,
    DEFAULT_CONCURRENCY, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_EDGES, DEFAULT_MAX_LINKS_PER_PAGE, DEFAULT_MAX_NODES, DEFAULT_MAX_REDIRECTS,
    DEFAULT_MAX_URL_LEN, DEFAULT_PAGE_TIMEOUT, DEFAULT_PER_HOST, DEFAULT_READ_TIMEOUT,
    DEFAULT_RETRIES, DEFAULT_RETRY_BASE_DELAY, DEFAULT_TIMEOUT, DEFAULT_USER_AGENT,
    MAX_CONCURRENCY, MAX_DURATION, SPEC_SCHEMA,
};
pub use cookies::CookieJar;
pub use coordination::{Coordination, Local};
pub use crawler::Crawler;
pub use error::{ConfigError, Error, PageError};
pub use event::CrawlEvent;
pub use export::ExportFormat;
pub use extract::Extraction;
pub use fetch::Fetcher;
pub use fold::GraphBuilder;
pub use graph::{CrawlGraph, Link, LinkKind, Page, SkipReason};
pub use http_options::{BasicAuth, HttpOptions};
pub use link_kind::LinkKinds;
pub use link_options::LinkOptions;
pub use outcome::{FoundLink, Hop, PageOutcome, Target};
pub use petgraph::graph::NodeIndex;
pub use report::{CrawlReport, CrawlStats, StopReason};
pub use retry::MAX_RETRY_WAIT;
pub use scope::{HostScope, SeedScope};
pub use seeds::{BadSeed, SeedList};
pub use stream::{FoldSink, FoldedLink, FoldedPage};
pub use url::{self, Url};

#[doc(hidden)]
/// Resolves and normalises one href (exposed for benches and fuzzing).
pub fn normalize_link(base: &Url, href: &str) -> Option<Url> {
    url_norm::resolve(base, href, DEFAULT_MAX_URL_LEN).ok()
}

/// The README's Rust snippets, compiled as doc tests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
