//! The worker loop: claim a batch, fetch, store the outcomes with what they lead to, repeat
//! until the crawl is complete or the worker is told to stop.
//!
//! Each fetch task fetches and encodes its page; the loop stores every outcome finished by
//! then in one round trip ([`RedisFrontier::complete_many`]: the links first, then the
//! completions), claims more and beats. Claims go straight to the partitions that gave work
//! last time; the overview of all partitions is read only when those have nothing (or every
//! [`OVERVIEW_EVERY`]), and an idle worker looks again after 5 ms, backing off to 50 ms.
//!
//! Without levels (the default, as in a single process), a claim takes any URL queued within
//! the depth limit, and a page's links are sent with their depth. A page whose depth drops
//! after its links were sent comes back from `low`, and its links are sent again from the new
//! depth, read from its stored outcome: nothing is fetched twice. The crawl is complete when
//! no partition has a URL queued or leased or a `low` entry, in a read no worker's activity
//! tore (see [`Keys::generation`](crate::keys::Keys::generation)).
//!
//! With levels (kept for `--check-resources`, whose rule for what a URL is fetched as reads
//! every link of the levels before it), a level is claimed only once every partition finished
//! the one before, and the worker that sees a level finished moves the crawl on (a
//! compare-and-set, so racing workers agree).
//!
//! Leases are extended every third of their length. On shutdown the worker aborts its fetches
//! and releases its leases at once; if it dies instead, they expire and other workers'
//! claims reap them.

use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crawler_core::{Crawler, Fetcher, LinkKind, LinkOptions, PageError, PageOutcome, SeedScope};
use futures::FutureExt;
use tokio::task::JoinSet;
use url::Url;

use crate::codec::Codec;
use crate::coordination::RedisCoordination;
use crate::crawl::RedisCrawl;
use crate::error::RedisCrawlError;
use crate::frontier::{ClaimPolicy, Completion, Lease, LowLease, Reach, RedisFrontier};
use crate::keys::{self, FP_LEN};
use crate::link_class::LinkClass;
use crate::retry::with_retry;

/// Default lease length: a page not completed or extended within it goes to another worker.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);
/// Default time a worker keeps retrying an unreachable Redis before it gives up.
pub const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_secs(30);
/// A URL whose lease expired this many times is recorded as failed instead of fetched again
/// (it may be what kills the workers).
pub const MAX_ATTEMPTS: u32 = 3;
/// How soon an idle worker looks again for work or a finished level; the wait doubles up to
/// [`IDLE_POLL_MAX`] while there is none.
const IDLE_POLL_MIN: Duration = Duration::from_millis(5);
/// `low` entries one worker works on at once (each a read of a stored outcome).
const LOW_AT_ONCE: usize = 16;
/// How soon a `low` entry whose outcome is not stored yet (its page's completion is on the
/// way) is offered again.
const LOW_RETRY: Duration = Duration::from_millis(100);
/// The longest wait of an idle worker.
const IDLE_POLL_MAX: Duration = Duration::from_millis(50);
/// How long claims may go straight to the partitions that gave work last, before the
/// overview of all partitions is read again (it also finds expired leases to reap).
pub const OVERVIEW_EVERY: Duration = Duration::from_secs(1);

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
    /// Which links are followed, as in the single-process fold.
    links: LinkOptions,
    /// Leases held, by queue member, for heartbeats and release.
    held: Mutex<HashMap<Vec<u8>, Lease>>,
    /// `low` entries held, by member, given back on shutdown.
    held_low: Mutex<HashMap<Vec<u8>, LowLease>>,
    /// Fingerprints this worker already claimed as links: `seen` only grows, so they need not
    /// be sent again. Dropped whenever a Redis call fails (see [`RedisFrontier::errors`]),
    /// with the error count it was valid for.
    known: Mutex<SentCache<u8>>,
    /// Without levels, the same cache: the shortest depth each URL was sent at, and whether
    /// a followed link was sent.
    reached: Mutex<SentCache<Sent>>,
    /// Encodes the outcomes, with the crawl's dictionary once it is known.
    codec: Codec,
}

/// Without levels, what a worker sent of a URL: the shortest depth, and whether as followed.
type Sent = (u32, bool);

/// What a worker sent, by URL fingerprint, with the count of failed Redis calls it is valid for.
type SentCache<V> = (u64, HashMap<[u8; FP_LEN], V>);

/// A fetched page, ready to be stored.
#[derive(Debug)]
struct Done {
    lease: Lease,
    /// The encoded outcome.
    blob: Vec<u8>,
    /// What the page's links ask of the frontier.
    links: NextLinks,
    /// The links this worker had not sent before (all are sent again after a failed store).
    fresh: NextLinks,
    /// Without levels: the paths the page gives what it links or redirects to.
    reached: Vec<Reach>,
    /// Of those, the ones this worker had not sent before.
    fresh_reached: Vec<Reach>,
    /// Without levels: the hops the page's redirect chain fetched after the page itself.
    chain: Vec<Url>,
}

/// A page's in-scope links, as the frontier takes them, each with its class.
#[derive(Debug, Default)]
struct NextLinks {
    /// Followed links of a page before the last depth: claimed for the next level.
    followed: Vec<(Url, LinkClass)>,
    /// Links that are not followed, from a page before the last depth: parked.
    parked: Vec<(Url, LinkClass)>,
    /// Followed links of a page at the last depth: claimed only if parked before.
    upgrades: Vec<(Url, LinkClass)>,
}

/// What one store did.
#[derive(Debug)]
struct Stored {
    /// Pages sent.
    pages: usize,
    /// Outcomes stored by this call (a late duplicate stores nothing).
    new: usize,
    /// Whether a page left its partition's level with nothing to do.
    level_emptied: bool,
}

/// Entries of the positive cache before it is cleared (about 50 bytes each).
const KNOWN_MAX: usize = 1 << 20;

/// In the cache of sent links: the URL was sent for a claim (followed, or an upgrade).
const SENT_CLAIMED: u8 = 0x10;
/// In the cache of sent links: the URL was sent to be parked.
const SENT_PARKED: u8 = 0x20;

impl Shared {
    /// Fetches (or gives up on) one leased URL and encodes its outcome for the loop to store.
    async fn run(self: Arc<Self>, lease: Lease) -> Result<Done, RedisCrawlError> {
        let outcome = if lease.attempts >= MAX_ATTEMPTS {
            PageOutcome::failed(
                lease.url.clone(),
                PageError::Internal {
                    detail: format!("abandoned after {MAX_ATTEMPTS} expired leases"),
                },
            )
        } else {
            AssertUnwindSafe(
                self.fetcher
                    .fetch_as(lease.url.clone(), lease.depth, lease.target),
            )
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
        let (links, fresh, reached, fresh_reached, chain) = if self.frontier.flows() {
            let reached = self.reached_from(&outcome, 0, lease.depth);
            let fresh_reached = self.unreached(&reached);
            let chain = outcome.hops.iter().skip(1).map(|h| h.url.clone()).collect();
            let none = NextLinks::default;
            (none(), none(), reached, fresh_reached, chain)
        } else {
            let links = self.next_links(&lease, &outcome);
            let fresh = self.unsent(&links);
            (links, fresh, Vec::new(), Vec::new(), Vec::new())
        };
        Ok(Done {
            blob: self.codec.encode(&lease.url, &outcome),
            lease,
            links,
            fresh,
            reached,
            fresh_reached,
            chain,
        })
    }

    /// Without levels: the paths the part of `outcome` from hop `from` on gives, `from` at
    /// `depth`: the later hops of its redirect chain and the target it did not fetch keep
    /// `depth` (a redirect adds nothing), the in-scope links of its last hop are one further.
    fn reached_from(&self, outcome: &PageOutcome, from: usize, depth: u32) -> Vec<Reach> {
        let mut reached = Vec::new();
        let hops = outcome.hops.get(from..).unwrap_or_default();
        for hop in hops.iter().skip(1) {
            reached.push(Reach {
                url: hop.url.clone(),
                depth,
                followed: false,
            });
        }
        if let Some((target, _)) = hops.last().and_then(|h| h.redirect.as_ref()) {
            if self.scope.allows(target) && !hops.iter().any(|h| &h.url == target) {
                reached.push(Reach {
                    url: target.clone(),
                    depth,
                    followed: false,
                });
            }
        }
        if outcome.blocked || hops.is_empty() {
            return reached;
        }
        for link in outcome
            .links
            .iter()
            .filter(|link| self.scope.allows(&link.url))
        {
            reached.push(Reach {
                url: link.url.clone(),
                depth: depth + 1,
                followed: self
                    .links
                    .follows(link.kind, link.rel.as_deref(), outcome.nofollow),
            });
        }
        reached
    }

    /// `cache` of what this worker sent, locked; emptied first if it grew past [`KNOWN_MAX`]
    /// or a Redis call failed since it was filled (Redis may have lost what it remembers).
    fn sent_cache<'a, V>(&self, cache: &'a Mutex<SentCache<V>>) -> MutexGuard<'a, SentCache<V>> {
        let mut known = cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let errors = self.frontier.errors();
        if known.1.len() > KNOWN_MAX || known.0 != errors {
            *known = (errors, HashMap::new());
        }
        known
    }

    /// Those of `reached` this worker has not sent at that depth or shorter, and as followed
    /// if followed (remembering them as sent).
    fn unreached(&self, reached: &[Reach]) -> Vec<Reach> {
        let mut known = self.sent_cache(&self.reached);
        reached
            .iter()
            .filter(|reach| {
                let sent = known
                    .1
                    .entry(keys::fingerprint(&reach.url))
                    .or_insert((u32::MAX, false));
                let new = reach.depth < sent.0 || (reach.followed && !sent.1);
                *sent = (sent.0.min(reach.depth), sent.1 || reach.followed);
                new
            })
            .cloned()
            .collect()
    }

    /// Sends again, from its new depth, what a `low` page leads to: read from its stored
    /// outcome, or from the outcome of the page whose redirect chain fetched it. An outcome
    /// not stored yet (that page's completion is on its way) leaves the entry for later.
    async fn relower(
        self: Arc<Self>,
        low: LowLease,
        timeout: Duration,
    ) -> Result<(), RedisCrawlError> {
        let result = self.send_again(&low, timeout).await;
        self.held_low
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&low.member);
        result
    }

    /// [`relower`](Self::relower)'s work.
    async fn send_again(&self, low: &LowLease, timeout: Duration) -> Result<(), RedisCrawlError> {
        let frontier = &self.frontier;
        let stored = match (&low.outcome, &low.via) {
            (Some(blob), _) => Some((low.url.clone(), blob.clone())),
            (None, Some(owner)) => with_retry(timeout, || frontier.outcome_of(owner))
                .await?
                .map(|blob| (owner.clone(), blob)),
            (None, None) => None,
        };
        let Some((owner, blob)) = stored else {
            return with_retry(timeout, || frontier.lowered(low, &[], Some(LOW_RETRY))).await;
        };
        if !self.codec.has_dictionary() {
            // Another worker's outcome: this worker may not have stored one of its own yet.
            if let Some(dictionary) = with_retry(timeout, || frontier.dictionary()).await? {
                self.codec.adopt(dictionary);
            }
        }
        let outcome = self.codec.decode(&blob, &owner)?;
        // A page re-fetched after a crash may no longer pass through it: nothing to send.
        let reached = outcome
            .hops
            .iter()
            .position(|hop| hop.url == low.url)
            .map(|at| self.reached_from(&outcome, at, low.depth))
            .unwrap_or_default();
        with_retry(timeout, || frontier.lowered(low, &reached, None)).await
    }

    /// The outcome's in-scope links, sorted as the single-process fold treats them: a link is
    /// followed by the same rule (link kind, `rel="nofollow"`, the page's robots directives,
    /// `check_resources`); a target only reached by links that are not followed is fetched
    /// once a followed link reaches it, even from a page at the last depth, so such targets
    /// are parked and those links sent as upgrades.
    fn next_links(&self, lease: &Lease, outcome: &PageOutcome) -> NextLinks {
        let mut next = NextLinks::default();
        if outcome.blocked {
            return next;
        }
        let before_last = lease.depth < self.max_depth;
        let check = self.links.check_resources;
        for link in outcome
            .links
            .iter()
            .filter(|link| self.scope.allows(&link.url))
        {
            let follows = self
                .links
                .follows(link.kind, link.rel.as_deref(), outcome.nofollow);
            let class = LinkClass::of(link.kind, check);
            let (list, class) = match (before_last, follows) {
                (true, true) => (&mut next.followed, class),
                (true, false) => (&mut next.parked, class),
                // A parked target has a link that is not followed, which makes it a page.
                (false, true) => (&mut next.upgrades, LinkClass::of(LinkKind::Anchor, check)),
                (false, false) => continue,
            };
            list.push((link.url.clone(), class));
        }
        next
    }

    /// Those of `links` this worker has not sent before, with the same class and in the same
    /// role (remembering them as sent): a URL already claimed needs no second claim, but a
    /// link of another class must still reach its level's classes.
    fn unsent(&self, links: &NextLinks) -> NextLinks {
        let mut known = self.sent_cache(&self.known);
        let mut fresh = |list: &[(Url, LinkClass)], role: u8| -> Vec<(Url, LinkClass)> {
            list.iter()
                .filter(|(url, class)| {
                    let bits = role | *class as u8;
                    let sent = known.1.entry(keys::fingerprint(url)).or_insert(0);
                    let new = *sent & bits != bits;
                    *sent |= bits;
                    new
                })
                .cloned()
                .collect()
        };
        NextLinks {
            followed: fresh(&links.followed, SENT_CLAIMED),
            parked: fresh(&links.parked, SENT_PARKED),
            upgrades: fresh(&links.upgrades, SENT_CLAIMED),
        }
    }

    /// Stores the outcomes of `done` (one round trip, retried for `timeout`).
    async fn store(
        self: Arc<Self>,
        done: Vec<Done>,
        timeout: Duration,
    ) -> Result<Stored, RedisCrawlError> {
        let frontier = &self.frontier;
        if let Some(proposal) = self.codec.proposal() {
            with_retry(timeout, || {
                frontier.settle_dictionary(&self.codec, &proposal)
            })
            .await?;
        }
        let mut attempt = 0;
        let stored = with_retry(timeout, || {
            attempt += 1;
            // After a failure Redis may have lost claims the cache remembers: send them all.
            let pages: Vec<Completion<'_>> = done
                .iter()
                .map(|d| {
                    // After a failure Redis may have lost what the cache remembers: send all.
                    let links = if attempt == 1 { &d.fresh } else { &d.links };
                    let reached = if attempt == 1 {
                        &d.fresh_reached
                    } else {
                        &d.reached
                    };
                    Completion {
                        lease: &d.lease,
                        outcome: &d.blob,
                        links: &links.followed,
                        parked: &links.parked,
                        upgrades: &links.upgrades,
                        reached,
                        chain: &d.chain,
                    }
                })
                .collect();
            async move { frontier.complete_many(&pages).await }
        })
        .await?;
        let mut held = self
            .held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for d in &done {
            held.remove(&d.lease.member);
        }
        Ok(Stored {
            pages: done.len(),
            new: stored.iter().filter(|c| c.stored).count(),
            level_emptied: stored.iter().any(|c| c.remaining <= 0),
        })
    }

    fn held_low(&self) -> Vec<LowLease> {
        held_now(&self.held_low)
    }

    fn held(&self) -> Vec<Lease> {
        held_now(&self.held)
    }
}

/// The leases (or `low` entries) in `held` now.
fn held_now<T: Clone>(held: &Mutex<HashMap<Vec<u8>, T>>) -> Vec<T> {
    held.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .values()
        .cloned()
        .collect()
}

/// Remembers `items` as held, by their queue member (`member`), for heartbeats and release.
fn hold<T: Clone>(held: &Mutex<HashMap<Vec<u8>, T>>, items: &[T], member: fn(&T) -> &Vec<u8>) {
    let mut held = held
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for item in items {
        held.insert(member(item).clone(), item.clone());
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
        let dictionary = with_retry(options.redis_timeout, || frontier.dictionary()).await?;
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
            links: config.links,
            held: Mutex::new(HashMap::new()),
            held_low: Mutex::new(HashMap::new()),
            known: Mutex::new((0, HashMap::new())),
            reached: Mutex::new((0, HashMap::new())),
            codec: Codec::new(dictionary),
        });
        let mut run = Run {
            shared,
            policy,
            options,
            id: worker_id(),
            seq: 0,
            level: 0,
            tasks: JoinSet::new(),
            stores: JoinSet::new(),
            lows: JoinSet::new(),
            hot: Vec::new(),
            viewed: None,
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
            run.stores.abort_all();
            run.lows.abort_all();
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
    tasks: JoinSet<Result<Done, RedisCrawlError>>,
    /// Stores in flight: the loop goes on claiming while they travel.
    stores: JoinSet<Result<Stored, RedisCrawlError>>,
    /// `low` entries being worked on (without levels).
    lows: JoinSet<Result<(), RedisCrawlError>>,
    /// Partitions the last claims got work from, tried first next time.
    hot: Vec<u32>,
    /// When the overview of all partitions was last read.
    viewed: Option<tokio::time::Instant>,
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
        let mut idle = IDLE_POLL_MIN;
        self.beat().await?;
        loop {
            let free = self.options.concurrency - self.tasks.len();
            let due = free >= batch || (free > 0 && self.tasks.is_empty());
            tokio::select! {
                biased;
                () = &mut shutdown => {
                    self.tasks.abort_all();
                    self.stores.abort_all();
                    self.lows.abort_all();
                    while self.tasks.join_next().await.is_some() {}
                    while self.stores.join_next().await.is_some() {}
                    while self.lows.join_next().await.is_some() {}
                    let held = self.shared.held();
                    let timeout = self.options.redis_timeout.min(Duration::from_secs(5));
                    with_retry(timeout, || self.shared.frontier.release(&held)).await?;
                    let low = self.shared.held_low();
                    for entry in &low {
                        let frontier = &self.shared.frontier;
                        with_retry(timeout, || frontier.lowered(entry, &[], Some(Duration::ZERO))).await?;
                    }
                    self.report.end = WorkEnd::Stopped;
                    return Ok(self.report);
                }
                Some(joined) = self.tasks.join_next(), if !self.tasks.is_empty() => {
                    // Store every page finished by now in one round trip, in the background.
                    let mut done = vec![joined];
                    while let Some(more) = self.tasks.try_join_next() {
                        done.push(more);
                    }
                    let done = done
                        .into_iter()
                        .map(|j| j.map_err(|e| RedisCrawlError::Corrupt(format!("worker task: {e}")))?)
                        .collect::<Result<Vec<_>, _>>()?;
                    let timeout = self.options.redis_timeout;
                    self.stores.spawn(Arc::clone(&self.shared).store(done, timeout));
                }
                Some(joined) = self.stores.join_next(), if !self.stores.is_empty() => {
                    let stored = joined.map_err(|e| RedisCrawlError::Corrupt(format!("worker store: {e}")))??;
                    self.report.fetched += stored.pages;
                    self.report.stored += stored.new;
                    if stored.level_emptied {
                        // A partition finished its level: the level may be done everywhere.
                        next_claim = tokio::time::Instant::now();
                    }
                }
                Some(joined) = self.lows.join_next(), if !self.lows.is_empty() => {
                    joined.map_err(|e| RedisCrawlError::Corrupt(format!("worker low entry: {e}")))??;
                }
                _ = beat.tick() => self.beat().await?,
                () = tokio::time::sleep_until(next_claim), if due => {
                    match self.claim(free).await? {
                        Some(0) => {
                            next_claim = tokio::time::Instant::now() + idle;
                            idle = (idle * 2).min(IDLE_POLL_MAX);
                        }
                        Some(_) => {
                            next_claim = tokio::time::Instant::now();
                            idle = IDLE_POLL_MIN;
                        }
                        None => {
                            self.report.end = WorkEnd::Complete;
                            return Ok(self.report);
                        }
                    }
                }
            }
        }
    }

    /// Whether fetches or stores are in flight.
    fn busy(&self) -> bool {
        !self.tasks.is_empty() || !self.stores.is_empty() || !self.lows.is_empty()
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

    /// Claims up to `free` URLs of level `level` from the partitions `from`, in turn.
    async fn claim_from(
        &mut self,
        from: &[u32],
        level: u32,
        free: usize,
    ) -> Result<Vec<Lease>, RedisCrawlError> {
        let frontier = self.shared.frontier.clone();
        self.seq += 1;
        let token = format!("{}:{}", self.id, self.seq);
        let mut leases: Vec<Lease> = Vec::new();
        let n = from.len();
        let start = usize::try_from(self.seq).unwrap_or(0) % n.max(1);
        let mut hot = Vec::new();
        for i in 0..n {
            let p = from[(start + i) % n];
            let want = free - leases.len();
            let low = LOW_AT_ONCE.saturating_sub(self.lows.len());
            let (got, low) = with_retry(self.options.redis_timeout, || {
                frontier.claim_with_low(p, level, want, low, self.policy, &token)
            })
            .await?;
            if !got.is_empty() || !low.is_empty() {
                hot.push(p);
            }
            leases.extend(got);
            self.start_low(low);
            if leases.len() >= free {
                break;
            }
        }
        self.hot = hot;
        Ok(leases)
    }

    /// Starts the work on `low` entries.
    fn start_low(&mut self, low: Vec<LowLease>) {
        if low.is_empty() {
            return;
        }
        hold(&self.shared.held_low, &low, |entry| &entry.member);
        for entry in low {
            let timeout = self.options.redis_timeout;
            self.lows
                .spawn(Arc::clone(&self.shared).relower(entry, timeout));
        }
    }

    /// Claims up to `free` URLs and starts their fetches. Returns how many, or `None` once the
    /// crawl is complete and this worker has nothing in flight.
    async fn claim(&mut self, free: usize) -> Result<Option<usize>, RedisCrawlError> {
        let fresh_view = self.viewed.is_some_and(|at| at.elapsed() < OVERVIEW_EVERY);
        let mut leases = Vec::new();
        if fresh_view && !self.hot.is_empty() {
            // A level never reopens, so a claim at a level already passed just finds nothing.
            let hot = std::mem::take(&mut self.hot);
            leases = self.claim_from(&hot, self.level, free).await?;
        }
        if leases.is_empty() {
            let frontier = self.shared.frontier.clone();
            let view =
                with_retry(self.options.redis_timeout, || frontier.overview(self.level)).await?;
            self.viewed = Some(tokio::time::Instant::now());
            self.level = view.level;
            if view.state == "complete" {
                return Ok(if self.busy() { Some(0) } else { None });
            }
            leases = self.claim_from(&view.candidates, view.level, free).await?;
            if leases.is_empty() && !self.busy() {
                // Nothing to claim here: maybe the level (or the crawl) is done everywhere.
                if frontier.flows() {
                    with_retry(self.options.redis_timeout, || frontier.finish()).await?;
                } else {
                    with_retry(self.options.redis_timeout, || frontier.advance(view.level)).await?;
                }
                return Ok(Some(0));
            }
        }
        let count = leases.len();
        hold(&self.shared.held, &leases, |lease| &lease.member);
        for lease in leases {
            self.tasks.spawn(Arc::clone(&self.shared).run(lease));
        }
        Ok(Some(count))
    }
}
