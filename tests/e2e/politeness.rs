//! Politeness: robots.txt obeyed (and ignorable), delays kept per host without slowing other
//! hosts, and sitemaps seeding the crawl. Gaps are measured at the server as lower bounds,
//! which a correct crawler always meets, so these tests cannot flake on a slow machine. That
//! a paced host holds no other host back is shown without a clock: with the paced host's next
//! turn 30 s away (the longest `Crawl-delay` obeyed), the other hosts' pages are all requested
//! while it has had one request at most, and the crawl is stopped then.

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::{Duration, Instant};

use crawler_core::{Crawler, HostScope, SkipReason, StopReason};
use crawler_tests::{FixtureServer, Reply};

use crate::support::{crawl, crawl_until, page, page_requests};

fn robots(server: &FixtureServer, body: &str) {
    server.route(
        "/robots.txt",
        Reply::bytes("text/plain", body.as_bytes().to_vec()),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disallowed_paths_are_never_requested() {
    let server = FixtureServer::start();
    robots(
        &server,
        "User-agent: *\nDisallow: /b/\nDisallow: /chain/3\n",
    );
    let report = crawl(
        Crawler::builder().max_depth(10),
        &[server.url("/index.html")],
    )
    .await;
    assert_eq!(server.hits("/robots.txt"), 1, "fetched once per host");
    let blocked: Vec<&str> = report
        .graph
        .pages()
        .filter(|p| p.skipped == Some(SkipReason::RobotsTxt))
        .map(|p| p.url.path())
        .collect();
    assert!(
        blocked.contains(&"/b/") && blocked.contains(&"/chain/3.html"),
        "{blocked:?}"
    );
    assert!(server
        .requests()
        .iter()
        .all(|r| !r.starts_with("/b/") && !r.starts_with("/chain/3")));
    // Pages behind the blocked ones were never discovered.
    assert!(report
        .graph
        .pages()
        .all(|p| p.url.path() != "/chain/4.html"));
    assert_eq!(page(&report, &server.url("/a.html")).status, Some(200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_group_wins_over_star_and_ignore_robots_turns_it_off() {
    let server = FixtureServer::start();
    robots(
        &server,
        "User-agent: crawlgraph\nDisallow: /chain/\n\nUser-agent: *\nDisallow: /\n",
    );
    let report = crawl(
        Crawler::builder().max_depth(2),
        &[server.url("/index.html")],
    )
    .await;
    assert_eq!(page(&report, &server.url("/index.html")).status, Some(200));
    assert_eq!(
        page(&report, &server.url("/chain/1.html")).skipped,
        Some(SkipReason::RobotsTxt)
    );
    assert_eq!(server.hits("/chain/1.html"), 0);

    let other = crawl(
        Crawler::builder().max_depth(0).user_agent("otherbot/1.0"),
        &[server.url("/index.html")],
    )
    .await;
    assert_eq!(
        page(&other, &server.url("/index.html")).skipped,
        Some(SkipReason::RobotsTxt)
    );

    let before = server.hits("/robots.txt");
    let ignoring = crawl(
        Crawler::builder().max_depth(2).respect_robots(false),
        &[server.url("/index.html")],
    )
    .await;
    assert_eq!(
        page(&ignoring, &server.url("/chain/1.html")).status,
        Some(200)
    );
    assert_eq!(server.hits("/robots.txt"), before, "not even fetched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_robots_blocks_the_host_missing_robots_allows() {
    let server = FixtureServer::start();
    server.route("/robots.txt", Reply::status(503));
    let report = crawl(
        Crawler::builder().max_depth(1).retries(0),
        &[server.url("/index.html")],
    )
    .await;
    assert_eq!(
        page(&report, &server.url("/index.html")).skipped,
        Some(SkipReason::RobotsTxt)
    );
    assert_eq!(page_requests(&server), 0);

    let open = FixtureServer::start(); // answers 404 for robots.txt
    let report = crawl(Crawler::builder().max_depth(0), &[open.url("/index.html")]).await;
    assert_eq!(page(&report, &open.url("/index.html")).status, Some(200));
}

/// A robots.txt that never answers is cut off by `--timeout`, not by the page deadline (which
/// starts at the page's own first request): the host counts as unreachable and its pages are
/// not fetched. The page deadline and the read timeout here are longer than any test, so only
/// `--timeout` can end the wait (with it at an hour too, the support helper's minute fails the
/// test).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_robots_txt_that_never_answers_ends_at_the_request_timeout() {
    let server = FixtureServer::start();
    server.route(
        "/robots.txt",
        Reply::status(200).with_delay(Duration::from_secs(3600)),
    );
    let report = crawl(
        Crawler::builder()
            .max_depth(1)
            .retries(0)
            .timeout(Duration::from_secs(1))
            .read_timeout(Duration::from_secs(3600))
            .page_timeout(Duration::from_secs(3600)),
        &[server.url("/index.html")],
    )
    .await;
    assert_eq!(
        page(&report, &server.url("/index.html")).skipped,
        Some(SkipReason::RobotsTxt)
    );
    assert_eq!(server.hits("/robots.txt"), 1);
    assert_eq!(page_requests(&server), 0);
}

/// Arrival times of page requests (robots.txt excepted) at `server`.
fn page_arrivals(server: &FixtureServer) -> Vec<Instant> {
    server
        .arrivals()
        .into_iter()
        .filter(|(_, target)| target != "/robots.txt")
        .map(|(at, _)| at)
        .collect()
}

/// The `Crawl-delay` obeyed at most, which no test waits for.
const LONGEST_CRAWL_DELAY: &str = "30";

/// The paced host's seeds and the other host's, interleaved.
fn two_host_seeds(slow: &FixtureServer, fast: &FixtureServer) -> Vec<String> {
    ["/a.html", "/c.html", "/b/c.html", "/map.html"]
        .iter()
        .flat_map(|p| [slow.url(p), fast.url(p)])
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawl_delay_spaces_one_host_and_leaves_others_alone() {
    let slow = FixtureServer::start();
    robots(&slow, "User-agent: *\nCrawl-delay: 0.4\n");
    let fast = FixtureServer::start_on(std::net::Ipv4Addr::new(127, 0, 0, 2));
    let seeds = two_host_seeds(&slow, &fast);
    let report = crawl(Crawler::builder().max_depth(0).per_host(4), &seeds).await;
    assert_eq!(report.stats.pages_fetched, 8);
    let slow_times = page_arrivals(&slow);
    let fast_times = page_arrivals(&fast);
    assert_eq!((slow_times.len(), fast_times.len()), (4, 4));
    // Starts are at least 400 ms apart; arrival gaps can differ from start gaps by network
    // jitter, so allow 50 ms of it.
    for pair in slow_times.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_millis(350),
            "gap {:?}",
            pair[1] - pair[0]
        );
    }

    // The other host was not held back: all its pages are requested while the paced host,
    // whose next turn is 30 s away, has had its first request at most.
    let slow = FixtureServer::start();
    robots(
        &slow,
        &format!("User-agent: *\nCrawl-delay: {LONGEST_CRAWL_DELAY}\n"),
    );
    let fast = FixtureServer::start_on(std::net::Ipv4Addr::new(127, 0, 0, 2));
    let seeds = two_host_seeds(&slow, &fast);
    let report = crawl_until(
        Crawler::builder().max_depth(0).per_host(4),
        &seeds,
        "the other host's four pages",
        || page_arrivals(&fast).len() == 4,
    )
    .await;
    assert_eq!(report.stopped, StopReason::Cancelled);
    let slow_times = page_arrivals(&slow);
    assert!(slow_times.len() <= 1, "fast host waited for the slow one");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configured_delay_applies_per_host() {
    let server = FixtureServer::start();
    let seeds: Vec<String> = ["/a.html", "/c.html", "/map.html"]
        .iter()
        .map(|p| server.url(p))
        .collect();
    crawl(
        Crawler::builder()
            .max_depth(0)
            .per_host(4)
            .delay(Duration::from_millis(250)),
        &seeds,
    )
    .await;
    let times = page_arrivals(&server);
    assert_eq!(times.len(), 3);
    for pair in times.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_millis(200),
            "gap {:?}",
            pair[1] - pair[0]
        );
    }
}

fn gzip(text: &str) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sitemaps_from_robots_seed_the_crawl() {
    let server = FixtureServer::start();
    let url = |p: &str| server.url(p);
    robots(
        &server,
        &format!(
            "User-agent: *\nAllow: /\nSitemap: {}\n",
            url("/maps/index.xml")
        ),
    );
    let index = format!(
        r#"<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
           <sitemap><loc>{}</loc></sitemap><sitemap><loc>{}</loc></sitemap></sitemapindex>"#,
        url("/maps/pages.xml"),
        url("/maps/more.xml.gz")
    );
    let pages = format!(
        r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{}</loc></url>
           <url><loc>{}</loc></url><url><loc>http://example.com/elsewhere</loc></url></urlset>"#,
        url("/chain/4.html"),
        url("/latin1.html")
    );
    let more = format!(
        r"<urlset><url><loc>{}</loc></url></urlset>",
        url("/data.csv")
    );
    server.route(
        "/maps/index.xml",
        Reply::bytes("application/xml", index.into_bytes()),
    );
    server.route(
        "/maps/pages.xml",
        Reply::bytes("application/xml", pages.into_bytes()),
    );
    server.route(
        "/maps/more.xml.gz",
        Reply::bytes("application/gzip", gzip(&more)),
    );
    let report = crawl(
        Crawler::builder().max_depth(0).sitemaps(true),
        &[url("/index.html")],
    )
    .await;
    for listed in ["/chain/4.html", "/latin1.html", "/data.csv"] {
        let page = page(&report, &url(listed));
        assert_eq!((page.depth, page.status), (0, Some(200)), "{listed}");
        assert_eq!(server.hits(listed), 1, "{listed}");
    }
    assert!(
        report
            .graph
            .page(&"http://example.com/elsewhere".parse().unwrap())
            .is_none(),
        "out of scope"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_sitemap_location_is_tried() {
    let server = FixtureServer::start();
    let listing = format!(
        r"<urlset><url><loc>{}</loc></url></urlset>",
        server.url("/chain/5.html")
    );
    server.route(
        "/sitemap.xml",
        Reply::bytes("application/xml", listing.into_bytes()),
    );
    let report = crawl(
        Crawler::builder().max_depth(0).sitemaps(true),
        &[server.url("/index.html")],
    )
    .await;
    assert_eq!(
        page(&report, &server.url("/chain/5.html")).status,
        Some(200)
    );
}

/// A page on `hub` linking `count` pages on each server, the slow one first.
fn hub_of(hub: &FixtureServer, servers: &[&FixtureServer], count: usize) -> String {
    let mut body = String::new();
    for server in servers {
        for i in 0..count {
            let _ = write!(
                body,
                "<a href=\"{}\">{i}</a>",
                server.url(&format!("/_/links/9/{i}"))
            );
        }
    }
    hub.route("/hub.html", Reply::html(body));
    hub.url("/hub.html")
}

/// A paced host (Crawl-delay `delay`) on 127.0.0.1 and three others on 127.0.0.2-4; the hub,
/// on the first of the others, links 12 pages on each, the paced host's first.
fn paced_and_others(delay: &str) -> (FixtureServer, Vec<FixtureServer>, String) {
    let ip = |last| std::net::Ipv4Addr::new(127, 0, 0, last);
    let slow = FixtureServer::start_on(ip(1));
    robots(&slow, &format!("User-agent: *\nCrawl-delay: {delay}\n"));
    let others: Vec<FixtureServer> = (2..=4)
        .map(|last| FixtureServer::start_on(ip(last)))
        .collect();
    let mut servers = vec![&slow];
    servers.extend(others.iter());
    let seed = hub_of(&others[0], &servers, 12);
    (slow, others, seed)
}

/// Arrival times of the `/_/links/` pages at `server`.
fn link_page_arrivals(server: &FixtureServer) -> Vec<Instant> {
    server
        .arrivals()
        .into_iter()
        .filter(|(_, t)| t.starts_with("/_/links/"))
        .map(|(at, _)| at)
        .collect()
}

fn four_slots_two_per_host() -> crawler_core::CrawlerBuilder {
    Crawler::builder()
        .max_depth(1)
        .concurrency(4)
        .per_host(2)
        .host_scope(HostScope::AnyHost)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paced_host_holds_no_slot_the_other_hosts_could_use() {
    let (slow, others, seed) = paced_and_others("0.3");
    let report = crawl(four_slots_two_per_host(), &[seed]).await;
    assert_eq!(report.stats.pages_fetched, 1 + 4 * 12);
    // The slow host is paced: its requests start 0.3 s apart. Arrivals can lag a start (a
    // connection set-up, a busy machine), so the bound is from the first, less a margin.
    let slow_times = page_arrivals(&slow);
    assert_eq!(slow_times.len(), 12);
    for (k, at) in slow_times.iter().enumerate().skip(1) {
        let least = Duration::from_millis(300 * k as u64 - 200);
        assert!(*at - slow_times[0] >= least, "request {k}: {slow_times:?}");
    }
    for (n, other) in others.iter().enumerate() {
        assert_eq!(link_page_arrivals(other).len(), 12, "host {n}");
    }

    // Its frontier entries come first, yet with its next turn 30 s away every other host's
    // pages are all requested while it has had one request at most: no other host waits for
    // the slow host's turns. (Before, its paced requests held all four slots, and the others
    // started after its tenth.)
    let (slow, others, seed) = paced_and_others(LONGEST_CRAWL_DELAY);
    let report = crawl_until(
        four_slots_two_per_host(),
        &[seed],
        "every other host's 12 pages",
        || {
            others
                .iter()
                .all(|other| link_page_arrivals(other).len() == 12)
        },
    )
    .await;
    assert_eq!(report.stopped, StopReason::Cancelled);
    let slow_times = page_arrivals(&slow);
    assert!(slow_times.len() <= 1, "other hosts waited: {slow_times:?}");
}
