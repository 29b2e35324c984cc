//! A low open-file limit costs time, never pages: the soft limit is raised to the hard one,
//! concurrency is capped to what the limit holds (said on stderr), and a connect that finds no
//! descriptor left waits for one instead of failing the page.
//!
//! The binary runs under `prlimit` or a `bash` that lowers the limit first; the site is a hub
//! linking slow leaves, so many connections are open at once. `--retries 0` makes sure that
//! no page is rescued by a retry: a descriptor shortage must never become a page error at all.

use std::fmt::Write as _;

use crawler_tests::{FixtureServer, Reply};

use crate::support::{program, Output};

const LEAVES: usize = 200;
const LEAF_PATH: &str = "/_/slow/200";

/// Serves `/hub.html` linking the slow leaves; returns the hub URL.
fn slow_hub(server: &FixtureServer) -> String {
    let mut body = String::from("<html><body>\n");
    for i in 0..LEAVES {
        let _ = writeln!(body, "<a href=\"{LEAF_PATH}?i={i}\">leaf {i}</a>");
    }
    body.push_str("</body></html>\n");
    server.route("/hub.html", Reply::html(body));
    server.url("/hub.html")
}

/// The crawl's arguments: depth 1 from the hub, far more requests in flight than descriptors.
fn args(hub: &str, nodes: &std::path::Path) -> Vec<String> {
    [
        env!("CARGO_BIN_EXE_crawl"),
        hub,
        "-d",
        "1",
        "-c",
        "200",
        "--per-host",
        "200",
        "--retries",
        "0",
        "--ignore-robots",
        "--nodes",
        nodes.to_str().unwrap(),
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Asserts that every leaf was fetched once and answered 200, none lost to the limit.
#[track_caller]
fn every_leaf_fetched(server: &FixtureServer, out: &Output, nodes: &std::path::Path) {
    assert!(!out.stderr.contains("open files"), "{}", out.stderr);
    let table = std::fs::read_to_string(nodes).unwrap();
    let leaves: Vec<&str> = table.lines().filter(|l| l.contains(LEAF_PATH)).collect();
    assert_eq!(leaves.len(), LEAVES, "{table}");
    for row in leaves {
        let fields: Vec<&str> = row.split('\t').collect();
        assert_eq!((fields[2], fields[5]), ("200", ""), "{row}");
    }
    assert_eq!(server.hits(LEAF_PATH), LEAVES);
}

#[test]
fn soft_limit_is_raised_and_concurrency_capped_to_it() {
    let server = FixtureServer::start();
    let hub = slow_hub(&server);
    let dir = tempfile::tempdir().unwrap();
    let nodes = dir.path().join("nodes.tsv");
    // Soft 48, hard 96: raised to 96, which holds (96 - 32) / 2 = 32 requests.
    let out = program("prlimit")
        .args(["--nofile=48:96", "--"])
        .args(args(&hub, &nodes))
        .run()
        .expect_code(0);
    let line = out
        .stderr
        .lines()
        .find(|line| line.contains("concurrency capped"))
        .unwrap_or_else(|| panic!("no line about the cap: {}", out.stderr));
    assert!(line.contains("capped at 32 (asked for 200)"), "{line}");
    assert!(line.contains("limit is 96"), "{line}");
    every_leaf_fetched(&server, &out, &nodes);
}

#[test]
fn descriptors_used_elsewhere_cost_time_not_pages() {
    let server = FixtureServer::start();
    let hub = slow_hub(&server);
    let dir = tempfile::tempdir().unwrap();
    let nodes = dir.path().join("nodes.tsv");
    let held = dir.path().join("held");
    std::fs::write(&held, "").unwrap();
    // Limit 64, capped at 16 requests; 45 descriptors inherited from the shell leave fewer
    // than 16 free, so some connects find none and must wait for one.
    let script = "ulimit -n 64 || exit 99; \
                  for fd in $(seq 10 54); do eval \"exec $fd<\\\"\\$HELD\\\"\"; done; \
                  exec \"$@\"";
    let mut cmd = program("bash").args(["-c", script, "bash"]);
    cmd = cmd.env("HELD", &held);
    let out = cmd.args(args(&hub, &nodes)).run().expect_code(0);
    assert!(
        out.stderr.contains("capped at 16"),
        "the cap applies: {}",
        out.stderr
    );
    every_leaf_fetched(&server, &out, &nodes);
}
