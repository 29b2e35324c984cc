//! [`RedisFrontier`]: the shared frontier, a thin typed layer over the Lua scripts.
//!
//! It follows `URLFrontier`'s verbs (claim, complete, heartbeat, release, pace) with a level
//! barrier added: URLs are queued per level, partition and host, and a level is claimed only
//! once the crawl's `level` says so. Each method is one round trip (a pipeline where it calls
//! several scripts), and every method may be retried after a dropped connection: the scripts
//! are idempotent or, for claims, lose at worst a lease that the reaper returns.

use std::collections::BTreeMap;
use std::time::Duration;

use redis::aio::ConnectionManager;
use url::Url;

use crate::error::RedisCrawlError;
use crate::keys::{self, Keys};
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
    /// Its level (BFS depth).
    pub depth: u32,
    /// Leases of it that expired before (a worker died holding it).
    pub attempts: u32,
    /// The lease token: a late complete with an older token does not end a newer lease.
    pub token: String,
    pub(crate) partition: u32,
    pub(crate) member: Vec<u8>,
}

/// Where the crawl stands, and which partitions may have work at its level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overview {
    /// The current level.
    pub level: u32,
    /// `creating`, `running` or `complete`.
    pub state: String,
    /// Partitions with hosts ready at the level, or with an expired lease to reap.
    pub candidates: Vec<u32>,
}

/// The frontier of one crawl in Redis.
#[derive(Clone)]
pub struct RedisFrontier {
    con: ConnectionManager,
    keys: Keys,
    scripts: std::sync::Arc<Scripts>,
    /// Failed calls so far: a change tells caches that Redis may have lost recent writes.
    errors: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Round trips made so far (pipelines count once).
    trips: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl std::fmt::Debug for RedisFrontier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisFrontier")
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

/// The next reply of a pipeline, typed.
fn take<T: redis::FromRedisValue>(
    replies: &mut impl Iterator<Item = redis::Value>,
) -> Result<T, RedisCrawlError> {
    let value = replies.next().unwrap_or(redis::Value::Nil);
    T::from_redis_value(value).map_err(|e| RedisCrawlError::Redis(e.into()))
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl RedisFrontier {
    /// Wraps a connection; loads the scripts.
    ///
    /// # Errors
    /// Redis errors while loading the scripts.
    pub async fn new(con: ConnectionManager, keys: Keys) -> Result<Self, RedisCrawlError> {
        let frontier = Self {
            con,
            keys,
            scripts: std::sync::Arc::new(Scripts::new()),
            errors: std::sync::Arc::default(),
            trips: std::sync::Arc::default(),
        };
        frontier.load_scripts().await?;
        Ok(frontier)
    }

    /// The crawl's key names.
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// How many frontier calls failed so far (on this frontier and its clones). A Redis that
    /// restarted may have lost its last second of writes (AOF `everysec`): whoever caches what
    /// Redis holds must drop the cache when this changes.
    pub fn errors(&self) -> u64 {
        self.errors.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Round trips to Redis made through this frontier and its clones so far.
    pub fn round_trips(&self) -> u64 {
        self.trips.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// A clone of the connection, for commands outside the frontier.
    pub fn connection(&self) -> ConnectionManager {
        self.con.clone()
    }

    async fn load_scripts(&self) -> Result<(), RedisCrawlError> {
        let mut con = self.con.clone();
        for script in self.scripts.all() {
            script.load_async(&mut con).await?;
        }
        Ok(())
    }

    /// Runs a pipeline; after a Redis restart (script cache empty) loads the scripts and
    /// runs it once more.
    async fn query<T: redis::FromRedisValue>(
        &self,
        pipe: &redis::Pipeline,
    ) -> Result<T, RedisCrawlError> {
        let mut con = self.con.clone();
        self.trips
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let result = match pipe.query_async(&mut con).await {
            Err(err)
                if err.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::NoScript) =>
            {
                self.load_scripts().await?;
                pipe.query_async(&mut con).await
            }
            other => other,
        };
        if result.is_err() {
            self.errors
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(result?)
    }

    /// Leases up to `n` URLs of level `depth` in partition `p`, after returning up to 16
    /// expired leases of that partition to their queues. One round trip.
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
        let prefix = self.keys.partition(p);
        let mut pipe = redis::pipe();
        pipe.invoke_script(self.scripts.reap.key(&prefix).arg(REAP_PER_CLAIM))
            .ignore();
        pipe.invoke_script(
            self.scripts
                .claim
                .key(&prefix)
                .arg(depth)
                .arg(n)
                .arg(ms(policy.lease))
                .arg(policy.per_host)
                .arg(ms(policy.gap))
                .arg(token),
        );
        let (raw,): (Vec<Vec<u8>>,) = self.query(&pipe).await?;
        let mut leases = Vec::with_capacity(raw.len() / 2);
        for pair in raw.chunks_exact(2) {
            let attempts = std::str::from_utf8(&pair[1])
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            leases.push(Lease {
                url: keys::member_url(&pair[0])?,
                depth,
                attempts,
                token: token.to_owned(),
                partition: p,
                member: pair[0].clone(),
            });
        }
        Ok(leases)
    }

    /// Returns up to `limit` expired leases of partition `p` to their queues.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn reap(&self, p: u32, limit: usize) -> Result<usize, RedisCrawlError> {
        let mut pipe = redis::pipe();
        pipe.invoke_script(self.scripts.reap.key(self.keys.partition(p)).arg(limit));
        let (n,): (usize,) = self.query(&pipe).await?;
        Ok(n)
    }

    /// Adds the `enqueue` calls claiming `urls` into level `depth`, one per partition.
    /// With `ignore`, their replies are left out of the pipeline's result.
    fn push_enqueue(
        &self,
        pipe: &mut redis::Pipeline,
        depth: u32,
        urls: &[Url],
        ignore: bool,
    ) -> usize {
        let mut by_partition: BTreeMap<u32, Vec<(Vec<u8>, String)>> = BTreeMap::new();
        for url in urls {
            let host = keys::host_key(url);
            by_partition
                .entry(self.keys.partition_of(&host))
                .or_default()
                .push((keys::member(url), host));
        }
        let calls = by_partition.len();
        for (p, links) in by_partition {
            let mut call = self.scripts.enqueue.key(self.keys.partition(p));
            call.arg(depth);
            for (member, host) in links {
                call.arg(member).arg(host);
            }
            pipe.invoke_script(&call);
            if ignore {
                pipe.ignore();
            }
        }
        calls
    }

    /// Claims `urls` for level `depth`: each URL never seen before is queued. Returns how many
    /// were new.
    ///
    /// # Errors
    /// Redis errors; the URLs of the partitions already done stay queued (retrying is safe).
    pub async fn enqueue(&self, depth: u32, urls: &[Url]) -> Result<usize, RedisCrawlError> {
        let mut pipe = redis::pipe();
        if self.push_enqueue(&mut pipe, depth, urls, false) == 0 {
            return Ok(0);
        }
        let added: Vec<usize> = self.query(&pipe).await?;
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
        let mut pipe = redis::pipe();
        self.push_enqueue(&mut pipe, lease.depth + 1, links, true);
        pipe.invoke_script(
            self.scripts
                .complete
                .key(self.keys.partition(lease.partition))
                .arg(&lease.member)
                .arg(&lease.token)
                .arg(lease.depth)
                .arg(outcome),
        );
        let ((stored, rem),): ((u8, i64),) = self.query(&pipe).await?;
        Ok((stored == 1, rem))
    }

    /// Claims the redirect target `target` for the page `owner`. True if the owner may fetch
    /// it: it was new, or this owner claimed it before (a re-delivered page).
    ///
    /// # Errors
    /// Redis errors.
    pub async fn claim_redirect(&self, target: &Url, owner: &Url) -> Result<bool, RedisCrawlError> {
        let p = self.keys.partition_of(&keys::host_key(target));
        let mut pipe = redis::pipe();
        pipe.invoke_script(
            self.scripts
                .redirect
                .key(self.keys.partition(p))
                .arg(&keys::fingerprint(target)[..])
                .arg(&keys::fingerprint(owner)[..]),
        );
        let (won,): (u8,) = self.query(&pipe).await?;
        Ok(won == 1)
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
        let mut pipe = redis::pipe();
        for (p, leases) in by_partition {
            let mut call = script.key(self.keys.partition(p));
            if let Some(lead) = lead {
                call.arg(lead);
            }
            for lease in leases {
                call.arg(&lease.member).arg(&lease.token);
            }
            pipe.invoke_script(&call);
        }
        let counts: Vec<usize> = self.query(&pipe).await?;
        Ok(counts.into_iter().sum())
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
        let mut pipe = redis::pipe();
        pipe.invoke_script(
            self.scripts
                .pace
                .key(self.keys.partition(p))
                .arg(host)
                .arg(gap.map(|g| ms(g).to_string()).unwrap_or_default())
                .arg(ms(block)),
        )
        .ignore();
        self.query::<()>(&pipe).await
    }

    /// URLs of level `depth` not yet completed, per partition.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn remaining(&self, depth: u32) -> Result<Vec<i64>, RedisCrawlError> {
        let mut pipe = redis::pipe();
        for p in 0..self.keys.partitions() {
            pipe.get(self.keys.in_partition(p, &format!("rem:{depth}")));
        }
        let rem: Vec<Option<i64>> = self.query(&pipe).await?;
        Ok(rem.into_iter().map(Option::unwrap_or_default).collect())
    }

    /// Leases held now, over all partitions.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn leases_held(&self) -> Result<u64, RedisCrawlError> {
        let mut pipe = redis::pipe();
        for p in 0..self.keys.partitions() {
            pipe.zcard(self.keys.in_partition(p, "lease"));
        }
        let held: Vec<u64> = self.query(&pipe).await?;
        Ok(held.into_iter().sum())
    }

    /// Moves the crawl past level `depth` if every partition has finished it: to the next
    /// level, or to `complete` when the next level is empty. Idempotent: racing workers agree.
    /// Returns the level and state after the call, or `None` if level `depth` is not done.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn advance(&self, depth: u32) -> Result<Option<(u32, String)>, RedisCrawlError> {
        if self.remaining(depth).await?.iter().any(|&r| r > 0) {
            return Ok(None);
        }
        // Level `depth` is done, so nothing adds to level `depth + 1` any more: its count is final.
        let next: i64 = self.remaining(depth + 1).await?.iter().sum();
        let mut pipe = redis::pipe();
        pipe.invoke_script(
            self.scripts
                .advance
                .key(self.keys.meta_prefix())
                .arg(depth)
                .arg(next),
        );
        let ((level, state),): ((u32, String),) = self.query(&pipe).await?;
        Ok(Some((level, state)))
    }

    /// The crawl's level and state, and the partitions worth claiming from, in one round trip
    /// when `hint` is the current level (two otherwise).
    ///
    /// # Errors
    /// Redis errors.
    pub async fn overview(&self, hint: u32) -> Result<Overview, RedisCrawlError> {
        let mut level = hint;
        loop {
            let mut pipe = redis::pipe();
            pipe.cmd("TIME")
                .get(self.keys.level())
                .hget(self.keys.meta(), "state");
            for p in 0..self.keys.partitions() {
                pipe.zcard(self.keys.in_partition(p, &format!("ready:{level}")))
                    .cmd("ZRANGE")
                    .arg(self.keys.in_partition(p, "lease"))
                    .arg(0)
                    .arg(0)
                    .arg("WITHSCORES");
            }
            let values: Vec<redis::Value> = self.query(&pipe).await?;
            let mut it = values.into_iter();
            let (secs, micros): (u64, u64) = take(&mut it)?;
            let now_ms = secs * 1000 + micros / 1000;
            let current: Option<u32> = take(&mut it)?;
            let state: Option<String> = take(&mut it)?;
            let current = current.unwrap_or_default();
            if current != level {
                level = current;
                continue;
            }
            let mut candidates = Vec::new();
            for p in 0..self.keys.partitions() {
                let ready: u64 = take(&mut it)?;
                let lease: Vec<(Vec<u8>, f64)> = take(&mut it)?;
                #[expect(clippy::cast_precision_loss, reason = "milliseconds fit in f64")]
                let expired = lease
                    .first()
                    .is_some_and(|(_, deadline)| *deadline <= now_ms as f64);
                if ready > 0 || expired {
                    candidates.push(p);
                }
            }
            return Ok(Overview {
                level,
                state: state.unwrap_or_default(),
                candidates,
            });
        }
    }

    /// Marks worker `id` alive now (Redis clock), for `crawl status`.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn mark_alive(&self, id: &str) -> Result<(), RedisCrawlError> {
        let mut pipe = redis::pipe();
        pipe.cmd("TIME");
        let ((secs, _),): ((u64, u64),) = self.query(&pipe).await?;
        let mut pipe = redis::pipe();
        pipe.cmd("ZADD")
            .arg(self.keys.workers())
            .arg(secs)
            .arg(id)
            .ignore();
        self.query::<()>(&pipe).await
    }
}
