//! crawler-redis: a crawl shared by many worker processes through one Redis.
//!
//! # Architecture
//! - [`keys`]: the key layout, partitions by host (hash tags) and URL fingerprints.
//! - `scripts` and `src/lua/`: every change to the frontier is one atomic Lua script.
//! - [`frontier`]: [`RedisFrontier`], typed calls to those scripts.
//! - [`crawl`]: [`RedisCrawl`], a crawl's meta: create, join (settings checked), delete.
//! - [`status`]: a read-only snapshot for `crawl status`.
//! - [`settings`]: the graph-affecting settings a joiner must share.
//! - [`worker`]: the worker loop ([`RedisCrawl::work`]); [`coordination`]: redirect claims,
//!   shared robots.txt and pacing through Redis for the fetcher.
//! - `export`: [`RedisCrawl::export`] replays the stored outcomes through the same fold.
//! - `codec` (outcomes as deflated JSON), `retry` (back-off across reconnects).
//! - [`error`]: [`RedisCrawlError`], why a crawl cannot start or go on.
#![warn(unreachable_pub, missing_debug_implementations)]
#![deny(missing_docs)]

mod codec;
mod connect;
pub mod coordination;
pub mod crawl;
pub mod error;
mod export;
pub mod frontier;
pub mod keys;
mod retry;
mod scripts;
pub mod settings;
pub mod status;
pub mod worker;

pub use connect::{check_noeviction, connect};
pub use coordination::RedisCoordination;
pub use crawl::{Meta, NewCrawl, RedisCrawl, DEFAULT_PARTITIONS, SCHEMA};
pub use error::RedisCrawlError;
pub use frontier::{ClaimPolicy, Lease, RedisFrontier};
pub use keys::Keys;
pub use status::Status;
pub use worker::{WorkEnd, WorkReport, WorkerOptions, DEFAULT_LEASE, DEFAULT_REDIS_TIMEOUT};
