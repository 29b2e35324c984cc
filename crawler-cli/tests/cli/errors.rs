//! Usage errors exit 2 with one line on stderr and nothing on stdout, before any request;
//! `--fail-on-broken` turns broken pages into exit 1.

use crawler_tests::FixtureServer;

use crate::support::{crawl, expected_edges, tsv_edges};

/// Runs `crawl SEED ARGS...` and asserts a usage error that fetched nothing; returns the line.
fn usage_error(args: &[&str]) -> String {
    let server = FixtureServer::start();
    let seed = server.url("/index.html");
    let line = crawl(std::iter::once(seed.as_str()).chain(args.iter().copied()))
        .run()
        .expect_usage_error();
    assert_eq!(server.total_hits(), 0, "{args:?} fetched something");
    line
}

#[test]
fn malformed_url_is_named() {
    for bad in [
        "http//missing-colon.test",
        "ftp://files.test/",
        "/index.html",
    ] {
        let line = crawl([bad]).run().expect_usage_error();
        assert!(line.contains(bad), "{line}");
        assert!(line.contains("invalid URL"), "{line}");
    }
}

#[test]
fn unreadable_seed_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-seeds.txt");
    let line = crawl(["--seeds", missing.to_str().unwrap()])
        .run()
        .expect_usage_error();
    assert!(line.contains("no-such-seeds.txt"), "{line}");
    // A folder cannot be read as a seed file either.
    let line = crawl(["--seeds", dir.path().to_str().unwrap()])
        .run()
        .expect_usage_error();
    assert!(line.contains("cannot read seed file"), "{line}");
}

#[test]
fn bad_depth() {
    let line = usage_error(&["--depth", "abc"]);
    assert!(line.contains("--depth"), "{line}");
    usage_error(&["--depth", "-1"]);
}

#[test]
fn zero_concurrency() {
    let line = usage_error(&["--concurrency", "0"]);
    assert!(line.contains("--concurrency"), "{line}");
    usage_error(&["--per-host", "0"]);
    usage_error(&["--max-pages", "0"]);
}

#[test]
fn bad_timeouts() {
    for value in ["-1", "0", "abc", "inf"] {
        let line = usage_error(&["--timeout", value]);
        assert!(line.contains("--timeout"), "{line}");
    }
    usage_error(&["--connect-timeout", "0"]);
    usage_error(&["--read-timeout", "-0.5"]);
}

/// Numbers that once overflowed a `Duration`, an `Instant` or a semaphore (a panic in main or
/// in every fetch task) are refused up front with the flag's maximum.
#[test]
fn out_of_range_numbers_are_usage_errors() {
    for (flag, value, says) in [
        ("--rate", "1e-300", "1/86400"),
        ("--rate", "0.00001", "1/86400"),
        ("--delay", "1e19", "86400"),
        ("--delay", "86400.5", "86400"),
        ("--timeout", "1e19", "86400"),
        ("--connect-timeout", "1e12", "86400"),
        ("--read-timeout", "1e12", "86400"),
        ("--per-host", "2305843009213693952", "1048576"),
        ("--per-host", "18446744073709551615", "1048576"),
        ("--concurrency", "18446744073709551615", "1048576"),
    ] {
        let line = usage_error(&[flag, value]);
        assert!(line.contains(says), "{flag} {value}: {line}");
    }
}

#[test]
fn unknown_format() {
    let line = usage_error(&["--format", "xml"]);
    assert!(line.contains("xml"), "{line}");
}

#[test]
fn conflicting_scope_flags() {
    let line = usage_error(&["--same-domain", "--any-host"]);
    assert!(line.contains("--any-host"), "{line}");
}

#[test]
fn unknown_flag() {
    usage_error(&["--no-such-flag"]);
}

#[test]
fn config_errors_from_the_library() {
    let line = usage_error(&["--include", "("]);
    assert!(line.contains("invalid pattern"), "{line}");
    let line = usage_error(&["--prefix", "ftp://x.test/"]);
    assert!(line.contains("ftp://x.test/"), "{line}");
    usage_error(&["--user-agent", ""]);
}

#[test]
fn fail_on_broken_exits_1_and_lists_broken_pages() {
    let server = FixtureServer::start();
    let seed = server.url("/index.html");
    // At depth 2 the 404 `/missing.html` (depth 2) is fetched.
    let out = crawl([seed.as_str(), "--depth", "2", "--fail-on-broken"])
        .run()
        .expect_code(1);
    let expected = format!(
        "broken: {} (HTTP 404) <- linked from {}",
        server.url("/missing.html"),
        server.url("/a.html")
    );
    let broken: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("broken:"))
        .collect();
    assert_eq!(broken, [expected.as_str()], "stderr:\n{}", out.stderr);
    // The graph is still written in full.
    assert_eq!(tsv_edges(&out.stdout), expected_edges(&server, 2));
}

#[test]
fn broken_pages_alone_do_not_fail_the_run() {
    let server = FixtureServer::start();
    let seed = server.url("/index.html");
    let out = crawl([seed.as_str(), "--depth", "2"]).run().expect_code(0);
    assert!(!out.stderr.contains("broken:"), "{}", out.stderr);
    assert_eq!(tsv_edges(&out.stdout), expected_edges(&server, 2));
}

#[test]
fn fail_on_broken_with_no_broken_pages_exits_0() {
    let server = FixtureServer::start();
    // At depth 1 the 404s are boundary nodes, never fetched.
    crawl([
        server.url("/index.html").as_str(),
        "--depth",
        "1",
        "--fail-on-broken",
    ])
    .run()
    .expect_code(0);
}

/// A `304 Not Modified` to the crawl's GET, which sends no validator, is not a redirect (there
/// is nothing to follow) but a broken link, `unexpected_304`, the same in every output.
#[test]
fn an_unexpected_304_is_broken_in_every_output() {
    let server = FixtureServer::start();
    server.route(
        "/start.html",
        crawler_tests::Reply::html("<a href=\"/_/status/304\">cached</a>"),
    );
    let seed = server.url("/start.html");
    let target = server.url("/_/status/304");
    let message = "304 Not Modified to an unconditional request";
    let dir = tempfile::tempdir().unwrap();
    let (json, nodes) = (dir.path().join("crawl.json"), dir.path().join("nodes.tsv"));
    let out = crawl([seed.as_str(), "-d", "1", "--fail-on-broken", "-f", "json"])
        .args([
            "-o".as_ref(),
            json.as_os_str(),
            "--nodes".as_ref(),
            nodes.as_os_str(),
        ])
        .run()
        .expect_code(1);
    let line = format!("broken: {target} ({message}) <- linked from {seed}");
    assert!(out.stderr.contains(&line), "{}", out.stderr);

    let graph: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let node = graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|node| node["id"] == target.as_str())
        .unwrap();
    assert_eq!(node["state"], "error", "{node}");
    assert_eq!(node["status"], 304, "{node}");
    assert_eq!(node["error"]["kind"], "unexpected_304", "{node}");

    let table = std::fs::read_to_string(&nodes).unwrap();
    let row = table
        .lines()
        .find(|row| row.starts_with(&format!("{target}\t")))
        .unwrap();
    let fields: Vec<&str> = row.split('\t').collect();
    assert_eq!(
        (fields[1], fields[2], fields[4], fields[5]),
        ("1", "304", "error", message),
        "{row}"
    );

    let report = crawl([
        "report".as_ref(),
        json.as_os_str(),
        "-f".as_ref(),
        "json".as_ref(),
    ])
    .run()
    .expect_code(0);
    let report: serde_json::Value = serde_json::from_str(&report.stdout).unwrap();
    assert_eq!(report["broken"]["broken_pages"], 1, "{}", report["broken"]);

    let junit = crawl([seed.as_str(), "-d", "1", "-f", "junit"])
        .run()
        .expect_code(0);
    assert!(
        junit.stdout.contains(&format!(
            "name=\"{target}\"><failure message=\"{message}\" type=\"broken_link\">"
        )),
        "{}",
        junit.stdout
    );

    let jsonl = crawl([seed.as_str(), "-d", "1", "-f", "jsonl"])
        .run()
        .expect_code(0);
    let page: serde_json::Value = jsonl
        .stdout
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .find(|page| page["url"] == target.as_str())
        .unwrap();
    assert_eq!(page["state"], "error", "{page}");
    assert_eq!(page["error"]["kind"], "unexpected_304", "{page}");
}
