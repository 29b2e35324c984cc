//! Fetching one page: a GET on the shared client, the redirect chain followed by hand, the body
//! read up to its cap, and the links extracted off the async workers.
//!
//! A fetch never fails as a whole: every outcome, good or bad, comes back as a [`FetchOutcome`]
//! whose hops carry status and error, for the crawl loop to store in the graph.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, LOCATION};
use url::Url;

use crate::charset;
use crate::config::CrawlConfig;
use crate::error::PageError;
use crate::event::{CrawlEvent, Events};
use crate::extract::extract;
use crate::frontier::SeenSet;
use crate::graph::SkipReason;
use crate::politeness::HostLimiter;
use crate::scope::SeedScope;
use crate::url_norm;

/// Everything a fetch task needs, shared by all tasks of one crawl.
#[derive(Debug)]
pub(crate) struct FetchContext {
    pub(crate) client: reqwest::Client,
    pub(crate) config: Arc<CrawlConfig>,
    pub(crate) hosts: HostLimiter,
    pub(crate) seen: Arc<dyn SeenSet>,
    pub(crate) scope: SeedScope,
    pub(crate) events: Events,
}

/// One request of a fetch: the page itself, or a hop of its redirect chain.
#[derive(Debug)]
pub(crate) struct Hop {
    pub(crate) url: Url,
    pub(crate) status: Option<u16>,
    pub(crate) content_type: Option<String>,
    pub(crate) error: Option<PageError>,
    pub(crate) bytes: u64,
    pub(crate) elapsed: Duration,
    /// Where this hop redirected to, and why that target was not fetched, if it was not.
    pub(crate) redirect: Option<(Url, Option<SkipReason>)>,
}

/// A link found on a page, resolved and normalised.
#[derive(Debug)]
pub(crate) struct FoundLink {
    pub(crate) url: Url,
    pub(crate) text: Option<String>,
    pub(crate) rel: Option<String>,
}

/// The result of fetching one frontier URL.
#[derive(Debug, Default)]
pub(crate) struct FetchOutcome {
    /// The requests made, first to last; the last one is the page whose links were taken.
    pub(crate) hops: Vec<Hop>,
    /// The `<title>` of the last hop, if it was HTML.
    pub(crate) title: Option<String>,
    /// Distinct links of the last hop, in document order.
    pub(crate) links: Vec<FoundLink>,
}

/// Fetches `url` (claimed already), following redirects that are in scope and not yet claimed.
pub(crate) async fn fetch_page(ctx: Arc<FetchContext>, url: Url, depth: u32) -> FetchOutcome {
    let mut outcome = FetchOutcome::default();
    let mut current = url;
    loop {
        ctx.events.emit(|| CrawlEvent::PageStarted {
            url: current.clone(),
            depth,
        });
        let (mut hop, location, body) = request(&ctx, &current).await;
        let next =
            location.and_then(|location| follow(&ctx, &mut outcome.hops, &mut hop, &location));
        if let Some(body) = body {
            let parsed = parse(&ctx, &current, body, hop.content_type.clone()).await;
            match parsed {
                Ok((title, links)) => {
                    outcome.title = title;
                    outcome.links = links;
                }
                Err(detail) => hop.error = Some(PageError::Internal { detail }),
            }
        }
        emit_result(&ctx.events, &hop, depth, outcome.links.len());
        outcome.hops.push(hop);
        match next {
            Some(target) => current = target,
            None => return outcome,
        }
    }
}

fn emit_result(events: &Events, hop: &Hop, depth: u32, links: usize) {
    events.emit(|| match (&hop.error, hop.status) {
        (Some(error), _) => CrawlEvent::PageFailed {
            url: hop.url.clone(),
            depth,
            error: error.clone(),
        },
        (None, status) => CrawlEvent::PageDone {
            url: hop.url.clone(),
            depth,
            status: status.unwrap_or_default(),
            links,
        },
    });
}

/// Decides whether to follow a redirect from `hop`; returns the target to fetch next.
///
/// Loops and over-long chains mark every hop of the chain, since none of them leads to a page.
fn follow(ctx: &FetchContext, chain: &mut [Hop], hop: &mut Hop, location: &str) -> Option<Url> {
    let Ok(target) = url_norm::resolve(&hop.url, location, ctx.config.max_url_len.get()) else {
        hop.error = Some(PageError::BadRedirect {
            location: location.to_owned(),
        });
        return None;
    };
    let mark_chain = |chain: &mut [Hop], hop: &mut Hop, error: PageError| {
        for earlier in chain.iter_mut() {
            earlier.error.get_or_insert(error.clone());
        }
        hop.error = Some(error);
    };
    let mut skip = None;
    if target == hop.url || chain.iter().any(|h| h.url == target) {
        mark_chain(chain, hop, PageError::RedirectLoop);
    } else if chain.len() + 1 > ctx.config.max_redirects {
        let limit = ctx.config.max_redirects;
        mark_chain(chain, hop, PageError::TooManyRedirects { limit });
        skip = Some(SkipReason::RedirectLimit);
    } else if !ctx.scope.allows(&target) {
        skip = Some(SkipReason::OutOfScope);
    }
    let follow = hop.error.is_none() && skip.is_none() && ctx.seen.claim(&target);
    hop.redirect = Some((target.clone(), skip));
    follow.then_some(target)
}

/// Sends one GET and reads what is needed of the answer. Returns the hop, the `Location` of a
/// redirect, and the body of a successful HTML page.
async fn request(ctx: &FetchContext, url: &Url) -> (Hop, Option<String>, Option<Vec<u8>>) {
    let mut hop = Hop {
        url: url.clone(),
        status: None,
        content_type: None,
        error: None,
        bytes: 0,
        elapsed: Duration::ZERO,
        redirect: None,
    };
    // The host permit is held across the request and the body read only: that is the time the
    // server is busy with us. Parsing happens after it is released.
    let _permit = ctx.hosts.acquire(url).await;
    let started = Instant::now();
    let response = match ctx.client.get(url.clone()).send().await {
        Ok(response) => response,
        Err(err) => {
            hop.error = Some(PageError::from_reqwest(&err, false));
            hop.elapsed = started.elapsed();
            return (hop, None, None);
        }
    };
    let status = response.status();
    hop.status = Some(status.as_u16());
    hop.content_type = header(&response, CONTENT_TYPE);
    hop.bytes = response.content_length().unwrap_or(0);
    let mut location = None;
    let mut body = None;
    if status.is_redirection() {
        location = header(&response, LOCATION);
        if location.is_none() {
            hop.error = Some(PageError::BadRedirect {
                location: String::new(),
            });
        }
    } else if !status.is_success() {
        hop.error = Some(PageError::HttpStatus {
            status: status.as_u16(),
        });
    } else if is_html(hop.content_type.as_deref()) {
        let limit = ctx.config.max_body_bytes.get();
        let (bytes, error) = read_body(response, limit).await;
        hop.bytes = bytes.len() as u64;
        hop.error = error;
        // A body cut at the cap still gives its links; a broken transfer gives none.
        if !matches!(hop.error, Some(PageError::Body { .. })) {
            body = Some(bytes);
        }
    }
    hop.elapsed = started.elapsed();
    (hop, location, body)
}

/// Reads at most `limit` bytes of the (decompressed) body.
async fn read_body(mut response: reqwest::Response, limit: usize) -> (Vec<u8>, Option<PageError>) {
    let expected = response
        .content_length()
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(16 * 1024);
    let mut body = Vec::with_capacity(expected.min(limit));
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = limit - body.len();
                if chunk.len() > room {
                    body.extend_from_slice(&chunk[..room]);
                    return (body, Some(PageError::BodyTooLarge { limit }));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return (body, None),
            Err(err) => return (body, Some(PageError::from_reqwest(&err, true))),
        }
    }
}

/// Decodes, parses and resolves on the blocking pool, so a large page never stalls the async
/// workers that drive the other requests.
async fn parse(
    ctx: &Arc<FetchContext>,
    url: &Url,
    body: Vec<u8>,
    content_type: Option<String>,
) -> Result<(Option<String>, Vec<FoundLink>), String> {
    let ctx = Arc::clone(ctx);
    let url = url.clone();
    tokio::task::spawn_blocking(move || {
        let text = charset::decode(&body, content_type.as_deref());
        let page = extract(&text, ctx.config.max_links_per_page.get());
        let max_len = ctx.config.max_url_len.get();
        let base = page
            .base
            .as_deref()
            .and_then(|base| url_norm::resolve(&url, base, max_len).ok())
            .unwrap_or(url);
        let mut seen = std::collections::HashSet::with_capacity(page.links.len());
        let links = page
            .links
            .into_iter()
            .filter_map(|link| {
                let target = url_norm::resolve(&base, &link.href, max_len).ok()?;
                let first = seen.insert(target.clone());
                first.then_some(FoundLink {
                    url: target,
                    text: link.text,
                    rel: link.rel,
                })
            })
            .collect();
        (page.title, links)
    })
    .await
    .map_err(|err| err.to_string())
}

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<String> {
    let value = response.headers().get(name)?;
    Some(String::from_utf8_lossy(value.as_bytes()).into_owned())
}

/// Whether a body with this `Content-Type` is parsed for links. A missing type is sniffed as
/// HTML, as browsers do for a document.
fn is_html(content_type: Option<&str>) -> bool {
    content_type.is_none_or(|ct| {
        let essence = ct.split(';').next().unwrap_or_default().trim();
        essence.eq_ignore_ascii_case("text/html")
            || essence.eq_ignore_ascii_case("application/xhtml+xml")
    })
}
