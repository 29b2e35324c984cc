//! What a completion asks of the frontier besides claims: parked targets (reached only by links
//! that are not followed) that a later followed link upgrades, and the link classes that tell a
//! worker what to fetch a URL as.

use std::time::Duration;

use crawler_core::Target;
use crawler_redis::{connect, ClaimPolicy, Completion, Keys, Lease, LinkClass, RedisFrontier};
use crawler_tests::RedisServer;
use url::Url;

const TIMEOUT: Duration = Duration::from_secs(5);

const POLICY: ClaimPolicy = ClaimPolicy {
    lease: Duration::from_secs(60),
    per_host: 100,
    gap: Duration::ZERO,
};

async fn frontier(server: &RedisServer) -> RedisFrontier {
    let con = connect(&server.url(), TIMEOUT).await.unwrap();
    RedisFrontier::new(con, Keys::new("t", 2).unwrap())
        .await
        .unwrap()
}

fn url(path: &str) -> Url {
    Url::parse(&format!("http://h.test{path}")).unwrap()
}

/// Claims everything of level `d` (all on h.test), sorted by path.
async fn claim_all(f: &RedisFrontier, d: u32) -> Vec<Lease> {
    let p = f.keys().partition_of("h.test:80");
    let mut leases = f.claim(p, d, 100, POLICY, "w:1").await.unwrap();
    leases.sort_by(|a, b| a.url.path().cmp(b.url.path()));
    leases
}

fn paths(leases: &[Lease]) -> Vec<(&str, Target)> {
    leases.iter().map(|l| (l.url.path(), l.target)).collect()
}

/// Completes `lease` with these links (each list of `(path, class)`).
async fn complete(
    f: &RedisFrontier,
    lease: &Lease,
    links: &[(&str, LinkClass)],
    parked: &[(&str, LinkClass)],
    upgrades: &[(&str, LinkClass)],
) {
    let own = |list: &[(&str, LinkClass)]| -> Vec<(Url, LinkClass)> {
        list.iter()
            .map(|(path, class)| (url(path), *class))
            .collect()
    };
    let (links, parked, upgrades) = (own(links), own(parked), own(upgrades));
    f.complete_many(&[Completion {
        lease,
        outcome: b"outcome",
        links: &links,
        parked: &parked,
        upgrades: &upgrades,
        reached: &[],
        chain: &[],
    }])
    .await
    .unwrap();
}

#[tokio::test]
async fn a_parked_target_is_queued_by_an_upgrade_and_nothing_else_is() {
    let server = RedisServer::start();
    let f = frontier(&server).await;
    f.enqueue(0, &[url("/")]).await.unwrap();
    let seed = claim_all(&f, 0).await;
    let none = LinkClass::Unrecorded;
    // The seed links /page (followed) and /icon.png (not followed: parked, not queued).
    complete(
        &f,
        &seed[0],
        &[("/page", none)],
        &[("/icon.png", none)],
        &[],
    )
    .await;
    let level1 = claim_all(&f, 1).await;
    assert_eq!(paths(&level1), [("/page", Target::Page)]);
    // /page is at the last depth: its followed links are upgrades, and only the parked target
    // is queued, for the next level.
    complete(
        &f,
        &level1[0],
        &[],
        &[],
        &[("/icon.png", none), ("/never-parked", none)],
    )
    .await;
    let level2 = claim_all(&f, 2).await;
    assert_eq!(paths(&level2), [("/icon.png", Target::Page)]);
    // An upgrade queues a target once, like any claim.
    complete(&f, &level2[0], &[], &[], &[("/icon.png", none)]).await;
    assert!(claim_all(&f, 3).await.is_empty());
}

#[tokio::test]
async fn link_classes_of_a_level_decide_what_a_url_is_fetched_as() {
    let server = RedisServer::start();
    let f = frontier(&server).await;
    f.enqueue(0, &[url("/a"), url("/b")]).await.unwrap();
    let seeds = claim_all(&f, 0).await;
    let (page, resource, sheet) = (LinkClass::Page, LinkClass::Resource, LinkClass::Stylesheet);
    // /a: an image of /img.png and /both.png, a stylesheet /site.css.
    complete(
        &f,
        &seeds[0],
        &[
            ("/img.png", resource),
            ("/both.png", resource),
            ("/site.css", sheet),
        ],
        &[],
        &[],
    )
    .await;
    // /b: an anchor to /both.png (already claimed: its class still counts) and an icon link
    // (not followed) to /site.css.
    complete(
        &f,
        &seeds[1],
        &[("/both.png", page)],
        &[("/site.css", page)],
        &[],
    )
    .await;
    let level1 = claim_all(&f, 1).await;
    assert_eq!(
        paths(&level1),
        [
            ("/both.png", Target::Page),
            ("/img.png", Target::Resource),
            ("/site.css", Target::Page),
        ]
    );
    // Links of a URL's own level (or later) do not change it: a page of level 1 links
    // /img.png as a page, recorded for level 2 only.
    complete(&f, &level1[0], &[("/img.png", page)], &[], &[]).await;
    let key = f
        .keys()
        .in_partition(f.keys().partition_of("h.test:80"), "tk:2");
    let mut con = f.connection();
    let recorded: u32 = redis::cmd("HLEN")
        .arg(&key)
        .query_async(&mut con)
        .await
        .unwrap();
    assert_eq!(recorded, 1);
    // Not recorded at all when resources are not checked: every URL is a page.
    assert_eq!(
        LinkClass::of(crawler_core::LinkKind::Embed, false),
        LinkClass::Unrecorded
    );
}
