//! The depth rule: pages at depth <= max are fetched, links found at max become unfetched
//! boundary nodes at max + 1.

use crawler_core::{Crawler, SkipReason};
use crawler_tests::FixtureServer;

use crate::support::{crawl, Oracle};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boundary_nodes_are_kept_but_never_fetched() {
    let server = FixtureServer::start();
    let oracle = Oracle::load(&server);
    for max in 0..=4 {
        let before = server.requests().len();
        let report = crawl(
            Crawler::builder().max_depth(max),
            &[server.url("/index.html")],
        )
        .await;
        let requested: Vec<String> = server.requests()[before..].to_vec();
        for page in report.graph.pages() {
            let (depth, kind) = &oracle.nodes[page.url.as_str()];
            let path = &page.url[crawler_core::url::Position::BeforePath..];
            if *kind == "external" {
                assert_eq!(page.skipped, Some(SkipReason::OutOfScope));
            } else if *kind == "resource" && *depth <= max {
                assert_eq!(page.skipped, Some(SkipReason::NotFollowed), "{}", page.url);
                assert!(!requested.iter().any(|r| r == path), "max {max}: {path}");
            } else if *depth <= max {
                assert!(
                    page.is_fetched(),
                    "max {max}: {} at depth {depth} is fetched",
                    page.url
                );
                assert_eq!(
                    requested.iter().filter(|r| *r == path).count(),
                    1,
                    "max {max}: {path}"
                );
            } else {
                assert_eq!(
                    *depth,
                    max + 1,
                    "max {max}: nothing deeper than the boundary"
                );
                assert_eq!(
                    page.skipped,
                    Some(SkipReason::BeyondDepth),
                    "max {max}: {}",
                    page.url
                );
                assert!(
                    !requested.iter().any(|r| r == path),
                    "max {max}: {path} was requested"
                );
            }
        }
        let boundary = report
            .graph
            .pages()
            .filter(|p| p.skipped == Some(SkipReason::BeyondDepth))
            .count();
        let expected = oracle
            .nodes
            .values()
            .filter(|(d, k)| *d == max + 1 && k != "external")
            .count();
        assert_eq!(boundary, expected, "max {max}: boundary node count");
    }
}

/// A seed list longer than one part of level 0 (65,536 seeds): a link from the first part to a
/// seed of the second leaves it a seed, depth 0 and never fetched through the link; the later
/// part's seeds come after that link's node, all of them recorded (here as cut by the page cap).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seed_linked_from_an_earlier_part_stays_a_seed() {
    const SEEDS: usize = 70_000;
    let server = FixtureServer::start();
    let seed = |i: usize| server.url(&format!("/_/links/0?i={i}"));
    let last = seed(SEEDS - 1);
    server.route(
        "/hub.html",
        crawler_tests::Reply::html(format!(r#"<a href="{last}">last seed</a>"#)),
    );
    let mut seeds = vec![server.url("/hub.html")];
    seeds.extend((1..SEEDS).map(seed));
    let report = crawl(Crawler::builder().max_depth(1).max_pages(2), &seeds).await;
    assert_eq!(server.total_hits() - server.hits("/robots.txt"), 2);
    let urls: Vec<&str> = report.graph.pages().map(|p| p.url.as_str()).collect();
    assert_eq!(urls.len(), SEEDS, "every seed is a node, and nothing else");
    let first_part = 1 << 16;
    assert!(urls[..first_part].iter().eq(seeds[..first_part].iter()));
    assert_eq!(urls[first_part], last, "linked before its part started");
    assert!(urls[first_part + 1..]
        .iter()
        .eq(seeds[first_part..SEEDS - 1].iter()));
    assert!(report.graph.pages().all(|p| p.depth == 0));
    let page = report
        .graph
        .pages()
        .find(|p| p.url.as_str() == last)
        .unwrap();
    assert_eq!(page.skipped, Some(SkipReason::MaxPages));
    assert_eq!(report.graph.link_count(), 1);
}
