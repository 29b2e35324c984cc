//! `--deny-private-ips` holds when a proxy is set in the environment: a proxy resolves the
//! target's name itself, where the guard cannot see it, so the guard turns proxies off.

use std::io::ErrorKind;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crawler_tests::FixtureServer;

use crate::support::{crawl, Cmd};

/// A listener on 127.0.0.1 that counts the connections made to it and closes each at once:
/// a "proxy" that shows whether the crawler went through it.
struct CountingListener {
    port: u16,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl CountingListener {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("non-blocking");
        let port = listener.local_addr().expect("local addr").port();
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = thread::spawn({
            let (connections, stop) = (Arc::clone(&connections), Arc::clone(&stop));
            move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok(_) => {
                            connections.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(err) if err.kind() == ErrorKind::WouldBlock => {
                            thread::sleep(Duration::from_millis(10));
                        }
                        Err(err) => panic!("accept failed: {err}"),
                    }
                }
            }
        });
        Self {
            port,
            connections,
            stop,
            thread: Some(thread),
        }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// `cmd` with every proxy variable pointing at this listener, and no exceptions.
    fn proxied(&self, cmd: Cmd) -> Cmd {
        let proxy = format!("http://127.0.0.1:{}", self.port);
        ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
            .into_iter()
            .fold(cmd, |cmd, key| cmd.env(key, &proxy))
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
            .env_remove("REQUEST_METHOD")
    }
}

impl Drop for CountingListener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[test]
fn deny_private_ips_does_not_go_through_a_proxy() {
    let server = FixtureServer::start();
    let proxy = CountingListener::start();
    // `localhost` is a name: only the crawler's own resolver can refuse it.
    let seed = format!("http://localhost:{}/index.html", server.addr().port());
    let args = [seed.as_str(), "--depth", "0", "--retries", "0"];

    // Without the guard the proxy is used: the environment reaches the crawler.
    proxy.proxied(crawl(args)).run();
    let through_proxy = proxy.connections();
    assert!(through_proxy > 0, "the proxy variables were not used");

    let guarded = proxy
        .proxied(crawl(args).args(["--deny-private-ips", "--fail-on-broken"]))
        .run()
        .expect_code(1);
    assert!(guarded.stderr.contains("blocked"), "{}", guarded.stderr);
    assert_eq!(
        proxy.connections(),
        through_proxy,
        "the guarded crawl used the proxy"
    );
    assert_eq!(server.total_hits(), 0);
}
