//! Helpers for the unit tests: a throwaway site folder and a raw blocking
//! HTTP/1.1 client.
//!
//! The client is deliberately dumb (plain `TcpStream`, hand-written request
//! text, `Content-Length` framing only) so that the tests see exactly what
//! the server puts on the wire, with no HTTP library smoothing it over.

use std::fs;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A temporary folder laid out as a small site, removed on drop.
pub(super) struct TempSite {
    /// Parent of `root`, so tests can place files outside the served folder.
    dir: PathBuf,
    root: PathBuf,
}

impl TempSite {
    pub(super) fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "crawler-tests-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        let root = dir.join("site");
        fs::create_dir_all(root.join("sub")).unwrap();
        let site = Self { dir, root };
        site.write(
            "index.html",
            "<html><body><a href=\"/a.html\">a</a></body></html>",
        );
        site.write("a.html", "<html><body>page a</body></html>");
        site.write("sub/index.html", "<html><body>sub index</body></html>");
        site.write("café.html", "<html><body>café</body></html>");
        site.write("data.json", "{\"ok\":true}");
        fs::write(site.dir.join("secret.txt"), "secret").unwrap();
        site
    }

    pub(super) fn root(&self) -> &Path {
        &self.root
    }

    pub(super) fn write(&self, path: &str, contents: &str) {
        fs::write(self.root.join(path), contents).unwrap();
    }
}

impl Drop for TempSite {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// A parsed response.
#[derive(Debug)]
pub(super) struct Resp {
    pub(super) status: u16,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Vec<u8>,
}

impl Resp {
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(super) fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
}

/// One connection to the server.
pub(super) struct Client {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Client {
    pub(super) fn connect(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Self {
            stream,
            buf: Vec::new(),
        }
    }

    pub(super) fn send(&mut self, raw: &str) {
        self.stream.write_all(raw.as_bytes()).unwrap();
    }

    /// Sends a `GET` and reads its response.
    pub(super) fn get(&mut self, target: &str) -> Resp {
        self.send(&format!("GET {target} HTTP/1.1\r\nHost: fixture\r\n\r\n"));
        self.read_response(true)
    }

    /// Reads one response; its body only if `with_body` (false for `HEAD`).
    pub(super) fn read_response(&mut self, with_body: bool) -> Resp {
        let end = loop {
            if let Some(pos) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break pos + 4;
            }
            assert!(self.fill() > 0, "connection closed before a response head");
        };
        let head = String::from_utf8(self.buf.drain(..end).collect()).unwrap();
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap();
        let mut parts = status_line.splitn(3, ' ');
        assert_eq!(parts.next(), Some("HTTP/1.1"), "{status_line}");
        let status = parts.next().unwrap().parse().unwrap();
        let headers: Vec<(String, String)> = lines
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (k, v) = l.split_once(':').unwrap();
                (k.to_owned(), v.trim().to_owned())
            })
            .collect();
        let mut resp = Resp {
            status,
            headers,
            body: Vec::new(),
        };
        let len: usize = resp.header("content-length").unwrap().parse().unwrap();
        if with_body {
            while self.buf.len() < len {
                assert!(self.fill() > 0, "connection closed mid-body");
            }
            resp.body = self.buf.drain(..len).collect();
        }
        resp
    }

    /// Reads until the server closes or resets the connection, or a read
    /// times out: everything received (including what was buffered) and the
    /// kind of the error that ended it, `None` for a clean close.
    pub(super) fn read_until_closed(&mut self) -> (Vec<u8>, Option<io::ErrorKind>) {
        let end = loop {
            match self.try_fill() {
                Ok(0) => break None,
                Ok(_) => {}
                Err(e) => break Some(e.kind()),
            }
        };
        (std::mem::take(&mut self.buf), end)
    }

    /// Reads exactly `n` more bytes (after those of earlier responses).
    pub(super) fn read_bytes(&mut self, n: usize) -> Vec<u8> {
        while self.buf.len() < n {
            assert!(self.fill() > 0, "connection closed early");
        }
        self.buf.drain(..n).collect()
    }

    /// Sets how long a read waits before failing with a timeout.
    pub(super) fn set_read_timeout(&self, timeout: Duration) {
        self.stream.set_read_timeout(Some(timeout)).unwrap();
    }

    /// Whether the server has closed the connection (reads EOF).
    /// A reset counts as closed too; a read timeout does not.
    pub(super) fn is_closed(&mut self) -> bool {
        if !self.buf.is_empty() {
            return false;
        }
        match self.try_fill() {
            Ok(n) => n == 0,
            Err(e) => e.kind() == io::ErrorKind::ConnectionReset,
        }
    }

    fn fill(&mut self) -> usize {
        self.try_fill().expect("read from server")
    }

    fn try_fill(&mut self) -> io::Result<usize> {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk)?;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }
}
