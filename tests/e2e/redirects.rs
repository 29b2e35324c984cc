//! Redirects: each hop is an edge, chains are capped, loops are detected, and a redirect can
//! never take the crawl out of scope.

use crawler_core::{Crawler, LinkKind, PageError, SkipReason, StopReason};
use crawler_tests::{FixtureServer, Reply};

use crate::support::{crawl, page, page_requests};

fn redirect_edges(report: &crawler_core::CrawlReport) -> Vec<(String, String)> {
    report
        .graph
        .links()
        .filter(|(_, _, l)| l.kind == LinkKind::Redirect)
        .map(|(s, t, _)| (s.url.path().to_owned(), t.url.path().to_owned()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_hops_are_redirect_edges_at_the_same_depth() {
    let server = FixtureServer::start();
    let report = crawl(
        Crawler::builder().max_depth(0),
        &[server.url("/_/redirect-chain/3")],
    )
    .await;
    assert_eq!(
        redirect_edges(&report),
        [
            ("/_/redirect-chain/3".into(), "/_/redirect-chain/2".into()),
            ("/_/redirect-chain/2".into(), "/_/redirect-chain/1".into()),
            ("/_/redirect-chain/1".into(), "/_/redirect-chain/0".into()),
        ]
    );
    let last = page(&report, &server.url("/_/redirect-chain/0"));
    assert_eq!((last.status, last.depth), (Some(200), 0));
    assert_eq!(
        page(&report, &server.url("/_/redirect-chain/2")).status,
        Some(302)
    );
    // The final page's links are followed from the chain's depth: index is a boundary node.
    assert_eq!(
        page(&report, &server.url("/index.html")).skipped,
        Some(SkipReason::BeyondDepth)
    );
    assert_eq!(report.stats.requests, 4);
    assert_eq!(report.stats.pages_fetched, 1);
    assert_eq!(page_requests(&server), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loop_is_detected_and_crawl_completes() {
    let server = FixtureServer::start();
    server.route(
        "/start.html",
        Reply::html(r#"<a href="/_/loop/a">loop</a><a href="/a.html">a</a>"#),
    );
    let report = crawl(
        Crawler::builder().max_depth(1),
        &[server.url("/start.html")],
    )
    .await;
    assert_eq!(report.stopped, StopReason::Completed);
    for hop in ["/_/loop/a", "/_/loop/b"] {
        assert_eq!(
            page(&report, &server.url(hop)).error,
            Some(PageError::RedirectLoop),
            "{hop}"
        );
        assert_eq!(server.hits(hop), 1, "{hop}");
    }
    assert_eq!(
        redirect_edges(&report),
        [
            ("/_/loop/a".into(), "/_/loop/b".into()),
            ("/_/loop/b".into(), "/_/loop/a".into())
        ]
    );
    assert_eq!(page(&report, &server.url("/a.html")).status, Some(200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_chain_stops_at_the_cap() {
    let server = FixtureServer::start();
    let report = crawl(
        Crawler::builder().max_depth(0).max_redirects(2),
        &[server.url("/_/redirect-chain/5")],
    )
    .await;
    let first = page(&report, &server.url("/_/redirect-chain/5"));
    assert_eq!(first.error, Some(PageError::TooManyRedirects { limit: 2 }));
    assert_eq!(
        page_requests(&server),
        3,
        "the start and two followed redirects"
    );
    let cut = page(&report, &server.url("/_/redirect-chain/2"));
    assert_eq!(cut.skipped, Some(SkipReason::RedirectLimit));
    assert!(!cut.is_fetched());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_off_scope_is_recorded_not_followed() {
    let server = FixtureServer::start();
    let elsewhere = format!("http://localhost:{}/a.html", server.addr().port());
    server.route("/away", Reply::redirect(301, &elsewhere));
    server.route("/bad-scheme", Reply::redirect(302, "ftp://127.0.0.1/file"));
    server.route("/no-location", Reply::status(302));
    server.route(
        "/start.html",
        Reply::html(
            r#"<a href="/away">x</a><a href="/bad-scheme">y</a><a href="/no-location">z</a>"#,
        ),
    );
    let report = crawl(
        Crawler::builder().max_depth(1),
        &[server.url("/start.html")],
    )
    .await;
    assert_eq!(
        page(&report, &elsewhere).skipped,
        Some(SkipReason::OutOfScope)
    );
    assert_eq!(server.hits("/a.html"), 0);
    assert_eq!(page(&report, &server.url("/away")).status, Some(301));
    assert!(matches!(
        page(&report, &server.url("/bad-scheme")).error,
        Some(PageError::BadRedirect { .. })
    ));
    assert!(matches!(
        page(&report, &server.url("/no-location")).error,
        Some(PageError::BadRedirect { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_to_a_seen_page_is_not_refetched() {
    let server = FixtureServer::start();
    server.route("/old-a", Reply::redirect(301, "/a.html"));
    server.route(
        "/start.html",
        Reply::html(r#"<a href="/a.html">a</a><a href="/old-a">old</a>"#),
    );
    let report = crawl(
        Crawler::builder().max_depth(1),
        &[server.url("/start.html")],
    )
    .await;
    assert_eq!(server.hits("/a.html"), 1);
    assert_eq!(
        redirect_edges(&report),
        [("/old-a".into(), "/a.html".into())]
    );
}
