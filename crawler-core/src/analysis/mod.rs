//! What a crawl says about a site: broken links with every referrer, redirect chains, orphans,
//! depth, link structure (degrees, PageRank, strongly connected components) and duplicate
//! titles, computed from a [`CrawlReport`] alone.
//!
//! The analyses read the graph only and know nothing of fetching, so they run the same on a
//! live crawl and on one loaded back from its JSON or GraphML export ([`crate::import`]). The
//! result, [`Analysis`], serialises to the documented, versioned JSON schema
//! (`docs/report-schema.md`, [`SCHEMA_VERSION`]); [`render`] writes it as text or markdown and
//! [`crate::export::html`] as an interactive page.
//!
//! Lists that are findings (broken targets, redirect chains, orphans, dead ends, duplicate
//! titles) are complete; rankings (degrees, PageRank, deepest pages, pages linked from one
//! page) are cut to [`Options::top`] entries, with full counts beside them.
//!
//! # Architecture
//! - [`summary`]: pages by state, status and content type; bytes; fetch-time percentiles.
//! - [`depth`]: pages per click depth and the deepest pages.
//! - [`broken`]: broken targets with every referring page and its anchor text.
//! - [`redirects`]: redirect chains, loops, long chains, chains ending broken or out of scope.
//! - [`orphans`]: entry points nobody links to, dead ends, pages reached only by redirects.
//! - [`structure`]: in/out-degree, PageRank, strongly connected components.
//! - [`titles`]: duplicate titles among fetched HTML pages.
//! - [`diff`]: what changed between two crawls.
//! - [`render`]: text and markdown renderings of an analysis and of a diff.

use petgraph::graph::NodeIndex;
use serde::Serialize;

use crate::graph::report::CrawlReport;
use crate::graph::state::page_state;
use crate::graph::{CrawlGraph, Page};

pub mod broken;
pub mod depth;
pub mod diff;
pub mod orphans;
pub mod redirects;
pub mod render;
pub mod structure;
pub mod summary;
pub mod titles;

#[cfg(test)]
pub(crate) mod testgraph;

/// The version of the JSON schema of [`Analysis`] and [`diff::GraphDiff`]. It changes only when
/// a field is removed or changes meaning; new fields may appear within a version.
pub const SCHEMA_VERSION: u32 = 1;

/// How many entries a ranking keeps by default.
pub const DEFAULT_TOP: usize = 10;

/// Settings of [`analyse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// How many entries each ranking keeps. Default: [`DEFAULT_TOP`].
    pub top: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self { top: DEFAULT_TOP }
    }
}

impl Options {
    /// Options keeping `top` entries per ranking.
    pub fn with_top(top: usize) -> Self {
        Self { top }
    }
}

/// Every analysis of one crawl. Serialises to schema [`SCHEMA_VERSION`].
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Analysis {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Counts, status codes, content types, sizes and times.
    pub summary: summary::Summary,
    /// Pages per click depth and the deepest pages.
    pub depth: depth::DepthReport,
    /// Broken targets and who links to them.
    pub broken: broken::BrokenReport,
    /// Redirect chains.
    pub redirects: redirects::RedirectReport,
    /// Orphans, dead ends and pages reached only through redirects.
    pub orphans: orphans::OrphanReport,
    /// Degrees, PageRank and strongly connected components.
    pub structure: structure::StructureReport,
    /// Duplicate titles.
    pub titles: titles::TitleReport,
}

/// Runs every analysis on `report`. Linear in pages and links, except PageRank (at most
/// [`structure::PAGERANK_MAX_ITERATIONS`] passes over the links).
pub fn analyse(report: &CrawlReport, options: &Options) -> Analysis {
    let graph = &report.graph;
    Analysis {
        schema_version: SCHEMA_VERSION,
        summary: summary::summarise(report),
        depth: depth::depths(graph, options.top),
        broken: broken::broken(graph),
        redirects: redirects::chains(graph),
        orphans: orphans::orphans(report),
        structure: structure::structure(graph, options.top),
        titles: titles::duplicates(graph),
    }
}

/// A page as the analyses list it: URL, state and what the crawl recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PageRef {
    /// The URL.
    pub url: String,
    /// `ok`, `error`, `redirect`, `unvisited`, or why it was skipped (see the exports).
    pub state: &'static str,
    /// HTTP status, if a response arrived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The page error as text, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Click depth.
    pub depth: u32,
}

impl PageRef {
    /// The reference for `page`.
    pub fn of(page: &Page) -> Self {
        Self {
            url: page.url.to_string(),
            state: page_state(page),
            status: page.status,
            error: page.error.as_ref().map(ToString::to_string),
            depth: page.depth,
        }
    }

    /// The reference for the page at `index` of `graph`.
    ///
    /// # Panics
    /// If `index` is not a node of `graph`.
    pub fn at(graph: &CrawlGraph, index: NodeIndex) -> Self {
        Self::of(&graph.as_petgraph()[index])
    }
}

/// Whether a page was fetched as HTML with a 2xx status (the pages links are taken from).
pub(crate) fn is_html_ok(page: &Page) -> bool {
    page.error.is_none()
        && page.status.is_some_and(|s| (200..300).contains(&s))
        && page
            .content_type
            .as_deref()
            .is_some_and(|ct| media_type(ct) == "text/html")
}

/// The media type of a `Content-Type` value: lower case, without parameters.
pub(crate) fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}
