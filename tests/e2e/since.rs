//! Conditional re-crawl (`since`): a crawl given the JSON export of an earlier one, against a
//! copy of the fixture site served with `ETag`, `Last-Modified` and `304`s. The graph must be
//! a full crawl's, apart from what is per run; only pages that changed or are new may be
//! downloaded, as the server counts them.

use std::collections::BTreeSet;
use std::sync::Arc;

use crawler_core::since::{PreviousCrawl, Unusable};
use crawler_core::{CrawlReport, CrawlerBuilder, ExportFormat, LinkKind};
use crawler_tests::FixtureServer;
use serde_json::Value;

use crate::support::crawl;

const DEPTH: u32 = 6;

fn builder(depth: u32) -> CrawlerBuilder {
    CrawlerBuilder::default().max_depth(depth)
}

fn json(report: &CrawlReport) -> Vec<u8> {
    let mut out = Vec::new();
    crawler_core::export::write(report, ExportFormat::Json, &mut out).unwrap();
    out
}

/// The JSON export without what differs from run to run: when, how long, the counters, and
/// each page's fetch time.
fn graph_of(export: &[u8]) -> Value {
    let mut doc: Value = serde_json::from_slice(export).unwrap();
    let meta = doc["graph"].as_object_mut().unwrap();
    for per_run in ["started", "elapsed_secs", "stats"] {
        meta.remove(per_run).unwrap();
    }
    for node in doc["nodes"].as_array_mut().unwrap() {
        node.as_object_mut().unwrap().remove("fetch_time");
    }
    doc
}

/// Crawls `server`'s site to `depth` given the previous export `previous`.
async fn crawl_since(server: &FixtureServer, depth: u32, previous: &[u8]) -> CrawlReport {
    let builder = builder(depth);
    let config = builder.spec().config().unwrap();
    let previous = PreviousCrawl::read(previous, &config).unwrap();
    assert_eq!(previous.unusable(), None);
    crawl(
        builder.since(Arc::new(previous)),
        &[server.url("/index.html")],
    )
    .await
}

#[tokio::test]
async fn an_unchanged_site_is_revalidated_and_gives_a_full_crawls_graph() {
    let (_dir, server) = FixtureServer::start_copy_with_validators();
    let seeds = [server.url("/index.html")];
    let full = crawl(builder(DEPTH), &seeds).await;
    let previous = json(&full);
    let sent = server.full_downloads().len();
    assert!(
        sent > 10,
        "the fixture site is served in full first: {sent}"
    );
    assert!(
        full.graph.pages().any(|p| p.validators.is_some()),
        "pages keep their validators"
    );

    let again = crawl_since(&server, DEPTH, &previous).await;
    assert_eq!(graph_of(&json(&again)), graph_of(&previous));
    assert_eq!(server.full_downloads_after(sent), BTreeSet::new());
    assert_eq!(again.stats.revalidated, server.not_modified());
    assert_eq!(again.stats.revalidated, sent, "every file was revalidated");
    assert_eq!(again.stats.new_pages, 0);
    // Pages the previous crawl could not vouch for (404s, redirects) are fetched again.
    let unvouched = full.stats.requests - sent;
    assert_eq!(again.stats.changed, unvouched);
    assert!(
        again.stats.bytes < full.stats.bytes / 10,
        "{:?}",
        again.stats
    );

    // A third crawl, given the second's export, revalidates as well: a 304 keeps validators.
    let third = crawl_since(&server, DEPTH, &json(&again)).await;
    assert_eq!(third.stats.revalidated, sent);
    assert_eq!(graph_of(&json(&third)), graph_of(&previous));
}

#[tokio::test]
async fn changed_and_new_pages_are_downloaded_and_the_graph_is_a_fresh_crawls() {
    let (dir, server) = FixtureServer::start_copy_with_validators();
    let seeds = [server.url("/index.html")];
    let first = crawl(builder(DEPTH), &seeds).await;
    let previous = json(&first);
    let vouched = server.full_downloads().len();

    // a.html gains a link to a new page; b/c.html gets another title.
    let edit = |path: &str, from: &str, to: &str| {
        let file = dir.path().join(path);
        let page = std::fs::read_to_string(&file).unwrap();
        assert!(page.contains(from), "{path}");
        std::fs::write(&file, page.replacen(from, to, 1)).unwrap();
    };
    edit(
        "a.html",
        "</body>",
        "<a href=\"fresh.html\">Fresh</a></body>",
    );
    edit("b/c.html", "<title>", "<title>Rewritten: ");
    std::fs::write(
        dir.path().join("fresh.html"),
        "<html><head><title>Fresh</title></head><body><a href=\"index.html\">home</a></body></html>",
    )
    .unwrap();

    let (sent, not_modified) = (server.full_downloads().len(), server.not_modified());
    let since = crawl_since(&server, DEPTH, &previous).await;
    let downloaded = server.full_downloads_after(sent);
    let revalidated = server.not_modified() - not_modified;
    let sent = server.full_downloads().len();
    let fresh = crawl(builder(DEPTH), &seeds).await;
    assert_eq!(graph_of(&json(&since)), graph_of(&json(&fresh)));
    assert_ne!(
        graph_of(&json(&since)),
        graph_of(&previous),
        "the site changed"
    );
    let expected: BTreeSet<String> = ["/a.html", "/b/c.html", "/fresh.html"]
        .map(str::to_owned)
        .into();
    assert_eq!(downloaded, expected);
    assert!(
        server.full_downloads_after(sent).len() > 10,
        "a crawl without a previous one downloads everything"
    );

    let stats = since.stats;
    assert_eq!(
        (stats.revalidated, stats.new_pages),
        (vouched - 2, 1),
        "{stats:?}"
    );
    assert_eq!(stats.revalidated, revalidated);
    // The two edited pages, and those the first crawl could not vouch for (404s, redirects).
    let unvouched = first.stats.requests - vouched;
    assert_eq!(stats.changed, 2 + unvouched, "{stats:?}");
    assert_eq!(stats.requests, fresh.stats.requests);
}

#[tokio::test]
async fn links_of_pages_at_the_previous_last_depth_are_reused_deeper() {
    let (_dir, server) = FixtureServer::start_copy_with_validators();
    let seeds = [server.url("/index.html")];
    let shallow = crawl(builder(1), &seeds).await;
    let previous = json(&shallow);
    let sent = server.full_downloads().len();
    let deep = crawl_since(&server, DEPTH, &previous).await;
    let downloaded = server.full_downloads_after(sent);
    let full = crawl(builder(DEPTH), &seeds).await;
    assert_eq!(graph_of(&json(&deep)), graph_of(&json(&full)));
    // Depth-1 pages were fetched by the shallow crawl with all their links: revalidated.
    let depth_one: BTreeSet<String> = shallow
        .graph
        .pages()
        // The server counts paths: leave out pages told apart by their query only.
        .filter(|p| p.depth == 1 && p.validators.is_some() && p.url.query().is_none())
        .map(|p| p.url.path().to_owned())
        .collect();
    assert!(!depth_one.is_empty());
    assert!(depth_one.is_disjoint(&downloaded), "{downloaded:?}");
    assert!(deep.stats.new_pages > 0);
}

#[tokio::test]
async fn other_link_rules_download_every_page_again() {
    let (_dir, server) = FixtureServer::start_copy_with_validators();
    let seeds = [server.url("/index.html")];
    let full = crawl(builder(DEPTH), &seeds).await;
    let previous = json(&full);
    let anchors = builder(DEPTH).link_kinds([LinkKind::Anchor]);
    let config = anchors.spec().config().unwrap();
    let previous = PreviousCrawl::read(&previous[..], &config).unwrap();
    assert_eq!(previous.unusable(), Some(Unusable::OtherLinkRules));
    let sent = server.full_downloads().len();
    let again = crawl(anchors.since(Arc::new(previous)), &seeds).await;
    assert_eq!(again.stats.revalidated, 0);
    assert_eq!(server.not_modified(), 0);
    assert!(server.full_downloads_after(sent).len() > 10);
    let plain = crawl(builder(DEPTH).link_kinds([LinkKind::Anchor]), &seeds).await;
    assert_eq!(graph_of(&json(&again)), graph_of(&json(&plain)));
}
