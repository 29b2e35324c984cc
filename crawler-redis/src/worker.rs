//! The worker loop: claim a batch, fetch, store each outcome with its new links, repeat until
//! the crawl is complete or the worker is told to stop.
//!
//! Each fetch task stores its own outcome (one pipelined round trip: the new links' claims
//! into the next level, then the completion), so the loop itself only claims, beats and
//! advances levels. The level barrier makes depths exact: a level is claimed only once every
//! partition finished the one before, and the worker that sees a level finished moves the crawl
//! on (a compare-and-set, so racing workers agree).
//!
//! Leases are extended every third of their length. On shutdown the worker aborts its fetches
//! and releases its leases at once; if it dies instead, they expire and other workers'
//! claims reap them.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crawler_core::{Crawler, Fetcher, PageError, PageOutcome, SeedScope};
use futures::FutureExt;
use tokio::task::JoinSet;
use url::Url;

use crate::codec;
use crate::coordination::RedisCoordination;
use crate::crawl::RedisCrawl;
use crate::error::RedisCrawlError;
use crate::frontier::{ClaimPolicy, Lease, RedisFrontier};
use crate::keys::{self, FP_LEN};
use crate::retry::with_retry;

/// Default lease length: a page not completed or extended within it goes to another worker.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);
/// Default time a worker keeps retrying an unreachable Redis before it gives up.
pub const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_secs(30);
/// A URL whose lease expired this many times is recorded as failed instead of fetched again
/// (it may be what kills the workers).
pub const MAX_ATTEMPTS: u32 = 3;
/// How often an idle worker looks for work or a finished level.
const IDLE_POLL: Duration = Duration::from_millis(50);

/// How one worker runs.
#[derive(Debug, Clone, Copy)]
pub struct WorkerOptions {
    /// Requests in flight in this worker.
    pub concurrency: usize,
    /// Lease length.
    pub lease: Duration,
    /// How long Redis may be unreachable before the worker gives up.
    pub redis_timeout: Duration,
}

/// Why a worker returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkEnd {
    /// The crawl is complete.
    Complete,
    /// The shutdown future resolved; the worker's leases were released.
    Stopped,
}

/// What one worker did.
#[derive(Debug, Clone, Copy)]
pub struct WorkReport {
    /// Why it returned.
    pub end: WorkEnd,
    /// Pages it fetched.
    pub fetched: usize,
    /// Outcomes it stored (a late duplicate stores nothing).
    pub stored: usize,
    /// Round trips to Redis it made.
    pub round_trips: u64,
}

/// The state shared by the loop and its fetch tasks.
#[derive(Debug)]
struct Shared {
    frontier: RedisFrontier,
    coordination: Arc<RedisCoordination>,
    fetcher: Fetcher,
    scope: SeedScope,
    max_depth: u32,
    timeout: Duration,
    /// Leases held, by queue member, for heartbeats and release.
    held: Mutex<HashMap<Vec<u8>, Lease>>,
    /// Fingerprints this worker already claimed as links: `seen` only grows, so they need not
    /// be sent again. Dropped whenever a Redis call fails (see [`RedisFrontier::errors`]),
    /// with the error count it was valid for.
    known: Mutex<(u64, HashSet<[u8; FP_LEN]>)>,
}

/// Entries of the positive cache before it is cleared (about 50 bytes each).
const KNOWN_MAX: usize = 1 << 20;

impl Shared {
    /// Fetches (or gives up on) one leased URL and stores its outcome. Returns whether this
    /// call stored it.
    async fn run(self: Arc<Self>, lease: Lease) -> Result<bool, RedisCrawlError> {
        let outcome = if lease.attempts >= MAX_ATTEMPTS {
            PageOutcome::failed(
                lease.url.clone(),
                PageError::Internal {
                    detail: format!("abandoned after {MAX_ATTEMPTS} expired leases"),
                },
            )
        } else {
            AssertUnwindSafe(self.fetcher.fetch(lease.url.clone(), lease.depth))
                .catch_unwind()
                .await
                .unwrap_or_else(|_| {
                    PageOutcome::failed(
                        lease.url.clone(),
                        PageError::Internal {
                            detail: "fetch task panicked".into(),
                        },
                    )
                })
        };
        if self.coordination.is_broken() {
            return Err(RedisCrawlError::Corrupt(
                "redis unreachable during a fetch; outcome not stored".into(),
            ));
        }
        let cached = self.new_links(&lease, &outcome, true);
        let blob = codec::encode(&outcome);
        let mut attempt = 0;
        let (stored, _) = with_retry(self.timeout, || {
            attempt += 1;
            // After a failure Redis may have lost claims the cache remembers: send them all.
            let links = if attempt == 1 {
                cached.clone()
            } else {
                self.new_links(&lease, &outcome, false)
            };
            let (frontier, lease, blob) = (&self.frontier, &lease, &blob);
            async move { frontier.complete(lease, blob, &links).await }
        })
        .await?;
        self.held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&lease.member);
        Ok(stored)
    }

    /// The outcome's links that the next level may fetch; with `cached`, only those this
    /// worker has not sent before.
    fn new_links(&self, lease: &Lease, outcome: &PageOutcome, cached: bool) -> Vec<Url> {
        if outcome.blocked || lease.depth >= self.max_depth {
            return Vec::new();
        }
        let mut known = self
            .known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let errors = self.frontier.errors();
        if known.1.len() > KNOWN_MAX || known.0 != errors {
            *known = (errors, HashSet::new());
        }
        outcome
            .links
            .iter()
            .filter(|link| {
                self.scope.allows(&link.url)
                    && (known.1.insert(keys::fingerprint(&link.url)) || !cached)
            })
            .map(|link| link.url.clone())
            .collect()
    }

    fn held(&self) -> Vec<Lease> {
        self.held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .values()
            .cloned()
            .collect()
    }
}

/// A process-unique worker id: pid and a hash of the start time.
fn worker_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let pid = std::process::id();
    format!(
        "{pid}-{:08x}",
        xxhash_rust::xxh3::xxh3_64(&[nanos.to_le_bytes().as_slice(), &pid.to_le_bytes()].concat())
            & 0xffff_ffff
    )
}

impl RedisCrawl {
    /// Works on the crawl until it is complete or `shutdown` resolves.
    ///
    /// `crawler` supplies the settings (equal to the crawl's, as checked on join) and the
    /// event handler; its fetcher is coordinated through Redis.
    ///
    /// # Errors
    /// Redis unreachable for longer than `options.redis_timeout` (the state in Redis stays
    /// intact; leases held expire), or the HTTP client cannot be built.
    pub async fn work(
        &self,
        crawler: &Crawler,
        options: WorkerOptions,
        shutdown: impl Future<Output = ()>,
    ) -> Result<WorkReport, RedisCrawlError> {
        let frontier = self.frontier().clone();
        let coordination = Arc::new(RedisCoordination::new(
            frontier.clone(),
            options.redis_timeout,
        ));
        let scope = crawler.config().scope.for_seeds(&self.meta().seeds);
        let fetcher = crawler.fetcher(scope.clone(), Arc::clone(&coordination) as _)?;
        let config = crawler.config();
        let policy = ClaimPolicy {
            lease: options.lease,
            per_host: config.per_host.get(),
            gap: config.host_gap(),
        };
        let shared = Arc::new(Shared {
            frontier,
            coordination,
            fetcher,
            scope,
            max_depth: config.max_depth,
            timeout: options.redis_timeout,
            held: Mutex::new(HashMap::new()),
            known: Mutex::new((0, HashSet::new())),
        });
        let mut run = Run {
            shared,
            policy,
            options,
            id: worker_id(),
            seq: 0,
            level: 0,
            tasks: JoinSet::new(),
            report: WorkReport {
                end: WorkEnd::Complete,
                fetched: 0,
                stored: 0,
                round_trips: 0,
            },
        };
        let mut result = run.drive(shutdown).await;
        if let Ok(report) = &mut result {
            report.round_trips = run.shared.frontier.round_trips();
        }
        if result.is_err() {
            run.tasks.abort_all();
        }
        result
    }
}

/// One worker's loop state.
struct Run {
    shared: Arc<Shared>,
    policy: ClaimPolicy,
    options: WorkerOptions,
    id: String,
    seq: u64,
    /// The last level seen.
    level: u32,
    tasks: JoinSet<Result<bool, RedisCrawlError>>,
    report: WorkReport,
}

impl Run {
    async fn drive(
        &mut self,
        shutdown: impl Future<Output = ()>,
    ) -> Result<WorkReport, RedisCrawlError> {
        let mut shutdown = std::pin::pin!(shutdown);
        let mut beat = tokio::time::interval(self.options.lease / 3);
        let batch = (self.options.concurrency / 4).max(1);
        let mut next_claim = tokio::time::Instant::now();
        self.beat().await?;
        loop {
            let free = self.options.concurrency - self.tasks.len();
            let due = free >= batch || (free > 0 && self.tasks.is_empty());
            tokio::select! {
                biased;
                () = &mut shutdown => {
                    self.tasks.abort_all();
                    while self.tasks.join_next().await.is_some() {}
                    let held = self.shared.held();
                    let timeout = self.options.redis_timeout.min(Duration::from_secs(5));
                    with_retry(timeout, || self.shared.frontier.release(&held)).await?;
                    self.report.end = WorkEnd::Stopped;
                    return Ok(self.report);
                }
                Some(joined) = self.tasks.join_next(), if !self.tasks.is_empty() => {
                    let stored = joined.map_err(|e| RedisCrawlError::Corrupt(format!("worker task: {e}")))??;
                    self.report.fetched += 1;
                    self.report.stored += usize::from(stored);
                }
                _ = beat.tick() => self.beat().await?,
                () = tokio::time::sleep_until(next_claim), if due => {
                    match self.claim(free).await? {
                        Some(0) => next_claim = tokio::time::Instant::now() + IDLE_POLL,
                        Some(_) => next_claim = tokio::time::Instant::now(),
                        None => {
                            self.report.end = WorkEnd::Complete;
                            return Ok(self.report);
                        }
                    }
                }
            }
        }
    }

    /// Extends the leases held and marks this worker alive.
    async fn beat(&self) -> Result<(), RedisCrawlError> {
        let held = self.shared.held();
        let frontier = &self.shared.frontier;
        with_retry(self.options.redis_timeout, || {
            frontier.heartbeat(&held, self.options.lease)
        })
        .await?;
        with_retry(self.options.redis_timeout, || frontier.mark_alive(&self.id)).await
    }

    /// Claims up to `free` URLs and starts their fetches. Returns how many, or `None` once the
    /// crawl is complete and this worker has nothing in flight.
    async fn claim(&mut self, free: usize) -> Result<Option<usize>, RedisCrawlError> {
        let frontier = self.shared.frontier.clone();
        let timeout = self.options.redis_timeout;
        let view = with_retry(timeout, || frontier.overview(self.level)).await?;
        self.level = view.level;
        if view.state == "complete" {
            return Ok(if self.tasks.is_empty() { None } else { Some(0) });
        }
        self.seq += 1;
        let token = format!("{}:{}", self.id, self.seq);
        let mut leases: Vec<Lease> = Vec::new();
        let n = view.candidates.len();
        let start = usize::try_from(self.seq).unwrap_or(0) % n.max(1);
        for i in 0..n {
            let p = view.candidates[(start + i) % n];
            let want = free - leases.len();
            let got = with_retry(timeout, || {
                frontier.claim(p, view.level, want, self.policy, &token)
            })
            .await?;
            leases.extend(got);
            if leases.len() >= free {
                break;
            }
        }
        if leases.is_empty() && self.tasks.is_empty() {
            // Nothing to claim here: maybe the level is done everywhere.
            with_retry(timeout, || frontier.advance(view.level)).await?;
            return Ok(Some(0));
        }
        let count = leases.len();
        {
            let mut held = self
                .shared
                .held
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for lease in &leases {
                held.insert(lease.member.clone(), lease.clone());
            }
        }
        for lease in leases {
            self.tasks.spawn(Arc::clone(&self.shared).run(lease));
        }
        Ok(Some(count))
    }
}
