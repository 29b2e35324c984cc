//! Commands beside the plain crawl.
//!
//! - [`redis`]: the distributed crawl (`crawl --redis URL --crawl-id ID`) and its
//!   `export`, `status` and `delete` commands.

#[cfg(feature = "redis")]
pub(crate) mod redis;
