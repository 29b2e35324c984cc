//! `crawl status`: where a distributed crawl stands, read from Redis without changing it.

use serde::Serialize;

use crate::batch::Batch;
use crate::crawl::RedisCrawl;
use crate::error::RedisCrawlError;
use crate::frontier::take;

/// A worker counts as alive if it beat within this many seconds (of the Redis clock).
pub const ALIVE_SECS: u64 = 30;

/// URLs of one level not yet completed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LevelLeft {
    /// The level (BFS depth).
    pub depth: u32,
    /// URLs queued or leased, not yet completed, over all partitions.
    pub left: i64,
}

/// A snapshot of a distributed crawl.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Status {
    /// The crawl id.
    pub crawl_id: String,
    /// `creating`, `running` or `complete`.
    pub state: String,
    /// Whether the crawl goes level by level (`--check-resources`); without levels, `level`
    /// stays 0 and `levels` is empty.
    pub by_levels: bool,
    /// The level being crawled (the last one once complete).
    pub level: u32,
    /// The deepest level fetched.
    pub max_depth: String,
    /// Pages left per level, from 0 to the level after the current one (with levels).
    pub levels: Vec<LevelLeft>,
    /// URLs queued or leased, not yet completed, over all partitions (and levels).
    pub pages_left: i64,
    /// Outcomes stored: pages done.
    pub pages_done: u64,
    /// URLs claimed (queued, leased or done).
    pub urls_seen: u64,
    /// Leases held now.
    pub leases: u64,
    /// Workers that beat in the last [`ALIVE_SECS`] seconds.
    pub workers: u64,
    /// Seconds since the crawl was created.
    pub elapsed_secs: f64,
    /// Pages done per second since the crawl was created.
    pub pages_per_sec: f64,
    /// Pages known to be fetched: done, leased and queued (the URLs seen). Grows as pages are
    /// found, as a local crawl's progress bar does.
    pub pages_known: u64,
    /// Seconds left at the rate so far for the pages known now, while the crawl runs.
    pub eta_secs: Option<f64>,
    /// Hosts with a page queued or leased at the current level.
    pub hosts_active: u64,
    /// The host with the most pages queued or leased at the current level, and how many, when
    /// it holds more than half of them: the host the level's end waits for.
    pub slowest_host: Option<HostLeft>,
}

/// A host and its pages queued or leased at the current level.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HostLeft {
    /// `host:port`.
    pub host: String,
    /// Pages queued or leased.
    pub left: u64,
}

impl RedisCrawl {
    /// Reads the crawl's status.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn status(&self) -> Result<Status, RedisCrawlError> {
        let frontier = self.frontier();
        let keys = frontier.keys();
        let (level, state) = self.position().await?;
        let mut levels = Vec::new();
        let pages_left = if frontier.flows() {
            frontier.remaining(0).await?.iter().sum()
        } else {
            for depth in 0..=level + 1 {
                let left = frontier.remaining(depth).await?.iter().sum();
                levels.push(LevelLeft { depth, left });
            }
            levels.iter().map(|l| l.left).sum()
        };
        let mut batch = Batch::new();
        for p in 0..keys.partitions() {
            for (cmd, suffix) in [("HLEN", "out"), ("SCARD", "seen"), ("ZCARD", "lease")] {
                let mut c = redis::cmd(cmd);
                c.arg(keys.in_partition(p, suffix));
                batch.add(Some(p), c);
            }
        }
        let counts: Vec<u64> = frontier
            .query(&batch)
            .await?
            .into_iter()
            .map(|v| take(&mut std::iter::once(v)))
            .collect::<Result<_, _>>()?;
        let sum = |k: usize| counts.iter().skip(k).step_by(3).sum::<u64>();
        let mut con = frontier.connection();
        let (now, _): (u64, u64) = redis::cmd("TIME").query_async(&mut con).await?;
        let workers: u64 = redis::cmd("ZCOUNT")
            .arg(keys.workers())
            .arg(now.saturating_sub(ALIVE_SECS))
            .arg("+inf")
            .query_async(&mut con)
            .await?;
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(0));
        #[expect(clippy::cast_precision_loss, reason = "a display figure")]
        let elapsed_secs = now_ms.saturating_sub(self.meta().created_ms) as f64 / 1000.0;
        let pages_done = sum(0);
        #[expect(clippy::cast_precision_loss, reason = "a display figure")]
        let pages_per_sec = if elapsed_secs > 0.0 {
            pages_done as f64 / elapsed_secs
        } else {
            0.0
        };
        let pages_known = sum(1);
        #[expect(clippy::cast_precision_loss, reason = "a display figure")]
        let eta_secs = (state == "running" && pages_per_sec > 0.0)
            .then(|| pages_known.saturating_sub(pages_done) as f64 / pages_per_sec);
        let hosts = self.hosts_left(level).await?;
        let total: u64 = hosts.iter().map(|h| h.left).sum();
        let slowest_host = hosts
            .iter()
            .max_by_key(|h| h.left)
            .filter(|h| h.left * 2 > total && hosts.len() > 1)
            .cloned();
        Ok(Status {
            crawl_id: keys.id().to_owned(),
            state,
            by_levels: !frontier.flows(),
            level,
            max_depth: self.meta().spec.depth.to_string(),
            levels,
            pages_left,
            pages_done,
            urls_seen: sum(1),
            leases: sum(2),
            workers,
            elapsed_secs,
            pages_per_sec,
            pages_known,
            eta_secs,
            hosts_active: u64::try_from(hosts.len()).unwrap_or(u64::MAX),
            slowest_host,
        })
    }

    /// The hosts with pages queued or leased at `level`: those ready to be claimed and those
    /// with leases out, each with its queue's length plus its leases.
    async fn hosts_left(&self, level: u32) -> Result<Vec<HostLeft>, RedisCrawlError> {
        let frontier = self.frontier();
        let keys = frontier.keys();
        let mut batch = Batch::new();
        for p in 0..keys.partitions() {
            let mut ready = redis::cmd("ZRANGE");
            ready
                .arg(keys.in_partition(p, &format!("ready:{}", frontier.queue(level))))
                .arg(0)
                .arg(-1);
            let mut inflight = redis::cmd("HGETALL");
            inflight.arg(keys.in_partition(p, "inflight"));
            batch.add(Some(p), ready).add(Some(p), inflight);
        }
        let mut replies = frontier.query(&batch).await?.into_iter();
        let mut hosts: Vec<(u32, String, u64)> = Vec::new();
        for p in 0..keys.partitions() {
            let ready: Vec<String> = take(&mut replies)?;
            let inflight: Vec<(String, u64)> = take(&mut replies)?;
            let mut seen = std::collections::BTreeMap::new();
            for host in ready {
                seen.entry(host).or_insert(0);
            }
            for (host, leases) in inflight {
                *seen.entry(host).or_insert(0) += leases;
            }
            hosts.extend(seen.into_iter().map(|(host, leases)| (p, host, leases)));
        }
        if hosts.is_empty() {
            return Ok(Vec::new());
        }
        let mut batch = Batch::new();
        for (p, host, _) in &hosts {
            let mut len = redis::cmd("LLEN");
            len.arg(keys.in_partition(*p, &format!("q:{}:{host}", frontier.queue(level))));
            batch.add(Some(*p), len);
        }
        let mut replies = frontier.query(&batch).await?.into_iter();
        let mut left = Vec::with_capacity(hosts.len());
        for (_, host, leases) in hosts {
            let queued: u64 = take(&mut replies)?;
            if queued + leases > 0 {
                left.push(HostLeft {
                    host,
                    left: queued + leases,
                });
            }
        }
        Ok(left)
    }
}
