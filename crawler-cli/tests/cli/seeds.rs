//! Where seeds come from: URL arguments, `--seeds FILE` with comments and blank lines,
//! `--seeds -` (stdin), `./urls.txt`, and the usage error when there are none.

use std::collections::BTreeSet;
use std::fmt::Write as _;
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

/// A long seed list keeps every distinct URL once, in first-seen order, whatever the
/// spelling of the duplicates (fragment, scheme case, dot segments). The list is large enough
/// that the old quadratic de-duplication was noticeable, but the test asserts only the result.
#[test]
fn many_seeds_keep_their_order_and_lose_only_duplicates() {
    const DISTINCT: usize = 20_000;
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    let host = server.addr();
    let first = server.url("/_/links/0");
    let mut list = format!("{first}\n");
    let mut expected = vec![first.clone()];
    for i in 0..DISTINCT {
        let url = format!("http://{host}/s/{i}");
        list.push_str(&url);
        list.push('\n');
        expected.push(url);
        if i % 3 == 0 {
            let j = i / 2;
            let _ = writeln!(list, "HTTP://{host}/s/x/../{j}#again");
        }
    }
    let _ = writeln!(list, "{first}#end");
    let seeds = dir.path().join("seeds.txt");
    fs::write(&seeds, list).unwrap();
    let nodes = dir.path().join("nodes.tsv");
    crawl([
        "--seeds".as_ref(),
        seeds.as_os_str(),
        "--max-pages".as_ref(),
        "1".as_ref(),
        "-q".as_ref(),
        "--nodes".as_ref(),
        nodes.as_os_str(),
    ])
    .run()
    .expect_code(0);
    let table = fs::read_to_string(&nodes).unwrap();
    let urls: Vec<&str> = table
        .lines()
        .skip(1)
        .map(|line| line.split('\t').next().unwrap())
        .collect();
    assert_eq!(urls.len(), expected.len());
    assert!(urls.iter().eq(expected.iter()), "seed order or duplicates");
    assert_eq!(server.hits("/_/links/0"), 1);
    assert_eq!(
        server.hits_exact("/s/0"),
        0,
        "only the first seed is fetched"
    );
}

/// SIGTERM while the seeds are still being read (a `--seeds -` whose writer never closes the
/// pipe) ends the run at once with 143, writing nothing and fetching nothing.
#[test]
fn sigterm_while_seeds_are_read_from_stdin_exits_143() {
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("graph.tsv");
    fs::write(&out_path, "old\n").unwrap();
    // More than a pipe buffer: once it is all written, the child is reading stdin.
    let line = format!("{}\n", server.url("/index.html"));
    let data = line.repeat((1 << 20) / line.len() + 1);
    let running = crawl([
        "--seeds".as_ref(),
        "-".as_ref(),
        "-o".as_ref(),
        out_path.as_os_str(),
    ])
    .stdin_held_open(data)
    .spawn();
    running.stdin_written();
    let signalled = std::time::Instant::now();
    running.signal("TERM");
    let out = running.wait().expect_code(143);
    assert!(
        signalled.elapsed() < std::time::Duration::from_secs(20),
        "took {:?} to stop",
        signalled.elapsed()
    );
    assert_eq!(out.stdout, "");
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert_eq!(server.total_hits(), 0);
    assert_eq!(fs::read_to_string(&out_path).unwrap(), "old\n");
}
