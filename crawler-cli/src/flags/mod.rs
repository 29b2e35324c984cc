//! Every flag and subcommand of `crawl`, defined with clap's derive API, with the config file,
//! the shell completions and the man page beside them.
//!
//! Every default comes from a `crawler_core::DEFAULT_*` constant, so `--help` shows the values
//! the library really uses. Values are checked here as far as their type allows (`NonZeroUsize`
//! for limits, positive seconds for timeouts), so a bad value is a one-line usage error before
//! anything starts; the library's own checks (`ConfigError`) cover the rest. The flags become a
//! crawl's settings in one place, [`crate::spec`].
//!
//! # Architecture
//! - this module: [`Cli`], the crawl's own flags, and [`Command`], the subcommands.
//! - `values`: what flags take (counts, seconds, rates, formats); `given`: [`Given`], which
//!   flags were given rather than defaulted.
//! - [`http`], [`links`], [`render`]: the request, link, local-site and rendering flags.
//! - [`report`]: the flags of `crawl report`, `crawl diff` and `--report`.
//! - `redis`: `--redis`/`--crawl-id` and `crawl export|status|delete` (feature `redis`).
//! - [`clap_error`]: clap's errors as one line (help and version as clap prints them).
//! - [`config_file`]: `crawlgraph.toml` / `--config FILE`, turned into flags under the
//!   command line's.
//! - [`describe`]: `crawl completions SHELL` and `crawl man`, generated from these definitions.

pub(crate) mod clap_error;
pub(crate) mod config_file;
pub(crate) mod describe;
pub(crate) mod http;
pub(crate) mod links;
#[cfg(feature = "redis")]
pub(crate) mod redis;
pub(crate) mod render;
pub(crate) mod report;

mod given;
mod values;

pub(crate) use given::Given;
use values::{at_least_one, nonzero, positive_rate, secs_or_zero};
pub(crate) use values::{ExtractArg, Format, Secs};

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{ArgAction, Parser};
use crawler_core::{
    HostScope, DEFAULT_CONCURRENCY, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_DEPTH, DEFAULT_MAX_EDGES, DEFAULT_MAX_LINKS_PER_PAGE, DEFAULT_MAX_REDIRECTS,
    DEFAULT_MAX_URL_LEN, DEFAULT_PAGE_TIMEOUT, DEFAULT_PER_HOST, DEFAULT_READ_TIMEOUT,
    DEFAULT_RETRIES, DEFAULT_RETRY_BASE_DELAY, DEFAULT_TIMEOUT, DEFAULT_USER_AGENT,
};

/// What `crawl --help` prints after the options: the depth rule, seeds, and the exit codes.
fn after_help() -> String {
    format!(
        "\
Depth: seeds are depth 0; pages at depth <= --depth are fetched; links found at
the last depth are kept as unfetched boundary nodes.

Several workers (Redis): crawl --redis URL --crawl-id ID [URL...] creates or
joins a distributed crawl; crawl status|export|delete --redis URL --crawl-id ID
read or remove it (see crawl export --help).

Seeds: URL arguments and --seeds FILE (one URL a line; `#` comments and blank
lines are ignored; `-` reads stdin) are used together. With neither, ./urls.txt
is read if it exists.

{}",
        crate::exit::HELP
    )
}

/// Crawl web sites breadth-first to a bounded depth and write the link graph.
#[derive(Debug, Parser)]
#[command(
    name = "crawl",
    version,
    after_help = after_help(),
    args_conflicts_with_subcommands = true
)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent command-line switches, not a state machine"
)]
pub(crate) struct Cli {
    /// A subcommand working on saved crawls; none crawls the URLs.
    #[command(subcommand)]
    pub(crate) command: Option<Command>,

    /// Seed URLs (http or https).
    #[arg(value_name = "URL")]
    pub(crate) urls: Vec<String>,

    /// Read seed URLs from FILE, one a line (`-` = stdin).
    #[arg(long, value_name = "FILE")]
    pub(crate) seeds: Option<PathBuf>,

    /// Revalidate against an earlier crawl: FILE is its JSON or GraphML export (`-` = stdin).
    /// Its pages are asked with If-None-Match/If-Modified-Since; on 304 their links are taken
    /// from FILE. The graph is a full crawl's.
    #[arg(long, value_name = "FILE")]
    pub(crate) since: Option<PathBuf>,

    /// Deepest level fetched (seeds are depth 0).
    #[arg(short, long, value_name = "N", default_value_t = DEFAULT_MAX_DEPTH)]
    pub(crate) depth: u32,

    /// Output format.
    #[arg(help_heading = "Output", short, long, value_enum, default_value_t = Format::Tsv)]
    pub(crate) format: Format,

    /// Write the graph to FILE (atomically) instead of stdout; `-` = stdout.
    #[arg(help_heading = "Output", short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,

    /// Also write the node table (url, depth, status, content type, state, error, title) as TSV
    /// to FILE.
    #[arg(help_heading = "Output", long, value_name = "FILE")]
    pub(crate) nodes: Option<PathBuf>,

    /// Write as pages are crawled instead of at the end, keeping no graph in memory (only the
    /// seen set and the frontier): TSV edges, or with `--format jsonl` one line per page
    /// (jsonl always streams).
    #[arg(help_heading = "Output", long)]
    pub(crate) stream: bool,

    /// Requests in flight across all hosts.
    #[arg(
        help_heading = "Requests",
        short,
        long,
        value_name = "N",
        value_parser = at_least_one, default_value_t = nonzero(DEFAULT_CONCURRENCY),
    )]
    pub(crate) concurrency: NonZeroUsize,

    /// Requests in flight to one host.
    #[arg(
        help_heading = "Requests",
        long,
        value_name = "N",
        value_parser = at_least_one, default_value_t = nonzero(DEFAULT_PER_HOST),
    )]
    pub(crate) per_host: NonZeroUsize,

    /// Limit for a whole request, in seconds.
    #[arg(
        help_heading = "Requests",
        long,
        value_name = "SECS",
        allow_negative_numbers = true,
        default_value_t = Secs(DEFAULT_TIMEOUT),
    )]
    pub(crate) timeout: Secs,

    /// Limit for establishing a connection, in seconds.
    #[arg(
        help_heading = "Requests",
        long,
        value_name = "SECS",
        allow_negative_numbers = true,
        default_value_t = Secs(DEFAULT_CONNECT_TIMEOUT),
    )]
    pub(crate) connect_timeout: Secs,

    /// Limit for one read on an open connection, in seconds.
    #[arg(
        help_heading = "Requests",
        long,
        value_name = "SECS",
        allow_negative_numbers = true,
        default_value_t = Secs(DEFAULT_READ_TIMEOUT),
    )]
    pub(crate) read_timeout: Secs,

    /// Stop after fetching N pages [default: no limit].
    #[arg(help_heading = "Requests", long, value_name = "N", value_parser = at_least_one)]
    pub(crate) max_pages: Option<NonZeroUsize>,

    /// Limit for one page across its redirect hops, retries and their waits, in seconds, from
    /// when its first request may be sent (not while it waits for a slot).
    #[arg(
        help_heading = "Requests",
        long,
        value_name = "SECS",
        allow_negative_numbers = true,
        default_value_t = Secs(DEFAULT_PAGE_TIMEOUT),
    )]
    pub(crate) page_timeout: Secs,

    /// Stop once the graph holds N nodes (about 675 bytes each; see docs/limits.md); when
    /// streaming, which keeps no graph, once N URLs were queued (about 120 bytes each)
    /// [default: 500000; 50000000 when streaming].
    #[arg(help_heading = "Requests", long, value_name = "N", value_parser = at_least_one)]
    pub(crate) max_nodes: Option<NonZeroUsize>,

    /// Stop once the graph holds N edges.
    #[arg(
        help_heading = "Requests",
        long,
        value_name = "N",
        value_parser = at_least_one, default_value_t = nonzero(DEFAULT_MAX_EDGES),
    )]
    pub(crate) max_edges: NonZeroUsize,

    /// Redirects followed from one URL (0 records redirects without following them).
    #[arg(
        help_heading = "Requests",
        long,
        value_name = "N",
        default_value_t = DEFAULT_MAX_REDIRECTS,
    )]
    pub(crate) max_redirects: usize,

    /// Bytes read from one page body; longer pages are cut.
    #[arg(
        help_heading = "Requests",
        long,
        value_name = "N",
        value_parser = at_least_one, default_value_t = nonzero(DEFAULT_MAX_BODY_BYTES),
    )]
    pub(crate) max_body_bytes: NonZeroUsize,

    /// Links kept from one page; the rest are dropped.
    #[arg(
        help_heading = "Requests",
        long,
        value_name = "N",
        value_parser = at_least_one, default_value_t = nonzero(DEFAULT_MAX_LINKS_PER_PAGE),
    )]
    pub(crate) max_links_per_page: NonZeroUsize,

    /// Longest URL kept, in bytes; longer links are dropped.
    #[arg(
        help_heading = "Requests",
        long,
        value_name = "N",
        value_parser = at_least_one, default_value_t = nonzero(DEFAULT_MAX_URL_LEN),
    )]
    pub(crate) max_url_len: NonZeroUsize,

    /// How links are taken out of HTML: `tokens` (fast, linear) or `dom` (a full HTML tree, as
    /// a browser builds it).
    #[arg(help_heading = "Requests", long, value_enum, default_value_t = ExtractArg::Tokens)]
    pub(crate) extract: ExtractArg,

    /// User-Agent header sent with every request.
    #[arg(help_heading = "Requests", long, value_name = "S", default_value = DEFAULT_USER_AGENT)]
    pub(crate) user_agent: String,

    /// Exit with 1 if any page is broken (4xx/5xx, network error, bad redirect), listing them on
    /// stderr.
    #[arg(long)]
    pub(crate) fail_on_broken: bool,

    /// No progress bar and no summary; only errors on stderr.
    #[arg(short, long)]
    pub(crate) quiet: bool,

    /// Log to stderr: -v info, -vv debug, -vvv trace (`RUST_LOG` overrides). Hides the progress
    /// bar.
    #[arg(short, long, action = ArgAction::Count)]
    pub(crate) verbose: u8,

    #[command(flatten)]
    pub(crate) scope: ScopeArgs,

    #[command(flatten)]
    pub(crate) politeness: PolitenessArgs,

    #[command(flatten)]
    pub(crate) report: report::LiveReportArgs,

    #[cfg(feature = "redis")]
    #[command(flatten)]
    pub(crate) redis: redis::RedisArgs,

    #[command(flatten)]
    pub(crate) links: links::LinkArgs,

    #[command(flatten)]
    pub(crate) local: links::LocalArgs,

    #[command(flatten)]
    pub(crate) http: http::HttpArgs,

    #[command(flatten)]
    pub(crate) rendering: render::RenderArgs,

    /// Read settings from FILE, a TOML table whose keys are long flags (`per-host = 4`);
    /// flags given on the command line win [default: ./crawlgraph.toml if it exists].
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    /// Do not read ./crawlgraph.toml.
    #[arg(long, conflicts_with = "config")]
    pub(crate) no_config: bool,
}

impl Cli {
    /// Whether the crawl streams its output (`--stream`, or `--format jsonl`, which always
    /// does) and so keeps no graph.
    pub(crate) fn streams(&self) -> bool {
        self.stream || self.format == Format::Jsonl
    }
}

/// How gently hosts are treated; the library does the work, these only configure it.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Politeness")]
pub(crate) struct PolitenessArgs {
    /// Do not fetch or obey robots.txt (only for sites you own or may crawl freely).
    #[arg(long)]
    pub(crate) ignore_robots: bool,

    /// Minimum time between two requests to one host, in seconds (robots.txt Crawl-delay can
    /// raise it) [default: none].
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    pub(crate) delay: Option<Secs>,

    /// Maximum requests per second to one host [default: no limit].
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = positive_rate)]
    pub(crate) rate: Option<f64>,

    /// Retries of a transient failure (429, 502-504, refused or reset connection), with
    /// exponential backoff honouring Retry-After; 4xx is never retried.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_RETRIES)]
    pub(crate) retries: u32,

    /// Seconds before the first retry, doubled for each further one (a longer Retry-After
    /// wins); 0 retries at once.
    #[arg(
        long,
        value_name = "SECS",
        allow_negative_numbers = true,
        value_parser = secs_or_zero,
        default_value_t = Secs(DEFAULT_RETRY_BASE_DELAY),
    )]
    pub(crate) retry_base_delay: Secs,

    /// Also seed the crawl from the seed hosts' sitemaps (robots.txt Sitemap: lines, or
    /// /sitemap.xml; indexes and .gz sitemaps are followed).
    #[arg(long)]
    pub(crate) sitemap: bool,

    /// Refuse hosts that resolve to loopback, private or link-local addresses, also after
    /// redirects (for crawling untrusted URLs).
    #[arg(long)]
    pub(crate) deny_private_ips: bool,
}

/// A subcommand: it works on saved or distributed crawls instead of crawling.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Analyse a saved crawl (the JSON or GraphML `crawl` writes): broken links with their
    /// referrers, redirect chains, orphans, depth, PageRank, duplicate titles.
    Report(report::ReportArgs),
    /// Compare two saved crawls: pages and links added and removed, status changes, newly
    /// broken links with their referrers, depth changes.
    Diff(report::DiffArgs),
    /// Write the graph of a distributed crawl, rebuilt from what its workers stored.
    #[cfg(feature = "redis")]
    Export(redis::ExportArgs),
    /// Show a distributed crawl's level, pages left per level, leases, workers and pages/s.
    #[cfg(feature = "redis")]
    Status(redis::StatusArgs),
    /// Delete every key of a distributed crawl.
    #[cfg(feature = "redis")]
    Delete(redis::StoredCrawl),
    /// Print a completion script for SHELL on stdout, e.g.
    /// `crawl completions bash > ~/.local/share/bash-completion/completions/crawl`.
    Completions {
        /// The shell.
        #[arg(value_enum, value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on stdout, e.g. `crawl man > crawl.1; man ./crawl.1`.
    Man,
}

/// Which URLs may be fetched; the library decides, these only configure it.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Scope")]
pub(crate) struct ScopeArgs {
    /// Also follow links to subdomains of a seed's domain (default: same host and port only).
    #[arg(long)]
    pub(crate) same_domain: bool,

    /// Follow links to any host (combine with --prefix, --include or a low --depth).
    #[arg(long, conflicts_with = "same_domain")]
    pub(crate) any_host: bool,

    /// Only fetch URLs starting with this URL (repeatable; any may match).
    #[arg(long, value_name = "URL")]
    pub(crate) prefix: Vec<String>,

    /// Only fetch URLs matching this regex (repeatable; any may match).
    #[arg(long, value_name = "REGEX")]
    pub(crate) include: Vec<String>,

    /// Never fetch URLs matching this regex (repeatable).
    #[arg(long, value_name = "REGEX")]
    pub(crate) exclude: Vec<String>,
}

impl ScopeArgs {
    /// The host rule chosen by `--same-domain` / `--any-host`.
    pub(crate) fn host_scope(&self) -> HostScope {
        if self.any_host {
            HostScope::AnyHost
        } else if self.same_domain {
            HostScope::SameDomain
        } else {
            HostScope::SameHost
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn defaults_come_from_the_library() {
        let cli = Cli::try_parse_from(["crawl", "http://x.test/"]).unwrap();
        assert_eq!(cli.depth, DEFAULT_MAX_DEPTH);
        assert_eq!(cli.concurrency.get(), DEFAULT_CONCURRENCY);
        assert_eq!(cli.per_host.get(), DEFAULT_PER_HOST);
        assert_eq!(cli.timeout, Secs(DEFAULT_TIMEOUT));
        assert_eq!(cli.user_agent, DEFAULT_USER_AGENT);
        assert_eq!(cli.format, Format::Tsv);
        assert_eq!(cli.scope.host_scope(), HostScope::SameHost);
    }

    #[test]
    fn the_flags_of_every_spec_field_refuse_bad_values() {
        let parse = |args: &[&str]| Cli::try_parse_from(["crawl"].iter().chain(args));
        for bad in [
            &["--max-links-per-page", "0"][..],
            &["--max-url-len", "0"],
            &["--max-url-len", "x"],
            &["--retry-base-delay", "-1"],
            &["--retry-base-delay", "NaN"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let cli = parse(&["--retry-base-delay", "0", "--max-url-len", "100"]).unwrap();
        assert!(cli.politeness.retry_base_delay.0.is_zero());
        assert_eq!(cli.max_url_len.get(), 100);
    }

    #[test]
    fn scope_flags() {
        let cli = Cli::try_parse_from(["crawl", "--same-domain"]).unwrap();
        assert_eq!(cli.scope.host_scope(), HostScope::SameDomain);
        let cli = Cli::try_parse_from(["crawl", "--any-host"]).unwrap();
        assert_eq!(cli.scope.host_scope(), HostScope::AnyHost);
        assert!(Cli::try_parse_from(["crawl", "--any-host", "--same-domain"]).is_err());
    }
}
