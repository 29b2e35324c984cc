//! The crawl loop: level by level, breadth first, to a bounded depth.
//!
//! Each level is run by [`dispatch`](crate::dispatch) (per-host queues, a crawl-wide cap on
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
//! retries ran out are put aside and tried once more after the last level, before finishing.
//!
//! Fetching is the [`Fetcher`]'s, folding an outcome into the graph the [`GraphBuilder`]'s; this
//! module only orders the work.

use std::future::Future;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use petgraph::graph::NodeIndex;
use url::Url;

use crate::builder::CrawlerBuilder;
use crate::config::CrawlConfig;
use crate::coordination::{Coordination, Local};
use crate::dispatch::{LevelEnd, Pass};
use crate::error::Error;
use crate::event::{CrawlEvent, Events};
use crate::fetch::Fetcher;
use crate::fold::GraphBuilder;
use crate::frontier::{Frontier, MemorySeenSet, SeenSet};
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
            deferred: Vec::new(),
            retried: false,
            started: Instant::now(),
        };
        Ok(run.execute(seeds, shutdown).await)
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
        use std::hash::BuildHasher as _;
        let max_len = self.config.max_url_len.get();
        let seeds = seeds.into_iter();
        let expected = seeds.size_hint().0;
        let mut parsed: Vec<Url> = Vec::with_capacity(expected);
        // Indices into `parsed` by URL: linear de-duplication without a second copy of every URL.
        let mut index = hashbrown::HashTable::<usize>::with_capacity(expected);
        let hasher = hashbrown::DefaultHashBuilder::default();
        for seed in seeds {
            let seed = seed.as_ref();
            let url =
                url_norm::parse_absolute(seed, max_len).map_err(|reason| Error::InvalidSeed {
                    url: seed.to_owned(),
                    reason: reason.to_string(),
                })?;
            let hash = hasher.hash_one(url.as_str());
            if index.find(hash, |&i| parsed[i] == url).is_none() {
                index.insert_unique(hash, parsed.len(), |&i| hasher.hash_one(parsed[i].as_str()));
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
pub(crate) struct Run {
    pub(crate) fetcher: Fetcher,
    pub(crate) graph: GraphBuilder,
    /// Claims links at the end of each level; the fetcher's [`Local`] claims redirects in it
    /// while the level runs. The links of this level's pages are queued in the next level's
    /// [`Frontier`] (which drops duplicates) and claimed here only when the level is done: a
    /// redirect of this level may still reach them first, at a smaller depth.
    seen: Arc<dyn SeenSet>,
    /// Pages whose retries ran out, with their depth and outcome, for the end-of-crawl pass.
    deferred: Vec<Deferred>,
    /// The end-of-crawl pass has run: nothing is deferred any more.
    retried: bool,
    started: Instant,
}

/// A page whose retries ran out: node, depth, URL and outcome.
type Deferred = (NodeIndex, u32, Box<str>, PageOutcome);

impl Run {
    async fn execute(mut self, seeds: Vec<Url>, shutdown: impl Future<Output = ()>) -> CrawlReport {
        let started_at = SystemTime::now();
        let fetcher = self.fetcher.clone();
        let config = fetcher.config();
        let events = fetcher.events();
        events.emit(|| CrawlEvent::Started {
            seeds: seeds.clone(),
        });
        let mut level = Frontier::new();
        for seed in &seeds {
            if self.seen.claim(seed) {
                level.push(self.graph.add_seed(seed), 0, seed.as_str());
            }
        }
        let mut shutdown = std::pin::pin!(shutdown);
        let mut stopped = StopReason::Completed;
        if config.sitemaps {
            // Sitemap hosts can be slow or never answer: the shutdown wins over them too.
            tokio::select! {
                biased;
                () = &mut shutdown => {
                    self.graph.skip_all(level.nodes_from(0), SkipReason::Cancelled);
                    level = Frontier::new();
                    stopped = StopReason::Cancelled;
                }
                urls = fetcher.sitemap_urls(&seeds) => for url in urls {
                    if self.seen.claim(&url) {
                        level.push(self.graph.add_seed(&url), 0, url.as_str());
                    }
                },
            }
        }
        let mut pass = Pass::First;
        loop {
            if level.is_empty() {
                // The end-of-crawl pass: pages whose retries ran out, once more, and then the
                // levels their links lead to.
                if self.retried || self.deferred.is_empty() || stopped != StopReason::Completed {
                    break;
                }
                pass = Pass::Again;
                self.retried = true;
                level = self.take_deferred();
                continue;
            }
            if let Some(max) = config.max_pages {
                let budget = max.get().saturating_sub(self.graph.stats().pages_fetched);
                if level.len() > budget {
                    self.graph
                        .skip_all(level.nodes_from(budget), SkipReason::MaxPages);
                    level.truncate(budget);
                    stopped = StopReason::MaxPages;
                }
            }
            let depth = level.depth(0);
            events.emit(|| CrawlEvent::LevelStarted {
                depth,
                pages: level.len(),
            });
            let mut next = Frontier::new();
            let end = self
                .run_level(&level, pass, shutdown.as_mut(), &mut next)
                .await;
            self.claim_next(&mut next);
            self.forget_robots(&next);
            events.emit(|| CrawlEvent::LevelDone {
                depth,
                next: next.len(),
            });
            // The levels after the end-of-crawl pass fetch as usual, and defer nothing.
            pass = Pass::First;
            let reason = match end {
                LevelEnd::Done if stopped == StopReason::Completed => {
                    level = next;
                    continue;
                }
                LevelEnd::Done => SkipReason::MaxPages,
                LevelEnd::Cancelled => {
                    stopped = StopReason::Cancelled;
                    SkipReason::Cancelled
                }
                LevelEnd::Full => {
                    stopped = StopReason::GraphLimit;
                    SkipReason::GraphLimit
                }
            };
            self.graph.skip_all(next.nodes_from(0), reason);
            break;
        }
        if stopped == StopReason::Completed && self.graph.page_cap_hit() {
            stopped = StopReason::MaxPages;
        }
        // Pages put aside and never tried again (the crawl stopped first) keep their outcome.
        for (index, depth, _, outcome) in std::mem::take(&mut self.deferred) {
            let mut ignored = Frontier::new();
            self.graph
                .fold(index, depth, outcome, |_| false, &mut ignored);
        }
        let elapsed = self.started.elapsed();
        let report = self.graph.finish(stopped, seeds, started_at, elapsed);
        let stats = report.stats;
        events.emit(|| CrawlEvent::Finished { stats });
        report
    }

    /// Keeps robots rules for the hosts still to be fetched from only: `next`'s and the
    /// deferred pages'.
    fn forget_robots(&self, next: &Frontier) {
        let deferred = self.deferred.iter().map(|(_, _, url, _)| &**url);
        let queued = next.iter().map(|(_, _, url)| url).chain(deferred);
        self.fetcher
            .forget_robots(queued.filter_map(|url| Url::parse(url).ok()));
    }

    /// The depth to fetch entry `i` of `level` at.
    pub(crate) fn depth_of(&self, level: &Frontier, i: usize) -> u32 {
        self.graph.depth_at(level.node(i), level.depth(i))
    }

    /// The pages put aside for the end-of-crawl pass, as a level.
    fn take_deferred(&mut self) -> Frontier {
        let deferred = std::mem::take(&mut self.deferred);
        self.graph.count_retries_exhausted(deferred.len());
        let mut level = Frontier::new();
        for (index, depth, url, _) in deferred {
            level.push(index, depth, &url);
        }
        level
    }

    /// Claims the next level's links in the seen set, dropping those that a redirect of this
    /// level fetched already (at the smaller depth of the URL that redirected).
    fn claim_next(&self, next: &mut Frontier) {
        let seen = &self.seen;
        next.retain(|url| Url::parse(url).is_ok_and(|url| seen.claim(&url)));
    }

    /// Folds one outcome, or puts it aside for the end-of-crawl pass if its retries ran out.
    pub(crate) fn fold_or_defer(
        &mut self,
        index: NodeIndex,
        url: &str,
        depth: u32,
        outcome: PageOutcome,
        pass: Pass,
        next: &mut Frontier,
    ) {
        let exhausted = outcome.hops.last().is_some_and(|hop| hop.retries_exhausted);
        match pass {
            Pass::First if exhausted && !self.retried => {
                self.deferred.push((index, depth, url.into(), outcome));
            }
            Pass::First => self.fold(index, depth, outcome, next),
            Pass::Again => {
                let recovered = outcome.hops.last().is_some_and(|hop| hop.error.is_none());
                self.graph.count_recovered(usize::from(recovered));
                self.fold(index, depth, outcome, next);
            }
        }
    }

    /// Folds one outcome, queueing its new links for the next level.
    fn fold(&mut self, index: NodeIndex, depth: u32, outcome: PageOutcome, next: &mut Frontier) {
        let seen = &self.seen;
        self.graph
            .fold(index, depth, outcome, |url| !seen.contains(url), next);
    }
}
