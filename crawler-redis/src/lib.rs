//! crawler-redis: a crawl shared by many worker processes through one Redis.
//!
//! # Architecture
//! - [`keys`]: the key layout, partitions by host (hash tags) and URL fingerprints.
//! - `scripts` and `src/lua/`: every change to the frontier is one atomic Lua script.
//! - [`frontier`]: [`RedisFrontier`], typed calls to those scripts.
//! - [`crawl`]: [`RedisCrawl`], a crawl's meta: create, join (settings checked), delete.
//! - [`status`]: a read-only snapshot for `crawl status`.
//! - [`settings`]: the graph-affecting settings a joiner must share.
//! - [`error`]: [`RedisCrawlError`], why a crawl cannot start or go on.
#![warn(unreachable_pub, missing_debug_implementations)]
#![deny(missing_docs)]

mod connect;
pub mod crawl;
pub mod error;
pub mod frontier;
pub mod keys;
mod scripts;
pub mod settings;
pub mod status;

pub use connect::{check_noeviction, connect};
pub use crawl::{Meta, NewCrawl, RedisCrawl, DEFAULT_PARTITIONS, SCHEMA};
pub use error::RedisCrawlError;
pub use frontier::{ClaimPolicy, Lease, RedisFrontier};
pub use keys::Keys;
pub use status::Status;
