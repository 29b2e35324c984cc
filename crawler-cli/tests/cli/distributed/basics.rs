//! Three workers on the fixture site give the single-process graph; joiners must share the
//! crawl's settings and seeds; a crawl of another schema is refused but can be deleted; an
//! evicting Redis is refused; politeness holds across workers.

use std::time::Duration;

use crawler_tests::{FixtureServer, Listen, RedisServer};

use super::{duplicates, export, reference, run_workers, status, worker, ID};
use crate::support::crawl;

const FLAGS: [&str; 4] = ["--depth", "5", "--per-host", "4"];

#[test]
fn three_workers_build_the_single_process_graph() {
    let redis = RedisServer::start();
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    let seed = server.url("/index.html");
    let (ref_edges, ref_nodes) = reference(&FLAGS, &seed, dir.path());
    let before = server.requests().len();

    run_workers(&redis, 3, &seed, &FLAGS, &["-c", "4"]);
    let (edges, nodes) = export(&redis, dir.path());
    assert_eq!(edges, ref_edges, "edges");
    assert_eq!(nodes, ref_nodes, "node table");
    assert_eq!(duplicates(&server, before), 0, "no URL fetched twice");
    assert_eq!(
        server.hits("/robots.txt"),
        2,
        "once by the reference, once for all workers"
    );
    let status = status(&redis);
    assert_eq!(status["state"], "complete");
    assert_eq!(status["leases"], 0);
    assert!(status["levels"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["left"] == 0));
}

#[test]
fn a_joiner_with_other_settings_exits_2_naming_the_setting() {
    let redis = RedisServer::start();
    let server = FixtureServer::start();
    let seed = server.url("/index.html");
    worker(&redis, &["--depth", "1"])
        .args([&seed])
        .run()
        .expect_code(0);
    let line = worker(&redis, &["--depth", "2"]).run().expect_usage_error();
    assert!(
        line.contains("depth") && line.contains('1') && line.contains('2'),
        "{line}"
    );
    // A joiner that gives no graph flags inherits the crawl's and finds it complete.
    worker(&redis, &[]).run().expect_code(0);
    let line = worker(&redis, &["-o", "x.tsv"]).run().expect_usage_error();
    assert!(line.contains("crawl export"), "{line}");
}

#[test]
fn a_joiner_with_other_seeds_exits_2_and_one_with_the_same_seeds_joins() {
    let redis = RedisServer::start();
    let server = FixtureServer::start();
    let (index, a) = (server.url("/index.html"), server.url("/a.html"));
    worker(&redis, &["--depth", "1"])
        .args([&index])
        .run()
        .expect_code(0);
    // Its seeds would never be crawled: refused, naming the first difference.
    let line = worker(&redis, &[&a]).run().expect_usage_error();
    assert!(line.contains("seed 1") && line.contains(&a), "{line}");
    let line = worker(&redis, &[&index, &a]).run().expect_usage_error();
    assert!(line.contains("seeds"), "{line}");
    // The same seeds, as the command line that created the crawl gives them, join it.
    worker(&redis, &[&index]).run().expect_code(0);
}

#[test]
fn a_crawl_of_another_schema_is_refused_but_can_be_deleted() {
    let redis = RedisServer::start();
    let server = FixtureServer::start();
    worker(&redis, &["--depth", "1"])
        .args([&server.url("/index.html")])
        .run()
        .expect_code(0);
    // As an older crawlgraph would have left it.
    redis.cli(&["HSET", &format!("cg:{{{ID}}}:meta"), "schema", "1"]);
    let status = crawl(["status", "--redis", &redis.url(), "--crawl-id", ID]).run();
    assert_ne!(status.code, Some(0), "{}", status.stderr);
    assert!(status.stderr.contains("schema"), "{}", status.stderr);
    crawl(["delete", "--redis", &redis.url(), "--crawl-id", ID])
        .run()
        .expect_code(0);
    assert_eq!(redis.cli(&["DBSIZE"]).trim(), "0");
    let again = crawl(["delete", "--redis", &redis.url(), "--crawl-id", ID]).run();
    assert_ne!(again.code, Some(0), "nothing left to delete");
}

#[test]
fn an_evicting_redis_is_refused() {
    let redis = RedisServer::start_with(Listen::Tcp, &["--maxmemory-policy", "allkeys-lru"]);
    let out = crawl([
        "--redis",
        &redis.url(),
        "--crawl-id",
        ID,
        "http://127.0.0.1:9/",
    ])
    .run()
    .expect_code(1);
    assert!(out.stderr.contains("noeviction"), "{}", out.stderr);
}

#[test]
fn politeness_holds_across_workers() {
    let redis = RedisServer::start();
    let server = FixtureServer::start();
    let seed = server.url("/index.html");
    let flags = [
        "--depth",
        "5",
        "--per-host",
        "2",
        "--delay",
        "0.05",
        "--ignore-robots",
    ];
    run_workers(&redis, 3, &seed, &flags, &[]);
    assert!(server.max_in_flight() <= 2, "{}", server.max_in_flight());
    let arrivals = server.arrivals();
    assert!(arrivals.len() > 20, "{}", arrivals.len());
    // The frontier spaces claims of the host by the delay; a request leaves its worker a
    // little after the claim, so single gaps between arrivals jitter with process scheduling.
    // Any 5 consecutive requests still span at least 3 full gaps, and the whole crawl at least
    // 90% of one gap per request.
    for window in arrivals.windows(5) {
        let span = window[4].0 - window[0].0;
        assert!(
            span >= Duration::from_millis(150),
            "{span:?} from {} to {}",
            window[0].1,
            window[4].1
        );
    }
    let total = arrivals[arrivals.len() - 1].0 - arrivals[0].0;
    let floor = Duration::from_millis(45) * u32::try_from(arrivals.len() - 1).unwrap();
    assert!(total >= floor, "{total:?} for {} requests", arrivals.len());
}
