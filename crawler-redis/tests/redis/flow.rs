//! The frontier without levels: a depth that drops after a page's links were sent puts the page
//! in `low`, whose leases survive a new drop; the crawl ends only with no URL and no `low`
//! entry left.

use std::time::Duration;

use crawler_redis::{connect, ClaimPolicy, Completion, Keys, Lease, Reach, RedisFrontier};
use crawler_tests::RedisServer;
use url::Url;

use crate::scripts::set_running;

const TIMEOUT: Duration = Duration::from_secs(5);

/// The depth limit of these crawls.
const MAX_DEPTH: u32 = 3;

const POLICY: ClaimPolicy = ClaimPolicy {
    lease: Duration::from_secs(60),
    per_host: 8,
    gap: Duration::ZERO,
};

async fn worker(server: &RedisServer) -> RedisFrontier {
    let con = connect(&server.url(), TIMEOUT).await.unwrap();
    let frontier = RedisFrontier::new(con, Keys::new("t", 1).unwrap())
        .await
        .unwrap()
        .without_levels(Some(MAX_DEPTH));
    set_running(&frontier).await;
    frontier
}

fn url(path: &str) -> Url {
    Url::parse(&format!("http://a.test{path}")).unwrap()
}

async fn claim(f: &RedisFrontier) -> Vec<Lease> {
    f.claim(0, 0, 8, POLICY, "w:1").await.unwrap()
}

/// Completes `lease` with an outcome whose links reach `reached` (URL, depth, followed).
async fn complete(f: &RedisFrontier, lease: &Lease, reached: &[(&str, u32, bool)]) {
    let reached: Vec<Reach> = reached
        .iter()
        .map(|&(path, depth, followed)| Reach {
            url: url(path),
            depth,
            followed,
        })
        .collect();
    f.complete_many(&[Completion {
        lease,
        outcome: b"outcome",
        links: &[],
        parked: &[],
        upgrades: &[],
        reached: &reached,
        chain: &[],
    }])
    .await
    .unwrap();
}

#[tokio::test]
async fn a_page_whose_depth_drops_after_its_links_were_sent_comes_back_from_low() {
    let server = RedisServer::start();
    let (a, b) = (worker(&server).await, worker(&server).await);
    assert_eq!(a.enqueue(3, &[url("/p")]).await.unwrap(), 1);
    let leases = claim(&a).await;
    assert_eq!(
        (leases.len(), leases[0].depth),
        (1, 3),
        "claimed at its depth"
    );
    // Its link is one past the limit: recorded, not queued.
    complete(&a, &leases[0], &[("/q", 4, true)]).await;
    assert!(claim(&b).await.is_empty(), "/q is beyond the limit");

    // A shorter path to /p, after its links were sent: /p goes to `low`.
    assert_eq!(
        b.enqueue(1, &[url("/p")]).await.unwrap(),
        0,
        "not queued again"
    );
    let (pages, low) = b.claim_with_low(0, 0, 8, 8, POLICY, "w:2").await.unwrap();
    assert!(pages.is_empty());
    assert_eq!(low.len(), 1);
    assert_eq!((low[0].url.path(), low[0].depth), ("/p", 1));
    assert_eq!(low[0].outcome.as_deref(), Some(&b"outcome"[..]));
    assert!(!a.finish().await.unwrap(), "a low entry is work left");
    // Leased: another worker gets nothing...
    assert!(a
        .claim_with_low(0, 0, 8, 8, POLICY, "w:1")
        .await
        .unwrap()
        .1
        .is_empty());
    // ...until /p drops again during the lease: the entry outlives the lease's end.
    a.enqueue(0, &[url("/p")]).await.unwrap();
    let q = Reach {
        url: url("/q"),
        depth: 2,
        followed: true,
    };
    b.lowered(&low[0], &[q], None).await.unwrap();
    let queued = claim(&a).await;
    assert_eq!((queued.len(), queued[0].url.path()), (1, "/q"));
    assert_eq!(
        queued[0].depth, 2,
        "its link now within the limit: /q is queued"
    );
    let (_, again) = a.claim_with_low(0, 0, 8, 8, POLICY, "w:1").await.unwrap();
    assert_eq!((again.len(), again[0].depth), (1, 0), "the second drop");
    a.lowered(&again[0], &[], None).await.unwrap();
    assert!(!a.finish().await.unwrap(), "/q is leased");
    complete(&a, &queued[0], &[]).await;
    assert!(a.finish().await.unwrap(), "nothing queued, leased or low");
    let state: String = redis::cmd("HGET")
        .arg(a.keys().meta())
        .arg("state")
        .query_async(&mut a.connection())
        .await
        .unwrap();
    assert_eq!(state, "complete");
}
