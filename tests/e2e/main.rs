//! End-to-end tests: the crawler against the in-process fixture server on 127.0.0.1.
//!
//! One test binary (faster to link, one place to look), one module per concern:
//! - `crawl_graph`: the exact edge and node sets of the fixture site at every depth;
//! - `depth`: the boundary rule;
//! - `dedup`: no page is fetched twice;
//! - `concurrency`: the per-host and global caps, measured at the server;
//! - `redirects`: chains, loops, caps and off-scope targets;
//! - `redirect_depth`: the depth of a redirect target does not depend on timing;
//! - `request_options`: headers, cookies, basic auth and proxies as the server sees them;
//! - `failures`: 404, 500, timeouts, refused connections, body caps;
//! - `fragments`: link fragments checked against the target pages' ids and `<a name>`s;
//! - `politeness`: robots.txt, crawl delays per host, sitemaps;
//! - `stopping`: cancellation and the page cap return partial reports;
//! - `local`: `file://` sites, their scope, and files outside the root never opened;
//! - `fetch_path`: lying headers, odd encodings, hostile markup and robots.txt, credentials,
//!   sitemaps out of scope;
//! - `hostile`: fault-injecting servers, crawler traps, retries and blocked addresses;
//! - `resource_check`: resources asked with HEAD, and GET where HEAD cannot be trusted;
//! - `typed`: every link kind, nofollow rules and resource checks on `fixtures/site/typed/`;
//! - `synthetic`: a generated 300-page site, crawled completely, exactly and once per URL;
//! - `no_barrier`: crawls without levels give a plain breadth-first search on random
//!   multi-host sites with random latencies, and the export of a crawl by levels;
//! - `replay`: the public fetch and fold seams, and stored outcomes replayed into the same graph.
//! - `bounds`: the shutdown in every phase, the page deadline, the graph budget;
//! - `since`: a conditional re-crawl against a server sending validators and 304s.

mod bounds;
mod concurrency;
mod crawl_graph;
mod dedup;
mod depth;
mod failures;
mod fetch_path;
mod fragments;
mod hostile;
mod local;
mod no_barrier;
mod politeness;
mod redirect_depth;
mod redirects;
mod replay;
mod request_options;
mod resource_check;
mod since;
mod stopping;
mod support;
mod synthetic;
mod typed;
