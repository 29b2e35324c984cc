//! [`RedisServer`]: a private `redis-server` process for tests.
//!
//! Each test starts its own server in a temporary folder, listening on a Unix socket there (no
//! TCP port, so no collisions) or on a free `127.0.0.1` port, with AOF on (`appendfsync
//! everysec`, as recommended for crawls) and `maxmemory-policy noeviction`. It is stopped by
//! its process id when dropped. A system instance is never touched.
//!
//! A missing `redis-server` fails the test under `CI=true` and is reported loudly otherwise
//! ([`RedisServer::start`] returns `None`); `scripts/test-deps.sh` installs it.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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
    /// Starts a server on a Unix socket; `None` (with a loud note) if `redis-server` is not
    /// installed outside CI.
    ///
    /// # Panics
    /// Under `CI=true` when `redis-server` is missing, or if the server does not come up.
    pub fn start() -> Option<Self> {
        Self::start_with(Listen::Unix, &[])
    }

    /// Starts a server listening as `listen`, with `extra` config arguments
    /// (e.g. `["--maxmemory-policy", "allkeys-lru"]`).
    ///
    /// # Panics
    /// Under `CI=true` when `redis-server` is missing, or if the server does not come up.
    pub fn start_with(listen: Listen, extra: &[&str]) -> Option<Self> {
        if Command::new("redis-server")
            .arg("--version")
            .output()
            .is_err()
        {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "redis-server is not installed: run scripts/test-deps.sh"
            );
            eprintln!("SKIPPED: redis-server is not installed (run scripts/test-deps.sh)");
            return None;
        }
        let port = match listen {
            Listen::Unix => 0,
            Listen::Tcp => std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .expect("free port"),
        };
        let mut server = Self {
            dir: tempfile::tempdir().expect("temp dir"),
            child: None,
            port,
            extra: extra.iter().map(|s| (*s).to_owned()).collect(),
        };
        server.restart();
        Some(server)
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

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}
