//! Failures: a worker killed with SIGKILL, every worker stopped and the crawl resumed, Redis
//! restarted mid-crawl, and Redis gone for longer than `--redis-timeout`. After each the
//! export equals the single-process graph and no lease is left.
//!
//! The site has 2,000 pages (about 2,350 URLs), as the issue asks for "a few thousand"; the
//! suite took 42 s at 300 pages and 192 s at 2,000 with debug workers on the loaded 2-core
//! machine (load average 20).

use std::time::Duration;

use crawler_tests::RedisServer;

use super::{
    duplicates, export, generated_site, leases_of, pages_done, reference, start_workers, status,
    wait_all, wait_until, worker,
};

const PAGES: usize = 2000;
const LATENCY: Duration = Duration::from_millis(2);
const FLAGS: [&str; 6] = [
    "--depth",
    "9",
    "--per-host",
    "12",
    "--ignore-robots",
    "--retries",
];

/// The graph flags with `--retries 0` appended (a retried request would count as a repeat).
fn flags() -> Vec<&'static str> {
    let mut flags = FLAGS.to_vec();
    flags.push("0");
    flags
}

fn workers_flags() -> [&'static str; 4] {
    ["-c", "6", "--lease", "5"]
}

/// Asserts the final state: complete, nothing leased, and the reference graph.
fn assert_complete(redis: &RedisServer, dir: &std::path::Path, reference: &(String, String)) {
    let status = status(redis);
    assert_eq!(status["state"], "complete", "{status}");
    assert_eq!(status["leases"], 0, "{status}");
    let (edges, nodes) = export(redis, dir);
    assert_eq!(edges, reference.0, "edges equal the single-process crawl's");
    assert_eq!(
        nodes, reference.1,
        "node table equals the single-process crawl's"
    );
}

#[test]
fn kill_9_of_a_worker_loses_nothing() {
    let redis = RedisServer::start();
    let (server, seed, dir) = generated_site(PAGES, LATENCY);
    let reference = reference(&flags(), &seed, dir.path());
    let before = server.requests().len();
    let mut workers = start_workers(&redis, 3, &seed, &flags(), &workers_flags());
    let victim = workers.remove(1);
    // Freeze the victim while it holds leases, so none is acked between the look and the kill.
    let mut held = 0;
    for _ in 0..20 {
        wait_until("30% done and the victim holds leases", || {
            pages_done(&redis) * 10 >= (PAGES as u64) * 3 && leases_of(&redis, victim.pid()) > 0
        });
        victim.signal("STOP");
        held = leases_of(&redis, victim.pid());
        if held > 0 {
            break;
        }
        victim.signal("CONT");
    }
    assert!(held > 0, "the victim never held a lease when frozen");
    victim.signal("KILL");
    let _ = victim.wait_killed();
    for out in wait_all(workers) {
        out.expect_code(0);
    }
    assert_complete(&redis, dir.path(), &reference);
    let repeats = duplicates(&server, before);
    assert!(
        repeats <= held,
        "{repeats} repeated fetches, the victim held {held} leases"
    );
}

#[test]
fn sigterm_of_every_worker_then_two_fresh_workers_finish() {
    let redis = RedisServer::start();
    let (server, seed, dir) = generated_site(PAGES, LATENCY);
    let reference = reference(&flags(), &seed, dir.path());
    let before = server.requests().len();
    let workers = start_workers(&redis, 3, &seed, &flags(), &workers_flags());
    wait_until("half done", || pages_done(&redis) * 2 >= PAGES as u64);
    // No answers from here until the fresh workers: the crawl cannot end before the signal.
    server.hold();
    for w in &workers {
        w.signal("TERM");
    }
    for out in wait_all(workers) {
        out.expect_code(143);
    }
    server.release();
    let stopped = status(&redis);
    assert_eq!(
        stopped["leases"], 0,
        "SIGTERM released every lease at once: {stopped}"
    );
    assert_eq!(stopped["state"], "running");
    // Where it stands, as a local crawl's progress bar shows it: pages done of pages known,
    // an ETA, the hosts with pages left (the one generated site).
    let (done, known) = (&stopped["pages_done"], &stopped["pages_known"]);
    assert!(done.as_u64() < known.as_u64(), "{stopped}");
    assert!(
        stopped["eta_secs"].as_f64().is_some_and(|eta| eta > 0.0),
        "{stopped}"
    );
    assert_eq!(stopped["hosts_active"], 1, "{stopped}");
    assert!(
        stopped["slowest_host"].is_null(),
        "one host is no slowest: {stopped}"
    );
    let fresh: Vec<_> = (0..2)
        .map(|_| worker(&redis, &workers_flags()).spawn())
        .collect();
    for out in wait_all(fresh) {
        out.expect_code(0);
    }
    assert_complete(&redis, dir.path(), &reference);
    // Only requests cut off by the stop can repeat: at most the three workers' concurrency.
    let repeats = duplicates(&server, before);
    assert!(repeats <= 3 * 6, "{repeats} repeated fetches");
}

#[test]
fn redis_restarted_mid_crawl_workers_reconnect_and_finish() {
    let mut redis = RedisServer::start();
    let (server, seed, dir) = generated_site(PAGES, LATENCY);
    let reference = reference(&flags(), &seed, dir.path());
    let workers = start_workers(&redis, 3, &seed, &flags(), &workers_flags());
    wait_until("30% done", || pages_done(&redis) * 10 >= (PAGES as u64) * 3);
    // No answers while Redis is away, so the crawl is still running when it goes; it stays down
    // until a worker has tried to reach it (and been cut off), then comes back.
    server.hold();
    redis.kill_until_a_client_calls();
    redis.restart();
    server.release();
    for out in wait_all(workers) {
        out.expect_code(0);
    }
    assert_complete(&redis, dir.path(), &reference);
}

#[test]
fn redis_gone_past_the_timeout_workers_exit_1_and_the_crawl_resumes() {
    let mut redis = RedisServer::start();
    let (server, seed, dir) = generated_site(PAGES, LATENCY);
    let reference = reference(&flags(), &seed, dir.path());
    let local = ["-c", "6", "--lease", "5", "--redis-timeout", "1"];
    let workers = start_workers(&redis, 2, &seed, &flags(), &local);
    wait_until("30% done", || pages_done(&redis) * 10 >= (PAGES as u64) * 3);
    // No answers while Redis is away, so the crawl is still running when it goes.
    server.hold();
    redis.kill();
    for out in wait_all(workers) {
        let out = out.expect_code(1);
        assert!(out.stderr.contains("redis"), "{}", out.stderr);
    }
    redis.restart();
    server.release();
    let resumed = worker(&redis, &workers_flags()).run();
    resumed.expect_code(0);
    assert_complete(&redis, dir.path(), &reference);
}
