//! Crawler traps: pages that link to new URLs forever (a calendar, a query that grows). The
//! crawl must end anyway, at the depth limit, the page cap, or the URL length limit.

use crawler_core::{Crawler, SkipReason, StopReason};
use crawler_tests::FixtureServer;

use super::{anchors_from, trap_hits};
use crate::support::{crawl, page};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_trap_stops_at_the_depth_limit() {
    let server = FixtureServer::start();
    let report = crawl(
        Crawler::builder().max_depth(4),
        &[server.url("/_/fault/trap/calendar/2024-02-27")],
    )
    .await;
    assert_eq!(report.stopped, StopReason::Completed);
    let days = [
        "2024-02-27",
        "2024-02-28",
        "2024-02-29",
        "2024-03-01",
        "2024-03-02",
    ];
    for (depth, day) in (0..).zip(days) {
        let p = page(
            &report,
            &server.url(&format!("/_/fault/trap/calendar/{day}")),
        );
        assert_eq!((p.status, p.depth), (Some(200), depth), "{day}");
    }
    let boundary = page(&report, &server.url("/_/fault/trap/calendar/2024-03-03"));
    assert_eq!(boundary.skipped, Some(SkipReason::BeyondDepth));
    assert_eq!(trap_hits(&server), days.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_trap_stops_at_the_page_cap() {
    let server = FixtureServer::start();
    let report = crawl(
        Crawler::builder().max_depth(1_000_000).max_pages(7),
        &[server.url("/_/fault/trap/calendar/2024-12-30")],
    )
    .await;
    assert_eq!(report.stopped, StopReason::MaxPages);
    assert_eq!(report.stats.pages_fetched, 7);
    assert_eq!(trap_hits(&server), 7);
    let last = page(&report, &server.url("/_/fault/trap/calendar/2025-01-05"));
    assert_eq!((last.status, last.depth), (Some(200), 6));
    let cut = page(&report, &server.url("/_/fault/trap/calendar/2025-01-06"));
    assert_eq!(cut.skipped, Some(SkipReason::MaxPages));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_trap_is_bounded_by_the_url_length_limit() {
    const MAX_URL_LEN: usize = 120;
    let server = FixtureServer::start();
    let seed = server.url("/_/fault/trap/query");
    let report = crawl(
        Crawler::builder()
            .max_depth(1_000_000)
            .max_url_len(MAX_URL_LEN),
        std::slice::from_ref(&seed),
    )
    .await;
    assert_eq!(report.stopped, StopReason::Completed);
    // The seed, then `?x=x`, `?x=xx`, ... up to the longest URL allowed.
    let longest = MAX_URL_LEN - seed.len() - "?x=".len();
    let expected: Vec<String> = std::iter::once(seed.clone())
        .chain((1..=longest).map(|n| format!("{seed}?x={}", "x".repeat(n))))
        .collect();
    let pages: Vec<String> = report.graph.pages().map(|p| p.url.to_string()).collect();
    assert_eq!(pages, expected);
    assert!(report.graph.pages().all(|p| p.status == Some(200)));
    assert_eq!(pages.last().map(String::len), Some(MAX_URL_LEN));
    assert_eq!(trap_hits(&server), expected.len());
    // The longest page links one character further: that link is dropped, not kept.
    assert!(anchors_from(&report, &expected[longest]).is_empty());
}
