//! The crawl loop: level by level, breadth first, to a bounded depth.
//!
//! Each level is run by [`dispatch`](crate::crawl::dispatch) (per-host queues, a crawl-wide cap on
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

pub mod builder;
pub(crate) mod dispatch;
pub(crate) mod fold;
pub(crate) mod frontier;
pub(crate) mod level;
pub(crate) mod seeds;
pub mod sink;

use std::future::Future;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use petgraph::graph::NodeIndex;
use url::Url;

use crate::config::scope::SeedScope;
use crate::config::CrawlConfig;
use crate::config::CrawlSpec;
use crate::crawl::builder::CrawlerBuilder;
use crate::crawl::dispatch::{LevelEnd, Pass};
use crate::crawl::fold::GraphBuilder;
use crate::crawl::frontier::Frontier;
use crate::crawl::level::Level;
use crate::crawl::seeds::{SeedList, WithSeeds};
use crate::crawl::sink::FoldSink;
use crate::error::Error;
use crate::event::{CrawlEvent, Events};
use crate::fetch::coordination::{Coordination, Local};
use crate::fetch::Fetcher;
use crate::graph::report::{CrawlReport, StopReason};
use crate::graph::SkipReason;
use crate::outcome::PageOutcome;
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
    events: Events,
    seen: Option<Arc<dyn SeenSet>>,
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
        events: Events,
        seen: Option<Arc<dyn SeenSet>>,
    ) -> Self {
        Self {
            spec,
            config: Arc::new(config),
            events,
            seen,
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
        let seeds = self.seed_list_of(seeds)?;
        self.run(seeds, shutdown, None).await
    }

    /// Crawls from a [`SeedList`] as [`crawl`](Self::crawl) does: for a caller that builds the
    /// list itself (reading a large seeds file elsewhere, with its own error messages).
    ///
    /// A long list is claimed and given its graph nodes 65,536 seeds at a time, each part
    /// fetched whole before the next (see the README's limits), so the first requests go out
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
    /// As [`crawl`](Self::crawl).
    pub async fn crawl_streaming<S: AsRef<str>>(
        &self,
        seeds: impl IntoIterator<Item = S>,
        shutdown: impl Future<Output = ()>,
        sink: FoldSink,
    ) -> Result<CrawlReport, Error> {
        let seeds = self.seed_list_of(seeds)?;
        self.run(seeds, shutdown, Some(sink)).await
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
        let scope = self.config.scope.for_seeds(&seeds.one_per_origin());
        let seeds = Arc::new(seeds);
        let claimed = self
            .seen
            .clone()
            .unwrap_or_else(|| Arc::new(MemorySeenSet::default()));
        let seen: Arc<dyn SeenSet> = Arc::new(WithSeeds::new(&seeds, Arc::clone(&claimed)));
        let local = Arc::new(Local::new(Arc::clone(&seen)));
        let fetcher = self.fetcher(scope.clone(), Arc::clone(&local) as Arc<dyn Coordination>)?;
        let graph = match sink {
            Some(sink) => GraphBuilder::streaming(&self.config, scope, sink),
            None => GraphBuilder::new(&self.config, scope),
        };
        let run = Run {
            graph,
            fetcher,
            seeds,
            claimed,
            seen,
            local,
            deferred: Vec::new(),
            retried: false,
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
            self.events.clone(),
        )
    }
}

/// The state of one crawl.
pub(crate) struct Run {
    pub(crate) fetcher: Fetcher,
    pub(crate) graph: GraphBuilder,
    /// The seeds, for level 0 and then the report.
    pub(crate) seeds: Arc<SeedList>,
    /// The seen set itself: level 0 claims the seeds in it, a part at a time.
    pub(crate) claimed: Arc<dyn SeenSet>,
    /// The seen set with every seed counted as claimed ([`WithSeeds`]): claims links at the end
    /// of each level; the fetcher's [`Local`] claims redirects in it while the level runs. The
    /// links of this level's pages are queued in the next level's [`Frontier`] (which drops
    /// duplicates) and claimed here only when the level is done: a redirect of this level may
    /// still reach them first, at a smaller depth.
    seen: Arc<dyn SeenSet>,
    /// The fetcher's coordination: who holds each redirect target.
    pub(crate) local: Arc<Local>,
    /// Pages whose retries ran out, with their depth and outcome, for the end-of-crawl pass.
    deferred: Vec<Deferred>,
    /// The end-of-crawl pass has run: nothing is deferred any more.
    retried: bool,
    started: Instant,
}

/// A page whose retries ran out: node, depth, URL and outcome.
type Deferred = (NodeIndex, u32, Box<str>, PageOutcome);

impl Run {
    async fn execute(mut self, shutdown: impl Future<Output = ()>) -> CrawlReport {
        let started_at = SystemTime::now();
        let fetcher = self.fetcher.clone();
        let config = fetcher.config();
        let events = fetcher.events().clone();
        events.emit(|| CrawlEvent::Started {
            seeds: self.seeds.len(),
        });
        let mut shutdown = std::pin::pin!(shutdown);
        let mut stopped = StopReason::Completed;
        let mut level = Level::seeds();
        if config.sitemaps {
            // Sitemap hosts can be slow or never answer: the shutdown wins over them too.
            let origins = self.seeds.one_per_origin();
            tokio::select! {
                biased;
                () = &mut shutdown => {
                    self.record_seeds(0, SkipReason::Cancelled);
                    level.clear();
                    stopped = StopReason::Cancelled;
                }
                urls = fetcher.sitemap_urls(&origins) => for url in urls {
                    if self.seen.claim(&url) {
                        level.push(self.graph.add_seed(&url), url.as_str());
                    }
                },
            }
        }
        let mut pass = Pass::First;
        loop {
            let depth = if level.holds_seeds() {
                0
            } else if level.pages().is_empty() {
                // The end-of-crawl pass: pages whose retries ran out, once more, and then
                // the levels their links lead to.
                if self.retried || self.deferred.is_empty() || stopped != StopReason::Completed {
                    break;
                }
                pass = Pass::Again;
                self.retried = true;
                level = Level::of_pages(self.take_deferred());
                continue;
            } else {
                self.depth_of(level.pages(), 0)
            };
            let budget = config
                .max_pages
                .map(|max| max.get().saturating_sub(self.graph.stats().pages_fetched));
            let pages = level.pages().len()
                + if level.holds_seeds() {
                    self.seeds.len()
                } else {
                    0
                };
            events.emit(|| CrawlEvent::LevelStarted {
                depth,
                pages: budget.map_or(pages, |budget| pages.min(budget)),
            });
            let mut next = Frontier::new();
            let parts = self
                .run_parts(level, pass, budget, shutdown.as_mut(), &mut next)
                .await;
            if parts.cut {
                stopped = StopReason::MaxPages;
            }
            let end = parts.end;
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
                    level = Level::of_pages(next);
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
        // It holds the seen set, which `finish` frees.
        drop(fetcher);
        self.finish(stopped, started_at, &events)
    }

    /// Ends the crawl: records the outcomes put aside and never tried again, and hands the
    /// graph and the seeds to the report.
    fn finish(
        mut self,
        mut stopped: StopReason,
        started_at: SystemTime,
        events: &Events,
    ) -> CrawlReport {
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
        let Run {
            graph,
            seeds,
            claimed,
            seen,
            local,
            fetcher,
            ..
        } = self;
        // The seen set holds as many URLs as the graph: freed before the seeds are made URLs
        // again for the report (ten million seeds, a gigabyte).
        drop((fetcher, local, seen, claimed));
        // Only weak references to the seeds are left (in aborted tasks at most), but one of
        // those may be looking at them this very moment.
        let seeds = Arc::try_unwrap(seeds)
            .map_or_else(|seeds| seeds.urls(0..seeds.len()), SeedList::into_urls);
        let report = graph.finish(stopped, seeds, started_at, elapsed);
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
        mut outcome: PageOutcome,
        pass: Pass,
        next: &mut Frontier,
    ) {
        self.keep_owned_hops(&mut outcome);
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

    /// Cuts `outcome`'s redirect chain before the first target that an earlier page of the
    /// level took over (see [`Local`]): that page's outcome holds the target, so this one
    /// records only the redirect to it, as if it had lost the claim at once.
    fn keep_owned_hops(&self, outcome: &mut PageOutcome) {
        let Some(start) = outcome.hops.first().map(|hop| hop.url.clone()) else {
            return;
        };
        let lost = outcome.hops[1..]
            .iter()
            .position(|hop| !self.local.owns(&hop.url, &start));
        if let Some(lost) = lost {
            outcome.hops.truncate(lost + 1);
            outcome.links.clear();
            outcome.title = None;
            outcome.nofollow = false;
        }
    }
}
