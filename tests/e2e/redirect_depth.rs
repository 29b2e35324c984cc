//! The redirect race: a redirect target keeps the depth of the URL that redirected, even when
//! another page of the same level links it and is folded first, so depths, fetches and the
//! exported graph do not depend on timing, concurrency or which response comes first.
//!
//! The site is the issue's minimal one: `/r/` links `a.html` and `dir`; `a.html` links `dir/`;
//! `dir` answers 301 to `dir/`; `dir/` links `x.html`.

use std::time::Duration;

use crawler_core::{export, CrawlReport, Crawler, ExportFormat};
use crawler_tests::{FixtureServer, Reply};

use crate::support::{crawl, page};

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

/// The TSV export and the node table (URL, depth, state) of a report.
type Snapshot = (String, Vec<(String, u32, &'static str)>);

/// The [`Snapshot`] of a report.
fn snapshot(report: &CrawlReport) -> Snapshot {
    let mut tsv = Vec::new();
    export::write(report, ExportFormat::Tsv, &mut tsv).unwrap();
    let nodes = report
        .graph
        .pages()
        .map(|p| (p.url.to_string(), p.depth, export::page_state(p)))
        .collect();
    (String::from_utf8(tsv).unwrap(), nodes)
}

/// Crawls `seeds` [`RUNS`] times at each concurrency, with and without a delay on the
/// redirect, and checks that every run gives the same graph; returns one of them.
async fn same_every_run(server: &FixtureServer, seeds: &[&str], depth: u32) -> CrawlReport {
    let seeds: Vec<String> = seeds.iter().map(|s| server.url(s)).collect();
    let mut first: Option<Snapshot> = None;
    let mut kept = None;
    for delay_ms in [0, 30] {
        serve(server, Duration::from_millis(delay_ms));
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
    let report = same_every_run(&server, &["/r/"], 1).await;
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
    let report = same_every_run(&server, &["/r/a.html", "/r/dir"], 0).await;
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
