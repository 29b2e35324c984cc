//! Shared helpers: run `crawl` (or another program) with a timeout and capture its output,
//! read the expected fixture graph, and require external tools.
//!
//! Every child is waited for with a deadline ([`TIMEOUT`]); a child that overruns it is killed
//! and the test fails, so no test can hang. Output is drained on threads while waiting, so a
//! chatty child never blocks on a full pipe.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crawler_tests::FixtureServer;

/// The longest any child may run.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(60);

/// The hint given when a tool the interop tests need is missing.
pub(crate) const TOOLS_HINT: &str =
    "install graphviz, chromium / pip install networkx scipy (scripts/test-deps.sh)";

/// A `source<TAB>target` edge.
pub(crate) type Edge = (String, String);

/// A command to run: the `crawl` binary or another program.
#[derive(Debug)]
pub(crate) struct Cmd {
    command: Command,
    stdin: Option<Vec<u8>>,
    hold_stdin: bool,
}

/// `crawl` with `args`. `RUST_LOG` is removed so the test sees the default logging.
pub(crate) fn crawl<I, S>(args: I) -> Cmd
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = program(env!("CARGO_BIN_EXE_crawl"));
    cmd.command.args(args).env_remove("RUST_LOG");
    cmd
}

/// Any program, e.g. `dot` or `python3`.
pub(crate) fn program(name: impl AsRef<OsStr>) -> Cmd {
    Cmd {
        command: Command::new(name),
        stdin: None,
        hold_stdin: false,
    }
}

impl Cmd {
    /// Adds arguments.
    pub(crate) fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command.args(args);
        self
    }

    /// Sets an environment variable for the child.
    pub(crate) fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.command.env(key, value);
        self
    }

    /// Runs the child in `dir`.
    pub(crate) fn current_dir(mut self, dir: &Path) -> Self {
        self.command.current_dir(dir);
        self
    }

    /// Removes the child's environment variable `key`.
    pub(crate) fn env_remove(mut self, key: &str) -> Self {
        self.command.env_remove(key);
        self
    }

    /// Feeds `data` to the child's stdin (otherwise stdin is empty).
    pub(crate) fn stdin(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(data.into());
        self
    }

    /// Feeds `data` to the child's stdin and then keeps the pipe open (no end of file) until
    /// the child has exited: a reader that never finishes. See [`Running::stdin_written`].
    pub(crate) fn stdin_held_open(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(data.into());
        self.hold_stdin = true;
        self
    }

    /// Runs to the end (at most [`TIMEOUT`]).
    pub(crate) fn run(self) -> Output {
        self.spawn().wait()
    }

    /// Starts the child, collecting stdout and stderr.
    pub(crate) fn spawn(self) -> Running {
        let (mut running, stdout) = self.spawn_piped();
        running.stdout = Some(drain(stdout));
        running
    }

    /// Starts the child and hands its stdout to the caller; stderr is collected.
    pub(crate) fn spawn_piped(mut self) -> (Running, ChildStdout) {
        let name = format!("{:?}", self.command);
        let mut child = self
            .command
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let hold = self.hold_stdin;
        let stdin = self.stdin.map(|data| {
            let mut pipe = child.stdin.take().expect("stdin is piped");
            // The child may exit without reading; a failed write is its business. A held pipe
            // is handed back, so it closes only when the handle is joined, after the child's exit.
            thread::spawn(move || {
                let _ = pipe.write_all(&data);
                hold.then_some(pipe)
            })
        });
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = drain(child.stderr.take().expect("stderr is piped"));
        let running = Running {
            child,
            name,
            stdin,
            stdout: None,
            stderr,
        };
        (running, stdout)
    }
}

impl Cmd {
    /// Starts the child with stdout and stderr both writing to `out` (as `2>&1 | reader`
    /// does; `out` must be the only write end the test keeps, so that closing the reader
    /// breaks the pipe), and hands its stdin to the caller. Nothing is collected.
    pub(crate) fn spawn_into(mut self, out: std::os::fd::OwnedFd) -> (Running, ChildStdin) {
        let name = format!("{:?}", self.command);
        let err = out.try_clone().expect("the pipe's write end duplicates");
        let mut child = self
            .command
            .stdin(Stdio::piped())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let stdin = child.stdin.take().expect("stdin is piped");
        let running = Running {
            child,
            name,
            stdin: None,
            stdout: None,
            stderr: thread::spawn(Vec::new),
        };
        (running, stdin)
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        buf
    })
}

/// A started child.
#[derive(Debug)]
pub(crate) struct Running {
    child: Child,
    name: String,
    stdin: Option<JoinHandle<Option<ChildStdin>>>,
    stdout: Option<JoinHandle<Vec<u8>>>,
    stderr: JoinHandle<Vec<u8>>,
}

impl Running {
    /// The child's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for a child killed by a signal (at most [`TIMEOUT`]); returns its process id.
    pub(crate) fn wait_killed(self) -> u32 {
        let id = self.child.id();
        let out = self.wait();
        assert_eq!(out.code, None, "killed by a signal");
        id
    }

    /// Sends a signal (`"INT"`, `"TERM"`) with the `kill` command.
    pub(crate) fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{name} failed");
    }

    /// Waits until everything given to stdin has been written (the child has read all but
    /// what the pipe buffers), at most [`TIMEOUT`]; fails the test after that.
    pub(crate) fn stdin_written(&self) {
        let deadline = Instant::now() + TIMEOUT;
        while !self.stdin.as_ref().is_none_or(JoinHandle::is_finished) {
            assert!(
                Instant::now() < deadline,
                "{} did not read its stdin",
                self.name
            );
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Waits for the child to exit, at most [`TIMEOUT`]; kills it and fails the test after that.
    pub(crate) fn wait(mut self) -> Output {
        let deadline = Instant::now() + TIMEOUT;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait works") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                let stderr =
                    String::from_utf8_lossy(&self.stderr.join().unwrap_or_default()).into_owned();
                panic!(
                    "{} ran longer than {TIMEOUT:?}; stderr:\n{stderr}",
                    self.name
                );
            }
            thread::sleep(Duration::from_millis(10));
        };
        if let Some(stdin) = self.stdin {
            drop(stdin.join().expect("stdin writer"));
        }
        let text = |bytes: Vec<u8>| String::from_utf8(bytes).expect("output is UTF-8");
        Output {
            code: status.code(),
            stdout: self
                .stdout
                .map(|t| text(t.join().expect("stdout reader")))
                .unwrap_or_default(),
            stderr: text(self.stderr.join().expect("stderr reader")),
            name: self.name,
        }
    }
}

/// What a finished child left behind.
#[derive(Debug)]
pub(crate) struct Output {
    /// Exit code (`None` if killed by a signal).
    pub(crate) code: Option<i32>,
    /// Everything written to stdout.
    pub(crate) stdout: String,
    /// Everything written to stderr.
    pub(crate) stderr: String,
    name: String,
}

impl Output {
    /// Asserts the exit code, showing the output when it differs.
    #[track_caller]
    pub(crate) fn expect_code(self, code: i32) -> Self {
        assert_eq!(
            self.code,
            Some(code),
            "exit code of {}\n--- stderr:\n{}\n--- stdout (first 2000 bytes):\n{}",
            self.name,
            self.stderr,
            self.stdout.get(..2000).unwrap_or(&self.stdout),
        );
        self
    }

    /// Asserts a usage error: exit 2, nothing on stdout, and exactly one line on stderr, which
    /// starts `crawl: error: ` and is not a panic. Returns that line.
    #[track_caller]
    pub(crate) fn expect_usage_error(self) -> String {
        let out = self.expect_code(2);
        assert_eq!(out.stdout, "", "stdout of a usage error");
        let lines: Vec<&str> = out.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one line on stderr: {:?}", out.stderr);
        assert!(lines[0].starts_with("crawl: error: "), "{}", lines[0]);
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
        lines[0].to_owned()
    }
}

/// The names in a folder, sorted.
pub(crate) fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The edges of a TSV export, after checking its header.
#[track_caller]
pub(crate) fn tsv_edges(tsv: &str) -> BTreeSet<Edge> {
    let mut lines = tsv.lines();
    assert_eq!(lines.next(), Some("source_url\tparsed_url"), "TSV header");
    lines
        .map(|line| {
            let (source, target) = line
                .split_once('\t')
                .unwrap_or_else(|| panic!("not an edge line: {line:?}"));
            (source.to_owned(), target.to_owned())
        })
        .collect()
}

/// The nodes of an edge set: every URL that is a source or a target.
pub(crate) fn nodes_of(edges: &BTreeSet<Edge>) -> BTreeSet<String> {
    edges
        .iter()
        .flat_map(|(s, t)| [s.clone(), t.clone()])
        .collect()
}

/// The fixture folder holding `site/` and the expected-graph files.
fn fixtures() -> std::path::PathBuf {
    crawler_tests::fixture_root()
        .parent()
        .expect("fixtures/site has a parent")
        .to_path_buf()
}

/// Lines of an expected-graph file with `SERVER` replaced by the server's address.
fn expected_rows(server: &FixtureServer, file: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(fixtures().join(file)).expect("expected file");
    let host = server.addr().to_string();
    text.lines()
        .skip(1)
        .map(|line| {
            line.replace("SERVER", &host)
                .split('\t')
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

/// BFS depth of every node of the full fixture graph.
pub(crate) fn expected_depths(server: &FixtureServer) -> BTreeMap<String, u32> {
    expected_rows(server, "site.expected-nodes.tsv")
        .into_iter()
        .map(|row| (row[0].clone(), row[1].parse().expect("depth")))
        .collect()
}

/// Every node of the full fixture graph with its BFS depth and kind (`html`, `file`,
/// `missing`, `external`).
pub(crate) fn expected_nodes(server: &FixtureServer) -> BTreeMap<String, (u32, String)> {
    expected_rows(server, "site.expected-nodes.tsv")
        .into_iter()
        .map(|row| {
            (
                row[0].clone(),
                (row[1].parse().expect("depth"), row[2].clone()),
            )
        })
        .collect()
}

/// Crawls the fixture site from `/index.html` to `depth` and saves the graph in `format` as
/// `dir/NAME`; returns the path.
pub(crate) fn save_crawl(
    server: &FixtureServer,
    depth: u32,
    format: &str,
    dir: &Path,
    name: &str,
) -> std::path::PathBuf {
    let path = dir.join(name);
    crawl([
        server.url("/index.html").as_str(),
        "-q",
        "-d",
        &depth.to_string(),
        "-f",
        format,
        "-o",
    ])
    .args([&path])
    .run()
    .expect_code(0);
    path
}

/// The fixture edges a crawl from `/index.html` keeps at `--depth depth`: those whose source
/// has a BFS depth of at most `depth`.
pub(crate) fn expected_edges(server: &FixtureServer, depth: u32) -> BTreeSet<Edge> {
    let depths = expected_depths(server);
    expected_rows(server, "site.expected.tsv")
        .into_iter()
        .map(|row| (row[0].clone(), row[1].clone()))
        .filter(|(source, _)| depths[source] <= depth)
        .collect()
}

/// Makes a FIFO at `path` with the `mkfifo` program.
pub(crate) fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Waits until `happened` is true, polling every 10 ms; fails the test, naming `what`, if it is
/// still false after [`TIMEOUT`]. The bound only catches an event that never comes (a hang): a
/// test waits for what it needs to have happened, never for a fixed time.
#[track_caller]
pub(crate) fn wait_for(what: &str, mut happened: impl FnMut() -> bool) {
    let deadline = Instant::now() + TIMEOUT;
    while !happened() {
        assert!(Instant::now() < deadline, "waited {TIMEOUT:?} for {what}");
        thread::sleep(Duration::from_millis(10));
    }
}

/// Fails the test with [`TOOLS_HINT`] unless `program args` runs and succeeds. There is no
/// silent skip: a missing tool is a broken test machine, in CI and locally alike.
pub(crate) fn require_tool(program: &str, args: &[&str]) {
    let ok = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "`{program}` is not usable: {TOOLS_HINT}");
}
