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
