//! Link kinds on the command line: `--tsv-kind`, `--links`, the nofollow switches and
//! `--check-resources` with `--fail-on-broken`, on the fixture's `typed/` pages.

use crawler_tests::{fixture_root, FixtureServer};

use crate::support::crawl;

/// `crawl /typed/index.html -d 5 -q --tsv-kind EXTRA...`; returns stdout.
fn typed_tsv(server: &FixtureServer, extra: &[&str]) -> String {
    let seed = server.url("/typed/index.html");
    let mut args = vec![seed.as_str(), "-d", "5", "-q", "--tsv-kind"];
    args.extend_from_slice(extra);
    crawl(args).run().expect_code(0).stdout
}

#[test]
fn tsv_kind_column_matches_the_typed_oracle() {
    let server = FixtureServer::start();
    let stdout = typed_tsv(&server, &[]);
    let expected = std::fs::read_to_string(
        fixture_root()
            .parent()
            .unwrap()
            .join("site.expected-typed.tsv"),
    )
    .unwrap()
    .replace("SERVER", &server.addr().to_string());
    assert_eq!(stdout, expected);
}

#[test]
fn links_flag_keeps_only_the_named_kinds() {
    let server = FixtureServer::start();
    let stdout = typed_tsv(&server, &["--links", "anchor,refresh"]);
    let kinds: std::collections::BTreeSet<&str> = stdout
        .lines()
        .skip(1)
        .map(|line| line.rsplit('\t').next().unwrap())
        .collect();
    assert_eq!(kinds, ["anchor", "refresh"].into());
    let line = crawl([server.url("/").as_str(), "--links", "anchor,img"])
        .run()
        .expect_usage_error();
    assert!(line.contains("unknown link kind `img`"), "{line}");
}

#[test]
fn broken_assets_fail_the_run_only_when_resources_are_checked() {
    let server = FixtureServer::start();
    let seed = server.url("/typed/index.html");
    crawl([seed.as_str(), "-d", "5", "-q", "--fail-on-broken"])
        .run()
        .expect_code(0);
    let out = crawl([
        seed.as_str(),
        "-d",
        "5",
        "-q",
        "--fail-on-broken",
        "--check-resources",
    ])
    .run()
    .expect_code(1);
    for broken in ["missing.js", "img/logo@2x.png", "print.css"] {
        assert!(
            out.stderr.contains(&format!("/typed/{broken} (")),
            "{broken}: {}",
            out.stderr
        );
    }
}

#[test]
fn a_local_folder_is_a_seed() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("public");
    std::fs::create_dir_all(site.join("css")).unwrap();
    std::fs::write(
        site.join("index.html"),
        "<link rel=stylesheet href=\"/css/site.css\"><a href=\"about.html\">About</a> <a href=\"gone.html\">Gone</a>",
    )
    .unwrap();
    std::fs::write(site.join("about.html"), "<title>About</title>").unwrap();
    std::fs::write(site.join("css/site.css"), "body{}").unwrap();
    let out = crawl([
        "./public/",
        "--root",
        "public",
        "--tsv-kind",
        "-q",
        "--fail-on-broken",
    ])
    .current_dir(dir.path())
    .run()
    .expect_code(1);
    let base = url::Url::from_directory_path(site.canonicalize().unwrap()).unwrap();
    assert_eq!(
        out.stdout,
        format!(
            "source_url\tparsed_url\tkind\n{base}\t{base}css/site.css\tstylesheet\n\
             {base}\t{base}about.html\tanchor\n{base}\t{base}gone.html\tanchor\n"
        )
    );
    assert!(
        out.stderr.contains("gone.html (file: no such file"),
        "{}",
        out.stderr
    );
    // The folder given is the site root without --root too.
    let default_root = crawl(["./public/", "--tsv-kind", "-q", "--fail-on-broken"])
        .current_dir(dir.path())
        .run()
        .expect_code(1);
    assert_eq!(default_root.stdout, out.stdout);
    let line = crawl(["./nowhere/"])
        .current_dir(dir.path())
        .run()
        .expect_usage_error();
    assert!(line.contains("nor a readable local path"), "{line}");
}

/// Issue #21: a folder linked without its slash (`<a href="sub">`) is read as a web server
/// serves it, through a `301` to `sub/`, so the links of its index resolve inside it.
#[test]
fn a_folder_linked_without_its_slash_is_not_broken() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("sub")).unwrap();
    std::fs::write(site.join("index.html"), "<a href=\"sub\">sub</a>").unwrap();
    std::fs::write(
        site.join("sub/index.html"),
        "<a href=\"page.html\">page</a>",
    )
    .unwrap();
    std::fs::write(site.join("sub/page.html"), "<title>page</title>").unwrap();
    let out = crawl(["--depth", "3", "--fail-on-broken", "--tsv-kind", "site/"])
        .current_dir(dir.path())
        .run()
        .expect_code(0);
    let base = url::Url::from_directory_path(site.canonicalize().unwrap()).unwrap();
    assert_eq!(
        out.stdout,
        format!(
            "source_url\tparsed_url\tkind\n{base}\t{base}sub\tanchor\n\
             {base}sub\t{base}sub/\tredirect\n{base}sub/\t{base}sub/page.html\tanchor\n"
        )
    );
    assert!(!out.stderr.contains("broken"), "{}", out.stderr);
}
