//! The crawl loop: level by level, breadth first, to a bounded depth.
//!
//! Each level is fetched with at most `concurrency` requests in flight (each request also waits
//! for its host's permit), then its results are folded into the graph in frontier order. Folding
//! in a fixed order keeps the graph's node order the same from run to run whatever order the
//! responses arrive in, and a level barrier makes depths exact: a page's depth is the length of
//! the shortest link path from a seed.
//!
//! # Depth rule
//! Seeds are depth 0. Every page at depth `d <= max_depth` is fetched and its links are
//! recorded. A link target first seen from depth `d` gets depth `d + 1`; targets at
//! `max_depth + 1` stay in the graph as unfetched boundary nodes (`beyond_depth`).
//!
//! Fetching is the [`Fetcher`]'s, folding an outcome into the graph the [`GraphBuilder`]'s; this
//! module only orders the work.

use std::future::Future;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use futures::{FutureExt, StreamExt};
use petgraph::graph::NodeIndex;
use tokio_util::task::AbortOnDropHandle;
use url::Url;

use crate::builder::CrawlerBuilder;
use crate::config::CrawlConfig;
use crate::coordination::{Coordination, Local};
use crate::error::{Error, PageError};
use crate::event::{CrawlEvent, Events};
use crate::fetch::Fetcher;
use crate::fold::GraphBuilder;
use crate::frontier::{MemorySeenSet, SeenSet};
use crate::graph::SkipReason;
use crate::outcome::PageOutcome;
use crate::report::{CrawlReport, StopReason};
use crate::scope::SeedScope;
use crate::stream::FoldSink;
use crate::url_norm;

/// A configured crawler. Cheap to keep; each [`crawl`](Self::crawl) builds its own HTTP client
/// and state, so one crawler can run several crawls.
#[derive(Debug)]
pub struct Crawler {
    config: Arc<CrawlConfig>,
    events: Events,
    seen: Option<Arc<dyn SeenSet>>,
}

impl Crawler {
    /// Starts configuring a crawler.
    pub fn builder() -> CrawlerBuilder {
        CrawlerBuilder::default()
    }

    pub(crate) fn new(config: CrawlConfig, events: Events, seen: Option<Arc<dyn SeenSet>>) -> Self {
        Self {
            config: Arc::new(config),
            events,
            seen,
        }
    }

    /// The crawler's settings.
    pub fn config(&self) -> &CrawlConfig {
        &self.config
    }

    /// Crawls from `seeds` until the depth, the page cap, or `shutdown` ends it.
    ///
    /// When `shutdown` resolves, requests in flight are dropped and the report comes back with
    /// what was found so far ([`StopReason::Cancelled`]). Pass `std::future::pending()` to run to
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
        self.run(seeds, shutdown, None).await
    }

    /// Crawls as [`crawl`](Self::crawl) does, but hands each page to `sink` as it is folded
    /// (see [`crate::stream`]) instead of keeping the graph: memory holds only the seen set and
    /// the frontier. The report's graph is empty; its counters and stop reason are filled in.
    ///
    /// # Errors
    /// As [`crawl`](Self::crawl).
    pub async fn crawl_streaming<S: AsRef<str>>(
        &self,
        seeds: impl IntoIterator<Item = S>,
        shutdown: impl Future<Output = ()>,
        sink: FoldSink,
    ) -> Result<CrawlReport, Error> {
        self.run(seeds, shutdown, Some(sink)).await
    }

    async fn run<S: AsRef<str>>(
        &self,
        seeds: impl IntoIterator<Item = S>,
        shutdown: impl Future<Output = ()>,
        sink: Option<FoldSink>,
    ) -> Result<CrawlReport, Error> {
        let seeds = self.parse_seeds(seeds)?;
        let scope = self.config.scope.for_seeds(&seeds);
        let seen = self
            .seen
            .clone()
            .unwrap_or_else(|| Arc::new(MemorySeenSet::default()));
        let fetcher = self.fetcher(scope.clone(), Arc::new(Local::new(Arc::clone(&seen))))?;
        let graph = match sink {
            Some(sink) => GraphBuilder::streaming(&self.config, scope, sink),
            None => GraphBuilder::new(&self.config, scope),
        };
        let run = Run {
            graph,
            fetcher,
            seen,
            started: Instant::now(),
        };
        Ok(run.execute(seeds, shutdown).await)
    }

    /// Parses, normalises and deduplicates seed URLs as [`crawl`](Self::crawl) does.
    ///
    /// # Errors
    /// [`Error::NoSeeds`] if there are none, [`Error::InvalidSeed`] for the first bad one.
    pub fn parse_seeds<S: AsRef<str>>(
        &self,
        seeds: impl IntoIterator<Item = S>,
    ) -> Result<Vec<Url>, Error> {
        let max_len = self.config.max_url_len.get();
        let mut parsed: Vec<Url> = Vec::new();
        for seed in seeds {
            let seed = seed.as_ref();
            let url =
                url_norm::parse_absolute(seed, max_len).map_err(|reason| Error::InvalidSeed {
                    url: seed.to_owned(),
                    reason: reason.to_string(),
                })?;
            if !parsed.contains(&url) {
                parsed.push(url);
            }
        }
        if parsed.is_empty() {
            return Err(Error::NoSeeds);
        }
        Ok(parsed)
    }

    /// A [`Fetcher`] with this crawler's settings and event handler, for `scope` (from
    /// [`Scope::for_seeds`](crate::scope::Scope::for_seeds)) and `coordination`: the fetch half
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
            self.events.clone(),
        )
    }
}

/// The state of one crawl.
struct Run {
    fetcher: Fetcher,
    graph: GraphBuilder,
    /// Claims links when outcomes are folded; the fetcher's [`Local`] claims redirects in it.
    seen: Arc<dyn SeenSet>,
    started: Instant,
}

impl Run {
    async fn execute(mut self, seeds: Vec<Url>, shutdown: impl Future<Output = ()>) -> CrawlReport {
        let started_at = SystemTime::now();
        let fetcher = self.fetcher.clone();
        let config = fetcher.config();
        let events = fetcher.events();
        events.emit(|| CrawlEvent::Started {
            seeds: seeds.clone(),
        });
        let mut level: Vec<(NodeIndex, Url)> = Vec::new();
        for seed in &seeds {
            if self.seen.claim(seed) {
                level.push((self.graph.add_seed(seed), seed.clone()));
            }
        }
        if config.sitemaps {
            for url in fetcher.sitemap_urls(&seeds).await {
                if self.seen.claim(&url) {
                    level.push((self.graph.add_seed(&url), url));
                }
            }
        }
        let mut shutdown = std::pin::pin!(shutdown);
        let mut stopped = StopReason::Completed;
        let mut depth = 0;
        while !level.is_empty() {
            if let Some(max) = config.max_pages {
                let budget = max.get().saturating_sub(self.graph.stats().pages_fetched);
                if level.len() > budget {
                    self.graph.skip_all(&level[budget..], SkipReason::MaxPages);
                    level.truncate(budget);
                    stopped = StopReason::MaxPages;
                }
            }
            events.emit(|| CrawlEvent::LevelStarted {
                depth,
                pages: level.len(),
            });
            let mut next = Vec::new();
            let cancelled = self
                .run_level(&level, depth, shutdown.as_mut(), &mut next)
                .await;
            if cancelled {
                stopped = StopReason::Cancelled;
            }
            events.emit(|| CrawlEvent::LevelDone {
                depth,
                next: next.len(),
            });
            if stopped != StopReason::Completed {
                let reason = if cancelled {
                    SkipReason::Cancelled
                } else {
                    SkipReason::MaxPages
                };
                self.graph.skip_all(&next, reason);
                break;
            }
            level = next;
            depth += 1;
        }
        let elapsed = self.started.elapsed();
        let report = self.graph.finish(stopped, seeds, started_at, elapsed);
        let stats = report.stats;
        events.emit(|| CrawlEvent::Finished { stats });
        report
    }

    /// Fetches one level with at most `concurrency` tasks at a time and folds each outcome
    /// into the graph, queueing new links in `next`. Returns whether it was cancelled.
    ///
    /// Outcomes are folded in frontier order as soon as every earlier one is in, so the graph
    /// is the same whatever order responses arrive in, while only the out-of-order window is
    /// held in memory rather than a whole level.
    async fn run_level(
        &mut self,
        level: &[(NodeIndex, Url)],
        depth: u32,
        mut shutdown: std::pin::Pin<&mut impl Future<Output = ()>>,
        next: &mut Vec<(NodeIndex, Url)>,
    ) -> bool {
        let fetcher = self.fetcher.clone();
        // Tasks are spawned so pages are fetched and parsed on all worker threads; the handle
        // aborts its task when dropped, so cancelling drops every request in flight.
        let mut results = futures::stream::iter(level.iter().enumerate().map(|(i, (_, url))| {
            let (fetcher, url) = (fetcher.clone(), url.clone());
            let task = tokio::spawn(async move { fetcher.fetch(url, depth).await });
            let task = AbortOnDropHandle::new(task);
            async move { (i, task.await) }
        }))
        .buffer_unordered(fetcher.config().concurrency.get());
        let mut waiting: Vec<Option<PageOutcome>> =
            std::iter::repeat_with(|| None).take(level.len()).collect();
        let mut folded = 0;
        let cancelled = loop {
            let arrived = tokio::select! {
                biased;
                () = &mut shutdown => break true,
                arrived = results.next() => arrived,
            };
            let Some((i, joined)) = arrived else {
                break false;
            };
            waiting[i] = Some(joined.unwrap_or_else(|err| panicked(&level[i].1, &err)));
            while let Some(outcome) = waiting.get_mut(folded).and_then(Option::take) {
                self.fold(level[folded].0, depth, outcome, next);
                folded += 1;
            }
        };
        if cancelled {
            // Keep the pages whose fetch already finished: their work is done. Order no longer
            // matters for a cancelled crawl.
            while let Some(Some((i, Ok(outcome)))) = results.next().now_or_never() {
                waiting[i] = Some(outcome);
            }
            for (i, outcome) in waiting.into_iter().enumerate().skip(folded) {
                match outcome {
                    Some(outcome) => self.fold(level[i].0, depth, outcome, next),
                    None => self.graph.skip_all(&level[i..=i], SkipReason::Cancelled),
                }
            }
        }
        cancelled
    }

    /// Folds one outcome, claiming its new links in the seen set.
    fn fold(
        &mut self,
        index: NodeIndex,
        depth: u32,
        outcome: PageOutcome,
        next: &mut Vec<(NodeIndex, Url)>,
    ) {
        let seen = &self.seen;
        self.graph
            .fold(index, depth, outcome, |url: &Url| seen.claim(url), next);
    }
}

/// The outcome recorded for a page whose task panicked: the crawl goes on without it.
fn panicked(url: &Url, err: &tokio::task::JoinError) -> PageOutcome {
    let detail = err.to_string();
    PageOutcome::failed(url.clone(), PageError::Internal { detail })
}
