//! The distributed crawl: real `crawl` worker processes sharing a private `redis-server`.
//!
//! Every test starts its own `redis-server` (temporary folder, Unix socket, AOF on) and the
//! fixture server, computes the single-process reference with the same flags, then runs
//! workers, and compares `crawl export` with the reference byte for byte (edges and node
//! table). Server hit counters give the duplicate-fetch bounds.

mod basics;
mod cluster;
mod no_barrier;
mod parity;
mod recovery;
mod redirects;

use std::collections::HashMap;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use crawler_tests::{synth, FixtureServer, RedisCluster, RedisServer};

use crate::support::{crawl, Cmd, Output, Running};

/// The crawl id every test uses (each test has its own Redis).
pub(crate) const ID: &str = "t";

/// Where a test's crawl lives: one `redis-server`, or a Redis Cluster.
pub(crate) trait Redis {
    /// The URL workers are given.
    fn url(&self) -> String;
}

impl Redis for RedisServer {
    fn url(&self) -> String {
        RedisServer::url(self)
    }
}

impl Redis for RedisCluster {
    fn url(&self) -> String {
        RedisCluster::url(self)
    }
}

/// A worker of crawl [`ID`] with `flags` (graph-affecting ones first, then worker-local).
pub(crate) fn worker(redis: &impl Redis, flags: &[&str]) -> Cmd {
    crawl(["--redis", &redis.url(), "--crawl-id", ID, "-q"]).args(flags)
}

/// `crawl status --json`, parsed; `None` if it fails (no crawl yet).
fn try_status(redis: &impl Redis) -> Option<serde_json::Value> {
    let out = crawl([
        "status",
        "--redis",
        &redis.url(),
        "--crawl-id",
        ID,
        "--json",
    ])
    .run();
    (out.code == Some(0)).then(|| serde_json::from_str(&out.stdout).expect("status is JSON"))
}

/// `crawl status --json`, parsed.
#[track_caller]
pub(crate) fn status(redis: &impl Redis) -> serde_json::Value {
    try_status(redis).expect("crawl status exits 0")
}

/// Starts `n` workers with the graph `flags` and worker-local `local` flags; the first one
/// gets `seed` and creates the crawl.
pub(crate) fn start_workers(
    redis: &impl Redis,
    n: usize,
    seed: &str,
    flags: &[&str],
    local: &[&str],
) -> Vec<Running> {
    (0..n)
        .map(|i| {
            let cmd = worker(redis, flags).args(local);
            if i == 0 { cmd.args([seed]) } else { cmd }.spawn()
        })
        .collect()
}

/// Runs `n` workers to the end (see [`start_workers`]) and requires each to exit 0.
pub(crate) fn run_workers(
    redis: &impl Redis,
    n: usize,
    seed: &str,
    flags: &[&str],
    local: &[&str],
) {
    for out in wait_all(start_workers(redis, n, seed, flags, local)) {
        out.expect_code(0);
    }
}

/// `crawl export -f tsv --nodes`: (edges TSV, node table).
pub(crate) fn export(redis: &impl Redis, dir: &Path) -> (String, String) {
    let nodes = dir.join("export-nodes.tsv");
    let out = crawl([
        "export",
        "--redis",
        &redis.url(),
        "--crawl-id",
        ID,
        "-f",
        "tsv",
        "--nodes",
    ])
    .args([&nodes])
    .run()
    .expect_code(0);
    (
        out.stdout,
        std::fs::read_to_string(nodes).expect("node table"),
    )
}

/// The single-process crawl with `flags` and `seed`: (edges TSV, node table).
pub(crate) fn reference(flags: &[&str], seed: &str, dir: &Path) -> (String, String) {
    let nodes = dir.join("ref-nodes.tsv");
    let out = crawl(flags)
        .args([seed, "-q", "-f", "tsv", "--nodes"])
        .args([&nodes])
        .run()
        .expect_code(0);
    (
        out.stdout,
        std::fs::read_to_string(nodes).expect("node table"),
    )
}

/// Requests the server saw after the first `skip`, and how many were repeats of a target.
pub(crate) fn duplicates(server: &FixtureServer, skip: usize) -> usize {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for target in server.requests().into_iter().skip(skip) {
        *counts.entry(target).or_default() += 1;
    }
    counts.values().map(|c| c - 1).sum()
}

/// Polls `done` every 20 ms for up to 60 s.
#[track_caller]
pub(crate) fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        thread::sleep(Duration::from_millis(20));
    }
}

/// Pages done so far, from `crawl status` (0 before the crawl exists).
pub(crate) fn pages_done(redis: &impl Redis) -> u64 {
    try_status(redis).map_or(0, |s| s["pages_done"].as_u64().expect("pages_done"))
}

/// Leases held now by the worker with process id `pid` (its lease tokens start `PID-`).
pub(crate) fn leases_of(redis: &RedisServer, pid: u32) -> usize {
    let cli = |args: &[&str]| redis.cli(args);
    let prefix = format!("{pid}-");
    cli(&["--scan", "--pattern", &format!("cg:{{{ID}:*}}:own")])
        .lines()
        .map(|key| {
            cli(&["HVALS", key])
                .lines()
                .filter(|v| v.starts_with(&prefix))
                .count()
        })
        .sum()
}

/// A generated site of `pages` pages served with `latency` per answer; returns the server, its
/// seed URL and the temporary folder (which must outlive the server).
pub(crate) fn generated_site(
    pages: usize,
    latency: Duration,
) -> (FixtureServer, String, tempfile::TempDir) {
    let (dir, server) = FixtureServer::start_in_temp_dir();
    let summary = synth::generate(dir.path(), pages, 11, &server.addr().to_string()).expect("site");
    server.set_latency(latency);
    (server, summary.seed_url, dir)
}

/// Waits for every worker; returns their outputs.
pub(crate) fn wait_all(workers: Vec<Running>) -> Vec<Output> {
    workers.into_iter().map(Running::wait).collect()
}
