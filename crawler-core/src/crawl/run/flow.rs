//! A crawl without levels: each page is fetched as soon as it is found within the depth
//! limit, and folded as soon as its answer arrives, so no host waits for another.
//!
//! The graph builder corrects depths as pages arrive (see `fold/relax.rs`), so the crawl
//! fetches the pages a level-by-level crawl fetches and ends with the same depths; the graph
//! is put in the canonical order when the crawl ends (`crawl/order.rs`), so it is the same
//! graph, node for node and edge for edge.
//!
//! Fetches start per host, as a level's do (see [`dispatch`](super::dispatch)): at most
//! `per_host` tasks of one host at a time, each taking a crawl-wide slot only once its host may
//! send, and at most [`WINDOW_PER_SLOT`] x `concurrency` tasks alive in all. Each host's pages
//! wait in the order they were found; hosts with pages waiting for a task take turns.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};
use petgraph::graph::NodeIndex;

use crate::crawl::frontier::Frontier;
use crate::crawl::run::dispatch::{spawn_fetch, LevelEnd, Pass, WINDOW_PER_SLOT};
use crate::crawl::run::level::{resolved, Level, PART};
use crate::crawl::run::Run;
use crate::event::{CrawlEvent, Events, PROGRESS_EVERY};
use crate::fetch::politeness::{host_key, HostKey};
use crate::fetch::Fetcher;
use crate::graph::report::StopReason;
use crate::graph::SkipReason;
use crate::outcome::PageOutcome;

/// The fetch tasks of a crawl without levels, and the pages waiting for one.
struct Flow {
    fetcher: Fetcher,
    per_host: usize,
    /// Tasks alive at most.
    window: usize,
    hosts: HashMap<HostKey, HostQueue>,
    /// Hosts with a page waiting and a task to spare, waiting for the window.
    ready: VecDeque<HostKey>,
    tasks: FuturesUnordered<Task>,
    /// Pages folded.
    done: usize,
    /// When the last [`CrawlEvent::Progress`] was sent.
    reported: Instant,
}

/// One host's tasks and waiting pages.
#[derive(Debug, Default)]
struct HostQueue {
    running: usize,
    waiting: VecDeque<(NodeIndex, Pass)>,
    /// In [`Flow::ready`].
    ready: bool,
}

/// A fetch task: its page, pass and host, and the outcome.
type Task = Pin<Box<dyn Future<Output = (NodeIndex, Pass, HostKey, PageOutcome)> + Send>>;

impl Flow {
    /// Whether no task is alive and no page waits.
    fn is_idle(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Sends a [`CrawlEvent::Progress`] if someone listens and the last is old enough.
    fn report(&mut self, events: &Events) {
        if !events.is_heard() || self.reported.elapsed() < PROGRESS_EVERY {
            return;
        }
        self.reported = Instant::now();
        let mut left = 0;
        let mut slowest: Option<(&HostKey, usize)> = None;
        for (host, queue) in &self.hosts {
            let own = queue.running + queue.waiting.len();
            left += own;
            if slowest.is_none_or(|(_, most)| own > most) {
                slowest = Some((host, own));
            }
        }
        let slowest = slowest
            .filter(|&(_, most)| most * 2 > left && self.hosts.len() > 1)
            .map(|((name, port), most)| (format!("{name}:{port}"), most));
        let (done, hosts) = (self.done, self.hosts.len());
        events.emit(|| CrawlEvent::Progress {
            done,
            known: done + left,
            hosts,
            slowest,
        });
    }

    /// Queues page `node` of `run`'s graph, starting its fetch now if its host and the window
    /// allow.
    fn push(&mut self, run: &Run, node: NodeIndex, pass: Pass) {
        let host = host_key(&run.graph.graph().page_at(node).url);
        let window_free = self.tasks.len() < self.window;
        let queue = self.hosts.entry(host.clone()).or_default();
        if queue.running < self.per_host && queue.waiting.is_empty() && window_free {
            self.start(run, node, pass, host);
            return;
        }
        queue.waiting.push_back((node, pass));
        if queue.running < self.per_host && !queue.ready {
            queue.ready = true;
            self.ready.push_back(host);
        }
    }

    /// A task of `host` ended: start its next page, or another host's.
    fn finished(&mut self, run: &Run, host: HostKey) {
        let queue = self.hosts.get_mut(&host).expect("a host with a task");
        queue.running -= 1;
        match queue.waiting.pop_front() {
            Some((node, pass)) => self.start(run, node, pass, host),
            None if queue.running == 0 && !queue.ready => {
                self.hosts.remove(&host);
            }
            None => {}
        }
        while self.tasks.len() < self.window {
            let Some(host) = self.ready.pop_front() else {
                break;
            };
            let queue = self.hosts.get_mut(&host).expect("a ready host");
            queue.ready = false;
            let Some((node, pass)) = queue.waiting.pop_front() else {
                if queue.running == 0 {
                    self.hosts.remove(&host);
                }
                continue;
            };
            let more = !queue.waiting.is_empty() && queue.running + 1 < self.per_host;
            if more {
                queue.ready = true;
                self.ready.push_back(host.clone());
            }
            self.start(run, node, pass, host);
        }
    }

    /// Starts the fetch of page `node`, on `host`.
    fn start(&mut self, run: &Run, node: NodeIndex, pass: Pass, host: HostKey) {
        self.hosts.entry(host.clone()).or_default().running += 1;
        let page = run.graph.graph().page_at(node);
        let (url, depth) = (page.url.clone(), page.depth);
        let target = run.graph.target_of(node);
        let retries = pass.retries(self.fetcher.config().retries);
        let fetch = spawn_fetch(self.fetcher.clone(), url, depth, retries, target);
        self.tasks
            .push(Box::pin(async move { (node, pass, host, fetch.await) }));
    }
}

impl Run {
    /// Fetches `entries` and every page found from them within the depth limit, folding each
    /// outcome as it arrives, until nothing is left to fetch or the crawl stops.
    pub(crate) async fn run_flow(
        &mut self,
        entries: &Frontier,
        pass: Pass,
        mut shutdown: Pin<&mut impl Future<Output = ()>>,
    ) -> LevelEnd {
        let config = self.fetcher.config();
        let mut flow = Flow {
            fetcher: self.fetcher.clone(),
            per_host: config.per_host.get(),
            window: config.concurrency.get().saturating_mul(WINDOW_PER_SLOT),
            hosts: HashMap::new(),
            ready: VecDeque::new(),
            tasks: FuturesUnordered::new(),
            done: 0,
            // The first fold reports at once.
            reported: Instant::now()
                .checked_sub(PROGRESS_EVERY)
                .unwrap_or_else(Instant::now),
        };
        let events = self.fetcher.events().clone();
        for node in entries.nodes_from(0) {
            flow.push(self, node, pass);
        }
        let mut found = Frontier::new();
        let end = loop {
            if flow.is_idle() {
                break LevelEnd::Done;
            }
            let arrived = tokio::select! {
                biased;
                () = &mut shutdown => break LevelEnd::Cancelled,
                arrived = flow.tasks.next() => arrived,
            };
            let Some((node, pass, host, outcome)) = arrived else {
                break LevelEnd::Done;
            };
            flow.finished(self, host);
            self.fold_arrived(node, pass, outcome, &mut found);
            flow.done += 1;
            // Links of the end-of-crawl pass's pages are fetched as usual.
            for node in found.nodes_from(0) {
                flow.push(self, node, Pass::First);
            }
            found = Frontier::new();
            flow.report(&events);
            if self.graph.is_full() {
                break LevelEnd::Full;
            }
        };
        if end != LevelEnd::Done {
            // Keep the pages whose fetch already finished; the rest are marked when the crawl
            // finishes, with the reason it stopped.
            while let Some(Some((node, pass, _, outcome))) = flow.tasks.next().now_or_never() {
                self.fold_arrived(node, pass, outcome, &mut found);
            }
        }
        end
    }

    /// Folds the outcome of page `node` at the page's depth now.
    fn fold_arrived(
        &mut self,
        node: NodeIndex,
        pass: Pass,
        outcome: PageOutcome,
        found: &mut Frontier,
    ) {
        let page = self.graph.graph().page_at(node);
        let (url, depth) = (page.url.as_str().to_owned(), page.depth);
        self.fold_or_defer(node, &url, depth, outcome, pass, found);
    }
}

impl Run {
    /// The crawl without levels: the seeds (a [`PART`] at a time, each part's pages and what
    /// they lead to done before the next part starts) and the sitemaps' URLs (`level`'s pages,
    /// with the first part), then the end-of-crawl pass. Returns why the crawl ended.
    pub(crate) async fn run_flowing(
        &mut self,
        level: Level,
        mut shutdown: Pin<&mut impl Future<Output = ()>>,
    ) -> StopReason {
        let seeds = self.seeds.len();
        let mut listed = Some(level.into_pages());
        let mut end = LevelEnd::Done;
        for start in (0..seeds).step_by(PART) {
            if resolved(shutdown.as_mut()).await {
                self.record_seeds(start, SkipReason::Cancelled);
                end = LevelEnd::Cancelled;
                break;
            }
            let mut entries = self.claim_seeds(start..seeds.min(start + PART));
            for (node, depth, url) in listed.take().iter().flat_map(Frontier::iter) {
                entries.push(node, depth, url);
            }
            end = self
                .run_flow(&entries, Pass::First, shutdown.as_mut())
                .await;
            if end != LevelEnd::Done {
                let reason = match end {
                    LevelEnd::Full => SkipReason::GraphLimit,
                    _ => SkipReason::Cancelled,
                };
                self.record_seeds(start + PART, reason);
                break;
            }
        }
        if end == LevelEnd::Done && !self.deferred.is_empty() {
            self.retried = true;
            let deferred = self.take_deferred();
            end = self.run_flow(&deferred, Pass::Again, shutdown).await;
        }
        match end {
            LevelEnd::Done => StopReason::Completed,
            LevelEnd::Cancelled => StopReason::Cancelled,
            LevelEnd::Full => StopReason::GraphLimit,
        }
    }
}
