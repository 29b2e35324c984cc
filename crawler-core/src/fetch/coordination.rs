//! The per-request seam between the fetch path and whoever shares a crawl's state.
//!
//! A crawl spread over several processes (workers sharing a store such as Redis) must agree on
//! a few things while pages are fetched: who follows a redirect to a URL nobody has claimed yet,
//! the robots.txt of each host (fetched once per crawl, not once per worker), and the pacing of
//! each host (a `Crawl-delay` or a `Retry-After` seen by one worker holds for all). [`Coordination`]
//! is that seam. Its methods run once per request or per redirect at most, never per link, so a
//! network round trip there costs little next to the request itself; the per-link work (claiming
//! new links) happens when an outcome is folded, through the claim closure of
//! [`GraphBuilder::fold`](crate::GraphBuilder::fold), batched per page.
//!
//! [`Local`] is the in-process implementation, the behaviour of a plain [`Crawler`](crate::Crawler):
//! redirect targets are claimed in the crawl's seen set, robots.txt is cached by the fetcher
//! alone, and pacing is done by the fetcher's own host limiter.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use dashmap::mapref::entry::Entry;
use dashmap::DashMap;
use futures::future::{self, BoxFuture, FutureExt};
use url::Url;

use crate::fetch::robots::RobotsFile;

pub use crate::fetch::politeness::host_label;
use crate::seen::SeenSet;

/// What a [`Fetcher`](crate::Fetcher) asks of the store shared by the workers of one crawl.
///
/// Object safe: a fetcher holds an `Arc<dyn Coordination>`. Hosts are named by
/// [`host_label`] (`name:port`, lowercase name).
pub trait Coordination: Send + Sync + Debug {
    /// Claims redirect target `target`, reached from frontier URL `owner` at `depth`; true if
    /// this fetch may follow it. A store should answer true again for the same `owner` (a
    /// re-delivered page re-claims its own target), false for any other owner once claimed.
    /// The first claim wins: which chain fetches a target does not change the graph, which is
    /// put in its canonical order when the crawl ends. A store that queued `target` for
    /// `depth + 1` (a link of `owner`'s level) and has not handed it out may take it back
    /// and give it to the redirect: the target then keeps `owner`'s depth, as it must.
    fn claim_redirect<'a>(
        &'a self,
        target: &'a Url,
        owner: &'a Url,
        depth: u32,
    ) -> BoxFuture<'a, bool>;

    /// The robots.txt of `host` as another worker fetched it, if one did. `None` means this
    /// fetcher should fetch it and then [`put_robots`](Self::put_robots) it. Called once per host
    /// and fetcher (the fetcher caches the parsed rules).
    fn robots<'a>(&'a self, host: &'a str) -> BoxFuture<'a, Option<RobotsFile>>;

    /// Shares the robots.txt of `host` that this fetcher fetched.
    fn put_robots<'a>(&'a self, host: &'a str, file: &'a RobotsFile) -> BoxFuture<'a, ()>;

    /// `host` asks for at least `gap` between two requests (its robots.txt `Crawl-delay`).
    fn crawl_delay<'a>(&'a self, host: &'a str, gap: Duration) -> BoxFuture<'a, ()>;

    /// `host` asked to wait `wait` before the next request (`Retry-After` on a 429 or 503). A
    /// duration rather than an instant so that the workers' clocks never matter: a store adds it
    /// to its own clock. The request that got the answer waits and retries by itself.
    fn back_off<'a>(&'a self, host: &'a str, wait: Duration) -> BoxFuture<'a, ()>;

    /// Whether the fetcher paces hosts itself: the per-host gap (configured delay or rate, and
    /// `Crawl-delay`). False when the store hands out URLs already paced, across all workers;
    /// the fetcher then still caps the requests in flight per host but adds no gap.
    fn paces_locally(&self) -> bool;
}

/// The in-process coordination: one crawler alone. Redirect targets are claimed in the seen
/// set, nothing is shared, and the fetcher paces hosts itself.
///
/// A crawl by levels claims the links of a level when the level ends, so a redirect of the
/// level reaches them first; a crawl without levels claims links at once and corrects the
/// depth of a target a redirect reaches later (see `crawl::fold`). Either way a target is
/// requested once.
#[derive(Debug, Clone)]
pub struct Local {
    seen: Arc<dyn SeenSet>,
    /// Who claimed each redirect target, so that a page fetched again (the end-of-crawl retry
    /// pass) follows its own redirects again. One entry per redirect followed.
    owners: Arc<DashMap<Box<str>, Box<str>>>,
}

impl Local {
    /// Coordination through `seen`, the seen set the crawl loop claims links in.
    pub fn new(seen: Arc<dyn SeenSet>) -> Self {
        Self {
            seen,
            owners: Arc::default(),
        }
    }

    fn claim(&self, target: &Url, owner: &Url) -> bool {
        // The entry's shard stays locked until the decision is stored, so two claims of one
        // target are decided one after the other.
        match self.owners.entry(target.as_str().into()) {
            Entry::Occupied(held) => &**held.get() == owner.as_str(),
            Entry::Vacant(free) => {
                let claimed = self.seen.claim(target);
                if claimed {
                    free.insert(owner.as_str().into());
                }
                claimed
            }
        }
    }
}

impl Coordination for Local {
    fn claim_redirect<'a>(
        &'a self,
        target: &'a Url,
        owner: &'a Url,
        _depth: u32,
    ) -> BoxFuture<'a, bool> {
        future::ready(self.claim(target, owner)).boxed()
    }

    fn robots<'a>(&'a self, _host: &'a str) -> BoxFuture<'a, Option<RobotsFile>> {
        future::ready(None).boxed()
    }

    fn put_robots<'a>(&'a self, _host: &'a str, _file: &'a RobotsFile) -> BoxFuture<'a, ()> {
        future::ready(()).boxed()
    }

    fn crawl_delay<'a>(&'a self, _host: &'a str, _gap: Duration) -> BoxFuture<'a, ()> {
        future::ready(()).boxed()
    }

    fn back_off<'a>(&'a self, _host: &'a str, _wait: Duration) -> BoxFuture<'a, ()> {
        future::ready(()).boxed()
    }

    fn paces_locally(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seen::MemorySeenSet;

    #[test]
    fn host_label_has_the_port() {
        let url = |s| Url::parse(s).unwrap();
        assert_eq!(host_label(&url("http://A.test/x")), "a.test:80");
        assert_eq!(host_label(&url("https://a.test/")), "a.test:443");
        assert_eq!(host_label(&url("http://127.0.0.1:8080/")), "127.0.0.1:8080");
    }

    #[tokio::test]
    async fn local_claims_in_the_seen_set_and_shares_nothing() {
        let seen: Arc<dyn SeenSet> = Arc::new(MemorySeenSet::default());
        let local: Arc<dyn Coordination> = Arc::new(Local::new(Arc::clone(&seen)));
        let target = Url::parse("http://a.test/t").unwrap();
        let owner = Url::parse("http://a.test/o").unwrap();
        let other = Url::parse("http://a.test/other").unwrap();
        assert!(local.claim_redirect(&target, &owner, 1).await);
        assert!(!local.claim_redirect(&target, &other, 1).await);
        // The owner may claim it again (a page fetched once more).
        assert!(local.claim_redirect(&target, &owner, 1).await);
        assert!(seen.contains(&target));
        local
            .put_robots("a.test:80", &RobotsFile::Unreachable)
            .await;
        assert_eq!(local.robots("a.test:80").await, None);
        assert!(local.paces_locally());
    }
}
