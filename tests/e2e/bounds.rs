//! Bounds on one crawl: the shutdown wins over every phase, one page cannot hold a level past
//! its deadline (which starts when the page may send), and the graph stops growing at its node
//! and edge budgets.
//!
//! What is checked is behaviour (the stop reason, the error, which requests were made), never
//! how long a run took on this machine: a time limit here would be a benchmark that fails under
//! load. The only upper bounds are hang detectors, far beyond any correct run.

use std::time::{Duration, Instant};

use crawler_core::{Crawler, HostScope, PageError, SkipReason, StopReason};
use crawler_tests::{FixtureServer, Reply};

use crate::support::{crawl, page, until};

/// A wait longer than any test: for a sitemap that never answers, and for timeouts that must
/// not give up on it.
const NEVER: Duration = Duration::from_secs(3600);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_wins_over_a_sitemap_host_that_never_answers() {
    let server = FixtureServer::start();
    server.route(
        "/sitemap-hangs.xml",
        Reply::bytes("application/xml", Vec::new()).with_delay(NEVER),
    );
    server.route(
        "/robots.txt",
        Reply::bytes(
            "text/plain",
            format!("Sitemap: {}\n", server.url("/sitemap-hangs.xml")).into_bytes(),
        ),
    );
    let crawler = Crawler::builder()
        .sitemaps(true)
        .timeout(NEVER)
        .read_timeout(NEVER)
        .page_timeout(NEVER)
        .build()
        .unwrap();
    // The shutdown comes once the sitemap request is waiting for its answer. Nothing but the
    // shutdown can end that wait within the hour, so the 60 s limit is a hang detector only.
    let shutdown = until("the sitemap request", || {
        server.hits("/sitemap-hangs.xml") > 0
    });
    let report = tokio::time::timeout(
        Duration::from_secs(60),
        crawler.crawl([server.url("/index.html")], shutdown),
    )
    .await
    .expect("the shutdown ended sitemap discovery")
    .unwrap();
    assert_eq!(report.stopped, StopReason::Cancelled);
    let seed = page(&report, &server.url("/index.html"));
    assert_eq!(seed.skipped, Some(SkipReason::Cancelled));
    assert_eq!(server.hits("/index.html"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_deadline_covers_retries_and_their_waits() {
    let server = FixtureServer::start();
    // 503 with Retry-After: 1 for the first 100 requests: the five retries alone would make six
    // requests over 5 s or more.
    let stuck_path = "/_/fault/retry-after/503/100/deadline";
    let stuck = server.url(stuck_path);
    server.route(
        "/hub.html",
        Reply::html(format!(
            "<a href=\"{stuck}\">stuck</a><a href=\"/a.html\">a</a>"
        )),
    );
    let started = Instant::now();
    let report = crawl(
        Crawler::builder()
            .max_depth(1)
            .retries(5)
            .page_timeout(Duration::from_millis(1500)),
        &[server.url("/hub.html")],
    )
    .await;
    let elapsed = started.elapsed();
    let stuck = page(&report, &stuck);
    assert_eq!(
        stuck.error,
        Some(PageError::PageTimeout { limit_ms: 1500 }),
        "{stuck:?}"
    );
    // The deadline cut the retries short: not all six requests were made (the waits the server
    // asks for put the third no earlier than 2 s in). And the page was given its whole 1.5 s: a
    // lower bound, which no load can break.
    let tries = server.hits(stuck_path);
    assert!((1..6).contains(&tries), "{tries} requests");
    assert!(elapsed >= Duration::from_millis(1500), "{elapsed:?}");
    assert_eq!(page(&report, &server.url("/a.html")).status, Some(200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_deadline_starts_when_the_page_may_send() {
    // One crawl-wide slot, two hosts (two names of this server), every answer 1.2 s: whichever
    // page goes second waits 1.2 s or more for the slot, then takes 1.2 s itself, more than its
    // 2 s deadline in all. The wait is the crawl's, not the page's: both pages are fetched.
    let server = FixtureServer::start();
    server.set_latency(Duration::from_millis(1200));
    let port = server.addr().port();
    let seeds = [
        server.url("/index.html"),
        format!("http://localhost:{port}/index.html"),
    ];
    let report = crawl(
        Crawler::builder()
            .max_depth(0)
            .concurrency(1)
            .per_host(1)
            .respect_robots(false)
            .host_scope(HostScope::AnyHost)
            .page_timeout(Duration::from_secs(2)),
        &seeds,
    )
    .await;
    for seed in &seeds {
        let fetched = page(&report, seed);
        assert_eq!(fetched.status, Some(200), "{fetched:?}");
        assert_eq!(fetched.error, None, "{fetched:?}");
    }
    assert_eq!(server.hits("/index.html"), 2);
    assert_eq!(server.max_in_flight(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_deadline_covers_a_chain_of_slow_hops() {
    let server = FixtureServer::start();
    // Two hops answered at once, then three of 1 s each: every hop fits in the 2 s deadline on
    // its own, the chain (3 s or more) does not. A deadline restarted at each hop would reach
    // /slow/5.
    for hop in 0..5 {
        let delay = if hop < 2 {
            Duration::ZERO
        } else {
            Duration::from_secs(1)
        };
        server.route(
            &format!("/slow/{hop}"),
            Reply::redirect(302, &format!("/slow/{}", hop + 1)).with_delay(delay),
        );
    }
    server.route("/slow/5", Reply::html("<a href=\"/a.html\">end</a>"));
    let report = crawl(
        Crawler::builder()
            .max_depth(0)
            .page_timeout(Duration::from_secs(2)),
        &[server.url("/slow/0")],
    )
    .await;
    let fetched: Vec<_> = (0..=5)
        .filter(|hop| {
            let url = server.url(&format!("/slow/{hop}")).parse().unwrap();
            report.graph.page(&url).is_some_and(|p| p.status.is_some())
        })
        .collect();
    // The hops made before the cut are kept: at least the two answered at once (two loopback
    // requests in 2 s, the one allowance this test makes a machine), never the whole chain.
    assert!(
        fetched.starts_with(&[0, 1]) && fetched.len() < 5,
        "{fetched:?}"
    );
    let cut = page(&report, &server.url(&format!("/slow/{}", fetched.len())));
    assert_eq!(cut.error, Some(PageError::PageTimeout { limit_ms: 2000 }));
    assert_eq!(server.hits("/slow/5"), 0);
}

/// Farm pages in the graph (every one is a distinct URL).
fn farm_nodes(report: &crawler_core::CrawlReport) -> usize {
    report
        .graph
        .pages()
        .filter(|p| p.url.path().starts_with("/_/fault/farm/"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_cap_bounds_the_nodes_of_a_link_farm() {
    let server = FixtureServer::start();
    let report = crawl(
        Crawler::builder().max_depth(5).max_pages(50).per_host(8),
        &[server.url("/_/fault/farm/2000/f")],
    )
    .await;
    assert_eq!(report.stopped, StopReason::MaxPages);
    assert_eq!(report.stats.pages_fetched, 50);
    // The pages fetched, and a sample of as many cut ones; not 50 x 2000 links.
    let nodes = farm_nodes(&report);
    assert!(nodes <= 100, "{nodes} nodes");
    let capped = report
        .graph
        .pages()
        .filter(|p| p.skipped == Some(SkipReason::MaxPages))
        .count();
    assert_eq!(capped, 50);
    assert!(report.stats.links_dropped > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_node_budget_stops_a_link_farm() {
    let server = FixtureServer::start();
    let report = crawl(
        Crawler::builder().max_depth(5).max_nodes(3000).per_host(8),
        &[server.url("/_/fault/farm/1000/f")],
    )
    .await;
    assert_eq!(report.stopped, StopReason::GraphLimit);
    assert!(report.graph.page_count() <= 3000);
    assert!(report.stats.links_dropped > 0);
    // Every page has a state: the ones never fetched are marked.
    assert!(report
        .graph
        .pages()
        .all(|p| p.is_fetched() || p.skipped.is_some()));
    assert!(report
        .graph
        .pages()
        .any(|p| p.skipped == Some(SkipReason::GraphLimit)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_edge_budget_stops_a_link_farm() {
    let server = FixtureServer::start();
    let report = crawl(
        Crawler::builder().max_depth(5).max_edges(2500).per_host(8),
        &[server.url("/_/fault/farm/1000/f")],
    )
    .await;
    assert_eq!(report.stopped, StopReason::GraphLimit);
    assert!(report.graph.link_count() <= 2500);
}
