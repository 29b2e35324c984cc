//! The seen set: every URL the crawl will fetch is claimed here exactly once.
//!
//! It sits behind the [`SeenSet`] trait so that crawls in one process can share one set
//! ([`CrawlerBuilder::seen_set`](crate::CrawlerBuilder::seen_set)). The level queues themselves
//! are [`Frontier`]s, compact lists owned by the crawl loop, since a level is always processed
//! whole.
//!
//! [`SeenSet`] is not the seam for a crawl spread over several processes: it is synchronous and
//! called once per link (some 250,000 calls a second at 7,000 pages a second), which no network
//! store can answer in time. A distributed crawl instead stores one
//! [`PageOutcome`](crate::PageOutcome) per page, claims that page's links in one batch, and
//! answers the few per-request questions through [`Coordination`](crate::Coordination).

mod level;

use dashmap::DashSet;
use url::Url;

pub use level::Frontier;

/// Remembers which URLs have been claimed for fetching, within one process (see the module
/// docs for why a distributed crawl does not go through it).
pub trait SeenSet: Send + Sync + std::fmt::Debug {
    /// Claims `url`; true if this call claimed it, false if it was claimed before.
    fn claim(&self, url: &Url) -> bool;
    /// Whether `url` has been claimed.
    fn contains(&self, url: &Url) -> bool;
    /// Number of claimed URLs.
    fn len(&self) -> usize;
    /// Whether nothing has been claimed.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The in-memory seen set: a sharded concurrent hash set, so tasks claiming redirect targets
/// and the crawl loop claiming links never wait on one global lock.
#[derive(Debug, Default)]
pub struct MemorySeenSet {
    /// URL strings rather than `Url`s: a third of the memory per entry.
    /// With foldhash rather than `SipHash` (cheaper per claim, still randomly seeded).
    seen: DashSet<Box<str>, hashbrown::DefaultHashBuilder>,
}

impl SeenSet for MemorySeenSet {
    fn claim(&self, url: &Url) -> bool {
        // Look first: most claims are of URLs met before (a streaming crawl claims every
        // link), and a lookup allocates nothing.
        !self.seen.contains(url.as_str()) && self.seen.insert(url.as_str().into())
    }

    fn contains(&self, url: &Url) -> bool {
        self.seen.contains(url.as_str())
    }

    fn len(&self) -> usize {
        self.seen.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_once() {
        let seen = MemorySeenSet::default();
        let url = Url::parse("http://site.test/").unwrap();
        assert!(seen.claim(&url));
        assert!(!seen.claim(&url));
        assert!(seen.contains(&url));
        assert_eq!(seen.len(), 1);
    }

    #[test]
    fn claims_once_across_threads() {
        let seen = std::sync::Arc::new(MemorySeenSet::default());
        let url = Url::parse("http://site.test/").unwrap();
        let wins: usize = (0..8)
            .map(|_| {
                let seen = seen.clone();
                let url = url.clone();
                std::thread::spawn(move || usize::from(seen.claim(&url)))
            })
            .map(|t| t.join().unwrap())
            .sum();
        assert_eq!(wins, 1);
    }
}
