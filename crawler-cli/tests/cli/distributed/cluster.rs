//! A real Redis Cluster (three masters): two workers crawl eight hosts, whose partitions sit
//! on different nodes, and build the single-process graph; `crawl status` and `crawl delete`
//! work across the nodes.

use std::net::Ipv4Addr;

use crawler_tests::{FixtureServer, RedisCluster};

use super::{duplicates, export, reference, run_workers, status};
use crate::support::crawl;

/// Hosts crawled, each a fixture server on its own loopback address.
const HOSTS: u8 = 8;

/// Keys a node holds.
fn dbsize(cluster: &RedisCluster, node: usize) -> u64 {
    cluster.nodes()[node]
        .cli(&["DBSIZE"])
        .trim()
        .parse()
        .expect("DBSIZE is a number")
}

#[test]
fn two_workers_on_a_three_node_cluster_build_the_single_process_graph() {
    let cluster = RedisCluster::start(3);
    let servers: Vec<FixtureServer> = (1..=HOSTS)
        .map(|i| FixtureServer::start_on(Ipv4Addr::new(127, 0, 0, i)))
        .collect();
    let seeds: Vec<String> = servers.iter().map(|s| s.url("/index.html")).collect();
    // Both workers get every seed, as one command line run on two machines would: either may
    // create the crawl, and the other joins it (the first worker's repeat of seed 0 is dropped
    // as a duplicate). The hosts' partitions depend on their ports: all eight on the meta
    // slot's node has a chance of 1 in 3^8.
    let mut flags = vec!["--depth", "5", "--per-host", "3"];
    flags.extend(seeds.iter().map(String::as_str));
    let dir = tempfile::tempdir().unwrap();
    let (ref_edges, ref_nodes) = reference(&flags, &seeds[0], dir.path());
    let before: Vec<usize> = servers.iter().map(|s| s.requests().len()).collect();

    run_workers(&cluster, 2, &seeds[0], &flags, &["-c", "4"]);
    let (edges, nodes) = export(&cluster, dir.path());
    assert_eq!(edges, ref_edges, "edges");
    assert_eq!(nodes, ref_nodes, "node table");
    for (server, before) in servers.iter().zip(before) {
        assert_eq!(duplicates(server, before), 0, "no URL fetched twice");
    }
    let status = status(&cluster);
    assert_eq!(status["state"], "complete", "{status}");
    assert_eq!(status["leases"], 0, "{status}");
    let holding = (0..3).filter(|&n| dbsize(&cluster, n) > 0).count();
    assert!(holding >= 2, "the crawl's keys sit on {holding} node(s)");

    crawl(["delete", "--redis", &cluster.url(), "--crawl-id", super::ID])
        .run()
        .expect_code(0);
    for n in 0..3 {
        assert_eq!(dbsize(&cluster, n), 0, "node {n} still holds keys");
    }
}
