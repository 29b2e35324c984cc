//! Deadlines that start when the work has its turn, not when it starts waiting for it.
//!
//! A page may wait for its host's permit or a crawl-wide slot while other pages are fetched:
//! behind a slow host at `--per-host 1`, or behind the whole crawl at `-c 1`. That wait is the
//! crawl's, not the page's, so the deadline that bounds the page's redirect hops, retries and
//! their waits (`page_timeout`) starts at the first permit its requests get, and a page never
//! times out before it has been requested. A render's guard likewise starts when the renderer
//! has a tab for the page ([`Loader::started`](crate::fetch::render::Loader::started)).

use tokio::sync::watch;
use tokio::time::{Duration, Instant};

/// When the work first had its turn (a page's first permit, a render's tab), once it has;
/// shared by the work and the deadline that watches it.
#[derive(Debug)]
pub(crate) struct PageClock {
    started: watch::Sender<Option<Instant>>,
}

impl PageClock {
    /// A clock not started yet.
    pub(crate) fn new() -> Self {
        Self {
            started: watch::Sender::new(None),
        }
    }

    /// Starts the clock now, unless it has started already.
    pub(crate) fn start(&self) {
        self.started.send_if_modified(|started| {
            let first = started.is_none();
            if first {
                *started = Some(Instant::now());
            }
            first
        });
    }

    /// Ends `limit` after the clock started; pending until it starts.
    pub(crate) async fn expired(&self, limit: Duration) {
        let mut started = self.started.subscribe();
        // The sender lives in `self`, so the wait cannot fail while this runs.
        let start = started
            .wait_for(Option::is_some)
            .await
            .ok()
            .and_then(|start| *start);
        match start {
            Some(start) => tokio::time::sleep_until(start + limit).await,
            None => std::future::pending().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_deadline_counts_from_the_first_start_only() {
        let clock = PageClock::new();
        let limit = Duration::from_secs(2);
        let expired = clock.expired(limit);
        tokio::pin!(expired);
        // Not started: no deadline, however long the wait.
        let waited = tokio::time::timeout(Duration::from_secs(60), expired.as_mut()).await;
        assert!(waited.is_err(), "expired before the clock started");
        let started = Instant::now();
        clock.start();
        tokio::time::advance(Duration::from_secs(1)).await;
        // A later start (a redirect hop, a retry) does not restart it.
        clock.start();
        expired.await;
        assert_eq!(Instant::now() - started, limit);
    }
}
