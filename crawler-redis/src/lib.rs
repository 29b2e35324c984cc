//! crawler-redis: one crawl shared by many worker processes, on any number of machines,
//! through one Redis.
//!
//! Workers claim URLs from a frontier kept in Redis, fetch them with crawler-core's
//! [`Fetcher`](crawler_core::Fetcher), and store each page's outcome there. Nothing is lost
//! when a worker dies (its leases expire and go to the others), politeness holds across all
//! workers (per-host caps and gaps are enforced when URLs are claimed), the crawl ends by
//! itself, and [`RedisCrawl::export`] rebuilds the same graph as a single-process crawl by
//! replaying the stored outcomes through the same fold.
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use crawler_core::{Crawler, Url};
//! use crawler_redis::{NewCrawl, RedisCrawl, WorkerOptions, DEFAULT_LEASE, DEFAULT_PARTITIONS};
//!
//! let crawler = Crawler::builder().max_depth(3).build()?;
//! let seeds = [Url::parse("http://127.0.0.1:8000/")?];
//! let new = NewCrawl {
//!     spec: crawler.spec(),
//!     seeds: &seeds,
//!     level0: &seeds,
//!     partitions: DEFAULT_PARTITIONS,
//! };
//! let timeout = Duration::from_secs(30);
//! let crawl = RedisCrawl::create_or_join("redis://127.0.0.1/", "docs", timeout, &new).await?;
//! let options = WorkerOptions { concurrency: 32, lease: DEFAULT_LEASE, redis_timeout: timeout };
//! crawl.work(&crawler, options, std::future::pending()).await?;
//! let report = crawl.export().await?;
//! println!("{} pages", report.graph.page_count());
//! # Ok(())
//! # }
//! ```
//!
//! # Protocol
//! The design is `shared/design/distributed.md` (§3, §4). In short:
//! - All URL state is partitioned by host: `cg:{X:p}:…` with `p = xxh3(host:port) mod P`, so
//!   every script call touches one hash slot. Crawl-wide state is in `cg:{X}:…`.
//! - Per partition: a SET of 16-byte fingerprints (`seen`), a LIST per level and host (`q`; one
//!   per host without levels),
//!   a ZSET of hosts ready per level (`ready`, scored by the next allowed claim), leases with
//!   deadlines (`lease`, `own`), in-flight counts and gaps per host, the level's count of URLs
//!   not yet completed (`rem`), and the outcomes (`out`, first completion wins). Crawl-wide,
//!   beside `meta` and `level`: the outcomes' deflate dictionary (`dict`, set once).
//! - Every change is one Lua script (`src/lua/`) using Redis `TIME`, so worker clocks never
//!   matter: `enqueue` (seen + queue, atomic), `claim` (caps and gaps for all workers),
//!   `reap`, `complete` (late acks are no-ops), `heartbeat`, `release`, `redirect`, `pace`,
//!   `advance`; without levels `discover`, `chain`, `lowclaim` and `lowdone`.
//! - Which links are claimed is the single-process fold's rule (`LinkOptions::follows`). A
//!   target reached only by links that are not followed is *parked* (per-partition set `nf`);
//!   a followed link of a last-depth page is an *upgrade*, which `enqueue` queues only if its
//!   target was parked, as the fold fetches such a target. Each link carries a
//!   [`LinkClass`] that `enqueue` ors into the target's classes for its level (`tk:d`);
//!   `claim` returns them, and the worker fetches the URL as a page, a resource (HEAD) or a
//!   stylesheet, as the fold's `target_of` decides with `--check-resources`.
//! - Exact BFS depths **without levels** (the default, [`CrawlSpec::flows`](crawler_core::CrawlSpec::flows)):
//!   one queue per partition and host (`q:f`, `ready:f`, `rem:f`); each URL met has its
//!   tentative depth and followed bit in `dep` (`discover` keeps the shortest and queues the
//!   URL once it is within the limit and followed). A page whose depth drops after its links
//!   were sent (its outcome stored, or fetched in another page's redirect chain: `via`, set by
//!   `chain`) goes to the ZSET `low`; workers lease its entries (`lowclaim`, scored by the
//!   lease's deadline), send the stored outcome's links again from the new depth and end the
//!   lease (`lowdone`). A page whose depth drops while it is fetched is caught by `complete`,
//!   which compares its depth then with the one its links were sent from. Completion: every
//!   partition's `rem:f` and `low` at 0, read between two reads of the crawl's activity
//!   counter `gen`, which a worker bumps after sending what a page leads to and before ending
//!   its lease; the read is taken only if the counter did not move.
//! - Exact BFS depths **by levels** (kept for `--check-resources`): one level at a time. When a
//!   worker finds nothing to claim it sums `rem:d` over the partitions and, at 0, moves
//!   `level` on (compare-and-set) or marks the crawl complete when the next level is empty;
//!   every worker then exits.
//! - **Round trips:** a worker claims up to a quarter of its concurrency per script call
//!   (leases each, within the host's cap), goes straight back to the partitions that gave
//!   work (the overview of all partitions is read only when they have none, or once a
//!   second), and stores every page finished by then in one round trip in the background
//!   (one `enqueue` per partition and level, then one `complete` per partition). On the
//!   10k bench site that is 0.2-0.36 round trips a page, against 1.07 when each page
//!   completed alone.
//! - **Redis Cluster:** `redis+cluster://host:port[,host:port...]` connects through the
//!   `redis` crate's cluster client. Each script call touches one slot; the crawl-wide reads
//!   (overview, remaining counts, status, export) and a page batch's completions are sent as
//!   one pipeline per slot (see `batch`), with the links' claims finished before the
//!   completions that could end their level.
//!
//! # Departures from the design, and why
//! - **Label correction instead of a level barrier**, by default: a level waited for its
//!   slowest host on every worker. The cost is a `dep` entry per URL met (those one link past
//!   the limit included) and a second pass over the links of a page whose depth drops.
//! - **Level barrier without `done:d` sets** (by levels). `rem:d` only falls while level d runs, so a
//!   pipelined read of all partitions' counts is a safe completion test; no extra keys, and
//!   idempotent by construction. Idle workers poll instead of subscribing to a PUBLISH
//!   (nothing to resubscribe after a reconnect); they look again 5 ms after finding
//!   nothing, backing off to 50 ms, and at once when one of their own completions emptied
//!   its partition's level.
//! - **Reaping is its own script**, pipelined with each claim in the same round trip: each
//!   script stays short and testable alone. A URL whose lease expired 3 times is recorded by
//!   the worker as `Internal("abandoned after 3 expired leases")` instead of fetched again.
//! - **Where to claim:** one overview round trip (level, state, and per partition the ready
//!   hosts and the earliest lease deadline) picks the partitions worth claiming from, instead
//!   of rotating over all partitions; it is skipped while the last partitions still give work
//!   (expired leases elsewhere then wait up to a second longer to be reaped).
//! - **Outcomes are a binary layout deflated with a crawl-wide preset dictionary**, not
//!   postcard + zstd: no new C dependency (`PageOutcome`'s internally tagged `PageError`
//!   also rules out postcard and bincode). The layout writes each URL relative to the page's
//!   own URL and leaves out field names and absent fields; the dictionary is the layout
//!   bytes of the first pages a worker encodes (the first proposal stored wins, `SET NX`),
//!   so deflate can reuse what a site's pages share. On the 10k bench site: about 450 bytes
//!   an outcome, against 860 for deflated JSON (which was 5:1 on link lists). zstd with a
//!   trained dictionary measured about the same (`zstd -3 -D`: 386 B a page with its frame,
//!   against 367 B for zlib's deflate with the same sample as dictionary). Each thread reuses
//!   one compressor: a fresh one per page zeroed about 300 KiB of tables, 42% of a worker's
//!   CPU. Queue entries carry the fingerprint before the URL so scripts never hash.
//! - **Joining:** the crawl stores its creator's [`CrawlSpec`](crawler_core::CrawlSpec) (JSON,
//!   versioned, secrets as digests). A joiner's spec must equal it in every shared field
//!   ([`CrawlSpec::difference`](crawler_core::CrawlSpec::difference)); the CLI lets a joiner
//!   inherit every setting it does not give
//!   ([`CrawlSpec::joined`](crawler_core::CrawlSpec::joined)), so `crawl --redis URL
//!   --crawl-id ID` joins as is, given the crawl's secrets.
//! - **Not yet:** `max_pages` ([`RedisCrawlError::Unsupported`]) and the compact seen-set
//!   layout.
//! - **Pacing:** the fetcher adds no gap of its own (`paces_locally` is false); the frontier
//!   spaces claims of a host. A redirect hop to another host, and a host's robots.txt request,
//!   are therefore capped per worker but not spaced by the frontier.
//! - **Positive cache:** a worker remembers the links it already claimed and skips them; the
//!   cache is dropped on any Redis error (a restarted Redis may have lost its last second of
//!   writes, AOF `everysec`), and a retried completion re-sends every link.
//!
//! # Architecture
//! - [`keys`]: the key layout, partitions by host (hash tags) and URL fingerprints.
//! - `scripts` and `src/lua/`: every change to the frontier is one atomic Lua script.
//! - [`frontier`]: [`RedisFrontier`], typed calls to those scripts; [`link_class`]: what a
//!   link makes of its target, sent with each claim.
//! - [`crawl`]: [`RedisCrawl`], a crawl's meta (its spec, seeds, level 0): create, join
//!   (settings checked), delete.
//! - [`status`]: a read-only snapshot for `crawl status`.
//! - [`worker`]: the worker loop ([`RedisCrawl::work`]); [`coordination`]: redirect claims,
//!   shared robots.txt and pacing through Redis for the fetcher.
//! - `export`: [`RedisCrawl::export`] replays the stored outcomes through the same fold.
//! - [`levels`]: the level barrier and the crawl-wide reads (overview, remaining, heartbeats).
//! - `connect` ([`RedisConnection`]: one server or a Cluster), `batch` (multi-slot commands as
//!   one pipeline, or one per slot on a Cluster), `codec` (outcomes in a binary `layout`,
//!   deflated with the crawl's preset dictionary, which `dictionary` keeps in Redis), `retry`
//!   (back-off across reconnects).
//! - [`error`]: [`RedisCrawlError`], why a crawl cannot start or go on.
#![warn(unreachable_pub, missing_debug_implementations)]
#![deny(missing_docs)]

mod batch;
mod codec;
mod connect;
pub mod coordination;
pub mod crawl;
mod dictionary;
pub mod error;
mod export;
pub mod frontier;
pub mod keys;
mod layout;
pub mod levels;
pub mod link_class;
mod retry;
mod scripts;
pub mod status;
pub mod worker;

pub use connect::{check_noeviction, connect, RedisConnection, CLUSTER_SCHEME};
pub use coordination::RedisCoordination;
pub use crawl::{Meta, NewCrawl, RedisCrawl, DEFAULT_PARTITIONS, SCHEMA};
pub use error::RedisCrawlError;
pub use frontier::{ClaimPolicy, Completed, Completion, Lease, LowLease, Reach, RedisFrontier};
pub use keys::Keys;
pub use link_class::LinkClass;
pub use status::{HostLeft, Status};
pub use worker::{WorkEnd, WorkReport, WorkerOptions, DEFAULT_LEASE, DEFAULT_REDIS_TIMEOUT};
