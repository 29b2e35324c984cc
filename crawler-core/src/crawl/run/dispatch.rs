//! Running one level: which fetches start when, and folding their outcomes in frontier order.
//!
//! Fetches are started per host: at most `per_host` tasks of one host at a time, each taking a
//! crawl-wide slot only once its host may send (see [`politeness`](crate::fetch::politeness)). So a
//! host paced by `--delay` or `Crawl-delay` only holds its own tasks back, never the other
//! hosts' ones. Outcomes are folded in frontier order as soon as every earlier one is in, which
//! keeps the graph the same from run to run; fetches start only within a window of
//! [`WINDOW_PER_SLOT`] x `concurrency` frontier entries past the first unfolded one, which
//! bounds both the tasks alive and the outcomes held waiting for their turn, whatever the size
//! of the level or the pace of its slowest host.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;

use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};
use tokio_util::task::AbortOnDropHandle;
use url::Url;

use crate::crawl::frontier::Frontier;
use crate::crawl::run::Run;
use crate::error::PageError;
use crate::fetch::politeness::{host_key, HostKey};
use crate::fetch::Fetcher;
use crate::graph::SkipReason;
use crate::outcome::{PageOutcome, Target};

/// Frontier entries that may be started past the first unfolded one, per global slot.
pub(crate) const WINDOW_PER_SLOT: usize = 16;

/// Retries of a page on the end-of-crawl pass, given `retries` on the first: as many again,
/// and at least [`DEFAULT_RETRIES`](crate::DEFAULT_RETRIES). That pass is cheap (the few pages
/// whose retries ran out, with no level to hold up), and a page is lost only if every try of
/// both passes fails: with the defaults, 6 tries, so a transient fault rate of 10% loses a
/// page in a million instead of one in ten thousand (4 tries, when this pass had no retries).
/// No page reaches this pass with `retries` 0: nothing runs out of retries it never had.
pub(crate) fn end_pass_retries(retries: u32) -> u32 {
    retries.max(crate::DEFAULT_RETRIES)
}

/// Which pass over a level: the first, whose pages are put aside when their retries run out,
/// or the end-of-crawl pass that tries those again, with retries of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pass {
    First,
    Again,
}

impl Pass {
    /// The retries a fetch of this pass may make, given the `configured` ones.
    pub(crate) fn retries(self, configured: u32) -> u32 {
        match self {
            Self::First => configured,
            Self::Again => end_pass_retries(configured),
        }
    }
}

/// A fetch task of `url` as it is awaited: spawned, so pages are fetched and parsed on all
/// worker threads; aborted when dropped, so cancelling drops every request in flight; and a
/// panic in it is the page's outcome (an internal error), so the crawl goes on without it.
pub(crate) fn spawn_fetch(
    fetcher: Fetcher,
    url: Url,
    depth: u32,
    retries: u32,
    target: Target,
) -> impl Future<Output = PageOutcome> + Send {
    let failed = url.clone();
    let task = AbortOnDropHandle::new(tokio::spawn(async move {
        fetcher
            .fetch_with_retries(url, depth, retries, target)
            .await
    }));
    async move { task.await.unwrap_or_else(|err| panicked(&failed, &err)) }
}

/// How a level ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LevelEnd {
    Done,
    Cancelled,
    /// The graph's node or edge budget is used up.
    Full,
}

/// The fetch tasks of one level and the per-host queues they start from.
struct Dispatcher<'a> {
    level: &'a Frontier,
    fetcher: Fetcher,
    /// Retries a fetch of this pass may make: the configured count on the first pass, and
    /// [`end_pass_retries`] on the end-of-crawl pass.
    retries: u32,
    depths: Vec<u32>,
    targets: Vec<Target>,
    per_host: usize,
    /// Frontier entries looked at so far (started, or queued behind their host).
    scanned: usize,
    running: HashMap<HostKey, usize>,
    queued: HashMap<HostKey, VecDeque<usize>>,
    tasks: FuturesUnordered<Task>,
}

type Task = Pin<Box<dyn Future<Output = (usize, PageOutcome)> + Send>>;

impl Dispatcher<'_> {
    /// Starts or queues every entry up to `limit` (exclusive).
    fn scan(&mut self, limit: usize) {
        while self.scanned < limit.min(self.level.len()) {
            let i = self.scanned;
            self.scanned += 1;
            let url = self.level.url(i);
            let host = host_key(&url);
            let running = self.running.get(&host).copied().unwrap_or_default();
            let queue = self.queued.entry(host.clone()).or_default();
            if running < self.per_host && queue.is_empty() {
                self.start(i, host, url);
            } else {
                queue.push_back(i);
            }
        }
    }

    /// Entry `i`'s host is done with one fetch: start its next queued entry, if any.
    fn finished(&mut self, i: usize) {
        let host = host_key(&self.level.url(i));
        if let Some(running) = self.running.get_mut(&host) {
            *running -= 1;
        }
        let next = self.queued.get_mut(&host).and_then(VecDeque::pop_front);
        match next {
            Some(j) => self.start(j, host, self.level.url(j)),
            None => {
                if self.running.get(&host) == Some(&0) {
                    self.running.remove(&host);
                    self.queued.remove(&host);
                }
            }
        }
    }

    /// Starts the fetch of entry `i`, whose URL is `url` (parsed from the level's text).
    fn start(&mut self, i: usize, host: HostKey, url: Url) {
        *self.running.entry(host).or_default() += 1;
        let (fetcher, depth, retries) = (self.fetcher.clone(), self.depths[i], self.retries);
        let fetch = spawn_fetch(fetcher, url, depth, retries, self.targets[i]);
        self.tasks.push(Box::pin(async move { (i, fetch.await) }));
    }
}

impl Run {
    /// Fetches one level and folds each outcome into the graph, queueing new links in `next`.
    pub(crate) async fn run_level(
        &mut self,
        level: &Frontier,
        pass: Pass,
        mut shutdown: Pin<&mut impl Future<Output = ()>>,
        next: &mut Frontier,
    ) -> LevelEnd {
        let config = self.fetcher.config();
        let window = config.concurrency.get().saturating_mul(WINDOW_PER_SLOT);
        let per_host = config.per_host.get();
        let mut dispatch = Dispatcher {
            level,
            fetcher: self.fetcher.clone(),
            retries: pass.retries(config.retries),
            depths: (0..level.len()).map(|i| self.depth_of(level, i)).collect(),
            targets: level
                .nodes_from(0)
                .map(|node| self.graph.target_of(node))
                .collect(),
            per_host,
            scanned: 0,
            running: HashMap::new(),
            queued: HashMap::new(),
            tasks: FuturesUnordered::new(),
        };
        let mut waiting: VecDeque<Option<PageOutcome>> = VecDeque::new();
        let mut folded = 0;
        let end = loop {
            dispatch.scan(folded + window);
            if folded == level.len() {
                break LevelEnd::Done;
            }
            let arrived = tokio::select! {
                biased;
                () = &mut shutdown => break LevelEnd::Cancelled,
                arrived = dispatch.tasks.next() => arrived,
            };
            let Some((i, outcome)) = arrived else {
                break LevelEnd::Done;
            };
            dispatch.finished(i);
            let slot = i - folded;
            if waiting.len() <= slot {
                waiting.resize_with(slot + 1, || None);
            }
            waiting[slot] = Some(outcome);
            while let Some(Some(outcome)) = waiting.front_mut().map(Option::take) {
                waiting.pop_front();
                let (index, depth) = (level.node(folded), dispatch.depths[folded]);
                self.fold_or_defer(index, level.as_str(folded), depth, outcome, pass, next);
                folded += 1;
            }
            if self.graph.is_full() {
                break LevelEnd::Full;
            }
        };
        if end != LevelEnd::Done {
            // Keep the pages whose fetch already finished: their work is done. Order no longer
            // matters for a crawl that stops here.
            while let Some(Some((i, outcome))) = dispatch.tasks.next().now_or_never() {
                if let Some(slot) = waiting.get_mut(i - folded) {
                    *slot = Some(outcome);
                } else {
                    waiting.resize_with(i - folded, || None);
                    waiting.push_back(Some(outcome));
                }
            }
            let reason = if end == LevelEnd::Full {
                SkipReason::GraphLimit
            } else {
                SkipReason::Cancelled
            };
            for i in folded..level.len() {
                match waiting.get_mut(i - folded).and_then(Option::take) {
                    Some(outcome) => {
                        let depth = dispatch.depths[i];
                        let (index, url) = (level.node(i), level.as_str(i));
                        self.fold_or_defer(index, url, depth, outcome, pass, next);
                    }
                    None => self.graph.skip_all([level.node(i)], reason),
                }
            }
        }
        end
    }
}

/// The outcome recorded for a page whose task panicked: the crawl goes on without it.
fn panicked(url: &Url, err: &tokio::task::JoinError) -> PageOutcome {
    let detail = err.to_string();
    PageOutcome::failed(url.clone(), PageError::Internal { detail })
}
