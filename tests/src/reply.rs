//! [`Reply`]: the answer a test programs for a path with
//! [`FixtureServer::route`](crate::FixtureServer::route).
//!
//! Kept as a plain data type with public fields and a few builders so that a
//! test can state exactly what the crawler should receive (status, headers,
//! body, and how long to wait before answering) without touching the wire
//! code.

use std::time::Duration;

/// A programmed answer for one path.
///
/// The server always computes `Content-Length` from [`Reply::body`] and
/// manages the `Connection` header itself, so `Content-Length` and
/// `Connection` entries in [`Reply::headers`] are not sent as given (a
/// `Connection: close` entry does make the server close the connection after
/// answering). The body is sent as given for every status; `HEAD` requests
/// get the headers only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status code, e.g. `200`.
    pub status: u16,
    /// Response headers, sent in this order.
    pub headers: Vec<(String, String)>,
    /// The response body.
    pub body: Vec<u8>,
    /// How long the server waits before sending the response.
    pub delay: Duration,
}

impl Reply {
    /// A `200` reply with `Content-Type: text/html` (no charset parameter).
    pub fn html(body: impl Into<String>) -> Self {
        Self::bytes("text/html", body.into().into_bytes())
    }

    /// A reply with the given status, no headers and an empty body.
    pub fn status(code: u16) -> Self {
        Self {
            status: code,
            headers: Vec::new(),
            body: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    /// A redirect with status `code` (e.g. `301`, `302`, `307`) to
    /// `location`, sent verbatim in the `Location` header; empty body.
    pub fn redirect(code: u16, location: &str) -> Self {
        Self::status(code).with_header("Location", location)
    }

    /// A `200` reply with the given `Content-Type` and body.
    pub fn bytes(content_type: &str, body: Vec<u8>) -> Self {
        Self {
            body,
            ..Self::status(200)
        }
        .with_header("Content-Type", content_type)
    }

    /// Sets header `name` to `value`, replacing any headers of that name
    /// (compared case-insensitively). To send a header several times, push
    /// to [`Reply::headers`] directly.
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(&name));
        self.headers.push((name, value.into()));
        self
    }

    /// Makes the server wait `delay` before answering.
    #[must_use]
    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}
