//! What a hostile site can make the crawler hold, measured on the real binary: its peak
//! resident memory (`VmHWM`), read from `/proc` while it runs.

use std::fmt::Write as _;
use std::thread;
use std::time::{Duration, Instant};

use crawler_tests::{FixtureServer, Reply};

use crate::support::{crawl, TIMEOUT};

/// Peak memory allowed: a debug build crawling with the bounded rules peaks near 27 MB.
const LIMIT_KIB: u64 = 150 * 1024;

/// The peak resident memory of process `pid` so far, in KiB; `None` once it has exited.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A 500 KiB robots.txt of about 20,000 anchored wildcard rules compiled one regular
/// expression each: over 300 MB per host before the bound (and about a minute of a worker in a
/// debug build), about 8 MB after.
#[test]
fn a_robots_txt_of_anchored_rules_costs_little_memory() {
    let server = FixtureServer::start();
    let mut txt = String::from("User-agent: *\nDisallow: /c.html$\n");
    let mut i = 0;
    while txt.len() < 500 * 1024 {
        let _ = writeln!(txt, "Disallow: /*a{i}*b*c$");
        i += 1;
    }
    server.route("/robots.txt", Reply::bytes("text/plain", txt.into_bytes()));
    let running = crawl([server.url("/index.html").as_str(), "--depth", "1"]).spawn();
    let (pid, started) = (running.pid(), Instant::now());
    let mut peak = 0;
    while let Some(now) = peak_rss_kib(pid) {
        peak = peak.max(now);
        if peak >= LIMIT_KIB || started.elapsed() > TIMEOUT {
            break;
        }
        thread::sleep(Duration::from_millis(20));
    }
    if peak >= LIMIT_KIB {
        running.signal("KILL");
        let _ = running.wait();
        panic!("peak RSS reached {peak} KiB");
    }
    let out = running.wait().expect_code(0);
    assert!(peak > 0, "no reading of the child's memory");
    // The rules still hold.
    assert_eq!(server.hits("/c.html"), 0, "{}", out.stderr);
    assert_eq!(server.hits("/a.html"), 1);
}
