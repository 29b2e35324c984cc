//! One HTTP exchange: a GET under the host's politeness limits, retried while the failure is
//! transient, with the body read up to its cap when it is HTML worth parsing. A resource
//! ([`Target::Resource`]) is asked with HEAD first (see [`probe`](crate::fetch::probe)).
//!
//! Statuses, as the Fetch standard reads them:
//! - 301, 302, 303, 307 and 308 are redirects: their `Location` is followed (a missing one is
//!   [`PageError::BadRedirect`]);
//! - 304 to a request without a validator (`If-None-Match`, `If-Modified-Since`; the crawl
//!   sends none unless `--header` adds one, or `--since` gives a previous crawl: see
//!   [`revalidate`](crate::fetch::revalidate)) is [`PageError::UnexpectedNotModified`]: nothing
//!   was asked to be revalidated, there is no page and nothing to follow, so the link is
//!   broken;
//! - any other 3xx (300, 305, ...) is a final answer, recorded with its status and no
//!   error: a 300 menu has no page to take links from, but it is not a broken link either;
//! - 4xx and 5xx are [`PageError::HttpStatus`];
//! - a 2xx HTML body is read and parsed, after decompression (gzip, deflate, brotli). A body
//!   in a `Content-Encoding` the client cannot decode is [`PageError::UnsupportedEncoding`],
//!   never parsed as if it were text.

use std::time::Instant;

use url::{Host, Url};

use crate::error::PageError;
use crate::event::CrawlEvent;
use crate::fetch::context::FetchContext;
use crate::fetch::deadline::PageClock;
use crate::fetch::politeness::host_label;
use crate::fetch::response::{is_css, is_html, read_body, read_head, undecoded_encoding, Answer};
use crate::fetch::revalidate::{self, Conditional};
use crate::fetch::{backpressure, retry};
use crate::outcome::{Hop, Target};

/// Requests `url`, retrying transient failures with backoff.
/// `clock` is the page's deadline clock, started when a request first gets its permit.
pub(crate) async fn request_with_retries(
    ctx: &FetchContext,
    url: &Url,
    (depth, clock): (u32, &PageClock),
    retries: u32,
    target: Target,
) -> Answer {
    let mut attempt = 0;
    loop {
        let answer = request(ctx, url, (depth, clock), target).await;
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
async fn request(
    ctx: &FetchContext,
    url: &Url,
    (depth, clock): (u32, &PageClock),
    target: Target,
) -> Answer {
    if url.scheme() == "file" {
        // A local file takes no permit: the page may read it at once.
        clock.start();
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
    clock.start();
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
    let conditional = Conditional::of(ctx, url, target);
    let hop = &mut answer.hop;
    let request = || {
        let request = ctx.credentials.apply(ctx.client.get(url.clone()), url);
        match &conditional {
            Some(conditional) => conditional.headers(request),
            None => request,
        }
    };
    let response = match backpressure::send(request, url, ctx.config.timeout).await {
        Ok(response) => response,
        Err(err) => {
            hop.error = Some(PageError::from_reqwest(&err, false));
            hop.elapsed = started.elapsed();
            return answer;
        }
    };
    hop.bytes = response.content_length().unwrap_or(0);
    let validated = conditional
        .as_ref()
        .is_some_and(Conditional::sends_validators);
    read_head(
        &response,
        &mut answer,
        validated || ctx.config.http.sends_validators(),
    );
    if target == Target::Page {
        answer.hop.validators = revalidate::validators(&response);
    }
    if conditional.is_some_and(|conditional| conditional.settle(&mut answer)) {
        answer.hop.elapsed = started.elapsed();
        return answer;
    }
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
