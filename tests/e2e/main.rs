//! End-to-end tests: the crawler against the in-process fixture server on 127.0.0.1.
//!
//! One test binary (faster to link, one place to look), one module per concern:
//! - `crawl_graph`: the exact edge and node sets of the fixture site at every depth;
//! - `depth`: the boundary rule;
//! - `dedup`: no page is fetched twice;
//! - `concurrency`: the per-host and global caps, measured at the server;
//! - `redirects`: chains, loops, caps and off-scope targets;
//! - `failures`: 404, 500, timeouts, refused connections, body caps;
//! - `politeness`: robots.txt, crawl delays per host, sitemaps;
//! - `stopping`: cancellation and the page cap return partial reports;
//! - `hostile`: fault-injecting servers, crawler traps, retries and blocked addresses;
//! - `synthetic`: a generated 300-page site, crawled completely, exactly and once per URL;
//! - `replay`: the public fetch and fold seams, and stored outcomes replayed into the same graph.

mod concurrency;
mod crawl_graph;
mod dedup;
mod depth;
mod failures;
mod hostile;
mod politeness;
mod redirects;
mod replay;
mod stopping;
mod support;
mod synthetic;
