//! One crawl as it runs ([`Run`]): level after level until the crawl ends, then the
//! end-of-crawl pass over the pages whose retries ran out, and the report.
//!
//! [`Run`]'s methods are spread over this module's files, one part of the loop each.
//!
//! # Architecture
//! - `mod.rs`: [`Run`], its state and the loop over levels; the stop reasons.
//! - `level.rs`: a level's parts ([`Level`](level::Level)), the seeds claimed a part at a time.
//! - `flow.rs`: the crawl without levels: pages fetched as they are found, folded as they
//!   arrive.
//! - `dispatch.rs`: one level fetched (per-host queues, a window of requests in flight) and
//!   its outcomes folded in frontier order; which pass it is ([`Pass`](dispatch::Pass)).

pub(crate) mod dispatch;
pub(crate) mod flow;
pub(crate) mod level;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use petgraph::graph::NodeIndex;
use url::Url;

use crate::crawl::fold::GraphBuilder;
use crate::crawl::frontier::Frontier;
use crate::crawl::seeds::SeedList;
use crate::event::{CrawlEvent, Events};
use crate::fetch::Fetcher;
use crate::graph::report::{CrawlReport, StopReason};
use crate::graph::SkipReason;
use crate::outcome::PageOutcome;
use crate::seen::SeenSet;
use dispatch::{LevelEnd, Pass};
use level::Level;

/// The state of one crawl.
pub(crate) struct Run {
    pub(crate) fetcher: Fetcher,
    pub(crate) graph: GraphBuilder,
    /// The seeds, for level 0 and then the report.
    pub(crate) seeds: Arc<SeedList>,
    /// The seen set itself: level 0 claims the seeds in it, a part at a time.
    pub(crate) claimed: Arc<dyn SeenSet>,
    /// The seen set with every seed counted as claimed ([`WithSeeds`]): claims links at the end
    /// of each level (at once without levels); the fetcher's [`Local`](crate::fetch::coordination::Local)
    /// claims redirects in it while the level runs. The
    /// links of this level's pages are queued in the next level's [`Frontier`] (which drops
    /// duplicates) and claimed here only when the level is done: a redirect of this level may
    /// still reach them first, at a smaller depth.
    pub(super) seen: Arc<dyn SeenSet>,
    /// Pages whose retries ran out, with their depth and outcome, for the end-of-crawl pass.
    pub(super) deferred: Vec<Deferred>,
    /// The end-of-crawl pass has run: nothing is deferred any more.
    pub(super) retried: bool,
    /// The crawl runs without levels ([`flow`]): pages are fetched as they are found.
    pub(crate) flowing: bool,
    pub(super) started: Instant,
}

/// A page whose retries ran out: node, depth, URL and outcome.
type Deferred = (NodeIndex, u32, Box<str>, PageOutcome);

impl Run {
    pub(super) async fn execute(mut self, shutdown: impl Future<Output = ()>) -> CrawlReport {
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
                        level.push(self.graph.add_listed(&url), url.as_str());
                    }
                },
            }
        }
        if stopped == StopReason::Completed {
            stopped = if self.flowing {
                self.run_flowing(level, shutdown.as_mut()).await
            } else {
                self.run_levels(level, shutdown.as_mut()).await
            };
        }
        // It holds the seen set, which `finish` frees.
        drop(fetcher);
        self.finish(stopped, started_at, &events)
    }

    /// The crawl level by level, from `level` (the seeds, and the sitemaps' URLs after them),
    /// then the end-of-crawl pass. Returns why the crawl ended.
    async fn run_levels(
        &mut self,
        mut level: Level,
        mut shutdown: Pin<&mut impl Future<Output = ()>>,
    ) -> StopReason {
        let fetcher = self.fetcher.clone();
        let config = fetcher.config();
        let events = fetcher.events().clone();
        let mut stopped = StopReason::Completed;
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
        stopped
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
            // The depth now: without levels, a shorter path may have turned up since.
            let depth = self.graph.depth_at(index, depth);
            self.graph
                .fold(index, depth, outcome, |_| false, &mut ignored);
        }
        let elapsed = self.started.elapsed();
        let Run {
            graph,
            seeds,
            claimed,
            seen,
            fetcher,
            ..
        } = self;
        // The seen set holds as many URLs as the graph: freed before the seeds are made URLs
        // again for the report (ten million seeds, a gigabyte).
        drop((fetcher, seen, claimed));
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

    /// Folds one outcome, queueing its new links in `next`: for the next level (they are
    /// claimed when the level ends), or, without levels, claimed now to be fetched at once.
    fn fold(&mut self, index: NodeIndex, depth: u32, outcome: PageOutcome, next: &mut Frontier) {
        let seen = &self.seen;
        if self.flowing {
            self.graph
                .fold(index, depth, outcome, |url| seen.claim(url), next);
        } else {
            self.graph
                .fold(index, depth, outcome, |url| !seen.contains(url), next);
        }
    }
}
