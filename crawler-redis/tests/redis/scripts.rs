//! The frontier scripts against a real Redis, each through two connections as two workers.

use std::time::{Duration, Instant};

use crawler_redis::{check_noeviction, connect, ClaimPolicy, Keys, Lease, RedisFrontier};
use crawler_tests::{Listen, RedisServer};
use url::Url;

const TIMEOUT: Duration = Duration::from_secs(5);

async fn worker(server: &RedisServer, partitions: u32) -> RedisFrontier {
    let con = connect(&server.url(), TIMEOUT).await.unwrap();
    RedisFrontier::new(con, Keys::new("t", partitions).unwrap())
        .await
        .unwrap()
}

fn urls(host: &str, n: usize) -> Vec<Url> {
    (0..n)
        .map(|i| Url::parse(&format!("http://{host}/p{i}")).unwrap())
        .collect()
}

fn policy(per_host: usize, gap_ms: u64, lease_ms: u64) -> ClaimPolicy {
    ClaimPolicy {
        lease: Duration::from_millis(lease_ms),
        per_host,
        gap: Duration::from_millis(gap_ms),
    }
}

fn part(f: &RedisFrontier, host: &str) -> u32 {
    f.keys().partition_of(host)
}

/// A lease no test outlives.
const LONG_MS: u64 = 60_000;

/// Waits until the server's clock has passed the deadline of every lease in partition `p`, so
/// that the next reap finds them all expired. Deadlines are on the server's clock (the scripts
/// read `TIME`), so it is asked, not the test's: with 1 ms leases this takes a millisecond or
/// two, and the 10 s bound only catches a clock that never moves.
async fn until_leases_expire(f: &RedisFrontier, p: u32) {
    let mut con = f.connection();
    let leases = f.keys().in_partition(p, "lease");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (secs, micros): (u64, u64) = redis::cmd("TIME").query_async(&mut con).await.unwrap();
        let now_ms = secs * 1000 + micros / 1000;
        let live: u64 = redis::cmd("ZCOUNT")
            .arg(&leases)
            .arg(format!("({now_ms}"))
            .arg("+inf")
            .query_async(&mut con)
            .await
            .unwrap();
        if live == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "leases never expired");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

#[tokio::test]
async fn per_host_cap_holds_across_connections() {
    let server = RedisServer::start();
    let (a, b) = (worker(&server, 4).await, worker(&server, 4).await);
    assert_eq!(a.enqueue(0, &urls("a.test", 5)).await.unwrap(), 5);
    let p = part(&a, "a.test:80");
    let pol = policy(2, 0, 60_000);
    let first = a.claim(p, 0, 1, pol, "a:1").await.unwrap();
    let second = b.claim(p, 0, 5, pol, "b:1").await.unwrap();
    assert_eq!(
        (first.len(), second.len()),
        (1, 1),
        "cap 2 over both workers"
    );
    assert!(a.claim(p, 0, 5, pol, "a:2").await.unwrap().is_empty());
    // Completing one frees a slot for the other worker.
    a.complete(&first[0], b"x", &[]).await.unwrap();
    assert_eq!(b.claim(p, 0, 5, pol, "b:2").await.unwrap().len(), 1);
    // URLs come out in queue order, each once.
    assert_eq!(first[0].url.path(), "/p0");
    assert_eq!(second[0].url.path(), "/p1");
}

#[tokio::test]
async fn gap_holds_across_connections() {
    let server = RedisServer::start();
    let (a, b) = (worker(&server, 4).await, worker(&server, 4).await);
    a.enqueue(0, &urls("g.test", 3)).await.unwrap();
    let p = part(&a, "g.test:80");
    let pol = policy(5, 1000, 60_000);
    let started = Instant::now();
    assert_eq!(
        a.claim(p, 0, 5, pol, "a:1").await.unwrap().len(),
        1,
        "one per gap"
    );
    assert!(b.claim(p, 0, 5, pol, "b:1").await.unwrap().is_empty());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if !b.claim(p, 0, 5, pol, "b:2").await.unwrap().is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "host never became ready again");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn expired_lease_is_reaped_and_redelivered() {
    let server = RedisServer::start();
    let (a, b) = (worker(&server, 4).await, worker(&server, 4).await);
    a.enqueue(0, &urls("r.test", 1)).await.unwrap();
    let p = part(&a, "r.test:80");
    // A lease that cannot run out during the test is not reaped, nor claimed by another.
    let live = policy(1, 0, LONG_MS);
    let held = a.claim(p, 0, 1, live, "a:1").await.unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(a.reap(p, 16).await.unwrap(), 0, "not before the deadline");
    assert!(b.claim(p, 0, 1, live, "b:1").await.unwrap().is_empty());
    // Given back, then claimed again with a 1 ms lease, which runs out.
    assert_eq!(a.release(&held).await.unwrap(), 1);
    let held = a.claim(p, 0, 1, policy(1, 0, 1), "a:2").await.unwrap();
    assert_eq!((held.len(), held[0].attempts), (1, 0));
    until_leases_expire(&a, p).await;
    let again = b.claim(p, 0, 1, live, "b:2").await.unwrap();
    assert_eq!(again.len(), 1, "the claim reaps expired leases first");
    assert_eq!(again[0].url, held[0].url);
    assert_eq!(again[0].attempts, 1);
    assert_eq!(b.leases_held().await.unwrap(), 1);
}

#[tokio::test]
async fn late_ack_stores_once_and_leaves_the_newer_lease_alone() {
    let server = RedisServer::start();
    let (a, b) = (worker(&server, 4).await, worker(&server, 4).await);
    a.enqueue(0, &urls("l.test", 2)).await.unwrap();
    let p = part(&a, "l.test:80");
    // The zombie's lease runs out (1 ms); b's newer one cannot during the test.
    let zombie = a
        .claim(p, 0, 1, policy(1, 0, 1), "a:1")
        .await
        .unwrap()
        .remove(0);
    until_leases_expire(&a, p).await;
    let pol = policy(1, 0, LONG_MS);
    let fresh = b.claim(p, 0, 1, pol, "b:1").await.unwrap().remove(0);
    assert_eq!(fresh.url, zombie.url);
    // The zombie acks first: its outcome is the record, but b's lease stays.
    assert_eq!(
        a.complete(&zombie, b"zombie", &[]).await.unwrap(),
        (true, 1)
    );
    assert_eq!(a.leases_held().await.unwrap(), 1);
    // b's ack is then a no-op on the record and the count, and ends b's lease.
    assert_eq!(b.complete(&fresh, b"fresh", &[]).await.unwrap(), (false, 1));
    assert_eq!(b.leases_held().await.unwrap(), 0);
    // A second late ack of the same lease changes nothing either.
    assert_eq!(
        a.complete(&zombie, b"again", &[]).await.unwrap(),
        (false, 1)
    );
    let mut con = a.connection();
    let stored: Vec<u8> = redis::cmd("HGET")
        .arg(a.keys().in_partition(p, "out"))
        .arg(&crawler_redis::keys::fingerprint(&zombie.url)[..])
        .query_async(&mut con)
        .await
        .unwrap();
    assert_eq!(stored, b"zombie");
}

#[tokio::test]
async fn outcome_stored_by_a_late_ack_is_not_fetched_again() {
    let server = RedisServer::start();
    let (a, b) = (worker(&server, 4).await, worker(&server, 4).await);
    a.enqueue(0, &urls("s.test", 1)).await.unwrap();
    let p = part(&a, "s.test:80");
    let pol = policy(1, 0, 1);
    let zombie = a.claim(p, 0, 1, pol, "a:1").await.unwrap().remove(0);
    until_leases_expire(&a, p).await;
    assert_eq!(b.reap(p, 16).await.unwrap(), 1);
    assert_eq!(a.complete(&zombie, b"late", &[]).await.unwrap(), (true, 0));
    assert!(b.claim(p, 0, 1, pol, "b:1").await.unwrap().is_empty());
    assert_eq!(b.leases_held().await.unwrap(), 0);
}

/// Marks the crawl running at level 0, as its creator does.
pub(crate) async fn set_running(f: &RedisFrontier) {
    let mut con = f.connection();
    let () = redis::pipe()
        .hset(f.keys().meta(), "state", "running")
        .ignore()
        .set(f.keys().level(), 0)
        .ignore()
        .query_async(&mut con)
        .await
        .unwrap();
}

/// Claims and completes every URL of `depth`, adding `links` to the first page's outcome.
async fn finish_level(f: &RedisFrontier, depth: u32, links: &[Url]) -> usize {
    let pol = policy(8, 0, 60_000);
    let mut done = 0;
    for p in 0..f.keys().partitions() {
        loop {
            let leases: Vec<Lease> = f.claim(p, depth, 8, pol, "w:1").await.unwrap();
            if leases.is_empty() {
                break;
            }
            for lease in leases {
                let found = if done == 0 { links } else { &[] };
                f.complete(&lease, b"o", found).await.unwrap();
                done += 1;
            }
        }
    }
    done
}

#[tokio::test]
async fn level_advances_past_empty_partitions_and_completes() {
    let server = RedisServer::start();
    let (a, b) = (worker(&server, 8).await, worker(&server, 8).await);
    set_running(&a).await;
    let seeds = urls("one.test", 2);
    a.enqueue(0, &seeds).await.unwrap();
    // Most of the 8 partitions hold nothing at any level; they must not hold the crawl up.
    assert_eq!(a.advance(0).await.unwrap(), None, "level 0 not done yet");
    let next = urls("two.test", 1);
    assert_eq!(finish_level(&a, 0, &next).await, 2);
    assert_eq!(b.advance(0).await.unwrap(), Some((1, "running".into())));
    // Racing workers agree: a repeated advance from 0 changes nothing.
    assert_eq!(a.advance(0).await.unwrap(), Some((1, "running".into())));
    assert_eq!(a.advance(1).await.unwrap(), None);
    assert_eq!(finish_level(&b, 1, &[]).await, 1);
    assert_eq!(a.advance(1).await.unwrap(), Some((1, "complete".into())));
    assert_eq!(b.leases_held().await.unwrap(), 0);
}

#[tokio::test]
async fn redirect_claim_is_idempotent_for_its_owner() {
    let server = RedisServer::start();
    let (a, b) = (worker(&server, 4).await, worker(&server, 4).await);
    let [owner, other] = [0, 1].map(|i| Url::parse(&format!("http://o.test/{i}")).unwrap());
    let target = Url::parse("http://t.test/target").unwrap();
    assert!(a.claim_redirect(&target, &owner, 0).await.unwrap());
    assert!(
        b.claim_redirect(&target, &owner, 0).await.unwrap(),
        "re-delivered owner"
    );
    assert!(!b.claim_redirect(&target, &other, 0).await.unwrap());
    // A claimed redirect target is seen: a link to it is not queued again.
    assert_eq!(
        a.enqueue(1, std::slice::from_ref(&target)).await.unwrap(),
        0
    );
}

#[tokio::test]
async fn a_redirect_takes_back_a_target_its_level_queued_for_the_next() {
    let server = RedisServer::start();
    let a = worker(&server, 4).await;
    let owner = Url::parse("http://o.test/dir").unwrap();
    let target = Url::parse("http://o.test/dir/").unwrap();
    // A link of level 1 queued the target for level 2 first.
    assert_eq!(
        a.enqueue(2, std::slice::from_ref(&target)).await.unwrap(),
        1
    );
    let queued: u64 = a
        .remaining(2)
        .await
        .unwrap()
        .iter()
        .sum::<i64>()
        .try_into()
        .unwrap();
    assert_eq!(queued, 1);
    // A redirect of level 1 to it takes it back: it is fetched by the redirect, at depth 1.
    assert!(a.claim_redirect(&target, &owner, 1).await.unwrap());
    assert_eq!(a.remaining(2).await.unwrap().iter().sum::<i64>(), 0);
    // Once taken, another page cannot have it; a redirect of another level never takes one.
    let other = Url::parse("http://o.test/other").unwrap();
    assert!(!a.claim_redirect(&target, &other, 1).await.unwrap());
    let later = Url::parse("http://o.test/later/").unwrap();
    assert_eq!(a.enqueue(3, std::slice::from_ref(&later)).await.unwrap(), 1);
    assert!(!a.claim_redirect(&later, &owner, 1).await.unwrap());
    assert_eq!(a.remaining(3).await.unwrap().iter().sum::<i64>(), 1);
    // Once the partition hands out the next level, a late owner takes nothing back from it.
    let started = Url::parse("http://o.test/started/").unwrap();
    assert_eq!(
        a.enqueue(2, std::slice::from_ref(&started)).await.unwrap(),
        1
    );
    let p = part(&a, "o.test:80");
    let leased = a.claim(p, 2, 1, policy(4, 0, 60_000), "a:1").await.unwrap();
    assert_eq!(leased.len(), 1);
    let queued = Url::parse("http://o.test/queued/").unwrap();
    assert_eq!(
        a.enqueue(2, std::slice::from_ref(&queued)).await.unwrap(),
        1
    );
    assert!(!a.claim_redirect(&queued, &owner, 1).await.unwrap());
    assert_eq!(a.remaining(2).await.unwrap().iter().sum::<i64>(), 2);
}

#[tokio::test]
async fn release_requeues_at_once_and_heartbeat_extends() {
    let server = RedisServer::start();
    let (a, b) = (worker(&server, 4).await, worker(&server, 4).await);
    a.enqueue(0, &urls("h.test", 2)).await.unwrap();
    let p = part(&a, "h.test:80");
    // Leases of 1 ms, past their deadline (but not reaped yet) when the heartbeats come: only
    // the heartbeats can keep them from the reap below.
    let held = a.claim(p, 0, 2, policy(2, 0, 1), "a:1").await.unwrap();
    assert_eq!(held.len(), 2);
    until_leases_expire(&a, p).await;
    for _ in 0..3 {
        assert_eq!(
            a.heartbeat(&held, Duration::from_millis(LONG_MS))
                .await
                .unwrap(),
            2
        );
    }
    assert_eq!(
        b.reap(p, 16).await.unwrap(),
        0,
        "heartbeats kept the leases"
    );
    let pol = policy(2, 0, LONG_MS);
    assert_eq!(a.release(&held[..1]).await.unwrap(), 1);
    let taken = b.claim(p, 0, 2, pol, "b:1").await.unwrap();
    assert_eq!(taken.len(), 1);
    assert_eq!(
        (taken[0].url.clone(), taken[0].attempts),
        (held[0].url.clone(), 0)
    );
    // A released lease is no longer a's: its heartbeat and late release change nothing.
    assert_eq!(
        a.heartbeat(&held[..1], Duration::from_secs(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(a.release(&held[..1]).await.unwrap(), 0);
}

#[tokio::test]
async fn refuses_a_redis_that_evicts() {
    let server = RedisServer::start_with(Listen::Tcp, &["--maxmemory-policy", "allkeys-lru"]);
    let mut con = connect(&server.url(), TIMEOUT).await.unwrap();
    let err = check_noeviction(&mut con).await.unwrap_err();
    assert!(err.to_string().contains("allkeys-lru"), "{err}");
    let good = RedisServer::start();
    let mut con = connect(&good.url(), TIMEOUT).await.unwrap();
    check_noeviction(&mut con).await.unwrap();
}
