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

use std::future::Future;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use futures::{FutureExt, StreamExt};
use petgraph::graph::NodeIndex;
use tokio_util::task::AbortOnDropHandle;
use url::Url;

use crate::builder::CrawlerBuilder;
use crate::config::{http_client, CrawlConfig};
use crate::error::{Error, PageError};
use crate::event::{CrawlEvent, Events};
use crate::fetch::{fetch_page, FetchContext, FetchOutcome};
use crate::frontier::{MemorySeenSet, SeenSet};
use crate::graph::{CrawlGraph, Link, SkipReason};
use crate::politeness::HostLimiter;
use crate::report::{CrawlReport, CrawlStats, StopReason};
use crate::robots::RobotsCache;
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
        let seeds = parse_seeds(seeds, self.config.max_url_len.get())?;
        let ctx = Arc::new(FetchContext {
            client: http_client(&self.config)?,
            config: Arc::clone(&self.config),
            hosts: HostLimiter::new(self.config.per_host.get(), self.config.host_gap()),
            robots: RobotsCache::new(&self.config.user_agent),
            seen: self
                .seen
                .clone()
                .unwrap_or_else(|| Arc::new(MemorySeenSet::default())),
            scope: self.config.scope.for_seeds(&seeds),
            credentials: self.config.http.credentials_for(&seeds),
            events: self.events.clone(),
            parse_slots: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            ),
        });
        let run = Run {
            ctx,
            graph: CrawlGraph::new(),
            stats: CrawlStats::default(),
            started: Instant::now(),
        };
        Ok(run.execute(seeds, shutdown).await)
    }
}

fn parse_seeds<S: AsRef<str>>(
    seeds: impl IntoIterator<Item = S>,
    max_len: usize,
) -> Result<Vec<Url>, Error> {
    let mut parsed: Vec<Url> = Vec::new();
    for seed in seeds {
        let seed = seed.as_ref();
        let url = url_norm::parse_absolute(seed, max_len).map_err(|reason| Error::InvalidSeed {
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

/// The state of one crawl.
struct Run {
    ctx: Arc<FetchContext>,
    graph: CrawlGraph,
    stats: CrawlStats,
    started: Instant,
}

impl Run {
    async fn execute(mut self, seeds: Vec<Url>, shutdown: impl Future<Output = ()>) -> CrawlReport {
        let started_at = SystemTime::now();
        let config = Arc::clone(&self.ctx.config);
        self.ctx.events.emit(|| CrawlEvent::Started {
            seeds: seeds.clone(),
        });
        let mut level: Vec<(NodeIndex, Url)> = Vec::new();
        for seed in &seeds {
            if self.ctx.seen.claim(seed) {
                level.push((self.graph.add_page(seed, 0).0, seed.clone()));
            }
        }
        if config.sitemaps {
            for url in crate::sitemap::discover(&self.ctx, &seeds).await {
                if self.ctx.seen.claim(&url) {
                    level.push((self.graph.add_page(&url, 0).0, url));
                }
            }
        }
        let mut shutdown = std::pin::pin!(shutdown);
        let mut stopped = StopReason::Completed;
        let mut depth = 0;
        while !level.is_empty() {
            if let Some(max) = config.max_pages {
                let budget = max.get().saturating_sub(self.stats.pages_fetched);
                if level.len() > budget {
                    self.skip_all(&level[budget..], SkipReason::MaxPages);
                    level.truncate(budget);
                    stopped = StopReason::MaxPages;
                }
            }
            self.ctx.events.emit(|| CrawlEvent::LevelStarted {
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
            self.ctx.events.emit(|| CrawlEvent::LevelDone {
                depth,
                next: next.len(),
            });
            if stopped != StopReason::Completed {
                let reason = if cancelled {
                    SkipReason::Cancelled
                } else {
                    SkipReason::MaxPages
                };
                self.skip_all(&next, reason);
                break;
            }
            level = next;
            depth += 1;
        }
        // A redirect target claimed by a task that was cancelled or cut off is the only page
        // that can end up neither fetched nor marked; mark it with the stop reason.
        let leftover = if stopped == StopReason::MaxPages {
            SkipReason::MaxPages
        } else {
            SkipReason::Cancelled
        };
        for page in self.graph.pages_mut() {
            if !page.is_fetched() && page.skipped.is_none() {
                page.skipped = Some(leftover);
            }
        }
        self.stats.pages_skipped = self.graph.pages().filter(|p| p.skipped.is_some()).count();
        self.stats.elapsed = self.started.elapsed();
        let stats = self.stats;
        self.ctx.events.emit(|| CrawlEvent::Finished { stats });
        CrawlReport {
            graph: self.graph,
            stats,
            stopped,
            seeds,
            max_depth: config.max_depth,
            started_at,
        }
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
        let ctx = Arc::clone(&self.ctx);
        // Tasks are spawned so pages are fetched and parsed on all worker threads; the handle
        // aborts its task when dropped, so cancelling drops every request in flight.
        let mut results = futures::stream::iter(level.iter().enumerate().map(|(i, (_, url))| {
            let task = AbortOnDropHandle::new(tokio::spawn(fetch_page(
                Arc::clone(&ctx),
                url.clone(),
                depth,
            )));
            async move { (i, task.await) }
        }))
        .buffer_unordered(ctx.config.concurrency.get());
        let mut waiting: Vec<Option<FetchOutcome>> =
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
                    None => self.skip_all(&level[i..=i], SkipReason::Cancelled),
                }
            }
        }
        cancelled
    }

    /// Stores one fetch outcome in the graph and queues the new in-scope links found.
    fn fold(
        &mut self,
        index: NodeIndex,
        depth: u32,
        outcome: FetchOutcome,
        next: &mut Vec<(NodeIndex, Url)>,
    ) {
        if outcome.blocked {
            self.graph.page_mut(index).skipped = Some(SkipReason::RobotsTxt);
            return;
        }
        self.stats.pages_fetched += 1;
        let mut last = index;
        for hop in outcome.hops {
            let (node, _) = self.graph.add_page(&hop.url, depth);
            last = node;
            self.stats.requests += 1;
            self.stats.bytes += hop.bytes;
            self.stats.pages_failed += usize::from(hop.error.is_some());
            let page = self.graph.page_mut(node);
            page.status = hop.status;
            page.content_type = hop.content_type;
            page.error = hop.error;
            page.bytes = hop.bytes;
            page.fetch_time = Some(hop.elapsed);
            page.skipped = None;
            if let Some((target, skip)) = hop.redirect {
                let (target_node, _) = self.graph.add_page(&target, depth);
                self.graph.add_link(node, target_node, Link::redirect());
                let target_page = self.graph.page_mut(target_node);
                if !target_page.is_fetched() && target_page.skipped.is_none() {
                    target_page.skipped = skip;
                }
            }
        }
        self.graph.page_mut(last).title = outcome.title;
        let config = &self.ctx.config;
        for link in outcome.links {
            let (target, new) = self.graph.add_page(&link.url, depth + 1);
            let text = link.text.as_deref().map(|t| self.graph.intern(t));
            let rel = link.rel.as_deref().map(|r| self.graph.intern(r));
            let nofollow = outcome.nofollow && !config.links.ignore_nofollow;
            let edge = Link::new(link.kind, text, rel, outcome.nofollow);
            self.graph.add_link(last, target, edge);
            let follows = !nofollow
                && config
                    .links
                    .follows(link.kind, link.rel.as_deref(), outcome.nofollow);
            // A target so far only linked by links that are not followed is fetched once a
            // followed link reaches it.
            let held_back = self.graph.page_mut(target).skipped == Some(SkipReason::NotFollowed);
            if !new && !(follows && held_back) {
                continue;
            }
            if !new {
                // Its depth is now that of the followed link.
                self.graph.page_mut(target).depth = depth + 1;
            }
            let skip = if !self.ctx.scope.allows(&link.url) {
                Some(SkipReason::OutOfScope)
            } else if depth + 1 > config.max_depth {
                Some(SkipReason::BeyondDepth)
            } else if !follows {
                Some(SkipReason::NotFollowed)
            } else {
                // A failed claim means a redirect in this level already fetches it.
                if self.ctx.seen.claim(&link.url) {
                    next.push((target, link.url));
                }
                None
            };
            self.graph.page_mut(target).skipped = skip;
        }
    }

    /// Marks pages that will not be fetched.
    fn skip_all(&mut self, pages: &[(NodeIndex, Url)], reason: SkipReason) {
        for (index, _) in pages {
            let page = self.graph.page_mut(*index);
            if !page.is_fetched() {
                page.skipped = Some(reason);
            }
        }
    }
}

/// The outcome recorded for a page whose task panicked: the crawl goes on without it.
fn panicked(url: &Url, err: &tokio::task::JoinError) -> FetchOutcome {
    FetchOutcome {
        hops: vec![crate::fetch::Hop {
            url: url.clone(),
            status: None,
            content_type: None,
            error: Some(PageError::Internal {
                detail: err.to_string(),
            }),
            bytes: 0,
            elapsed: std::time::Duration::ZERO,
            redirect: None,
        }],
        ..FetchOutcome::default()
    }
}
