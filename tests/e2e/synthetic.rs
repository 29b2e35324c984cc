//! A generated site of 300 pages (`crawler_tests::synth`): every URL found at its BFS depth,
//! the exact edge set, and one request per URL.
//!
//! The generated pages spell links every way the normaliser must fold (relative, `../`,
//! root-relative, full and upper-case URLs, fragments, empty queries, dot segments,
//! whitespace), so this checks normalisation and dedup at a scale no hand-written fixture has.

use std::collections::{BTreeMap, BTreeSet};

use crawler_core::{Crawler, CrawlerBuilder, LinkKind, StopReason};
use crawler_tests::synth::{self, SiteSummary};
use crawler_tests::{FixtureServer, ServerOptions, Synthetic};

use crate::support::{anchor_edges, crawl};

/// Requests the crawler makes besides pages (robots.txt, sitemaps), left out of the counts.
const SIDE_REQUESTS: [&str; 2] = ["/robots.txt", "/sitemap.xml"];

/// A whole-site crawl recording anchors only: the generator's expected graph is the anchor
/// graph (its pages' stylesheet, logo, script and canonical links are not in it).
fn anchor_crawler() -> CrawlerBuilder {
    Crawler::builder()
        .max_depth(100)
        .concurrency(16)
        .per_host(16)
        .link_kinds([LinkKind::Anchor])
}

/// `expected-nodes.tsv`: url -> (depth, status).
fn expected_nodes(summary: &SiteSummary) -> BTreeMap<String, (u32, u16)> {
    let text = std::fs::read_to_string(&summary.nodes_file).expect("nodes file");
    text.lines()
        .skip(1)
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let depth = cols[1].parse().expect("depth");
            (
                cols[0].to_owned(),
                (depth, cols[2].parse().expect("status")),
            )
        })
        .collect()
}

/// `expected-edges.tsv` as a set.
fn expected_edges(summary: &SiteSummary) -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(&summary.edges_file).expect("edges file");
    text.lines()
        .skip(1)
        .map(|line| {
            let (s, t) = line.split_once('\t').expect("two columns");
            (s.to_owned(), t.to_owned())
        })
        .collect()
}

fn first<T: std::fmt::Debug>(items: impl Iterator<Item = T>) -> Vec<T> {
    items.take(10).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_site_is_crawled_completely_and_exactly() {
    let (dir, server) = FixtureServer::start_in_temp_dir();
    let summary =
        synth::generate(dir.path(), 300, 7, &server.addr().to_string()).expect("site generated");
    assert!(summary.max_depth >= 3, "{summary:?}");
    assert!(summary.missing > 0 && summary.variants > 0, "{summary:?}");

    let report = crawl(anchor_crawler(), std::slice::from_ref(&summary.seed_url)).await;
    assert_eq!(report.stopped, StopReason::Completed);

    // Coverage: every URL, at its BFS depth, with the right status.
    let expected = expected_nodes(&summary);
    let got: BTreeMap<String, (u32, u16)> = report
        .graph
        .pages()
        .map(|p| (p.url.to_string(), (p.depth, p.status.unwrap_or_default())))
        .collect();
    let ok = got.values().filter(|(_, status)| *status == 200).count();
    assert_eq!(ok, summary.fetchable(), "pages fetched with 200");
    let wrong: Vec<_> = first(
        expected
            .iter()
            .filter(|(url, want)| got.get(*url) != Some(want))
            .map(|(url, want)| (url, want, got.get(url))),
    );
    assert!(
        wrong.is_empty(),
        "expected (depth, status), got: {wrong:#?}"
    );
    assert_eq!(got.len(), summary.nodes, "no other nodes");

    // The exact edge set, one edge per (source, target).
    let want = expected_edges(&summary);
    assert_eq!(want.len(), summary.edges);
    let have = anchor_edges(&report);
    let missing = first(want.difference(&have));
    let extra = first(have.difference(&want));
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:#?}\nextra {extra:#?}"
    );
    assert_eq!(report.graph.link_count(), summary.edges);

    // One request per URL, nothing else but robots.txt and sitemaps.
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for target in server.requests() {
        *counts.entry(target).or_default() += 1;
    }
    let repeated = first(counts.iter().filter(|(_, n)| **n > 1));
    assert!(repeated.is_empty(), "fetched more than once: {repeated:?}");
    let pages = counts
        .keys()
        .filter(|t| !SIDE_REQUESTS.contains(&t.as_str()))
        .count();
    assert_eq!(pages, summary.nodes, "one request per URL");
}

#[test]
fn generation_is_deterministic() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = synth::generate(a.path(), 120, 3, "127.0.0.1:1").unwrap();
    let second = synth::generate(b.path(), 120, 3, "127.0.0.1:1").unwrap();
    assert_eq!(
        (first.nodes, first.edges, first.bytes),
        (second.nodes, second.edges, second.bytes)
    );
    for file in ["expected-edges.tsv", "site/sec1/part0/page101.html"] {
        let read = |dir: &tempfile::TempDir| std::fs::read(dir.path().join(file)).unwrap();
        assert_eq!(read(&a), read(&b), "{file}");
    }
    let page = synth::render_page(120, 3, "127.0.0.1:1", 101);
    assert_eq!(
        page.as_bytes(),
        read_page(&a, "site/sec1/part0/page101.html")
    );
    let links = page.matches("<a ").count();
    assert!((38..=46).contains(&links), "{links} links");
    assert!(
        (14_000..16_000).contains(&page.len()),
        "{} bytes",
        page.len()
    );
}

fn read_page(dir: &tempfile::TempDir, file: &str) -> Vec<u8> {
    std::fs::read(dir.path().join(file)).unwrap()
}

/// `expected-typed.tsv` as a set of (source, target, kind).
fn expected_typed(summary: &SiteSummary) -> BTreeSet<(String, String, String)> {
    let text = std::fs::read_to_string(&summary.typed_file).expect("typed file");
    text.lines()
        .skip(1)
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            (cols[0].to_owned(), cols[1].to_owned(), cols[2].to_owned())
        })
        .collect()
}

/// Both sites, with and without assets, crawled with every kind recorded (the default): the
/// typed edge set is exactly the generator's, and the assets are nodes that are not fetched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_a_generated_site_is_in_its_typed_oracle() {
    for assets in [false, true] {
        let (dir, server) = FixtureServer::start_in_temp_dir();
        let host = server.addr().to_string();
        let summary =
            synth::generate_with_assets(dir.path(), 150, 5, &host, assets).expect("generated");
        let builder = Crawler::builder().max_depth(100).concurrency(8).per_host(8);
        let report = crawl(builder, std::slice::from_ref(&summary.seed_url)).await;
        let want = expected_typed(&summary);
        assert_eq!(want.len(), summary.typed_edges);
        let have: BTreeSet<(String, String, String)> = report
            .graph
            .links()
            .map(|(s, t, l)| (s.url.to_string(), t.url.to_string(), l.kind.to_string()))
            .collect();
        let missing = first(want.difference(&have));
        let extra = first(have.difference(&want));
        assert!(
            missing.is_empty() && extra.is_empty(),
            "assets {assets}: missing {missing:#?}\nextra {extra:#?}"
        );
        assert_eq!(
            report.graph.link_count(),
            summary.typed_edges,
            "no duplicates"
        );
        assert_eq!(report.graph.page_count(), summary.nodes + summary.assets);
        let kinds: BTreeSet<&str> = want.iter().map(|(_, _, k)| k.as_str()).collect();
        assert_eq!(kinds, ["anchor", "canonical", "embed", "stylesheet"].into());
        // Assets are recorded, not fetched.
        assert!(!server.requests().iter().any(|t| t.starts_with("/static/")));
        assert!(!server.requests().iter().any(|t| t.starts_with("/assets/")));
        if assets {
            assert!(summary.assets > 200, "{summary:?}");
            assert!(root_has(dir.path(), "site/assets/img/0@2x.png"));
            let page = std::fs::read_to_string(dir.path().join("site/sec1/part0/page101.html"))
                .expect("page");
            assert!(page.contains(" srcset=\"/assets/img/"), "{page}");
            assert!(
                (14_000..16_500).contains(&page.len()),
                "{} bytes",
                page.len()
            );
        } else {
            assert_eq!(summary.assets, 3, "the site stylesheet, logo and script");
        }
    }
}

fn root_has(dir: &std::path::Path, file: &str) -> bool {
    dir.join(file).is_file()
}

/// `url` without its `http://HOST` origin (path and query).
fn path_of(url: &str, origin: &str) -> String {
    url.strip_prefix(origin)
        .map_or_else(|| format!("OFF-SITE {url}"), str::to_owned)
}

/// The edges of a crawl of `seed` (with `origin` stripped) and its pages as
/// (path, depth, status).
async fn crawl_paths(origin: &str) -> (BTreeSet<(String, String)>, BTreeSet<(String, u32, u16)>) {
    let report = crawl(anchor_crawler(), &[format!("{origin}/index.html")]).await;
    assert_eq!(report.stopped, StopReason::Completed);
    let edges = anchor_edges(&report)
        .into_iter()
        .map(|(s, t)| (path_of(&s, origin), path_of(&t, origin)))
        .collect();
    let pages = report
        .graph
        .pages()
        .map(|p| {
            let url = p.url.to_string();
            (path_of(&url, origin), p.depth, p.status.unwrap_or_default())
        })
        .collect();
    (edges, pages)
}

/// `fixture-server --synthetic` renders the pages per request: the same bytes as the files,
/// hence the same graph, checked by crawling both and against the generator's edge list.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn synthetic_server_serves_the_generated_site() {
    const PAGES: usize = 300;
    const SEED: u64 = 7;
    let (dir, files) = FixtureServer::start_in_temp_dir();
    let summary = synth::generate(dir.path(), PAGES, SEED, &files.addr().to_string())
        .expect("site generated");
    let synthetic = FixtureServer::start_with(ServerOptions {
        synthetic: Some(Synthetic {
            pages: PAGES,
            seed: SEED,
        }),
        ..ServerOptions::default()
    });

    // Byte for byte, for the host the files were written for.
    let site = synth::SyntheticSite::new(PAGES, SEED, &files.addr().to_string());
    for i in [0, 1, 100, 101, 299] {
        let path = format!("site{}", page_path_of(i));
        let file = std::fs::read_to_string(dir.path().join(&path)).expect("page file");
        let served = site.page(&page_path_of(i)).expect("a page");
        assert!(file == served, "{path} differs");
    }

    let (file_edges, file_pages) = crawl_paths(&files.url("")).await;
    let (synth_edges, synth_pages) = crawl_paths(&synthetic.url("")).await;
    let files_origin = files.url("");
    let want: BTreeSet<(String, String)> = expected_edges(&summary)
        .into_iter()
        .map(|(s, t)| (path_of(&s, &files_origin), path_of(&t, &files_origin)))
        .collect();
    assert_eq!(file_edges, want, "the files' crawl matches the generator");
    let missing = first(file_edges.difference(&synth_edges));
    let extra = first(synth_edges.difference(&file_edges));
    assert!(
        missing.is_empty() && extra.is_empty(),
        "synthetic misses {missing:#?}\nand adds {extra:#?}"
    );
    assert_eq!(synth_pages, file_pages, "same pages, depths and statuses");
    assert_eq!(synth_pages.len(), summary.nodes);
    assert!(
        synth_pages.iter().any(|(_, _, status)| *status == 404),
        "the missing pages are 404s"
    );
}

/// The URL path of page `i`, as the generator lays pages out (`synth` module docs).
fn page_path_of(i: usize) -> String {
    match i {
        0 => "/index.html".to_owned(),
        i if i % 100 == 0 => format!("/sec{}/index.html", i / 100),
        i => format!("/sec{}/part{}/page{i}.html", i / 100, (i % 100) / 25),
    }
}

/// A streaming crawl hands its sink the batch graph's edges, in the batch order, and keeps
/// no graph.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streaming_crawl_gives_the_batch_edges_in_order() {
    let server = FixtureServer::start_with(ServerOptions {
        synthetic: Some(Synthetic {
            pages: 300,
            seed: 11,
        }),
        ..ServerOptions::default()
    });
    let seed = server.url("/index.html");
    let builder = || {
        Crawler::builder()
            .max_depth(100)
            .concurrency(16)
            .per_host(16)
    };
    let batch = crawl(builder(), std::slice::from_ref(&seed)).await;
    let want: Vec<(String, String)> = batch
        .graph
        .links()
        .map(|(s, t, _)| (s.url.to_string(), t.url.to_string()))
        .collect();

    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = {
        let got = std::sync::Arc::clone(&got);
        Box::new(move |page: &crawler_core::FoldedPage<'_>| {
            let mut got = got.lock().unwrap();
            for link in &page.links {
                got.push((page.url.to_string(), link.url.to_string()));
            }
        })
    };
    let crawler = builder().build().expect("valid config");
    let report = crawler
        .crawl_streaming([&seed], std::future::pending(), sink)
        .await
        .expect("crawl started");
    assert_eq!(report.stopped, StopReason::Completed);
    assert_eq!(report.graph.page_count(), 0, "no graph kept");
    assert_eq!(report.stats.pages_fetched, batch.stats.pages_fetched);
    let got = got.lock().unwrap();
    assert_eq!(got.len(), want.len());
    assert!(*got == want, "same edges in the same order");
}
