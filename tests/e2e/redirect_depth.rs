//! The redirect race: a redirect target keeps the depth of the URL that redirected, even when
//! another page of the same level links it and is folded first, so depths, fetches and the
//! exported graph do not depend on timing, concurrency or which response comes first.
//!
//! The site is the issue's minimal one: `/r/` links `a.html` and `dir`; `a.html` links `dir/`;
//! `dir` answers 301 to `dir/`; `dir/` links `x.html`.
//!
//! Redirect against redirect: `/v/` links `a`, `b` and `c`; `a` and `b` answer 301 to `t`, `t`
//! answers 301 to `u`, and `c` answers 301 to `u`, which links `x.html`. Whichever chain gets
//! to `t` or `u` first fetches them, each once; the graph's canonical order puts `u`'s links
//! after `a`'s redirect (the first in breadth-first order) in every run.

use std::time::Duration;

use crawler_core::{export, CrawlReport, Crawler};
use crawler_tests::{FixtureServer, Reply};

use crate::support::{crawl, page, snapshot, Snapshot};

const RUNS: usize = 30;

fn serve(server: &FixtureServer, dir_delay: Duration) {
    server.route(
        "/r/",
        Reply::html(r#"<a href="a.html">a</a><a href="dir">dir</a>"#),
    );
    server.route("/r/a.html", Reply::html(r#"<a href="dir/">dir/</a>"#));
    server.route(
        "/r/dir",
        Reply::redirect(301, "/r/dir/").with_delay(dir_delay),
    );
    server.route("/r/dir/", Reply::html(r#"<a href="x.html">x</a>"#));
}

/// `/v/`: three redirects of one level into one chain; the delayed hops let the later pages
/// get to the shared targets first.
fn serve_converging(server: &FixtureServer, delay: Duration) {
    server.route(
        "/v/",
        Reply::html(r#"<a href="a">a</a><a href="b">b</a><a href="c">c</a>"#),
    );
    server.route("/v/a", Reply::redirect(301, "/v/t").with_delay(delay));
    server.route("/v/b", Reply::redirect(301, "/v/t"));
    server.route("/v/t", Reply::redirect(301, "/v/u").with_delay(delay));
    server.route("/v/c", Reply::redirect(301, "/v/u"));
    server.route("/v/u", Reply::html(r#"<a href="x.html">x</a>"#));
    server.route("/v/x.html", Reply::html("x"));
}

/// Crawls `seeds` [`RUNS`] times at each concurrency, with and without a delay on the
/// redirect, and checks that every run gives the same graph; returns one of them.
async fn same_every_run(
    server: &FixtureServer,
    site: fn(&FixtureServer, Duration),
    seeds: &[&str],
    depth: u32,
) -> CrawlReport {
    let seeds: Vec<String> = seeds.iter().map(|s| server.url(s)).collect();
    let mut first: Option<Snapshot> = None;
    let mut kept = None;
    for delay_ms in [0, 30] {
        site(server, Duration::from_millis(delay_ms));
        for concurrency in [1, 32] {
            for run in 0..RUNS {
                let report = crawl(
                    Crawler::builder()
                        .max_depth(depth)
                        .concurrency(concurrency)
                        .per_host(concurrency),
                    &seeds,
                )
                .await;
                let shot = snapshot(&report);
                match &first {
                    None => first = Some(shot),
                    Some(first) => assert_eq!(
                        &shot, first,
                        "run {run} at concurrency {concurrency}, delay {delay_ms} ms"
                    ),
                }
                kept = Some(report);
            }
        }
    }
    kept.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_target_keeps_the_depth_of_the_url_that_redirected() {
    let server = FixtureServer::start();
    let report = same_every_run(&server, serve, &["/r/"], 1).await;
    let at = |path: &str| {
        let p = page(&report, &server.url(path));
        (p.depth, p.status)
    };
    assert_eq!(at("/r/dir"), (1, Some(301)));
    assert_eq!(
        at("/r/dir/"),
        (1, Some(200)),
        "reached by the redirect at depth 1"
    );
    // dir/ is at depth 1, so its link is at depth 2: the boundary at --depth 1.
    let x = page(&report, &server.url("/r/dir/x.html"));
    assert_eq!((x.depth, x.status), (2, None));
    assert_eq!(export::page_state(x), "beyond_depth");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_depth_zero_nothing_beyond_the_seeds_level_is_fetched() {
    let server = FixtureServer::start();
    let report = same_every_run(&server, serve, &["/r/a.html", "/r/dir"], 0).await;
    let dir = page(&report, &server.url("/r/dir/"));
    assert_eq!((dir.depth, dir.status), (0, Some(200)));
    assert!(report
        .graph
        .pages()
        .filter(|p| p.status.is_some())
        .all(|p| p.depth == 0));
    let x = page(&report, &server.url("/r/dir/x.html"));
    assert_eq!((x.depth, x.status), (1, None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_of_one_level_to_one_target_leave_it_to_the_first_in_frontier_order() {
    let server = FixtureServer::start();
    let report = same_every_run(&server, serve_converging, &["/v/"], 2).await;
    let edges: Vec<(String, String)> = report
        .graph
        .links()
        .map(|(s, t, _)| (s.url.path().to_owned(), t.url.path().to_owned()))
        .collect();
    let edge = |s: &str, t: &str| (s.to_owned(), t.to_owned());
    let at = |e: &(String, String)| edges.iter().position(|x| x == e).unwrap();
    // `a`'s chain went on to `t` and `u`, so `u`'s link comes before the redirects of `b`
    // and `c`, which stop at the targets `a` holds.
    assert!(at(&edge("/v/a", "/v/t")) < at(&edge("/v/t", "/v/u")));
    assert!(at(&edge("/v/t", "/v/u")) < at(&edge("/v/u", "/v/x.html")));
    assert!(at(&edge("/v/u", "/v/x.html")) < at(&edge("/v/b", "/v/t")));
    assert!(at(&edge("/v/b", "/v/t")) < at(&edge("/v/c", "/v/u")));
    for path in ["/v/t", "/v/u"] {
        let p = page(&report, &server.url(path));
        assert_eq!(p.depth, 1, "{path} keeps the depth of the redirects");
    }
    assert_eq!(page(&report, &server.url("/v/u")).status, Some(200));
    let x = page(&report, &server.url("/v/x.html"));
    assert_eq!((x.depth, x.status), (2, Some(200)));
    // Every crawl asked each shared target once: two delays, two concurrencies, RUNS each.
    let crawls = 2 * 2 * RUNS;
    for path in ["/v/t", "/v/u", "/v/x.html"] {
        assert_eq!(
            server.hits_exact(path),
            crawls,
            "{path} requested once a crawl"
        );
    }
}
