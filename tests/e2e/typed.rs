//! Typed edges on the fixture's `typed/` pages, against the hand-written
//! `fixtures/site.expected-typed.tsv`: every kind, meta robots and `X-Robots-Tag` nofollow,
//! `rel=nofollow`, resource checks and the `link_kinds` filter.

use crawler_core::{CrawlReport, Crawler, Extraction, LinkKind, PageError, SkipReason};
use crawler_tests::{fixture_root, FixtureServer};

use crate::support::{crawl, page};

/// The typed oracle, in graph order: (source, target, kind).
fn oracle(server: &FixtureServer) -> Vec<(String, String, String)> {
    let path = fixture_root()
        .parent()
        .unwrap()
        .join("site.expected-typed.tsv");
    std::fs::read_to_string(path)
        .unwrap()
        .replace("SERVER", &server.addr().to_string())
        .lines()
        .skip(1)
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            (cols[0].to_owned(), cols[1].to_owned(), cols[2].to_owned())
        })
        .collect()
}

fn typed_edges(report: &CrawlReport) -> Vec<(String, String, String)> {
    report
        .graph
        .links()
        .map(|(s, t, l)| (s.url.to_string(), t.url.to_string(), l.kind.to_string()))
        .collect()
}

async fn crawl_typed(server: &FixtureServer, builder: crawler_core::CrawlerBuilder) -> CrawlReport {
    crawl(builder.max_depth(5), &[server.url("/typed/index.html")]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_matches_the_typed_oracle_on_both_paths() {
    let server = FixtureServer::start();
    for how in [Extraction::Tokens, Extraction::Dom] {
        let report = crawl_typed(&server, Crawler::builder().extraction(how)).await;
        assert_eq!(typed_edges(&report), oracle(&server), "{how:?}");
    }
    let report = crawl_typed(&server, Crawler::builder()).await;
    let at = |path: &str| page(&report, &server.url(path));
    for fetched in [
        "/typed/nofollow.html",
        "/typed/xrobots.html",
        "/typed/refresh.html",
    ] {
        assert_eq!(at(fetched).status, Some(200), "{fetched}");
    }
    assert_eq!(
        at("/typed/sponsored.html").status,
        Some(200),
        "rel=nofollow is followed"
    );
    assert_eq!(
        at("/typed/target.html").status,
        Some(200),
        "refresh is followed"
    );
    assert_eq!(at("/typed/target.html").depth, 2);
    for held in [
        "/typed/hidden.html",
        "/typed/fr.html",
        "/typed/site.css",
        "/typed/missing.js",
    ] {
        assert_eq!(at(held).skipped, Some(SkipReason::NotFollowed), "{held}");
        assert_eq!(server.hits(held), 0, "{held}");
    }
    for (source, _, link) in report.graph.links() {
        let from_nofollow_page =
            ["/typed/nofollow.html", "/typed/xrobots.html"].contains(&source.url.path());
        assert_eq!(link.nofollow, from_nofollow_page, "{}", source.url);
    }
    let fr = report
        .graph
        .links()
        .find(|(_, t, _)| t.url.path() == "/typed/fr.html")
        .unwrap();
    assert_eq!(
        report.graph.link_text(fr.2),
        Some("fr"),
        "hreflang on the edge"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nofollow_switches() {
    let server = FixtureServer::start();
    let report = crawl_typed(&server, Crawler::builder().ignore_nofollow(true)).await;
    assert_eq!(
        page(&report, &server.url("/typed/hidden.html")).status,
        Some(200)
    );
    let report = crawl_typed(&server, Crawler::builder().respect_rel_nofollow(true)).await;
    let sponsored = page(&report, &server.url("/typed/sponsored.html"));
    assert_eq!(sponsored.skipped, Some(SkipReason::NotFollowed));
    assert_eq!(
        server.hits("/typed/sponsored.html"),
        1,
        "only the first crawl fetched it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checked_resources_show_broken_assets_and_stylesheet_urls() {
    let server = FixtureServer::start();
    let report = crawl_typed(&server, Crawler::builder().check_resources(true)).await;
    let at = |path: &str| page(&report, &server.url(path));
    for ok in [
        "/typed/site.css",
        "/typed/img/logo.png",
        "/typed/img/header.png",
        "/typed/img/bg.png",
    ] {
        assert_eq!(at(ok).status, Some(200), "{ok}");
        assert_eq!(server.hits(ok), 1, "{ok} fetched once");
    }
    for broken in [
        "/typed/missing.js",
        "/typed/img/logo@2x.png",
        "/typed/print.css",
    ] {
        assert_eq!(
            at(broken).error,
            Some(PageError::HttpStatus { status: 404 }),
            "{broken}"
        );
    }
    let css_edges: Vec<String> = report
        .graph
        .links()
        .filter(|(s, _, l)| s.url.path() == "/typed/site.css" && l.kind == LinkKind::Css)
        .map(|(_, t, _)| t.url.path().to_owned())
        .collect();
    assert_eq!(css_edges, ["/typed/print.css", "/typed/img/bg.png"]);
    assert_eq!(
        at("/typed/favicon.png").skipped,
        Some(SkipReason::NotFollowed),
        "icons are not checked"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_kinds_pick_the_recorded_edges() {
    let server = FixtureServer::start();
    let builder = Crawler::builder().link_kinds([LinkKind::Anchor, LinkKind::Stylesheet]);
    let report = crawl_typed(&server, builder).await;
    let kinds: std::collections::BTreeSet<LinkKind> =
        report.graph.links().map(|(_, _, l)| l.kind).collect();
    assert_eq!(kinds, [LinkKind::Anchor, LinkKind::Stylesheet].into());
    let unrecorded = crawler_core::Url::parse(&server.url("/typed/target.html")).unwrap();
    assert!(
        report.graph.page(&unrecorded).is_none(),
        "refresh links are not recorded"
    );
}
