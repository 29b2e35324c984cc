//! `--stream` and `--format jsonl` on the real binary: the streamed edges are the batch
//! export's edges, in the same order; a JSON line per fetched page; Ctrl-C leaves a valid
//! file; formats and flags that need the whole graph are refused.

use std::collections::BTreeSet;

use crawler_tests::FixtureServer;

use crate::signals::{hanging_hub, interrupt, LEAVES};
use crate::support::{crawl, expected_edges, tsv_edges, Edge};

/// `crawl SEED --depth 5 ARGS...` on the fixture site; returns stdout.
fn run(server: &FixtureServer, extra: &[&str]) -> String {
    let seed = server.url("/index.html");
    let mut argv = vec![seed.as_str(), "--depth", "5"];
    argv.extend_from_slice(extra);
    crawl(argv).run().expect_code(0).stdout
}

/// The lines of a JSONL output, parsed.
fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

/// The (source, target) pairs of JSON lines, in line and link order.
fn json_edges(lines: &[serde_json::Value]) -> Vec<Edge> {
    lines
        .iter()
        .flat_map(|page| {
            let source = page["url"].as_str().expect("url").to_owned();
            page["links"]
                .as_array()
                .expect("links")
                .iter()
                .map(move |link| {
                    (
                        source.clone(),
                        link["url"].as_str().expect("url").to_owned(),
                    )
                })
        })
        .collect()
}

#[test]
fn streamed_tsv_is_the_batch_tsv_line_for_line() {
    let server = FixtureServer::start();
    let batch = run(&server, &[]);
    let streamed = run(&server, &["--stream"]);
    assert_eq!(streamed, batch);
    assert_eq!(tsv_edges(&streamed), expected_edges(&server, 5));
}

#[test]
fn jsonl_has_a_line_per_fetched_page_with_the_batch_edges_in_order() {
    let server = FixtureServer::start();
    let batch = run(&server, &["--format", "tsv"]);
    let lines = json_lines(&run(&server, &["--format", "jsonl"]));
    let batch_edges: Vec<Edge> = batch
        .lines()
        .skip(1)
        .map(|l| {
            let (s, t) = l.split_once('\t').expect("edge");
            (s.to_owned(), t.to_owned())
        })
        .collect();
    assert_eq!(json_edges(&lines), batch_edges);

    let index = &lines[0];
    assert_eq!(index["url"], server.url("/index.html"));
    assert_eq!(
        (index["depth"].as_u64(), index["status"].as_u64()),
        (Some(0), Some(200))
    );
    assert_eq!(index["state"], "ok");
    assert!(index["title"].is_string(), "{index}");
    let kinds: BTreeSet<&str> = lines
        .iter()
        .flat_map(|p| p["links"].as_array().unwrap().iter())
        .map(|l| l["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains("anchor"), "{kinds:?}");
    assert!(
        lines
            .iter()
            .any(|p| p["state"] == "error" && p["status"] == 404),
        "404 pages are lines too"
    );
    let texts = lines
        .iter()
        .flat_map(|p| p["links"].as_array().unwrap().iter())
        .filter(|l| l["text"].is_string())
        .count();
    assert!(texts > 0, "anchor texts are kept");
    let urls: BTreeSet<&str> = lines.iter().map(|p| p["url"].as_str().unwrap()).collect();
    assert_eq!(urls.len(), lines.len(), "one line per page");
}

#[test]
fn sigint_leaves_a_valid_streamed_file() {
    let server = FixtureServer::start();
    let (hub, edges) = hanging_hub(&server);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("partial.jsonl");
    let cmd = crawl([
        hub.as_str(),
        "--depth",
        "1",
        "--per-host",
        "2",
        "--format",
        "jsonl",
        "-o",
        path.to_str().unwrap(),
    ]);
    interrupt(&server, cmd, "INT").expect_code(130);
    let lines = json_lines(&std::fs::read_to_string(&path).unwrap());
    assert_eq!(lines[0]["url"], hub.as_str());
    let got: BTreeSet<Edge> = json_edges(&lines[..1]).into_iter().collect();
    assert_eq!(got, edges);
    assert!(
        lines.len() < LEAVES + 1,
        "stopped early: {} lines",
        lines.len()
    );
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(files.len(), 1, "no temporary files left");
}

#[test]
fn whole_graph_formats_and_flags_do_not_stream() {
    let server = FixtureServer::start();
    let seed = server.url("/index.html");
    let dir = tempfile::tempdir().unwrap();
    let nodes = dir.path().join("nodes.tsv");
    for args in [
        vec!["--stream", "--format", "dot"],
        vec!["--stream", "--format", "json"],
        vec!["--format", "jsonl", "--nodes", nodes.to_str().unwrap()],
        vec!["--stream", "--fail-on-broken"],
    ] {
        let mut argv = vec![seed.as_str()];
        argv.extend_from_slice(&args);
        let message = crawl(argv).run().expect_usage_error();
        assert!(message.contains("stream"), "{args:?}: {message}");
    }
    assert_eq!(server.total_hits(), 0, "refused before crawling");
}

/// The (source, target, kind, nofollow) of every link, in order: from the batch JSON export,
/// or from JSON lines (where `nofollow` is written only when true).
fn typed_edges(links: impl Iterator<Item = (String, serde_json::Value)>) -> Vec<[String; 4]> {
    links
        .map(|(source, link)| {
            let nofollow = link["nofollow"].as_bool().unwrap_or(false);
            [
                source,
                link["url"]
                    .as_str()
                    .or(link["target"].as_str())
                    .expect("target")
                    .to_owned(),
                link["kind"].as_str().expect("kind").to_owned(),
                nofollow.to_string(),
            ]
        })
        .collect()
}

#[test]
fn typed_links_stream_with_their_kind_and_nofollow() {
    let server = FixtureServer::start();
    let seed = server.url("/typed/index.html");
    let run_typed = |extra: &[&str]| {
        let mut argv = vec![seed.as_str(), "--depth", "3"];
        argv.extend_from_slice(extra);
        crawl(argv).run().expect_code(0).stdout
    };
    assert_eq!(
        run_typed(&["--stream", "--tsv-kind"]),
        run_typed(&["--tsv-kind"]),
        "TSV with kinds, line for line"
    );

    let batch: serde_json::Value =
        serde_json::from_str(&run_typed(&["--format", "json"])).expect("json");
    let batch = typed_edges(
        batch["links"]
            .as_array()
            .expect("links")
            .iter()
            .map(|l| (l["source"].as_str().expect("source").to_owned(), l.clone())),
    );
    let lines = json_lines(&run_typed(&["--format", "jsonl"]));
    let streamed = typed_edges(lines.iter().flat_map(|page| {
        let source = page["url"].as_str().expect("url").to_owned();
        let out = page["links"].as_array().expect("links").clone();
        out.into_iter().map(move |l| (source.clone(), l))
    }));
    assert_eq!(streamed, batch);
    let kinds: BTreeSet<&str> = streamed.iter().map(|e| e[2].as_str()).collect();
    for kind in ["anchor", "embed", "stylesheet", "canonical", "alternate"] {
        assert!(kinds.contains(kind), "{kind} in {kinds:?}");
    }
    let hidden = server.url("/typed/hidden.html");
    assert!(
        streamed.iter().any(|e| e[1] == hidden && e[3] == "true"),
        "the meta-nofollow page's link is marked: {streamed:#?}"
    );
    assert!(
        lines.iter().all(|page| page["url"] != hidden.as_str()),
        "and not followed"
    );
}

/// The summary of a streamed crawl counts the links written (there is no graph to count), and
/// a stop at a limit names the flag and value that stopped it, streamed or not.
#[test]
fn the_summary_counts_streamed_links_and_names_the_limit_that_stopped() {
    let server = FixtureServer::start();
    let seed = server.url("/index.html");
    let links_in = |stderr: &str| -> usize {
        let (_, after) = stderr.split_once("), ").expect("a summary");
        after.split(' ').next().unwrap().parse().unwrap()
    };
    let batch = crawl([seed.as_str(), "-d", "5"]).run().expect_code(0);
    let edges = tsv_edges(&batch.stdout).len();
    assert_eq!(links_in(&batch.stderr), edges, "{}", batch.stderr);
    for streamed in [&["--stream"][..], &["-f", "jsonl"]] {
        let out = crawl([seed.as_str(), "-d", "5"])
            .args(streamed)
            .run()
            .expect_code(0);
        assert_eq!(links_in(&out.stderr), edges, "{streamed:?}: {}", out.stderr);
    }

    // Each stop names the flag and value that made it, streamed or not.
    for (flags, named) in [
        (&["-f", "jsonl", "--max-nodes", "3"][..], "--max-nodes 3"),
        (&["--max-nodes", "3"], "--max-nodes 3"),
        (&["--max-edges", "4"], "--max-edges 4"),
    ] {
        let out = crawl([seed.as_str(), "-d", "5"])
            .args(flags)
            .run()
            .expect_code(0);
        let stop = format!("stopped: graph_limit ({named})");
        assert!(out.stderr.contains(&stop), "{flags:?}: {}", out.stderr);
    }
    let out = crawl([seed.as_str(), "-d", "5", "--stream", "--max-pages", "2"])
        .run()
        .expect_code(0);
    assert!(
        out.stderr.contains("stopped: max_pages (--max-pages 2)"),
        "{}",
        out.stderr
    );
}
