//! Request statistics: what was requested, when, and how many requests were
//! being handled at once.
//!
//! Tests assert crawler behaviour through these numbers: that each page was
//! fetched once, that politeness gaps were kept, that the concurrency cap
//! held. Every request with a well-formed head is recorded, whatever its
//! answer (404s and built-in routes included).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use crate::http::decode_path;

/// One recorded request.
#[derive(Debug)]
struct Entry {
    at: Instant,
    /// Path plus query, as received (origin form).
    target: String,
    /// Length of the path part of `target`.
    path_len: usize,
    /// The percent-decoded path, if it is UTF-8.
    decoded_path: Option<String>,
}

impl Entry {
    fn path(&self) -> &str {
        &self.target[..self.path_len]
    }

    /// `?query`, or empty.
    fn query_suffix(&self) -> &str {
        &self.target[self.path_len..]
    }
}

/// What a request said, as recorded by [`FixtureServer::request_heads`](crate::FixtureServer::request_heads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHead {
    /// `GET`, `HEAD`, ...
    pub method: String,
    /// Path plus query, in origin form (an absolute-form target, as sent to a proxy, is
    /// reduced to it; its host is in the `Host` header).
    pub target: String,
    /// The headers in the order sent, names as sent.
    pub headers: Vec<(String, String)>,
}

impl RequestHead {
    /// The first value of header `name`, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The target without its query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }
}

/// Shared statistics of one server.
///
/// The log is behind a `std::sync::Mutex` rather than an async lock: it is
/// read from synchronous test code as well as from server tasks, and every
/// critical section is a push or a scan that never awaits, so a blocking lock
/// is both simpler and correct. In-flight counting uses atomics because it
/// is touched twice per request and needs no consistency with the log.
#[derive(Debug)]
pub(crate) struct Stats {
    log: Mutex<Vec<Entry>>,
    /// Whether `log` is kept; `total` counts either way.
    keep_log: bool,
    total: AtomicUsize,
    /// Method, target and headers of every request, for tests of what the crawler sends.
    heads: Mutex<Vec<RequestHead>>,
    /// Requests that carried an `Authorization` header.
    authorized: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

impl Default for Stats {
    fn default() -> Self {
        Self::new(true)
    }
}

/// Marks one request as in flight until dropped, so that the count is right
/// even when a connection task is cancelled or fails mid-response.
#[derive(Debug)]
pub(crate) struct InFlight<'a>(&'a Stats);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Stats {
    /// Statistics that keep the request log if `keep_log`, else only the counts.
    pub(crate) fn new(keep_log: bool) -> Self {
        Self {
            log: Mutex::default(),
            keep_log,
            total: AtomicUsize::new(0),
            heads: Mutex::default(),
            authorized: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        }
    }

    fn log(&self) -> MutexGuard<'_, Vec<Entry>> {
        // A panicking test thread must not hide the numbers from the rest.
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records the arrival of a request for `target` (origin form) and
    /// counts it as in flight until the returned guard is dropped.
    pub(crate) fn begin(&self, target: &str) -> InFlight<'_> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        self.total.fetch_add(1, Ordering::Relaxed);
        if !self.keep_log {
            return InFlight(self);
        }
        let path_len = target.find('?').unwrap_or(target.len());
        let entry = Entry {
            at: Instant::now(),
            target: target.to_owned(),
            path_len,
            decoded_path: decode_path(&target[..path_len]),
        };
        self.log().push(entry);
        InFlight(self)
    }

    /// Keeps the method, target and headers of a request.
    pub(crate) fn record_head(&self, method: &str, target: &str, headers: &[(String, String)]) {
        if !self.keep_log {
            return;
        }
        self.heads
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(RequestHead {
                method: method.to_owned(),
                target: target.to_owned(),
                headers: headers.to_vec(),
            });
    }

    pub(crate) fn heads(&self) -> Vec<RequestHead> {
        self.heads
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Requests whose path, as sent or percent-decoded, equals `path`.
    pub(crate) fn hits(&self, path: &str) -> usize {
        self.log()
            .iter()
            .filter(|e| e.path() == path || e.decoded_path.as_deref() == Some(path))
            .count()
    }

    /// Requests whose path plus query equals `target`, with the path as sent
    /// or percent-decoded.
    pub(crate) fn hits_exact(&self, target: &str) -> usize {
        self.log()
            .iter()
            .filter(|e| {
                e.target == target
                    || e.decoded_path
                        .as_deref()
                        .is_some_and(|d| target.strip_prefix(d) == Some(e.query_suffix()))
            })
            .count()
    }

    pub(crate) fn total(&self) -> usize {
        self.total.load(Ordering::Relaxed)
    }

    pub(crate) fn targets(&self) -> Vec<String> {
        self.log().iter().map(|e| e.target.clone()).collect()
    }

    pub(crate) fn arrivals(&self) -> Vec<(Instant, String)> {
        self.log()
            .iter()
            .map(|e| (e.at, e.target.clone()))
            .collect()
    }

    /// Counts a request that carried an `Authorization` header.
    pub(crate) fn note_authorization(&self) {
        self.authorized.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn authorized(&self) -> usize {
        self.authorized.load(Ordering::SeqCst)
    }

    pub(crate) fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }
}
