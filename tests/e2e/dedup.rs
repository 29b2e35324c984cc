//! Dedup: every normalised URL is fetched at most once per crawl, however many links lead to it.

use std::collections::BTreeMap;

use crawler_core::Crawler;
use crawler_tests::FixtureServer;

use crate::support::{crawl, page_requests};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_page_is_fetched_twice() {
    let server = FixtureServer::start();
    let report = crawl(
        Crawler::builder().max_depth(10).concurrency(16).per_host(8),
        &[server.url("/index.html")],
    )
    .await;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for target in server.requests() {
        *counts.entry(target).or_default() += 1;
    }
    let repeated: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(repeated.is_empty(), "fetched more than once: {repeated:?}");
    // Every fetched page was requested, and nothing else was.
    let fetched = report.graph.pages().filter(|p| p.is_fetched()).count();
    assert_eq!(page_requests(&server), fetched);
    assert_eq!(report.stats.requests, fetched);
    // Query variants are distinct pages; fragments are not.
    assert_eq!(server.hits("/list.html"), 4);
    assert_eq!(server.hits_exact("/list.html?page=1"), 1);
    assert_eq!(server.hits("/a.html"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_seeds_are_fetched_once() {
    let server = FixtureServer::start();
    let seed = server.url("/index.html");
    let seeds = [
        seed.clone(),
        format!("{seed}#top"),
        seed.replace("http://", "HTTP://"),
    ];
    let report = crawl(Crawler::builder().max_depth(0), &seeds).await;
    assert_eq!(report.seeds.len(), 1);
    assert_eq!(server.hits("/index.html"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_seen_set_spans_crawls() {
    use std::sync::Arc;

    use crawler_core::frontier::{MemorySeenSet, SeenSet};

    let server = FixtureServer::start();
    let seen: Arc<dyn SeenSet> = Arc::new(MemorySeenSet::default());
    let builder = || Crawler::builder().max_depth(1).seen_set(Arc::clone(&seen));
    let first = crawl(builder(), &[server.url("/index.html")]).await;
    let claimed = seen.len();
    assert_eq!(
        claimed,
        first.graph.pages().filter(|p| p.is_fetched()).count()
    );
    let hits = page_requests(&server);
    // A second crawl sharing the set fetches only what the first did not claim.
    let second = crawl(
        builder(),
        &[server.url("/index.html"), server.url("/chain/2.html")],
    )
    .await;
    // Only /chain/2.html (a new seed) and /chain/3.html (its link, depth 1) are new.
    assert_eq!(page_requests(&server), hits + 2);
    assert_eq!(second.stats.pages_fetched, 2);
    assert_eq!(server.hits("/chain/3.html"), 1);
}
