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
