//! `crawl --since FILE` and `crawl diff OLD --recrawl` against a copy of the fixture site
//! served with validators: the same graph as a full crawl (`crawl diff` finds no change),
//! only changed pages downloaded as the server counts them, in batch, streaming and Redis
//! modes; a bad previous file is one line and exit 2.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crawler_tests::{fixture_root, FixtureServer, RedisServer};
use serde_json::Value;

use crate::distributed::{run_workers, ID};
use crate::support::{crawl, save_crawl};

const DEPTH: u32 = 6;

/// `crawl diff OLD NEW -f json`, parsed.
fn diff(old: &Path, new: &Path) -> Value {
    let out = crawl(["diff".as_ref(), old.as_os_str(), new.as_os_str()])
        .args(["-f", "json"])
        .run()
        .expect_code(0);
    serde_json::from_str(&out.stdout).unwrap()
}

/// Whether a `crawl diff -f json` found nothing changed.
fn unchanged(changes: &Value) -> bool {
    changes
        .as_object()
        .unwrap()
        .values()
        .all(|v| v.as_array().is_none_or(Vec::is_empty))
}

/// The files [`add_a_page`] changes.
fn added() -> BTreeSet<String> {
    ["/a.html", "/fresh.html"].map(str::to_owned).into()
}

/// Appends a link to a new page to `a.html`, and writes that page.
fn add_a_page(site: &Path) {
    let a = site.join("a.html");
    let page = std::fs::read_to_string(&a).unwrap();
    let page = page.replacen("</body>", "<a href=\"fresh.html\">Fresh</a></body>", 1);
    std::fs::write(&a, page).unwrap();
    std::fs::write(
        site.join("fresh.html"),
        "<html><head><title>Fresh</title></head><body>new</body></html>",
    )
    .unwrap();
}

#[test]
fn since_downloads_only_what_changed_and_writes_a_full_crawls_graph() {
    let (site, server) = FixtureServer::start_copy_with_validators();
    let out = tempfile::tempdir().unwrap();
    let old = save_crawl(&server, DEPTH, "json", out.path(), "old.json");
    let new = out.path().join("new.json");
    let sent = server.full_downloads().len();
    let run = crawl([server.url("/index.html").as_str(), "-d", "6", "-f", "json"])
        .args([
            "--since".as_ref(),
            old.as_os_str(),
            "-o".as_ref(),
            new.as_os_str(),
        ])
        .run()
        .expect_code(0);
    assert!(
        run.stderr.contains(&format!(
            "since the previous crawl: {sent} revalidated (304), "
        )),
        "{}",
        run.stderr
    );
    assert_eq!(server.full_downloads_after(sent), BTreeSet::new());
    assert!(unchanged(&diff(&old, &new)), "{}", diff(&old, &new));

    add_a_page(site.path());
    let newer = out.path().join("newer.json");
    let sent = server.full_downloads().len();
    crawl([
        server.url("/index.html").as_str(),
        "-d",
        "6",
        "-f",
        "json",
        "-q",
    ])
    .args([
        "--since".as_ref(),
        new.as_os_str(),
        "-o".as_ref(),
        newer.as_os_str(),
    ])
    .run()
    .expect_code(0);
    assert_eq!(server.full_downloads_after(sent), added());
    let fresh = save_crawl(&server, DEPTH, "json", out.path(), "fresh.json");
    assert!(unchanged(&diff(&fresh, &newer)), "{}", diff(&fresh, &newer));
    let changes = diff(&new, &newer);
    assert_eq!(
        changes["pages_added"][0]["url"],
        server.url("/fresh.html"),
        "{changes}"
    );
}

#[test]
fn since_streams_too() {
    let (_site, server) = FixtureServer::start_copy_with_validators();
    let out = tempfile::tempdir().unwrap();
    let old = save_crawl(&server, DEPTH, "graphml", out.path(), "old.graphml");
    let seed = server.url("/index.html");
    let jsonl = || crawl([seed.as_str(), "-d", "6", "-q", "-f", "jsonl"]);
    let full = jsonl().run().expect_code(0);
    let sent = server.full_downloads().len();
    let streamed = jsonl()
        .args(["--since".as_ref(), old.as_os_str()])
        .run()
        .expect_code(0);
    // A GraphML export vouches for pages as well: nothing downloaded.
    assert_eq!(server.full_downloads_after(sent), BTreeSet::new());
    let lines = |text: &str| -> Vec<Value> {
        let mut pages: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        pages.sort_by_key(ToString::to_string);
        pages
    };
    assert_eq!(lines(&streamed.stdout), lines(&full.stdout));
}

#[test]
fn a_bad_previous_file_is_one_line_and_exit_2() {
    let (_site, server) = FixtureServer::start_copy_with_validators();
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.json");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len((1 << 30) + 1)
        .unwrap();
    let garbled = dir.path().join("garbled.json");
    std::fs::write(
        &garbled,
        "{\"nodes\": [{\"id\": \"http://a.test/\"}], \"links\": [",
    )
    .unwrap();
    let cases: [(PathBuf, &str); 4] = [
        (dir.path().join("missing.json"), "cannot read it"),
        (huge, "larger than"),
        (garbled, "invalid JSON"),
        (fixture_root().join("notes.txt"), "not a crawl export"),
    ];
    for (path, says) in cases {
        let line = crawl([server.url("/index.html").as_str(), "--since"])
            .args([&path])
            .run()
            .expect_usage_error();
        assert!(line.contains("--since") && line.contains(says), "{line}");
    }
    assert_eq!(server.total_hits(), 0, "nothing is crawled");
}

#[test]
fn diff_recrawl_revalidates_old_and_diffs_against_now() {
    let (site, server) = FixtureServer::start_copy_with_validators();
    let out = tempfile::tempdir().unwrap();
    let old = save_crawl(&server, DEPTH, "json", out.path(), "old.json");
    add_a_page(site.path());
    let saved = out.path().join("new.json");
    let sent = server.full_downloads().len();
    let run = crawl(["diff".as_ref(), old.as_os_str(), "--recrawl".as_ref()])
        .args([
            "-f".as_ref(),
            "json".as_ref(),
            "--save".as_ref(),
            saved.as_os_str(),
        ])
        .run()
        .expect_code(0);
    assert_eq!(server.full_downloads_after(sent), added());
    let changes: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(changes, diff(&old, &saved));
    assert_eq!(
        changes["pages_added"][0]["url"],
        server.url("/fresh.html"),
        "{changes}"
    );
    assert!(run.stderr.contains("1 new"), "{}", run.stderr);

    let sent = server.full_downloads().len();
    let again = crawl(["diff".as_ref(), saved.as_os_str(), "--recrawl".as_ref()])
        .args(["-f", "json"])
        .run()
        .expect_code(0);
    assert_eq!(server.full_downloads_after(sent), BTreeSet::new());
    assert!(unchanged(&serde_json::from_str(&again.stdout).unwrap()));
}

#[test]
fn redis_workers_revalidate_and_export_a_full_crawls_graph() {
    let (_site, server) = FixtureServer::start_copy_with_validators();
    let redis = RedisServer::start();
    let out = tempfile::tempdir().unwrap();
    let old = save_crawl(&server, DEPTH, "json", out.path(), "old.json");
    let seed = server.url("/index.html");
    let sent = server.full_downloads().len();
    let old_arg = old.to_str().unwrap();
    run_workers(&redis, 2, &seed, &["-d", "6", "--since", old_arg], &[]);
    assert_eq!(server.full_downloads_after(sent), BTreeSet::new());
    let new = out.path().join("new.json");
    crawl([
        "export",
        "--redis",
        &redis.url(),
        "--crawl-id",
        ID,
        "-f",
        "json",
        "-o",
    ])
    .args([&new])
    .run()
    .expect_code(0);
    assert!(unchanged(&diff(&old, &new)), "{}", diff(&old, &new));
    let export: Value = serde_json::from_str(&std::fs::read_to_string(&new).unwrap()).unwrap();
    assert_eq!(
        export["graph"]["stats"]["revalidated"], sent,
        "{}",
        export["graph"]
    );
}
