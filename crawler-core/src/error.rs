//! Errors, in two kinds that never mix.
//!
//! [`Error`] is fatal: the crawl could not start (a bad seed, an HTTP client that would not build).
//! [`PageError`] is per page: it is stored on the page's node in the graph and never aborts the
//! crawl, because one broken page must not lose the rest of the graph (the areq.py rule: survive
//! 404s, disconnects and redirect loops).

use serde::{Deserialize, Serialize};

/// A failure that stops a crawl before it starts. Per-page failures are [`PageError`]s instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No seed URL was given.
    #[error("no seed URL given")]
    NoSeeds,
    /// A seed is not a usable absolute URL.
    #[error("invalid seed URL `{url}`: {reason}")]
    InvalidSeed {
        /// The seed as given.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// The HTTP client could not be built (for example, no TLS backend).
    #[error("could not build the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
    /// A setting that needs the whole graph was given to a streaming crawl, which keeps none.
    #[error("{setting} needs the whole graph: not with a streaming crawl")]
    NeedsGraph {
        /// The setting's name (a [`CrawlSpec`](crate::CrawlSpec) field).
        setting: &'static str,
    },
}

/// A problem with the crawler's configuration, reported by [`CrawlerBuilder::build`](crate::CrawlerBuilder::build).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A limit that must be at least one was zero.
    #[error("{name} must be at least 1")]
    Zero {
        /// The setting's name.
        name: &'static str,
    },
    /// A duration that must be positive was zero.
    #[error("{name} must be longer than zero")]
    ZeroDuration {
        /// The setting's name.
        name: &'static str,
    },
    /// A duration above [`MAX_DURATION`](crate::MAX_DURATION).
    #[error("{name} must be at most {} seconds (one day)", max.as_secs())]
    TooLong {
        /// The setting's name.
        name: &'static str,
        /// The longest duration taken.
        max: std::time::Duration,
    },
    /// A count above its maximum, such as [`MAX_CONCURRENCY`](crate::MAX_CONCURRENCY).
    #[error("{name} must be at most {max}")]
    TooMany {
        /// The setting's name.
        name: &'static str,
        /// The largest value taken.
        max: usize,
    },
    /// An include or exclude pattern is not a valid regular expression.
    #[error("invalid pattern `{pattern}`: {reason}")]
    InvalidPattern {
        /// The pattern as given.
        pattern: String,
        /// What the regex parser said.
        reason: String,
    },
    /// A URL prefix for the scope is not an absolute http(s) URL.
    #[error("invalid scope prefix `{prefix}`: {reason}")]
    InvalidPrefix {
        /// The prefix as given.
        prefix: String,
        /// Why it was refused.
        reason: String,
    },
    /// A scheme other than `http` or `https` was allowed.
    #[error("unsupported scheme `{0}` (only http and https can be fetched)")]
    UnsupportedScheme(String),
    /// A rate limit that is not a number of requests per second of at least one a day
    /// (`1 / rate` must not exceed [`MAX_DURATION`](crate::MAX_DURATION)).
    #[error(
        "invalid rate `{0}`: must be a number of requests per second of at least 1/86400 (one a day)"
    )]
    InvalidRate(String),
    /// The user agent is not a valid HTTP header value.
    #[error("invalid user agent: {0}")]
    InvalidUserAgent(String),
    /// The index file of `file://` directories is empty or has a `/`.
    #[error("invalid index file `{0}`: a file name is needed")]
    InvalidIndexFile(String),
    /// An extra request header is not a valid name and value.
    #[error("invalid header `{header}`: {reason}")]
    InvalidHeader {
        /// The header's name as given.
        header: String,
        /// Why it was refused.
        reason: String,
    },
    /// A cookie is not `name=value`.
    #[error("invalid cookie `{0}`: expected name=value")]
    InvalidCookie(String),
    /// The proxy is not an http(s) URL.
    #[error("invalid proxy `{proxy}`: {reason}")]
    InvalidProxy {
        /// The proxy as given.
        proxy: String,
        /// Why it was refused.
        reason: String,
    },
    /// A proxy resolves host names itself, so private addresses could not be refused.
    #[error(
        "a proxy cannot be combined with denying private IPs (the proxy would resolve host names)"
    )]
    ProxyWithDenyPrivateIps,
    /// The site root of a `file://` crawl is not a directory.
    #[error("site root {}: not a directory", .0.display())]
    InvalidRoot(std::path::PathBuf),
    /// Pages are to be rendered (`render` is not `never`) but no renderer was attached with
    /// [`CrawlerBuilder::renderer`](crate::CrawlerBuilder::renderer).
    #[error("render {0} needs a browser, and this front end has none")]
    NoRenderer(&'static str),
    /// A secret of the spec is known only by its digest (it was read back from storage, such
    /// as a Redis crawl's spec): its value must be given again.
    #[error("{setting} is stored only as a digest: give its value to this process too")]
    SecretWithheld {
        /// Which setting.
        setting: String,
    },
}

/// Why one page could not be fetched, stored on its node in the graph.
///
/// Serialises as an object with a `kind` tag, e.g. `{"kind":"http_status","status":404}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PageError {
    /// The server answered with a 4xx or 5xx status.
    #[error("HTTP {status}")]
    HttpStatus {
        /// The status code.
        status: u16,
    },
    /// The request (connect, a read, or the whole exchange) took longer than its timeout.
    #[error("timed out")]
    Timeout,
    /// No connection could be made: refused, unreachable, or the host name did not resolve.
    #[error("connection failed: {detail}")]
    Connect {
        /// The underlying error, as text.
        detail: String,
    },
    /// The TLS handshake failed: most often a certificate that is self-signed, expired or for
    /// another name (see [`accept_invalid_certs`](crate::CrawlerBuilder::accept_invalid_certs)).
    /// Not retried: the certificate will not change.
    #[error("TLS failed: {detail}")]
    Tls {
        /// What TLS said, e.g. `invalid peer certificate: UnknownIssuer`.
        detail: String,
    },
    /// The connection failed while the response body was read (reset, closed early, bad chunking).
    #[error("body read failed: {detail}")]
    Body {
        /// The underlying error, as text.
        detail: String,
    },
    /// The server's answer was not valid HTTP, or the request failed in another way.
    #[error("request failed: {detail}")]
    Request {
        /// The underlying error, as text.
        detail: String,
    },
    /// The page's deadline (`page_timeout`) passed before its redirect hops and retries were
    /// done; the hops made before it are kept.
    #[error("page took longer than {limit_ms} ms")]
    PageTimeout {
        /// The configured page timeout, in milliseconds.
        limit_ms: u64,
    },
    /// The redirect chain was longer than the configured maximum.
    #[error("more than {limit} redirects")]
    TooManyRedirects {
        /// The configured maximum.
        limit: usize,
    },
    /// The redirect chain came back to a URL it had already visited.
    #[error("redirect loop")]
    RedirectLoop,
    /// A redirect had no usable `Location` (missing, malformed, or a scheme that is not crawled).
    #[error("bad redirect location `{location}`")]
    BadRedirect {
        /// The `Location` header as sent (empty when missing).
        location: String,
    },
    /// The body was longer than the configured maximum; the page was cut there and the links
    /// found before the cut are kept.
    #[error("body larger than {limit} bytes")]
    BodyTooLarge {
        /// The configured maximum, in bytes.
        limit: usize,
    },
    /// A `file://` URL could not be read: missing, not a regular file, or outside the site
    /// root.
    #[error("file: {detail}")]
    File {
        /// What was wrong, naming the path.
        detail: String,
    },
    /// The host resolves only to private or reserved addresses, and `deny_private_ips` is on.
    #[error("blocked: {detail}")]
    Blocked {
        /// Which host or address was refused.
        detail: String,
    },
    /// The fetch task failed unexpectedly (a bug); the rest of the crawl went on.
    #[error("internal error: {detail}")]
    Internal {
        /// What failed.
        detail: String,
    },
    /// The body came in a `Content-Encoding` the crawler cannot decode (gzip, deflate and brotli
    /// are decoded), so its links could not be read. Not a broken link: a browser may read it.
    #[error("unsupported Content-Encoding `{encoding}`")]
    UnsupportedEncoding {
        /// The `Content-Encoding` header as sent.
        encoding: String,
    },
    /// The server answered `304 Not Modified` to a request that asked for no revalidation
    /// (no `If-None-Match` or `If-Modified-Since`): there is no page to read and no redirect
    /// to follow, so the link leads nowhere. Serialised with kind `unexpected_304`.
    #[error("304 Not Modified to an unconditional request")]
    #[serde(rename = "unexpected_304")]
    UnexpectedNotModified,
    /// The page was fetched but its rendering did not settle within `page_timeout` (a script
    /// that never stops, requests that never end); its static links are kept. Not a broken
    /// link.
    #[error("render took longer than {limit_ms} ms")]
    RenderTimeout {
        /// The configured page timeout, in milliseconds.
        limit_ms: u64,
    },
    /// The page was fetched but the browser failed to render it (the browser or the tab
    /// crashed, a page out of memory); its static links are kept. Not a broken link.
    #[error("render failed: {detail}")]
    RenderFailed {
        /// What failed.
        detail: String,
    },
}

impl PageError {
    /// Classifies a transport error from reqwest, so callers never see `reqwest::Error` itself.
    pub(crate) fn from_reqwest(err: &reqwest::Error, reading_body: bool) -> Self {
        let detail = error_chain(err);
        if is_private_address_error(err) {
            PageError::Blocked { detail }
        } else if let Some(tls) = tls_error(err) {
            PageError::Tls {
                detail: tls.to_string(),
            }
        } else if err.is_timeout() {
            PageError::Timeout
        } else if err.is_connect() {
            PageError::Connect { detail }
        } else if reading_body || err.is_body() || err.is_decode() {
            PageError::Body { detail }
        } else {
            PageError::Request { detail }
        }
    }

    /// Whether the failure is a broken link (as opposed to a crawl limit such as a body cap).
    pub fn is_broken(&self) -> bool {
        !matches!(
            self,
            PageError::BodyTooLarge { .. }
                | PageError::UnsupportedEncoding { .. }
                | PageError::RenderTimeout { .. }
                | PageError::RenderFailed { .. }
        )
    }
}

/// The rustls error among `err`'s sources, if any. An `io::Error`'s `source` skips the error
/// it wraps (and the TLS connector wraps one `io::Error` in another), so the walk goes into
/// the wrapped error instead.
fn tls_error<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut source = Some(err);
    while let Some(cause) = source {
        if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        source = match cause.downcast_ref::<std::io::Error>() {
            Some(io) => io.get_ref().map(|inner| inner as _),
            None => cause.source(),
        };
    }
    None
}

/// Joins an error and its sources into one line, innermost last.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        let inner_text = inner.to_string();
        if !text.contains(&inner_text) {
            text.push_str(": ");
            text.push_str(&inner_text);
        }
        source = inner.source();
    }
    text
}

/// The error a refused address gives; found again in the error chain to classify the failure.
#[derive(Debug, thiserror::Error)]
#[error("{0} resolves only to private or reserved addresses")]
pub(crate) struct PrivateAddress(pub(crate) String);

/// Whether `err` (or one of its sources) is a refused private address.
pub(crate) fn is_private_address_error(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(err);
    while let Some(e) = current {
        if e.is::<PrivateAddress>() {
            return true;
        }
        current = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync_static<T: Send + Sync + 'static>() {}

    #[test]
    fn errors_are_send_sync_static() {
        assert_send_sync_static::<Error>();
        assert_send_sync_static::<ConfigError>();
        assert_send_sync_static::<PageError>();
    }

    #[test]
    fn a_tls_error_is_found_inside_an_io_error() {
        let bad = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, bad.clone());
        let outer = std::io::Error::other(io);
        assert_eq!(tls_error(&outer), Some(&bad));
        let plain = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(tls_error(&plain), None);
    }

    #[test]
    fn page_error_serialises_with_kind_tag() {
        let json = serde_json::to_string(&PageError::HttpStatus { status: 404 }).unwrap();
        assert_eq!(json, r#"{"kind":"http_status","status":404}"#);
        let json = serde_json::to_string(&PageError::RedirectLoop).unwrap();
        assert_eq!(json, r#"{"kind":"redirect_loop"}"#);
        let json = serde_json::to_string(&PageError::UnexpectedNotModified).unwrap();
        assert_eq!(json, r#"{"kind":"unexpected_304"}"#);
        let back: PageError = serde_json::from_str(&json).unwrap();
        assert_eq!(back, PageError::UnexpectedNotModified);
        assert!(back.is_broken());
    }
}
