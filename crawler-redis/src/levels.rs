//! The crawl-wide reads of the frontier: what is left per level, where work waits, the end of
//! a level (with levels) or of the crawl (without), and the workers' heartbeats.
//!
//! These read one key per partition; on one server each is a single pipeline, on a Cluster
//! one pipeline per partition sent together (see the `batch` module).

use crate::batch::{evalsha, Batch};
use crate::error::RedisCrawlError;
use crate::frontier::{take, RedisFrontier};

/// Where the crawl stands, and which partitions may have work at its level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overview {
    /// The current level.
    pub level: u32,
    /// `creating`, `running` or `complete`.
    pub state: String,
    /// Partitions with hosts ready at the level (without levels: at all, or a `low` entry to
    /// work on), or with an expired lease to reap.
    pub candidates: Vec<u32>,
}

impl RedisFrontier {
    /// URLs of level `depth` (without levels: all URLs) not yet completed, per partition.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn remaining(&self, depth: u32) -> Result<Vec<i64>, RedisCrawlError> {
        let keys = self.keys();
        let mut batch = Batch::new();
        for p in 0..keys.partitions() {
            let mut cmd = redis::cmd("GET");
            cmd.arg(keys.in_partition(p, &format!("rem:{}", self.queue(depth))));
            batch.add(Some(p), cmd);
        }
        let mut replies = self.query(&batch).await?.into_iter();
        (0..keys.partitions())
            .map(|_| take::<Option<i64>>(&mut replies).map(Option::unwrap_or_default))
            .collect()
    }

    /// Leases held now, over all partitions.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn leases_held(&self) -> Result<u64, RedisCrawlError> {
        let keys = self.keys();
        let mut batch = Batch::new();
        for p in 0..keys.partitions() {
            let mut cmd = redis::cmd("ZCARD");
            cmd.arg(keys.in_partition(p, "lease"));
            batch.add(Some(p), cmd);
        }
        let mut total = 0;
        for value in self.query(&batch).await? {
            total += take::<u64>(&mut std::iter::once(value))?;
        }
        Ok(total)
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
        let mut cmd = evalsha(&self.scripts().advance, &self.keys().meta_prefix());
        cmd.arg(depth).arg(next);
        let mut batch = Batch::new();
        batch.add(None, cmd);
        let (level, state): (u32, String) = take(&mut self.query(&batch).await?.into_iter())?;
        Ok(Some((level, state)))
    }

    /// The crawl's level and state, and the partitions worth claiming from, in one round trip
    /// when `hint` is the current level (two otherwise).
    ///
    /// # Errors
    /// Redis errors.
    pub async fn overview(&self, hint: u32) -> Result<Overview, RedisCrawlError> {
        let keys = self.keys();
        let mut level = hint;
        loop {
            let mut batch = Batch::new();
            batch
                .add(None, redis::cmd("TIME"))
                .add(None, redis::cmd("GET").arg(keys.level()).clone())
                .add(
                    None,
                    redis::cmd("HGET").arg(keys.meta()).arg("state").clone(),
                );
            for p in 0..keys.partitions() {
                let mut ready = redis::cmd("ZCARD");
                ready.arg(keys.in_partition(p, &format!("ready:{}", self.queue(level))));
                let mut first = redis::cmd("ZRANGE");
                first
                    .arg(keys.in_partition(p, "lease"))
                    .arg(0)
                    .arg(0)
                    .arg("WITHSCORES");
                batch.add(Some(p), ready).add(Some(p), first);
                if self.flows() {
                    let mut low = redis::cmd("ZRANGE");
                    low.arg(keys.in_partition(p, "low"))
                        .arg(0)
                        .arg(0)
                        .arg("WITHSCORES");
                    batch.add(Some(p), low);
                }
            }
            let mut it = self.query(&batch).await?.into_iter();
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
            for p in 0..keys.partitions() {
                let ready: u64 = take(&mut it)?;
                let lease: Vec<(Vec<u8>, f64)> = take(&mut it)?;
                let low: Vec<(Vec<u8>, f64)> = if self.flows() {
                    take(&mut it)?
                } else {
                    Vec::new()
                };
                #[expect(clippy::cast_precision_loss, reason = "milliseconds fit in f64")]
                let due = |first: &[(Vec<u8>, f64)]| {
                    first
                        .first()
                        .is_some_and(|(_, deadline)| *deadline <= now_ms as f64)
                };
                if ready > 0 || due(&lease) || due(&low) {
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

    /// Without levels: marks the crawl complete if no partition has a URL queued or leased,
    /// or a `low` entry, in a read that no worker's activity tore: the activity counter (see
    /// [`Keys::generation`](crate::keys::Keys::generation)) is read before and after the
    /// partitions, and must not have moved. Returns whether the crawl is complete.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn finish(&self) -> Result<bool, RedisCrawlError> {
        let keys = self.keys();
        let generation = || redis::cmd("GET").arg(keys.generation()).clone();
        let mut batch = Batch::new();
        batch.add(None, generation()).then();
        for p in 0..keys.partitions() {
            let mut left = redis::cmd("GET");
            left.arg(keys.in_partition(p, "rem:f"));
            let mut low = redis::cmd("ZCARD");
            low.arg(keys.in_partition(p, "low"));
            batch.add(Some(p), left).add(Some(p), low);
        }
        batch.then().add(None, generation());
        let mut it = self.query(&batch).await?.into_iter();
        let before: Option<u64> = take(&mut it)?;
        let mut idle = true;
        for _ in 0..keys.partitions() {
            let left: Option<i64> = take(&mut it)?;
            let low: u64 = take(&mut it)?;
            idle &= left.unwrap_or_default() <= 0 && low == 0;
        }
        let after: Option<u64> = take(&mut it)?;
        if !idle || before != after {
            return Ok(false);
        }
        // `advance` from level 0 (the level key stays 0 without levels) with nothing next.
        let mut cmd = evalsha(&self.scripts().advance, &keys.meta_prefix());
        cmd.arg(0).arg(0);
        let mut batch = Batch::new();
        batch.add(None, cmd).ignore();
        self.query(&batch).await?;
        Ok(true)
    }

    /// Marks worker `id` alive now (Redis clock), for `crawl status`.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn mark_alive(&self, id: &str) -> Result<(), RedisCrawlError> {
        let mut batch = Batch::new();
        batch.add(None, redis::cmd("TIME"));
        let (secs, _): (u64, u64) = take(&mut self.query(&batch).await?.into_iter())?;
        let mut batch = Batch::new();
        let mut cmd = redis::cmd("ZADD");
        cmd.arg(self.keys().workers()).arg(secs).arg(id);
        batch.add(None, cmd).ignore();
        self.query(&batch).await.map(drop)
    }
}
