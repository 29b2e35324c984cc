//! `crawl diff` on two crawls of a copy of the fixture site, with `a.html` deleted between
//! them. What must change is worked out here from the hand-written expected graph: the edges
//! of `a.html` go, the pages nothing else reaches go, depths follow a new BFS.

use crawler_tests::{copy_dir, FixtureServer, ServerOptions};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::support::{crawl, expected_depths, expected_edges, save_crawl, Edge};

const REMOVED: &str = "/a.html";

/// BFS depths from `seed` over `edges`.
fn bfs(seed: &str, edges: &BTreeSet<Edge>) -> BTreeMap<String, u32> {
    let mut depth = BTreeMap::from([(seed.to_owned(), 0)]);
    let mut queue = VecDeque::from([seed.to_owned()]);
    while let Some(page) = queue.pop_front() {
        let d = depth[&page];
        for (_, t) in edges.iter().filter(|(s, _)| *s == page) {
            if !depth.contains_key(t) {
                depth.insert(t.clone(), d + 1);
                queue.push_back(t.clone());
            }
        }
    }
    depth
}

fn strings(list: &Value, key: &str) -> BTreeSet<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v[key].as_str().unwrap().to_owned())
        .collect()
}

/// What deleting `removed` must change, from the expected graph: its out-links go, then
/// everything the seed no longer reaches, and depths follow a new BFS.
struct Expected {
    new_edges: BTreeSet<Edge>,
    pages_removed: BTreeSet<String>,
    links_removed: BTreeSet<String>,
    depth_changes: BTreeSet<String>,
}

fn expected(server: &FixtureServer, removed: &str) -> Expected {
    let seed = server.url("/index.html");
    let old_edges = expected_edges(server, 6);
    let old_depths = expected_depths(server);
    let kept: BTreeSet<Edge> = old_edges
        .iter()
        .filter(|(s, _)| s != removed)
        .cloned()
        .collect();
    let new_depths = bfs(&seed, &kept);
    let new_edges: BTreeSet<Edge> = kept
        .into_iter()
        .filter(|(s, _)| new_depths.contains_key(s))
        .collect();
    let pages_removed: BTreeSet<String> = old_depths
        .keys()
        .filter(|u| !new_depths.contains_key(*u))
        .cloned()
        .collect();
    let links_removed: BTreeSet<String> = old_edges
        .difference(&new_edges)
        .map(|(s, t)| format!("{s} {t}"))
        .collect();
    let depth_changes: BTreeSet<String> = new_depths
        .iter()
        .filter(|(u, d)| old_depths[*u] != **d)
        .map(|(u, _)| u.clone())
        .collect();
    Expected {
        new_edges,
        pages_removed,
        links_removed,
        depth_changes,
    }
}

#[test]
fn diff_after_deleting_a_page() {
    let site = tempfile::tempdir().unwrap();
    copy_dir(&crawler_tests::fixture_root(), site.path());
    let server = FixtureServer::start_with(ServerOptions {
        root: site.path().to_path_buf(),
        ..ServerOptions::default()
    });
    let out = tempfile::tempdir().unwrap();
    let old = save_crawl(&server, 6, "json", out.path(), "old.json");
    std::fs::remove_file(site.path().join(REMOVED.trim_start_matches('/'))).unwrap();
    let new = save_crawl(&server, 6, "json", out.path(), "new.json");

    let removed = server.url(REMOVED);
    let Expected {
        new_edges,
        pages_removed,
        links_removed,
        depth_changes,
    } = expected(&server, &removed);
    assert!(
        !pages_removed.is_empty() && !depth_changes.is_empty(),
        "the case exercises both"
    );

    let diff = crawl([
        "diff".as_ref(),
        old.as_os_str(),
        new.as_os_str(),
        "-f".as_ref(),
        "json".as_ref(),
    ])
    .run()
    .expect_code(0);
    let diff: Value = serde_json::from_str(&diff.stdout).unwrap();
    assert_eq!(diff["schema_version"], 1);
    assert_eq!(strings(&diff["pages_added"], "url"), BTreeSet::new());
    assert_eq!(strings(&diff["pages_removed"], "url"), pages_removed);
    assert_eq!(diff["links_added"].as_array().unwrap().len(), 0);
    let got: BTreeSet<String> = diff["links_removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            format!(
                "{} {}",
                l["source"].as_str().unwrap(),
                l["target"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(got, links_removed);
    assert_eq!(strings(&diff["depth_changes"], "url"), depth_changes);
    let change = &diff["status_changes"][0];
    assert_eq!(diff["status_changes"].as_array().unwrap().len(), 1);
    assert_eq!(
        (
            change["url"].as_str().unwrap(),
            &change["old_status"],
            &change["new_status"]
        ),
        (removed.as_str(), &Value::from(200), &Value::from(404))
    );
    // Newly broken: a.html, with every page still linking to it.
    let broken = &diff["new_broken"];
    assert_eq!(broken.as_array().unwrap().len(), 1);
    assert_eq!(broken[0]["url"], removed.as_str());
    let referrers: BTreeSet<String> = new_edges
        .iter()
        .filter(|(_, t)| *t == removed)
        .map(|(s, _)| s.clone())
        .collect();
    assert_eq!(strings(&broken[0]["referrers"], "url"), referrers);

    // CI: the flag fails on the new breakage. The reverse diff reports a.html fixed, and
    // fails too: missing.html, reachable only through a.html, comes back broken.
    let text = crawl([
        "diff".as_ref(),
        old.as_os_str(),
        new.as_os_str(),
        "--fail-on-new-broken".as_ref(),
    ])
    .run()
    .expect_code(1)
    .stdout;
    assert!(text.contains(&format!("{removed}  HTTP 404")), "{text}");
    let back = crawl([
        "diff".as_ref(),
        new.as_os_str(),
        old.as_os_str(),
        "--fail-on-new-broken".as_ref(),
        "-f".as_ref(),
        "markdown".as_ref(),
    ])
    .run()
    .expect_code(1)
    .stdout;
    assert!(
        back.contains("## Fixed") && back.contains(&format!("| {removed} | ok |")),
        "{back}"
    );
}

#[test]
fn identical_crawls_have_no_differences() {
    let server = FixtureServer::start();
    let out = tempfile::tempdir().unwrap();
    let a = save_crawl(&server, 2, "json", out.path(), "a.json");
    let b = save_crawl(&server, 2, "graphml", out.path(), "b.graphml");
    let diff = crawl([
        "diff".as_ref(),
        a.as_os_str(),
        b.as_os_str(),
        "-f".as_ref(),
        "json".as_ref(),
        "--fail-on-new-broken".as_ref(),
    ])
    .run()
    .expect_code(0);
    let diff: Value = serde_json::from_str(&diff.stdout).unwrap();
    for key in [
        "pages_added",
        "pages_removed",
        "links_added",
        "links_removed",
        "status_changes",
        "new_broken",
        "fixed",
        "depth_changes",
    ] {
        assert_eq!(diff[key].as_array().unwrap().len(), 0, "{key}");
    }
}
