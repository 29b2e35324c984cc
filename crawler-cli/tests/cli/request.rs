//! Request options and the config file, through the real binary: the cookie jar file read and
//! written back, `--user` without a terminal, proxies from the flag and the environment,
//! `crawlgraph.toml` under the command line, completions and the man page.

use std::fs;

use crawler_tests::{FixtureServer, Reply};

use crate::support::{crawl, tsv_edges};

#[test]
fn cookie_jar_is_read_and_written_back() {
    let server = FixtureServer::start();
    server.route(
        "/login.html",
        Reply::html("<a href=\"/a.html\">in</a>").with_header("Set-Cookie", "sid=42; Path=/"),
    );
    let dir = tempfile::tempdir().unwrap();
    let jar = dir.path().join("cookies.txt");
    let host = server.addr().ip().to_string();
    fs::write(
        &jar,
        format!("# Netscape HTTP Cookie File\n{host}\tFALSE\t/\tFALSE\t0\told\tkept\n"),
    )
    .unwrap();
    crawl([
        server.url("/login.html").as_str(),
        "-d",
        "1",
        "-q",
        "--cookie-jar",
        jar.to_str().unwrap(),
    ])
    .run()
    .expect_code(0);
    let first = server
        .request_heads()
        .into_iter()
        .find(|head| head.path() == "/login.html")
        .unwrap();
    assert_eq!(first.header("cookie"), Some("old=kept"));
    let written = fs::read_to_string(&jar).unwrap();
    assert!(
        written.starts_with("# Netscape HTTP Cookie File\n"),
        "{written}"
    );
    assert!(
        written.contains(&format!("{host}\tFALSE\t/\tFALSE\t0\tsid\t42\n")),
        "{written}"
    );
    assert!(written.contains("\told\tkept\n"), "{written}");
}

#[test]
fn bad_cookie_jar_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let jar = dir.path().join("cookies.txt");
    fs::write(&jar, "site.test\tFALSE\n").unwrap();
    let line = crawl(["http://127.0.0.1:1/", "--cookie-jar", jar.to_str().unwrap()])
        .run()
        .expect_usage_error();
    assert!(line.contains("cookies.txt: line 1: expected 7"), "{line}");
}

#[test]
fn user_without_password_and_no_terminal_is_a_usage_error() {
    let line = crawl(["http://127.0.0.1:1/", "--user", "alice"])
        .stdin("")
        .run()
        .expect_usage_error();
    assert!(line.contains("--user alice:PASSWORD"), "{line}");
}

#[test]
fn invalid_certs_warn_loudly() {
    let server = FixtureServer::start();
    let out = crawl([
        server.url("/index.html").as_str(),
        "-d",
        "0",
        "-q",
        "--accept-invalid-certs",
    ])
    .run()
    .expect_code(0);
    assert!(
        out.stderr.contains("WARNING: --accept-invalid-certs"),
        "{}",
        out.stderr
    );
}

#[test]
fn environment_proxy_is_used_and_flag_proxy_too() {
    let proxy = FixtureServer::start();
    // Nothing listens on port 1 of 127.0.0.2: only the proxy can answer.
    let seed = "http://127.0.0.2:1/index.html";
    let out = crawl([seed, "-d", "0", "-q", "--ignore-robots"])
        .env("HTTP_PROXY", proxy.url(""))
        .env("NO_PROXY", "")
        .run()
        .expect_code(0);
    assert!(!tsv_edges(&out.stdout).is_empty(), "{}", out.stderr);
    assert_eq!(proxy.hits("/index.html"), 1);
    let out = crawl([
        seed,
        "-d",
        "0",
        "-q",
        "--ignore-robots",
        "--proxy",
        &proxy.url(""),
    ])
    .env("HTTP_PROXY", "")
    .run()
    .expect_code(0);
    assert!(!tsv_edges(&out.stdout).is_empty(), "{}", out.stderr);
    assert_eq!(proxy.hits("/index.html"), 2);
    let line = crawl([seed, "--proxy", &proxy.url(""), "--deny-private-ips"])
        .run()
        .expect_usage_error();
    assert!(line.contains("proxy"), "{line}");
}

#[test]
fn config_file_in_the_working_dir_is_under_the_flags() {
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("crawlgraph.toml"),
        "depth = 0\nquiet = true\nheader = [\"X-From: file\"]\n",
    )
    .unwrap();
    let seed = server.url("/index.html");
    let out = crawl([seed.as_str()])
        .current_dir(dir.path())
        .run()
        .expect_code(0);
    assert_eq!(out.stderr, "", "quiet from the file");
    let depth0 = tsv_edges(&out.stdout);
    assert!(
        depth0.iter().all(|(source, _)| *source == seed),
        "depth 0 from the file"
    );
    let out = crawl([seed.as_str(), "--depth", "1", "-H", "X-From: flag"])
        .current_dir(dir.path())
        .run()
        .expect_code(0);
    assert!(
        tsv_edges(&out.stdout).len() > depth0.len(),
        "--depth 1 wins"
    );
    let froms: Vec<String> = server
        .request_heads()
        .iter()
        .filter_map(|head| head.header("x-from").map(str::to_owned))
        .collect();
    assert!(froms.contains(&"file".to_owned()) && froms.contains(&"flag".to_owned()));
    let out = crawl([seed.as_str(), "--no-config", "-d", "0"])
        .current_dir(dir.path())
        .run()
        .expect_code(0);
    assert!(!out.stderr.is_empty(), "--no-config ignores quiet = true");
}

#[test]
fn unknown_config_key_is_a_usage_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("my.toml");
    fs::write(&file, "depth = 1\nperhost = 3\n").unwrap();
    let line = crawl(["http://127.0.0.1:1/", "--config", file.to_str().unwrap()])
        .run()
        .expect_usage_error();
    assert!(line.contains("my.toml: unknown key `perhost`"), "{line}");
    let line = crawl(["http://127.0.0.1:1/", "--config", "/nonexistent/c.toml"])
        .run()
        .expect_usage_error();
    assert!(line.contains("/nonexistent/c.toml"), "{line}");
}

#[test]
fn completions_and_man_page_come_from_the_clap_definition() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef crawl"),
        ("fish", "complete -c crawl"),
    ] {
        let out = crawl(["completions", shell]).run().expect_code(0);
        assert!(out.stdout.contains(marker), "{shell}: {}", out.stdout);
        assert!(out.stdout.contains("cookie-jar"), "{shell} knows the flags");
    }
    let out = crawl(["man"]).run().expect_code(0);
    assert!(out.stdout.starts_with(".ie"), "{}", &out.stdout[..100]);
    assert!(out.stdout.contains(".TH crawl 1"), "roff title");
    assert!(
        out.stdout.contains("accept\\-invalid\\-certs"),
        "flags documented"
    );
    let line = crawl(["completions", "tcsh"]).run().expect_usage_error();
    assert!(line.contains("possible values"), "{line}");
}
