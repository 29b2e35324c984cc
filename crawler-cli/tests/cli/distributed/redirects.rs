//! Redirects across workers: a redirect target keeps the depth of the URL that redirected to
//! it, whichever worker gets where first, and every URL is requested once, locally and with
//! two workers, run after run with the timing changed.
//!
//! The site (under `/s/`): the index links `a.html`, `dir`, `b.html` and `d2`; `dir` and `d2`
//! answer 301 to `dir/` and `d2/`; `a.html` links `dir/`, `b.html` links `d2/` and `dir/`;
//! `dir/` links `x.html`, `d2/` links `y.html`. So `dir/` and `d2/` are at depth 1 (their
//! redirects') and `dir/x.html` and `d2/y.html` at depth 2, fetched by `--depth 2`. Converging chains
//! beside them: the index also links `c1`, `c2` and `c3`; `c1` and `c2` answer 301 to `t`, `t`
//! 301 to `u`, `c3` 301 to `u`; `u` links `z.html`.

use std::time::Duration;

use crawler_tests::{FixtureServer, RedisServer, Reply};

use super::{duplicates, export, reference, run_workers};

/// Runs with other timings.
const RUNS: u64 = 6;

const FLAGS: [&str; 4] = ["--depth", "2", "--per-host", "8"];

/// Serves the site with the delays of run `run`: each run lets a different page get first to
/// the shared targets.
fn serve(server: &FixtureServer, run: u64) {
    let delay = |page: u64| Duration::from_millis((run * 7 + page * 11) % 40);
    let html = |body: &str, page| Reply::html(body.to_owned()).with_delay(delay(page));
    let redirect = |to: &str, page| Reply::redirect(301, to).with_delay(delay(page));
    server.route(
        "/s/",
        html(
            r#"<a href="a.html">a</a><a href="dir">dir</a><a href="b.html">b</a><a href="d2">d2</a>
               <a href="c1">c1</a><a href="c2">c2</a><a href="c3">c3</a>"#,
            0,
        ),
    );
    server.route("/s/a.html", html(r#"<a href="dir/">dir/</a>"#, 1));
    server.route(
        "/s/b.html",
        html(r#"<a href="d2/">d2/</a><a href="dir/">dir/</a>"#, 2),
    );
    server.route("/s/dir", redirect("/s/dir/", 3));
    server.route("/s/d2", redirect("/s/d2/", 4));
    server.route("/s/dir/", html(r#"<a href="x.html">x</a>"#, 5));
    server.route("/s/d2/", html(r#"<a href="y.html">y</a>"#, 6));
    server.route("/s/c1", redirect("/s/t", 7));
    server.route("/s/c2", redirect("/s/t", 8));
    server.route("/s/t", redirect("/s/u", 9));
    server.route("/s/c3", redirect("/s/u", 10));
    server.route("/s/u", html(r#"<a href="z.html">z</a>"#, 11));
    for page in ["/s/dir/x.html", "/s/d2/y.html", "/s/z.html"] {
        server.route(page, html("leaf", 12));
    }
}

/// The node table's line for `path`: URL, depth, status.
fn node<'a>(nodes: &'a str, server: &FixtureServer, path: &str) -> Vec<&'a str> {
    let url = server.url(path);
    let line = nodes
        .lines()
        .find(|line| line.split('\t').next() == Some(url.as_str()))
        .unwrap_or_else(|| panic!("{url} in the node table:\n{nodes}"));
    line.split('\t').take(3).collect()
}

#[test]
fn redirect_targets_keep_their_depth_and_are_requested_once_with_two_workers() {
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    let seed = server.url("/s/");
    for run in 0..RUNS {
        serve(&server, run);
        let before = server.requests().len();
        let local = reference(&FLAGS, &seed, dir.path());
        assert_eq!(
            duplicates(&server, before),
            0,
            "run {run}: local, a URL requested twice"
        );
        for (path, depth) in [
            ("/s/dir/", "1"),
            ("/s/dir/x.html", "2"),
            ("/s/d2/y.html", "2"),
            ("/s/u", "1"),
            ("/s/z.html", "2"),
        ] {
            let url = server.url(path);
            assert_eq!(
                node(&local.1, &server, path),
                [url.as_str(), depth, "200"],
                "run {run}"
            );
        }
        let redis = RedisServer::start();
        let before = server.requests().len();
        run_workers(&redis, 2, &seed, &FLAGS, &["-c", "4"]);
        assert_eq!(
            duplicates(&server, before),
            0,
            "run {run}: two workers, a URL requested twice"
        );
        assert_eq!(
            export(&redis, dir.path()),
            local,
            "run {run}: the export differs"
        );
    }
}
