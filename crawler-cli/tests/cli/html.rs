//! The HTML report opened in a real headless chromium, from a `file://` URL with the network
//! off: no script errors, every node drawn, search selects the URL, the broken-links table
//! lists the fixture's broken links, and a screenshot can be taken.
//!
//! The page checks itself when its URL ends in `#selftest=URL`: it searches URL, then writes
//! what it drew and selected as JSON into `<pre id="selftest">`, which `--dump-dom` prints.

use std::collections::BTreeSet;
use std::path::Path;

use crawler_tests::FixtureServer;
use serde_json::Value;

use crate::support::{crawl, expected_edges, expected_nodes, program, require_tool, Output};

/// chromium with a private profile in `dir`, no sandbox (tests run as root), software WebGL,
/// and no network: every host name fails to resolve and nothing is fetched in the background.
fn chromium(dir: &Path, args: &[&str]) -> Output {
    let profile = dir.join("chromium-profile");
    program("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-unsafe-swiftshader",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=http://127.0.0.1:9",
        ])
        .args([format!("--user-data-dir={}", profile.display())])
        .args(args)
        .run()
}

/// The text of `<pre id="selftest">` in a dumped DOM, unescaped.
fn selftest(dom: &str) -> Value {
    let start = dom
        .find("<pre id=\"selftest\">")
        .unwrap_or_else(|| panic!("no self-check in the DOM:\n{}", &dom[..dom.len().min(3000)]))
        + "<pre id=\"selftest\">".len();
    let text = &dom[start..start + dom[start..].find("</pre>").expect("</pre>")];
    let text = text
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("self-check is not JSON ({e}): {text}"))
}

#[test]
fn html_report_works_in_headless_chromium() {
    require_tool("chromium", &["--version"]);
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let (nodes, broken_links, broken_targets, search) = {
        let server = FixtureServer::start();
        crawl([
            server.url("/index.html").as_str(),
            "-q",
            "-d",
            "6",
            "-f",
            "html",
            "-o",
        ])
        .args([&html])
        .run()
        .expect_code(0);
        let nodes = expected_nodes(&server);
        let missing: BTreeSet<String> = nodes
            .iter()
            .filter(|(_, (_, kind))| kind == "missing")
            .map(|(url, _)| url.clone())
            .collect();
        let links = expected_edges(&server, 6)
            .iter()
            .filter(|(_, t)| missing.contains(t))
            .count();
        (nodes.len(), links, missing, server.url("/chain/4.html"))
        // The server stops here: the page must not need it.
    };
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(
        !text.contains("src=\"http") && !text.contains("<link "),
        "no external resources"
    );

    let url = format!("file://{}#selftest={search}", html.display());
    let out = chromium(
        dir.path(),
        &["--virtual-time-budget=10000", "--dump-dom", &url],
    )
    .expect_code(0);
    let check = selftest(&out.stdout);
    assert_eq!(
        check["errors"],
        Value::Array(Vec::new()),
        "script errors: {check}"
    );
    assert_eq!(check["nodes"], nodes, "{check}");
    assert_eq!(check["nodesDrawn"], nodes, "every node drawn: {check}");
    assert!(check["canvases"].as_u64().unwrap() > 0, "{check}");
    assert!(
        check["firstRenderMs"].is_number(),
        "sigma rendered a frame: {check}"
    );
    assert_eq!(check["found"], search.as_str());
    assert_eq!(check["selected"], search.as_str());
    assert_eq!(
        check["panelUrl"],
        search.as_str(),
        "the panel lists the selected page"
    );
    assert_eq!(check["brokenRows"], broken_links, "{check}");
    // The rows name exactly the fixture's broken pages.
    let rows: BTreeSet<String> = out
        .stdout
        .split("<tr data-url=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .filter(|u| broken_targets.contains(u))
        .collect();
    assert_eq!(rows, broken_targets);

    let png = dir.path().join("report.png");
    chromium(
        dir.path(),
        &[
            "--hide-scrollbars",
            "--window-size=1400,1000",
            "--virtual-time-budget=10000",
            &format!("--screenshot={}", png.display()),
            &url,
        ],
    )
    .expect_code(0);
    let image = std::fs::read(&png).expect("the screenshot is written");
    assert!(
        image.starts_with(b"\x89PNG") && image.len() > 20_000,
        "{} bytes",
        image.len()
    );
}

#[test]
fn html_report_needs_a_file_for_the_live_report() {
    let line = crawl(["http://127.0.0.1:9/", "--report", "html"])
        .run()
        .expect_usage_error();
    assert!(line.contains("--report-output"), "{line}");
}
