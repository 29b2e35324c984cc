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
