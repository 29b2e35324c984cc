//! Request dispatch: programmable routes, built-in `/_/` routes, then static
//! files, plus the `delay_ms` query parameter.
//!
//! The built-in routes give tests redirect chains and loops, arbitrary
//! statuses, slow and huge responses, and wide link fan-outs without having
//! to write fixture files for them. Programmable routes come first so that a
//! test can override anything, including a fixture file.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::alarm;
use crate::files;
use crate::gate::Gates;
use crate::http::{decode_path, Method, Request};
use crate::reply::Reply;
use crate::response::{Body, Response};
use crate::stats::Stats;
use crate::synth::SyntheticSite;
use crate::validators::Downloads;

/// Largest `N` accepted by `/_/links/N`, to keep pages a sane size.
const MAX_LINKS: u64 = 100_000;

/// State shared by the server handle and all connection tasks.
#[derive(Debug)]
pub(crate) struct Shared {
    /// Canonical fixture root.
    pub(crate) root: Arc<Path>,
    /// Programmed replies by exact path. A `std::sync::Mutex` because the
    /// test thread writes it synchronously and tasks only clone a reply out
    /// under the lock, never awaiting while holding it.
    pub(crate) routes: Mutex<HashMap<String, Reply>>,
    /// Programmed replies for one method and path (`("HEAD", "/x")`), before `routes`.
    pub(crate) method_routes: Mutex<HashMap<(String, String), Reply>>,
    pub(crate) stats: Stats,
    /// A generated site served in place of the files under `root`.
    pub(crate) synthetic: Option<SyntheticSite>,
    /// Extra wait before every answer, in microseconds (a slow network or server).
    pub(crate) latency_us: std::sync::atomic::AtomicU64,
    /// The `/_/gate/K/NAME` gates.
    pub(crate) gates: Gates,
    /// Whether answers are held (`FixtureServer::hold`).
    pub(crate) held: tokio::sync::watch::Sender<bool>,
    /// Requests dropped at random (`FixtureServer::drop_requests`).
    pub(crate) drops: crate::drops::Drops,
    /// Files carry validators and conditional requests are answered (`ServerOptions::validators`).
    pub(crate) validators: bool,
    /// What was sent in full and what was answered `304`, when `validators` is on.
    pub(crate) downloads: Downloads,
}

impl Shared {
    pub(crate) fn new(
        root: Arc<Path>,
        synthetic: Option<SyntheticSite>,
        (log, validators): (bool, bool),
    ) -> Self {
        Self {
            root,
            routes: Mutex::default(),
            method_routes: Mutex::default(),
            stats: Stats::new(log),
            synthetic,
            latency_us: std::sync::atomic::AtomicU64::new(0),
            gates: Gates::default(),
            held: tokio::sync::watch::channel(false).0,
            drops: crate::drops::Drops::default(),
            validators,
            downloads: Downloads::default(),
        }
    }

    pub(crate) fn set_route(&self, path: &str, reply: Reply) {
        self.routes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(path.to_owned(), reply);
    }

    pub(crate) fn set_method_route(&self, method: &str, path: &str, reply: Reply) {
        self.method_routes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((method.to_ascii_uppercase(), path.to_owned()), reply);
    }

    fn route(&self, method: &str, path: &str, decoded: Option<&str>) -> Option<Reply> {
        {
            let routes = self
                .method_routes
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let key = |path: &str| (method.to_owned(), path.to_owned());
            let reply = routes
                .get(&key(path))
                .or_else(|| routes.get(&key(decoded?)));
            if let Some(reply) = reply {
                return Some(reply.clone());
            }
        }
        let routes = self.routes.lock().unwrap_or_else(PoisonError::into_inner);
        routes.get(path).or_else(|| routes.get(decoded?)).cloned()
    }
}

/// Computes the response to `req`, waiting for any programmed or requested
/// delay first. The delay counts from when the request may be answered (its head read, and
/// not held), so the time spent reading a file is part of it, as on a server that takes that
/// long to answer.
pub(crate) async fn respond(shared: &Shared, req: &Request) -> Response {
    // The sender lives in `shared`, which outlives every connection task.
    let _ = shared.held.subscribe().wait_for(|held| !*held).await;
    let start = Instant::now();
    let path = req.path();
    let decoded = decode_path(path);
    let latency = shared.latency_us.load(std::sync::atomic::Ordering::Relaxed);
    let mut delay = query_delay(req.query()) + Duration::from_micros(latency);
    let response = if let Method::Other(_) = req.method {
        let mut r = Response::html(405, "<html><body>method not allowed</body></html>");
        r.headers.push(("Allow".to_owned(), "GET, HEAD".to_owned()));
        // The body of such a request may not be skippable; start afresh.
        r.close = true;
        r
    } else if let Some(reply) = shared.route(req.method.as_str(), path, decoded.as_deref()) {
        delay += reply.delay;
        Response::from(reply)
    } else if let Some((k, name)) = path.strip_prefix("/_/gate/").and_then(gate_of) {
        shared.gates.pass(name, k).await;
        Response::html(200, "<html><body>through the gate</body></html>")
    } else if let Some((response, wait)) = path.strip_prefix("/_/").and_then(builtin) {
        delay += wait;
        response
    } else if let Some(site) = &shared.synthetic {
        match site.page(path) {
            Some(html) => Response::html(200, html),
            None => Response::not_found(),
        }
    } else {
        match files::serve(Arc::clone(&shared.root), decoded).await {
            (full, Some(file)) if shared.validators => file.answer(req, full, &shared.downloads),
            (response, _) => response,
        }
    };
    if !delay.is_zero() {
        match start.checked_add(delay) {
            Some(at) => alarm::sleep_until(at).await,
            // Longer than the process will run.
            None => std::future::pending().await,
        }
    }
    response
}

/// `K/NAME` of a `/_/gate/K/NAME` path: `K` at least 1, `NAME` not empty.
fn gate_of(rest: &str) -> Option<(usize, &str)> {
    let (k, name) = rest.split_once('/')?;
    let k = k.parse().ok().filter(|&k| k >= 1)?;
    (!name.is_empty()).then_some((k, name))
}

/// The `delay_ms` query parameter as a duration (zero if absent).
fn query_delay(query: Option<&str>) -> Duration {
    query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|pair| pair.strip_prefix("delay_ms=")?.parse().ok())
        .map_or(Duration::ZERO, Duration::from_millis)
}

/// Answers a built-in route (`rest` is the path after `/_/`), with how long
/// to wait before answering; `None` if it is not one.
fn builtin(rest: &str) -> Option<(Response, Duration)> {
    let mut parts = rest.split('/');
    let kind = parts.next()?;
    let args: Vec<&str> = parts.collect();
    let now = |r| Some((r, Duration::ZERO));
    match (kind, args.as_slice()) {
        ("redirect-chain", [n]) => match n.parse::<u64>().ok()? {
            0 => now(Response::html(
                200,
                "<html><body><a href=\"/index.html\">home</a></body></html>",
            )),
            n => now(Response::redirect(
                302,
                &format!("/_/redirect-chain/{}", n - 1),
            )),
        },
        ("loop", ["a"]) => now(Response::redirect(302, "/_/loop/b")),
        ("loop", ["b"]) => now(Response::redirect(302, "/_/loop/a")),
        ("status", [code]) => now(status_page(code.parse().ok()?)?),
        ("slow", [ms]) => Some((
            Response::html(200, "<html><body>slow</body></html>"),
            Duration::from_millis(ms.parse().ok()?),
        )),
        ("huge", [len]) => now(Response::new(
            200,
            Some("text/html"),
            Body::Filler {
                prefix: b"<html><body>",
                len: len.parse().ok()?,
            },
        )),
        ("links", [n]) => now(links_page(n.parse().ok().filter(|&n| n <= MAX_LINKS)?)),
        ("links", [n, i]) => {
            let (n, i) = (n.parse::<u64>().ok()?, i.parse::<u64>().ok()?);
            now(Response::html(
                200,
                format!("<html><head><title>leaf {i} of {n}</title></head><body>leaf {i} of {n}</body></html>"),
            ))
        }
        #[cfg(test)]
        ("panic", []) => panic!("fixture server test panic"),
        _ => None,
    }
}

/// `/_/status/CODE`: a small page linking home, or no body for statuses
/// that must not have one.
fn status_page(code: u16) -> Option<Response> {
    if !(100..=999).contains(&code) {
        return None;
    }
    Some(if code < 200 || code == 204 || code == 304 {
        Response::new(code, None, Body::Bytes(Vec::new()))
    } else {
        Response::html(
            code,
            format!(
                "<html><body><h1>status {code}</h1><a href=\"/index.html\">home</a></body></html>"
            ),
        )
    })
}

/// `/_/links/N`: a page linking `/_/links/N/0` .. `/_/links/N/{N-1}`.
fn links_page(n: u64) -> Response {
    let mut page = format!("<html><head><title>links {n}</title></head><body>\n");
    for i in 0..n {
        let _ = writeln!(page, "<a href=\"/_/links/{n}/{i}\">link {i}</a>");
    }
    page.push_str("</body></html>\n");
    Response::html(200, page)
}

#[cfg(test)]
mod tests {
    use super::query_delay;
    use std::time::Duration;

    #[test]
    fn delay_ms_is_read_from_anywhere_in_the_query() {
        assert_eq!(query_delay(None), Duration::ZERO);
        assert_eq!(query_delay(Some("page=1")), Duration::ZERO);
        assert_eq!(query_delay(Some("delay_ms=25")), Duration::from_millis(25));
        assert_eq!(
            query_delay(Some("a=1&delay_ms=7&b")),
            Duration::from_millis(7)
        );
        assert_eq!(query_delay(Some("xdelay_ms=7")), Duration::ZERO);
        assert_eq!(query_delay(Some("delay_ms=x")), Duration::ZERO);
    }
}
