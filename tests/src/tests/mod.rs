//! Unit tests of the fixture server, talking raw HTTP over `TcpStream`s.
//!
//! They serve a temporary site made here rather than `fixtures/site`, so that
//! they don't depend on (or break with) the fixture content.

mod client;
mod faults;

use std::net::Ipv4Addr;
use std::thread;
use std::time::{Duration, Instant};

use self::client::{Client, TempSite};
use crate::{FixtureServer, Reply, ServerOptions};

fn serve(site: &TempSite) -> FixtureServer {
    FixtureServer::start_with(ServerOptions {
        root: site.root().to_path_buf(),
        ..ServerOptions::default()
    })
}

#[test]
fn serves_a_static_file_with_type_and_length() {
    let site = TempSite::new();
    let server = serve(&site);
    let mut c = Client::connect(server.addr());
    let r = c.get("/a.html?ignored=1");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/html"));
    assert_eq!(r.text(), "<html><body>page a</body></html>");
    assert_eq!(r.header("content-length"), Some("32"));
    let r = c.get("/data.json");
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.text(), "{\"ok\":true}");
}

#[test]
fn missing_files_and_escapes_are_404() {
    let site = TempSite::new();
    let server = serve(&site);
    let mut c = Client::connect(server.addr());
    for target in [
        "/nope.html",
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/sub/..%2F..%2Fsecret.txt",
        "/sub",
        "/caf%FF.html",
    ] {
        let r = c.get(target);
        assert_eq!(r.status, 404, "{target}");
        assert_eq!(r.header("content-type"), Some("text/html"));
        assert_eq!(r.text(), "<html><body>not found</body></html>");
    }
}

#[test]
fn trailing_slash_serves_index_and_path_is_percent_decoded() {
    let site = TempSite::new();
    let server = serve(&site);
    let mut c = Client::connect(server.addr());
    assert_eq!(c.get("/sub/").text(), "<html><body>sub index</body></html>");
    assert!(c.get("/").text().contains("/a.html"));
    let r = c.get("/caf%C3%A9.html");
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "<html><body>café</body></html>");
    assert_eq!(server.hits("/café.html"), 1);
    assert_eq!(server.hits("/caf%C3%A9.html"), 1);
}

#[test]
fn redirects_and_loops() {
    let site = TempSite::new();
    let server = serve(&site);
    let mut c = Client::connect(server.addr());
    let r = c.get("/_/redirect-chain/2");
    assert_eq!(r.status, 302);
    assert_eq!(r.header("location"), Some("/_/redirect-chain/1"));
    assert_eq!(r.header("content-length"), Some("0"));
    let r = c.get("/_/redirect-chain/0");
    assert_eq!(r.status, 200);
    assert!(r.text().contains("<a href=\"/index.html\">"));
    assert_eq!(c.get("/_/loop/a").header("location"), Some("/_/loop/b"));
    assert_eq!(c.get("/_/loop/b?x=1").header("location"), Some("/_/loop/a"));
}

#[test]
fn other_builtins() {
    let site = TempSite::new();
    let server = serve(&site);
    let mut c = Client::connect(server.addr());
    let r = c.get("/_/status/503");
    assert_eq!(r.status, 503);
    assert!(r.text().contains("<a href=\"/index.html\">"));
    assert_eq!(c.get("/_/status/204").body.len(), 0);
    assert_eq!(c.get("/_/slow/10").text(), "<html><body>slow</body></html>");
    let r = c.get("/_/huge/3000000");
    assert_eq!(r.body.len(), 3_000_000);
    assert!(r.body.starts_with(b"<html><body>xxx"));
    assert_eq!(c.get("/_/huge/5").text(), "<html");
    let page = c.get("/_/links/3").text();
    for i in 0..3 {
        assert!(
            page.contains(&format!("<a href=\"/_/links/3/{i}\">")),
            "{page}"
        );
    }
    assert_eq!(page.matches("<a ").count(), 3);
    let leaf = c.get("/_/links/3/1");
    assert_eq!(leaf.status, 200);
    assert!(!leaf.text().contains("<a "));
    assert_eq!(c.get("/_/status/abc").status, 404);
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let site = TempSite::new();
    let server = serve(&site);
    let mut c = Client::connect(server.addr());
    let first = c.get("/a.html");
    assert_eq!(first.header("connection"), Some("keep-alive"));
    assert_eq!(c.get("/index.html").status, 200);
    // HEAD: headers (with the real length) and no body.
    c.send("HEAD /a.html HTTP/1.1\r\nHost: x\r\n\r\n");
    let head = c.read_response(false);
    assert_eq!(head.header("content-length"), Some("32"));
    // Pipelined: two requests in one write, answered in order.
    c.send("GET /a.html HTTP/1.1\r\n\r\nGET /nope HTTP/1.1\r\n\r\n");
    assert_eq!(c.read_response(true).status, 200);
    assert_eq!(c.read_response(true).status, 404);
    c.send("GET /a.html HTTP/1.1\r\nConnection: close\r\n\r\n");
    let last = c.read_response(true);
    assert_eq!(last.header("connection"), Some("close"));
    assert!(c.is_closed());
    assert_eq!(server.total_hits(), 6);
    assert_eq!(server.max_in_flight(), 1);
}

#[test]
fn http_1_0_closes_by_default() {
    let site = TempSite::new();
    let server = serve(&site);
    let mut c = Client::connect(server.addr());
    c.send("GET /a.html HTTP/1.0\r\n\r\n");
    assert_eq!(c.read_response(true).status, 200);
    assert!(c.is_closed());
}

#[test]
fn malformed_oversized_and_non_get_requests() {
    let site = TempSite::new();
    let server = serve(&site);
    let mut c = Client::connect(server.addr());
    c.send("garbage\r\n\r\n");
    assert_eq!(c.read_response(true).status, 400);
    assert!(c.is_closed());
    let mut c = Client::connect(server.addr());
    c.send("POST /a.html HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
    let r = c.read_response(true);
    assert_eq!((r.status, r.header("allow")), (405, Some("GET, HEAD")));
    let mut c = Client::connect(server.addr());
    c.send(&format!(
        "GET / HTTP/1.1\r\nX: {}\r\n\r\n",
        "y".repeat(70_000)
    ));
    assert_eq!(c.read_response(true).status, 431);
    // Only the POST had a well-formed head.
    assert_eq!(server.requests(), ["/a.html"]);
}

#[test]
fn counts_hits_including_404s_and_builtins() {
    let site = TempSite::new();
    let server = serve(&site);
    let mut c = Client::connect(server.addr());
    for target in [
        "/a.html",
        "/a.html?page=1",
        "/a.html?page=1",
        "/missing",
        "/_/loop/a",
    ] {
        c.get(target);
    }
    assert_eq!(server.hits("/a.html"), 3);
    assert_eq!(server.hits_exact("/a.html?page=1"), 2);
    assert_eq!(server.hits_exact("/a.html"), 1);
    assert_eq!(server.hits("/missing"), 1);
    assert_eq!(server.hits("/_/loop/a"), 1);
    assert_eq!(server.hits("/never"), 0);
    assert_eq!(server.total_hits(), 5);
    assert_eq!(
        server.requests(),
        [
            "/a.html",
            "/a.html?page=1",
            "/a.html?page=1",
            "/missing",
            "/_/loop/a"
        ]
    );
    let arrivals = server.arrivals();
    assert_eq!(arrivals.len(), 5);
    assert!(arrivals.windows(2).all(|w| w[0].0 <= w[1].0));
    assert_eq!(arrivals[4].1, "/_/loop/a");
}

#[test]
fn routes_override_files_and_builtins() {
    let site = TempSite::new();
    let server = serve(&site);
    let mut c = Client::connect(server.addr());
    server.route("/a.html", Reply::html("override"));
    server.route("/_/loop/a", Reply::redirect(301, "/elsewhere"));
    server.route(
        "/teapot",
        Reply::status(418)
            .with_header("X-Test", "1")
            .with_header("x-test", "2")
            .with_delay(Duration::from_millis(50)),
    );
    assert_eq!(c.get("/a.html?q").text(), "override");
    let r = c.get("/_/loop/a");
    assert_eq!((r.status, r.header("location")), (301, Some("/elsewhere")));
    let started = Instant::now();
    let r = c.get("/teapot");
    assert!(started.elapsed() >= Duration::from_millis(50));
    assert_eq!((r.status, r.header("x-test")), (418, Some("2")));
    assert_eq!(
        r.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("x-test"))
            .count(),
        1
    );
    server.route("/a.html", Reply::bytes("text/plain", b"replaced".to_vec()));
    let r = c.get("/a.html");
    assert_eq!(
        (r.header("content-type"), r.text().as_str()),
        (Some("text/plain"), "replaced")
    );
    assert_eq!(server.hits("/a.html"), 2);
}

/// Waits until `server` has read `n` request heads; fails after a minute (a hang detector).
fn until_hits(server: &FixtureServer, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while server.total_hits() < n {
        assert!(
            Instant::now() < deadline,
            "the server never read {n} requests"
        );
        thread::sleep(Duration::from_millis(5));
    }
}

/// An hour in milliseconds: a delay no test waits out.
const HOUR_MS: u64 = 3_600_000;

#[test]
fn max_in_flight_sees_concurrent_delayed_requests() {
    let site = TempSite::new();
    let server = serve(&site);
    let addr = server.addr();
    // Two requests held for an hour are in flight when the third, delayed a little, arrives:
    // three at once, whatever the machine's speed.
    let mut clients: Vec<Client> = (0..3).map(|_| Client::connect(addr)).collect();
    for (i, c) in clients.iter_mut().take(2).enumerate() {
        c.send(&format!(
            "GET /_/links/3/{i}?delay_ms={HOUR_MS} HTTP/1.1\r\n\r\n"
        ));
    }
    until_hits(&server, 2);
    clients[2].send("GET /_/links/3/2?delay_ms=50 HTTP/1.1\r\n\r\n");
    assert_eq!(clients[2].read_response(true).status, 200);
    assert_eq!(server.max_in_flight(), 3);
    assert_eq!(server.hits("/_/links/3/0"), 1);
}

#[test]
fn a_gate_holds_requests_until_enough_wait_together_then_stays_open() {
    let site = TempSite::new();
    let server = serve(&site);
    let addr = server.addr();
    let mut clients: Vec<Client> = (0..3).map(|_| Client::connect(addr)).collect();
    clients[0].send("GET /_/gate/2/g?i=0 HTTP/1.1\r\n\r\n");
    until_hits(&server, 1);
    clients[1].send("GET /_/gate/2/g?i=1 HTTP/1.1\r\n\r\n");
    for c in &mut clients[..2] {
        assert_eq!(c.read_response(true).status, 200);
    }
    assert_eq!(server.max_in_flight(), 2, "the first waited for the second");
    // Open for good: one request alone goes through; another gate is still shut.
    assert_eq!(clients[2].get("/_/gate/2/g?i=2").status, 200);
    assert_eq!(server.hits("/_/gate/2/g"), 3);
    assert_eq!(Client::connect(addr).get("/_/gate/1/other").status, 200);
    assert_eq!(Client::connect(addr).get("/_/gate/0/x").status, 404);
}

#[test]
fn held_answers_wait_for_the_release() {
    let site = TempSite::new();
    let server = serve(&site);
    let addr = server.addr();
    server.hold();
    let mut clients: Vec<Client> = (0..2).map(|_| Client::connect(addr)).collect();
    clients[0].send("GET /a.html HTTP/1.1\r\n\r\n");
    until_hits(&server, 1);
    clients[1].send("GET /a.html?again HTTP/1.1\r\n\r\n");
    until_hits(&server, 2);
    server.release();
    for c in &mut clients {
        assert_eq!(c.read_response(true).status, 200);
    }
    assert_eq!(
        server.max_in_flight(),
        2,
        "the first was held until the second came"
    );
    assert_eq!(
        Client::connect(addr).get("/a.html").status,
        200,
        "no longer held"
    );
}

#[test]
fn binds_other_loopback_addresses() {
    let site = TempSite::new();
    let server = FixtureServer::start_with(ServerOptions {
        root: site.root().to_path_buf(),
        ip: Ipv4Addr::new(127, 0, 0, 2),
        port: 0,
        ..ServerOptions::default()
    });
    assert_eq!(server.addr().ip(), Ipv4Addr::new(127, 0, 0, 2));
    assert!(server.url("/a.html").starts_with("http://127.0.0.2:"));
    assert_eq!(server.url(""), format!("http://{}", server.addr()));
    assert_eq!(Client::connect(server.addr()).get("/a.html").status, 200);
}

#[test]
#[should_panic(expected = "only binds 127.0.0.0/8")]
fn refuses_non_loopback_addresses() {
    let _ = FixtureServer::start_on(Ipv4Addr::UNSPECIFIED);
}

#[test]
fn drop_is_prompt_with_idle_and_busy_connections() {
    let site = TempSite::new();
    let server = serve(&site);
    let mut idle = Client::connect(server.addr());
    idle.get("/a.html");
    let mut busy = Client::connect(server.addr());
    busy.send(&format!("GET /_/slow/{HOUR_MS} HTTP/1.1\r\n\r\n"));
    until_hits(&server, 2);
    // A drop that waited for the busy answer would take an hour: 60 s is a hang detector, not
    // a measure of how prompt the drop is.
    let (dropped, done) = std::sync::mpsc::channel();
    thread::spawn(move || {
        drop(server);
        let _ = dropped.send(());
    });
    done.recv_timeout(Duration::from_secs(60))
        .expect("dropping the server waits for no answer");
    assert!(idle.is_closed());
    assert!(busy.is_closed());
}

#[test]
fn drop_reraises_server_task_panics() {
    let site = TempSite::new();
    let server = serve(&site);
    let mut c = Client::connect(server.addr());
    c.send("GET /_/panic HTTP/1.1\r\n\r\n");
    assert!(c.is_closed());
    let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(server)));
    let panic = dropped.expect_err("drop re-raises the panic");
    assert_eq!(
        panic.downcast_ref::<&str>(),
        Some(&"fixture server test panic")
    );
}

#[test]
fn default_options_point_at_the_fixture_site() {
    let options = ServerOptions::default();
    assert!(options.root.ends_with("fixtures/site"));
    assert_eq!((options.ip, options.port), (Ipv4Addr::LOCALHOST, 0));
}

#[test]
fn server_handle_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<FixtureServer>();
    assert_send_sync::<Reply>();
}

#[tokio::test(start_paused = true)]
async fn works_from_a_tokio_test_with_paused_time() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let site = TempSite::new();
    let server = serve(&site);
    let started = Instant::now();
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let request = b"GET /a.html?delay_ms=100 HTTP/1.1\r\nConnection: close\r\n\r\n";
    stream.write_all(request).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8(response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.ends_with("page a</body></html>"), "{response}");
    // The server slept on its own runtime's real clock.
    assert!(started.elapsed() >= Duration::from_millis(100));
    assert_eq!(server.hits_exact("/a.html?delay_ms=100"), 1);
}
