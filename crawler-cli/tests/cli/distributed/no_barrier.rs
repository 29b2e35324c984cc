//! Redis workers without levels: a page is claimed as soon as a link finds it within the depth
//! limit, and a page whose depth drops after its links were sent sends them again, so the
//! export still equals the single-process crawl, and no URL is requested twice.

use std::time::Duration;

use crawler_tests::random_site::{RandomSite, Rng};
use crawler_tests::{FixtureServer, RedisServer, Reply};

use super::{duplicates, export, reference, run_workers, status, wait_all, worker};

/// Random sites crawled by two workers.
const CASES: u64 = 6;

/// The node table's (depth, status) for `url`.
fn node(nodes: &str, url: &str) -> (String, String) {
    let line = nodes
        .lines()
        .find(|line| line.split('\t').next() == Some(url))
        .unwrap_or_else(|| panic!("{url} in the node table:\n{nodes}"));
    let mut fields = line.split('\t').skip(1);
    let depth = fields.next().unwrap_or_default().to_owned();
    (depth, fields.next().unwrap_or_default().to_owned())
}

/// The site: the seed links `slow.html` (answering after 800 ms) and `b.html`; the fast path
/// `b.html`, `c.html` reaches `d.html` and, through `g`'s redirect, `h.html` at depth 3, and
/// their links `e.html` and `i.html` at 4, beyond `--depth 3`. `slow.html` links `d.html` and
/// `h.html` directly: once it arrives they are at depth 2, after both were fetched and their
/// links sent, so `e.html` and `i.html` come within the limit and must be fetched then.
/// Beside them, the seed's slow `a` redirects to `t.html`, which `c.html` links (depth 3): the
/// link claims it first, and the redirect, losing the claim, brings it to depth 1, and its
/// link `u.html` to 2. And the seed's slow `x` redirects to `tt.html`, which `c.html`'s `y`
/// (depth 3) redirects to first, fetching it inside its own chain: `x` brings `tt.html` to
/// depth 1, and its link `uu.html` (which `c.html` links too) to 2, so `ww.html` comes within.
fn serve(server: &FixtureServer) {
    let slow = Duration::from_millis(800);
    let html = |body: &str| Reply::html(body.to_owned());
    server.route(
        "/l/",
        html(r#"<a href="slow.html">slow</a><a href="b.html">b</a><a href="a">a</a><a href="x">x</a>"#),
    );
    server.route(
        "/l/slow.html",
        html(r#"<a href="d.html">d</a><a href="h.html">h</a>"#).with_delay(slow),
    );
    server.route("/l/b.html", html(r#"<a href="c.html">c</a>"#));
    server.route(
        "/l/c.html",
        html(
            r#"<a href="d.html">d</a><a href="g">g</a><a href="t.html">t</a>
               <a href="y">y</a><a href="uu.html">uu</a>"#,
        ),
    );
    server.route("/l/a", Reply::redirect(301, "/l/t.html").with_delay(slow));
    server.route("/l/t.html", html(r#"<a href="u.html">u</a>"#));
    server.route("/l/u.html", html("leaf"));
    server.route("/l/x", Reply::redirect(301, "/l/tt.html").with_delay(slow));
    server.route("/l/y", Reply::redirect(301, "/l/tt.html"));
    server.route("/l/tt.html", html(r#"<a href="uu.html">uu</a>"#));
    server.route("/l/uu.html", html(r#"<a href="ww.html">ww</a>"#));
    server.route("/l/ww.html", html("leaf"));
    server.route("/l/g", Reply::redirect(301, "/l/h.html"));
    server.route("/l/d.html", html(r#"<a href="e.html">e</a>"#));
    server.route("/l/h.html", html(r#"<a href="i.html">i</a>"#));
    server.route("/l/e.html", html(r#"<a href="f.html">f</a>"#));
    server.route("/l/i.html", html("leaf"));
    server.route("/l/f.html", html("leaf"));
}

#[test]
fn a_page_found_shorter_after_its_links_were_sent_sends_them_again() {
    let server = FixtureServer::start();
    serve(&server);
    let dir = tempfile::tempdir().unwrap();
    let seed = server.url("/l/");
    let flags = ["--depth", "3"];
    let local = reference(&flags, &seed, dir.path());
    for (path, depth, status) in [
        ("/l/d.html", "2", "200"),
        ("/l/h.html", "2", "200"),
        ("/l/e.html", "3", "200"),
        ("/l/i.html", "3", "200"),
        ("/l/f.html", "4", ""),
        ("/l/t.html", "1", "200"),
        ("/l/u.html", "2", "200"),
        ("/l/tt.html", "1", "200"),
        ("/l/uu.html", "2", "200"),
        ("/l/ww.html", "3", "200"),
    ] {
        let expected = (depth.to_owned(), status.to_owned());
        assert_eq!(node(&local.1, &server.url(path)), expected, "local: {path}");
    }
    for workers in [1, 2] {
        let redis = RedisServer::start();
        let before = server.requests().len();
        run_workers(&redis, workers, &seed, &flags, &["-c", "4"]);
        assert_eq!(
            duplicates(&server, before),
            0,
            "{workers} workers: a URL requested twice"
        );
        // Each once by the reference and once by the workers.
        for page in ["/l/e.html", "/l/i.html", "/l/u.html", "/l/ww.html"] {
            assert_eq!(server.hits_exact(page), 1 + workers, "{page} fetched");
        }
        assert_eq!(
            export(&redis, dir.path()),
            local,
            "{workers} workers: the export differs"
        );
        let status = status(&redis);
        assert_eq!(status["state"], "complete");
        assert_eq!(status["by_levels"], false);
        assert_eq!(status["pages_left"], 0);
    }
}

#[test]
fn random_multi_host_sites_give_the_single_process_graph_with_two_workers() {
    let dir = tempfile::tempdir().unwrap();
    for case in 1..=CASES {
        let mut rng = Rng(0xD1B5_4A32_D192_ED03 ^ case);
        let site = RandomSite::generate(&mut rng);
        let max_depth = (1 + rng.below(5)).to_string();
        let seeds = dir.path().join(format!("seeds-{case}.txt"));
        std::fs::write(&seeds, site.seeds().join("\n")).unwrap();
        let seeds = seeds.to_str().unwrap();
        let flags = ["--depth", &max_depth, "--per-host", "2"];
        let context = format!("case {case}, depth {max_depth}");
        // `--seeds` last, so that the reference's seed argument is its file.
        let local = reference(&[&flags[..], &["--seeds"]].concat(), seeds, dir.path());
        let (pages, _) = site.search(max_depth.parse().unwrap());
        for (url, (depth, fetched)) in &pages {
            let (at, status) = node(&local.1, url);
            assert_eq!(at, depth.to_string(), "{context}: local depth of {url}");
            assert_eq!(
                !status.is_empty(),
                *fetched,
                "{context}: local fetch of {url}"
            );
        }
        let redis = RedisServer::start();
        let before: Vec<usize> = site.servers.iter().map(|s| s.requests().len()).collect();
        let running = (0..2)
            .map(|_| {
                worker(&redis, &flags)
                    .args(["-c", "4", "--seeds", seeds])
                    .spawn()
            })
            .collect();
        for out in wait_all(running) {
            out.expect_code(0);
        }
        for (server, before) in site.servers.iter().zip(before) {
            assert_eq!(
                duplicates(server, before),
                0,
                "{context}: a URL requested twice"
            );
        }
        assert_eq!(
            export(&redis, dir.path()),
            local,
            "{context}: the export differs"
        );
    }
}
