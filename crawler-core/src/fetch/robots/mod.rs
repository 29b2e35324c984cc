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

mod bound;

use std::borrow::Borrow;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use dashmap::DashMap;
use serde::{Deserialize, Serialize};
use texting_robots::Robot;
use tokio::sync::OnceCell;
use url::Url;

pub use bound::MAX_ANCHORED_RULES;

use crate::fetch::coordination::host_label;
use crate::fetch::politeness::{host_key, HostKey};
use crate::fetch::request::{blocked_address, location, read_body};
use crate::fetch::FetchContext;
use crate::url_norm;

/// How much of a robots.txt is read, as RFC 9309 allows (at least 500 KiB must be parsed).
pub const MAX_ROBOTS_BYTES: usize = 500 * 1024;
/// Longest `Crawl-delay` honoured.
pub const MAX_CRAWL_DELAY: Duration = Duration::from_secs(30);
/// Redirects followed when fetching robots.txt.
const MAX_ROBOTS_REDIRECTS: usize = 5;

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

/// The robots.txt rules of every host met, fetched at most once each.
#[derive(Debug)]
pub(crate) struct RobotsCache {
    /// Product token matched against `User-agent:` lines.
    agent: String,
    hosts: DashMap<HostKey, Arc<OnceCell<Arc<RobotsRules>>>>,
}

impl RobotsCache {
    /// A cache for the given full user agent string.
    pub(crate) fn new(user_agent: &str) -> Self {
        let agent = user_agent
            .split(['/', ' '])
            .next()
            .unwrap_or(user_agent)
            .to_owned();
        Self {
            agent,
            hosts: DashMap::new(),
        }
    }

    /// The rules for `url`'s host, fetching robots.txt the first time the host is met (unless
    /// another worker shared it). Tasks asking for the same host meanwhile wait for that one
    /// fetch.
    pub(crate) async fn rules(&self, ctx: &FetchContext, url: &Url) -> Arc<RobotsRules> {
        let cell = Arc::clone(self.hosts.entry(host_key(url)).or_default().value());
        Arc::clone(
            cell.get_or_init(|| async {
                let host = host_label(url);
                let shared = ctx.coordination.robots(&host).await;
                let file = if let Some(file) = shared {
                    file
                } else {
                    let file = Self::fetch(ctx, url).await;
                    ctx.coordination.put_robots(&host, &file).await;
                    file
                };
                let agent = self.agent.clone();
                // Seconds of CPU for a big file: never on an async worker.
                let rules = tokio::task::spawn_blocking(move || RobotsRules::parse(&agent, &file))
                    .await
                    .unwrap_or(RobotsRules::AllowAll);
                if let Some(delay) = rules.crawl_delay() {
                    if ctx.coordination.paces_locally() {
                        ctx.hosts.slow_down(url, delay);
                    }
                    ctx.coordination.crawl_delay(&host, delay).await;
                }
                Arc::new(rules)
            })
            .await,
        )
    }

    /// Drops the rules of every host that none of `queued` is on, so a long crawl holds the
    /// rules of the hosts it still fetches from, not of every host it ever met. For the crawl
    /// loop, between levels (no fetch in flight), with the next level's URLs; a host met again
    /// later has its robots.txt fetched again (one more request, its `Crawl-delay` set again).
    pub(crate) fn forget_unqueued(&self, queued: impl IntoIterator<Item = impl Borrow<Url>>) {
        let keep: HashSet<HostKey> = queued
            .into_iter()
            .map(|url| host_key(url.borrow()))
            .collect();
        self.hosts.retain(|host, _| keep.contains(host));
    }

    /// Fetches `url`'s robots.txt, following redirects.
    async fn fetch(ctx: &FetchContext, url: &Url) -> RobotsFile {
        let Ok(mut current) = url.join("/robots.txt") else {
            return RobotsFile::Unavailable;
        };
        for _ in 0..=MAX_ROBOTS_REDIRECTS {
            if blocked_address(ctx, &current).is_some() {
                // The page's own request reports the refusal.
                return RobotsFile::Unavailable;
            }
            let response = {
                let _permit = ctx.hosts.acquire(&current).await;
                match crate::fetch::backpressure::send(
                    || {
                        ctx.credentials
                            .apply(ctx.client.get(current.clone()), &current)
                    },
                    &current,
                    ctx.config.timeout,
                )
                .await
                {
                    Ok(response) => response,
                    Err(err) if err.is_connect() => return RobotsFile::Unavailable,
                    Err(err) => {
                        tracing::info!(url = %current, error = %err, "robots.txt unreachable: host disallowed");
                        return RobotsFile::Unreachable;
                    }
                }
            };
            let status = response.status();
            if status.is_redirection() {
                let next = location(&response).and_then(|l| {
                    url_norm::resolve(&current, &l, ctx.config.max_url_len.get()).ok()
                });
                match next {
                    Some(next) => current = next,
                    None => return RobotsFile::Unavailable,
                }
            } else if status.is_success() {
                let (body, error) = read_body(response, MAX_ROBOTS_BYTES).await;
                if matches!(
                    error,
                    Some(crate::PageError::Body { .. } | crate::PageError::Timeout)
                ) {
                    return RobotsFile::Unreachable;
                }
                return RobotsFile::Found(body);
            } else if status.is_client_error() {
                return RobotsFile::Unavailable;
            } else {
                tracing::info!(url = %current, %status, "robots.txt unreachable: host disallowed");
                return RobotsFile::Unreachable;
            }
        }
        RobotsFile::Unavailable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn product_token_is_the_agent_before_the_version() {
        assert_eq!(
            RobotsCache::new("crawlgraph/0.1.0 (+https://x)").agent,
            "crawlgraph"
        );
        assert_eq!(RobotsCache::new("MyBot").agent, "MyBot");
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
    fn rules_of_hosts_with_nothing_queued_are_dropped() {
        let cache = RobotsCache::new("crawlgraph");
        for host in ["http://a.test/", "http://b.test/", "http://b.test:8080/"] {
            let cell = OnceCell::new_with(Some(Arc::new(RobotsRules::AllowAll)));
            cache.hosts.insert(host_key(&url(host)), Arc::new(cell));
        }
        let queued = [url("http://b.test/x"), url("http://c.test/y")];
        cache.forget_unqueued(&queued);
        let held: Vec<HostKey> = cache.hosts.iter().map(|e| e.key().clone()).collect();
        assert_eq!(held, [host_key(&url("http://b.test/"))]);
        cache.forget_unqueued(std::iter::empty::<Url>());
        assert!(cache.hosts.is_empty());
    }

    #[test]
    fn unreachable_disallows_unavailable_allows() {
        let page = url("http://site.test/a");
        assert!(!RobotsRules::DisallowAll.allows(&page));
        assert!(RobotsRules::AllowAll.allows(&page));
    }
}
