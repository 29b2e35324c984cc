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
//!
//! Any request (built-in, programmable route, static file, or 404) whose
//! query contains `delay_ms=X` is answered after an extra wait of `X`
//! milliseconds, which makes concurrency observable through
//! [`FixtureServer::max_in_flight`].
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

mod conn;
mod files;
mod http;
mod reply;
mod response;
mod routes;
mod server;
mod stats;
#[cfg(test)]
mod tests;

pub use reply::Reply;
pub use server::{fixture_root, FixtureServer, ServerOptions};
