//! The exports are read by the tools they are for: Graphviz renders the DOT, networkx loads
//! the JSON and the GraphML with the same node and edge counts as the TSV.
//!
//! These tools are required, not optional: when one is missing the test fails with how to
//! install it, rather than passing without having checked anything.

use crawler_tests::FixtureServer;

use crate::support::{crawl, nodes_of, program, require_tool, tsv_edges};

/// Loads a node-link JSON file and a GraphML file; prints `nodes edges` for each.
const NETWORKX_SCRIPT: &str = r#"
import json, sys
import networkx as nx
with open(sys.argv[1]) as f:
    g = nx.node_link_graph(json.load(f), edges="links")
print(g.number_of_nodes(), g.number_of_edges(), g.is_directed())
h = nx.read_graphml(sys.argv[2])
print(h.number_of_nodes(), h.number_of_edges(), h.is_directed())
"#;

#[test]
fn graphviz_renders_the_dot_output() {
    require_tool("dot", &["-V"]);
    let server = FixtureServer::start();
    let dot = crawl([server.url("/index.html").as_str(), "-d", "1", "-f", "dot"])
        .run()
        .expect_code(0)
        .stdout;
    let svg = program("dot")
        .args(["-Tsvg"])
        .stdin(dot)
        .run()
        .expect_code(0);
    assert!(svg.stdout.contains("<svg"), "{}", svg.stdout);
    assert!(svg.stderr.is_empty(), "dot warnings: {}", svg.stderr);
}

#[test]
fn networkx_reads_json_and_graphml_with_the_tsv_counts() {
    require_tool("python3", &["-c", "import networkx"]);
    let server = FixtureServer::start();
    let seed = server.url("/index.html");
    let tsv = tsv_edges(
        &crawl([seed.as_str(), "-d", "1"])
            .run()
            .expect_code(0)
            .stdout,
    );
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("graph.json");
    let graphml = dir.path().join("graph.graphml");
    for (format, path) in [("json", &json), ("graphml", &graphml)] {
        crawl([
            seed.as_str(),
            "-d",
            "1",
            "-f",
            format,
            "-o",
            path.to_str().unwrap(),
        ])
        .run()
        .expect_code(0);
    }
    let out = program("python3")
        .args(["-c", NETWORKX_SCRIPT])
        .args([json.as_os_str(), graphml.as_os_str()])
        .run()
        .expect_code(0);
    let expected = format!("{} {} True", nodes_of(&tsv).len(), tsv.len());
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines,
        [expected.as_str(), expected.as_str()],
        "{}",
        out.stderr
    );
    assert_eq!(expected, "25 45 True");
}

/// PageRank of every node of a node-link JSON file by networkx, one `url<TAB>score` a line.
const PAGERANK_SCRIPT: &str = r#"
import json, sys
import networkx as nx
with open(sys.argv[1]) as f:
    g = nx.node_link_graph(json.load(f), edges="links")
for url, score in nx.pagerank(g, alpha=0.85, tol=1e-12, max_iter=1000).items():
    print(f"{url}\t{score!r}")
"#;

#[test]
fn pagerank_agrees_with_networkx() {
    require_tool("python3", &["-c", "import networkx, scipy"]);
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    let saved = crate::support::save_crawl(&server, 6, "json", dir.path(), "crawl.json");
    let theirs: std::collections::BTreeMap<String, f64> = program("python3")
        .args(["-c", PAGERANK_SCRIPT])
        .args([&saved])
        .run()
        .expect_code(0)
        .stdout
        .lines()
        .map(|l| {
            let (url, score) = l.split_once('\t').unwrap();
            (url.to_owned(), score.parse().unwrap())
        })
        .collect();
    let report = crawl([
        "report".as_ref(),
        saved.as_os_str(),
        "-f".as_ref(),
        "json".as_ref(),
        "--top".as_ref(),
        "1000".as_ref(),
    ])
    .run()
    .expect_code(0);
    let report: serde_json::Value = serde_json::from_str(&report.stdout).unwrap();
    let ours = report["structure"]["top_pagerank"].as_array().unwrap();
    assert_eq!(ours.len(), theirs.len(), "every node is ranked");
    assert_eq!(theirs.len(), crate::support::expected_nodes(&server).len());
    for entry in ours {
        let url = entry["url"].as_str().unwrap();
        let score = entry["value"].as_f64().unwrap();
        let expected = theirs[url];
        assert!(
            (score - expected).abs() < 1e-8,
            "{url}: ours {score}, networkx {expected}"
        );
    }
    assert!(report["structure"]["pagerank"]["converged"]
        .as_bool()
        .unwrap());
}

/// Reads a JUnit file with Python's XML parser the way JUnit consumers do: every
/// `testsuite//testcase`, with `classname`, `name` and whether it failed.
const JUNIT_SCRIPT: &str = r#"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
suites = root.findall("testsuite")
assert len(suites) == 1
suite = suites[0]
cases = suite.findall("testcase")
assert int(suite.get("tests")) == len(cases)
failed = [c for c in cases if c.find("failure") is not None]
assert int(suite.get("failures")) == len(failed)
for c in failed:
    print(c.get("classname") + "\t" + c.get("name") + "\t" + c.find("failure").get("message"))
"#;

#[test]
fn junit_lists_each_broken_link_as_a_failed_case() {
    require_tool("python3", &["-c", "import xml.etree.ElementTree"]);
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    let saved = crate::support::save_crawl(&server, 6, "junit", dir.path(), "junit.xml");
    let out = program("python3")
        .args(["-c", JUNIT_SCRIPT])
        .args([&saved])
        .run()
        .expect_code(0)
        .stdout;
    let got: std::collections::BTreeSet<String> = out.lines().map(str::to_owned).collect();
    let nodes = crate::support::expected_nodes(&server);
    let expected: std::collections::BTreeSet<String> = crate::support::expected_edges(&server, 6)
        .into_iter()
        .filter(|(_, t)| nodes[t].1 == "missing")
        .map(|(s, t)| format!("{s}\t{t}\tHTTP 404"))
        .collect();
    assert_eq!(expected.len(), 2, "the fixture's two links to 404s");
    assert_eq!(got, expected);
}
