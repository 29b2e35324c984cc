//! Every output format on the fixture site, checked against the hand-written expected graph
//! (`fixtures/site.expected.tsv` cut to the depth limit), not against the crawler's own output.

use std::collections::{BTreeMap, BTreeSet};

use crawler_tests::FixtureServer;

use crate::support::{crawl, expected_depths, expected_edges, nodes_of, tsv_edges, Edge};

/// `crawl SEED --depth DEPTH --format FORMAT` on the fixture site; returns stdout.
fn export(server: &FixtureServer, depth: u32, format: &str) -> String {
    crawl([
        server.url("/index.html").as_str(),
        "--depth",
        &depth.to_string(),
        "--format",
        format,
    ])
    .run()
    .expect_code(0)
    .stdout
}

#[test]
fn tsv_edges_match_the_expected_graph_at_each_depth() {
    let server = FixtureServer::start();
    let counts = [(0, 10), (1, 45), (2, 77)];
    for (depth, count) in counts {
        let edges = tsv_edges(&export(&server, depth, "tsv"));
        let expected = expected_edges(&server, depth);
        assert_eq!(
            expected.len(),
            count,
            "fixture README edge count at {depth}"
        );
        assert_eq!(edges, expected, "edges at --depth {depth}");
    }
}

#[test]
fn tsv_is_the_default_format() {
    let server = FixtureServer::start();
    let out = crawl([server.url("/index.html").as_str(), "-d", "1"])
        .run()
        .expect_code(0);
    assert_eq!(tsv_edges(&out.stdout), expected_edges(&server, 1));
}

#[test]
fn tsv_nodes_are_the_pages_up_to_one_past_the_depth() {
    let server = FixtureServer::start();
    let nodes = nodes_of(&tsv_edges(&export(&server, 1, "tsv")));
    let expected: BTreeSet<String> = expected_depths(&server)
        .into_iter()
        .filter(|(_, depth)| *depth <= 2)
        .map(|(url, _)| url)
        .collect();
    assert_eq!(nodes.len(), 25);
    assert_eq!(nodes, expected);
}

#[test]
fn dot_has_the_expected_edges() {
    let server = FixtureServer::start();
    let dot = export(&server, 1, "dot");
    assert!(dot.starts_with("digraph"), "{dot}");
    assert!(dot.trim_end().ends_with('}'));
    // Node lines carry the URL attribute; edge lines name node ids.
    let mut urls = BTreeMap::new();
    let mut edges = BTreeSet::new();
    for line in dot.lines().map(str::trim) {
        if let Some((from, to)) = line.split_once(" -> ") {
            let to = to.split([' ', ';']).next().unwrap();
            edges.insert((from.to_owned(), to.to_owned()));
        } else if let Some((id, attrs)) = line.split_once(" [") {
            if let Some(url) = attrs.split("URL=\"").nth(1) {
                let url = url.split('"').next().unwrap();
                urls.insert(id.to_owned(), url.to_owned());
            }
        }
    }
    assert_eq!(urls.len(), 25, "nodes");
    let edges: BTreeSet<Edge> = edges
        .into_iter()
        .map(|(s, t)| (urls[&s].clone(), urls[&t].clone()))
        .collect();
    assert_eq!(edges, expected_edges(&server, 1));
}

#[test]
fn json_counts_and_edges_match_tsv() {
    let server = FixtureServer::start();
    let tsv = tsv_edges(&export(&server, 1, "tsv"));
    let json: serde_json::Value =
        serde_json::from_str(&export(&server, 1, "json")).expect("valid JSON");
    let nodes = json["nodes"].as_array().expect("nodes array");
    let links = json["links"].as_array().expect("links array");
    assert_eq!(nodes.len(), nodes_of(&tsv).len());
    assert_eq!(links.len(), tsv.len());
    let ids: BTreeSet<String> = nodes
        .iter()
        .map(|n| n["id"].as_str().expect("string id").to_owned())
        .collect();
    assert_eq!(ids, nodes_of(&tsv));
    let edges: BTreeSet<Edge> = links
        .iter()
        .map(|l| {
            let end = |k: &str| l[k].as_str().expect("string end").to_owned();
            (end("source"), end("target"))
        })
        .collect();
    assert_eq!(edges, tsv);
    assert_eq!(json["graph"]["stopped"], "completed");
    assert_eq!(json["graph"]["max_depth"], 1);
}

#[test]
fn graphml_is_well_formed_with_the_expected_edges() {
    let server = FixtureServer::start();
    let xml = export(&server, 1, "graphml");
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.trim_end().ends_with("</graphml>"));
    assert_eq!(xml.matches("<node ").count(), 25);
    assert_eq!(
        xml.matches("<node ").count(),
        xml.matches("</node>").count()
    );
    assert_eq!(xml.matches("<edge ").count(), 45);
    assert_eq!(
        xml.matches("<edge ").count(),
        xml.matches("</edge>").count()
    );
    let unescape = |s: &str| s.replace("&amp;", "&");
    let mut urls = BTreeMap::new();
    let mut edges = BTreeSet::new();
    for line in xml.lines().map(str::trim) {
        let attr = |name: &str| {
            line.split(&format!("{name}=\""))
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .map(str::to_owned)
        };
        if line.starts_with("<node ") {
            let url = line
                .split("<data key=\"url\">")
                .nth(1)
                .and_then(|rest| rest.split("</data>").next())
                .expect("node has a url");
            urls.insert(attr("id").unwrap(), unescape(url));
        } else if line.starts_with("<edge ") {
            edges.insert((attr("source").unwrap(), attr("target").unwrap()));
        }
    }
    let edges: BTreeSet<Edge> = edges
        .into_iter()
        .map(|(s, t)| (urls[&s].clone(), urls[&t].clone()))
        .collect();
    assert_eq!(edges, expected_edges(&server, 1));
}
