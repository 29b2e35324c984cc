//! What fetching one frontier URL produces: the requests made (the page and its redirect
//! hops), the title and the links of the last one.
//!
//! A [`PageOutcome`] is the unit that crosses a process boundary in a distributed crawl: a worker
//! fetches a page and stores its outcome, and the exporter replays the stored outcomes through
//! [`GraphBuilder::fold`](crate::GraphBuilder::fold) to rebuild the graph. So every type here is
//! serde `Serialize + Deserialize`, and `#[non_exhaustive]` so that fields can be added; the
//! constructors below are how code outside this crate builds one.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::PageError;
use crate::extract::Anchors;
use crate::graph::{LinkKind, SkipReason, Validators};

/// What a frontier URL is fetched as, which decides the method and whether the body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Target {
    /// A page: GET, and an HTML body is read and its links taken.
    #[default]
    Page,
    /// A resource only embeds, stylesheets or CSS link to (fetched with
    /// [`check_resources`](crate::CrawlerBuilder::check_resources)): HEAD first, GET when the
    /// HEAD answer cannot be trusted, the body read only for a stylesheet's `url()`s.
    Resource,
    /// A resource a `<link rel="stylesheet">` points to: GET at once, since a stylesheet's
    /// body is read for its `url()`s; never parsed as HTML.
    Stylesheet,
}

/// One request of a fetch: the page itself, or a hop of its redirect chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Hop {
    /// The URL requested.
    pub url: Url,
    /// The HTTP status, if an answer came.
    pub status: Option<u16>,
    /// The `Content-Type` header as sent.
    pub content_type: Option<String>,
    /// Why this request failed, if it did.
    pub error: Option<PageError>,
    /// Body bytes read (or the announced length when the body was not read).
    pub bytes: u64,
    /// Time from sending the request to the end of the body read.
    pub elapsed: Duration,
    /// Where this hop redirected to, and why that target was not fetched, if it was not.
    pub redirect: Option<(Url, Option<SkipReason>)>,
    /// The last answer was still a transient failure when the retries ran out: the page is
    /// worth one more try at the end of the crawl.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retries_exhausted: bool,
    /// The answer's `ETag` and `Last-Modified`, for a page fetched with GET (see
    /// [`Page::validators`](crate::Page::validators)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validators: Option<Box<Validators>>,
    /// How the page stood against the previous crawl, in a crawl given one (`--since`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freshness: Option<Freshness>,
}

/// How a page fetched by a crawl given a previous one (`--since`) stood against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Freshness {
    /// Asked with the previous crawl's validators and answered `304 Not Modified`: nothing
    /// was downloaded, and the page's links are the previous crawl's.
    Revalidated,
    /// Fetched by the previous crawl and downloaded again: it changed (its validators no
    /// longer matched), or the previous crawl could not vouch for it (no validators, an
    /// error, a redirect).
    Changed,
    /// Not fetched by the previous crawl.
    New,
}

impl Hop {
    /// A hop for `url` with nothing recorded yet.
    pub fn new(url: Url) -> Self {
        Self {
            url,
            status: None,
            content_type: None,
            error: None,
            bytes: 0,
            elapsed: Duration::ZERO,
            redirect: None,
            retries_exhausted: false,
            validators: None,
            freshness: None,
        }
    }
}

/// A link found on a page, resolved and normalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FoundLink {
    /// The absolute, normalised target.
    pub url: Url,
    /// The anchor text, if any.
    pub text: Option<String>,
    /// The `rel` attribute, if any.
    pub rel: Option<String>,
    /// What kind of link it is (an outcome stored without one holds anchors).
    #[serde(default = "anchor")]
    pub kind: LinkKind,
    /// The distinct fragments of the page's links of this kind to this target, in document
    /// order; kept only when fragments are checked
    /// ([`check_fragments`](crate::CrawlerBuilder::check_fragments)).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fragments: Vec<LinkFragment>,
    /// Only the rendered DOM had this link, not the HTML as served.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rendered: bool,
}

/// A fragment of a link (`guide.html#install`), with the text of the first link that has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LinkFragment {
    /// The fragment as the URL writes it (percent-encoded, without `#`).
    pub name: String,
    /// The anchor text of the first link with this fragment, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl LinkFragment {
    /// The fragment `name` of a link whose text is `text`.
    pub fn new(name: String, text: Option<String>) -> Self {
        Self { name, text }
    }
}

fn anchor() -> LinkKind {
    LinkKind::Anchor
}

impl FoundLink {
    /// An anchor link to `url` with the given anchor text and `rel`.
    pub fn new(url: Url, text: Option<String>, rel: Option<String>) -> Self {
        Self::of_kind(url, LinkKind::Anchor, text, rel)
    }

    /// A link of `kind` to `url`; `text` is the anchor text, or an alternate's `hreflang`.
    pub fn of_kind(url: Url, kind: LinkKind, text: Option<String>, rel: Option<String>) -> Self {
        Self {
            url,
            text,
            rel,
            kind,
            fragments: Vec::new(),
            rendered: false,
        }
    }
}

/// What rendering did to one page: stored in its outcome and counted in the crawl's stats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RenderNote {
    /// Links the rendered DOM had that the static HTML did not (script navigations included).
    pub gained: usize,
    /// Requests made for the page while it was rendered.
    pub requests: usize,
    /// Body bytes read for those requests.
    pub bytes: u64,
}

impl RenderNote {
    /// What rendering a page did: `gained` links, `requests` made reading `bytes` body bytes.
    pub fn new(gained: usize, requests: usize, bytes: u64) -> Self {
        Self {
            gained,
            requests,
            bytes,
        }
    }
}

/// The result of fetching one frontier URL. A fetch never fails as a whole: failures are in
/// the hops.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PageOutcome {
    /// The requests made, first to last; the last one is the page whose links were taken.
    pub hops: Vec<Hop>,
    /// The `<title>` of the last hop, if it was HTML.
    pub title: Option<String>,
    /// Distinct links of the last hop, in document order.
    pub links: Vec<FoundLink>,
    /// robots.txt disallowed the frontier URL itself: nothing was requested.
    pub blocked: bool,
    /// The last hop's robots directives (`<meta name="robots">`, `X-Robots-Tag`) say
    /// `nofollow`: its links are recorded, not followed.
    #[serde(default)]
    pub nofollow: bool,
    /// The last hop's anchors (ids and `<a name>`s), when it was HTML and fragments are
    /// checked ([`check_fragments`](crate::CrawlerBuilder::check_fragments)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchors: Option<Anchors>,
    /// The page was rendered in a browser, and what that did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rendered: Option<RenderNote>,
}

impl PageOutcome {
    /// The outcome of a URL that robots.txt disallows: nothing was requested.
    pub fn blocked() -> Self {
        Self {
            blocked: true,
            ..Self::default()
        }
    }

    /// The outcome of a URL given up on without an answer (a task that panicked, a URL
    /// abandoned after too many attempts): one hop for `url` carrying `error`.
    pub fn failed(url: Url, error: PageError) -> Self {
        let mut hop = Hop::new(url);
        hop.error = Some(error);
        Self {
            hops: vec![hop],
            ..Self::default()
        }
    }

    /// An outcome made of the given requests, title and links (for tests and replays).
    pub fn new(hops: Vec<Hop>, title: Option<String>, links: Vec<FoundLink>) -> Self {
        Self {
            hops,
            title,
            links,
            blocked: false,
            nofollow: false,
            anchors: None,
            rendered: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn round_trip<T: Serialize + for<'de> Deserialize<'de>>(value: &T) -> T {
        serde_json::from_str(&serde_json::to_string(value).unwrap()).unwrap()
    }

    #[test]
    fn every_page_error_round_trips() {
        let errors = [
            PageError::HttpStatus { status: 404 },
            PageError::Timeout,
            PageError::PageTimeout { limit_ms: 1500 },
            PageError::Connect {
                detail: "refused".into(),
            },
            PageError::Tls {
                detail: "invalid peer certificate: UnknownIssuer".into(),
            },
            PageError::Body {
                detail: "reset".into(),
            },
            PageError::Request {
                detail: "bad".into(),
            },
            PageError::TooManyRedirects { limit: 5 },
            PageError::RedirectLoop,
            PageError::BadRedirect {
                location: "x:".into(),
            },
            PageError::BodyTooLarge { limit: 10 },
            PageError::Blocked {
                detail: "10.0.0.1".into(),
            },
            PageError::Internal {
                detail: "panic".into(),
            },
            PageError::RenderTimeout { limit_ms: 100 },
            PageError::RenderFailed {
                detail: "crashed".into(),
            },
        ];
        for error in errors {
            assert_eq!(round_trip(&error), error);
        }
    }

    #[test]
    fn every_skip_reason_round_trips() {
        for reason in [
            SkipReason::BeyondDepth,
            SkipReason::OutOfScope,
            SkipReason::MaxPages,
            SkipReason::Cancelled,
            SkipReason::RedirectLimit,
            SkipReason::RobotsTxt,
            SkipReason::GraphLimit,
            SkipReason::NotFollowed,
        ] {
            assert_eq!(round_trip(&reason), reason);
            assert_eq!(
                serde_json::to_string(&reason).unwrap(),
                format!("\"{}\"", reason.as_str())
            );
        }
    }

    #[test]
    fn an_outcome_round_trips() {
        let mut first = Hop::new(url("http://a.test/old"));
        first.status = Some(301);
        first.elapsed = Duration::from_micros(1234);
        first.redirect = Some((url("http://a.test/new"), None));
        let mut last = Hop::new(url("http://a.test/new"));
        last.status = Some(200);
        last.content_type = Some("text/html".into());
        last.bytes = 512;
        last.error = Some(PageError::BodyTooLarge { limit: 512 });
        let links = vec![
            FoundLink::new(url("http://a.test/x"), Some("X".into()), None),
            FoundLink::new(url("http://b.test/"), None, Some("nofollow".into())),
            FoundLink::of_kind(url("http://a.test/i.png"), LinkKind::Embed, None, None),
        ];
        let mut outcome = PageOutcome::new(vec![first, last], Some("New".into()), links);
        outcome.links[0].fragments = vec![
            LinkFragment::new("intro".into(), Some("X".into())),
            LinkFragment::new("Install%20guide".into(), None),
        ];
        let mut anchors = Anchors::default();
        anchors.insert("intro");
        outcome.anchors = Some(anchors.finish());
        assert_eq!(round_trip(&outcome), outcome);
        assert_eq!(round_trip(&PageOutcome::blocked()), PageOutcome::blocked());
        let failed = PageOutcome::failed(url("http://a.test/"), PageError::Timeout);
        assert_eq!(round_trip(&failed), failed);
    }
}
