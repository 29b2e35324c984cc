//! [`FixtureServer`]: starting, observing, programming and stopping the
//! fixture server.
//!
//! The server runs on a thread of its own with its own two-worker tokio
//! runtime. That makes it usable from synchronous tests and from
//! `#[tokio::test]` tests alike, keeps it on real time when a test pauses
//! tokio's clock, and lets `Drop` shut it down deterministically: stop
//! accepting, close every connection, join the thread, and re-raise any
//! panic of a server task so that server bugs fail the test that hit them.

use std::any::Any;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::runtime::Runtime;
use tokio::sync::watch;
use tokio::task::{JoinError, JoinSet};

use crate::conn::serve_connection;
use crate::reply::Reply;
use crate::routes::Shared;
use crate::stats::RequestHead;
use crate::synth::SyntheticSite;

/// The payload of a panic, as caught from a thread or task.
type Panic = Box<dyn Any + Send + 'static>;

/// How long shutdown waits for connection tasks before aborting them.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// The workspace's `fixtures/site` folder, which [`FixtureServer::start`]
/// serves.
pub fn fixture_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/site")
}

/// Copies the folder `from` into `to` (made if missing), recursively: a copy of the fixture
/// site that a test may edit between two crawls.
///
/// # Panics
///
/// Panics if a file cannot be read or written.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("target folder");
    for entry in std::fs::read_dir(from).expect("readable folder") {
        let entry = entry.expect("folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copied file");
        }
    }
}

/// The JavaScript fixture site, `fixtures/js-site/`: pages whose links only a browser sees
/// (see `fixtures/README.md`). Its expected graph is `fixtures/js-site.expected.tsv`.
pub fn js_site_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/js-site")
}

/// Where and what a [`FixtureServer`] serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerOptions {
    /// Folder of static files; defaults to [`fixture_root`].
    pub root: PathBuf,
    /// Loopback address to bind (`127.0.0.0/8` only); defaults to
    /// `127.0.0.1`.
    pub ip: Ipv4Addr,
    /// Port to bind; defaults to `0`, any free port.
    pub port: u16,
    /// Serve this generated site (rendered per request, full URLs naming the bound address)
    /// instead of the files under `root`; defaults to `None`.
    pub synthetic: Option<Synthetic>,
    /// Keep the log of requests behind [`FixtureServer::hits`] and friends; defaults to
    /// `true`. A server process nobody can ask turns it off, so that a crawl of millions of
    /// pages does not grow the server by a log entry per request.
    pub log_requests: bool,
    /// Send an `ETag` and a `Last-Modified` with every file under `root`, answer `304` to
    /// conditional requests that still match, and count what was sent in full
    /// ([`FixtureServer::full_downloads`], [`FixtureServer::not_modified`]); defaults to
    /// `false`.
    pub validators: bool,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            root: fixture_root(),
            ip: Ipv4Addr::LOCALHOST,
            port: 0,
            synthetic: None,
            log_requests: true,
            validators: false,
        }
    }
}

/// Which generated site to serve: see [`SyntheticSite`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Synthetic {
    /// Number of pages (at least 1).
    pub pages: usize,
    /// The generator's seed.
    pub seed: u64,
}

/// An HTTP/1.1 server for end-to-end tests, running until dropped.
///
/// See the [crate documentation](crate) for what it serves.
pub struct FixtureServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    thread: Option<thread::JoinHandle<Option<Panic>>>,
}

impl fmt::Debug for FixtureServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FixtureServer")
            .field("addr", &self.addr)
            .field("root", &self.shared.root)
            .field("total_hits", &self.total_hits())
            .finish_non_exhaustive()
    }
}

impl FixtureServer {
    /// Serves `fixtures/site` on `127.0.0.1`, on a free port.
    ///
    /// # Panics
    ///
    /// Panics if the fixture folder is missing or the server cannot start.
    pub fn start() -> Self {
        Self::start_with(ServerOptions::default())
    }

    /// Serves `fixtures/site` on the loopback address `ip` (e.g.
    /// `127.0.0.2`, to have several "hosts"), on a free port.
    ///
    /// # Panics
    ///
    /// Panics if `ip` is not in `127.0.0.0/8`, the fixture folder is
    /// missing, or the server cannot start.
    pub fn start_on(ip: Ipv4Addr) -> Self {
        Self::start_with(ServerOptions {
            ip,
            ..ServerOptions::default()
        })
    }

    /// A new temporary folder and a server for its (empty) `site/` subfolder, started before
    /// anything is written there so that generated pages can name the server's port. The
    /// folder must outlive the server.
    ///
    /// # Panics
    ///
    /// Panics if the folder cannot be made or the server cannot start.
    pub fn start_in_temp_dir() -> (tempfile::TempDir, Self) {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("site");
        std::fs::create_dir_all(&root).expect("site dir");
        let server = Self::start_with(ServerOptions {
            root,
            ..ServerOptions::default()
        });
        (dir, server)
    }

    /// A copy of `fixtures/site` in a new temporary folder (which must outlive the server),
    /// served with [`ServerOptions::validators`]: for tests of a conditional re-crawl, which
    /// edit pages between two crawls.
    ///
    /// # Panics
    ///
    /// Panics if the copy cannot be made or the server cannot start.
    pub fn start_copy_with_validators() -> (tempfile::TempDir, Self) {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_dir(&fixture_root(), dir.path());
        let server = Self::start_with(ServerOptions {
            root: dir.path().to_path_buf(),
            validators: true,
            ..ServerOptions::default()
        });
        (dir, server)
    }

    /// Serves as `options` say.
    ///
    /// # Panics
    ///
    /// Panics if `options.ip` is not in `127.0.0.0/8`, `options.root` is not
    /// a folder, the synthetic site has no pages, or the address cannot be
    /// bound.
    pub fn start_with(options: ServerOptions) -> Self {
        let ServerOptions {
            root,
            ip,
            port,
            synthetic,
            log_requests,
            validators,
        } = options;
        assert!(
            ip.is_loopback(),
            "the fixture server only binds 127.0.0.0/8, not {ip}"
        );
        let root = root
            .canonicalize()
            .ok()
            .filter(|r| r.is_dir())
            .unwrap_or_else(|| panic!("fixture root {} is not a folder", root.display()));
        let listener = std::net::TcpListener::bind(SocketAddrV4::new(ip, port))
            .unwrap_or_else(|e| panic!("cannot bind {ip}:{port}: {e}"));
        listener
            .set_nonblocking(true)
            .expect("listener can be made non-blocking");
        let addr = listener
            .local_addr()
            .expect("bound listener has an address");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("fixture-server-worker")
            .enable_io()
            .enable_time()
            .build()
            .expect("fixture server runtime starts");
        let synthetic =
            synthetic.map(|site| SyntheticSite::new(site.pages, site.seed, &addr.to_string()));
        let shared = Arc::new(Shared::new(
            Arc::from(root),
            synthetic,
            (log_requests, validators),
        ));
        let (shutdown, stop) = watch::channel(false);
        let thread = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name(format!("fixture-server {addr}"))
                .spawn(move || run(runtime, listener, shared, stop))
                .expect("fixture server thread starts")
        };
        Self {
            addr,
            shared,
            shutdown,
            thread: Some(thread),
        }
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://IP:PORT` followed by `path` (which should start with `/`; a
    /// missing `/` is added). `url("")` is the bare origin.
    pub fn url(&self, path: &str) -> String {
        let slash = if path.is_empty() || path.starts_with('/') {
            ""
        } else {
            "/"
        };
        format!("http://{}{slash}{path}", self.addr)
    }

    /// The canonical folder the server serves files from.
    pub fn root(&self) -> &Path {
        &self.shared.root
    }

    /// Number of requests whose path (without query) equals `path`, as sent
    /// or percent-decoded: `hits("/café.html")` and
    /// `hits("/caf%C3%A9.html")` both count requests for
    /// `/caf%C3%A9.html`.
    pub fn hits(&self, path: &str) -> usize {
        self.shared.stats.hits(path)
    }

    /// Number of requests whose path plus query equals `path_and_query`
    /// exactly (the path as sent or percent-decoded, the query as sent),
    /// e.g. `"/list.html?page=1"`.
    pub fn hits_exact(&self, path_and_query: &str) -> usize {
        self.shared.stats.hits_exact(path_and_query)
    }

    /// Paths of the files sent in full so far, in answer order, by a server started with
    /// [`ServerOptions::validators`] (empty otherwise).
    pub fn full_downloads(&self) -> Vec<String> {
        let full = self.shared.downloads.full.lock();
        full.unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The distinct paths of the files sent in full after the first `before` (a count of
    /// [`full_downloads`](Self::full_downloads) taken earlier).
    pub fn full_downloads_after(&self, before: usize) -> std::collections::BTreeSet<String> {
        let full = self.full_downloads();
        full.get(before..)
            .unwrap_or_default()
            .iter()
            .cloned()
            .collect()
    }

    /// `304 Not Modified` answers so far, by a server started with
    /// [`ServerOptions::validators`].
    pub fn not_modified(&self) -> usize {
        let count = &self.shared.downloads.not_modified;
        count.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Number of requests so far. Requests whose head could not be parsed
    /// (answered `400` or `431`) are not counted.
    pub fn total_hits(&self) -> usize {
        self.shared.stats.total()
    }

    /// All request targets (path plus query, as sent) in arrival order.
    pub fn requests(&self) -> Vec<String> {
        self.shared.stats.targets()
    }

    /// Arrival time (when the request head had been read) and target of
    /// every request, in arrival order.
    pub fn arrivals(&self) -> Vec<(Instant, String)> {
        self.shared.stats.arrivals()
    }

    /// Method, target and headers of every request so far, in arrival order.
    pub fn request_heads(&self) -> Vec<RequestHead> {
        self.shared.stats.heads()
    }

    /// Number of requests so far that carried an `Authorization` header (credentials).
    pub fn authorized_requests(&self) -> usize {
        self.shared.stats.authorized()
    }

    /// The highest number of requests handled at the same time so far. A
    /// request is in flight from when its head has been read until the last
    /// byte of its response has been written.
    pub fn max_in_flight(&self) -> usize {
        self.shared.stats.max_in_flight()
    }

    /// Delays every answer by `latency` from now on (zero: none), as a slow network or
    /// server would, so that a crawl lasts long enough to be interrupted. An answer leaves
    /// `latency` after the request's head was read (file reading included), to within tens of
    /// microseconds, never before.
    pub fn set_latency(&self, latency: std::time::Duration) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.shared
            .latency_us
            .store(micros, std::sync::atomic::Ordering::Relaxed);
    }

    /// Holds every answer from now on until [`release`](Self::release): requests are read and
    /// counted, then wait (fault routes excepted). A crawl that gets no answers cannot finish,
    /// on any machine, so a test can act on it mid-crawl without racing its end.
    pub fn hold(&self) {
        self.shared.held.send_replace(true);
    }

    /// Answers the held requests and stops holding (see [`hold`](Self::hold)).
    pub fn release(&self) {
        self.shared.held.send_replace(false);
    }

    /// From now on, drops `percent` % of all requests (0: none) at random: each is read and
    /// counted (in [`hits`](Self::hits) too), then its connection is closed without an answer.
    /// Which requests are dropped is decided by `seed`, each request's target and how many
    /// requests for that target came before, so it is the same in every run whatever order the
    /// requests come in.
    pub fn drop_requests(&self, percent: u32, seed: u64) {
        self.shared.drops.set(percent, seed);
    }

    /// Answers requests for exactly `path` (no query; as sent or
    /// percent-decoded) with `reply` from now on, replacing any earlier
    /// route for it. Routes take precedence over built-in routes and files.
    pub fn route(&self, path: &str, reply: Reply) {
        self.shared.set_route(path, reply);
    }

    /// Answers `method` requests (`"HEAD"`, `"GET"`, ...) for exactly `path` with `reply`
    /// from now on, ahead of any [`route`](Self::route) for that path; other methods get what
    /// they got before. For servers that answer HEAD unlike GET.
    pub fn route_method(&self, method: &str, path: &str, reply: Reply) {
        self.shared.set_method_route(method, path, reply);
    }
}

impl Drop for FixtureServer {
    /// Stops accepting, closes all connections (also those mid-response),
    /// and joins the server thread. If a server task panicked, the panic is
    /// re-raised here unless the thread is already panicking.
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
        let Some(thread) = self.thread.take() else {
            return;
        };
        let panic = thread.join().unwrap_or_else(Some);
        if let Some(panic) = panic {
            if !thread::panicking() {
                std::panic::resume_unwind(panic);
            }
        }
    }
}

/// Body of the server thread; returns the first panic of a server task.
fn run(
    runtime: Runtime,
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    stop: watch::Receiver<bool>,
) -> Option<Panic> {
    let panic = runtime.block_on(accept_loop(listener, shared, stop));
    // Don't hang on a file read that is still running in the blocking pool.
    runtime.shutdown_timeout(Duration::from_secs(1));
    panic
}

async fn accept_loop(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) -> Option<Panic> {
    let listener = TcpListener::from_std(listener).expect("listener joins the runtime");
    let for_tasks = stop.clone();
    let mut tasks = JoinSet::new();
    let mut panic = None;
    loop {
        tokio::select! {
            _ = stop.wait_for(|&stop| stop) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tasks.spawn(serve_connection(stream, Arc::clone(&shared), for_tasks.clone()));
                }
                // E.g. out of file descriptors: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(done) = tasks.join_next(), if !tasks.is_empty() => keep_panic(&mut panic, done),
        }
    }
    drop(listener);
    // The tasks saw the same signal and are closing their connections.
    let drained = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while let Some(done) = tasks.join_next().await {
            keep_panic(&mut panic, done);
        }
    })
    .await
    .is_ok();
    if !drained {
        tasks.abort_all();
        while let Some(done) = tasks.join_next().await {
            keep_panic(&mut panic, done);
        }
    }
    panic
}

/// Keeps the first panic among finished tasks.
fn keep_panic(first: &mut Option<Panic>, done: Result<(), JoinError>) {
    if let Err(e) = done {
        if e.is_panic() && first.is_none() {
            *first = Some(e.into_panic());
        }
    }
}
