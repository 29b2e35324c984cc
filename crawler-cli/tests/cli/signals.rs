//! SIGINT and SIGTERM stop the crawl; the partial graph is still written, and the exit code is
//! 130 or 143. SIGKILL, which cannot be handled, leaves an existing output file as it was.
//!
//! The seed is a hub page linking many leaves that never answer within a test (an hour's
//! delay, with the crawler's timeouts longer still), crawled with two requests per host: only
//! the signal can end the crawl. The signal is sent once the first leaf request has arrived,
//! which proves the seed's level is done and its edges are in the graph; after that the partial
//! graph must hold exactly the hub's edges.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::time::Duration;

use crawler_tests::{FixtureServer, Reply};

use crate::support::{crawl, tsv_edges, wait_for, Cmd, Edge, Output};

pub(crate) const LEAVES: usize = 100;
const LEAF_PATH: &str = "/leaf";

/// How long a leaf (or a sitemap below) takes to answer: longer than any test runs.
const NEVER: Duration = Duration::from_secs(3600);

/// Timeouts as long as [`NEVER`], so that no waiting request is given up on during a test.
pub(crate) const PATIENT: [&str; 6] = [
    "--timeout",
    "3600",
    "--read-timeout",
    "3600",
    "--page-timeout",
    "3600",
];

/// Serves `/hub.html` linking the leaves, which never answer; returns the hub URL and its
/// expected edges.
pub(crate) fn hanging_hub(server: &FixtureServer) -> (String, BTreeSet<Edge>) {
    let mut body = String::from("<html><body>\n");
    for i in 0..LEAVES {
        let _ = writeln!(body, "<a href=\"{LEAF_PATH}?i={i}\">leaf {i}</a>");
    }
    body.push_str("</body></html>\n");
    server.route("/hub.html", Reply::html(body));
    server.route(LEAF_PATH, Reply::html("<html></html>").with_delay(NEVER));
    let hub = server.url("/hub.html");
    let edges = (0..LEAVES)
        .map(|i| (hub.clone(), server.url(&format!("{LEAF_PATH}?i={i}"))))
        .collect();
    (hub, edges)
}

/// Starts `cmd` with [`PATIENT`] timeouts, waits until the crawl is fetching leaves, sends
/// `signal`, and waits for exit. The wait is bounded by [`TIMEOUT`](crate::support::TIMEOUT):
/// a run deaf to the signal would wait for its leaves for an hour, and fails there.
pub(crate) fn interrupt(server: &FixtureServer, cmd: Cmd, signal: &str) -> Output {
    let running = cmd.args(PATIENT).spawn();
    wait_for("the crawl to reach the leaves", || {
        server.hits(LEAF_PATH) > 0
    });
    running.signal(signal);
    let out = running.wait();
    assert!(
        server.hits(LEAF_PATH) < LEAVES,
        "the crawl ran to the end instead of stopping"
    );
    out
}

#[test]
fn sigint_writes_the_partial_graph_and_exits_130() {
    let server = FixtureServer::start();
    let (hub, edges) = hanging_hub(&server);
    let cmd = crawl([hub.as_str(), "--depth", "1", "--per-host", "2"]);
    let out = interrupt(&server, cmd, "INT").expect_code(130);
    assert_eq!(tsv_edges(&out.stdout), edges);
    assert!(out.stderr.contains("stopped: cancelled"), "{}", out.stderr);
    assert!(!out.stderr.contains("error"), "{}", out.stderr);
}

#[test]
fn sigterm_writes_the_partial_graph_to_the_file_and_exits_143() {
    let server = FixtureServer::start();
    let (hub, edges) = hanging_hub(&server);
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("partial.json");
    let cmd = crawl([
        hub.as_str(),
        "--depth",
        "1",
        "--per-host",
        "2",
        "--format",
        "json",
        "-o",
        out_path.to_str().unwrap(),
    ]);
    let out = interrupt(&server, cmd, "TERM").expect_code(143);
    assert_eq!(out.stdout, "");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_path).unwrap()).unwrap();
    assert_eq!(json["graph"]["stopped"], "cancelled");
    let links: BTreeSet<Edge> = json["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["source"].as_str().unwrap().to_owned(),
                l["target"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(links, edges);
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(files.len(), 1, "no temporary files left");
}

#[test]
fn a_killed_run_leaves_an_existing_output_untouched() {
    let server = FixtureServer::start();
    let (hub, _) = hanging_hub(&server);
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("graph.tsv");
    std::fs::write(&out_path, "old contents\n").unwrap();
    let cmd = crawl([
        hub.as_str(),
        "--depth",
        "1",
        "--per-host",
        "2",
        "-o",
        out_path.to_str().unwrap(),
    ]);
    // SIGKILL cannot be handled: whatever the binary had written by now stays as it is.
    let out = interrupt(&server, cmd, "KILL");
    assert_eq!(out.code, None, "killed by the signal");
    assert_eq!(
        std::fs::read_to_string(&out_path).unwrap(),
        "old contents\n"
    );
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(files.len(), 1, "no temporary file left behind");
}

/// The sitemap named by robots.txt never answers, and the crawler's timeouts are longer than
/// the test: SIGTERM must end discovery, before any page is requested. A crawler deaf to it
/// there would wait an hour, and the wait's [`TIMEOUT`](crate::support::TIMEOUT) fails it.
#[test]
fn sigterm_during_sitemap_discovery_exits_143_promptly() {
    let server = FixtureServer::start();
    let sitemap = server.url("/sitemap-hangs.xml");
    server.route(
        "/sitemap-hangs.xml",
        Reply::bytes("application/xml", Vec::new()).with_delay(NEVER),
    );
    server.route(
        "/robots.txt",
        Reply::bytes("text/plain", format!("Sitemap: {sitemap}\n").into_bytes()),
    );
    let running = crawl([server.url("/index.html").as_str(), "--sitemap"])
        .args(PATIENT)
        .spawn();
    wait_for("the sitemap request", || {
        server.hits("/sitemap-hangs.xml") > 0
    });
    running.signal("TERM");
    let out = running.wait().expect_code(143);
    assert!(out.stderr.contains("stopped: cancelled"), "{}", out.stderr);
    assert_eq!(server.hits("/index.html"), 0);
}
