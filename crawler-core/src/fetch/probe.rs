//! Checking a resource with HEAD, and when a HEAD answer is not to be trusted.
//!
//! A resource ([`Target::Resource`](crate::outcome::Target::Resource): an image, a script, a
//! stylesheet's `url()` target, fetched only with `check_resources`) is checked, not read, so a
//! HEAD says all that is needed, without the server sending the body. (The target of a
//! `<link rel="stylesheet">` is read for its `url()`s, so it is asked with GET at once.) But HEAD is the method
//! servers get wrong most: some refuse it (405, 501), some route it nowhere (403, 400, 500),
//! some break the connection on it. So a HEAD answer is taken as it is only when it is one
//! a GET would give as well:
//! - 2xx, except a `text/css` answer (an `@import` target: its body is needed for its
//!   `url()`s, so it is fetched with GET, once);
//! - 3xx (the redirect is followed with HEAD again);
//! - 404 and 410: the resource is gone, no GET is sent;
//! - 429: the host asks to slow down, which the retries honour, whatever the method.
//!
//! Any other answer (another 4xx or 5xx, 405 and 501 included) and a HEAD that broke the
//! connection or was not valid HTTP are asked again with GET, and the GET's answer is the one
//! recorded. A connect failure or a timeout is recorded as it is: a GET would meet the same.
//!
//! Not detected: a HEAD answered 2xx with a body sent after it (the client takes a HEAD
//! answer as bodiless, and drops a connection that then holds stray bytes) and a HEAD that
//! says 2xx where a GET would fail; both are the server's lie, and cost nothing but the truth.

use std::time::Instant;

use reqwest::header::CONTENT_LENGTH;
use reqwest::StatusCode;
use url::Url;

use crate::error::PageError;
use crate::fetch::backpressure;
use crate::fetch::context::FetchContext;
use crate::fetch::response::{header, is_css, read_head, Answer};
use crate::outcome::Hop;

/// Sends a HEAD for resource `url` (the host permit is held by the caller, and the time
/// counts from `started`). `Some` with the answer to record, or `None` when the answer is not
/// to be trusted (or the body is needed) and a GET must be sent instead.
pub(crate) async fn head(ctx: &FetchContext, url: &Url, started: Instant) -> Option<Answer> {
    let mut answer = Answer::new(Hop::new(url.clone()));
    let request = || ctx.credentials.apply(ctx.client.head(url.clone()), url);
    match backpressure::send(request, url, ctx.config.timeout).await {
        Ok(response) => {
            let css = ctx.config.links.check_resources
                && is_css(header(&response, reqwest::header::CONTENT_TYPE).as_deref());
            if !trusted(response.status()) || (response.status().is_success() && css) {
                tracing::debug!(url = %url, status = %response.status(), "HEAD not taken; GET");
                return None;
            }
            read_head(&response, &mut answer, ctx.config.http.sends_validators());
            // A HEAD answer has no body: the length is the one announced.
            answer.hop.bytes = header(&response, CONTENT_LENGTH)
                .and_then(|length| length.trim().parse().ok())
                .unwrap_or(0);
        }
        Err(err) => {
            let error = PageError::from_reqwest(&err, false);
            if matches!(error, PageError::Request { .. } | PageError::Body { .. }) {
                tracing::debug!(url = %url, %error, "HEAD failed; GET");
                return None;
            }
            answer.hop.error = Some(error);
        }
    }
    answer.hop.elapsed = started.elapsed();
    Some(answer)
}

/// Whether a HEAD answer with `status` is taken as a GET's would be (see the module docs).
fn trusted(status: StatusCode) -> bool {
    status.is_success() || status.is_redirection() || matches!(status.as_u16(), 404 | 410 | 429)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_head_answers_are_taken() {
        for taken in [200, 204, 301, 304, 308, 404, 410, 429] {
            assert!(trusted(StatusCode::from_u16(taken).unwrap()), "{taken}");
        }
        for asked_again in [400, 401, 403, 405, 406, 500, 501, 502, 503] {
            assert!(
                !trusted(StatusCode::from_u16(asked_again).unwrap()),
                "{asked_again}"
            );
        }
    }
}
