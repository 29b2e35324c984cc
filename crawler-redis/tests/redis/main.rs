//! Tests of crawler-redis against a real `redis-server` started by each test.
//!
//! - `crawl`: creating (racing creators), joining (settings checked), opening.
//! - `flow`: without levels: depths that drop, the `low` leases, and the end of the crawl.
//! - `follow`: parked targets and their upgrades, and the link classes of a level.
//! - `scripts`: the Lua frontier scripts: caps and gaps across connections, reaping, late
//!   acks, level advance, redirects, release and heartbeat, and the eviction check.

mod crawl;
mod flow;
mod follow;
mod scripts;
