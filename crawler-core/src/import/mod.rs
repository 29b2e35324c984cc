//! Reading a saved crawl back: the node-link JSON and the GraphML that the exporters write
//! become a [`CrawlReport`] again, so a crawl can be analysed (`crawl report FILE`) or compared
//! (`crawl diff`) without crawling again.
//!
//! The JSON keeps everything the analyses use: seeds, depth, status, error (with its kind),
//! skip reason, content type, bytes, fetch time, title, and each link's kind, text, `rel` and
//! fragments (with which are broken).
//! GraphML carries the same per page and per link; its seeds, maximum depth and stop reason
//! are graph-level `<data>` (files from before they were written fall back to the depth-0
//! pages as seeds), and its errors are stored as text and parsed back.
//!
//! # Architecture
//! - `json`: the node-link reader.
//! - `graphml`: the GraphML reader.

use std::time::SystemTime;

use url::Url;

use crate::graph::report::{CrawlReport, CrawlStats, StopReason};
use crate::graph::CrawlGraph;

mod graphml;
mod json;

/// Why a saved crawl could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The input is neither JSON (`{`) nor XML (`<`).
    #[error("not a crawl export: expected node-link JSON or GraphML")]
    UnknownFormat,
    /// The JSON is malformed or lacks a field.
    #[error("invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The XML is malformed.
    #[error("invalid GraphML: {0}")]
    Xml(#[from] roxmltree::Error),
    /// The document parses but does not describe a crawl graph.
    #[error("invalid crawl graph: {0}")]
    Invalid(String),
}

/// Reads a crawl from the bytes of a JSON or GraphML export, recognised by their first
/// non-blank character.
///
/// # Errors
/// [`ImportError`] when the input is not a well-formed export.
pub fn read(data: &[u8]) -> Result<CrawlReport, ImportError> {
    match data.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => json::read_json(data),
        Some(b'<') => graphml::read_graphml(data),
        _ => Err(ImportError::UnknownFormat),
    }
}

pub use graphml::read_graphml;
pub use json::read_json;

/// A fragment of an edge as the exports write it (see [`crate::export::json`]).
#[derive(serde::Deserialize)]
struct Fragment {
    name: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    broken: bool,
}

/// Adds an edge's fragments as a file lists them.
fn add_fragments(graph: &mut CrawlGraph, edge: petgraph::graph::EdgeIndex, list: &[Fragment]) {
    for f in list {
        graph.add_fragment(edge, &f.name, f.text.as_deref(), f.broken);
    }
}

/// Parses a URL of the document.
fn parse_url(text: &str) -> Result<Url, ImportError> {
    Url::parse(text).map_err(|e| ImportError::Invalid(format!("bad URL `{text}`: {e}")))
}

/// The parts of a report besides the graph.
struct Meta {
    seeds: Vec<Url>,
    max_depth: u32,
    stopped: StopReason,
    started_at: SystemTime,
    stats: CrawlStats,
    link_rules: Option<String>,
}

impl Meta {
    fn into_report(self, graph: CrawlGraph) -> CrawlReport {
        CrawlReport {
            graph,
            stats: self.stats,
            stopped: self.stopped,
            seeds: self.seeds,
            max_depth: self.max_depth,
            started_at: self.started_at,
            link_rules: self.link_rules,
        }
    }
}
