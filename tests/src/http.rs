//! Minimal HTTP/1.1 wire handling: reading and parsing request heads, and
//! writing responses with `Content-Length` framing.
//!
//! Hand-rolled rather than built on hyper so that the server works directly
//! on raw streams and can later misbehave on purpose (garbage status lines,
//! resets mid-body, dripping bodies). Only what the fixture needs is here:
//! request line and headers (head capped at 64 KiB), keep-alive, bodies
//! skipped by `Content-Length`, and responses that always carry
//! `Content-Length`.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io;
use std::time::Duration;

use percent_encoding::percent_decode_str;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::response::{reason, Body, Response};

/// Largest request head (request line plus headers) the server accepts.
pub(crate) const MAX_HEAD: usize = 64 * 1024;

/// Size of the chunks in which generated bodies are written.
const CHUNK: usize = 64 * 1024;

/// How long a closing connection keeps draining input (see [`Conn::close`]).
const LINGER_TIME: Duration = Duration::from_secs(1);

/// How much input a closing connection drains at most.
const LINGER_MAX_BYTES: usize = 1024 * 1024;

/// Filler for generated bodies, so that huge bodies need no allocation.
static FILLER: [u8; CHUNK] = [b'x'; CHUNK];

/// A request method; only `GET` and `HEAD` are served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Head,
    Other(String),
}

impl Method {
    /// The method as sent.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Other(other) => other,
        }
    }
}

/// A parsed request head.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) method: Method,
    /// The origin-form target, path plus optional `?query`.
    pub(crate) target: String,
    /// The `x` in `HTTP/1.x`.
    pub(crate) minor_version: u8,
    pub(crate) headers: Vec<(String, String)>,
}

/// How the request body (if any) is delimited.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BodyFraming {
    None,
    Length(u64),
    /// Chunked or otherwise not skippable: close after answering.
    Unknown,
}

impl Request {
    /// The target without its query.
    pub(crate) fn path(&self) -> &str {
        self.target.split_once('?').map_or(&self.target, |(p, _)| p)
    }

    /// The query without the `?`, if there is one.
    pub(crate) fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    /// The first value of header `name`, compared case-insensitively.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the client wants the connection kept open after this
    /// request: the default for HTTP/1.1, opt-in for HTTP/1.0.
    pub(crate) fn wants_keep_alive(&self) -> bool {
        let has = |token: &str| {
            self.headers
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case("connection"))
                .flat_map(|(_, v)| v.split(','))
                .any(|t| t.trim().eq_ignore_ascii_case(token))
        };
        if has("close") {
            false
        } else {
            self.minor_version >= 1 || has("keep-alive")
        }
    }

    /// How the request body is delimited, so it can be skipped.
    pub(crate) fn body_framing(&self) -> BodyFraming {
        if self.header("transfer-encoding").is_some() {
            return BodyFraming::Unknown;
        }
        match self
            .header("content-length")
            .map(|v| v.trim().parse::<u64>())
        {
            None | Some(Ok(0)) => BodyFraming::None,
            Some(Ok(n)) => BodyFraming::Length(n),
            Some(Err(_)) => BodyFraming::Unknown,
        }
    }
}

/// Percent-decodes a path as UTF-8; `None` if the result is not UTF-8.
pub(crate) fn decode_path(path: &str) -> Option<String> {
    percent_decode_str(path)
        .decode_utf8()
        .ok()
        .map(Cow::into_owned)
}

/// Parses a request head (everything up to and including the blank line).
/// Returns `None` for anything malformed.
pub(crate) fn parse_head(head: &[u8]) -> Option<Request> {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let mut parts = lines.next()?.split(' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || method.is_empty() {
        return None;
    }
    let minor_version = match version.strip_prefix("HTTP/1.")?.as_bytes() {
        [d] if d.is_ascii_digit() => d - b'0',
        _ => return None,
    };
    let method = match method {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        other => Method::Other(other.to_owned()),
    };
    let mut headers = Vec::new();
    for line in lines.take_while(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':')?;
        if name.is_empty() || name.contains(|c: char| c.is_ascii_whitespace()) {
            return None;
        }
        headers.push((name.to_owned(), value.trim().to_owned()));
    }
    Some(Request {
        method,
        target: origin_form(target)?,
        minor_version,
        headers,
    })
}

/// Reduces an absolute-form target (`http://host/path`) to origin form;
/// rejects targets that are neither.
fn origin_form(target: &str) -> Option<String> {
    if target.starts_with('/') {
        return Some(target.to_owned());
    }
    let rest = target
        .strip_prefix("http://")
        .or_else(|| target.strip_prefix("https://"))?;
    Some(match rest.find(['/', '?']) {
        Some(i) if rest[i..].starts_with('/') => rest[i..].to_owned(),
        Some(i) => format!("/{}", &rest[i..]),
        None => "/".to_owned(),
    })
}

/// Outcome of reading a request head.
#[derive(Debug)]
pub(crate) enum HeadRead {
    Head(Vec<u8>),
    /// The peer closed the connection (possibly mid-head).
    Closed,
    /// The head exceeded [`MAX_HEAD`].
    TooLarge,
}

/// One connection: the stream plus bytes read past the current head
/// (pipelined requests).
#[derive(Debug)]
pub(crate) struct Conn<S> {
    stream: S,
    buf: Vec<u8>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Conn<S> {
    pub(crate) fn new(stream: S) -> Self {
        Self {
            stream,
            buf: Vec::with_capacity(8 * 1024),
        }
    }

    /// The underlying stream, for fault injection that writes raw bytes.
    pub(crate) fn stream_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    /// Reads up to and including the next `\r\n\r\n`.
    pub(crate) async fn read_head(&mut self) -> io::Result<HeadRead> {
        let mut scanned = 0;
        loop {
            // Servers should ignore empty lines before a request line.
            let blank = self
                .buf
                .iter()
                .take_while(|&&b| b == b'\r' || b == b'\n')
                .count();
            if blank > 0 {
                self.buf.drain(..blank);
                scanned = 0;
            }
            if let Some(pos) = self.buf[scanned..]
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
            {
                let end = scanned + pos + 4;
                if end > MAX_HEAD {
                    return Ok(HeadRead::TooLarge);
                }
                return Ok(HeadRead::Head(self.buf.drain(..end).collect()));
            }
            if self.buf.len() >= MAX_HEAD {
                return Ok(HeadRead::TooLarge);
            }
            scanned = self.buf.len().saturating_sub(3);
            self.buf.reserve(8 * 1024);
            if self.stream.read_buf(&mut self.buf).await? == 0 {
                return Ok(HeadRead::Closed);
            }
        }
    }

    /// Reads and drops `n` body bytes; `false` if the peer closed first.
    pub(crate) async fn discard(&mut self, mut n: u64) -> io::Result<bool> {
        let buffered = usize::try_from(n).unwrap_or(usize::MAX).min(self.buf.len());
        self.buf.drain(..buffered);
        n -= buffered as u64;
        let mut scratch = [0u8; 8 * 1024];
        while n > 0 {
            let want = usize::try_from(n).unwrap_or(usize::MAX).min(scratch.len());
            let got = self.stream.read(&mut scratch[..want]).await?;
            if got == 0 {
                return Ok(false);
            }
            n -= got as u64;
        }
        Ok(true)
    }

    /// Writes `resp`, with its body unless `with_body` is false (`HEAD`).
    /// `Content-Length` and `Connection` are always set here.
    pub(crate) async fn write_response(
        &mut self,
        resp: &Response,
        with_body: bool,
        keep_alive: bool,
    ) -> io::Result<()> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
        for (k, v) in &resp.headers {
            if !k.eq_ignore_ascii_case("content-length") && !k.eq_ignore_ascii_case("connection") {
                let _ = write!(head, "{k}: {v}\r\n");
            }
        }
        let connection = if keep_alive { "keep-alive" } else { "close" };
        let _ = write!(
            head,
            "Content-Length: {}\r\nConnection: {connection}\r\n\r\n",
            resp.body.len()
        );
        let mut head = head.into_bytes();
        match &resp.body {
            Body::Bytes(bytes) => {
                // One write for head and body: fewer packets, no Nagle stalls.
                if with_body {
                    head.extend_from_slice(bytes);
                }
                self.stream.write_all(&head).await?;
            }
            Body::Filler { prefix, len } => {
                self.stream.write_all(&head).await?;
                if with_body {
                    self.write_filler(prefix, *len).await?;
                }
            }
        }
        self.stream.flush().await
    }

    async fn write_filler(&mut self, prefix: &[u8], len: u64) -> io::Result<()> {
        let prefix = &prefix[..usize::try_from(len).unwrap_or(usize::MAX).min(prefix.len())];
        self.stream.write_all(prefix).await?;
        let mut left = len - prefix.len() as u64;
        while left > 0 {
            let n = usize::try_from(left).unwrap_or(usize::MAX).min(CHUNK);
            self.stream.write_all(&FILLER[..n]).await?;
            left -= n as u64;
        }
        Ok(())
    }

    /// Sends FIN after the last response, then reads and drops whatever the
    /// client still sends for a short while ("lingering close"): closing a
    /// socket with unread input makes the kernel send a reset, which can
    /// destroy the response before the client has read it. Errors are
    /// irrelevant by then.
    pub(crate) async fn close(&mut self) {
        if self.stream.shutdown().await.is_err() {
            return;
        }
        let drain = async {
            let mut scratch = [0u8; 8 * 1024];
            let mut left = LINGER_MAX_BYTES;
            while left > 0 {
                match self.stream.read(&mut scratch).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => left = left.saturating_sub(n),
                }
            }
        };
        let _ = tokio::time::timeout(LINGER_TIME, drain).await;
    }
}
