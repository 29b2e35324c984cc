//! Key layout and the fixed hash functions that place URLs in partitions.
//!
//! Crawl `X` keeps its shared state under `cg:{X}:…` (the meta slot) and everything about URLs
//! under `cg:{X:p}:…`, where `p` is the URL's host partition. The braces are a Redis hash tag:
//! every key of one partition lands in one slot, so each Lua script touches one slot only. That
//! makes a script atomic on a single node and routable on a Redis Cluster.
//!
//! The partition of a host is `xxh3_64("host:port") mod P`, and a URL's fingerprint is its
//! `xxh3_128`: both fixed functions, never `RandomState`, because every worker on every machine
//! must agree on them for the life of the crawl.

use url::Url;
use xxhash_rust::xxh3::{xxh3_128, xxh3_64};

use crate::error::RedisCrawlError;

/// Length of a URL fingerprint in bytes.
pub const FP_LEN: usize = 16;

/// The key names of one crawl.
#[derive(Debug, Clone)]
pub struct Keys {
    id: String,
    partitions: u32,
}

impl Keys {
    /// The keys of crawl `id` split into `partitions` host partitions.
    ///
    /// # Errors
    /// [`RedisCrawlError::InvalidCrawlId`] unless `id` is 1 to 64 characters of `A-Z a-z 0-9 . _ -`
    /// (braces would break the hash tag).
    pub fn new(id: &str, partitions: u32) -> Result<Self, RedisCrawlError> {
        let valid = !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !valid || partitions == 0 {
            return Err(RedisCrawlError::InvalidCrawlId(id.to_owned()));
        }
        Ok(Self {
            id: id.to_owned(),
            partitions,
        })
    }

    /// The crawl id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Number of host partitions.
    pub fn partitions(&self) -> u32 {
        self.partitions
    }

    /// The meta prefix `cg:{X}`: crawl settings, seeds, level and state.
    pub fn meta_prefix(&self) -> String {
        format!("cg:{{{}}}", self.id)
    }

    /// The meta hash `cg:{X}:meta`.
    pub fn meta(&self) -> String {
        format!("cg:{{{}}}:meta", self.id)
    }

    /// The current level `cg:{X}:level`.
    pub fn level(&self) -> String {
        format!("cg:{{{}}}:level", self.id)
    }

    /// The crawl's activity counter `cg:{X}:gen`, without levels: every worker bumps it after
    /// it sent what a page leads to and before it ends the page's lease, so a reader that
    /// sees it unchanged around a read of every partition knows that read was not torn.
    pub fn generation(&self) -> String {
        format!("cg:{{{}}}:gen", self.id)
    }

    /// The workers' heartbeat set `cg:{X}:workers`.
    pub fn workers(&self) -> String {
        format!("cg:{{{}}}:workers", self.id)
    }

    /// The crawl's outcome dictionary `cg:{X}:dict` (a string, set once).
    pub fn dictionary(&self) -> String {
        format!("cg:{{{}}}:dict", self.id)
    }

    /// The prefix `cg:{X:p}` of partition `p`.
    pub fn partition(&self, p: u32) -> String {
        format!("cg:{{{}:{p}}}", self.id)
    }

    /// The partition that holds `host` (a [`host_key`]).
    pub fn partition_of(&self, host: &str) -> u32 {
        // The modulus is below 2^32, so the remainder fits.
        u32::try_from(xxh3_64(host.as_bytes()) % u64::from(self.partitions)).unwrap_or(0)
    }

    /// A key of partition `p` with `suffix` (e.g. `rem:2`).
    pub fn in_partition(&self, p: u32, suffix: &str) -> String {
        format!("cg:{{{}:{p}}}:{suffix}", self.id)
    }

    /// A pattern matching every key of the crawl, for `SCAN` (delete).
    pub fn pattern(&self) -> String {
        format!("cg:{{{}[:}}]*", self.id)
    }
}

/// The politeness key of a URL's host: `host:port`, with the scheme's default port.
pub fn host_key(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// The 16-byte fingerprint of a URL (xxh3-128 of its normalised string).
pub fn fingerprint(url: &Url) -> [u8; FP_LEN] {
    xxh3_128(url.as_str().as_bytes()).to_be_bytes()
}

/// A queue member: the fingerprint followed by the URL, so scripts can read the fingerprint.
pub fn member(url: &Url) -> Vec<u8> {
    let mut m = Vec::with_capacity(FP_LEN + url.as_str().len());
    m.extend_from_slice(&fingerprint(url));
    m.extend_from_slice(url.as_str().as_bytes());
    m
}

/// The URL of a queue member.
///
/// # Errors
/// [`RedisCrawlError::Corrupt`] if the member is not a fingerprint and a URL.
pub fn member_url(member: &[u8]) -> Result<Url, RedisCrawlError> {
    member
        .get(FP_LEN..)
        .and_then(|rest| std::str::from_utf8(rest).ok())
        .and_then(|s| Url::parse(s).ok())
        .ok_or_else(|| {
            RedisCrawlError::Corrupt("queue member is not a fingerprint and a URL".into())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_are_fixed_and_in_range() {
        let keys = Keys::new("t", 64).unwrap();
        let p = keys.partition_of("example.org:443");
        assert!(p < 64);
        // A fixed function: the same on every machine and every run.
        assert_eq!(
            p,
            Keys::new("other", 64)
                .unwrap()
                .partition_of("example.org:443")
        );
        assert_eq!(keys.partition(p), format!("cg:{{t:{p}}}"));
    }

    #[test]
    fn member_round_trips() {
        let url = Url::parse("http://a.test:8080/x?y=1").unwrap();
        let m = member(&url);
        assert_eq!(&m[..FP_LEN], &fingerprint(&url));
        assert_eq!(member_url(&m).unwrap(), url);
        assert_eq!(host_key(&url), "a.test:8080");
        assert!(member_url(b"short").is_err());
    }

    #[test]
    fn crawl_ids_cannot_break_the_hash_tag() {
        assert!(Keys::new("docs-2024.v1_a", 8).is_ok());
        for bad in ["", "a{b", "a}b", "a b", "a:b", &"x".repeat(65)] {
            assert!(Keys::new(bad, 8).is_err(), "{bad:?}");
        }
        assert!(Keys::new("a", 0).is_err());
    }
}
