//! Per-host politeness: at most `per_host` requests in flight to one host at a time.
//!
//! One [`Semaphore`] per host (host name and port), created lazily the first time the host is
//! met, in a [`DashMap`] so tasks for different hosts never contend on one lock.

use std::sync::Arc;

use dashmap::DashMap;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::Url;

/// A host as the limiter sees it: lowercase name and port.
type HostKey = (String, u16);

/// Hands out per-host permits.
#[derive(Debug)]
pub(crate) struct HostLimiter {
    per_host: usize,
    hosts: DashMap<HostKey, Arc<Semaphore>>,
}

impl HostLimiter {
    pub(crate) fn new(per_host: usize) -> Self {
        Self {
            per_host,
            hosts: DashMap::new(),
        }
    }

    /// Waits for a slot on `url`'s host. Hold the permit only across the request and the body
    /// read: parsing does not load the server, so it runs after the permit is dropped.
    pub(crate) async fn acquire(&self, url: &Url) -> OwnedSemaphorePermit {
        let key = (
            url.host_str().unwrap_or_default().to_owned(),
            url.port_or_known_default().unwrap_or(0),
        );
        // Clone the Arc out so the DashMap shard guard is dropped before the await.
        let semaphore = Arc::clone(
            self.hosts
                .entry(key)
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_host)))
                .value(),
        );
        semaphore
            .acquire_owned()
            .await
            .expect("host semaphores are never closed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn permits_are_per_host() {
        let limiter = HostLimiter::new(1);
        let a = Url::parse("http://a.test/x").unwrap();
        let b = Url::parse("http://b.test/x").unwrap();
        let held = limiter.acquire(&a).await;
        // Another host is not blocked by a's permit.
        let _b = limiter.acquire(&b).await;
        // The same host is, until the permit is dropped.
        let same =
            tokio::time::timeout(std::time::Duration::from_millis(50), limiter.acquire(&a)).await;
        assert!(same.is_err());
        drop(held);
        let _again = limiter.acquire(&a).await;
    }
}
