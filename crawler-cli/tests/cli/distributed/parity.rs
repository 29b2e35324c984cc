//! Parity: every request and link option works the same in a local crawl and in a crawl of
//! two Redis workers. For each option the same server sees both crawls: the local one first,
//! then the distributed one, and the two must send the same requests (method, target and the
//! headers the option sets) and export the same graph (edges and node table, byte for byte).
//! Each case also checks that the option took effect in the local crawl, so a case cannot
//! pass with the option ignored in both modes.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use crawler_tests::{FixtureServer, RedisServer, RequestHead};

use super::{export, reference, run_workers, worker, ID};

/// One option under test.
struct Case<'a> {
    name: &'a str,
    /// Flags given to the local crawl and to every worker.
    flags: Vec<String>,
    /// The seed's path on the server, or a full URL.
    seed: String,
    /// Request headers the option sets, compared between the modes.
    headers: &'a [&'a str],
    /// What the local crawl's requests (and edges, as TSV) must show for the option to have
    /// taken effect.
    effect: fn(&[RequestHead], &str) -> bool,
}

/// The requests of `heads` as (method, target, the `headers` listed), each once: workers may
/// both fetch robots.txt, which the local crawl fetches once.
fn requests(heads: &[RequestHead], headers: &[&str]) -> BTreeSet<String> {
    heads
        .iter()
        .map(|head| {
            let mut line = format!("{} {}", head.method, head.target);
            for name in headers {
                let _ = write!(line, " {name}={}", head.header(name).unwrap_or("-"));
            }
            line
        })
        .collect()
}

fn sent(heads: &[RequestHead], path: &str) -> bool {
    heads.iter().any(|head| head.path() == path)
}

/// Runs `case` locally and with two workers against `server`, and compares.
fn check(server: &FixtureServer, case: &Case<'_>, dir: &Path) {
    let redis = RedisServer::start();
    let seed = if case.seed.contains("://") {
        case.seed.clone()
    } else {
        server.url(&case.seed)
    };
    let flags: Vec<&str> = case.flags.iter().map(String::as_str).collect();
    let before = server.request_heads().len();
    let local = reference(&flags, &seed, dir);
    let heads = server.request_heads();
    let local_heads = &heads[before..];
    assert!(
        (case.effect)(local_heads, &local.0),
        "{}: the option shows in no local request: {:#?}",
        case.name,
        requests(local_heads, case.headers)
    );
    run_workers(&redis, 2, &seed, &flags, &[]);
    let heads = server.request_heads();
    let distributed_heads = &heads[before + local_heads.len()..];
    assert_eq!(
        requests(local_heads, case.headers),
        requests(distributed_heads, case.headers),
        "{}: the requests differ (local, then two workers)",
        case.name
    );
    assert_eq!(
        local,
        export(&redis, dir),
        "{}: the graphs differ (local, then export)",
        case.name
    );
}

fn strings(flags: &[&str]) -> Vec<String> {
    flags.iter().map(|&flag| flag.to_owned()).collect()
}

#[test]
fn request_and_link_options_work_alike_locally_and_with_two_workers() {
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    let jar = dir.path().join("cookies.txt");
    let host = server.addr().ip().to_string();
    std::fs::write(
        &jar,
        format!("# Netscape HTTP Cookie File\n{host}\tFALSE\t/\tFALSE\t0\tjarred\tyes\n"),
    )
    .unwrap();
    for case in &cases(&server, &jar) {
        check(&server, case, dir.path());
    }
}

/// The options under test: the request options, then the link options.
fn cases<'a>(server: &FixtureServer, jar: &Path) -> Vec<Case<'a>> {
    vec![
        Case {
            name: "--header",
            flags: strings(&["-d", "2", "-H", "X-Test: 1"]),
            seed: "/index.html".into(),
            headers: &["x-test"],
            effect: |heads, _| heads.iter().all(|h| h.header("x-test") == Some("1")),
        },
        Case {
            name: "--cookie",
            flags: strings(&["-d", "2", "--cookie", "k=v"]),
            seed: "/index.html".into(),
            headers: &["cookie"],
            effect: |heads, _| heads.iter().any(|h| h.header("cookie") == Some("k=v")),
        },
        Case {
            name: "--cookie-jar",
            flags: vec![
                "-d".into(),
                "2".into(),
                "--cookie-jar".into(),
                jar.display().to_string(),
            ],
            seed: "/index.html".into(),
            headers: &["cookie"],
            effect: |heads, _| {
                heads
                    .iter()
                    .any(|h| h.header("cookie") == Some("jarred=yes"))
            },
        },
        Case {
            name: "--user",
            flags: strings(&["-d", "2", "--user", "alice:s3cret"]),
            seed: "/index.html".into(),
            headers: &["authorization"],
            effect: |heads, _| {
                heads
                    .iter()
                    .any(|h| h.header("authorization") == Some("Basic YWxpY2U6czNjcmV0"))
            },
        },
        Case {
            name: "--proxy",
            // Nothing listens on port 1 of 127.0.0.2: only the proxy can answer.
            flags: vec!["-d".into(), "1".into(), "--proxy".into(), server.url("")],
            seed: "http://127.0.0.2:1/index.html".into(),
            headers: &["host"],
            effect: |heads, _| {
                heads
                    .iter()
                    .any(|h| h.header("host") == Some("127.0.0.2:1"))
            },
        },
        Case {
            name: "--links",
            flags: strings(&["-d", "2", "--links", "anchor,stylesheet"]),
            seed: "/typed/index.html".into(),
            headers: &[],
            // The image is not an edge any more; the pages still are.
            effect: |heads, edges| {
                sent(heads, "/typed/nofollow.html") && !edges.contains("img/logo.png")
            },
        },
        Case {
            name: "--check-resources",
            flags: strings(&["-d", "1", "--check-resources"]),
            seed: "/typed/index.html".into(),
            headers: &[],
            effect: |heads, _| {
                heads
                    .iter()
                    .any(|h| h.method == "HEAD" && h.path() == "/typed/img/logo.png")
            },
        },
        Case {
            name: "--respect-rel-nofollow",
            flags: strings(&["-d", "1", "--respect-rel-nofollow"]),
            seed: "/typed/index.html".into(),
            headers: &[],
            effect: |heads, _| {
                sent(heads, "/typed/xrobots.html") && !sent(heads, "/typed/sponsored.html")
            },
        },
        Case {
            name: "--ignore-nofollow",
            flags: strings(&["-d", "2", "--ignore-nofollow"]),
            seed: "/typed/index.html".into(),
            headers: &[],
            effect: |heads, _| sent(heads, "/typed/hidden.html"),
        },
    ]
}

/// A local site with root-relative links, crawled with `--root`: the links resolve under the
/// root in both modes.
#[test]
fn a_local_site_with_root_works_alike_with_two_workers() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("docs")).unwrap();
    std::fs::write(
        site.join("index.html"),
        "<a href=\"/docs/a.html\">a</a> <link rel=stylesheet href=\"/site.css\">",
    )
    .unwrap();
    std::fs::write(site.join("docs/a.html"), "<a href=\"/index.html\">home</a>").unwrap();
    std::fs::write(site.join("site.css"), "body {}").unwrap();
    let root = site.display().to_string();
    let seed = format!("{root}/index.html");
    let flags = ["-d", "2", "--root", &root];
    let local = reference(&flags, &seed, dir.path());
    assert!(
        local.0.contains("/site/docs/a.html"),
        "root-relative links resolve under --root: {}",
        local.0
    );
    let redis = RedisServer::start();
    run_workers(&redis, 2, &seed, &flags, &[]);
    assert_eq!(local, export(&redis, dir.path()));
}

/// A folder given as the seed, without `--root`: it is the site root in both modes, and a
/// subfolder linked without its slash redirects to its slash form in both.
#[test]
fn a_local_folder_seed_is_its_site_root_alike_with_two_workers() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("docs")).unwrap();
    std::fs::write(
        site.join("index.html"),
        "<a href=\"/docs\">docs</a> <link rel=stylesheet href=\"/site.css\">",
    )
    .unwrap();
    std::fs::write(site.join("docs/index.html"), "<a href=\"a.html\">a</a>").unwrap();
    std::fs::write(site.join("docs/a.html"), "<a href=\"/index.html\">home</a>").unwrap();
    std::fs::write(site.join("site.css"), "body {}").unwrap();
    let seed = format!("{}/", site.canonicalize().unwrap().display());
    let flags = ["-d", "3"];
    let local = reference(&flags, &seed, dir.path());
    for edge in [
        "/site/docs\t",
        "/site/docs/\t",
        "/site/docs/a.html\t",
        "/site/site.css\n",
    ] {
        assert!(local.0.contains(edge), "{edge}: {}", local.0);
    }
    let redis = RedisServer::start();
    run_workers(&redis, 2, &seed, &flags, &[]);
    assert_eq!(local, export(&redis, dir.path()));
}

/// `--check-fragments`: two workers store each page's anchors and each link's fragments, and
/// the export finds the broken fragments the local crawl finds.
#[test]
fn fragments_are_checked_alike_with_two_workers() {
    let server = FixtureServer::start();
    let seed = server.url("/fragments/index.html");
    let flags = ["-d", "2", "--check-fragments"];
    let local = crate::support::crawl(flags)
        .args([seed.as_str(), "-q", "-f", "json"])
        .run()
        .expect_code(0);
    let local = edge_fragments(&local.stdout);
    assert!(
        local
            .iter()
            .any(|(_, _, fragments)| fragments.contains("\"broken\":true")),
        "the local crawl finds broken fragments: {local:#?}"
    );
    let redis = RedisServer::start();
    run_workers(&redis, 2, &seed, &flags, &[]);
    let export = crate::support::crawl(["export", "--redis", &redis.url(), "--crawl-id", ID])
        .args(["-f", "json"])
        .run()
        .expect_code(0);
    assert_eq!(local, edge_fragments(&export.stdout));
}

/// The edges of a JSON export that carry fragments: (source, target, fragments as JSON).
fn edge_fragments(json: &str) -> BTreeSet<(String, String, String)> {
    let doc: serde_json::Value = serde_json::from_str(json).expect("JSON export");
    doc["links"]
        .as_array()
        .expect("links")
        .iter()
        .filter(|link| !link["fragments"].is_null())
        .map(|link| {
            (
                link["source"].to_string(),
                link["target"].to_string(),
                link["fragments"].to_string(),
            )
        })
        .collect()
}

/// Secrets are stored only as digests: the spec in Redis has none of them, a joiner that is
/// not given them is refused naming the setting, and one given another value too.
#[test]
fn secrets_stay_out_of_redis_and_every_worker_must_bring_them() {
    let server = FixtureServer::start();
    let redis = RedisServer::start();
    let seed = server.url("/index.html");
    let graph = ["-d", "1", "--user", "alice:s3cret"];
    // The creator alone, run to the end.
    worker(&redis, &graph).args([&seed]).run().expect_code(0);
    let spec = redis.cli(&["HGET", &format!("cg:{{{ID}}}:meta"), "spec"]);
    assert!(spec.contains("\"depth\":1"), "the spec is stored: {spec}");
    assert!(!spec.contains("s3cret"), "a secret in clear text: {spec}");
    assert!(spec.contains("pbkdf2-sha256$"), "{spec}");
    // A joiner without the password.
    let line = worker(&redis, &[]).run().expect_usage_error();
    assert!(line.contains("user alice's password"), "{line}");
    // A joiner with another password: refused, and neither value is shown.
    let line = worker(&redis, &["--user", "alice:guess"])
        .run()
        .expect_usage_error();
    assert!(line.contains("setting user differs"), "{line}");
    assert!(
        !line.contains("guess") && !line.contains("s3cret"),
        "{line}"
    );
    // A joiner with another depth: refused, naming it.
    let line = worker(&redis, &["--user", "alice:s3cret", "-d", "2"])
        .run()
        .expect_usage_error();
    assert!(line.contains("setting depth differs"), "{line}");
    // The same secret and nothing else: joins (the crawl is complete, so it exits 0).
    worker(&redis, &["--user", "alice:s3cret"])
        .run()
        .expect_code(0);
}

/// Flags a worker would ignore are refused, naming the flag.
#[test]
fn output_flags_are_refused_with_redis() {
    for flags in [
        &["--stream"][..],
        &["--fail-on-broken"],
        &["--report", "text"],
        &["--tsv-kind"],
        &["-o", "out.tsv"],
        &["--max-pages", "3"],
    ] {
        let line = crawl_redis_flags(flags).run().expect_usage_error();
        assert!(
            line.contains(flags[0]) && line.contains("--redis"),
            "{flags:?}: {line}"
        );
    }
}

/// A worker's flags without `--crawl-id` are refused too, naming the flag; `CRAWL_REDIS` in the
/// environment is not a flag given and leaves a crawl local.
#[test]
fn worker_flags_without_a_crawl_id_are_refused() {
    for flags in [
        &["--redis", "redis://127.0.0.1:1/"][..],
        &["--lease", "5"],
        &["--partitions", "8"],
        &["--redis-timeout", "3"],
    ] {
        let line = crate::support::crawl(["http://127.0.0.1:1/"])
            .args(flags)
            .run()
            .expect_usage_error();
        assert!(
            line.contains(&format!("{} needs --crawl-id", flags[0])),
            "{flags:?}: {line}"
        );
    }
    let server = FixtureServer::start();
    let out = crate::support::crawl([server.url("/index.html").as_str(), "-d", "0", "-q"])
        .env("CRAWL_REDIS", "redis://127.0.0.1:1/")
        .run()
        .expect_code(0);
    assert!(out.stdout.contains("/index.html"), "{}", out.stdout);
}

/// A worker command with `flags`, against a Redis that is never reached.
fn crawl_redis_flags(flags: &[&str]) -> crate::support::Cmd {
    crate::support::crawl([
        "--redis",
        "redis://127.0.0.1:1/",
        "--crawl-id",
        ID,
        "--redis-timeout",
        "1",
        "http://127.0.0.1:1/",
    ])
    .args(flags)
}
