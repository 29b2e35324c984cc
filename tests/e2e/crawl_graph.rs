//! The fixture site's graph, compared edge by edge with the hand-written oracle.

use crawler_core::{Crawler, Extraction, PageError, SkipReason, StopReason};
use crawler_tests::FixtureServer;

use crate::support::{all_edges, crawl, page, Oracle};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edge_set_matches_oracle_at_every_depth() {
    let server = FixtureServer::start();
    let oracle = Oracle::load(&server);
    for (depth, how) in (0..=6).flat_map(|d| [(d, Extraction::Tokens), (d, Extraction::Dom)]) {
        let builder = Crawler::builder().max_depth(depth).extraction(how);
        let report = crawl(builder, &[server.url("/index.html")]).await;
        assert_eq!(report.stopped, StopReason::Completed);
        let expected = oracle.edges_at(depth);
        let got = all_edges(&report);
        let missing: Vec<_> = expected.difference(&got).collect();
        let extra: Vec<_> = got.difference(&expected).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "depth {depth} {how:?}: missing {missing:#?}\nextra {extra:#?}"
        );
        assert_eq!(
            report.graph.link_count(),
            expected.len(),
            "depth {depth}: one edge per (source, target)"
        );
        let nodes: std::collections::BTreeSet<String> =
            report.graph.pages().map(|p| p.url.to_string()).collect();
        assert_eq!(nodes, oracle.nodes_at(depth), "depth {depth}: node set");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_depth_status_and_kind() {
    let server = FixtureServer::start();
    let oracle = Oracle::load(&server);
    let report = crawl(
        Crawler::builder().max_depth(10),
        &[server.url("/index.html")],
    )
    .await;
    assert_eq!(report.graph.page_count(), oracle.nodes.len());
    for (url, (depth, kind)) in &oracle.nodes {
        let page = page(&report, url);
        assert_eq!(page.depth, *depth, "{url}");
        match kind.as_str() {
            "html" => {
                assert_eq!(page.status, Some(200), "{url}");
                assert!(page
                    .content_type
                    .as_deref()
                    .unwrap_or_default()
                    .starts_with("text/html"));
                assert!(page.title.is_some(), "{url} has a title");
                assert!(page.error.is_none() && page.skipped.is_none(), "{url}");
            }
            "file" => {
                assert_eq!(page.status, Some(200), "{url}");
                assert!(
                    !page
                        .content_type
                        .as_deref()
                        .unwrap_or_default()
                        .contains("html"),
                    "{url}"
                );
            }
            "missing" => {
                assert_eq!(
                    page.error,
                    Some(PageError::HttpStatus { status: 404 }),
                    "{url}"
                );
                assert!(page.is_broken());
            }
            "external" => assert_eq!(page.skipped, Some(SkipReason::OutOfScope), "{url}"),
            "resource" => assert_eq!(page.skipped, Some(SkipReason::NotFollowed), "{url}"),
            other => panic!("unknown kind {other}"),
        }
    }
    assert_eq!(report.broken_pages().count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_charset_page_is_decoded() {
    let server = FixtureServer::start();
    let report = crawl(
        Crawler::builder().max_depth(1),
        &[server.url("/index.html")],
    )
    .await;
    let latin1 = page(&report, &server.url("/latin1.html"));
    assert!(
        latin1
            .title
            .as_deref()
            .unwrap_or_default()
            .contains("café, Zürich"),
        "{:?}",
        latin1.title
    );
    let texts: Vec<String> = report
        .graph
        .links()
        .filter(|(s, _, _)| s.url.path() == "/latin1.html")
        .filter_map(|(_, _, l)| report.graph.link_text(l).map(str::to_owned))
        .collect();
    assert!(texts.iter().any(|t| t == "Le café"), "{texts:?}");
    assert!(texts.iter().any(|t| t == "Zurück"), "{texts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graph_order_is_stable_between_runs() {
    let server = FixtureServer::start();
    let run = || async {
        let report = crawl(
            Crawler::builder().max_depth(3).concurrency(8),
            &[server.url("/index.html")],
        )
        .await;
        let pages: Vec<String> = report.graph.pages().map(|p| p.url.to_string()).collect();
        let links: Vec<(String, String)> = report
            .graph
            .links()
            .map(|(s, t, _)| (s.url.to_string(), t.url.to_string()))
            .collect();
        (pages, links)
    };
    let first = run().await;
    for _ in 0..3 {
        assert_eq!(run().await, first);
    }
}
