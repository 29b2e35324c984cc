//! robots.txt: fetched once per host, cached for the crawl, obeyed before every request.
//!
//! The rules follow RFC 9309:
//! - the group for our product token (the user agent up to its first `/`) applies, else `*`;
//! - a 2xx robots.txt is parsed (the first [`MAX_ROBOTS_BYTES`] of it);
//! - up to five redirects are followed; more means "unavailable";
//! - 4xx ("unavailable", including 404) allows everything;
//! - 5xx or a timeout ("unreachable") disallows everything on that host for this crawl, as the
//!   RFC requires (it allows a retry after 30 days; a crawl never lasts that);
//! - a connection that cannot be made at all (refused, unresolvable host) does not block: no
//!   server is there to protect, and the page's own request then fails with the real error,
//!   which is what a link checker must report;
//! - `Crawl-delay` sets the minimum gap between requests to that host, capped at
//!   [`MAX_CRAWL_DELAY`] so one file cannot stall a crawl for hours.
//!
//! The file is fetched through the crawl's client and the host's politeness limits, so it is
//! paced like any other request. In a distributed crawl the raw file ([`RobotsFile`]) is shared
//! through [`Coordination`](crate::Coordination), so one worker fetches it for all.
//!
//! What a file costs is bounded: anchored rules are capped before compiling (see
//! [`MAX_ANCHORED_RULES`] and `bound`), compiling runs on the blocking pool so a big file never
//! stalls other tasks, and `RobotsCache::forget_unqueued` lets the crawl loop drop the rules
//! of hosts it has nothing more to fetch from.
//!
//! # Architecture
//! - `mod.rs`: [`RobotsFile`] as fetched, and the rules compiled from it.
//! - `bound.rs`: the cap on anchored rules.
//! - `cache.rs`: `RobotsCache`, the rules of every host met.
//! - `fetch.rs`: fetching a host's robots.txt, shared through the coordination.

mod bound;
mod cache;
mod fetch;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use texting_robots::Robot;
use url::Url;

pub use bound::MAX_ANCHORED_RULES;
pub(crate) use cache::RobotsCache;

/// How much of a robots.txt is read, as RFC 9309 allows (at least 500 KiB must be parsed).
pub const MAX_ROBOTS_BYTES: usize = 500 * 1024;
/// Longest `Crawl-delay` honoured.
pub const MAX_CRAWL_DELAY: Duration = Duration::from_secs(30);

/// A host's robots.txt as fetched, before parsing: what workers of one crawl share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RobotsFile {
    /// No usable file (4xx, too many redirects, a connection that could not be made): every
    /// URL is allowed.
    Unavailable,
    /// The file was unreachable (5xx, timeout, broken transfer): the host is disallowed.
    Unreachable,
    /// A 2xx answer: the first [`MAX_ROBOTS_BYTES`] of the body.
    Found(Vec<u8>),
}

/// The rules of one host.
#[derive(Debug)]
pub(crate) enum RobotsRules {
    /// No usable robots.txt (missing, 4xx, unparsable, too many redirects).
    AllowAll,
    /// robots.txt was unreachable (5xx, timeout, network error).
    DisallowAll,
    /// The parsed file, for our user agent.
    Parsed(Box<Robot>),
}

impl RobotsRules {
    /// Parses a fetched file for the product token `agent`; an unparsable file allows all.
    fn parse(agent: &str, file: &RobotsFile) -> Self {
        match file {
            RobotsFile::Unavailable => RobotsRules::AllowAll,
            RobotsFile::Unreachable => RobotsRules::DisallowAll,
            RobotsFile::Found(body) => compile(agent, body),
        }
    }

    /// Whether `url` may be fetched.
    pub(crate) fn allows(&self, url: &Url) -> bool {
        match self {
            RobotsRules::AllowAll => true,
            RobotsRules::DisallowAll => false,
            RobotsRules::Parsed(robot) => robot.allowed(url.as_str()),
        }
    }

    /// The `Crawl-delay`, if the file sets a positive one.
    fn crawl_delay(&self) -> Option<Duration> {
        match self {
            RobotsRules::Parsed(robot) => robot
                .delay
                .and_then(|secs| capped_secs(f64::from(secs), MAX_CRAWL_DELAY)),
            _ => None,
        }
    }

    /// `Sitemap:` lines of the file.
    pub(crate) fn sitemaps(&self) -> &[String] {
        match self {
            RobotsRules::Parsed(robot) => &robot.sitemaps,
            _ => &[],
        }
    }
}

/// Compiles a robots.txt body for `agent`, its cost bounded first (see `bound`). An
/// unparsable file allows everything, as an unavailable one does.
fn compile(agent: &str, body: &[u8]) -> RobotsRules {
    match Robot::new(agent, &bound::bound(body)) {
        Ok(robot) => RobotsRules::Parsed(Box::new(robot)),
        Err(_) => RobotsRules::AllowAll,
    }
}

/// A number of seconds read from a site as a `Duration` of at most `cap`: `None` unless it is
/// positive. Values too large for a `Duration` (`1e30`, infinity) are the cap; the unchecked
/// conversion panics on them.
fn capped_secs(secs: f64, cap: Duration) -> Option<Duration> {
    if secs.is_nan() || secs <= 0.0 {
        return None;
    }
    Some(Duration::try_from_secs_f64(secs).map_or(cap, |d| d.min(cap)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn our_group_then_star() {
        let txt = b"User-agent: *\nDisallow: /private\n\nUser-agent: crawlgraph\nDisallow: /nocrawl\nCrawl-delay: 2.5\nSitemap: http://site.test/s.xml\n";
        let ours = RobotsRules::Parsed(Box::new(Robot::new("crawlgraph", txt).unwrap()));
        assert!(!ours.allows(&url("http://site.test/nocrawl/x")));
        assert!(
            ours.allows(&url("http://site.test/private")),
            "our group replaces *"
        );
        assert_eq!(ours.crawl_delay(), Some(Duration::from_millis(2500)));
        assert_eq!(ours.sitemaps(), ["http://site.test/s.xml"]);
        let other = RobotsRules::Parsed(Box::new(Robot::new("otherbot", txt).unwrap()));
        assert!(!other.allows(&url("http://site.test/private")));
        assert!(other.allows(&url("http://site.test/nocrawl")));
    }

    #[test]
    fn crawl_delay_is_capped() {
        let robot = Robot::new("crawlgraph", b"User-agent: *\nCrawl-delay: 86400\n").unwrap();
        assert_eq!(
            RobotsRules::Parsed(Box::new(robot)).crawl_delay(),
            Some(MAX_CRAWL_DELAY)
        );
    }

    #[test]
    fn crawl_delay_from_a_hostile_file_never_panics() {
        let delay = |value: &str| {
            let txt = format!("User-agent: *\nCrawl-delay: {value}\n");
            RobotsRules::Parsed(Box::new(Robot::new("crawlgraph", txt.as_bytes()).unwrap()))
                .crawl_delay()
        };
        for huge in [
            "1e30",
            "3.4e38",
            "1e39",
            "inf",
            "+inf",
            "18446744073709551616",
        ] {
            assert_eq!(delay(huge), Some(MAX_CRAWL_DELAY), "{huge}");
        }
        for none in ["NaN", "-1", "-inf", "0", "-0", "1e-50", "soon"] {
            assert_eq!(delay(none), None, "{none}");
        }
        assert_eq!(delay("0.5"), Some(Duration::from_millis(500)));
    }

    #[test]
    fn unreachable_disallows_unavailable_allows() {
        let page = url("http://site.test/a");
        assert!(!RobotsRules::DisallowAll.allows(&page));
        assert!(RobotsRules::AllowAll.allows(&page));
    }
}
