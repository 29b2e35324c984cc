//! One HTTP exchange: a GET under the host's politeness limits, retried while the failure is
//! transient, with the body read up to its cap when it is HTML worth parsing.

use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{CONTENT_TYPE, LOCATION, RETRY_AFTER};
use url::{Host, Url};

use crate::coordination::host_label;
use crate::error::PageError;
use crate::event::CrawlEvent;
use crate::fetch::FetchContext;
use crate::outcome::Hop;
use crate::retry;

/// What one request gave: the hop as recorded, the `Location` of a redirect, and the body of a
/// successful HTML page.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) hop: Hop,
    pub(crate) location: Option<String>,
    pub(crate) body: Option<Vec<u8>>,
    retry_after: Option<Duration>,
}

/// Requests `url`, retrying transient failures with backoff.
pub(crate) async fn request_with_retries(ctx: &FetchContext, url: &Url, depth: u32) -> Answer {
    let mut attempt = 0;
    loop {
        let answer = request(ctx, url, depth).await;
        let transient = retry::is_transient(answer.hop.status, answer.hop.error.as_ref());
        if transient {
            if let Some(wait) = answer.retry_after {
                // The server asked the whole host to wait: tell the workers that share it.
                let wait = wait.min(retry::MAX_RETRY_WAIT);
                ctx.coordination.back_off(&host_label(url), wait).await;
            }
        }
        if !transient || attempt >= ctx.config.retries {
            return answer;
        }
        let wait = retry::backoff(ctx.config.retry_base_delay, attempt, answer.retry_after);
        tracing::debug!(url = %url, attempt, ?wait, status = ?answer.hop.status, "retrying");
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

/// Sends one GET and reads what is needed of the answer.
async fn request(ctx: &FetchContext, url: &Url, depth: u32) -> Answer {
    let mut answer = Answer {
        hop: Hop::new(url.clone()),
        location: None,
        body: None,
        retry_after: None,
    };
    if let Some(blocked) = blocked_address(ctx, url) {
        answer.hop.error = Some(blocked);
        return answer;
    }
    let hop = &mut answer.hop;
    // The host permit is held across the request and the body read only: that is the time the
    // server is busy with us. Parsing happens after it is released.
    let _permit = ctx.hosts.acquire(url).await;
    ctx.events.emit(|| CrawlEvent::PageStarted {
        url: url.clone(),
        depth,
    });
    let started = Instant::now();
    let response = match ctx.client.get(url.clone()).send().await {
        Ok(response) => response,
        Err(err) => {
            hop.error = Some(PageError::from_reqwest(&err, false));
            hop.elapsed = started.elapsed();
            return answer;
        }
    };
    let status = response.status();
    hop.status = Some(status.as_u16());
    hop.content_type = header(&response, CONTENT_TYPE);
    hop.bytes = response.content_length().unwrap_or(0);
    if status.is_redirection() {
        answer.location = header(&response, LOCATION);
        if answer.location.is_none() {
            hop.error = Some(PageError::BadRedirect {
                location: String::new(),
            });
        }
    } else if !status.is_success() {
        hop.error = Some(PageError::HttpStatus {
            status: status.as_u16(),
        });
        answer.retry_after = header(&response, RETRY_AFTER)
            .and_then(|value| retry::parse_retry_after(&value, SystemTime::now()));
    } else if is_html(hop.content_type.as_deref()) {
        let limit = ctx.config.max_body_bytes.get();
        let (bytes, error) = read_body(response, limit).await;
        hop.bytes = bytes.len() as u64;
        // A body cut at the cap still gives its links; a broken transfer gives none.
        if !matches!(error, Some(PageError::Body { .. } | PageError::Timeout)) {
            answer.body = Some(bytes);
        }
        hop.error = error;
    }
    hop.elapsed = started.elapsed();
    answer
}

/// Reads at most `limit` bytes of the (decompressed) body.
pub(crate) async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
) -> (Vec<u8>, Option<PageError>) {
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
        Some(Host::Ipv4(ip)) => !crate::address::is_public(ip.into()),
        Some(Host::Ipv6(ip)) => !crate::address::is_public(ip.into()),
        _ => false,
    }
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
