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

use petgraph::graph::NodeIndex;
use serde::Serialize;
use url::Url;

use crate::error::PageError;
use crate::graph::{LinkKind, SkipReason};
use crate::outcome::PageOutcome;
use crate::report::CrawlStats;
use crate::scope::SeedScope;

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
    /// Anchor or redirect.
    pub kind: LinkKind,
    /// The anchor text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<&'a str>,
    /// The `rel` attribute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rel: Option<&'a str>,
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
            state: crate::export::state(error.is_some(), skipped, status),
            error,
            title: None,
            links: Vec::new(),
        }
    }
}

/// Writes `page` as one JSON line: `{"url", "depth", "status", "state", ["error",] "title",
/// "links": [{"url", "kind", ["text",] ["rel"]}]}`.
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
        writeln!(out, "{}\t{}", page.url, link.url)?;
    }
    Ok(())
}

/// The header line of the TSV edge list.
pub const TSV_HEADER: &[u8] = b"source_url\tparsed_url\n";

/// The streaming half of [`GraphBuilder::fold`](crate::GraphBuilder::fold): hands each hop of
/// `outcome` to `sink` and queues the in-scope links within `max_depth` that `claim` grants,
/// with placeholder indices. A page robots.txt kept from being fetched is not written.
///
/// Without a graph to say whether a link is new, `claim` is asked for every in-scope link:
/// the seen set answers false for a URL met before. A redirect target that is not followed
/// (over the redirect limit) is claimed too, as the batch graph's node for it keeps it from
/// being fetched later.
pub(crate) fn fold(
    sink: &mut FoldSink,
    stats: &mut CrawlStats,
    (scope, max_depth): (&SeedScope, u32),
    depth: u32,
    outcome: PageOutcome,
    mut claim: impl FnMut(&Url) -> bool,
    next: &mut Vec<(NodeIndex, Url)>,
) {
    if outcome.blocked {
        return;
    }
    stats.pages_fetched += 1;
    let last = outcome.hops.len().saturating_sub(1);
    for (i, hop) in outcome.hops.iter().enumerate() {
        stats.requests += 1;
        stats.bytes += hop.bytes;
        stats.pages_failed += usize::from(hop.error.is_some());
        let mut page = FoldedPage::new(&hop.url, depth, hop.status, hop.error.as_ref(), None);
        if let Some((target, skip)) = &hop.redirect {
            if skip.is_some() && scope.allows(target) {
                claim(target);
            }
            page.links.push(FoldedLink {
                url: target,
                kind: LinkKind::Redirect,
                text: None,
                rel: None,
            });
        }
        if i == last {
            page.title = outcome.title.as_deref();
            page.links
                .extend(outcome.links.iter().map(|link| FoldedLink {
                    url: &link.url,
                    kind: LinkKind::Anchor,
                    text: link.text.as_deref(),
                    rel: link.rel.as_deref(),
                }));
        }
        sink(&page);
    }
    for link in outcome.links {
        if depth < max_depth && scope.allows(&link.url) && claim(&link.url) {
            next.push((NodeIndex::end(), link.url));
        }
    }
}
