//! JSON in the node-link form that networkx's `node_link_graph(data, edges="links")` and D3
//! read: `directed`, `multigraph`, `graph` (crawl metadata), `nodes` with `id` = URL, and
//! `links` with `source` and `target` URLs. With `check_fragments`, an edge also has
//! `fragments`: the distinct fragments of its links, each `{"name", "text", "broken"}` (the
//! name as the URL writes it, the text of the first link with it, `broken: true` when the
//! target page has no anchor of that name), left out when empty.
//!
//! The graph is never a multigraph: the crawler adds one anchor edge per (source, target), and
//! a redirect response has no body to link from.

use std::io::{self, Write};

use serde::Serialize;

use crate::graph::report::{CrawlReport, CrawlStats};
use crate::graph::{CrawlGraph, LinkKind, Page};
use petgraph::graph::EdgeIndex;

#[derive(Serialize)]
struct Document<'a> {
    directed: bool,
    multigraph: bool,
    graph: Meta<'a>,
    nodes: Vec<Node<'a>>,
    links: Vec<Edge<'a>>,
}

#[derive(Serialize)]
struct Meta<'a> {
    generator: &'static str,
    seeds: Vec<&'a str>,
    max_depth: u32,
    started: String,
    elapsed_secs: f64,
    stopped: &'static str,
    stats: &'a CrawlStats,
    /// What a later `--since` crawl checks before reusing links (see `since::link_rules`).
    #[serde(skip_serializing_if = "Option::is_none")]
    link_rules: Option<&'a str>,
}

#[derive(Serialize)]
struct Node<'a> {
    id: &'a str,
    state: &'static str,
    #[serde(flatten)]
    page: &'a Page,
}

#[derive(Serialize)]
struct Edge<'a> {
    source: &'a str,
    target: &'a str,
    kind: LinkKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rel: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    nofollow: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fragments: Vec<Fragment<'a>>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    rendered: bool,
}

/// A fragment of an edge as the JSON export, and GraphML's `fragments` value, write it.
#[derive(Serialize)]
pub(crate) struct Fragment<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    broken: bool,
}

/// The fragments of `edge` in their written form.
pub(crate) fn fragments(graph: &CrawlGraph, edge: EdgeIndex) -> Vec<Fragment<'_>> {
    graph
        .fragments(edge)
        .iter()
        .map(|f| Fragment {
            name: graph.fragment_name(f),
            text: graph.fragment_text(f),
            broken: f.broken,
        })
        .collect()
}

/// Writes the node-link JSON document (one line, no trailing newline).
///
/// # Errors
/// Any I/O error from `out`.
pub fn write_json(report: &CrawlReport, mut out: impl Write) -> io::Result<()> {
    let doc = Document {
        directed: true,
        // Two links of different kinds between the same pages (an `<a>` and an `<img>` to
        // one image) are two edges.
        multigraph: true,
        graph: Meta {
            generator: concat!("crawlgraph ", env!("CARGO_PKG_VERSION")),
            seeds: report.seeds.iter().map(url::Url::as_str).collect(),
            max_depth: report.max_depth,
            started: humantime::format_rfc3339_seconds(report.started_at).to_string(),
            elapsed_secs: report.stats.elapsed.as_secs_f64(),
            stopped: report.stopped.as_str(),
            stats: &report.stats,
            link_rules: report.link_rules.as_deref(),
        },
        nodes: report
            .graph
            .pages()
            .map(|page| Node {
                id: page.url.as_str(),
                state: crate::graph::state::page_state(page),
                page,
            })
            .collect(),
        links: report
            .graph
            .indexed_links()
            .map(|(edge, source, target, link)| Edge {
                source: source.url.as_str(),
                target: target.url.as_str(),
                kind: link.kind,
                text: report.graph.link_text(link),
                rel: report.graph.link_rel(link),
                nofollow: link.nofollow,
                fragments: fragments(&report.graph, edge),
                rendered: link.rendered,
            })
            .collect(),
    };
    serde_json::to_writer(&mut out, &doc)?;
    out.write_all(b"\n")?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::sample;

    #[test]
    fn node_link_document() {
        let mut out = Vec::new();
        write_json(&sample::report(), &mut out).unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(doc["directed"], true);
        assert_eq!(doc["multigraph"], true);
        assert_eq!(doc["graph"]["seeds"][0], "http://site.test/index.html");
        assert_eq!(doc["nodes"].as_array().unwrap().len(), 5);
        assert_eq!(doc["links"].as_array().unwrap().len(), 5);
        let missing = &doc["nodes"][2];
        assert_eq!(missing["id"], "http://site.test/missing");
        assert_eq!(missing["status"], 404);
        assert_eq!(missing["error"]["kind"], "http_status");
        assert_eq!(missing["state"], "error");
        assert_eq!(doc["nodes"][4]["skipped"], "out_of_scope");
        let first = &doc["links"][0];
        assert_eq!(first["source"], "http://site.test/index.html");
        assert_eq!(first["text"], "A \"quoted\"\ttext \\ back");
        assert_eq!(doc["links"][3]["kind"], "redirect");
    }
}
