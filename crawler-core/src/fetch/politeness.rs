//! Per-host politeness: a cap on requests in flight to one host, and a minimum gap between the
//! starts of two requests to one host.
//!
//! One [`Host`] per host name and port, created lazily the first time the host is met, in a
//! [`DashMap`] so tasks for different hosts never contend on one lock. The gap is the largest of
//! the configured delay, the inverse of the configured rate, and the host's robots.txt
//! `Crawl-delay`; it applies to that host only, so a slow host never slows the others.
//!
//! The crawl-wide cap on requests in flight is a semaphore here too, taken only once the host
//! may send: after the host's permit and its pacing wait. A request waiting for a slow host's
//! turn therefore never holds a slot that a request to another host could use.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use dashmap::DashMap;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use url::Url;

/// A host as the limiter sees it: lowercase name and port.
pub(crate) type HostKey = (String, u16);

/// The key of `url`'s host.
pub(crate) fn host_key(url: &Url) -> HostKey {
    (
        url.host_str().unwrap_or_default().to_owned(),
        url.port_or_known_default().unwrap_or(0),
    )
}

/// The politeness state of one host.
#[derive(Debug)]
struct Host {
    slots: Arc<Semaphore>,
    /// Pacing state. A std mutex: the critical section is a few arithmetic operations and never
    /// spans an `.await`, so an async mutex would only add overhead.
    pacing: Mutex<Pacing>,
}

#[derive(Debug)]
struct Pacing {
    /// Minimum time between two request starts.
    gap: Duration,
    /// Earliest start of the next request.
    next: Option<Instant>,
}

/// Hands out per-host permits, paced.
#[derive(Debug)]
pub(crate) struct HostLimiter {
    per_host: usize,
    gap: Duration,
    /// Requests in flight across all hosts.
    global: Arc<Semaphore>,
    hosts: DashMap<HostKey, Arc<Host>>,
}

impl HostLimiter {
    /// A limiter allowing `per_host` requests in flight per host, started at least `gap` apart,
    /// and `global` in flight in all.
    pub(crate) fn new(global: usize, per_host: usize, gap: Duration) -> Self {
        Self {
            per_host,
            gap,
            global: Arc::new(Semaphore::new(global.min(Semaphore::MAX_PERMITS))),
            hosts: DashMap::new(),
        }
    }

    fn host(&self, url: &Url) -> Arc<Host> {
        // Clone the Arc out so the DashMap shard guard is dropped before any await.
        Arc::clone(
            self.hosts
                .entry(host_key(url))
                .or_insert_with(|| {
                    Arc::new(Host {
                        slots: Arc::new(Semaphore::new(self.per_host)),
                        pacing: Mutex::new(Pacing {
                            gap: self.gap,
                            next: None,
                        }),
                    })
                })
                .value(),
        )
    }

    /// Raises the gap for `url`'s host to at least `gap` (a robots.txt `Crawl-delay`).
    pub(crate) fn slow_down(&self, url: &Url, gap: Duration) {
        let host = self.host(url);
        let mut pacing = host
            .pacing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        pacing.gap = pacing.gap.max(gap);
    }

    /// Waits for a slot on `url`'s host, for its turn in the host's pacing, and then for a
    /// crawl-wide slot.
    ///
    /// Hold the permit only across the request and the body read: that is when the server is
    /// busy with us. Parsing does not load the server, so it runs after the permit is dropped.
    pub(crate) async fn acquire(&self, url: &Url) -> SendPermit {
        let host = self.host(url);
        let permit = Arc::clone(&host.slots)
            .acquire_owned()
            .await
            .expect("host semaphores are never closed");
        let (start, now) = {
            let mut pacing = host
                .pacing
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = Instant::now();
            let start = pacing.next.map_or(now, |next| next.max(now));
            pacing.next = Some(start + pacing.gap);
            (start, now)
        };
        // Only a paced host waits: a timer for "now" fires at the timer's next turn, a
        // millisecond or more later, and on busy workers several (a 10k site at 20 ms an
        // answer took 26 ms a request).
        if start > now {
            tokio::time::sleep_until(start).await;
        }
        let global = Arc::clone(&self.global)
            .acquire_owned()
            .await
            .expect("the global semaphore is never closed");
        SendPermit {
            _host: permit,
            _global: global,
        }
    }
}

/// Leave to send one request: a slot on its host and a crawl-wide slot, released together.
#[derive(Debug)]
pub(crate) struct SendPermit {
    _host: OwnedSemaphorePermit,
    _global: OwnedSemaphorePermit,
}

/// The name of `url`'s host as [`Coordination`](crate::Coordination) methods receive it: `name:port`, with the
/// port the scheme's default when the URL gives none.
pub fn host_label(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or(0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[tokio::test]
    async fn permits_are_per_host() {
        let limiter = HostLimiter::new(8, 1, Duration::ZERO);
        let a = url("http://a.test/x");
        let held = limiter.acquire(&a).await;
        // Another host is not blocked by a's permit.
        let _b = limiter.acquire(&url("http://b.test/x")).await;
        // The same host is, until the permit is dropped.
        let same = tokio::time::timeout(Duration::from_millis(50), limiter.acquire(&a)).await;
        assert!(same.is_err());
        drop(held);
        let _again = limiter.acquire(&a).await;
    }

    #[tokio::test(start_paused = true)]
    async fn starts_are_spaced_by_the_gap_per_host() {
        let limiter = HostLimiter::new(8, 8, Duration::from_millis(500));
        let a = url("http://a.test/");
        let b = url("http://b.test/");
        let t0 = Instant::now();
        let mut a_starts = Vec::new();
        for _ in 0..3 {
            let _permit = limiter.acquire(&a).await;
            a_starts.push(t0.elapsed());
        }
        assert_eq!(
            a_starts,
            [
                Duration::ZERO,
                Duration::from_millis(500),
                Duration::from_secs(1)
            ]
        );
        // Host b has its own schedule: its first request does not wait for a's.
        let before_b = Instant::now();
        let _permit = limiter.acquire(&b).await;
        assert_eq!(before_b.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn crawl_delay_raises_the_gap_for_one_host() {
        let limiter = HostLimiter::new(8, 8, Duration::from_millis(100));
        let a = url("http://a.test/");
        let b = url("http://b.test/");
        limiter.slow_down(&a, Duration::from_secs(2));
        limiter.slow_down(&b, Duration::from_millis(10)); // never lowers the configured gap
        let t0 = Instant::now();
        drop(limiter.acquire(&a).await);
        drop(limiter.acquire(&a).await);
        assert_eq!(t0.elapsed(), Duration::from_secs(2));
        let t1 = Instant::now();
        drop(limiter.acquire(&b).await);
        drop(limiter.acquire(&b).await);
        assert_eq!(t1.elapsed(), Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn a_host_waiting_for_its_turn_holds_no_global_slot() {
        let limiter = Arc::new(HostLimiter::new(1, 4, Duration::from_secs(10)));
        let a = url("http://a.test/");
        drop(limiter.acquire(&a).await);
        // a's next turn is 10 s away; waiting for it must not take the one global slot.
        let waiting = tokio::spawn({
            let limiter = Arc::clone(&limiter);
            async move { drop(limiter.acquire(&url("http://a.test/")).await) }
        });
        tokio::task::yield_now().await;
        let t0 = Instant::now();
        let b = limiter.acquire(&url("http://b.test/")).await;
        assert_eq!(t0.elapsed(), Duration::ZERO);
        drop(b);
        waiting.await.unwrap();
    }
}
