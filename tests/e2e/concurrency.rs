//! The global and per-host caps, measured where they matter: at the server, as the highest
//! number of requests it was answering at once.
//!
//! The pages are behind a `/_/gate/K/...` of the fixture server: the first of them are held
//! until `K` (the cap under test) are in flight together, so the cap is reached whatever the
//! machine's speed, and a crawler that could not reach it would hang at the gate and fail at
//! the crawl's time limit. That the cap is never exceeded is the server's highest count.

use std::fmt::Write as _;

use crawler_core::{Crawler, HostScope};
use crawler_tests::{FixtureServer, Reply};

use crate::support::crawl;

/// Serves `/wide.html` linking to `count` pages on each of `hosts` (host names that all reach
/// this server), behind a gate that opens once `together` requests wait at it, and returns its
/// URL.
fn wide_site(server: &FixtureServer, hosts: &[&str], count: usize, together: usize) -> String {
    let port = server.addr().port();
    let mut body = String::from("<html><body>");
    for host in hosts {
        for i in 0..count {
            let _ = write!(
                body,
                "<a href=\"http://{host}:{port}/_/gate/{together}/wide?h={host}&i={i}\">{i}</a>"
            );
        }
    }
    server.route("/wide.html", Reply::html(body));
    server.url("/wide.html")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_host_cap_is_never_exceeded_and_is_reached() {
    let server = FixtureServer::start();
    let seed = wide_site(&server, &["127.0.0.1"], 24, 3);
    let report = crawl(
        Crawler::builder().max_depth(1).concurrency(32).per_host(3),
        &[seed],
    )
    .await;
    assert_eq!(report.stats.pages_fetched, 25);
    assert_eq!(server.max_in_flight(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hosts_are_limited_independently() {
    // `localhost` and `127.0.0.1` are two hosts to the crawler but one server here, so the
    // server sees the sum of both hosts' requests: 2 + 2.
    let server = FixtureServer::start();
    let seed = wide_site(&server, &["127.0.0.1", "localhost"], 16, 4);
    let report = crawl(
        Crawler::builder()
            .max_depth(1)
            .concurrency(32)
            .per_host(2)
            .host_scope(HostScope::AnyHost),
        &[seed],
    )
    .await;
    assert_eq!(report.stats.pages_fetched, 33);
    assert_eq!(report.broken_pages().count(), 0);
    assert_eq!(server.max_in_flight(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn global_cap_is_never_exceeded_and_is_reached() {
    let server = FixtureServer::start();
    let seed = wide_site(&server, &["127.0.0.1", "localhost"], 12, 3);
    let report = crawl(
        Crawler::builder()
            .max_depth(1)
            .concurrency(3)
            .per_host(10)
            .host_scope(HostScope::AnyHost),
        &[seed],
    )
    .await;
    assert_eq!(report.stats.pages_fetched, 25);
    assert_eq!(server.max_in_flight(), 3);
}
