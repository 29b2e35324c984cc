//! Flags and config file to [`CrawlSpec`]: the one place the command line becomes a crawl's
//! settings. The local crawl, a Redis worker (creating or joining) and every other front door
//! of the CLI start from [`crawl_spec`].
//!
//! The config file was merged under the command line before this runs (see
//! [`config_file`](crate::flags::config_file)), so its values arrive as flags. A joining Redis
//! worker also needs to know which settings were *given* (on the command line, in the config
//! file or by an environment variable) rather than defaulted: [`given`] maps the flags
//! [`Given`] to the spec's field names, which are the long flags with `_` for `-`.

use std::collections::BTreeSet;
use std::io::IsTerminal;

use crawler_core::{CrawlSpec, Header, Secret};

use crate::exit::usage;
use crate::flags::{Cli, Given};
use crate::{fdlimit, progress};

/// The spec `cli` describes.
///
/// Asks for `--user`'s password on the terminal when it has none, makes `--root` absolute (a
/// stored spec must not depend on a worker's working directory), defaults `--max-nodes` to
/// [`DEFAULT_STREAM_MAX_NODES`](crawler_core::DEFAULT_STREAM_MAX_NODES) when the crawl
/// streams (it then bounds queued URLs, not graph nodes), and lowers `--concurrency`
/// to what the open-file limit allows (saying so unless `--quiet`). Nothing else is checked
/// here: the library validates the spec when it builds the crawler.
///
/// # Errors
/// A password that cannot be asked for.
pub(crate) fn crawl_spec(cli: &Cli) -> anyhow::Result<CrawlSpec> {
    let mut spec = CrawlSpec::default();
    spec.depth = cli.depth;
    spec.max_pages = cli.max_pages.map(std::num::NonZeroUsize::get);
    spec.per_host = cli.per_host.get();
    spec.timeout = cli.timeout.0;
    spec.connect_timeout = cli.connect_timeout.0;
    spec.read_timeout = cli.read_timeout.0;
    spec.page_timeout = cli.page_timeout.0;
    spec.max_nodes = match cli.max_nodes {
        Some(max) => max.get(),
        // Without a graph, the bound is on the URLs queued, which cost far less each.
        None if cli.streams() => crawler_core::DEFAULT_STREAM_MAX_NODES,
        None => crawler_core::DEFAULT_MAX_NODES,
    };
    spec.max_edges = cli.max_edges.get();
    spec.max_redirects = cli.max_redirects;
    spec.max_body_bytes = cli.max_body_bytes.get();
    spec.max_links_per_page = cli.max_links_per_page.get();
    spec.max_url_len = cli.max_url_len.get();
    spec.user_agent.clone_from(&cli.user_agent);
    spec.extract = cli.extract.into();
    spec.hosts = cli.scope.host_scope();
    spec.prefix.clone_from(&cli.scope.prefix);
    spec.include.clone_from(&cli.scope.include);
    spec.exclude.clone_from(&cli.scope.exclude);
    let politeness = &cli.politeness;
    spec.ignore_robots = politeness.ignore_robots;
    spec.delay = politeness.delay.map(|secs| secs.0);
    spec.rate = politeness.rate;
    spec.retries = politeness.retries;
    spec.retry_base_delay = politeness.retry_base_delay.0;
    spec.sitemap = politeness.sitemap;
    spec.deny_private_ips = politeness.deny_private_ips;
    if !cli.links.links.is_empty() {
        spec.links = cli.links.links.iter().copied().collect();
    }
    spec.ignore_nofollow = cli.links.ignore_nofollow;
    spec.respect_rel_nofollow = cli.links.respect_rel_nofollow;
    spec.check_resources = cli.links.check_resources;
    spec.check_fragments = cli.links.check_fragments;
    let http = &cli.http;
    spec.header = http
        .header
        .iter()
        .map(|(name, value)| Header::new(name, value))
        .collect();
    spec.cookie = http.cookie.iter().map(Secret::new).collect();
    spec.user = match &http.user {
        Some(user) => Some(login(user)?),
        None => None,
    };
    spec.proxy.clone_from(&http.proxy);
    spec.accept_invalid_certs = http.accept_invalid_certs;
    if http.accept_invalid_certs {
        progress::eprint_line(
            "crawl: WARNING: --accept-invalid-certs: TLS certificates are NOT checked; anyone \
             on the network path can read and change this crawl's traffic",
        );
    }
    spec.index_file.clone_from(&cli.local.index_file);
    spec.root = cli
        .local
        .root
        .as_ref()
        .map(|root| root.canonicalize().unwrap_or_else(|_| root.clone()));
    spec.worker.concurrency = concurrency_within_fd_limit(cli);
    let rendering = &cli.rendering;
    spec.render = rendering.render;
    spec.render_wait = rendering.render_wait.0;
    spec.worker.render_concurrency = rendering
        .render_concurrency
        .map(std::num::NonZeroUsize::get);
    spec.worker.chromium.clone_from(&rendering.chromium);
    Ok(spec)
}

/// `--user USER[:PASS]` as a login, asking for a missing password on the terminal.
fn login(user: &str) -> anyhow::Result<crawler_core::Login> {
    let (name, password) = match user.split_once(':') {
        Some((name, password)) => (name, password.to_owned()),
        None => (user, ask_password(user)?),
    };
    Ok(crawler_core::Login {
        name: name.to_owned(),
        password: Some(Secret::new(password)),
    })
}

/// Asks for `user`'s password on the terminal.
fn ask_password(user: &str) -> anyhow::Result<String> {
    if !std::io::stdin().is_terminal() {
        return Err(usage(format!(
            "--user {user} has no password and there is no terminal to ask for it; give \
             --user {user}:PASSWORD"
        )));
    }
    rpassword::prompt_password(format!("Password for {user}: "))
        .map_err(|err| usage(format!("cannot read the password: {err}")))
}

/// `--concurrency`, lowered if the open-file limit (raised to its hard limit first) cannot hold
/// that many connections; says so on stderr unless `--quiet`.
fn concurrency_within_fd_limit(cli: &Cli) -> usize {
    let requested = cli.concurrency.get();
    if requested > crawler_core::MAX_CONCURRENCY {
        return requested; // refused by `build`, with the maximum
    }
    let limit = fdlimit::raise();
    let capped = fdlimit::cap(requested, limit);
    if capped < requested && !cli.quiet {
        progress::eprint_line(&format!(
            "crawl: concurrency capped at {capped} (asked for {requested}): the open-file limit \
             is {}; raise it with `ulimit -n`",
            limit.unwrap_or_default()
        ));
    }
    capped
}

/// Whether the spec field `setting` was given (on the command line, in the config file or by
/// an environment variable) by one of its flags.
pub(crate) fn given(given: &Given, setting: &str) -> bool {
    given.ids().any(|id| setting_of(id) == Some(setting))
}

/// The spec field a flag sets, by clap id; `None` for flags that are not settings (output,
/// logging, seeds, Redis). A flag sets the field of its own name, except `--same-domain` and
/// `--any-host`, which set `hosts`.
fn setting_of(id: &str) -> Option<&str> {
    match id {
        "same_domain" | "any_host" => Some("hosts"),
        id => spec_fields().contains(id).then_some(id),
    }
}

/// The names of the spec's fields, shared and worker-local, as the spec serialises them.
fn spec_fields() -> &'static BTreeSet<String> {
    static FIELDS: std::sync::OnceLock<BTreeSet<String>> = std::sync::OnceLock::new();
    FIELDS.get_or_init(|| {
        let json = serde_json::to_value(CrawlSpec::default()).unwrap_or_default();
        let Some(fields) = json.as_object() else {
            return BTreeSet::new();
        };
        let worker = fields.get("worker").and_then(|w| w.as_object());
        fields
            .keys()
            .filter(|name| !["schema", "worker"].contains(&name.as_str()))
            .chain(worker.into_iter().flat_map(|w| w.keys()))
            .cloned()
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, FromArgMatches};

    fn parse(args: &[&str]) -> (Cli, Given) {
        let matches = Cli::command()
            .try_get_matches_from(std::iter::once("crawl").chain(args.iter().copied()))
            .unwrap();
        (
            Cli::from_arg_matches(&matches).unwrap(),
            Given::of(&matches),
        )
    }

    #[test]
    fn every_spec_field_has_a_flag_of_its_name() {
        let fields = spec_fields();
        assert!(
            fields.contains("depth") && fields.contains("concurrency"),
            "{fields:?}"
        );
        let ids: Vec<String> = Cli::command()
            .get_arguments()
            .map(|arg| arg.get_id().as_str().to_owned())
            .collect();
        for field in fields {
            assert!(
                ids.iter().any(|id| setting_of(id) == Some(field)),
                "no flag sets {field}"
            );
        }
    }

    #[test]
    fn a_streamed_crawl_defaults_to_the_streaming_node_bound() {
        let max_nodes = |args: &[&str]| crawl_spec(&parse(args).0).unwrap().max_nodes;
        assert_eq!(max_nodes(&[]), crawler_core::DEFAULT_MAX_NODES);
        assert_eq!(max_nodes(&["-f", "json"]), crawler_core::DEFAULT_MAX_NODES);
        for streamed in [
            &["--stream"][..],
            &["-f", "jsonl"],
            &["--stream", "-f", "jsonl"],
        ] {
            assert_eq!(
                max_nodes(streamed),
                crawler_core::DEFAULT_STREAM_MAX_NODES,
                "{streamed:?}"
            );
        }
        assert_eq!(max_nodes(&["-f", "jsonl", "--max-nodes", "10"]), 10);
        assert_eq!(max_nodes(&["--max-nodes", "10"]), 10);
    }

    #[test]
    fn the_spec_holds_every_flag() {
        let (cli, given) = parse(&[
            "--depth",
            "4",
            "--per-host",
            "3",
            "-H",
            "X-Test: 1",
            "--cookie",
            "k=v",
            "--user",
            "alice:pw",
            "--links",
            "anchor,embed",
            "--check-resources",
            "--any-host",
            "--retry-base-delay",
            "0",
        ]);
        let spec = crawl_spec(&cli).unwrap();
        assert_eq!(spec.depth, 4);
        assert_eq!(spec.per_host, 3);
        assert_eq!(spec.header, [Header::new("X-Test", "1")]);
        assert_eq!(spec.cookie, [Secret::new("k=v")]);
        assert_eq!(spec.user.as_ref().unwrap().name, "alice");
        assert!(spec.check_resources);
        assert_eq!(spec.hosts, crawler_core::HostScope::AnyHost);
        assert!(spec.retry_base_delay.is_zero());
        for setting in [
            "depth", "per_host", "header", "cookie", "user", "links", "hosts",
        ] {
            assert!(super::given(&given, setting), "{setting}");
        }
        for setting in ["timeout", "include", "proxy", "concurrency"] {
            assert!(!super::given(&given, setting), "{setting}");
        }
        assert!(crawler_core::Crawler::from_spec(spec).is_ok());
    }
}
