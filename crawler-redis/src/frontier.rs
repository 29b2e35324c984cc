//! [`RedisFrontier`]: the shared frontier, a thin typed layer over the Lua scripts.
//!
//! It follows `URLFrontier`'s verbs (claim, complete, heartbeat, release, pace) in one of two
//! modes. With levels (`--check-resources`), URLs are queued per level, partition and host,
//! and a level is claimed only once the crawl's `level` says so. Without levels (the default,
//! as in a single process), URLs wait in one queue per partition and host, claimed as soon as
//! they are found within the depth limit; each URL's tentative depth lives in `dep`, and a
//! page whose depth drops after its links were sent goes to `low` to send them again
//! (label correction; see `common.lua` and [`RedisFrontier::claim_with_low`]). Each method is one `Batch` (one round trip on one
//! server), and every method may be retried after a dropped connection: the scripts are
//! idempotent or, for claims, lose at worst a lease that the reaper returns. The level barrier
//! and the crawl-wide reads are in [`crate::levels`].

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crawler_core::Target;
use redis::{Cmd, Value};
use url::Url;

use crate::batch::{evalsha, Batch};
use crate::connect::RedisConnection;
use crate::error::RedisCrawlError;
use crate::keys::{self, Keys};
use crate::link_class::LinkClass;
use crate::scripts::Scripts;

/// The leases reaped at most per claim call, so one call stays short.
const REAP_PER_CLAIM: usize = 16;

/// How claims are limited: the crawl's politeness, the same for every worker.
#[derive(Debug, Clone, Copy)]
pub struct ClaimPolicy {
    /// How long a lease lasts without a heartbeat.
    pub lease: Duration,
    /// Leases held at once on one host, over all workers.
    pub per_host: usize,
    /// Least time between two claims of one host, over all workers.
    pub gap: Duration,
}

/// A URL leased to this worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The URL to fetch.
    pub url: Url,
    /// Its level (BFS depth); without levels, its tentative depth when it was claimed (its
    /// true depth can only be smaller: see `complete.lua`).
    pub depth: u32,
    /// Leases of it that expired before (a worker died holding it).
    pub attempts: u32,
    /// The lease token: a late complete with an older token does not end a newer lease.
    pub token: String,
    /// What to fetch it as: from the links of earlier levels to it, when resources are
    /// checked (as the single-process fold's `target_of` decides); else a page.
    pub target: Target,
    pub(crate) partition: u32,
    pub(crate) member: Vec<u8>,
}

/// One page to complete: its lease, its stored outcome and the links to queue at the next
/// level.
#[derive(Debug, Clone, Copy)]
pub struct Completion<'a> {
    /// The lease the page was fetched under.
    pub lease: &'a Lease,
    /// The encoded outcome.
    pub outcome: &'a [u8],
    /// Links for the next level (already claimed ones may be left out).
    pub links: &'a [(Url, LinkClass)],
    /// Targets of links that are not followed, at a depth within the crawl's: parked, so that
    /// a followed link from a page at the last depth still fetches them ([`Self::upgrades`]).
    pub parked: &'a [(Url, LinkClass)],
    /// Followed links of a page at the last depth (or past it): their targets are queued for
    /// the next level only if they were parked.
    pub upgrades: &'a [(Url, LinkClass)],
    /// Without levels: the paths the page gives the URLs it links or redirects to (the three
    /// lists above are then empty).
    pub reached: &'a [Reach],
    /// Without levels: the hops the page's redirect chain fetched, after the page itself.
    pub chain: &'a [Url],
}

/// A path a fetched page gives a URL, without levels: a link (`depth` = the page's + 1) or a
/// redirect (the page's own depth).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    /// The URL reached.
    pub url: Url,
    /// The length of the path.
    pub depth: u32,
    /// Whether the link is followed (a redirect's target counts as not followed: the chain
    /// fetched it or says why not).
    pub followed: bool,
}

/// A page of `low` leased to this worker: its depth dropped after its links were sent.
#[derive(Debug, Clone)]
pub struct LowLease {
    /// The page (or a hop of another page's redirect chain).
    pub url: Url,
    /// Its depth now.
    pub depth: u32,
    /// Its stored outcome, if it was fetched as a page of its own.
    pub outcome: Option<Vec<u8>>,
    /// The page whose redirect chain fetched it, if one did.
    pub via: Option<Url>,
    pub(crate) partition: u32,
    pub(crate) member: Vec<u8>,
    pub(crate) deadline: String,
}

/// The `low` entries `lowclaim.lua` leased in partition `p`: (member, deadline, dep,
/// outcome, via) per entry.
fn low_leases(p: u32, raw: &[Vec<u8>]) -> Result<Vec<LowLease>, RedisCrawlError> {
    let mut low = Vec::with_capacity(raw.len() / 5);
    for entry in raw.chunks_exact(5) {
        let dep = std::str::from_utf8(&entry[2])
            .ok()
            .and_then(|s| s.parse::<u32>().ok())
            .ok_or_else(|| RedisCrawlError::Corrupt("a low entry without a depth".into()))?;
        low.push(LowLease {
            url: keys::member_url(&entry[0])?,
            depth: dep / 2,
            outcome: (!entry[3].is_empty()).then(|| entry[3].clone()),
            via: if entry[4].is_empty() {
                None
            } else {
                Some(keys::member_url(&entry[4])?)
            },
            partition: p,
            member: entry[0].clone(),
            deadline: String::from_utf8_lossy(&entry[1]).into_owned(),
        });
    }
    Ok(low)
}

/// `urls`, each with no link class: claims that say nothing of what the URL is fetched as.
fn unrecorded(urls: &[Url]) -> Vec<(Url, LinkClass)> {
    urls.iter()
        .map(|url| (url.clone(), LinkClass::Unrecorded))
        .collect()
}

/// What an `enqueue` call does with its URLs.
#[derive(Debug, Clone, Copy)]
enum Enqueue {
    /// Claims every URL not seen before.
    All,
    /// Claims only URLs parked before and not seen.
    Parked,
    /// Parks the URLs, claiming none.
    Park,
}

impl Enqueue {
    /// The mode as the script reads it.
    fn name(self) -> &'static str {
        match self {
            Enqueue::All => "all",
            Enqueue::Parked => "parked",
            Enqueue::Park => "park",
        }
    }
}

/// What a completion did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completed {
    /// Whether this call stored the outcome (a late duplicate does not).
    pub stored: bool,
    /// URLs of the page's level left in its partition after the call.
    pub remaining: i64,
}

/// The frontier of one crawl in Redis.
#[derive(Clone)]
pub struct RedisFrontier {
    con: RedisConnection,
    keys: Keys,
    scripts: Arc<Scripts>,
    /// Failed calls so far: a change tells caches that Redis may have lost recent writes.
    errors: Arc<AtomicU64>,
    /// Round trips made so far (a batch counts once).
    trips: Arc<AtomicU64>,
    /// Without levels: the crawl's depth limit (discovery queues a URL only within it).
    flow: Option<u32>,
}

impl std::fmt::Debug for RedisFrontier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisFrontier")
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

/// The next reply of a batch, typed.
pub(crate) fn take<T: redis::FromRedisValue>(
    replies: &mut impl Iterator<Item = Value>,
) -> Result<T, RedisCrawlError> {
    let value = replies.next().unwrap_or(Value::Nil);
    T::from_redis_value(value).map_err(|e| RedisCrawlError::Redis(e.into()))
}

pub(crate) fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl RedisFrontier {
    /// Wraps a connection; loads the scripts.
    ///
    /// # Errors
    /// Redis errors while loading the scripts.
    pub async fn new(con: RedisConnection, keys: Keys) -> Result<Self, RedisCrawlError> {
        let frontier = Self {
            con,
            keys,
            scripts: Arc::new(Scripts::new()),
            errors: Arc::default(),
            trips: Arc::default(),
            flow: None,
        };
        frontier.load_scripts().await?;
        Ok(frontier)
    }

    /// The same frontier for a crawl without levels and this depth limit (`Some`: see
    /// [`CrawlConfig::flows`](crawler_core::CrawlConfig::flows)), or with levels (`None`).
    #[must_use]
    pub fn without_levels(mut self, max_depth: Option<u32>) -> Self {
        self.flow = max_depth;
        self
    }

    /// Whether the crawl runs without levels.
    pub fn flows(&self) -> bool {
        self.flow.is_some()
    }

    /// The queue level a script names: the depth, or `f`, the one queue without levels.
    pub(crate) fn queue(&self, depth: u32) -> String {
        if self.flows() {
            "f".to_owned()
        } else {
            depth.to_string()
        }
    }

    /// The crawl's key names.
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// The loaded scripts.
    pub(crate) fn scripts(&self) -> &Scripts {
        &self.scripts
    }

    /// How many frontier calls failed so far (on this frontier and its clones). A Redis that
    /// restarted may have lost its last second of writes (AOF `everysec`): whoever caches what
    /// Redis holds must drop the cache when this changes.
    pub fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    /// Round trips to Redis made through this frontier and its clones so far.
    pub fn round_trips(&self) -> u64 {
        self.trips.load(Ordering::Relaxed)
    }

    /// A clone of the connection, for commands outside the frontier.
    pub fn connection(&self) -> RedisConnection {
        self.con.clone()
    }

    async fn load_scripts(&self) -> Result<(), RedisCrawlError> {
        let mut con = self.con.clone();
        for script in self.scripts.all() {
            script.load_async(&mut con).await?;
        }
        Ok(())
    }

    /// Runs a batch; after a Redis restart (script cache empty) loads the scripts and runs it
    /// once more.
    pub(crate) async fn query(&self, batch: &Batch) -> Result<Vec<Value>, RedisCrawlError> {
        self.trips.fetch_add(1, Ordering::Relaxed);
        let result = match batch.run(&self.con).await {
            Err(err)
                if err.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::NoScript) =>
            {
                self.load_scripts().await?;
                batch.run(&self.con).await
            }
            other => other,
        };
        if result.is_err() {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        Ok(result?)
    }

    /// Leases up to `n` URLs of level `depth` (any depth, without levels) in partition `p`,
    /// after returning up to 16 expired leases of that partition to their queues. One round
    /// trip.
    ///
    /// # Errors
    /// Redis errors; the partition is unchanged or holds leases that expire.
    pub async fn claim(
        &self,
        p: u32,
        depth: u32,
        n: usize,
        policy: ClaimPolicy,
        token: &str,
    ) -> Result<Vec<Lease>, RedisCrawlError> {
        Ok(self.claim_with_low(p, depth, n, 0, policy, token).await?.0)
    }

    /// As [`claim`](Self::claim), and without levels also leases up to `low` entries of
    /// `low` (pages whose depth dropped after their links were sent), in the same round trip.
    ///
    /// # Errors
    /// Redis errors; the partition is unchanged or holds leases that expire.
    pub async fn claim_with_low(
        &self,
        p: u32,
        depth: u32,
        n: usize,
        low: usize,
        policy: ClaimPolicy,
        token: &str,
    ) -> Result<(Vec<Lease>, Vec<LowLease>), RedisCrawlError> {
        let prefix = self.keys.partition(p);
        let mut batch = Batch::new();
        let mut reap = evalsha(&self.scripts.reap, &prefix);
        reap.arg(REAP_PER_CLAIM);
        batch.add(Some(p), reap).ignore();
        let mut claim = evalsha(&self.scripts.claim, &prefix);
        claim
            .arg(self.queue(depth))
            .arg(n)
            .arg(ms(policy.lease))
            .arg(policy.per_host)
            .arg(ms(policy.gap))
            .arg(token);
        batch.add(Some(p), claim);
        let low = if self.flows() { low } else { 0 };
        if low > 0 {
            let mut cmd = evalsha(&self.scripts.low_claim, &prefix);
            cmd.arg(low).arg(ms(policy.lease));
            batch.add(Some(p), cmd);
        }
        let mut replies = self.query(&batch).await?.into_iter();
        let raw: Vec<Vec<u8>> = take(&mut replies)?;
        let lows = if low > 0 {
            low_leases(p, &take::<Vec<Vec<u8>>>(&mut replies)?)?
        } else {
            Vec::new()
        };
        let number = |bytes: &[u8]| {
            std::str::from_utf8(bytes)
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0)
        };
        let mut leases = Vec::with_capacity(raw.len() / 4);
        for entry in raw.chunks_exact(4) {
            // Without levels, the URL's tentative depth now (see `dep_of`).
            let depth = if entry[3].is_empty() {
                depth
            } else {
                number(&entry[3]) / 2
            };
            leases.push(Lease {
                url: keys::member_url(&entry[0])?,
                depth,
                attempts: number(&entry[1]),
                token: token.to_owned(),
                target: LinkClass::target(u8::try_from(number(&entry[2])).unwrap_or(0)),
                partition: p,
                member: entry[0].clone(),
            });
        }
        Ok((leases, lows))
    }

    /// Returns up to `limit` expired leases of partition `p` to their queues.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn reap(&self, p: u32, limit: usize) -> Result<usize, RedisCrawlError> {
        let mut cmd = evalsha(&self.scripts.reap, &self.keys.partition(p));
        cmd.arg(limit);
        let mut batch = Batch::new();
        batch.add(Some(p), cmd);
        take(&mut self.query(&batch).await?.into_iter())
    }

    /// Adds the `enqueue` calls claiming `urls` into their levels, one per partition and
    /// level. With `ignore`, their replies are left out of the batch's result. Returns how
    /// many calls were added.
    fn push_enqueue<'u>(
        &self,
        batch: &mut Batch,
        urls: impl IntoIterator<Item = (u32, &'u (Url, LinkClass))>,
        mode: Enqueue,
        ignore: bool,
    ) -> usize {
        let mut by_partition: BTreeMap<(u32, u32), Cmd> = BTreeMap::new();
        for (depth, (url, class)) in urls {
            let host = keys::host_key(url);
            let p = self.keys.partition_of(&host);
            by_partition
                .entry((p, depth))
                .or_insert_with(|| {
                    let mut cmd = evalsha(&self.scripts.enqueue, &self.keys.partition(p));
                    cmd.arg(depth).arg(mode.name());
                    cmd
                })
                .arg(keys::member(url))
                .arg(host)
                .arg(*class as u8);
        }
        let calls = by_partition.len();
        for ((p, _), cmd) in by_partition {
            batch.add(Some(p), cmd);
            if ignore {
                batch.ignore();
            }
        }
        calls
    }

    /// Without levels: adds the `discover` calls recording `reached`, one per partition.
    /// Returns how many calls were added.
    fn push_discover(&self, batch: &mut Batch, reached: &[Reach], ignore: bool) -> usize {
        let max_depth = self.flow.unwrap_or(0);
        let mut by_partition: BTreeMap<u32, Cmd> = BTreeMap::new();
        for reach in reached {
            let host = keys::host_key(&reach.url);
            let p = self.keys.partition_of(&host);
            by_partition
                .entry(p)
                .or_insert_with(|| {
                    let mut cmd = evalsha(&self.scripts.discover, &self.keys.partition(p));
                    cmd.arg(max_depth);
                    cmd
                })
                .arg(keys::member(&reach.url))
                .arg(host)
                .arg(reach.depth)
                .arg(u8::from(reach.followed));
        }
        let calls = by_partition.len();
        for (p, cmd) in by_partition {
            batch.add(Some(p), cmd);
            if ignore {
                batch.ignore();
            }
        }
        calls
    }

    /// Without levels: the stage that ends what pages (or `low` entries) sent, after their
    /// `discover` calls and before their leases end: bumps the activity counter (see
    /// [`Keys::generation`]).
    fn push_generation(&self, batch: &mut Batch) {
        batch
            .add(None, redis::cmd("INCR").arg(self.keys.generation()).clone())
            .ignore();
    }

    /// Claims `urls` for level `depth`: each URL never seen before is queued. Returns how many
    /// were new.
    ///
    /// # Errors
    /// Redis errors; the URLs of the partitions already done stay queued (retrying is safe).
    pub async fn enqueue(&self, depth: u32, urls: &[Url]) -> Result<usize, RedisCrawlError> {
        let mut batch = Batch::new();
        let calls = if self.flows() {
            let reached: Vec<Reach> = urls
                .iter()
                .map(|url| Reach {
                    url: url.clone(),
                    depth,
                    followed: true,
                })
                .collect();
            self.push_discover(&mut batch, &reached, false)
        } else {
            let urls = unrecorded(urls);
            let urls = urls.iter().map(|entry| (depth, entry));
            self.push_enqueue(&mut batch, urls, Enqueue::All, false)
        };
        if calls == 0 {
            return Ok(0);
        }
        let added: Vec<usize> = self
            .query(&batch)
            .await?
            .into_iter()
            .map(|v| take(&mut std::iter::once(v)))
            .collect::<Result<_, _>>()?;
        Ok(added.into_iter().sum())
    }

    /// Completes a lease in one round trip: queues `links` at the next level, then stores
    /// `outcome` if no completion of this URL stored one before. Returns whether this call
    /// stored it and how many URLs of its level are left in its partition.
    ///
    /// # Errors
    /// Redis errors; retrying is safe (the claims and the store are idempotent).
    pub async fn complete(
        &self,
        lease: &Lease,
        outcome: &[u8],
        links: &[Url],
    ) -> Result<(bool, i64), RedisCrawlError> {
        let links = unrecorded(links);
        let links = &links[..];
        let done = self
            .complete_many(&[Completion {
                lease,
                outcome,
                links,
                parked: &[],
                upgrades: &[],
                reached: &[],
                chain: &[],
            }])
            .await?;
        Ok(done.first().map_or((false, 0), |c| (c.stored, c.remaining)))
    }

    /// Completes several leases in one round trip: first every page's links are queued at
    /// the next level (one script call per partition and level), then the outcomes are
    /// stored, one script call per partition. Links are queued before any completion can end
    /// their level, so a finished level never misses a link. Returns one [`Completed`] per
    /// page, in order.
    ///
    /// # Errors
    /// Redis errors; retrying is safe (the claims and the stores are idempotent).
    pub async fn complete_many(
        &self,
        pages: &[Completion<'_>],
    ) -> Result<Vec<Completed>, RedisCrawlError> {
        let mut batch = Batch::new();
        // Parked before anything is claimed: an upgrade in the same batch finds them.
        let parked = pages
            .iter()
            .flat_map(|c| c.parked.iter().map(|u| (c.lease.depth + 1, u)));
        let parked = self.push_enqueue(&mut batch, parked, Enqueue::Park, true);
        let links = pages
            .iter()
            .flat_map(|c| c.links.iter().map(|u| (c.lease.depth + 1, u)));
        let upgrades = pages
            .iter()
            .flat_map(|c| c.upgrades.iter().map(|u| (c.lease.depth + 1, u)));
        let claims = self.push_enqueue(&mut batch, links, Enqueue::All, true)
            + self.push_enqueue(&mut batch, upgrades, Enqueue::Parked, true);
        if parked + claims > 0 {
            batch.then();
        }
        if self.flows() {
            let reached: Vec<Reach> = pages
                .iter()
                .flat_map(|c| c.reached.iter().cloned())
                .collect();
            let mut sent = self.push_discover(&mut batch, &reached, true);
            // The hops a chain fetched are marked done before the page's lease can end.
            for page in pages.iter().filter(|c| !c.chain.is_empty()) {
                let mut by_partition: BTreeMap<u32, Cmd> = BTreeMap::new();
                for hop in page.chain {
                    let p = self.keys.partition_of(&keys::host_key(hop));
                    by_partition
                        .entry(p)
                        .or_insert_with(|| {
                            let mut cmd = evalsha(&self.scripts.chain, &self.keys.partition(p));
                            cmd.arg(&page.lease.member).arg(page.lease.depth);
                            cmd
                        })
                        .arg(keys::member(hop));
                }
                for (p, cmd) in by_partition {
                    batch.add(Some(p), cmd).ignore();
                    sent += 1;
                }
            }
            // Everything the pages sent lands before the counter moves, and the counter moves
            // before their leases end (a Cluster runs one stage's slots at once).
            if sent > 0 {
                batch.then();
            }
            self.push_generation(&mut batch);
            batch.then();
        }
        let mut by_partition: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for (i, page) in pages.iter().enumerate() {
            by_partition
                .entry(page.lease.partition)
                .or_default()
                .push(i);
        }
        for (&p, indices) in &by_partition {
            let mut cmd = evalsha(&self.scripts.complete, &self.keys.partition(p));
            for &i in indices {
                let page = &pages[i];
                let used = if self.flows() {
                    page.lease.depth.to_string()
                } else {
                    String::new()
                };
                cmd.arg(&page.lease.member)
                    .arg(&page.lease.token)
                    .arg(self.queue(page.lease.depth))
                    .arg(page.outcome)
                    .arg(used);
            }
            batch.add(Some(p), cmd);
        }
        let mut replies = self.query(&batch).await?.into_iter();
        let mut done = vec![
            Completed {
                stored: false,
                remaining: 0
            };
            pages.len()
        ];
        for indices in by_partition.values() {
            let flat: Vec<i64> = take(&mut replies)?;
            for (&i, pair) in indices.iter().zip(flat.chunks_exact(2)) {
                done[i] = Completed {
                    stored: pair[0] == 1,
                    remaining: pair[1],
                };
            }
        }
        Ok(done)
    }

    /// Claims the redirect target `target` for the page `owner`, at `depth`. True if the
    /// owner may fetch it: it was new, this owner claimed it before (a re-delivered page), or
    /// it was queued for the next level by a link and is taken back (see `redirect.lua`).
    ///
    /// # Errors
    /// Redis errors.
    pub async fn claim_redirect(
        &self,
        target: &Url,
        owner: &Url,
        depth: u32,
    ) -> Result<bool, RedisCrawlError> {
        let host = keys::host_key(target);
        let p = self.keys.partition_of(&host);
        let mut cmd = evalsha(&self.scripts.redirect, &self.keys.partition(p));
        // With levels the target's level is the owner's next; without, its own depth.
        let (depth, mode) = if self.flows() {
            (depth, "f")
        } else {
            (depth + 1, "")
        };
        cmd.arg(&keys::fingerprint(target)[..])
            .arg(&keys::fingerprint(owner)[..])
            .arg(depth)
            .arg(keys::member(target))
            .arg(host)
            .arg(mode);
        let mut batch = Batch::new();
        batch.add(Some(p), cmd);
        let won: u8 = take(&mut self.query(&batch).await?.into_iter())?;
        Ok(won == 1)
    }

    /// The stored outcome of `url`, if any.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn outcome_of(&self, url: &Url) -> Result<Option<Vec<u8>>, RedisCrawlError> {
        let p = self.keys.partition_of(&keys::host_key(url));
        let mut cmd = redis::cmd("HGET");
        cmd.arg(self.keys.in_partition(p, "out"))
            .arg(&keys::fingerprint(url)[..]);
        let mut batch = Batch::new();
        batch.add(Some(p), cmd);
        take(&mut self.query(&batch).await?.into_iter())
    }

    /// Ends the lease of `low` entry `entry` once the paths `reached` from its new depth are
    /// recorded; with `retry` instead (its outcome is not stored yet), offers it again after
    /// that long.
    ///
    /// # Errors
    /// Redis errors; retrying is safe.
    pub async fn lowered(
        &self,
        entry: &LowLease,
        reached: &[Reach],
        retry: Option<Duration>,
    ) -> Result<(), RedisCrawlError> {
        let mut batch = Batch::new();
        if self.push_discover(&mut batch, reached, true) > 0 {
            batch.then();
        }
        self.push_generation(&mut batch);
        batch.then();
        let mut cmd = evalsha(
            &self.scripts.low_done,
            &self.keys.partition(entry.partition),
        );
        cmd.arg(&entry.member)
            .arg(&entry.deadline)
            .arg(retry.map(|r| ms(r).to_string()).unwrap_or_default());
        batch.add(Some(entry.partition), cmd).ignore();
        self.query(&batch).await.map(drop)
    }

    /// Groups leases by partition and calls `script` with (member, token) pairs for each,
    /// after the `lead` arguments. Returns the sum of the results.
    async fn per_partition(
        &self,
        script: &redis::Script,
        lead: Option<u64>,
        leases: &[Lease],
    ) -> Result<usize, RedisCrawlError> {
        let mut by_partition: BTreeMap<u32, Vec<&Lease>> = BTreeMap::new();
        for lease in leases {
            by_partition.entry(lease.partition).or_default().push(lease);
        }
        if by_partition.is_empty() {
            return Ok(0);
        }
        let mut batch = Batch::new();
        for (p, leases) in by_partition {
            let mut cmd = evalsha(script, &self.keys.partition(p));
            if let Some(lead) = lead {
                cmd.arg(lead);
            }
            for lease in leases {
                cmd.arg(&lease.member).arg(&lease.token);
            }
            batch.add(Some(p), cmd);
        }
        let mut total = 0;
        for value in self.query(&batch).await? {
            total += take::<usize>(&mut std::iter::once(value))?;
        }
        Ok(total)
    }

    /// Extends `leases` by `lease` from now, where this worker still holds them. Returns how
    /// many it still holds.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn heartbeat(
        &self,
        leases: &[Lease],
        lease: Duration,
    ) -> Result<usize, RedisCrawlError> {
        self.per_partition(&self.scripts.heartbeat, Some(ms(lease)), leases)
            .await
    }

    /// Gives `leases` back at once: their URLs go to the head of their queues. Returns how
    /// many were still held.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn release(&self, leases: &[Lease]) -> Result<usize, RedisCrawlError> {
        self.per_partition(&self.scripts.release, None, leases)
            .await
    }

    /// Slows `host` for every worker: `gap` raises its least gap between claims (Crawl-delay),
    /// `block` holds it for that long from now (Retry-After).
    ///
    /// # Errors
    /// Redis errors.
    pub async fn pace(
        &self,
        host: &str,
        gap: Option<Duration>,
        block: Duration,
    ) -> Result<(), RedisCrawlError> {
        let p = self.keys.partition_of(host);
        let mut cmd = evalsha(&self.scripts.pace, &self.keys.partition(p));
        cmd.arg(host)
            .arg(gap.map(|g| ms(g).to_string()).unwrap_or_default())
            .arg(ms(block));
        let mut batch = Batch::new();
        batch.add(Some(p), cmd).ignore();
        self.query(&batch).await.map(drop)
    }
}
