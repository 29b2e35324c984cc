//! Test support for crawlgraph: an in-process HTTP/1.1 fixture server.
//!
//! End-to-end tests need a web server that they fully control and can
//! observe: which URLs the crawler fetched, how often, when, and how many at
//! once. [`FixtureServer`] serves the static site in `fixtures/site` plus a
//! set of built-in and programmable routes on a loopback address, and records
//! statistics about every request.
//!
//! The server is hand-rolled on raw tokio `TcpStream`s instead of using
//! hyper or axum, because later tests need fault injection (garbage status
//! lines, resets mid-body, dripping bodies) that a conforming HTTP library
//! will not produce. It runs on its own thread with its own tokio runtime, so
//! it works from plain `#[test]` functions (for example CLI tests that spawn
//! the binary) and from `#[tokio::test]` functions alike, and it keeps real
//! time even when a test calls `tokio::time::pause()`.
//!
//! The server only ever binds addresses in `127.0.0.0/8`.
//!
//! [`RedisServer`] runs a private `redis-server` for the distributed-crawl tests, and
//! [`RedisCluster`] a Redis Cluster of them.
//!
//! [`TlsFront`] puts HTTPS with a self-signed certificate in front of a fixture server.
//!
//! For scale, [`synth::generate`] writes a deterministic site of any size
//! (about 14 KB and 40 links a page) with the exact graph a crawl must find;
//! serve its folder with [`FixtureServer::start_with`] or any web server.
//!
//! # Built-in routes
//!
//! Answered by path; the query is ignored except for `delay_ms`.
//!
//! | path | answer |
//! | --- | --- |
//! | `/_/redirect-chain/N` | `302` to `/_/redirect-chain/{N-1}`; `N = 0` is a `200` page linking `/index.html` |
//! | `/_/loop/a`, `/_/loop/b` | `302` to each other |
//! | `/_/status/CODE` | that status with a small HTML page linking `/index.html` |
//! | `/_/slow/MS` | waits `MS` milliseconds, then a `200` HTML page |
//! | `/_/huge/BYTES` | a `200` `text/html` body of exactly `BYTES` bytes, streamed |
//! | `/_/links/N` | a `200` page with links to `/_/links/N/0` .. `/_/links/N/{N-1}` |
//! | `/_/links/N/I` | a tiny leaf page without links |
//! | `/_/gate/K/NAME` | waits until `K` requests wait at gate `NAME` together, which opens it for good; then a `200` HTML page |
//!
//! Any request (built-in, programmable route, static file, or 404) whose
//! query contains `delay_ms=X` is answered after an extra wait of `X`
//! milliseconds, which makes concurrency observable through
//! [`FixtureServer::max_in_flight`]. [`FixtureServer::set_latency`] delays
//! every answer (`fixture-server --latency-ms N`). [`FixtureServer::hold`] holds
//! every answer until [`FixtureServer::release`], so that a test can act mid-crawl
//! without racing the crawl's end.
//!
//! # Fault routes
//!
//! Under `/_/fault/`, answered before programmable routes and files, so they
//! cannot be overridden (the query is ignored unless stated). Wire faults
//! (the first nine) break HTTP itself and end the connection after
//! misbehaving; the others are well-formed responses with hostile content.
//!
//! | path | answer |
//! | --- | --- |
//! | `/_/fault/drip` | `200`, `Content-Length: 100`, then the body one byte per second |
//! | `/_/fault/hang` | reads the request and never answers; holds the connection 60 s or until the server is dropped |
//! | `/_/fault/reset-mid-body` | headers (`Content-Length: 100`) and 50 body bytes, then a TCP reset (`SO_LINGER` 0) |
//! | `/_/fault/close-after-headers` | headers (`Content-Length: 100`), then closes (FIN) |
//! | `/_/fault/garbage-status` | status line `HTTP/1.1 abc`, then headers and a body |
//! | `/_/fault/bad-headers` | a header line without a colon among otherwise valid headers |
//! | `/_/fault/short-body` | `Content-Length: 1000`, 10 body bytes, then closes |
//! | `/_/fault/lying-length` | `Content-Length: 999999999999`, a 100-byte page with a link, then closes |
//! | `/_/fault/raw-location` | `302` whose `Location` holds Latin-1 bytes: `/caf\xe9.html?q=\xff` |
//! | `/_/fault/redirect-ftp` | `302` to `ftp://127.0.0.1/x` |
//! | `/_/fault/redirect-offscope` | `302` to `http://localhost:PORT/a.html`: this server under another host name |
//! | `/_/fault/head-body` | `200` `image/png` whose body is a whole `404` answer, sent to HEAD requests too (a lying server), connection kept open |
//! | `/_/fault/gzip-bomb` | `Content-Encoding: gzip` `text/html` that inflates to a link and 10 MiB of spaces (about 10 KB sent) |
//! | `/_/fault/big/MB` | a `text/html` page of `MB` MiB (at most 1024) starting with a link, streamed |
//! | `/_/fault/many-links/N` | `N` (at most 100 000) unquoted links to the leaves `/_/links/N/I` |
//! | `/_/fault/farm/N/ID` | a link farm: `N` (at most 100 000) links to fresh farm pages `/_/fault/farm/N/ID-I`, which do the same |
//! | `/_/fault/deep/N` | `N` (at most 1 000 000) unclosed nested `<div>`s, then a link |
//! | `/_/fault/many-attrs/N` | one `<a>` with `N` (at most 1 000 000) distinct attributes before its `href` |
//! | `/_/fault/junk-ends/N` | `<div></x>` `N` times (at most 1 000 000): balanced tags that nest, then a link |
//! | `/_/fault/meta-utf16` | an ASCII page declaring `<meta charset="utf-16">`, with a link |
//! | `/_/fault/invalid-utf8` | `text/html` with bytes `0xff 0xfe` and a bad UTF-8 sequence around a link |
//! | `/_/fault/wrong-charset` | `Content-Type: text/html; charset=utf-16` on an ASCII page with a link |
//! | `/_/fault/nul` | NUL bytes around and inside a link |
//! | `/_/fault/trap/calendar/YYYY-MM-DD` | a page linking the next day's page, forever; `404` for invalid dates |
//! | `/_/fault/trap/query` | a page linking itself with query `x` one character longer: `?x=x`, `?x=xx`, ... |
//! | `/_/fault/retry-after/CODE/N/KEY` | `CODE` (400..=599) with `Retry-After: 1` for the first `N` requests of this exact path, then a `200` page; a fresh `KEY` gives a fresh counter |
//!
//! Besides these routes, [`FixtureServer::drop_requests`] drops a share of all requests at
//! random (deterministically: the same ones in every run), closing the connection without an
//! answer, as a flaky network or an overloaded server does.
//!
//! The HTML fault pages other than the traps and `many-links` (and the
//! `retry-after` error answers) hold one link, to `/a.html`, as do the
//! bodies of the wire faults; in `gzip-bomb` and `big` it comes before the
//! cut a body cap would make.
//!
//! # Example
//!
//! ```no_run
//! use crawler_tests::{FixtureServer, Reply};
//!
//! let server = FixtureServer::start();
//! server.route("/teapot", Reply::status(418));
//! let start = server.url("/index.html");
//! // ... crawl `start` ...
//! assert_eq!(server.hits("/index.html"), 1);
//! ```

mod alarm;
mod conn;
mod drops;
mod faults;
mod files;
mod gate;
mod http;
mod nginx;
mod ports;
pub mod procs;
pub mod random_site;
mod redis_server;
mod reply;
mod response;
mod routes;
mod server;
mod stats;
pub mod synth;
#[cfg(test)]
mod tests;
mod tls;
mod validators;

pub use nginx::Nginx;
pub use redis_server::{Listen, RedisCluster, RedisServer};
pub use reply::Reply;
pub use server::{copy_dir, fixture_root, js_site_root, FixtureServer, ServerOptions, Synthetic};
pub use stats::RequestHead;
pub use tls::{TlsFront, CERTIFICATE_DER};
