//! The politeness flags reach the library: robots.txt is obeyed unless `--ignore-robots`,
//! `--sitemap` adds seeds, `--deny-private-ips` refuses loopback, bad values exit 2.

use crawler_tests::{FixtureServer, Reply};

use crate::support::{crawl, tsv_edges};

#[test]
fn robots_is_obeyed_unless_ignored() {
    let server = FixtureServer::start();
    server.route(
        "/robots.txt",
        Reply::bytes("text/plain", b"User-agent: *\nDisallow: /\n".to_vec()),
    );
    let seed = server.url("/index.html");
    let obeyed = crawl([seed.as_str(), "--depth", "1"]).run().expect_code(0);
    assert!(tsv_edges(&obeyed.stdout).is_empty(), "{}", obeyed.stdout);
    assert_eq!(server.hits("/index.html"), 0);

    let ignored = crawl([seed.as_str(), "--depth", "1", "--ignore-robots"])
        .run()
        .expect_code(0);
    assert!(!tsv_edges(&ignored.stdout).is_empty());
    assert_eq!(server.hits("/index.html"), 1);
}

#[test]
fn sitemap_adds_seeds() {
    let server = FixtureServer::start();
    let listing = format!(
        "<urlset><url><loc>{}</loc></url></urlset>",
        server.url("/chain/5.html")
    );
    server.route(
        "/sitemap.xml",
        Reply::bytes("application/xml", listing.into_bytes()),
    );
    crawl([
        server.url("/index.html").as_str(),
        "--depth",
        "0",
        "--sitemap",
    ])
    .run()
    .expect_code(0);
    assert_eq!(server.hits("/chain/5.html"), 1);
}

#[test]
fn deny_private_ips_refuses_loopback() {
    let server = FixtureServer::start();
    let out = crawl([
        server.url("/index.html").as_str(),
        "--deny-private-ips",
        "--fail-on-broken",
    ])
    .run()
    .expect_code(1);
    assert!(out.stderr.contains("blocked"), "{}", out.stderr);
    assert_eq!(server.total_hits(), 0);
}

#[test]
fn bad_politeness_values_are_usage_errors() {
    for args in [
        ["--rate", "0"],
        ["--rate", "-2"],
        ["--delay", "-1"],
        ["--retries", "many"],
    ] {
        let line = crawl(
            ["http://127.0.0.1:9/"]
                .into_iter()
                .chain(args.iter().copied()),
        )
        .run()
        .expect_usage_error();
        assert!(line.contains(args[0]) || line.contains(args[1]), "{line}");
    }
}

#[test]
fn the_node_budget_stops_a_link_farm_with_its_own_stop_reason() {
    let server = FixtureServer::start();
    let out = crawl([
        server.url("/_/fault/farm/1000/f").as_str(),
        "--depth",
        "4",
        "--per-host",
        "8",
        "--max-nodes",
        "2500",
        "--format",
        "json",
    ])
    .run()
    .expect_code(0);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["graph"]["stopped"], "graph_limit");
    let nodes = json["nodes"].as_array().unwrap();
    assert!(nodes.len() <= 2500, "{} nodes", nodes.len());
    assert!(json["graph"]["stats"]["links_dropped"].as_u64().unwrap() > 0);
    assert!(
        out.stderr.contains("stopped: graph_limit"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("links not recorded"), "{}", out.stderr);
}

#[test]
fn exhausted_retries_are_counted_in_the_summary_and_the_json() {
    let server = FixtureServer::start();
    let out = crawl([
        server.url("/_/fault/retry-after/503/100/cli").as_str(),
        "--retries",
        "1",
        "--format",
        "json",
    ])
    .run();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["graph"]["stats"]["retries_exhausted"], 1);
    assert_eq!(json["graph"]["stats"]["recovered_at_end"], 0);
    // Two tries, then a try and two retries (the default count) at the end.
    assert_eq!(server.hits("/_/fault/retry-after/503/100/cli"), 5);
    assert!(
        out.stderr
            .contains("retries ran out for 1 pages (0 recovered at the end)"),
        "{}",
        out.stderr
    );
}

#[test]
fn page_timeout_is_a_flag() {
    let server = FixtureServer::start();
    server.route(
        "/stuck.html",
        Reply::redirect(302, "/stuck.html?again").with_delay(std::time::Duration::from_millis(800)),
    );
    let out = crawl([
        server.url("/stuck.html").as_str(),
        "--page-timeout",
        "1",
        "--format",
        "json",
    ])
    .run();
    assert!(out.stdout.contains("page_timeout"), "{}", out.stdout);
}
