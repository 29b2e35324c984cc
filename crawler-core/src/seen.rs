//! The seen set: every URL the crawl will fetch is claimed here exactly once.
//!
//! It sits behind the [`SeenSet`] trait so that crawls in one process can share one set
//! ([`CrawlerBuilder::seen_set`](crate::CrawlerBuilder::seen_set)). The level queues themselves
//! are [`Frontier`](crate::frontier::Frontier)s, compact lists owned by the crawl loop, since a level is always processed
//! whole.
//!
//! [`SeenSet`] is not the seam for a crawl spread over several processes: it is synchronous and
//! called once per link (some 250,000 calls a second at 7,000 pages a second), which no network
//! store can answer in time. A distributed crawl instead stores one
//! [`PageOutcome`](crate::PageOutcome) per page, claims that page's links in one batch, and
//! answers the few per-request questions through [`Coordination`](crate::Coordination).

use std::hash::BuildHasher as _;

use dashmap::DashSet;
use url::Url;

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
///
/// It keeps a 128-bit fingerprint of each URL rather than the URL: 16 bytes an entry instead
/// of a string of some 50 bytes with its allocation, which is most of a streaming crawl's
/// memory (the graph keeps the URLs themselves when there is one). The fingerprint is
/// SipHash-1-3 with a random key per set: a site cannot choose URLs that collide without the
/// key, and two of 10 million URLs share a fingerprint with a chance of about 10^-25.
#[derive(Debug)]
pub struct MemorySeenSet {
    seen: DashSet<u128, Spread>,
    key: (u64, u64),
}

impl Default for MemorySeenSet {
    fn default() -> Self {
        let random = std::hash::RandomState::new();
        Self {
            seen: DashSet::with_hasher(Spread),
            key: (random.hash_one(0_u8), random.hash_one(1_u8)),
        }
    }
}

impl MemorySeenSet {
    /// `url`'s fingerprint under this set's key.
    fn fingerprint(&self, url: &Url) -> u128 {
        use std::hash::Hasher;
        let mut hasher = siphasher::sip128::SipHasher13::new_with_keys(self.key.0, self.key.1);
        hasher.write(url.as_str().as_bytes());
        siphasher::sip128::Hasher128::finish128(&hasher).as_u128()
    }
}

impl SeenSet for MemorySeenSet {
    fn claim(&self, url: &Url) -> bool {
        self.seen.insert(self.fingerprint(url))
    }

    fn contains(&self, url: &Url) -> bool {
        self.seen.contains(&self.fingerprint(url))
    }

    fn len(&self) -> usize {
        self.seen.len()
    }
}

/// Hashes a fingerprint to its low 64 bits: it is uniformly random already.
#[derive(Debug, Clone, Copy, Default)]
struct Spread;

impl std::hash::BuildHasher for Spread {
    type Hasher = SpreadHasher;

    fn build_hasher(&self) -> SpreadHasher {
        SpreadHasher(0)
    }
}

/// The [`Spread`] hasher: keeps the last `u128` written.
#[derive(Debug, Clone, Copy, Default)]
struct SpreadHasher(u64);

impl std::hash::Hasher for SpreadHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only fingerprints are hashed (as `write_u128`); fold anything else in anyway.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u128(&mut self, value: u128) {
        #[expect(clippy::cast_possible_truncation, reason = "the low half, on purpose")]
        {
            self.0 = value as u64;
        }
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
    fn distinct_urls_are_distinct_and_repeats_are_not() {
        let seen = MemorySeenSet::default();
        let urls: Vec<Url> = (0..50_000)
            .map(|i| Url::parse(&format!("http://site.test/p/{i}.html")).unwrap())
            .collect();
        assert!(urls.iter().all(|u| seen.claim(u)), "a new URL was seen");
        assert!(urls.iter().all(|u| !seen.claim(u) && seen.contains(u)));
        assert_eq!(seen.len(), urls.len());
        // Another set has another key: the same URLs, other fingerprints, same answers.
        let other = MemorySeenSet::default();
        assert_ne!(other.key, seen.key);
        assert!(!other.contains(&urls[0]));
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
