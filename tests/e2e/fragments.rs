//! `check_fragments`: the fragments of links checked against the ids and `<a name>`s of their
//! target pages, on `fixtures/site/fragments/` and programmed routes; the graph itself is the
//! same with and without the check.

use std::fmt::Write as _;

use crawler_core::analysis::broken::BrokenFragment;
use crawler_core::{CrawlReport, Crawler, CrawlerBuilder, Error, MAX_ANCHORS_PER_PAGE};
use crawler_tests::{FixtureServer, Reply};

use crate::support::crawl;

fn builder(check: bool) -> CrawlerBuilder {
    Crawler::builder()
        .check_fragments(check)
        .respect_robots(false)
        .retries(0)
}

/// The broken fragments of `report` as (linking path, target path#fragment, anchor text).
fn broken(report: &CrawlReport) -> Vec<(String, String, Option<String>)> {
    let path = |url: &str| {
        let url = crawler_core::Url::parse(url).unwrap();
        let fragment = url.fragment().map(|f| format!("#{f}")).unwrap_or_default();
        format!("{}{fragment}", url.path())
    };
    BrokenFragment::of(&report.graph)
        .into_iter()
        .map(|f| (path(&f.referrer.url), path(&f.url), f.referrer.text))
        .collect()
}

/// Every edge as (source, target, kind), in graph order, and every node, in discovery order.
fn shape(report: &CrawlReport) -> (Vec<(String, String, String)>, Vec<String>) {
    let edges = report
        .graph
        .links()
        .map(|(s, t, l)| (s.url.to_string(), t.url.to_string(), l.kind.to_string()))
        .collect();
    let nodes = report.graph.pages().map(|p| p.url.to_string()).collect();
    (edges, nodes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_ids_are_broken_fragments_on_their_edges() {
    let server = FixtureServer::start();
    let seed = server.url("/fragments/index.html");
    let report = crawl(builder(true).max_depth(2), &[seed]).await;
    let text = |t: &str| Some(t.to_owned());
    assert_eq!(
        broken(&report),
        [
            (
                "/fragments/index.html".into(),
                "/fragments/guide.html#gone".into(),
                text("Gone section")
            ),
            (
                "/fragments/index.html".into(),
                "/fragments/guide.html#Install".into(),
                text("Wrong case")
            ),
            (
                "/fragments/index.html".into(),
                "/fragments/guide.html#in-template".into(),
                text("Template")
            ),
            (
                "/fragments/index.html".into(),
                "/fragments/index.html#nowhere".into(),
                text("Nowhere")
            ),
            (
                "/fragments/index.html".into(),
                "/fragments/scripted.html#built".into(),
                text("Built by a script")
            ),
        ]
    );
    // One edge to the guide, with every distinct fragment in document order: the empty one
    // and the text fragment are not recorded; the target stays fragment-free.
    let (edge, _, guide, _) = report
        .graph
        .indexed_links()
        .find(|(_, _, t, _)| t.url.path() == "/fragments/guide.html")
        .unwrap();
    assert_eq!(guide.url.fragment(), None);
    let fragments: Vec<_> = report.graph.fragment_names(edge).collect();
    assert_eq!(
        fragments,
        [
            ("install", false),
            ("Install%20guide", false),
            ("caf%C3%A9", false),
            ("legacy", false),
            ("top", false),
            ("gone", true),
            ("Install", true),
            ("in-template", true),
        ]
    );
    // The fragments of links to pages that are not checked are kept, never broken.
    for path in ["/fragments/missing.html", "/fragments/notes.txt", "/"] {
        let (edge, ..) = report
            .graph
            .indexed_links()
            .find(|(_, _, t, _)| t.url.path() == path)
            .unwrap_or_else(|| panic!("an edge to {path}"));
        let names: Vec<_> = report.graph.fragment_names(edge).collect();
        assert_eq!(names.len(), 1, "{path}: {names:?}");
        assert!(!names[0].1, "{path}: {names:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_graph_is_the_same_with_and_without_the_check() {
    let server = FixtureServer::start();
    for seed in ["/index.html", "/fragments/index.html", "/typed/index.html"] {
        let seed = server.url(seed);
        let with = crawl(builder(true).max_depth(6), std::slice::from_ref(&seed)).await;
        let without = crawl(builder(false).max_depth(6), std::slice::from_ref(&seed)).await;
        assert_eq!(shape(&with), shape(&without), "{seed}");
        assert_eq!(without.graph.fragment_count(), 0, "{seed}");
    }
    // The main fixture site's fragments (`#top`, `c.html#part`, `a.html#sec`) all exist.
    let main = crawl(builder(true).max_depth(6), &[server.url("/index.html")]).await;
    assert!(main.graph.fragment_count() >= 3);
    assert_eq!(broken(&main), []);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_not_fetched_or_not_answered_2xx_are_not_checked() {
    let server = FixtureServer::start();
    // At depth 0 only the seed is fetched: its own fragments are checked, the guide's not.
    let seed = server.url("/fragments/index.html");
    let report = crawl(builder(true).max_depth(0), &[seed]).await;
    assert_eq!(
        broken(&report),
        [(
            "/fragments/index.html".into(),
            "/fragments/index.html#nowhere".into(),
            Some("Nowhere".into())
        )]
    );
    // A redirect, an error page with ids, and a body cut at the size cap are not checked.
    server.route(
        "/fr/moved.html",
        Reply::redirect(301, "/fragments/guide.html"),
    );
    let mut error = Reply::html("<p id=x>gone</p>");
    error.status = 500;
    server.route("/fr/error.html", error);
    let big = format!("<p id=a>{}</p><p id=late>late</p>", "x".repeat(4096));
    server.route("/fr/big.html", Reply::html(big));
    server.route(
        "/fr/index.html",
        Reply::html(
            "<a href=moved.html#gone>m</a><a href=error.html#y>e</a><a href=big.html#late>b</a>",
        ),
    );
    // Depth 1: the guide (a redirect target) links back to the fragment pages at depth 2.
    let capped = builder(true).max_depth(1).max_body_bytes(1024);
    let report = crawl(capped, &[server.url("/fr/index.html")]).await;
    assert_eq!(broken(&report), []);
    // The three above, and the guide's `index.html#here` (beyond the depth: not checked).
    assert_eq!(report.graph.fragment_count(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_with_more_anchors_than_the_cap_reports_no_miss() {
    let server = FixtureServer::start();
    let mut ids = String::new();
    for i in 0..=MAX_ANCHORS_PER_PAGE {
        let _ = write!(ids, "<i id=i{i}></i>");
    }
    server.route("/many/ids.html", Reply::html(ids));
    server.route("/many/few.html", Reply::html("<i id=i0></i>"));
    server.route(
        "/many/index.html",
        Reply::html(
            "<a href=ids.html#i0>kept</a><a href=ids.html#absent>unknown</a>\
             <a href=few.html#absent>missing</a>",
        ),
    );
    let report = crawl(
        builder(true).max_depth(1),
        &[server.url("/many/index.html")],
    )
    .await;
    assert_eq!(
        broken(&report),
        [(
            "/many/index.html".into(),
            "/many/few.html#absent".into(),
            Some("missing".into())
        )]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streaming_crawl_refuses_the_check() {
    let server = FixtureServer::start();
    let crawler = builder(true).build().unwrap();
    let result = crawler
        .crawl_streaming(
            [server.url("/fragments/index.html")],
            std::future::pending(),
            Box::new(|_| {}),
        )
        .await;
    assert!(
        matches!(
            result,
            Err(Error::NeedsGraph {
                setting: "check_fragments"
            })
        ),
        "{result:?}"
    );
    assert_eq!(server.total_hits(), 0, "nothing fetched");
}
