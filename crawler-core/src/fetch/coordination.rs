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
use std::sync::atomic::{AtomicU32, Ordering};
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
    /// Claims redirect target `target`, reached from frontier URL `owner`; true if this fetch
    /// may follow it. A store should answer true again for the same `owner` (a re-delivered
    /// page re-claims its own target), false for any other owner once claimed.
    fn claim_redirect<'a>(&'a self, target: &'a Url, owner: &'a Url) -> BoxFuture<'a, bool>;

    /// [`claim_redirect`](Self::claim_redirect) for an `owner` at `place` in its level
    /// (frontier order). A store that knows the level may let the earliest place win a target
    /// that a later page of the same level claimed first, so that which chain fetches it does
    /// not depend on timing; the default ignores the place.
    fn claim_redirect_at<'a>(
        &'a self,
        target: &'a Url,
        owner: &'a Url,
        place: usize,
    ) -> BoxFuture<'a, bool> {
        let _ = place;
        self.claim_redirect(target, owner)
    }

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
/// Within one level, a redirect target goes to the page that comes first in frontier order
/// ([`claim_redirect_at`](Coordination::claim_redirect_at)): a later page that reached it first
/// loses it again, and the crawl loop drops the hops it fetched from there. So the chain that fetches a target, and with it where the target's
/// links sit in the graph, is the same in every run; the cost is a second request for the
/// target when the later page got there first.
#[derive(Debug, Clone)]
pub struct Local {
    seen: Arc<dyn SeenSet>,
    /// Who claimed each redirect target, so that a page fetched again (the end-of-crawl retry
    /// pass) follows its own redirects again. One entry per redirect followed.
    owners: Arc<DashMap<Box<str>, Claim>>,
    /// The level being fetched: claims of earlier levels are final.
    level: Arc<AtomicU32>,
}

/// Who holds a redirect target.
#[derive(Debug)]
struct Claim {
    owner: Box<str>,
    level: u32,
    /// The owner's place in its level, when the fetcher said it.
    place: Option<usize>,
}

impl Local {
    /// Coordination through `seen`, the seen set the crawl loop claims links in.
    pub fn new(seen: Arc<dyn SeenSet>) -> Self {
        Self {
            seen,
            owners: Arc::default(),
            level: Arc::default(),
        }
    }

    /// A new level starts: the claims made so far can no longer be taken over.
    pub(crate) fn next_level(&self) {
        self.level.fetch_add(1, Ordering::AcqRel);
    }

    /// Whether redirect target `target` is held by the chain that started at `owner`.
    pub(crate) fn owns(&self, target: &Url, owner: &Url) -> bool {
        self.owners
            .get(target.as_str())
            .is_some_and(|claim| &*claim.owner == owner.as_str())
    }

    fn claim(&self, target: &Url, owner: &Url, place: Option<usize>) -> bool {
        let level = self.level.load(Ordering::Acquire);
        let claim = || Claim {
            owner: owner.as_str().into(),
            level,
            place,
        };
        // The entry's shard stays locked until the decision is stored, so two claims of one
        // target are decided one after the other.
        match self.owners.entry(target.as_str().into()) {
            Entry::Occupied(mut held) => {
                let current = held.get();
                if &*current.owner == owner.as_str() {
                    return true;
                }
                let earlier = current.level == level
                    && matches!((place, current.place), (Some(mine), Some(theirs)) if mine < theirs);
                if earlier {
                    held.insert(claim());
                }
                earlier
            }
            Entry::Vacant(free) => {
                let claimed = self.seen.claim(target);
                if claimed {
                    free.insert(claim());
                }
                claimed
            }
        }
    }
}

impl Coordination for Local {
    fn claim_redirect<'a>(&'a self, target: &'a Url, owner: &'a Url) -> BoxFuture<'a, bool> {
        future::ready(self.claim(target, owner, None)).boxed()
    }

    fn claim_redirect_at<'a>(
        &'a self,
        target: &'a Url,
        owner: &'a Url,
        place: usize,
    ) -> BoxFuture<'a, bool> {
        future::ready(self.claim(target, owner, Some(place))).boxed()
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
        assert!(local.claim_redirect(&target, &owner).await);
        assert!(!local.claim_redirect(&target, &other).await);
        // The owner may claim it again (a page fetched once more).
        assert!(local.claim_redirect(&target, &owner).await);
        assert!(seen.contains(&target));
        local
            .put_robots("a.test:80", &RobotsFile::Unreachable)
            .await;
        assert_eq!(local.robots("a.test:80").await, None);
        assert!(local.paces_locally());
    }

    #[tokio::test]
    async fn within_a_level_the_earliest_place_wins_a_redirect_target() {
        let local = Local::new(Arc::new(MemorySeenSet::default()));
        let url = |s: &str| Url::parse(&format!("http://a.test/{s}")).unwrap();
        let (target, early, late) = (url("t"), url("early"), url("late"));
        local.next_level();
        assert!(local.claim_redirect_at(&target, &late, 7).await);
        assert!(local.owns(&target, &late));
        // An earlier page of the same level takes it over; the later one cannot take it back.
        assert!(local.claim_redirect_at(&target, &early, 3).await);
        assert!(local.owns(&target, &early) && !local.owns(&target, &late));
        assert!(!local.claim_redirect_at(&target, &late, 7).await);
        // Claims of a finished level are final, whatever the place.
        local.next_level();
        assert!(!local.claim_redirect_at(&target, &url("first"), 0).await);
        // A claim without a place never takes one over.
        let other = url("u");
        assert!(local.claim_redirect_at(&other, &late, 7).await);
        assert!(!local.claim_redirect(&other, &early).await);
    }
}
