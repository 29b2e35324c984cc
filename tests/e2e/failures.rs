//! Per-page failures are recorded on their nodes and never stop the crawl.

use std::time::Duration;

use crawler_core::{Crawler, HostScope, PageError, StopReason};
use crawler_tests::{FixtureServer, Reply};

use crate::support::{crawl, page};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_recorded_and_good_pages_kept() {
    let server = FixtureServer::start();
    // A port nobody listens on: bind, note it, close.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let refused = format!("http://{closed}/gone");
    server.route(
        "/start.html",
        Reply::html(format!(
            r#"<a href="/_/status/404">a</a><a href="/_/status/500">b</a><a href="/_/slow/3600000">c</a>
               <a href="{refused}">d</a><a href="/_/huge/200000">e</a><a href="/a.html">ok</a>"#
        )),
    );
    let report = crawl(
        Crawler::builder()
            .max_depth(1)
            // The slow page takes an hour, so it always times out; the others are local and
            // small, and 3 s (was 500 ms) leaves a loaded machine room to answer them.
            .timeout(Duration::from_secs(3))
            .max_body_bytes(10_000)
            .host_scope(HostScope::AnyHost),
        &[server.url("/start.html")],
    )
    .await;
    assert_eq!(report.stopped, StopReason::Completed);
    assert_eq!(
        page(&report, &server.url("/_/status/404")).error,
        Some(PageError::HttpStatus { status: 404 })
    );
    assert_eq!(
        page(&report, &server.url("/_/status/500")).error,
        Some(PageError::HttpStatus { status: 500 })
    );
    assert_eq!(
        page(&report, &server.url("/_/slow/3600000")).error,
        Some(PageError::Timeout)
    );
    assert!(
        matches!(
            page(&report, &refused).error,
            Some(PageError::Connect { .. })
        ),
        "{:?}",
        page(&report, &refused).error
    );
    let huge = page(&report, &server.url("/_/huge/200000"));
    assert_eq!(huge.error, Some(PageError::BodyTooLarge { limit: 10_000 }));
    assert_eq!(huge.bytes, 10_000);
    assert!(
        !huge.is_broken(),
        "a capped body is a limit, not a broken link"
    );
    let good = page(&report, &server.url("/a.html"));
    assert_eq!((good.status, &good.error), (Some(200), &None));
    assert_eq!(report.stats.pages_failed, 5);
    // Links of error pages are not followed: the 404 body links /index.html.
    assert!(report
        .graph
        .links()
        .all(|(s, _, _)| !s.url.path().starts_with("/_/status")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_seed_is_a_setup_error() {
    let crawler = Crawler::builder().build().unwrap();
    let err = crawler
        .crawl(["not a url"], std::future::pending())
        .await
        .unwrap_err();
    assert!(
        matches!(err, crawler_core::Error::InvalidSeed { .. }),
        "{err}"
    );
    let err = crawler
        .crawl(["mailto:x@y.z"], std::future::pending())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("mailto:x@y.z"), "{err}");
    let none: [&str; 0] = [];
    let err = crawler
        .crawl(none, std::future::pending())
        .await
        .unwrap_err();
    assert!(matches!(err, crawler_core::Error::NoSeeds));
}
