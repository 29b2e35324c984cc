//! One HTTP exchange: a GET under the host's politeness limits, retried while the failure is
//! transient, with the body read up to its cap when it is HTML worth parsing. A resource
//! ([`Target::Resource`]) is asked with HEAD first (see [`probe`](crate::fetch::probe)).
//!
//! Statuses, as the Fetch standard reads them:
//! - 301, 302, 303, 307 and 308 are redirects: their `Location` is followed (a missing one is
//!   [`PageError::BadRedirect`]);
//! - any other 3xx (300, 304, 305, ...) is a final answer, recorded with its status and no
//!   error: a 304 to a plain GET or a 300 menu has no page to take links from, but it is not
//!   a broken link either;
//! - 4xx and 5xx are [`PageError::HttpStatus`];
//! - a 2xx HTML body is read and parsed, after decompression (gzip, deflate, brotli). A body
//!   in a `Content-Encoding` the client cannot decode is [`PageError::UnsupportedEncoding`],
//!   never parsed as if it were text.

use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{CONTENT_ENCODING, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use url::{Host, Url};

use crate::error::PageError;
use crate::event::CrawlEvent;
use crate::extract::{RawLink, RobotsDirectives};
use crate::fetch::coordination::host_label;
use crate::fetch::FetchContext;
use crate::fetch::{backpressure, retry};
use crate::outcome::{Hop, Target};
use crate::url_norm;

/// What one request gave: the hop as recorded, the `Location` of a redirect, and the body of a
/// successful HTML page.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) hop: Hop,
    pub(crate) location: Option<String>,
    pub(crate) body: Option<Vec<u8>>,
    /// Links from the headers of a successful answer (`Link`, `Refresh`).
    pub(crate) header_links: Vec<RawLink>,
    /// Robots directives from `X-Robots-Tag`.
    pub(crate) robots: RobotsDirectives,
    retry_after: Option<Duration>,
}

impl Answer {
    /// An answer holding only `hop`.
    pub(crate) fn new(hop: Hop) -> Self {
        Self {
            hop,
            location: None,
            body: None,
            header_links: Vec::new(),
            robots: RobotsDirectives::default(),
            retry_after: None,
        }
    }
}

/// Requests `url`, retrying transient failures with backoff.
pub(crate) async fn request_with_retries(
    ctx: &FetchContext,
    url: &Url,
    depth: u32,
    retries: u32,
    target: Target,
) -> Answer {
    let mut attempt = 0;
    loop {
        let answer = request(ctx, url, depth, target).await;
        let transient = retry::is_transient(answer.hop.status, answer.hop.error.as_ref());
        if transient {
            if let Some(wait) = answer.retry_after {
                // The server asked the whole host to wait: tell the workers that share it.
                let wait = wait.min(retry::MAX_RETRY_WAIT);
                ctx.coordination.back_off(&host_label(url), wait).await;
            }
        }
        if !transient || attempt >= retries {
            let mut answer = answer;
            answer.hop.retries_exhausted = transient && retries > 0;
            return answer;
        }
        let wait = retry::backoff(ctx.config.retry_base_delay, attempt, answer.retry_after);
        tracing::debug!(url = %url, attempt, ?wait, status = ?answer.hop.status, "retrying");
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

/// Sends one GET (for a resource, a HEAD first) and reads what is needed of the answer.
async fn request(ctx: &FetchContext, url: &Url, depth: u32, target: Target) -> Answer {
    if url.scheme() == "file" {
        return crate::fetch::file::request(ctx, url, target);
    }
    let mut answer = Answer::new(Hop::new(url.clone()));
    if let Some(blocked) = blocked_address(ctx, url) {
        answer.hop.error = Some(blocked);
        return answer;
    }
    // The host permit is held across the request(s) and the body read only: that is the time
    // the server is busy with us. Parsing happens after it is released.
    let _permit = ctx.hosts.acquire(url).await;
    ctx.events.emit(|| CrawlEvent::PageStarted {
        url: url.clone(),
        depth,
    });
    let started = Instant::now();
    if target == Target::Resource {
        if let Some(answer) = crate::fetch::probe::head(ctx, url, started).await {
            return answer;
        }
    }
    let hop = &mut answer.hop;
    let request = || ctx.credentials.apply(ctx.client.get(url.clone()), url);
    let response = match backpressure::send(request, url, ctx.config.timeout).await {
        Ok(response) => response,
        Err(err) => {
            hop.error = Some(PageError::from_reqwest(&err, false));
            hop.elapsed = started.elapsed();
            return answer;
        }
    };
    hop.bytes = response.content_length().unwrap_or(0);
    read_head(&response, &mut answer);
    let hop = &mut answer.hop;
    let css = ctx.config.links.check_resources && is_css(hop.content_type.as_deref());
    // A resource's body is read only for its `url()`s: an HTML resource (an iframe) is
    // checked, not crawled.
    let parsed = css || (target == Target::Page && is_html(hop.content_type.as_deref()));
    if !response.status().is_success() || !parsed {
        // Nothing more to read.
    } else if let Some(encoding) = undecoded_encoding(&response) {
        hop.error = Some(PageError::UnsupportedEncoding { encoding });
    } else {
        let limit = ctx.config.max_body_bytes.get();
        let (bytes, error) = read_body(response, limit).await;
        hop.bytes = bytes.len() as u64;
        // A body cut at the cap still gives its links; a broken transfer gives none.
        if !matches!(error, Some(PageError::Body { .. } | PageError::Timeout)) {
            answer.body = Some(bytes);
        }
        hop.error = error;
    }
    answer.hop.elapsed = started.elapsed();
    answer
}

/// Records what the head of `response` says on `answer`: status, content type, the links
/// and robots directives of the headers of a success, the `Location` of a redirect, the
/// error of a 4xx or 5xx and its `Retry-After`.
pub(crate) fn read_head(response: &reqwest::Response, answer: &mut Answer) {
    let status = response.status();
    let hop = &mut answer.hop;
    hop.status = Some(status.as_u16());
    hop.content_type = header(response, CONTENT_TYPE);
    if status.is_success() {
        let headers = response.headers().iter().filter_map(|(name, value)| {
            Some((name.as_str(), std::str::from_utf8(value.as_bytes()).ok()?))
        });
        answer.header_links = crate::extract::links::from_headers(headers, &mut answer.robots);
    }
    if is_redirect(status) {
        answer.location = location(response);
        if answer.location.is_none() {
            hop.error = Some(PageError::BadRedirect {
                location: String::new(),
            });
        }
    } else if status.is_redirection() || status.is_success() {
        // A final answer without a page (see the module docs), or a page.
    } else {
        hop.error = Some(PageError::HttpStatus {
            status: status.as_u16(),
        });
        answer.retry_after = header(response, RETRY_AFTER)
            .and_then(|value| retry::parse_retry_after(&value, SystemTime::now()));
    }
}

/// Reads at most `limit` bytes of the (decompressed) body.
pub(crate) async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
) -> (Vec<u8>, Option<PageError>) {
    let mut body = Vec::with_capacity(initial_capacity(response.content_length(), limit));
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

/// Largest buffer reserved for a body before its bytes arrive. `Content-Length` is the
/// server's claim, not a fact: reserving what it announces lets a lying header
/// (`Content-Length: 999999999999`) abort the process. Larger bodies grow as they come in.
const MAX_INITIAL_BODY_CAPACITY: usize = 64 * 1024;

/// How much to reserve for a body announced as `content_length`, read up to `limit`.
fn initial_capacity(content_length: Option<u64>, limit: usize) -> usize {
    content_length
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(16 * 1024)
        .min(limit)
        .min(MAX_INITIAL_BODY_CAPACITY)
}

/// The error for a URL whose host is a private IP literal, when such hosts are refused. Host
/// names are checked when they are resolved (see `address`).
pub(crate) fn blocked_address(ctx: &FetchContext, url: &Url) -> Option<PageError> {
    (ctx.config.deny_private_ips && is_private_literal(url)).then(|| PageError::Blocked {
        detail: format!(
            "{} is a private or reserved address",
            url.host_str().unwrap_or_default()
        ),
    })
}

fn is_private_literal(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => !crate::fetch::address::is_public(ip.into()),
        Some(Host::Ipv6(ip)) => !crate::fetch::address::is_public(ip.into()),
        _ => false,
    }
}

/// The statuses whose `Location` is followed, as in the Fetch standard.
fn is_redirect(status: reqwest::StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// The `Location` of a redirect as text to resolve: bytes outside ASCII percent-encoded as
/// sent, and credentials left out (they are dropped from the target anyway, and the text is
/// what an unfollowable redirect reports).
pub(crate) fn location(response: &reqwest::Response) -> Option<String> {
    let value = response.headers().get(LOCATION)?;
    Some(url_norm::redact_userinfo(&url_norm::header_text(
        value.as_bytes(),
    )))
}

/// The `Content-Encoding` still on a response, if it is not `identity`: the client removes the
/// header of the encodings it decodes, so what is left was not decoded.
fn undecoded_encoding(response: &reqwest::Response) -> Option<String> {
    let value = response.headers().get(CONTENT_ENCODING)?;
    let value = String::from_utf8_lossy(value.as_bytes());
    let coding = value.trim();
    (!coding.is_empty() && !coding.eq_ignore_ascii_case("identity")).then(|| coding.to_owned())
}

pub(crate) fn header(
    response: &reqwest::Response,
    name: reqwest::header::HeaderName,
) -> Option<String> {
    let value = response.headers().get(name)?;
    Some(String::from_utf8_lossy(value.as_bytes()).into_owned())
}

/// Whether a body with this `Content-Type` is a stylesheet, parsed for `url()`s when resources
/// are checked.
pub(crate) fn is_css(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| {
        let essence = ct.split(';').next().unwrap_or_default().trim();
        essence.eq_ignore_ascii_case("text/css")
    })
}

/// Whether a body with this `Content-Type` is parsed for links. A missing type is sniffed as
/// HTML, as browsers do for a document.
pub(crate) fn is_html(content_type: Option<&str>) -> bool {
    content_type.is_none_or(|ct| {
        let essence = ct.split(';').next().unwrap_or_default().trim();
        essence.eq_ignore_ascii_case("text/html")
            || essence.eq_ignore_ascii_case("application/xhtml+xml")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lying_content_length_reserves_a_small_buffer() {
        for announced in [Some(999_999_999_999), Some(u64::MAX), Some(1 << 40)] {
            let reserved = initial_capacity(announced, usize::MAX);
            assert!(
                reserved <= MAX_INITIAL_BODY_CAPACITY,
                "{announced:?}: {reserved}"
            );
        }
        assert_eq!(initial_capacity(Some(1000), usize::MAX), 1000);
        assert_eq!(initial_capacity(Some(1000), 10), 10);
        assert_eq!(initial_capacity(None, usize::MAX), 16 * 1024);
    }
}
