//! What one exchange gave ([`Answer`]) and the readers of a response that fill it: its head
//! (status, content type, header links, `Location`, `Retry-After`) and its body up to a cap.
//! Shared by every transport and request kind: the GET of `request`, the HEAD of `probe`,
//! the `file://` transport, and the robots.txt and sitemap fetches.

use std::time::{Duration, SystemTime};

use reqwest::header::{CONTENT_ENCODING, CONTENT_TYPE, LOCATION, RETRY_AFTER};

use crate::error::PageError;
use crate::extract::{RawLink, RobotsDirectives};
use crate::fetch::retry;
use crate::outcome::Hop;
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
    pub(crate) retry_after: Option<Duration>,
    /// The previous crawl's record of the page, when a conditional request was answered
    /// `304`: its links stand for the body's (see `revalidate`).
    pub(crate) previous: Option<std::sync::Arc<crate::since::PreviousPage>>,
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
            previous: None,
        }
    }
}

/// Records what the head of `response` says on `answer`: status, content type, the links
/// and robots directives of the headers of a success, the `Location` of a redirect, the
/// error of a 4xx or 5xx and its `Retry-After`, and the error of a `304` when the request was
/// not `conditional` (it carried no validator, so nothing was asked to be revalidated).
pub(crate) fn read_head(response: &reqwest::Response, answer: &mut Answer, conditional: bool) {
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
    } else if status == reqwest::StatusCode::NOT_MODIFIED && !conditional {
        // Not a redirect (nothing to follow) and not a page (no body): a link to it leads
        // nowhere, whatever cache or server answered a question that was not asked.
        hop.error = Some(PageError::UnexpectedNotModified);
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
pub(crate) fn undecoded_encoding(response: &reqwest::Response) -> Option<String> {
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
