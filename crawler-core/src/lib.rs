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
//! Folders by concern; arrows only point down (`scripts/import-graph.py` checks that no file
//! and no folder imports one that imports it back):
//! `crawl -> fetch -> since -> config -> extract -> graph`, with `outcome` between `fetch`
//! and `extract`, `import` and `export` under `since`, and `export`, `analysis` and `import`
//! above `graph` only. CI fails on a cycle (`make lint`).
//! - [`config`]: the [`CrawlSpec`] every front door starts from, the validated
//!   [`CrawlConfig`], the defaults, and the options of requests, links, `file://` crawls, scope
//!   and cookies. Data only.
//! - `crawl/` ([`Crawler`], [`builder`]): the builder that fills a spec, the level-by-level
//!   loop, the depth rule and stop reasons, the [`frontier`], the seeds, the fold of outcomes
//!   into the graph ([`GraphBuilder`]) and the streaming [`sink`](stream).
//! - `fetch/` ([`Fetcher`]): one page: request, redirect chain, body cap, parse off the async
//!   workers; the `file://` transport, [`robots`], [`sitemap`], politeness, retries and the
//!   private-address guard serve it. [`coordination`] is the per-request seam a store shared
//!   by several workers answers (redirect claims, robots.txt, pacing); [`Local`] is the
//!   in-process one.
//! - [`graph`]: what comes back: [`CrawlGraph`], [`link_kind`], [`report`], page states.
//! - [`extract`] and `url_norm`: links out of HTML, and the normalisation rules.
//! - [`outcome`] ([`PageOutcome`]): what one fetch produces, serialisable; [`event`]: what a
//!   crawl reports as it runs; [`error`]: what can fail. `seen`: the seen set behind a trait;
//!   `strings`: the compact string table.
//! - [`export`], [`analysis`], [`import`]: the graph written out, read back, and checked.
//! - [`since`]: a previous crawl read back for a conditional re-crawl (`--since`): the pages
//!   it vouches for, asked with their validators, and what a `304` stands for.
#![warn(unreachable_pub, missing_debug_implementations)]
#![deny(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

pub mod analysis;
pub mod config;
mod crawl;
pub mod error;
pub mod event;
pub mod export;
pub mod extract;
mod fetch;
pub mod graph;
pub mod import;
pub mod outcome;
mod seen;
pub mod since;
mod strings;
mod url_norm;

// The public module paths of the flat layout, kept for the crates and tests that use them.
pub use config::{cookies, http as http_options, links as link_options, scope};
pub use crawl::{builder, sink as stream};
pub use fetch::{coordination, render, robots, sitemap};
pub use graph::{link_kind, report};

/// The frontier of a crawl and the seen set behind it (the flat layout's `frontier` module).
pub mod frontier {
    pub use crate::crawl::frontier::Frontier;
    pub use crate::seen::{MemorySeenSet, SeenSet};
}

/// Transports other than HTTP that answer through the same fetch path.
///
/// # Architecture
/// - [`file`](mod@crate::transport::file): `file://` URLs, for checking a static site build on
///   disk before it is deployed.
pub mod transport {
    /// `file://` sites: a local folder crawled like a web site, with no network at all.
    pub mod file {
        pub use crate::config::files::{FileOptions, DEFAULT_INDEX_FILE};
        pub use crate::fetch::file::content_type;
    }
}

pub use builder::CrawlerBuilder;
pub use config::render::{RenderMode, RenderOptions, DEFAULT_RENDER_WAIT};
pub use config::{
    CrawlConfig, CrawlSpec, Header, Login, Secret, SpecDifference, SpecError, WorkerSpec,
    DEFAULT_CONCURRENCY, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_EDGES, DEFAULT_MAX_LINKS_PER_PAGE, DEFAULT_MAX_NODES, DEFAULT_MAX_REDIRECTS,
    DEFAULT_MAX_URL_LEN, DEFAULT_PAGE_TIMEOUT, DEFAULT_PER_HOST, DEFAULT_READ_TIMEOUT,
    DEFAULT_RETRIES, DEFAULT_RETRY_BASE_DELAY, DEFAULT_STREAM_MAX_NODES, DEFAULT_TIMEOUT,
    DEFAULT_USER_AGENT, MAX_CONCURRENCY, MAX_DURATION, SPEC_SCHEMA,
};
pub use cookies::CookieJar;
pub use coordination::{Coordination, Local};
pub use crawl::fold::GraphBuilder;
pub use crawl::seeds::{BadSeed, SeedList};
pub use crawl::sink::{FoldSink, FoldedLink, FoldedPage};
pub use crawl::Crawler;
pub use error::{ConfigError, Error, PageError};
pub use event::{CrawlEvent, PROGRESS_EVERY};
pub use export::ExportFormat;
pub use extract::anchors::MAX_ANCHORS_PER_PAGE;
pub use extract::Extraction;
pub use fetch::retry::MAX_RETRY_WAIT;
pub use fetch::Fetcher;
pub use graph::{CrawlGraph, EdgeFragment, Link, LinkKind, Page, SkipReason, Validators};
pub use http_options::{BasicAuth, HttpOptions};
pub use link_kind::LinkKinds;
pub use link_options::LinkOptions;
pub use outcome::{FoundLink, Freshness, Hop, LinkFragment, PageOutcome, Target};
pub use petgraph::graph::NodeIndex;
pub use report::{CrawlReport, CrawlStats, StopReason};
pub use scope::{HostScope, SeedScope};
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
