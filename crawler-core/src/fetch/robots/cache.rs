//! [`RobotsCache`]: the robots.txt rules of every host met, fetched at most once each (the
//! fetching is in `fetch.rs`), and dropped for hosts the crawl has nothing more to fetch from.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::sync::Arc;

use dashmap::DashMap;
use tokio::sync::OnceCell;
use url::Url;

use super::RobotsRules;
use crate::fetch::politeness::{host_key, HostKey};

/// The robots.txt rules of every host met, fetched at most once each.
#[derive(Debug)]
pub(crate) struct RobotsCache {
    /// Product token matched against `User-agent:` lines.
    pub(super) agent: String,
    pub(super) hosts: DashMap<HostKey, Arc<OnceCell<Arc<RobotsRules>>>>,
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
}
