//! `crawl --help` documents every flag, the depth rule and the exit codes.

use crate::support::crawl;

#[test]
fn help_lists_every_flag_and_the_exit_codes() {
    let out = crawl(["--help"]).run().expect_code(0);
    let help = out.stdout;
    let flags = [
        "--depth",
        "-d,",
        "--format",
        "-f,",
        "--output",
        "-o,",
        "--nodes",
        "--seeds",
        "--concurrency",
        "-c,",
        "--per-host",
        "--timeout",
        "--connect-timeout",
        "--read-timeout",
        "--max-pages",
        "--max-redirects",
        "--max-body-bytes",
        "--user-agent",
        "--same-domain",
        "--any-host",
        "--prefix",
        "--include",
        "--exclude",
        "--fail-on-broken",
        "--ignore-robots",
        "--extract",
        "--delay",
        "--rate",
        "--retries",
        "--sitemap",
        "--deny-private-ips",
        "--report",
        "--report-output",
        "--report-top",
        "--quiet",
        "-q,",
        "--verbose",
        "-v,",
    ];
    for flag in flags {
        assert!(help.contains(flag), "{flag} missing from --help:\n{help}");
    }
    for format in ["dot", "tsv", "json", "graphml"] {
        assert!(help.contains(format), "format {format} missing");
    }
    assert!(help.contains("Exit codes"), "{help}");
    for code in ["0 ", "1 ", "2 ", "130", "143"] {
        assert!(
            help.contains(&format!("\n  {code}")),
            "exit code {code}:\n{help}"
        );
    }
    assert!(help.contains("boundary"), "depth rule:\n{help}");
    assert!(help.contains("urls.txt"), "seed sources:\n{help}");
    assert_eq!(out.stderr, "");
}

#[test]
fn help_shows_the_library_defaults() {
    let help = crawl(["--help"]).run().expect_code(0).stdout;
    let default = |value: String| format!("[default: {value}]");
    for value in [
        crawler_core::DEFAULT_MAX_DEPTH.to_string(),
        crawler_core::DEFAULT_CONCURRENCY.to_string(),
        crawler_core::DEFAULT_PER_HOST.to_string(),
        crawler_core::DEFAULT_TIMEOUT.as_secs().to_string(),
    ] {
        assert!(help.contains(&default(value.clone())), "{value}:\n{help}");
    }
    // Written by hand, since it depends on the output: the words may be wrapped.
    let words = help.split_whitespace().collect::<Vec<_>>().join(" ");
    let max_nodes = format!(
        "[default: {}; {} when streaming]",
        crawler_core::DEFAULT_MAX_NODES,
        crawler_core::DEFAULT_STREAM_MAX_NODES
    );
    assert!(words.contains(&max_nodes), "{max_nodes}:\n{help}");
}

#[test]
fn version() {
    let out = crawl(["--version"]).run().expect_code(0);
    assert!(out.stdout.starts_with("crawl "), "{}", out.stdout);
}
