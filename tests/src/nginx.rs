//! [`Nginx`]: a private `nginx` process serving a folder, for tests that hold the crawler's
//! local mode (`file://`) against how a real web server serves the same files.
//!
//! Each server runs in its own temporary folder (configuration, pid file, logs and temp paths
//! all there), in the foreground as one process (no workers: `master_process off`) that is a
//! child of the test, on a free `127.0.0.1` port, with nginx's defaults for static files (index
//! `index.html`, a `301` to `dir/` for a folder asked without its slash, no directory listing).
//! It is stopped by its process id when dropped. A system instance is never touched.
//!
//! A missing `nginx` fails the test, on every machine alike, with how to install it:
//! `scripts/test-deps.sh` installs it.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::ports::free_port;

/// How long nginx may take to answer its first request.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// An `nginx` child process serving one folder.
#[derive(Debug)]
pub struct Nginx {
    /// Holds the configuration, pid file, logs and temp paths; removed after the process ends.
    dir: tempfile::TempDir,
    child: Child,
    port: u16,
}

impl Nginx {
    /// Serves `root` (an absolute folder) on a free port of 127.0.0.1.
    ///
    /// # Panics
    /// When `nginx` is missing (saying how to install it), or if it does not answer within
    /// 10 seconds.
    pub fn serve(root: &Path) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let conf = dir.path().join("nginx.conf");
        std::fs::write(&conf, config(dir.path(), port, root)).expect("nginx.conf");
        let child = Command::new(program())
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| {
                panic!("`nginx` did not start ({err}): run scripts/test-deps.sh (or apt-get install nginx-light)")
            });
        let mut server = Self { dir, child, port };
        server.wait_until_up();
        server
    }

    /// The URL of `path` (starting with `/`) on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn wait_until_up(&mut self) {
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Ok(Some(status)) = self.child.try_wait() {
                let log = std::fs::read_to_string(self.dir.path().join("error.log"));
                panic!(
                    "nginx exited ({status}): {}",
                    log.unwrap_or_default().trim()
                );
            }
            assert!(
                started.elapsed() < START_TIMEOUT,
                "nginx did not listen on 127.0.0.1:{} within {START_TIMEOUT:?}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // One process (`master_process off`): no worker outlives it.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An nginx.conf keeping every file nginx writes under `dir`, serving `root` on `port`.
fn config(dir: &Path, port: u16, root: &Path) -> String {
    let dir = dir.display();
    format!(
        "master_process off;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 64; }}
http {{
    types {{ text/html html htm; text/css css; text/plain txt; }}
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
",
        root = root.display()
    )
}

/// `nginx` on the `PATH`, else Debian's `/usr/sbin/nginx` (a `PATH` without the sbin folders
/// is common for a user other than root).
fn program() -> std::path::PathBuf {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("nginx"))
            .find(|candidate| candidate.is_file())
    });
    on_path.unwrap_or_else(|| "/usr/sbin/nginx".into())
}
