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
    /// The level being crawled (the last one once complete).
    pub level: u32,
    /// The deepest level fetched.
    pub max_depth: String,
    /// Pages left per level, from 0 to the level after the current one.
    pub levels: Vec<LevelLeft>,
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
        for depth in 0..=level + 1 {
            let left = frontier.remaining(depth).await?.iter().sum();
            levels.push(LevelLeft { depth, left });
        }
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
        Ok(Status {
            crawl_id: keys.id().to_owned(),
            state,
            level,
            max_depth: self.meta().spec.depth.to_string(),
            levels,
            pages_done,
            urls_seen: sum(1),
            leases: sum(2),
            workers,
            elapsed_secs,
            pages_per_sec,
        })
    }
}
