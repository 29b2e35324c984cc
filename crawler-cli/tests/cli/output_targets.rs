//! `-o PATH` never destroys what is at `PATH`: a FIFO or device is written in place (never
//! renamed over), a symlink's target is replaced while the link stays, write errors such as
//! ENOSPC fail the run, an unwritable folder is found before any request, and `-o` and
//! `--nodes` naming one file by different spellings are refused.
//!
//! FIFOs and symlinks are made in temporary folders. The only device used is `/dev/full`, as a
//! target that must fail, and only after checking that it is a character device.

use std::fs;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;
use std::thread;

use crawler_tests::FixtureServer;

use crate::support::{crawl, expected_edges, listing, mkfifo, program, tsv_edges};

#[test]
fn a_fifo_is_written_through_not_replaced() {
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("graph.fifo");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        thread::spawn(move || {
            let mut text = String::new();
            fs::File::open(fifo)
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            text
        })
    };
    let seed = server.url("/index.html");
    let out = crawl([
        seed.as_ref(),
        "-d".as_ref(),
        "1".as_ref(),
        "-o".as_ref(),
        fifo.as_os_str(),
    ])
    .run()
    .expect_code(0);
    assert_eq!(out.stdout, "");
    // Checked before joining: had the FIFO been renamed over, the reader would wait forever.
    let kind = fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced by {kind:?}");
    assert_eq!(
        tsv_edges(&reader.join().unwrap()),
        expected_edges(&server, 1)
    );
    assert_eq!(
        listing(dir.path()),
        ["graph.fifo"],
        "no temporary files left"
    );
}

#[test]
fn a_symlink_stays_and_its_target_is_replaced() {
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir(root.join("real")).unwrap();
    fs::write(root.join("real/graph.tsv"), "old\n").unwrap();
    std::os::unix::fs::symlink("real/graph.tsv", root.join("link.tsv")).unwrap();
    // A link to a file not yet made creates the file, in the link target's folder.
    std::os::unix::fs::symlink("real/nodes.tsv", root.join("nodes-link.tsv")).unwrap();
    let seed = server.url("/index.html");
    crawl([
        seed.as_ref(),
        "-d".as_ref(),
        "0".as_ref(),
        "-o".as_ref(),
        root.join("link.tsv").as_os_str(),
        "--nodes".as_ref(),
        root.join("nodes-link.tsv").as_os_str(),
    ])
    .run()
    .expect_code(0);
    for link in ["link.tsv", "nodes-link.tsv"] {
        let kind = fs::symlink_metadata(root.join(link)).unwrap().file_type();
        assert!(kind.is_symlink(), "{link} was replaced by {kind:?}");
    }
    let written = fs::read_to_string(root.join("real/graph.tsv")).unwrap();
    assert_eq!(tsv_edges(&written), expected_edges(&server, 0));
    assert!(fs::read_to_string(root.join("real/nodes.tsv"))
        .unwrap()
        .starts_with("url\tdepth"));
    assert_eq!(listing(&root.join("real")), ["graph.tsv", "nodes.tsv"]);
}

#[test]
fn a_full_device_fails_the_run_and_stays_a_device() {
    let full = Path::new("/dev/full");
    let is_char_device = |path: &Path| {
        fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_char_device())
    };
    assert!(is_char_device(full), "/dev/full is missing on this machine");
    let server = FixtureServer::start();
    let seed = server.url("/index.html");
    let out = crawl([seed.as_str(), "-d", "0", "-q", "-o", "/dev/full"])
        .run()
        .expect_code(1);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", out.stderr);
    assert!(
        lines[0].starts_with("crawl: error: cannot write `/dev/full`"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("No space left on device"), "{}", lines[0]);
    assert!(is_char_device(full), "/dev/full was replaced");
}

/// Whether the tests run as root, who may write into any folder.
fn root_user() -> bool {
    fs::metadata("/proc/self").is_ok_and(|meta| meta.uid() == 0)
}

#[test]
fn an_unwritable_folder_fails_before_any_request() {
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked");
    fs::create_dir(&locked).unwrap();
    // Others may enter the temporary folder (for `nobody`, below) but not write in `locked`.
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).unwrap();
    let out_path = locked.join("graph.tsv");
    let seed = server.url("/index.html");
    let args = [seed.as_ref(), "-o".as_ref(), out_path.as_os_str()];
    let cmd = if root_user() {
        // Root writes anywhere; run the binary as `nobody`, to whom the folder is read-only.
        program("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .args([env!("CARGO_BIN_EXE_crawl")])
            .args(args)
    } else {
        crawl(args)
    };
    let out = cmd.run().expect_code(1);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", out.stderr);
    assert!(
        lines[0].starts_with("crawl: error: cannot write"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("graph.tsv"), "{}", lines[0]);
    assert_eq!(server.total_hits(), 0, "checked before the crawl");
    assert!(listing(&locked).is_empty());
}

#[test]
fn one_file_by_two_spellings_is_refused() {
    let server = FixtureServer::start();
    let seed = server.url("/index.html");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir(root.join("sub")).unwrap();
    let graph = root.join("graph.tsv");
    std::os::unix::fs::symlink("graph.tsv", root.join("link.tsv")).unwrap();
    let refuse = |other: &Path| {
        let line = crawl([
            seed.as_ref(),
            "-o".as_ref(),
            graph.as_os_str(),
            "--nodes".as_ref(),
            other.as_os_str(),
        ])
        .run()
        .expect_usage_error();
        assert!(line.contains("same file"), "{}: {line}", other.display());
    };
    // Not created yet: the same folder and name.
    refuse(&root.join("sub/../graph.tsv"));
    refuse(&root.join("link.tsv"));
    // Existing: the same inode, hard links included.
    fs::write(&graph, "old\n").unwrap();
    fs::hard_link(&graph, root.join("sub/hard.tsv")).unwrap();
    refuse(&root.join("sub/hard.tsv"));
    refuse(&root.join("link.tsv"));
    assert_eq!(server.total_hits(), 0);
    assert_eq!(fs::read_to_string(&graph).unwrap(), "old\n");
}
