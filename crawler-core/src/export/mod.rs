//! Writing the graph out: Graphviz DOT, TSV, JSON node-link and GraphML.
//!
//! Every writer is a pure function of the report and a `Write`; output order is deterministic
//! (nodes in discovery order, edges in insertion order, both fixed by the crawl loop). Each
//! format does its own escaping rather than rely on a library's `Debug` output, whose exact form
//! may change.
//!
//! # Architecture
//! - [`tsv`]: `source_url<TAB>parsed_url` edges (the areq.py format) and a node table.
//! - [`dot`]: Graphviz, styled for `dot -Tsvg` with clickable nodes.
//! - [`json`]: the node-link document read by networkx and D3.
//! - [`graphml`]: typed GraphML for networkx, Gephi and yEd.
//! - [`html`]: the self-contained interactive report (sigma.js graph, charts, tables).
//! - [`junit`]: JUnit XML, one failed test case per broken link, for CI.

use std::io::{self, Write};
use std::str::FromStr;

use crate::graph::report::CrawlReport;

pub use crate::graph::state::page_state;

pub mod dot;
pub mod graphml;
pub mod html;
pub mod json;
pub mod junit;
pub mod tsv;

/// An output format for the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExportFormat {
    /// Graphviz DOT.
    Dot,
    /// Tab-separated edges, `source_url<TAB>parsed_url`.
    Tsv,
    /// Node-link JSON (networkx `node_link_graph(data, edges="links")`, D3).
    Json,
    /// GraphML with typed attributes.
    GraphMl,
    /// JUnit XML, one failed test case per broken link.
    Junit,
    /// The self-contained interactive HTML report.
    Html,
}

impl ExportFormat {
    /// All formats, in the order the CLI lists them.
    pub const ALL: [ExportFormat; 6] = [
        Self::Dot,
        Self::Tsv,
        Self::Json,
        Self::GraphMl,
        Self::Junit,
        Self::Html,
    ];

    /// The format's name as the CLI spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Dot => "dot",
            Self::Tsv => "tsv",
            Self::Json => "json",
            Self::GraphMl => "graphml",
            Self::Junit => "junit",
            Self::Html => "html",
        }
    }
}

impl std::fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The error for an unknown format name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format `{0}` (expected dot, tsv, json, graphml, junit or html)")]
pub struct UnknownFormat(pub String);

impl FromStr for ExportFormat {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownFormat(s.to_owned()))
    }
}

/// Writes `report`'s graph to `out` in `format`. Wrap `out` in a `BufWriter` for files and pipes.
///
/// # Errors
/// Any I/O error from `out`.
pub fn write(report: &CrawlReport, format: ExportFormat, out: impl Write) -> io::Result<()> {
    match format {
        ExportFormat::Dot => dot::write_dot(report, out),
        ExportFormat::Tsv => tsv::write_tsv(report, out),
        ExportFormat::Json => json::write_json(report, out),
        ExportFormat::GraphMl => graphml::write_graphml(report, out),
        ExportFormat::Junit => junit::write_junit(report, out),
        ExportFormat::Html => html::write_html(report, out),
    }
}

#[cfg(test)]
pub(crate) mod sample;
