//! [`RedisServer`]: a private `redis-server` process for tests.
//!
//! Each test starts its own server in a temporary folder, listening on a Unix socket there (no
//! TCP port, so no collisions) or on a free `127.0.0.1` port, with AOF on (`appendfsync
//! everysec`, as recommended for crawls) and `maxmemory-policy noeviction`. It is stopped by
//! its process id when dropped. A system instance is never touched.
//!
//! A missing `redis-server` or `redis-cli` fails the test, on every machine alike, with how to
//! install them: a test that returned early instead would show green without
//! having checked anything. `scripts/test-deps.sh` installs both.
//!
//! [`RedisCluster`] is a real Redis Cluster made of such servers: each node is a
//! [`RedisServer`] on a free 127.0.0.1 port with `cluster-enabled yes` (its cluster bus on
//! another free port), joined by `redis-cli --cluster create`, all masters, no replicas.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::ports::free_port;

/// How to get the Redis tools, given when one is missing.
const INSTALL_HINT: &str =
    "run scripts/test-deps.sh (or apt-get install redis-server, which brings redis-cli)";

/// Fails the test unless `program --version` runs: the tool is missing, say how to get it.
fn require(program: &str) {
    let ran = Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    assert!(ran, "`{program}` is not installed: {INSTALL_HINT}");
}

/// How the test server listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listen {
    /// A Unix socket in the server's folder.
    Unix,
    /// A free port on 127.0.0.1.
    Tcp,
}

/// A `redis-server` child process in a temporary folder.
#[derive(Debug)]
pub struct RedisServer {
    dir: tempfile::TempDir,
    child: Option<Child>,
    port: u16,
    extra: Vec<String>,
}

impl RedisServer {
    /// Starts a server on a Unix socket.
    ///
    /// # Panics
    /// When `redis-server` is missing (saying how to install it), or if the server does not come
    /// up.
    pub fn start() -> Self {
        Self::start_with(Listen::Unix, &[])
    }

    /// Starts a server listening as `listen`, with `extra` config arguments
    /// (e.g. `["--maxmemory-policy", "allkeys-lru"]`).
    ///
    /// # Panics
    /// When `redis-server` is missing (saying how to install it), or if the server does not come
    /// up.
    pub fn start_with(listen: Listen, extra: &[&str]) -> Self {
        require("redis-server");
        let port = match listen {
            Listen::Unix => 0,
            Listen::Tcp => free_port(),
        };
        let mut server = Self {
            dir: tempfile::tempdir().expect("temp dir"),
            child: None,
            port,
            extra: extra.iter().map(|s| (*s).to_owned()).collect(),
        };
        server.restart();
        server
    }

    /// The socket path.
    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("redis.sock")
    }

    /// The server's folder (AOF and logs).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The URL to give a client: `unix:///…/redis.sock` or `redis://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        if self.port == 0 {
            format!("unix://{}", self.socket().display())
        } else {
            format!("redis://127.0.0.1:{}/", self.port)
        }
    }

    /// The TCP port, or `None` on a Unix socket.
    pub fn port(&self) -> Option<u16> {
        (self.port != 0).then_some(self.port)
    }

    /// Runs `redis-cli` with `args` against this server; its stdout.
    ///
    /// # Panics
    /// If `redis-cli` cannot be run (saying how to install it).
    pub fn cli(&self, args: &[&str]) -> String {
        let mut cmd = Command::new("redis-cli");
        if self.port == 0 {
            cmd.arg("-s").arg(self.socket());
        } else {
            cmd.args(["-h", "127.0.0.1", "-p", &self.port.to_string()]);
        }
        let out = cmd
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|err| panic!("cannot run redis-cli ({err}): {INSTALL_HINT}"));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Process id of the running server.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Kills the server (SIGKILL, like a crash) and waits for it to exit. The AOF stays.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_file(self.socket());
    }

    /// Kills the server (as [`kill`](Self::kill)) and keeps it down until a client has tried
    /// to reach it: a stand-in listener on the server's address takes the first connection
    /// that comes and closes it unanswered, as a server dying under it would. An outage
    /// that lasts until a client has seen it, on a fast machine or a loaded one; call
    /// [`restart`](Self::restart) to end it.
    ///
    /// # Panics
    /// If the address cannot be listened on, or no client calls within 60 s.
    pub fn kill_until_a_client_calls(&mut self) {
        self.kill();
        let called = if self.port == 0 {
            let listener = std::os::unix::net::UnixListener::bind(self.socket())
                .expect("listen on the server's socket");
            wait_for_a_call(
                || listener.accept().map(drop),
                || listener.set_nonblocking(true),
            )
        } else {
            let listener = std::net::TcpListener::bind(("127.0.0.1", self.port))
                .expect("listen on the server's port");
            wait_for_a_call(
                || listener.accept().map(drop),
                || listener.set_nonblocking(true),
            )
        };
        let _ = std::fs::remove_file(self.socket());
        assert!(called, "no client tried to reach the stopped redis-server");
    }

    /// (Re)starts the server on the same folder and address, loading the AOF, and waits
    /// until it answers PING.
    ///
    /// # Panics
    /// If the server does not answer within 10 s.
    pub fn restart(&mut self) {
        self.kill();
        let dir = self.dir.path();
        let mut cmd = Command::new("redis-server");
        cmd.arg("--dir")
            .arg(dir)
            .args([
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--save",
                "",
            ])
            .args(["--maxmemory-policy", "noeviction", "--daemonize", "no"])
            .args(["--logfile", "redis.log"]);
        if self.port == 0 {
            cmd.args(["--port", "0", "--unixsocket"])
                .arg(self.socket())
                .args(["--unixsocketperm", "700"]);
        } else {
            cmd.args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"]);
        }
        cmd.args(&self.extra);
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn redis-server");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.ping() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not start; log: {}",
                std::fs::read_to_string(dir.join("redis.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn ping(&self) -> bool {
        let exchange = |stream: &mut dyn ReadWrite| -> bool {
            let mut buf = [0u8; 64];
            stream.write_all(b"PING\r\n").is_ok()
                && stream
                    .read(&mut buf)
                    .is_ok_and(|n| buf[..n].starts_with(b"+PONG"))
        };
        if self.port == 0 {
            UnixStream::connect(self.socket()).is_ok_and(|mut s| exchange(&mut s))
        } else {
            std::net::TcpStream::connect(("127.0.0.1", self.port))
                .is_ok_and(|mut s| exchange(&mut s))
        }
    }
}

/// Polls `accept` (on a listener made non-blocking by `nonblocking`) every 10 ms until a
/// connection comes, which it drops; false if none came within 60 s.
fn wait_for_a_call(
    mut accept: impl FnMut() -> std::io::Result<()>,
    nonblocking: impl FnOnce() -> std::io::Result<()>,
) -> bool {
    nonblocking().expect("non-blocking listener");
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        match accept() {
            Ok(()) => return true,
            Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(err) => panic!("accept on the stand-in listener: {err}"),
        }
    }
    false
}

/// A Redis Cluster of private `redis-server` processes, all masters, stopped when dropped.
#[derive(Debug)]
pub struct RedisCluster {
    nodes: Vec<RedisServer>,
}

impl RedisCluster {
    /// Starts `masters` nodes (at least 3, as `redis-cli --cluster create` requires), joins
    /// them, and waits until every node reports `cluster_state:ok`.
    ///
    /// # Panics
    /// When `redis-server` or `redis-cli` is missing (saying how to install it), or if the
    /// cluster does not form within 30 s.
    pub fn start(masters: usize) -> Self {
        require("redis-cli");
        let mut nodes = Vec::with_capacity(masters);
        for _ in 0..masters {
            let bus = free_port().to_string();
            nodes.push(RedisServer::start_with(
                Listen::Tcp,
                &[
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes.conf",
                    "--cluster-node-timeout",
                    "5000",
                    "--cluster-port",
                    &bus,
                ],
            ));
        }
        let addrs: Vec<String> = nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        let out = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&addrs)
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdin(Stdio::null())
            .output()
            .expect("run redis-cli --cluster create");
        assert!(
            out.status.success(),
            "redis-cli --cluster create failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let cluster = Self { nodes };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !cluster
            .nodes
            .iter()
            .all(|n| n.cli(&["CLUSTER", "INFO"]).contains("cluster_state:ok"))
        {
            assert!(Instant::now() < deadline, "the cluster did not become ok");
            std::thread::sleep(Duration::from_millis(50));
        }
        cluster
    }

    /// The nodes.
    pub fn nodes(&self) -> &[RedisServer] {
        &self.nodes
    }

    /// The URL to give a client: `redis+cluster://127.0.0.1:P1,127.0.0.1:P2,...`.
    pub fn url(&self) -> String {
        let addrs: Vec<String> = self
            .nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        format!("redis+cluster://{}", addrs.join(","))
    }
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}
