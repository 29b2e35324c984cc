//! Streaming output: each page handed to a sink as it is folded, instead of kept in a graph.
//!
//! A crawl of millions of pages need not hold its graph: with
//! [`Crawler::crawl_streaming`](crate::Crawler::crawl_streaming), the
//! [`GraphBuilder`](crate::GraphBuilder) hands every folded page to a [`FoldSink`] as a [`FoldedPage`] (the
//! page, its state and its out-links) and keeps only what the crawl needs to go on: the seen
//! set and the frontier. Pages come in fold order, the order the batch graph adds them, so the
//! edges written here are the batch export's edges in the same order.
//!
//! [`write_jsonl`] and [`write_tsv_edges`] are the two line formats (`crawl --format jsonl`,
//! `crawl --stream --format tsv`).

use std::io::{self, Write};

use serde::Serialize;
use url::Url;

pub use crate::export::tsv::{TSV_HEADER, TSV_KIND_HEADER};

use crate::error::PageError;
use crate::graph::{LinkKind, SkipReason};
use crate::outcome::FoundLink;

/// Receives each page as it is folded, in fold order.
pub type FoldSink = Box<dyn FnMut(&FoldedPage<'_>) + Send>;

/// One page as folded: a fetched URL (each hop of a redirect chain is one), or a frontier URL
/// robots.txt kept from being fetched. Its out-links are the edges the batch graph adds from
/// it, in the same order.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct FoldedPage<'a> {
    /// The normalised URL.
    pub url: &'a Url,
    /// Breadth-first depth.
    pub depth: u32,
    /// The HTTP status, if a response arrived.
    pub status: Option<u16>,
    /// The one-word state, as in the exports (`ok`, `error`, `redirect`, `robots_txt`).
    pub state: &'static str,
    /// Why the fetch failed, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'a PageError>,
    /// The `<title>` of an HTML page.
    pub title: Option<&'a str>,
    /// The out-links, in document order (a redirect is the one link of its hop).
    pub links: Vec<FoldedLink<'a>>,
}

/// An out-link of a [`FoldedPage`].
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct FoldedLink<'a> {
    /// The normalised target URL.
    pub url: &'a Url,
    /// What kind of link it is (as the batch graph's [`Link::kind`](crate::Link::kind)).
    pub kind: LinkKind,
    /// The anchor text, or the `hreflang` of an alternate link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<&'a str>,
    /// The `rel` attribute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rel: Option<&'a str>,
    /// The source page's robots directives said `nofollow` (written only when true).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub nofollow: bool,
    /// Only the rendered DOM had this link (written only when true).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rendered: bool,
}

impl<'a> FoldedLink<'a> {
    /// The redirect of a hop to `target`.
    pub(crate) fn redirect(target: &'a Url) -> Self {
        Self {
            url: target,
            kind: LinkKind::Redirect,
            text: None,
            rel: None,
            nofollow: false,
            rendered: false,
        }
    }

    /// A link found in a page whose robots directives said `nofollow` or not.
    pub(crate) fn found(link: &'a FoundLink, nofollow: bool) -> Self {
        Self {
            url: &link.url,
            kind: link.kind,
            text: link.text.as_deref(),
            rel: link.rel.as_deref(),
            nofollow,
            rendered: link.rendered,
        }
    }
}

impl<'a> FoldedPage<'a> {
    /// A page with its state worked out as the exports do.
    pub(crate) fn new(
        url: &'a Url,
        depth: u32,
        status: Option<u16>,
        error: Option<&'a PageError>,
        skipped: Option<SkipReason>,
    ) -> Self {
        Self {
            url,
            depth,
            status,
            state: crate::graph::state::state(error.is_some(), skipped, status),
            error,
            title: None,
            links: Vec::new(),
        }
    }
}

/// Writes `page` as one JSON line: `{"url", "depth", "status", "state", ["error",] "title",
/// "links": [{"url", "kind", ["text",] ["rel",] ["nofollow": true]}]}`.
///
/// # Errors
/// Any I/O error from `out`.
pub fn write_jsonl(page: &FoldedPage<'_>, mut out: impl Write) -> io::Result<()> {
    serde_json::to_writer(&mut out, page)?;
    out.write_all(b"\n")
}

/// Writes the out-links of `page` as `source_url<TAB>parsed_url` lines, the lines of the TSV
/// export (whose header is [`TSV_HEADER`]).
///
/// # Errors
/// Any I/O error from `out`.
pub fn write_tsv_edges(page: &FoldedPage<'_>, mut out: impl Write) -> io::Result<()> {
    for link in &page.links {
        crate::export::tsv::line(&mut out, &[page.url.as_str(), link.url.as_str()])?;
    }
    Ok(())
}

/// Writes the out-links of `page` as `source_url<TAB>parsed_url<TAB>kind` lines, the lines of
/// the TSV export with kinds (whose header is [`TSV_KIND_HEADER`]).
///
/// # Errors
/// Any I/O error from `out`.
pub fn write_tsv_edges_with_kind(page: &FoldedPage<'_>, mut out: impl Write) -> io::Result<()> {
    for link in &page.links {
        let fields = [page.url.as_str(), link.url.as_str(), link.kind.as_str()];
        crate::export::tsv::line(&mut out, &fields)?;
    }
    Ok(())
}
