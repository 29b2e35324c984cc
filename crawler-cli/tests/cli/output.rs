//! Output files are replaced atomically (never half-written, never touched by a failed run),
//! `--nodes` writes the node table, and a closed stdout pipe is a quiet success.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};

use crawler_tests::FixtureServer;

use crate::support::{crawl, expected_depths, expected_edges, listing, tsv_edges};

#[test]
fn output_file_is_untouched_by_a_failed_run_and_replaced_by_a_good_one() {
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("graph.tsv");
    fs::write(&out_path, "old contents\n").unwrap();
    let out_arg = out_path.to_str().unwrap();

    // A bad seed fails before anything is written.
    crawl([
        server.url("/index.html").as_str(),
        "not a url",
        "-o",
        out_arg,
    ])
    .run()
    .expect_usage_error();
    assert_eq!(fs::read_to_string(&out_path).unwrap(), "old contents\n");
    assert_eq!(listing(dir.path()), ["graph.tsv"]);

    let run = crawl([server.url("/index.html").as_str(), "-d", "1", "-o", out_arg])
        .run()
        .expect_code(0);
    assert_eq!(run.stdout, "", "the graph goes to the file only");
    let written = fs::read_to_string(&out_path).unwrap();
    assert_eq!(tsv_edges(&written), expected_edges(&server, 1));
    assert_eq!(
        listing(dir.path()),
        ["graph.tsv"],
        "no temporary files left"
    );
}

#[test]
fn output_in_a_missing_folder_fails_before_crawling() {
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("no/such/folder/graph.tsv");
    let run = crawl([
        server.url("/index.html").as_str(),
        "-o",
        out_path.to_str().unwrap(),
    ])
    .run()
    .expect_code(1);
    assert_eq!(run.stdout, "");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(
        lines[0].starts_with("crawl: error: cannot write"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("graph.tsv"), "{}", lines[0]);
    assert_eq!(server.total_hits(), 0, "checked before the crawl");
    assert!(listing(dir.path()).is_empty());
}

#[test]
fn nodes_file_holds_the_node_table() {
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    let nodes_path = dir.path().join("nodes.tsv");
    let run = crawl([
        server.url("/index.html").as_str(),
        "-d",
        "1",
        "--nodes",
        nodes_path.to_str().unwrap(),
    ])
    .run()
    .expect_code(0);
    // The graph still goes to stdout.
    assert_eq!(tsv_edges(&run.stdout), expected_edges(&server, 1));

    let table = fs::read_to_string(&nodes_path).unwrap();
    let mut lines = table.lines();
    assert_eq!(
        lines.next(),
        Some("url\tdepth\tstatus\tcontent_type\tstate\terror\ttitle")
    );
    let mut depths = BTreeMap::new();
    for line in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), 7, "{line:?}");
        depths.insert(fields[0].to_owned(), fields[1].parse::<u32>().unwrap());
        // Depth-2 pages are the boundary at --depth 1: in the graph, not fetched.
        let state = fields[4];
        if fields[1] == "2" {
            assert!(
                ["beyond_depth", "out_of_scope"].contains(&state),
                "{line:?}"
            );
        }
    }
    let expected: BTreeMap<String, u32> = expected_depths(&server)
        .into_iter()
        .filter(|(_, depth)| *depth <= 2)
        .collect();
    assert_eq!(depths, expected);
    assert_eq!(listing(dir.path()), ["nodes.tsv"]);
}

#[test]
fn broken_pipe_on_stdout_exits_0_quietly() {
    let server = FixtureServer::start();
    // 2000 edges of about 80 bytes: far more than a pipe buffer holds.
    let (running, stdout) = crawl([server.url("/_/links/2000").as_str(), "-d", "0"]).spawn_piped();
    let mut reader = BufReader::new(stdout);
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    assert_eq!(first, "source_url\tparsed_url\n");
    drop(reader); // like `| head -1`
    let out = running.wait().expect_code(0);
    assert!(!out.stderr.contains("error"), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

/// `crawl -vv --fail-on-broken URL 2>&1 | head -1`: once the reader is gone, every log line
/// and the graph meet a closed pipe. The run ends as for a broken pipe on stdout (exit 0),
/// without a panic: a log line that cannot be written is dropped. With the graph in a file,
/// the crawl is whole and the exit status is the crawl's.
#[cfg(unix)]
#[test]
fn closed_stdout_and_stderr_end_as_a_broken_pipe_without_a_panic() {
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    let graph = dir.path().join("graph.tsv");
    for to_file in [false, true] {
        let (reader, writer) =
            rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC).expect("a pipe");
        // --accept-invalid-certs warns before the seeds are read, so a first line comes out
        // while the crawl waits for its seeds on stdin.
        let mut args = vec![
            "-vv",
            "--fail-on-broken",
            "--accept-invalid-certs",
            "-d",
            "1",
        ];
        args.extend(["--seeds", "-"]);
        let mut cmd = crawl(&args);
        if to_file {
            cmd = cmd.args(["-o".as_ref(), graph.as_os_str()]);
        }
        let (running, mut stdin) = cmd.spawn_into(writer);
        let mut first = String::new();
        BufReader::new(std::fs::File::from(reader))
            .read_line(&mut first)
            .unwrap();
        assert!(first.contains("WARNING"), "{first}");
        // The reader is gone, like `| head -1`'s: now the seeds.
        writeln!(stdin, "{}", server.url("/index.html")).unwrap();
        drop(stdin);
        let out = running.wait();
        assert_eq!(
            out.code,
            Some(0),
            "to a file: {to_file}; first line: {first}"
        );
    }
    let written = std::fs::read_to_string(&graph).unwrap();
    assert_eq!(tsv_edges(&written), expected_edges(&server, 1));
}

#[test]
fn summary_on_stderr_unless_quiet() {
    let server = FixtureServer::start();
    let seed = server.url("/index.html");
    let out = crawl([seed.as_str(), "-d", "1"]).run().expect_code(0);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", out.stderr);
    // Depth 1: the seed and its 8 in-site links are fetched; the external link, the 12
    // boundary pages and map.html's 3 resources are not.
    assert!(
        lines[0].starts_with("crawled 9 pages (0 failed, 16 not fetched), 45 links in "),
        "{}",
        lines[0]
    );
    assert!(lines[0].ends_with("s; stopped: completed"), "{}", lines[0]);

    let quiet = crawl([seed.as_str(), "-d", "1", "-q"]).run().expect_code(0);
    assert_eq!(quiet.stderr, "");
    assert_eq!(quiet.stdout, out.stdout);
}

#[test]
fn dash_output_is_stdout_and_same_file_twice_is_refused() {
    let server = FixtureServer::start();
    let seed = server.url("/index.html");
    let out = crawl([seed.as_str(), "-d", "0", "-o", "-"])
        .run()
        .expect_code(0);
    assert_eq!(tsv_edges(&out.stdout), expected_edges(&server, 0));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("both.tsv");
    let path = path.to_str().unwrap();
    let line = crawl([seed.as_str(), "-o", path, "--nodes", path])
        .run()
        .expect_usage_error();
    assert!(line.contains("same file"), "{line}");
}
