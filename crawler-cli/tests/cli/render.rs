//! `--render never|always|auto` on the JavaScript fixture site (`fixtures/js-site/`) with
//! Debian's chromium: the graph a browser user sees, the rendered marks, script edges,
//! hostile pages that cost a render error and not the crawl, requests a page's script may not
//! make, refusals, Redis workers with a browser each, and no browser process left behind
//! however the crawl ends.
//!
//! Each crawl runs with `TMPDIR` set to a temporary folder of the test's own, so the browser's
//! profile (and so its command line) names that folder: that is how a test finds the browser
//! processes of its own crawl among those of other tests.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use crawler_tests::procs::live_processes;
use crawler_tests::{js_site_root, FixtureServer, RedisServer, Reply, ServerOptions};

use crate::distributed::{wait_all, worker, ID};
use crate::support::{crawl, require_tool, wait_for, Cmd, Output, Running};

/// A page request that never ends within a test.
const NEVER: Duration = Duration::from_secs(3600);

/// An edge as (source path, target path, kind, rendered).
type Edge = (String, String, String, bool);

/// Serves the JavaScript fixture site.
fn js_site() -> FixtureServer {
    require_tool("chromium", &["--version"]);
    FixtureServer::start_with(ServerOptions {
        root: js_site_root(),
        ..ServerOptions::default()
    })
}

/// The expected graph of the site from `/` (`fixtures/js-site.expected.tsv`).
fn expected() -> BTreeSet<Edge> {
    let text = std::fs::read_to_string(js_site_root().join("../js-site.expected.tsv"))
        .expect("expected graph");
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            (f[0].into(), f[1].into(), f[2].into(), f[3] == "rendered")
        })
        .collect()
}

/// `crawl` with its temporary folder (and so its browser profile) in `tmp`.
fn crawl_in(tmp: &Path, args: &[&str]) -> Cmd {
    crawl(args).env("TMPDIR", tmp)
}

/// Runs `crawl args` with its temporary folder in `tmp`, expecting exit 0.
fn crawled(tmp: &Path, args: &[&str]) -> Output {
    crawl_in(tmp, args).run().expect_code(0)
}

/// Asserts that the crawl's stderr says `text`.
#[track_caller]
fn says(out: &Output, text: &str) {
    assert!(
        out.stderr.contains(text),
        "{text:?} not in:\n{}",
        out.stderr
    );
}

/// The edges of a node-link JSON graph, with URLs on `server` as paths.
fn json_edges(server: &FixtureServer, json: &str) -> BTreeSet<Edge> {
    let doc: serde_json::Value = serde_json::from_str(json).expect("JSON output");
    let origin = server.url("");
    let path = |v: &serde_json::Value| {
        let url = v.as_str().expect("URL");
        url.strip_prefix(origin.trim_end_matches('/'))
            .unwrap_or(url)
            .to_owned()
    };
    doc["links"]
        .as_array()
        .expect("links")
        .iter()
        .map(|l| {
            (
                path(&l["source"]),
                path(&l["target"]),
                l["kind"].as_str().expect("kind").to_owned(),
                l["rendered"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

/// The error kind of each node that has one, by path.
fn node_errors(server: &FixtureServer, json: &str) -> BTreeSet<(String, String)> {
    let doc: serde_json::Value = serde_json::from_str(json).expect("JSON output");
    let origin = server.url("");
    doc["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter(|n| !n["error"].is_null())
        .map(|n| {
            let url = n["id"].as_str().expect("id");
            let path = url
                .strip_prefix(origin.trim_end_matches('/'))
                .unwrap_or(url);
            (
                path.to_owned(),
                n["error"]["kind"].as_str().expect("kind").to_owned(),
            )
        })
        .collect()
}

/// Live processes whose command line names `marker`, with their parents.
fn browser_processes(marker: &Path) -> Vec<(u32, u32)> {
    let marker = marker.to_string_lossy();
    live_processes()
        .into_iter()
        .filter(|p| p.cmdline.contains(marker.as_ref()))
        .map(|p| (p.pid, p.parent))
        .collect()
}

/// Waits until no process of the crawl's browser (profile under `tmp`) is left.
#[track_caller]
fn no_browser_left(tmp: &Path) {
    wait_for("the browser's processes to end", || {
        browser_processes(tmp).is_empty()
    });
}

#[test]
fn render_always_finds_every_link_a_user_sees_marked_rendered() {
    let server = js_site();
    let tmp = tempfile::tempdir().unwrap();
    let seed = server.url("/");
    let out = crawled(
        tmp.path(),
        &[
            "--render",
            "always",
            "-d",
            "5",
            "-f",
            "json",
            "--render-concurrency",
            "2",
            &seed,
        ],
    );
    assert_eq!(json_edges(&server, &out.stdout), expected());
    says(&out, "rendered 11 pages (3 gained links, 2 requests)");
    says(&out, "browser: 1 started");
    no_browser_left(tmp.path());
}

#[test]
fn render_auto_finds_the_same_graph_rendering_only_the_pages_with_scripts() {
    let server = js_site();
    let tmp = tempfile::tempdir().unwrap();
    let seed = server.url("/");
    let out = crawled(
        tmp.path(),
        &["--render", "auto", "-d", "5", "-f", "json", &seed],
    );
    assert_eq!(json_edges(&server, &out.stdout), expected());
    // The app shell, the page that navigates by script and the one that adds a link before
    // throwing; the eight pages without script are not rendered.
    says(&out, "rendered 3 pages (3 gained links, 2 requests)");
    no_browser_left(tmp.path());
}

#[test]
fn render_never_finds_only_the_static_graph_and_starts_no_browser() {
    let server = js_site();
    let seed = server.url("/");
    let statics: BTreeSet<Edge> = expected()
        .into_iter()
        .filter(|(source, _, _, rendered)| source == "/" && !rendered)
        .collect();
    for args in [&["-f", "json"][..], &["-f", "json", "--render", "never"]] {
        let tmp = tempfile::tempdir().unwrap();
        let mut args = args.to_vec();
        args.extend(["-d", "5", seed.as_str()]);
        let out = crawled(tmp.path(), &args);
        assert_eq!(json_edges(&server, &out.stdout), statics, "{args:?}");
        assert!(!out.stderr.contains("rendered"), "{}", out.stderr);
        assert!(!out.stderr.contains("browser:"), "{}", out.stderr);
    }
}

#[test]
fn streamed_lines_mark_rendered_links_and_graphml_and_dot_too() {
    let server = js_site();
    let tmp = tempfile::tempdir().unwrap();
    let seed = server.url("/");
    let base = ["--render", "always", "-d", "0"];
    let jsonl = crawled(tmp.path(), &[&base[..], &["-f", "jsonl", &seed]].concat());
    let line: serde_json::Value =
        serde_json::from_str(jsonl.stdout.lines().next().expect("a line")).unwrap();
    let links = line["links"].as_array().expect("links");
    let rendered = |path: &str| {
        links
            .iter()
            .find(|l| l["url"] == server.url(path))
            .map(|l| l["rendered"].as_bool().unwrap_or(false))
    };
    assert_eq!(rendered("/lazy.html"), Some(true), "{line}");
    assert_eq!(rendered("/app.js"), Some(false), "{line}");
    let graphml = crawled(tmp.path(), &[&base[..], &["-f", "graphml", &seed]].concat());
    assert_eq!(
        graphml
            .stdout
            .matches("<data key=\"rendered\">true</data>")
            .count(),
        6,
        "{}",
        graphml.stdout
    );
    let dot = crawled(tmp.path(), &[&base[..], &["-f", "dot", &seed]].concat());
    assert_eq!(
        dot.stdout.matches("tooltip=\"rendered\"").count(),
        6,
        "{}",
        dot.stdout
    );
    assert!(dot.stdout.contains("label=\"script\""), "{}", dot.stdout);
    no_browser_left(tmp.path());
}

/// A script every page loads is requested once per crawl, as a browser's cache would have it;
/// a `no-store` one on every render; each page still runs them and gets their links.
#[test]
fn a_script_pages_share_is_requested_once() {
    require_tool("chromium", &["--version"]);
    let server = FixtureServer::start();
    let pages = ["/p1.html", "/p2.html", "/p3.html"];
    let links = pages.map(|p| format!("<a href=\"{p}\">{p}</a>")).join(" ");
    server.route("/shared/", Reply::html(links));
    let script = |link: &str| {
        format!("document.body.insertAdjacentHTML('beforeend', '<a href=\"{link}\">s</a>');")
            .into_bytes()
    };
    server.route(
        "/shared.js",
        Reply::bytes("text/javascript", script("/from-shared.html")),
    );
    server.route(
        "/fresh.js",
        Reply::bytes("text/javascript", script("/from-fresh.html"))
            .with_header("Cache-Control", "no-store"),
    );
    for page in pages {
        server.route(
            page,
            Reply::html(
                "<body><script src=\"/shared.js\"></script><script src=\"/fresh.js\"></script>",
            ),
        );
    }
    let tmp = tempfile::tempdir().unwrap();
    let seed = server.url("/shared/");
    let out = crawled(
        tmp.path(),
        &["--render", "always", "-d", "1", "-f", "json", &seed],
    );
    let edges = json_edges(&server, &out.stdout);
    for page in pages {
        for target in ["/from-shared.html", "/from-fresh.html"] {
            let edge = (page.into(), target.into(), "anchor".into(), true);
            assert!(edges.contains(&edge), "{edge:?} not in {edges:?}");
        }
    }
    assert_eq!(server.hits("/shared.js"), 1, "kept after the first render");
    assert_eq!(
        server.hits("/fresh.js"),
        3,
        "no-store: asked by every render"
    );
    no_browser_left(tmp.path());
}

#[test]
fn a_page_script_never_reaches_a_host_out_of_scope() {
    let server = js_site();
    let offsite = FixtureServer::start_on(std::net::Ipv4Addr::new(127, 0, 0, 2));
    let target = offsite.url("/beacon");
    server.route(
        "/offsite.json",
        Reply::bytes(
            "application/json",
            format!("{{\"url\": \"{target}\"}}").into_bytes(),
        ),
    );
    let tmp = tempfile::tempdir().unwrap();
    let seed = server.url("/offsite.html");
    let out = crawled(
        tmp.path(),
        &["--render", "always", "-d", "0", "-f", "json", &seed],
    );
    let edges = json_edges(&server, &out.stdout);
    let after = (
        "/offsite.html".into(),
        "/after-offsite.html".into(),
        "anchor".into(),
        true,
    );
    assert!(
        edges.contains(&after),
        "the script ran to its end: {edges:?}"
    );
    assert_eq!(
        server.hits("/offsite.json"),
        1,
        "the page's own fetch went through the crawl"
    );
    assert_eq!(offsite.total_hits(), 0, "{:?}", offsite.requests());
    no_browser_left(tmp.path());
}

/// Crawls `seeds` of the JS site (paths, with queries) rendered in one tab, each render given
/// 3 s, with `more` flags, and checks that exactly the two pages that never settle got
/// `render_timeout` and that `thrower` gained the link its script adds before it throws.
/// Returns the crawl's edges.
fn one_tab_with_pages_that_never_settle(
    server: &FixtureServer,
    tmp: &Path,
    seeds: &[&str],
    thrower: &str,
    more: &[&str],
) -> BTreeSet<Edge> {
    let seeds = seeds.iter().map(|p| server.url(p)).collect::<Vec<_>>();
    let mut args = vec![
        "--render",
        "always",
        "-f",
        "json",
        "--page-timeout",
        "3",
        "--render-concurrency",
        "1",
    ];
    args.extend(more);
    args.extend(seeds.iter().map(String::as_str));
    let out = crawled(tmp, &args);
    let errors = node_errors(server, &out.stdout);
    let expected: BTreeSet<(String, String)> = [
        ("/spin.html", "render_timeout"),
        ("/never-settles.html", "render_timeout"),
    ]
    .map(|(p, k)| (p.to_owned(), k.to_owned()))
    .into();
    assert_eq!(errors, expected, "{}", out.stderr);
    let edges = json_edges(server, &out.stdout);
    let gained = (
        thrower.to_owned(),
        "/before-throw.html".into(),
        "anchor".into(),
        true,
    );
    assert!(edges.contains(&gained), "{edges:?}");
    edges
}

#[test]
fn a_page_queued_for_the_tab_keeps_its_whole_render_time() {
    // One tab, three pages of one host at once. The two that never settle take the tab first
    // (the third page's answer comes 500 ms later) and keep it 3 s each; the third waits some
    // 6 s for it, more than its render's 3 s and the 2 s grace. Waiting for the tab is not
    // rendering: it renders, and gains the link its script adds before it throws.
    let server = js_site();
    let tmp = tempfile::tempdir().unwrap();
    let thrower = "/throws.html?delay_ms=500";
    let seeds = ["/spin.html", "/never-settles.html", thrower];
    one_tab_with_pages_that_never_settle(
        &server,
        tmp.path(),
        &seeds,
        thrower,
        &["-d", "0", "--per-host", "4"],
    );
    no_browser_left(tmp.path());
}

#[test]
fn pages_that_never_settle_cost_a_render_timeout_and_the_crawl_goes_on() {
    let server = js_site();
    let tmp = tempfile::tempdir().unwrap();
    let seeds = ["/spin.html", "/never-settles.html", "/throws.html"];
    // A render error is not a broken link: --fail-on-broken still exits 0. The tab stuck in a
    // loop was closed; the next page rendered in a good one.
    let edges = one_tab_with_pages_that_never_settle(
        &server,
        tmp.path(),
        &seeds,
        "/throws.html",
        &["-d", "1", "--fail-on-broken"],
    );
    // Static links of a page whose render failed are kept.
    let home = ("/spin.html".into(), "/".into(), "anchor".into(), false);
    assert!(edges.contains(&home), "{edges:?}");
    no_browser_left(tmp.path());
}

/// A crawl of `/wait.html` (`-d 1`, patient timeouts, `--render always` and `args`) caught
/// while the page renders: its script fetches `/held.json`, which never answers; the page
/// links `/throws.html` statically. Returns the server, the crawl's temporary folder and the
/// running crawl.
fn caught_rendering(args: &[&str]) -> (FixtureServer, tempfile::TempDir, Running) {
    let server = js_site();
    server.route(
        "/wait.html",
        Reply::html("<a href=\"/throws.html\">next</a><script>fetch('/held.json');</script>"),
    );
    server.route("/held.json", Reply::html("{}").with_delay(NEVER));
    let seed = server.url("/wait.html");
    let tmp = tempfile::tempdir().unwrap();
    let mut all = vec![
        "--render",
        "always",
        "-d",
        "1",
        "--page-timeout",
        "3600",
        &seed,
    ];
    all.extend(args);
    let running = crawl_in(tmp.path(), &all).spawn();
    wait_for("the page to be rendering", || server.hits("/held.json") > 0);
    (server, tmp, running)
}

#[test]
fn a_browser_killed_mid_render_costs_that_page_and_a_fresh_browser_goes_on() {
    let (server, tmp, running) = caught_rendering(&["-f", "json"]);
    let crawl_pid = running.pid();
    let browser = browser_processes(tmp.path())
        .into_iter()
        .find(|&(_, parent)| parent == crawl_pid)
        .expect("the browser is a child of the crawl")
        .0;
    crate::support::program("kill")
        .args(["-KILL", &browser.to_string()])
        .run()
        .expect_code(0);
    let out: Output = running.wait().expect_code(0);
    let errors = node_errors(&server, &out.stdout);
    let failed = [("/wait.html".to_owned(), "render_failed".to_owned())].into();
    assert_eq!(errors, failed, "{}", out.stderr);
    let gained = (
        "/throws.html".into(),
        "/before-throw.html".into(),
        "anchor".into(),
        true,
    );
    let edges = json_edges(&server, &out.stdout);
    assert!(edges.contains(&gained), "{edges:?}");
    says(&out, "browser: 2 started");
    no_browser_left(tmp.path());
}

#[test]
fn no_browser_is_left_after_sigint_or_sigterm() {
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let (_server, tmp, running) = caught_rendering(&[]);
        assert!(
            !browser_processes(tmp.path()).is_empty(),
            "the browser runs"
        );
        running.signal(signal);
        running.wait().expect_code(code);
        no_browser_left(tmp.path());
    }
}

#[test]
fn a_missing_chromium_is_a_usage_error_naming_it() {
    let server = js_site();
    let seed = server.url("/");
    for mode in ["always", "auto"] {
        let line = crawl([
            "--render",
            mode,
            "--chromium",
            "/nonexistent/chromium",
            &seed,
        ])
        .run()
        .expect_usage_error();
        assert!(
            line.contains("--render") && line.contains("/nonexistent/chromium"),
            "{line}"
        );
        let line = crawl(["--render", mode, &seed])
            .env("CHROMIUM", "/nonexistent/chrome")
            .run()
            .expect_usage_error();
        assert!(line.contains("/nonexistent/chrome"), "{line}");
    }
    // Without --render, no browser is looked for.
    crawl(["--chromium", "/nonexistent/chromium", "-d", "0", &seed])
        .run()
        .expect_code(0);
}

/// Two Redis workers, each with its own browser, export the graph a local crawl finds, with
/// the same rendered marks and render counts, and leave no browser behind.
#[test]
fn render_always_with_two_redis_workers_exports_the_local_graph() {
    let server = js_site();
    let redis = RedisServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let seed = server.url("/");
    let flags = ["--render", "always", "-d", "5", "--render-concurrency", "2"];
    let workers: Vec<Running> = (0..2)
        .map(|i| {
            let worker = worker(&redis, &flags).env("TMPDIR", tmp.path());
            if i == 0 { worker.args([&seed]) } else { worker }.spawn()
        })
        .collect();
    for out in wait_all(workers) {
        out.expect_code(0);
    }
    no_browser_left(tmp.path());
    let export = crawl([
        "export",
        "--redis",
        &redis.url(),
        "--crawl-id",
        ID,
        "-f",
        "json",
    ])
    .run()
    .expect_code(0);
    assert_eq!(json_edges(&server, &export.stdout), expected());
    let doc: serde_json::Value = serde_json::from_str(&export.stdout).unwrap();
    let stats = &doc["graph"]["stats"];
    assert_eq!(
        (
            &stats["pages_rendered"],
            &stats["pages_render_gained"],
            &stats["render_requests"]
        ),
        (&11.into(), &3.into(), &2.into()),
        "the render counts of the local crawl: {stats}"
    );
    let local = crawled(tmp.path(), &[&flags[..], &["-f", "json", &seed]].concat());
    assert_eq!(
        node_errors(&server, &export.stdout),
        node_errors(&server, &local.stdout)
    );
}

#[test]
fn render_auto_on_a_site_without_app_shells_renders_nothing_and_starts_no_browser() {
    require_tool("chromium", &["--version"]);
    let server = FixtureServer::start();
    let seed = server.url("/index.html");
    let tmp = tempfile::tempdir().unwrap();
    let never = crawled(tmp.path(), &["-d", "5", "--tsv-kind", &seed]);
    let auto = crawled(
        tmp.path(),
        &["-d", "5", "--tsv-kind", "--render", "auto", &seed],
    );
    assert_eq!(auto.stdout, never.stdout);
    says(&auto, "browser: not needed, not started");
    assert!(!auto.stderr.contains("rendered"), "{}", auto.stderr);
    assert!(browser_processes(tmp.path()).is_empty());
}

#[test]
fn local_pages_are_not_rendered() {
    require_tool("chromium", &["--version"]);
    let tmp = tempfile::tempdir().unwrap();
    let site = js_site_root().canonicalize().unwrap();
    let seed = format!("{}/", site.display());
    let never = crawled(tmp.path(), &["-d", "3", "--tsv-kind", &seed]);
    let always = crawled(
        tmp.path(),
        &["-d", "3", "--tsv-kind", "--render", "always", &seed],
    );
    assert_eq!(always.stdout, never.stdout);
    assert!(!always.stderr.contains("rendered"), "{}", always.stderr);
    no_browser_left(tmp.path());
}
