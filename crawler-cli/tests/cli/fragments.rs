//! `--check-fragments` through the `crawl` binary: broken fragments fail `--fail-on-broken`,
//! are carried by the JSON and GraphML exports (and read back by `crawl report`), listed in
//! JUnit, compared by `crawl diff`, and the flag is refused where it cannot work.

use crawler_tests::{FixtureServer, Reply};
use serde_json::Value;

use crate::support::crawl;

/// The five broken fragments of `fixtures/site/fragments/` (see fixtures/README.md), as
/// (target path#fragment, anchor text).
const BROKEN: [(&str, &str); 5] = [
    ("/fragments/guide.html#gone", "Gone section"),
    ("/fragments/guide.html#Install", "Wrong case"),
    ("/fragments/guide.html#in-template", "Template"),
    ("/fragments/index.html#nowhere", "Nowhere"),
    ("/fragments/scripted.html#built", "Built by a script"),
];

/// A page whose only problem is a link to a missing id on itself.
fn serve_one_bad_fragment(server: &FixtureServer) -> String {
    server.route(
        "/one/index.html",
        Reply::html("<h1 id=title>T</h1><a href=#title>fine</a><a href=#gone>Gone</a>"),
    );
    server.url("/one/index.html")
}

#[test]
fn a_broken_fragment_fails_the_run_only_when_fragments_are_checked() {
    let server = FixtureServer::start();
    let seed = serve_one_bad_fragment(&server);
    crawl([seed.as_str(), "-q", "--fail-on-broken"])
        .run()
        .expect_code(0);
    let out = crawl([seed.as_str(), "-q", "--fail-on-broken", "--check-fragments"])
        .run()
        .expect_code(1);
    assert_eq!(
        out.stderr.trim_end(),
        format!("broken fragment: {seed}#gone <- linked from {seed} (\"Gone\")")
    );
}

#[test]
fn exports_carry_the_fragments_and_reports_read_them_back() {
    let server = FixtureServer::start();
    let seed = server.url("/fragments/index.html");
    let dir = tempfile::tempdir().unwrap();
    for format in ["json", "graphml"] {
        let saved = dir.path().join(format!("crawl.{format}"));
        crawl([seed.as_str(), "-q", "--check-fragments", "-f", format, "-o"])
            .args([&saved])
            .run()
            .expect_code(0);
        if format == "json" {
            let doc: Value = serde_json::from_slice(&std::fs::read(&saved).unwrap()).unwrap();
            let guide = server.url("/fragments/guide.html");
            let edge = doc["links"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["target"] == guide.as_str())
                .unwrap();
            assert_eq!(
                edge["fragments"],
                serde_json::json!([
                    {"name": "install", "text": "Install"},
                    {"name": "Install%20guide", "text": "Install guide"},
                    {"name": "caf%C3%A9", "text": "Café"},
                    {"name": "legacy", "text": "Legacy"},
                    {"name": "top", "text": "Top"},
                    {"name": "gone", "text": "Gone section", "broken": true},
                    {"name": "Install", "text": "Wrong case", "broken": true},
                    {"name": "in-template", "text": "Template", "broken": true},
                ])
            );
        }
        let out = crawl([
            "report".as_ref(),
            saved.as_os_str(),
            "-f".as_ref(),
            "json".as_ref(),
        ])
        .run()
        .expect_code(0);
        let report: Value = serde_json::from_str(&out.stdout).unwrap();
        let listed: Vec<(String, String)> = report["broken"]["broken_fragments"]
            .as_array()
            .unwrap_or_else(|| panic!("{format}: {}", report["broken"]))
            .iter()
            .map(|f| {
                (
                    f["url"].as_str().unwrap().to_owned(),
                    f["referrer"]["text"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let expected: Vec<(String, String)> = BROKEN
            .iter()
            .map(|(path, text)| (server.url(path), (*text).to_owned()))
            .collect();
        assert_eq!(listed, expected, "{format}");
    }
}

#[test]
fn junit_has_a_failed_case_per_broken_fragment() {
    let server = FixtureServer::start();
    let seed = server.url("/fragments/index.html");
    let out = crawl([seed.as_str(), "-q", "--check-fragments", "-f", "junit"])
        .run()
        .expect_code(0);
    // One `<testcase ... name="URL"><failure ... type="broken_fragment">` line per fragment.
    let names: Vec<String> = out
        .stdout
        .lines()
        .filter(|line| line.contains(r#"type="broken_fragment""#))
        .map(|line| {
            let name = line.split(r#" name=""#).nth(1).unwrap();
            name[..name.find('"').unwrap()].to_owned()
        })
        .collect();
    let expected: Vec<String> = BROKEN.iter().map(|(path, _)| server.url(path)).collect();
    assert_eq!(names, expected);
}

#[test]
fn diff_fails_on_a_newly_broken_fragment() {
    let server = FixtureServer::start();
    let seed = server.url("/d/index.html");
    server.route(
        "/d/index.html",
        Reply::html("<a href=page.html#intro>Intro</a>"),
    );
    server.route("/d/page.html", Reply::html("<h1 id=intro>Intro</h1>"));
    let dir = tempfile::tempdir().unwrap();
    let save = |name: &str| {
        let path = dir.path().join(name);
        crawl([seed.as_str(), "-q", "--check-fragments", "-f", "json", "-o"])
            .args([&path])
            .run()
            .expect_code(0);
        path
    };
    let old = save("old.json");
    server.route(
        "/d/page.html",
        Reply::html("<h1 id=introduction>Intro</h1>"),
    );
    let new = save("new.json");
    let diff = |from: &std::path::Path, to: &std::path::Path, code| {
        let args = ["diff".as_ref(), from.as_os_str(), to.as_os_str()];
        crawl(args)
            .args(["--fail-on-new-broken", "-f", "json"])
            .run()
            .expect_code(code)
            .stdout
    };
    let changes: Value = serde_json::from_str(&diff(&old, &new, 1)).unwrap();
    assert_eq!(
        changes["new_broken_fragments"][0]["url"],
        server.url("/d/page.html#intro").as_str()
    );
    assert_eq!(
        changes["new_broken_fragments"][0]["referrer"]["url"],
        seed.as_str()
    );
    assert_eq!(changes["links_added"], serde_json::json!([]), "same graph");
    // Fixed since: nothing new.
    diff(&new, &old, 0);
}

#[test]
fn streaming_refuses_the_flag_naming_it() {
    let server = FixtureServer::start();
    let seed = server.url("/fragments/index.html");
    for flags in [&["--stream"][..], &["--format", "jsonl"]] {
        let line = crawl([seed.as_str(), "--check-fragments"])
            .args(flags)
            .run()
            .expect_usage_error();
        assert!(line.contains("--check-fragments"), "{flags:?}: {line}");
    }
    assert_eq!(server.total_hits(), 0, "refused before crawling");
}
