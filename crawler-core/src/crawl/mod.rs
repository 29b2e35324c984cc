//! The crawl loop: level by level, breadth first, to a bounded depth.
//!
//! Each level is run by [`dispatch`](crate::crawl::run::dispatch) (per-host queues, a crawl-wide cap on
//! requests in flight taken only when a host may send) and its outcomes are folded into the
//! graph in frontier order. Folding in a fixed order keeps the graph's node order the same from
//! run to run whatever order the responses arrive in, and a level barrier makes depths exact: a
//! page's depth is the length of the shortest link path from a seed.
//!
//! # Depth rule
//! Seeds are depth 0. Every page at depth `d <= max_depth` is fetched and its links are
//! recorded. A link target first seen from depth `d` gets depth `d + 1`; targets at
//! `max_depth + 1` stay in the graph as unfetched boundary nodes (`beyond_depth`). A redirect
//! target keeps the depth of the URL that redirected: the links of a level are claimed for the
//! next level only when the level is done, so a redirect of the same level always reaches them
//! first, and folding it lowers the depth a longer path gave them.
//!
//! # The end
//! The crawl ends when a level is empty, the page cap or the graph budget is reached, or the
//! shutdown future resolves (which every phase races, sitemap discovery included). Pages whose
//! retries ran out are put aside and tried again, with retries of their own, after the last
//! level, before finishing.
//!
//! Fetching is the [`Fetcher`]'s, folding an outcome into the graph the [`GraphBuilder`]'s; this
//! module only orders the work. It is the top of the house below the front doors: it uses
//! `config`, `fetch` and `graph`, and none of them uses it.
//!
//! # Architecture
//! - `mod.rs`: [`Crawler`], the public face: a crawl from seeds to a report.
//! - [`builder`]: [`CrawlerBuilder`], every setter, filling a [`CrawlSpec`].
//! - `run/`: one crawl as it runs, level by level (`Run`, its dispatch and levels).
//! - `frontier.rs`: [`Frontier`](crate::frontier::Frontier), a level's URLs stored compactly.
//! - `seeds/`: [`SeedList`], seeds read, normalised and deduplicated.
//! - `fold.rs`: [`GraphBuilder`], outcomes folded into the graph, the same for a live crawl and
//!   a replay of stored outcomes.
//! - [`sink`]: what a streaming crawl hands out per folded page, and its line writers.
//! - `order.rs`: the canonical order of a finished graph's pages and edges, which the
//!   graph is put in before it is handed out.
//! - `fragments.rs`: the anchors of fetched pages, and the fragments of links checked against
//!   them when the crawl ends.

pub mod builder;
pub(crate) mod fold;
pub(crate) mod fragments;
pub(crate) mod frontier;
pub(crate) mod order;
pub(crate) mod run;
pub(crate) mod seeds;
pub mod sink;

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use url::Url;

use crate::config::scope::SeedScope;
use crate::config::CrawlConfig;
use crate::config::CrawlSpec;
use crate::crawl::builder::CrawlerBuilder;
use crate::crawl::fold::GraphBuilder;
use crate::crawl::run::Run;
use crate::crawl::seeds::{SeedList, WithSeeds};
use crate::crawl::sink::FoldSink;
use crate::error::Error;
use crate::fetch::context::Attached;
use crate::fetch::coordination::{Coordination, Local};
use crate::fetch::Fetcher;
use crate::graph::report::CrawlReport;
use crate::seen::{MemorySeenSet, SeenSet};

/// A configured crawler. Cheap to keep; each [`crawl`](Self::crawl) builds its own HTTP client
/// and state, so one crawler can run several crawls.
///
/// Pages are fetched and parsed in tasks spawned on the current tokio runtime, and folded in
/// the future `crawl` returns. Run that future on the runtime's workers (`tokio::spawn`), not
/// directly in `Runtime::block_on`: there it is polled on a thread of its own, woken once per
/// page. The `crawl` binary measured 3x fewer context switches and about 6% less CPU spawned.
#[derive(Debug)]
pub struct Crawler {
    spec: CrawlSpec,
    config: Arc<CrawlConfig>,
    seen: Option<Arc<dyn SeenSet>>,
    /// The event handler, the previous crawl and the browser, handed to each fetcher.
    attached: Attached,
}

impl Crawler {
    /// Starts configuring a crawler.
    pub fn builder() -> CrawlerBuilder {
        CrawlerBuilder::default()
    }

    /// A crawler for `spec`, validated: the same as
    /// `CrawlerBuilder::from_spec(spec).build()`.
    ///
    /// # Errors
    /// The first invalid setting, as a [`ConfigError`](crate::ConfigError).
    pub fn from_spec(spec: CrawlSpec) -> Result<Self, crate::ConfigError> {
        CrawlerBuilder::from_spec(spec).build()
    }

    pub(crate) fn new(
        spec: CrawlSpec,
        config: CrawlConfig,
        seen: Option<Arc<dyn SeenSet>>,
        attached: Attached,
    ) -> Self {
        Self {
            spec,
            config: Arc::new(config),
            seen,
            attached,
        }
    }

    /// The spec the crawler was built from.
    pub fn spec(&self) -> &CrawlSpec {
        &self.spec
    }

    /// The crawler's settings, validated.
    pub fn config(&self) -> &CrawlConfig {
        &self.config
    }

    /// Crawls from `seeds` until the depth, the page cap, or `shutdown` ends it.
    ///
    /// When `shutdown` resolves, requests in flight are dropped and the report comes back with
    /// what was found so far ([`StopReason::Cancelled`](crate::StopReason::Cancelled)). Pass `std::future::pending()` to run to
    /// the end.
    ///
    /// # Errors
    /// [`Error::NoSeeds`] or [`Error::InvalidSeed`] for bad seeds, [`Error::Client`] if the HTTP
    /// client cannot be built. Failures of single pages are never errors: they are in the graph.
    pub async fn crawl<S: AsRef<str>>(
        &self,
        seeds: impl IntoIterator<Item = S>,
        shutdown: impl Future<Output = ()>,
    ) -> Result<CrawlReport, Error> {
        let seeds = self.seed_list_of(seeds)?;
        self.run(seeds, shutdown, None).await
    }

    /// Crawls from a [`SeedList`] as [`crawl`](Self::crawl) does: for a caller that builds the
    /// list itself (reading a large seeds file elsewhere, with its own error messages).
    ///
    /// A long list is claimed and given its graph nodes 65,536 seeds at a time, each part
    /// fetched whole before the next (see docs/limits.md), so the first requests go out
    /// as soon as the first part is ready, and `shutdown` is looked at between parts.
    ///
    /// # Errors
    /// [`Error::NoSeeds`] if the list is empty, [`Error::Client`] if the HTTP client cannot be
    /// built.
    pub async fn crawl_seeds(
        &self,
        seeds: SeedList,
        shutdown: impl Future<Output = ()>,
    ) -> Result<CrawlReport, Error> {
        self.run(seeds, shutdown, None).await
    }

    /// Crawls as [`crawl`](Self::crawl) does, but hands each page to `sink` as it is folded
    /// (see [`crate::crawl::sink`]) instead of keeping the graph: memory holds only the seen set and
    /// the frontier. The report's graph is empty; its counters and stop reason are filled in.
    ///
    /// # Errors
    /// As [`crawl`](Self::crawl), and [`Error::NeedsGraph`] when fragments are checked
    /// ([`check_fragments`](crate::CrawlerBuilder::check_fragments)).
    pub async fn crawl_streaming<S: AsRef<str>>(
        &self,
        seeds: impl IntoIterator<Item = S>,
        shutdown: impl Future<Output = ()>,
        sink: FoldSink,
    ) -> Result<CrawlReport, Error> {
        let seeds = self.seed_list_of(seeds)?;
        self.run(seeds, shutdown, Some(sink)).await
    }

    /// Whether this crawler's settings allow a streaming crawl, which keeps no graph.
    ///
    /// # Errors
    /// [`Error::NeedsGraph`] naming the first setting that needs the whole graph:
    /// `check_fragments` (a fragment is checked against a page fetched before or after it, so
    /// a streaming crawl would have to keep every page's anchors).
    pub fn check_streamable(&self) -> Result<(), Error> {
        if self.config.links.check_fragments {
            return Err(Error::NeedsGraph {
                setting: "check_fragments",
            });
        }
        Ok(())
    }

    /// [`crawl_streaming`](Self::crawl_streaming) from a [`SeedList`], as
    /// [`crawl_seeds`](Self::crawl_seeds).
    ///
    /// # Errors
    /// As [`crawl_seeds`](Self::crawl_seeds).
    pub async fn crawl_seeds_streaming(
        &self,
        seeds: SeedList,
        shutdown: impl Future<Output = ()>,
        sink: FoldSink,
    ) -> Result<CrawlReport, Error> {
        self.run(seeds, shutdown, Some(sink)).await
    }

    async fn run(
        &self,
        seeds: SeedList,
        shutdown: impl Future<Output = ()>,
        sink: Option<FoldSink>,
    ) -> Result<CrawlReport, Error> {
        if seeds.is_empty() {
            return Err(Error::NoSeeds);
        }
        if sink.is_some() {
            self.check_streamable()?;
        }
        let scope = self.config.scope.for_seeds(&seeds.one_per_origin());
        let seeds = Arc::new(seeds);
        let claimed = self
            .seen
            .clone()
            .unwrap_or_else(|| Arc::new(MemorySeenSet::default()));
        let seen: Arc<dyn SeenSet> = Arc::new(WithSeeds::new(&seeds, Arc::clone(&claimed)));
        let local: Arc<dyn Coordination> = Arc::new(Local::new(Arc::clone(&seen)));
        let fetcher = self.fetcher(scope.clone(), local)?;
        let flowing = sink.is_none() && self.config.flows();
        let graph = match sink {
            Some(sink) => GraphBuilder::streaming(&self.config, scope, sink),
            None if flowing => GraphBuilder::relaxing(&self.config, scope),
            None => GraphBuilder::new(&self.config, scope),
        };
        let run = Run {
            graph,
            fetcher,
            seeds,
            claimed,
            seen,
            deferred: Vec::new(),
            retried: false,
            flowing,
            started: Instant::now(),
        };
        Ok(run.execute(shutdown).await)
    }

    /// An empty [`SeedList`] with this crawler's URL length limit.
    pub fn seed_list(&self) -> SeedList {
        SeedList::new(self.config.max_url_len.get())
    }

    /// Parses, normalises and deduplicates seed URLs as [`crawl`](Self::crawl) does, in one
    /// pass (a seeds file can hold millions of lines), the first spelling kept in order.
    ///
    /// # Errors
    /// [`Error::NoSeeds`] if there are none, [`Error::InvalidSeed`] for the first bad one.
    pub fn parse_seeds<S: AsRef<str>>(
        &self,
        seeds: impl IntoIterator<Item = S>,
    ) -> Result<Vec<Url>, Error> {
        let seeds = self.seed_list_of(seeds)?;
        if seeds.is_empty() {
            return Err(Error::NoSeeds);
        }
        Ok(seeds.into_urls())
    }

    fn seed_list_of<S: AsRef<str>>(
        &self,
        seeds: impl IntoIterator<Item = S>,
    ) -> Result<SeedList, Error> {
        let seeds = seeds.into_iter();
        let mut list = self.seed_list();
        list.reserve(seeds.size_hint().0);
        for seed in seeds {
            list.push(seed.as_ref())?;
        }
        Ok(list)
    }

    /// A [`Fetcher`] with this crawler's settings and event handler, for `scope` (from
    /// [`Scope::for_seeds`](crate::config::scope::Scope::for_seeds)) and `coordination`: the fetch half
    /// of [`crawl`](Self::crawl), for a crawl driven from elsewhere (a distributed worker).
    ///
    /// # Errors
    /// [`Error::Client`] if the HTTP client cannot be built.
    pub fn fetcher(
        &self,
        scope: SeedScope,
        coordination: Arc<dyn Coordination>,
    ) -> Result<Fetcher, Error> {
        Fetcher::with_events(
            Arc::clone(&self.config),
            scope,
            coordination,
            self.attached.clone(),
        )
    }
}
