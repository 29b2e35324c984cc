//! A node of the graph: one URL met during the crawl ([`Page`]), and why a page was left
//! unfetched ([`SkipReason`]).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::PageError;

/// One URL met during the crawl: fetched, failed, or left unfetched for a recorded reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Page {
    /// The normalised URL.
    pub url: Url,
    /// Breadth-first depth: seeds are 0, a page first linked from depth d is d + 1. A redirect
    /// target has the depth of the URL that redirected to it.
    pub depth: u32,
    /// The HTTP status of the response, if one arrived.
    pub status: Option<u16>,
    /// The `Content-Type` of the response, if any.
    pub content_type: Option<String>,
    /// Why the fetch failed, if it did.
    pub error: Option<PageError>,
    /// Why the page was not fetched, if it was not.
    pub skipped: Option<SkipReason>,
    /// The `<title>` of an HTML page.
    pub title: Option<String>,
    /// Body bytes read (after decompression); for pages whose body was not read, the
    /// `Content-Length` when the server sent one.
    pub bytes: u64,
    /// Time from sending the request to the end of the body.
    #[serde(serialize_with = "serialize_millis")]
    pub fetch_time: Option<Duration>,
    /// The validators of the answer (`ETag`, `Last-Modified`), kept so that a later crawl
    /// can ask for the page only if it changed (`--since`). Recorded for pages fetched with
    /// GET as pages, not for resources checked with HEAD.
    #[serde(flatten)]
    pub validators: Option<Box<Validators>>,
}

/// The validators of an answer: what a conditional request sends back (`If-None-Match`,
/// `If-Modified-Since`) to be told `304 Not Modified` when the page did not change.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Validators {
    /// The `ETag` header as sent (with its quotes, and `W/` if weak).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The `Last-Modified` header as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

impl Validators {
    /// The validators `etag` and `last_modified`, or `None` when both are missing.
    pub fn new(etag: Option<String>, last_modified: Option<String>) -> Option<Box<Self>> {
        (etag.is_some() || last_modified.is_some()).then(|| {
            Box::new(Self {
                etag,
                last_modified,
            })
        })
    }
}

impl Page {
    /// A page that has been discovered but not (yet) fetched.
    pub fn new(url: Url, depth: u32) -> Self {
        Self {
            url,
            depth,
            status: None,
            content_type: None,
            error: None,
            skipped: None,
            title: None,
            bytes: 0,
            fetch_time: None,
            validators: None,
        }
    }

    /// Whether a request for this page was made and answered or failed.
    pub fn is_fetched(&self) -> bool {
        self.status.is_some() || self.error.is_some()
    }

    /// Whether this page is a broken link target: an error status, a transport failure or a
    /// bad redirect chain.
    pub fn is_broken(&self) -> bool {
        self.error.as_ref().is_some_and(PageError::is_broken)
    }
}

#[expect(
    clippy::ref_option,
    reason = "serde's serialize_with passes &Option<T>"
)]
fn serialize_millis<S: serde::Serializer>(
    value: &Option<Duration>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(d) => s.serialize_some(&(d.as_secs_f64() * 1000.0)),
        None => s.serialize_none(),
    }
}

/// Why a page in the graph was not fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SkipReason {
    /// Found at `max_depth + 1`: the boundary of the crawl.
    BeyondDepth,
    /// Outside the crawl's scope (another host, prefix or pattern).
    OutOfScope,
    /// The page cap was reached before its turn.
    MaxPages,
    /// The crawl was cancelled before its turn.
    Cancelled,
    /// The redirect chain leading to it was longer than allowed.
    RedirectLimit,
    /// The host's robots.txt disallows it.
    RobotsTxt,
    /// The graph reached its node or edge budget before its turn.
    GraphLimit,
    /// Only linked by links that are not followed: resources (unless checked), alternates,
    /// icons, links of a nofollow page (see [`LinkOptions`](crate::LinkOptions)).
    NotFollowed,
}

impl SkipReason {
    /// A short lowercase label, as used in the exports.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::BeyondDepth => "beyond_depth",
            SkipReason::OutOfScope => "out_of_scope",
            SkipReason::MaxPages => "max_pages",
            SkipReason::Cancelled => "cancelled",
            SkipReason::RedirectLimit => "redirect_limit",
            SkipReason::RobotsTxt => "robots_txt",
            SkipReason::GraphLimit => "graph_limit",
            SkipReason::NotFollowed => "not_followed",
        }
    }
}
