//! Validators on static files ([`ServerOptions::validators`](crate::ServerOptions::validators)):
//! an `ETag` (a hash of the bytes) and a `Last-Modified` (the file's modification time) on
//! every file answer, and `304 Not Modified` to a request whose `If-None-Match` or (without
//! one) `If-Modified-Since` still matches, as RFC 9110 §13.1 orders them.
//!
//! [`Downloads`] counts what was answered: the paths of files sent in full, and the `304`s,
//! so that a test of a conditional re-crawl can assert that only changed pages were
//! downloaded.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use crate::http::Request;
use crate::response::{Body, Response};

/// The validators of one file.
#[derive(Debug, Clone)]
pub(crate) struct FileValidators {
    etag: String,
    modified: SystemTime,
}

impl FileValidators {
    /// The validators of a file with `body`, last modified at `modified`.
    pub(crate) fn of(body: &[u8], modified: SystemTime) -> Self {
        let mut hasher = DefaultHasher::new();
        body.hash(&mut hasher);
        Self {
            etag: format!("\"{:016x}\"", hasher.finish()),
            modified,
        }
    }

    /// Whether `req` asks for the file only if it changed, and it did not.
    fn unchanged_for(&self, req: &Request) -> bool {
        if let Some(tags) = req.header("if-none-match") {
            let weak = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
            let ours = weak(&self.etag);
            return tags
                .split(',')
                .any(|tag| tag.trim() == "*" || weak(tag) == ours);
        }
        req.header("if-modified-since")
            .and_then(|date| httpdate::parse_http_date(date).ok())
            .is_some_and(|since| {
                let secs = |t: SystemTime| {
                    t.duration_since(SystemTime::UNIX_EPOCH)
                        .map_or(0, |d| d.as_secs())
                };
                secs(self.modified) <= secs(since)
            })
    }

    /// The answer to `req` for the file whose full answer is `full`: `full` with the
    /// validators added, or a `304` with them.
    pub(crate) fn answer(&self, req: &Request, full: Response, downloads: &Downloads) -> Response {
        let headers = [
            ("ETag".to_owned(), self.etag.clone()),
            (
                "Last-Modified".to_owned(),
                httpdate::fmt_http_date(self.modified),
            ),
        ];
        if self.unchanged_for(req) {
            downloads.not_modified.fetch_add(1, Ordering::Relaxed);
            let mut response = Response::new(304, None, Body::Bytes(Vec::new()));
            response.headers.extend(headers);
            return response;
        }
        downloads
            .full
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(req.path().to_owned());
        let mut response = full;
        response.headers.extend(headers);
        response
    }
}

/// What a server with validators answered so far.
#[derive(Debug, Default)]
pub(crate) struct Downloads {
    /// Paths of the files sent in full, in answer order.
    pub(crate) full: Mutex<Vec<String>>,
    /// `304 Not Modified` answers.
    pub(crate) not_modified: AtomicUsize,
}
