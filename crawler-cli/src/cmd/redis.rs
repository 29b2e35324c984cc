//! The distributed crawl on Redis, from the command line.
//!
//! - `crawl --redis URL --crawl-id ID [flags] [URL...]` creates the crawl (with seeds) or
//!   joins it as one more worker. A joiner inherits every graph-affecting flag it does not
//!   give from the crawl's creator (stored with the crawl); a flag it gives must equal the
//!   crawl's, else it exits 2 naming the setting. Workers write no graph.
//! - `crawl export|status|delete --redis URL --crawl-id ID` read or remove a crawl.
//!
//! Exit codes: 0 the crawl is complete (export/status/delete: done); 1 Redis unreachable for
//! longer than `--redis-timeout`, or refused (evicting keys); 2 usage or settings mismatch;
//! 130/143 a signal stopped this worker, its leases were released.

use std::ffi::OsString;
use std::time::Duration;

use anyhow::Context;
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use crawler_core::coordination::Local;
use crawler_core::frontier::MemorySeenSet;
use crawler_core::{Crawler, Url};
use crawler_redis::{NewCrawl, RedisCrawl, RedisCrawlError, WorkEnd, WorkerOptions};
use tokio::runtime::Runtime;

use crate::args::{Cli, Format, Secs};
use crate::exit::{usage, ExitStatus};
use crate::output::Sink;
use crate::progress::{self, Progress};
use crate::run::{configure, shutdown_signal, spawn_crawl, write_outputs};
use crate::seeds;

/// Where the crawl lives; shared by the worker flags and the subcommands.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Distributed (Redis)")]
pub(crate) struct RedisArgs {
    /// Crawl through this Redis as one of many workers (`redis://host:port/`, `rediss://`,
    /// `unix:///path/to/socket`, or a Cluster: `redis+cluster://host:port,host:port`).
    /// Workers write no graph: use `crawl export`.
    #[arg(long, value_name = "URL", env = "CRAWL_REDIS")]
    pub(crate) redis: Option<String>,

    /// Name of the distributed crawl (1-64 of A-Z a-z 0-9 . _ -).
    #[arg(long, value_name = "ID", requires = "redis")]
    pub(crate) crawl_id: Option<String>,

    /// Seconds a page stays leased to a worker without a heartbeat; after that a dead worker's
    /// pages go to the others.
    #[arg(long, value_name = "SECS", default_value_t = Secs(crawler_redis::DEFAULT_LEASE))]
    pub(crate) lease: Secs,

    /// Seconds a worker retries an unreachable Redis before it exits 1 (the crawl's state stays
    /// in Redis; start workers again to resume).
    #[arg(long, value_name = "SECS", default_value_t = Secs(crawler_redis::DEFAULT_REDIS_TIMEOUT))]
    pub(crate) redis_timeout: Secs,

    /// Host partitions of a new crawl (fixed at creation; more spreads a Redis Cluster wider).
    #[arg(long, value_name = "N", default_value_t = crawler_redis::DEFAULT_PARTITIONS)]
    pub(crate) partitions: u32,
}

/// `crawl export|status|delete`.
#[derive(Debug, Parser)]
#[command(name = "crawl", about = "Read or remove a distributed crawl")]
struct Sub {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write the graph of a distributed crawl, rebuilt from what its workers stored.
    Export {
        #[command(flatten)]
        at: Target,
        /// Output format.
        #[arg(short, long, value_enum, default_value_t = Format::Tsv)]
        format: Format,
        /// Write the graph to FILE (atomically) instead of stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
        /// Also write the node table as TSV to FILE.
        #[arg(long, value_name = "FILE")]
        nodes: Option<std::path::PathBuf>,
    },
    /// Show the level, pages left per level, leases, workers and pages/s.
    Status {
        #[command(flatten)]
        at: Target,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Delete every key of a distributed crawl.
    Delete {
        #[command(flatten)]
        at: Target,
    },
}

#[derive(Debug, clap::Args)]
struct Target {
    /// The crawl's Redis.
    #[arg(long, value_name = "URL", env = "CRAWL_REDIS")]
    redis: String,
    /// The crawl's name.
    #[arg(long, value_name = "ID")]
    crawl_id: String,
    /// Seconds to wait for Redis.
    #[arg(long, value_name = "SECS", default_value_t = Secs(Duration::from_secs(10)))]
    redis_timeout: Secs,
}

/// The subcommand names handled here.
const SUBCOMMANDS: [&str; 3] = ["export", "status", "delete"];

/// Whether `args` (without the program name) start with one of this module's subcommands.
pub(crate) fn is_subcommand(first: Option<&OsString>) -> bool {
    first.is_some_and(|a| SUBCOMMANDS.iter().any(|s| a == *s))
}

/// Maps library errors: a settings mismatch or a bad id is a usage error (2), the rest 1.
fn classify(err: RedisCrawlError) -> anyhow::Error {
    match err {
        RedisCrawlError::SettingsMismatch { .. }
        | RedisCrawlError::SeedsMismatch { .. }
        | RedisCrawlError::InvalidCrawlId(_) => usage(err.to_string()),
        other => anyhow::Error::new(other),
    }
}

/// Runs `crawl export|status|delete` with `args` (program name first).
pub(crate) fn subcommand(args: Vec<OsString>, runtime: &Runtime) -> anyhow::Result<ExitStatus> {
    let sub = match Sub::try_parse_from(args) {
        Ok(sub) => sub,
        Err(e)
            if matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            ) =>
        {
            let _ = e.print();
            return Ok(ExitStatus::Success);
        }
        Err(e) => {
            let text = e.render().to_string();
            let line = text.lines().next().unwrap_or("bad arguments");
            return Err(usage(line.trim_start_matches("error: ").to_owned()));
        }
    };
    runtime.block_on(async {
        match sub.command {
            Command::Export { at, format, output, nodes } => {
                let Some(format) = format.batch() else {
                    return Err(usage("export writes a whole graph: jsonl streams a live crawl"));
                };
                let data = Sink::new(output.as_deref());
                let nodes = nodes.as_deref().map(|p| Sink::new(Some(p)));
                let crawl = open(&at).await?;
                let cli = stored_cli(crawl.meta())?;
                let crawler = configure(&cli).build()?;
                let report = crawl.export(crawler.config()).await.map_err(classify)?;
                write_outputs(&report, Some(format), &data, nodes.as_ref())?;
                Ok(ExitStatus::Success)
            }
            Command::Status { at, json } => {
                let crawl = open(&at).await?;
                let status = crawl.status().await.map_err(classify)?;
                if json {
                    println!("{}", serde_json::to_string(&status)?);
                } else {
                    let left: Vec<String> =
                        status.levels.iter().map(|l| format!("{}:{}", l.depth, l.left)).collect();
                    println!(
                        "crawl {}: {} at level {} of {}; left per level {}; {} pages done, {} URLs seen, {} leases, {} workers, {:.1} pages/s",
                        status.crawl_id, status.state, status.level, status.max_depth,
                        left.join(" "), status.pages_done, status.urls_seen, status.leases,
                        status.workers, status.pages_per_sec
                    );
                }
                Ok(ExitStatus::Success)
            }
            Command::Delete { at } => {
                // Any schema: a crawl left by an older version can still be removed.
                let n = RedisCrawl::delete_any_schema(&at.redis, &at.crawl_id, at.redis_timeout.0)
                    .await
                    .map_err(classify)
                    .with_context(|| format!("cannot delete crawl {} at {}", at.crawl_id, at.redis))?;
                progress::eprint_line(&format!("crawl {}: deleted {n} keys", at.crawl_id));
                Ok(ExitStatus::Success)
            }
        }
    })
}

async fn open(at: &Target) -> anyhow::Result<RedisCrawl> {
    RedisCrawl::open(&at.redis, &at.crawl_id, at.redis_timeout.0)
        .await
        .map_err(classify)
        .with_context(|| format!("cannot open crawl {} at {}", at.crawl_id, at.redis))
}

/// The creator's arguments, parsed: the crawl's settings.
fn stored_cli(meta: &crawler_redis::Meta) -> anyhow::Result<Cli> {
    let argv = std::iter::once("crawl".to_owned()).chain(meta.argv.iter().cloned());
    Cli::try_parse_from(argv).context("the crawl's stored arguments no longer parse")
}

/// Flags that shape the graph, by clap id: a joiner inherits the ones it does not give.
fn explicit(matches: &ArgMatches, id: &str) -> bool {
    matches!(
        matches.value_source(id),
        Some(ValueSource::CommandLine | ValueSource::EnvVariable)
    )
}

/// Copies into `own` each graph-affecting setting of `stored` that `own` was not given.
fn inherit(own: &mut Cli, stored: &Cli, matches: &ArgMatches) {
    macro_rules! inherit {
        ($($id:literal => $($field:ident).+;)*) => {$(
            if !explicit(matches, $id) {
                own.$($field).+ = stored.$($field).+.clone();
            }
        )*};
    }
    inherit! {
        "depth" => depth;
        "per_host" => per_host;
        "timeout" => timeout;
        "connect_timeout" => connect_timeout;
        "read_timeout" => read_timeout;
        "max_redirects" => max_redirects;
        "max_body_bytes" => max_body_bytes;
        "extract" => extract;
        "user_agent" => user_agent;
        "same_domain" => scope.same_domain;
        "any_host" => scope.any_host;
        "prefix" => scope.prefix;
        "include" => scope.include;
        "exclude" => scope.exclude;
        "ignore_robots" => politeness.ignore_robots;
        "delay" => politeness.delay;
        "rate" => politeness.rate;
        "retries" => politeness.retries;
        "sitemap" => politeness.sitemap;
        "deny_private_ips" => politeness.deny_private_ips;
    }
}

/// Runs this process as a worker of the distributed crawl named in `cli`.
pub(crate) fn work(cli: &Cli, runtime: &Runtime) -> anyhow::Result<ExitStatus> {
    let matches = Cli::command()
        .try_get_matches_from(std::env::args_os())
        .map_err(|e| usage(e.to_string()))?;
    for (id, flag) in [
        ("output", "-o"),
        ("nodes", "--nodes"),
        ("format", "--format"),
    ] {
        if explicit(&matches, id) {
            return Err(usage(format!(
                "{flag} cannot be used with --redis: workers write no graph; use crawl export"
            )));
        }
    }
    if cli.max_pages.is_some() {
        return Err(usage("--max-pages is not supported with --redis"));
    }
    let (Some(url), Some(id)) = (cli.redis.redis.as_deref(), cli.redis.crawl_id.as_deref()) else {
        return Err(usage("--redis needs --crawl-id ID"));
    };
    let timeout = cli.redis.redis_timeout.0;
    let progress = Progress::new(cli.quiet, cli.verbose);
    let result = runtime.block_on(async {
        let shutdown = shutdown_signal().context("cannot install the signal handlers")?;
        let mut existing = RedisCrawl::peek(url, id, timeout).await.map_err(classify)?;
        if existing.is_none() && cli.urls.is_empty() && cli.seeds.is_none() {
            // A joiner started before the creator: wait for the crawl to appear.
            existing = await_creation(url, id, timeout).await?;
        }
        let mut own = Cli::from_arg_matches(&matches).map_err(|e| usage(e.to_string()))?;
        let argv: Vec<String> = std::env::args().skip(1).collect();
        if let Some(meta) = &existing {
            inherit(&mut own, &stored_cli(meta)?, &matches);
        }
        let mut builder = configure(&own);
        if let Some(handler) = progress.handler() {
            builder = builder.on_event(handler);
        }
        let crawler = builder.build()?;
        let (seeds, level0) = if existing.is_some() {
            // A joiner's seeds are only compared with the crawl's.
            let given = !own.urls.is_empty() || own.seeds.is_some();
            let seeds = if given {
                seed_urls(&own, &crawler)?
            } else {
                Vec::new()
            };
            (seeds.clone(), seeds)
        } else {
            first_level(&own, &crawler).await?
        };
        let new = NewCrawl {
            config: crawler.config(),
            seeds: &seeds,
            level0: &level0,
            partitions: cli.redis.partitions,
            argv: &argv,
        };
        let crawl = RedisCrawl::create_or_join(url, id, timeout, &new)
            .await
            .map_err(classify)?;
        let options = WorkerOptions {
            concurrency: own.concurrency.get(),
            lease: cli.redis.lease.0,
            redis_timeout: timeout,
        };
        let signal = std::sync::Arc::new(std::sync::OnceLock::new());
        let report = spawn_crawl(shutdown, &signal, move |stop| async move {
            crawl.work(&crawler, options, stop).await
        })
        .await
        .map_err(|err| anyhow::anyhow!("the worker stopped unexpectedly: {err}"))?
        .map_err(classify)
        .with_context(|| format!("worker of crawl {id} stopped"))?;
        Ok::<_, anyhow::Error>((report, signal.get().copied()))
    });
    progress.finish();
    let (report, signal) = result?;
    if !cli.quiet {
        progress::eprint_line(&format!(
            "crawl {id}: this worker fetched {} pages in {} redis round trips; {}",
            report.fetched,
            report.round_trips,
            match report.end {
                WorkEnd::Complete => "the crawl is complete (crawl export writes the graph)",
                WorkEnd::Stopped => "stopped; its leases were released",
            }
        ));
    }
    Ok(match report.end {
        WorkEnd::Complete => ExitStatus::Success,
        WorkEnd::Stopped => signal.unwrap_or(ExitStatus::Interrupted),
    })
}

/// Waits up to `timeout` for crawl `id` to be created by another worker.
async fn await_creation(
    url: &str,
    id: &str,
    timeout: Duration,
) -> anyhow::Result<Option<crawler_redis::Meta>> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if let Some(meta) = RedisCrawl::peek(url, id, timeout).await.map_err(classify)? {
            return Ok(Some(meta));
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(usage(format!(
                "no crawl {id} in this redis: give seed URLs to create it"
            )));
        }
    }
}

/// The seed URLs given on the command line, in a file or on stdin, in order, without duplicates.
fn seed_urls(cli: &Cli, crawler: &Crawler) -> anyhow::Result<Vec<Url>> {
    Ok(seeds::collect(&cli.urls, cli.seeds.as_deref(), crawler.seed_list())?.into_urls())
}

/// The seeds and level 0 of a new crawl: the seeds, then their sitemaps' URLs (in scope,
/// deduplicated), as the single-process crawl orders them.
async fn first_level(cli: &Cli, crawler: &Crawler) -> anyhow::Result<(Vec<Url>, Vec<Url>)> {
    let seeds = seed_urls(cli, crawler)?;
    let mut level0 = seeds.clone();
    let mut seen: std::collections::HashSet<Url> = seeds.iter().cloned().collect();
    if crawler.config().sitemaps {
        let scope = crawler.config().scope.for_seeds(&seeds);
        let local = Local::new(std::sync::Arc::new(MemorySeenSet::default()));
        let fetcher = crawler.fetcher(scope, std::sync::Arc::new(local))?;
        for url in fetcher.sitemap_urls(&seeds).await {
            if seen.insert(url.clone()) {
                level0.push(url);
            }
        }
    }
    Ok((seeds, level0))
}
