//! Responses as the server builds them before writing: status, headers,
//! and a body that is either bytes or generated filler.
//!
//! Separate from the programmable [`Reply`] so that built-in routes can
//! produce bodies that are never held in memory (`/_/huge/BYTES`) and so
//! that the wire writer in `http` has one type to frame.

use crate::reply::Reply;

/// A response body.
#[derive(Debug)]
pub(crate) enum Body {
    Bytes(Vec<u8>),
    /// `prefix` followed by `x`s, `len` bytes in all, generated while
    /// writing so that huge bodies cost no memory.
    Filler {
        prefix: &'static [u8],
        len: u64,
    },
}

impl Body {
    pub(crate) fn len(&self) -> u64 {
        match self {
            Body::Bytes(b) => b.len() as u64,
            Body::Filler { len, .. } => *len,
        }
    }
}

/// A response about to be written.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Body,
    /// Close the connection after this response.
    pub(crate) close: bool,
    /// Send the body to a HEAD request too, as a lying server does.
    pub(crate) body_on_head: bool,
}

impl Response {
    /// A response with an optional `Content-Type`.
    pub(crate) fn new(status: u16, content_type: Option<&str>, body: Body) -> Self {
        let headers = content_type
            .map(|ct| vec![("Content-Type".to_owned(), ct.to_owned())])
            .unwrap_or_default();
        Self {
            status,
            headers,
            body,
            close: false,
            body_on_head: false,
        }
    }

    /// An HTML response.
    pub(crate) fn html(status: u16, body: impl Into<String>) -> Self {
        Self::new(
            status,
            Some("text/html"),
            Body::Bytes(body.into().into_bytes()),
        )
    }

    /// A redirect with an empty body.
    pub(crate) fn redirect(status: u16, location: &str) -> Self {
        let mut r = Self::new(status, None, Body::Bytes(Vec::new()));
        r.headers.push(("Location".to_owned(), location.to_owned()));
        r
    }

    /// The fixture's 404 page.
    pub(crate) fn not_found() -> Self {
        Self::html(404, "<html><body>not found</body></html>")
    }
}

impl From<Reply> for Response {
    /// Converts a programmed reply; its delay is applied by the caller.
    fn from(reply: Reply) -> Self {
        let close = reply.headers.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("connection") && v.trim().eq_ignore_ascii_case("close")
        });
        Self {
            status: reply.status,
            headers: reply.headers,
            body: Body::Bytes(reply.body),
            close,
            body_on_head: false,
        }
    }
}

/// The standard reason phrase for `status`, or a generic one.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        418 => "I'm a teapot",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}
