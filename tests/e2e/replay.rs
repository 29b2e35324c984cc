//! The seams of a distributed crawl: a [`Fetcher`] and a [`GraphBuilder`] driven from outside
//! the crate rebuild the graph [`Crawler::crawl`] builds, and outcomes stored as JSON and
//! replayed in frontier order into a fresh builder rebuild it exactly (what the exporter of a
//! distributed crawl does).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crawler_core::frontier::{Frontier, MemorySeenSet, SeenSet};
use crawler_core::{
    export, CrawlReport, Crawler, GraphBuilder, Local, PageOutcome, StopReason, Url,
};
use crawler_tests::{FixtureServer, Reply};

use crate::support::crawl;

/// The fixture site plus a robots.txt rule, a redirect (followed), a redirect loop and a
/// redirect to a page that robots.txt disallows, so outcomes of every shape are replayed.
fn server() -> FixtureServer {
    let server = FixtureServer::start();
    let robots = b"User-agent: *\nDisallow: /latin1.html\nDisallow: /b/d.html\n".to_vec();
    server.route("/robots.txt", Reply::bytes("text/plain", robots));
    server.route("/a.html", Reply::redirect(301, "/moved.html"));
    server.route(
        "/moved.html",
        Reply::html(r#"<title>Moved</title><a href="c.html">C</a> <a href="gone">gone</a>"#),
    );
    server.route("/map.html", Reply::redirect(302, "/_/loop/a"));
    server.route("/c.html", Reply::redirect(302, "/b/d.html"));
    server
}

/// One page fetched by the hand-driven crawl: where it sat and what came back, as stored.
struct Stored {
    url: Url,
    depth: u32,
    json: String,
}

/// A breadth-first crawl made of the public pieces, recording every outcome in frontier order.
async fn crawl_by_hand(crawler: &Crawler, seed: &str) -> (CrawlReport, Vec<Stored>) {
    let seeds = crawler.parse_seeds([seed]).expect("valid seed");
    let scope = crawler.config().scope.for_seeds(&seeds);
    let claimed: Arc<dyn SeenSet> = Arc::new(MemorySeenSet::default());
    let fetcher = crawler
        .fetcher(scope.clone(), Arc::new(Local::new(Arc::clone(&claimed))))
        .expect("client");
    let mut graph = GraphBuilder::new(crawler.config(), scope);
    let mut level = Frontier::new();
    for url in seeds.iter().filter(|url| claimed.claim(url)) {
        level.push(graph.add_seed(url), 0, url.as_str());
    }
    let mut stored = Vec::new();
    let mut depth = 0;
    while !level.is_empty() {
        let requests = (0..level.len()).map(|i| fetcher.fetch(level.url(i), depth));
        let outcomes = futures::future::join_all(requests).await;
        let mut next = Frontier::new();
        for (i, outcome) in outcomes.into_iter().enumerate() {
            let json = serde_json::to_string(&outcome).expect("outcome serialises");
            stored.push(Stored {
                url: level.url(i),
                depth,
                json,
            });
            graph.fold(
                level.node(i),
                depth,
                outcome,
                |u: &Url| claimed.claim(u),
                &mut next,
            );
        }
        level = next;
        depth += 1;
    }
    let report = graph.finish(
        StopReason::Completed,
        seeds,
        SystemTime::now(),
        Duration::ZERO,
    );
    (report, stored)
}

/// Rebuilds the graph from stored outcomes alone: level 0 is the seeds, and a link is claimed
/// exactly when an outcome was stored for it at the next depth and it is not claimed yet.
fn replay(crawler: &Crawler, seed: &str, stored: &[Stored]) -> CrawlReport {
    let seeds = crawler.parse_seeds([seed]).expect("valid seed");
    let scope = crawler.config().scope.for_seeds(&seeds);
    let mut outcomes: HashMap<Url, (u32, PageOutcome)> = stored
        .iter()
        .map(|s| {
            let outcome = serde_json::from_str(&s.json).expect("outcome deserialises");
            (s.url.clone(), (s.depth, outcome))
        })
        .collect();
    let mut graph = GraphBuilder::new(crawler.config(), scope);
    let mut level = Frontier::new();
    for url in &seeds {
        level.push(graph.add_seed(url), 0, url.as_str());
    }
    let mut depth = 0;
    while !level.is_empty() {
        let mut next = Frontier::new();
        let mut pending = HashSet::new();
        for i in 0..level.len() {
            let (index, url) = (level.node(i), level.url(i));
            let (at, outcome) = outcomes
                .remove(&url)
                .expect("a stored outcome per frontier URL");
            assert_eq!(at, depth, "{url} replayed at the depth it was fetched at");
            let claim = |u: &Url| {
                let mine = outcomes.get(u).is_some_and(|(d, _)| *d == depth + 1);
                mine && pending.insert(u.clone())
            };
            graph.fold(index, depth, outcome, claim, &mut next);
        }
        level = next;
        depth += 1;
    }
    assert!(outcomes.is_empty(), "every stored outcome replayed");
    graph.finish(
        StopReason::Completed,
        seeds,
        SystemTime::now(),
        Duration::ZERO,
    )
}

/// The edge list and the node table, as `crawl` writes them.
fn tsv(report: &CrawlReport) -> (String, String) {
    let mut edges = Vec::new();
    export::tsv::write_tsv(report, &mut edges).expect("in memory");
    let mut nodes = Vec::new();
    export::tsv::write_nodes_tsv(report, &mut nodes).expect("in memory");
    (
        String::from_utf8(edges).unwrap(),
        String::from_utf8(nodes).unwrap(),
    )
}

/// The counters that do not depend on timing.
fn counts(report: &CrawlReport) -> [usize; 5] {
    let s = &report.stats;
    [
        s.pages_fetched,
        s.pages_failed,
        s.pages_skipped,
        s.requests,
        usize::try_from(s.bytes).unwrap(),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_outcomes_replay_into_the_same_graph() {
    let server = server();
    let seed = server.url("/index.html");
    for depth in [1, 3, 10] {
        let builder = || Crawler::builder().max_depth(depth);
        let crawler = builder().build().expect("valid config");
        let (by_hand, stored) = crawl_by_hand(&crawler, &seed).await;
        let live = crawl(builder(), std::slice::from_ref(&seed)).await;
        let replayed = replay(&crawler, &seed, &stored);
        let (edges, nodes) = tsv(&live);
        assert!(
            nodes.contains("\trobots_txt\t"),
            "a page is blocked:\n{nodes}"
        );
        assert!(
            nodes.contains("redirect loop"),
            "a loop is recorded:\n{nodes}"
        );
        assert!(
            edges.contains("/moved.html"),
            "a redirect is followed:\n{edges}"
        );
        assert_eq!(
            tsv(&by_hand),
            (edges.clone(), nodes.clone()),
            "depth {depth}: by hand"
        );
        assert_eq!(tsv(&replayed), (edges, nodes), "depth {depth}: replayed");
        assert_eq!(counts(&by_hand), counts(&live), "depth {depth}");
        assert_eq!(counts(&replayed), counts(&live), "depth {depth}");
    }
}
