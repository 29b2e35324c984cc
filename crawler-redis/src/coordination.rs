//! [`RedisCoordination`]: the per-request seam of the fetcher, answered by Redis.
//!
//! - Redirect targets are claimed in the target's partition, idempotently for the page that
//!   redirected (a re-delivered page follows its own redirect again); a target queued for the
//!   next level by a link is taken back for the redirect, which keeps the owner's depth.
//! - robots.txt is fetched once per crawl: the first worker to miss takes a lock
//!   (`SET NX PX`), fetches and shares the file; the others wait for it.
//! - `Crawl-delay` and `Retry-After` go into the host's pacing in the frontier, so every
//!   worker obeys them; the fetcher adds no gap of its own (`paces_locally` is false).
//!
//! A Redis failure that outlasts the timeout marks the coordination broken: the worker then
//! stores nothing more and exits, and the leases it held come back to the others.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crawler_core::coordination::Coordination;
use crawler_core::robots::RobotsFile;
use futures::future::{BoxFuture, FutureExt};
use redis::AsyncCommands;
use url::Url;

use crate::error::RedisCrawlError;
use crate::frontier::RedisFrontier;
use crate::retry::with_retry;

/// How long a worker waits for another worker's robots.txt fetch before fetching it itself.
const ROBOTS_WAIT: Duration = Duration::from_secs(30);

/// Coordination of a fetcher through the crawl's Redis.
#[derive(Debug)]
pub struct RedisCoordination {
    frontier: RedisFrontier,
    timeout: Duration,
    broken: AtomicBool,
}

impl RedisCoordination {
    /// Coordination through `frontier`; a call failing for longer than `timeout` breaks it.
    pub fn new(frontier: RedisFrontier, timeout: Duration) -> Self {
        Self {
            frontier,
            timeout,
            broken: AtomicBool::new(false),
        }
    }

    /// Whether a call failed for good: outcomes fetched since may be wrong and must not be
    /// stored.
    pub fn is_broken(&self) -> bool {
        self.broken.load(Ordering::Relaxed)
    }

    fn note<T>(&self, result: Result<T, RedisCrawlError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(err) => {
                tracing::warn!(%err, "redis coordination failed");
                self.broken.store(true, Ordering::Relaxed);
                None
            }
        }
    }

    fn robots_key(&self, host: &str) -> (String, String) {
        let keys = self.frontier.keys();
        let p = keys.partition_of(host);
        (
            keys.in_partition(p, "robots"),
            keys.in_partition(p, &format!("robots-lock:{host}")),
        )
    }

    async fn shared_robots(&self, host: &str) -> Result<Option<RobotsFile>, RedisCrawlError> {
        let (hash, lock) = self.robots_key(host);
        let deadline = tokio::time::Instant::now() + ROBOTS_WAIT;
        loop {
            let mut con = self.frontier.connection();
            let stored: Option<String> = con.hget(&hash, host).await?;
            if let Some(file) = stored.and_then(|s| serde_json::from_str(&s).ok()) {
                return Ok(Some(file));
            }
            let won: bool = redis::cmd("SET")
                .arg(&lock)
                .arg(1)
                .arg("NX")
                .arg("PX")
                .arg(u64::try_from(ROBOTS_WAIT.as_millis()).unwrap_or(u64::MAX))
                .query_async::<Option<String>>(&mut con)
                .await?
                .is_some();
            if won || tokio::time::Instant::now() >= deadline {
                return Ok(None);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Coordination for RedisCoordination {
    fn claim_redirect<'a>(
        &'a self,
        target: &'a Url,
        owner: &'a Url,
        depth: u32,
    ) -> BoxFuture<'a, bool> {
        async move {
            let claim = || self.frontier.claim_redirect(target, owner, depth);
            let result = with_retry(self.timeout, claim).await;
            self.note(result).unwrap_or(false)
        }
        .boxed()
    }

    fn robots<'a>(&'a self, host: &'a str) -> BoxFuture<'a, Option<RobotsFile>> {
        async move {
            let result = with_retry(self.timeout, || self.shared_robots(host)).await;
            self.note(result).flatten()
        }
        .boxed()
    }

    fn put_robots<'a>(&'a self, host: &'a str, file: &'a RobotsFile) -> BoxFuture<'a, ()> {
        async move {
            let (hash, _) = self.robots_key(host);
            let json = serde_json::to_string(file).unwrap_or_default();
            let result = with_retry(self.timeout, || {
                let mut con = self.frontier.connection();
                let (hash, json) = (hash.clone(), json.clone());
                async move {
                    let _: usize = con.hset(hash, host, json).await?;
                    Ok(())
                }
            })
            .await;
            self.note(result);
        }
        .boxed()
    }

    fn crawl_delay<'a>(&'a self, host: &'a str, gap: Duration) -> BoxFuture<'a, ()> {
        async move {
            let result = with_retry(self.timeout, || {
                self.frontier.pace(host, Some(gap), Duration::ZERO)
            })
            .await;
            self.note(result);
        }
        .boxed()
    }

    fn back_off<'a>(&'a self, host: &'a str, wait: Duration) -> BoxFuture<'a, ()> {
        async move {
            let result = with_retry(self.timeout, || self.frontier.pace(host, None, wait)).await;
            self.note(result);
        }
        .boxed()
    }

    fn paces_locally(&self) -> bool {
        false
    }
}
