//! `crawl report` on a saved crawl of the fixture site and `crawl --report` on a live one.
//! Every number is checked against the hand-written expected graph (`fixtures/`), not
//! against the crawler's own output.

use std::collections::{BTreeMap, BTreeSet};

use crawler_tests::FixtureServer;
use serde_json::Value;

use crate::support::{crawl, expected_edges, expected_nodes, save_crawl, tsv_edges};

/// Deep enough for the whole fixture graph (max BFS depth 5).
const FULL: u32 = 6;

fn report_json(path: &std::path::Path) -> Value {
    let out = crawl([
        "report".as_ref(),
        path.as_os_str(),
        "-f".as_ref(),
        "json".as_ref(),
    ])
    .run()
    .expect_code(0);
    serde_json::from_str(&out.stdout).expect("the report is JSON")
}

#[test]
fn report_numbers_equal_the_expected_graph() {
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    let saved = save_crawl(&server, FULL, "json", dir.path(), "crawl.json");
    let report = report_json(&saved);
    let nodes = expected_nodes(&server);
    let edges = expected_edges(&server, FULL);
    assert_eq!(report["schema_version"], 1);

    let summary = &report["summary"];
    assert_eq!(summary["pages"], nodes.len());
    assert_eq!(summary["links"], edges.len());
    let kinds = |kind: &str| nodes.values().filter(|(_, k)| k == kind).count();
    assert_eq!(summary["by_status"]["404"], kinds("missing"));
    assert_eq!(summary["by_state"]["out_of_scope"], kinds("external"));
    assert_eq!(summary["by_state"]["not_followed"], kinds("resource"));
    assert_eq!(
        summary["fetched"],
        nodes.len() - kinds("external") - kinds("resource")
    );

    // Pages per depth: 1, 9, 15, 4, 1, 2, from the expected node table (map.html's stylesheet,
    // script and image are depth 2).
    let mut per_depth = BTreeMap::new();
    for (depth, _) in nodes.values() {
        *per_depth.entry(u64::from(*depth)).or_insert(0u64) += 1;
    }
    let histogram: BTreeMap<u64, u64> = report["depth"]["histogram"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["depth"].as_u64().unwrap(), c["pages"].as_u64().unwrap()))
        .collect();
    assert_eq!(histogram, per_depth);
    assert_eq!(
        per_depth.values().copied().collect::<Vec<_>>(),
        [1, 9, 15, 4, 1, 2]
    );

    // Broken: the `missing` nodes, each with every source that links to it.
    let broken = &report["broken"];
    let mut expected_broken = BTreeMap::new();
    for (url, (_, kind)) in &nodes {
        if kind == "missing" {
            let sources: BTreeSet<String> = edges
                .iter()
                .filter(|(_, t)| t == url)
                .map(|(s, _)| s.clone())
                .collect();
            expected_broken.insert(url.clone(), sources);
        }
    }
    let got: BTreeMap<String, BTreeSet<String>> = broken["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let referrers = t["referrers"].as_array().unwrap();
            for r in referrers {
                assert!(r["text"].as_str().is_some_and(|t| !t.is_empty()), "{r}");
            }
            let urls = referrers
                .iter()
                .map(|r| r["url"].as_str().unwrap().to_owned());
            (t["url"].as_str().unwrap().to_owned(), urls.collect())
        })
        .collect();
    assert_eq!(got, expected_broken);
    assert_eq!(broken["broken_pages"], expected_broken.len());
    let links: usize = expected_broken.values().map(BTreeSet::len).sum();
    assert_eq!(broken["broken_links"], links);

    // The most linked-to page and its in-degree, from the expected edges (self-links aside).
    let mut in_degree: BTreeMap<&str, u64> = BTreeMap::new();
    for (s, t) in edges.iter().filter(|(s, t)| s != t) {
        let _ = s;
        *in_degree.entry(t).or_default() += 1;
    }
    let most = in_degree.values().max().copied().unwrap();
    let top = &report["structure"]["top_in_degree"][0];
    assert_eq!(top["value"].as_f64().unwrap().to_string(), most.to_string());
    assert_eq!(in_degree[top["url"].as_str().unwrap()], most);
    // The fixture has no redirects, no orphans (one seed), and these dead ends: none.
    assert_eq!(report["redirects"]["chains"], 0);
    assert_eq!(report["orphans"]["orphans"].as_array().unwrap().len(), 0);
    assert_eq!(report["orphans"]["entry_points"], 1);
}

#[test]
fn graphml_and_json_give_the_same_report() {
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    let json = save_crawl(&server, FULL, "json", dir.path(), "crawl.json");
    let graphml = save_crawl(&server, FULL, "graphml", dir.path(), "crawl.graphml");
    let mut a = report_json(&json);
    let mut b = report_json(&graphml);
    // Two crawls have different timings; everything else must agree.
    for r in [&mut a, &mut b] {
        r["summary"]["fetch_ms"] = Value::Null;
    }
    assert_eq!(a, b);
}

#[test]
fn text_and_markdown_reports() {
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    let saved = save_crawl(&server, FULL, "json", dir.path(), "crawl.json");
    let missing = server.url("/missing.html");
    let text = crawl(["report".as_ref(), saved.as_os_str()])
        .run()
        .expect_code(0)
        .stdout;
    assert!(
        !text.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
    let row = text
        .lines()
        .find(|l| l.contains(missing.as_str()))
        .expect("the broken page is listed");
    assert!(row.contains("HTTP 404") && row.contains("/a.html"), "{row}");
    assert!(
        text.lines().all(|l| l == l.trim_end()),
        "no trailing blanks"
    );

    let md_path = dir.path().join("report.md");
    crawl([
        "report".as_ref(),
        saved.as_os_str(),
        "-f".as_ref(),
        "markdown".as_ref(),
        "-o".as_ref(),
        md_path.as_os_str(),
    ])
    .run()
    .expect_code(0);
    let md = std::fs::read_to_string(md_path).unwrap();
    assert!(md.starts_with("# Crawl report\n"), "{md}");
    assert!(md.contains("| broken target | problem | linked from | anchor text |"));
    assert!(md.contains(&format!("| {missing} | HTTP 404 |")), "{md}");
}

#[test]
fn live_report_leaves_the_graph_on_stdout() {
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    let report_path = dir.path().join("report.json");
    let seed = server.url("/index.html");
    let out = crawl([
        seed.as_str(),
        "-q",
        "-d",
        "1",
        "--report",
        "json",
        "--report-output",
    ])
    .args([&report_path])
    .run()
    .expect_code(0);
    assert_eq!(tsv_edges(&out.stdout), expected_edges(&server, 1));
    let report: Value = serde_json::from_slice(&std::fs::read(&report_path).unwrap()).unwrap();
    assert_eq!(report["summary"]["links"], expected_edges(&server, 1).len());

    // Without --report-output the report goes to stderr.
    let out = crawl([seed.as_str(), "-q", "-d", "1", "--report", "markdown"])
        .run()
        .expect_code(0);
    assert_eq!(tsv_edges(&out.stdout), expected_edges(&server, 1));
    assert!(out.stderr.starts_with("# Crawl report\n"), "{}", out.stderr);
}

#[test]
fn bad_report_inputs_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.json");
    let line = crawl(["report".as_ref(), missing.as_os_str()])
        .run()
        .expect_usage_error();
    assert!(line.contains("cannot read"), "{line}");
    let tsv = dir.path().join("graph.tsv");
    std::fs::write(&tsv, "source_url\tparsed_url\n").unwrap();
    let line = crawl(["report".as_ref(), tsv.as_os_str()])
        .run()
        .expect_usage_error();
    assert!(line.contains("not a crawl export"), "{line}");
    let line = crawl(["report", "-"])
        .stdin("{\"nodes\": 1}")
        .run()
        .expect_usage_error();
    assert!(line.contains("invalid JSON"), "{line}");
    let line = crawl(["http://127.0.0.1:9/", "--report-output", "r.txt"])
        .run()
        .expect_usage_error();
    assert!(line.contains("--report"), "{line}");
}
