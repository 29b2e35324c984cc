//! Where seeds come from: URL arguments, `--seeds FILE` with comments and blank lines,
//! `--seeds -` (stdin), `./urls.txt`, and the usage error when there are none.

use std::collections::BTreeSet;
use std::fs;

use crawler_tests::FixtureServer;

use crate::support::{crawl, expected_edges, tsv_edges, Edge};

/// The edges of `/_/links/N` crawled at depth 0.
fn links_edges(server: &FixtureServer, n: usize) -> BTreeSet<Edge> {
    let hub = server.url(&format!("/_/links/{n}"));
    (0..n)
        .map(|i| (hub.clone(), server.url(&format!("/_/links/{n}/{i}"))))
        .collect()
}

/// What crawling `/index.html` and `/_/links/3` at depth 0 gives.
fn both_seeds(server: &FixtureServer) -> BTreeSet<Edge> {
    let mut expected = expected_edges(server, 0);
    expected.extend(links_edges(server, 3));
    expected
}

#[test]
fn urls_as_arguments() {
    let server = FixtureServer::start();
    let out = crawl([
        server.url("/index.html").as_str(),
        server.url("/_/links/3").as_str(),
        "-d",
        "0",
    ])
    .run()
    .expect_code(0);
    assert_eq!(tsv_edges(&out.stdout), both_seeds(&server));
}

#[test]
fn seed_file_with_comments_blank_lines_and_whitespace() {
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("seeds.txt");
    fs::write(
        &file,
        format!(
            "# fixture seeds\n\n   {}  \n\t\n  # another comment\n{}\n",
            server.url("/index.html"),
            server.url("/_/links/3")
        ),
    )
    .unwrap();
    let out = crawl(["--seeds", file.to_str().unwrap(), "-d", "0"])
        .run()
        .expect_code(0);
    assert_eq!(tsv_edges(&out.stdout), both_seeds(&server));
}

#[test]
fn seed_file_and_arguments_are_combined() {
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("seeds.txt");
    fs::write(&file, format!("{}\n", server.url("/_/links/3"))).unwrap();
    let index = server.url("/index.html");
    let out = crawl([index.as_str(), "--seeds", file.to_str().unwrap(), "-d", "0"])
        .run()
        .expect_code(0);
    assert_eq!(tsv_edges(&out.stdout), both_seeds(&server));
}

#[test]
fn seeds_from_stdin() {
    let server = FixtureServer::start();
    let out = crawl(["--seeds", "-", "-d", "0"])
        .stdin(format!(
            "{}\n# comment\n{}\n",
            server.url("/index.html"),
            server.url("/_/links/3")
        ))
        .run()
        .expect_code(0);
    assert_eq!(tsv_edges(&out.stdout), both_seeds(&server));
}

#[test]
fn urls_txt_in_the_working_directory() {
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("urls.txt"),
        format!("# like areq.py\n{}\n", server.url("/index.html")),
    )
    .unwrap();
    let out = crawl(["-d", "0"])
        .current_dir(dir.path())
        .run()
        .expect_code(0);
    assert_eq!(tsv_edges(&out.stdout), expected_edges(&server, 0));
}

#[test]
fn urls_txt_is_not_read_when_urls_are_given() {
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("urls.txt"), "not a url\n").unwrap();
    let out = crawl([server.url("/_/links/3").as_str(), "-d", "0"])
        .current_dir(dir.path())
        .run()
        .expect_code(0);
    assert_eq!(tsv_edges(&out.stdout), links_edges(&server, 3));
}

#[test]
fn no_seeds_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let line = crawl(std::iter::empty::<&str>())
        .current_dir(dir.path())
        .run()
        .expect_usage_error();
    assert!(line.contains("no seed URLs"), "{line}");
    assert!(line.contains("urls.txt"), "{line}");
}

#[test]
fn empty_seed_file_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("seeds.txt"), "# nothing here\n\n").unwrap();
    let line = crawl(["--seeds", "seeds.txt"])
        .current_dir(dir.path())
        .run()
        .expect_usage_error();
    assert!(line.contains("seeds.txt"), "{line}");
    assert!(line.contains("no seed URLs"), "{line}");
}

#[test]
fn bad_line_in_seed_file_is_named_with_its_number() {
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("seeds.txt"),
        format!(
            "# seeds\n{}\nexample.com/no-scheme\n",
            server.url("/index.html")
        ),
    )
    .unwrap();
    let line = crawl(["--seeds", "seeds.txt"])
        .current_dir(dir.path())
        .run()
        .expect_usage_error();
    assert!(
        line.contains("seeds.txt:3: invalid URL `example.com/no-scheme`"),
        "{line}"
    );
    assert_eq!(server.total_hits(), 0, "nothing is fetched");
}
