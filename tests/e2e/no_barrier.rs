//! Crawls without levels against a plain breadth-first search computed offline.
//!
//! Each case is a random site spread over several hosts (one fixture server each, on its own
//! port), with random links within and across hosts, random redirects, and a random latency
//! for every page, so answers arrive far out of level order. The crawl must give:
//! - the depths, the fetched pages and the edges of a breadth-first search over the same site
//!   (a link adds 1 to the depth, a redirect 0; a page is fetched iff its depth is within the
//!   limit);
//! - exactly one request for each fetched page and none for the rest (by levels too);
//! - the same export, byte for byte, as a crawl that goes level by level (a page cap larger
//!   than the site keeps a crawl on levels).

use std::time::Duration;

use crawler_core::{CrawlReport, Crawler, LinkKind};
use crawler_tests::random_site::{Graph, RandomSite, Rng};
use crawler_tests::{FixtureServer, Reply};

use crate::support::{crawl, page, snapshot};

/// Random sites crawled.
const CASES: u64 = 8;

/// The pages of a report (depth, fetched) and its edges.
fn found(report: &CrawlReport) -> Graph {
    let pages = report
        .graph
        .pages()
        .map(|p| (p.url.to_string(), (p.depth, p.is_fetched())))
        .collect();
    let edges = report
        .graph
        .links()
        .map(|(s, t, link)| {
            let redirect = link.kind == LinkKind::Redirect;
            (s.url.to_string(), t.url.to_string(), redirect)
        })
        .collect();
    (pages, edges)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_multi_host_sites_give_a_plain_breadth_first_search() {
    for case in 1..=CASES {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ case);
        let site = RandomSite::generate(&mut rng);
        let max_depth = 1 + u32::try_from(rng.below(5)).unwrap();
        let builder = || {
            Crawler::builder()
                .max_depth(max_depth)
                .per_host(2)
                .concurrency(4)
        };
        let report = crawl(builder(), &site.seeds()).await;
        let (pages, edges) = site.search(max_depth);
        let context = format!("case {case}, depth {max_depth}");
        assert_eq!(found(&report).0, pages, "{context}: pages");
        assert_eq!(found(&report).1, edges, "{context}: edges");
        let levels = crawl(builder().max_pages(1_000_000), &site.seeds()).await;
        // One request a fetched page and none for the rest, in each of the two crawls.
        for (url, &(_, fetched)) in &pages {
            let path = url.rsplit_once('/').map(|(_, p)| format!("/{p}")).unwrap();
            let server = site
                .servers
                .iter()
                .find(|s| url.starts_with(&s.url("/")))
                .unwrap();
            let hits = server.hits_exact(&path);
            assert_eq!(
                hits,
                2 * usize::from(fetched),
                "{context}: requests of {url}"
            );
        }
        assert_eq!(
            snapshot(&report),
            snapshot(&levels),
            "{context}: the export of a crawl by levels"
        );
    }
}

/// The TSV and node table of a crawl without levels and of one by levels of `seeds`, checked
/// equal; returns the crawl without levels.
async fn both_ways(
    builder: impl Fn() -> crawler_core::CrawlerBuilder,
    seeds: &[String],
) -> CrawlReport {
    let report = crawl(builder(), seeds).await;
    let levels = crawl(builder().max_pages(1_000_000), seeds).await;
    assert_eq!(
        snapshot(&report),
        snapshot(&levels),
        "by levels and without"
    );
    report
}

/// A redirect chain whose target a shorter link reached while the chain was fetched: the
/// target keeps the shorter depth, and its links count from it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chain_target_reached_shorter_meanwhile_passes_its_own_depth_on() {
    let server = FixtureServer::start();
    let ms = Duration::from_millis;
    server.route("/one", Reply::html(r#"<a href="/p">p</a>"#));
    server.route("/p", Reply::html(r#"<a href="/r">r</a>"#));
    server.route("/r", Reply::redirect(301, "/t"));
    server.route(
        "/t",
        Reply::html(r#"<a href="/u">u</a>"#).with_delay(ms(400)),
    );
    server.route("/u", Reply::html("leaf"));
    server.route(
        "/two",
        Reply::html(r#"<a href="/t">t</a>"#).with_delay(ms(150)),
    );
    let seeds = [server.url("/one"), server.url("/two")];
    let report = both_ways(|| Crawler::builder().max_depth(2), &seeds).await;
    let at = |path: &str| {
        let page = page(&report, &server.url(path));
        (page.depth, page.status)
    };
    assert_eq!(at("/t"), (1, Some(200)));
    assert_eq!(
        at("/u"),
        (2, Some(200)),
        "fetched: within the depth through /two"
    );
}

/// A redirect target left unfetched at the chain's limit is fetched when a followed link
/// reaches it, whichever of the two was folded first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_past_the_redirect_limit_is_fetched_when_a_link_reaches_it() {
    let server = FixtureServer::start();
    for slow_chain in [0, 300] {
        let ms = Duration::from_millis;
        server.route("/", Reply::html(r#"<a href="/r">r</a><a href="/c">c</a>"#));
        server.route("/r", Reply::redirect(301, "/r2").with_delay(ms(slow_chain)));
        server.route("/r2", Reply::redirect(301, "/t"));
        server.route("/c", Reply::html(r#"<a href="/t">t</a>"#));
        server.route("/t", Reply::html("target"));
        let before = server.hits_exact("/t");
        let seeds = [server.url("/")];
        let report = both_ways(|| Crawler::builder().max_depth(3).max_redirects(1), &seeds).await;
        let t = page(&report, &server.url("/t"));
        assert_eq!(
            (t.depth, t.status),
            (1, Some(200)),
            "chain delay {slow_chain} ms"
        );
        assert_eq!(server.hits_exact("/t") - before, 2, "once by each crawl");
    }
}

/// However many hosts have pages waiting, a crawl without levels keeps at most 16 x
/// `concurrency` fetch tasks alive: 40 hosts at `--per-host 1` and `-c 1` would otherwise start
/// 40 at once. The client's connections are tasks too, at most one per request the servers
/// have seen and one being set up (one global slot), so each sample counts the tasks alive
/// minus the requests seen so far, early in the crawl; 4 more are left for the client's own
/// (the connection being set up and the pool's reaper: 17-18 were seen at load 5) and a
/// margin. Without the window it counts 40 and more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_tasks_alive_stay_within_sixteen_per_slot() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;

    const EARLY: usize = 4;
    let servers: Arc<Vec<FixtureServer>> =
        Arc::new((0..40).map(|_| FixtureServer::start()).collect());
    for server in servers.iter() {
        let slow = Reply::html(r#"<a href="/a">a</a>"#).with_delay(Duration::from_millis(20));
        server.route("/", slow);
        server.route("/a", Reply::html("leaf"));
    }
    let seeds: Vec<String> = servers.iter().map(|s| s.url("/")).collect();
    let metrics = tokio::runtime::Handle::current().metrics();
    let (peak, stop) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicBool::new(false)),
    );
    let before = metrics.num_alive_tasks();
    let sampler = tokio::spawn({
        let (peak, stop, servers) = (Arc::clone(&peak), Arc::clone(&stop), Arc::clone(&servers));
        async move {
            while !stop.load(Ordering::Relaxed) {
                let alive = metrics.num_alive_tasks();
                let requests: usize = servers.iter().map(|s| s.requests().len()).sum();
                if requests > EARLY {
                    break;
                }
                peak.fetch_max(alive.saturating_sub(requests), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    });
    let builder = Crawler::builder().max_depth(1).per_host(1).concurrency(1);
    let report = crawl(builder, &seeds).await;
    stop.store(true, Ordering::Relaxed);
    sampler.await.unwrap();
    assert_eq!(report.stats.pages_fetched, 80, "every page");
    // Neither the sampler nor the tasks alive before the crawl are the crawl's.
    let tasks = peak.load(Ordering::Relaxed) - before - 1;
    assert!(tasks > 1, "the sampler saw the crawl ({tasks} tasks)");
    assert!(
        tasks <= 16 + 4,
        "{tasks} tasks alive at once beside the connections: more than 16 fetch tasks"
    );
}
