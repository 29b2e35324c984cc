//! The interactive HTML report: ONE self-contained file that opens offline in any browser.
//!
//! The page inlines its CSS, its script, the vendored sigma.js (WebGL graph drawing) and
//! graphology (its graph model) from `assets/vendor/` (see `scripts/vendor-js.sh` for the
//! pinned versions and licences), and the data: pages as columns (URL, state, status, depth,
//! position, PageRank, title), links as a flat array of node indices, and the [`Analysis`]
//! in its documented JSON form. Nothing is fetched, so it works from `file://` with the
//! network off.
//!
//! It shows the graph (zoom, pan, colour by state, status or depth, size by PageRank, search
//! a URL, click a page to list its in- and out-links), the depth histogram as an SVG chart,
//! and sortable tables: broken links with every referrer, redirect chains, orphans and dead
//! ends, top pages.
//!
//! Scale: positions come from `layout` (a radial tree by depth), so the first frame needs no
//! force layout. Above [`EDGE_DRAW_LIMIT`] links, edges are not drawn all at once, only those
//! of the selected page: 400k WebGL edges make panning sluggish and the picture a grey disc.
//!
//! Everything from the crawl (URLs, titles, anchor texts) reaches the page as JSON data inside
//! a `<script type="application/json">` with every `<` escaped, and the script only ever sets
//! `textContent`, so a hostile title cannot inject markup.
//!
//! # Architecture
//! - `layout`: node positions.
//! - `page.html`, `app.js`, `style.css`: the page, its script and style.

use std::io::{self, Write};

use serde::Serialize;

use crate::analysis::structure::pagerank;
use crate::analysis::{analyse, Analysis, Options};
use crate::graph::report::CrawlReport;
use crate::graph::state::page_state;
use crate::graph::LinkKind;

mod layout;

/// Above this many links, edges are drawn only for the selected page.
pub const EDGE_DRAW_LIMIT: usize = 50_000;

const PAGE: &str = include_str!("page.html");
const STYLE: &str = include_str!("style.css");
const APP: &str = include_str!("app.js");
const GRAPHOLOGY: &str = include_str!("../../../assets/vendor/graphology.umd.min.js");
const SIGMA: &str = include_str!("../../../assets/vendor/sigma.min.js");

#[derive(Serialize)]
struct Data<'a> {
    generator: &'static str,
    edge_draw_limit: usize,
    states: Vec<&'static str>,
    nodes: Columns<'a>,
    /// `[source0, target0, source1, target1, ...]`.
    edges: Vec<u32>,
    /// Indices (into the link list) of redirect edges.
    redirects: Vec<u32>,
    analysis: &'a Analysis,
}

#[derive(Serialize, Default)]
struct Columns<'a> {
    url: Vec<&'a str>,
    state: Vec<u8>,
    status: Vec<Option<u16>>,
    depth: Vec<u32>,
    x: Vec<f32>,
    y: Vec<f32>,
    /// PageRank times the page count (1 = average), three decimals.
    pr: Vec<f32>,
    title: Vec<Option<&'a str>>,
}

/// Writes the HTML report of `report`, running the analyses with default options.
///
/// # Errors
/// Any I/O error from `out`.
pub fn write_html(report: &CrawlReport, out: impl Write) -> io::Result<()> {
    write_html_with(report, &analyse(report, &Options::default()), out)
}

/// Writes the HTML report of `report` with an analysis already made of it.
///
/// # Errors
/// Any I/O error from `out`.
pub fn write_html_with(
    report: &CrawlReport,
    analysis: &Analysis,
    mut out: impl Write,
) -> io::Result<()> {
    let data = data(report, analysis);
    let mut json = serde_json::to_string(&data)?;
    // `<` only occurs inside JSON strings, where `\u003c` means the same: no `</script>`.
    if json.contains('<') {
        json = json.replace('<', "\\u003c");
    }
    let title = report.seeds.first().map_or_else(
        || "crawl".to_owned(),
        |s| s.host_str().unwrap_or("crawl").to_owned(),
    );
    let mut chunks = PAGE.split("{{");
    out.write_all(chunks.next().unwrap_or_default().as_bytes())?;
    for chunk in chunks {
        let (marker, text) = chunk.split_once("}}").unwrap_or(("", chunk));
        match marker {
            "STYLE" => out.write_all(STYLE.as_bytes())?,
            "GRAPHOLOGY" => out.write_all(GRAPHOLOGY.as_bytes())?,
            "SIGMA" => out.write_all(SIGMA.as_bytes())?,
            "APP" => out.write_all(APP.as_bytes())?,
            "DATA" => out.write_all(json.as_bytes())?,
            "TITLE" => out.write_all(super::graphml::escape(&title).as_bytes())?,
            // Not a marker (the unit test checks that none is left): write it back.
            other => write!(out, "{{{{{other}}}}}")?,
        }
        out.write_all(text.as_bytes())?;
    }
    out.flush()
}

#[expect(
    clippy::cast_possible_truncation,
    reason = "positions and ranks are drawn as f32"
)]
#[expect(clippy::cast_precision_loss, reason = "page counts are far below 2^52")]
fn data<'a>(report: &'a CrawlReport, analysis: &'a Analysis) -> Data<'a> {
    let graph = &report.graph;
    let positions = layout::radial(graph);
    let rank = pagerank(graph);
    let n = graph.page_count() as f64;
    let mut states: Vec<&'static str> = Vec::new();
    let mut nodes = Columns::default();
    for ((index, page), (x, y)) in graph.indexed_pages().zip(positions) {
        let state = page_state(page);
        let id = states.iter().position(|s| *s == state).unwrap_or_else(|| {
            states.push(state);
            states.len() - 1
        });
        nodes.url.push(page.url.as_str());
        nodes
            .state
            .push(u8::try_from(id).expect("fewer than 256 states"));
        nodes.status.push(page.status);
        nodes.depth.push(page.depth);
        nodes.x.push(((x * 100.0).round() / 100.0) as f32);
        nodes.y.push(((y * 100.0).round() / 100.0) as f32);
        nodes
            .pr
            .push(((rank.scores[index.index()] * n * 1000.0).round() / 1000.0) as f32);
        nodes.title.push(page.title.as_deref());
    }
    let raw = graph.as_petgraph().raw_edges();
    let index = |i: usize| u32::try_from(i).expect("petgraph indices are u32");
    Data {
        generator: concat!("crawlgraph ", env!("CARGO_PKG_VERSION")),
        edge_draw_limit: EDGE_DRAW_LIMIT,
        states,
        nodes,
        edges: raw
            .iter()
            .flat_map(|e| [index(e.source().index()), index(e.target().index())])
            .collect(),
        redirects: raw
            .iter()
            .enumerate()
            .filter(|(_, e)| e.weight.kind == LinkKind::Redirect)
            .map(|(i, _)| index(i))
            .collect(),
        analysis,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::sample;

    #[test]
    fn one_file_without_external_resources() {
        let mut out = Vec::new();
        write_html(&sample::report(), &mut out).unwrap();
        let html = String::from_utf8(out).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(!html.contains("{{"), "every marker is filled");
        for external in ["src=\"http", "href=\"http", "<link ", "@import", "url(http"] {
            assert!(!html.contains(external), "{external}");
        }
        // The error catcher, one script per vendored library, the data, and the app.
        assert_eq!(html.matches("</script>").count(), 5);
    }

    #[test]
    fn hostile_text_cannot_close_the_data_script() {
        let mut report = sample::report();
        let index = report.graph.indexed_pages().next().unwrap().0;
        report.graph.page_mut(index).title = Some("</script><script>alert(1)</script>".into());
        let mut out = Vec::new();
        write_html(&report, &mut out).unwrap();
        let html = String::from_utf8(out).unwrap();
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("\\u003c/script>\\u003cscript>alert(1)"));
        assert_eq!(html.matches("</script>").count(), 5);
    }
}
