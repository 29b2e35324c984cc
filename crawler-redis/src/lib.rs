//! crawler-redis: a crawl shared by many worker processes through one Redis.
//!
//! # Architecture
//! - [`keys`]: the key layout, partitions by host (hash tags) and URL fingerprints.
//! - `scripts` and `src/lua/`: every change to the frontier is one atomic Lua script.
//! - [`frontier`]: [`RedisFrontier`], typed calls to those scripts.
//! - [`error`]: [`RedisCrawlError`], why a crawl cannot start or go on.
#![warn(unreachable_pub, missing_debug_implementations)]
#![deny(missing_docs)]

mod connect;
pub mod error;
pub mod frontier;
pub mod keys;
mod scripts;

pub use connect::{check_noeviction, connect};
pub use error::RedisCrawlError;
pub use frontier::{ClaimPolicy, Lease, RedisFrontier};
pub use keys::Keys;
