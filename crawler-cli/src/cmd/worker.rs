//! `crawl --redis URL --crawl-id ID [flags] [URL...]`: this process as one worker of a
//! distributed crawl.
//!
//! The first worker creates the crawl (with seeds) and stores its
//! [`CrawlSpec`](crawler_core::CrawlSpec); the others
//! join it. A joiner runs with the crawl's spec: every setting it does not give is the
//! crawl's, a setting it gives must equal the crawl's (else exit 2 naming it), and its
//! worker-local settings (`--concurrency`, `--cookie-jar`, `--lease`) are its own. Secrets are
//! stored only as digests, so every worker must be given them (`--user`, credential
//! `--header`s, `--cookie`). Workers write no graph: the flags that shape an output are
//! refused (exit 2 naming them); `crawl export` writes the graph.
//!
//! Exit codes: 0 the crawl is complete; 1 Redis unreachable for longer than `--redis-timeout`,
//! or refusing (evicting keys); 2 usage or settings mismatch; 130/143 a signal stopped this
//! worker, its leases were released.

use std::time::Duration;

use anyhow::Context;
use crawler_core::coordination::Local;
use crawler_core::frontier::MemorySeenSet;
use crawler_core::{ConfigError, Crawler, CrawlerBuilder, Url};
use crawler_redis::{NewCrawl, RedisCrawl, WorkEnd, WorkerOptions};
use tokio::runtime::Runtime;

use super::distributed::classify;
use crate::exit::{usage, ExitStatus};
use crate::flags::config_file::Parsed;
use crate::flags::{Cli, Given};
use crate::progress::{self, Progress};
use crate::render::Browser;
use crate::signal::{shutdown_signal, spawn_crawl};
use crate::{jar, seeds};

/// The flags of a crawl's output, by clap id, with how they are spelled: a worker writes no
/// output, so each is refused.
const OUTPUT_FLAGS: [(&str, &str); 9] = [
    ("output", "-o"),
    ("nodes", "--nodes"),
    ("format", "--format"),
    ("stream", "--stream"),
    ("fail_on_broken", "--fail-on-broken"),
    ("report", "--report"),
    ("report_output", "--report-output"),
    ("report_top", "--report-top"),
    ("tsv_kind", "--tsv-kind"),
];

/// The flags of a worker, by clap id, with how they are spelled: without `--crawl-id` there is
/// no worker, so each is refused (`--redis` only when written, not from `CRAWL_REDIS`).
const WORKER_FLAGS: [(&str, &str); 4] = [
    ("redis", "--redis"),
    ("lease", "--lease"),
    ("redis_timeout", "--redis-timeout"),
    ("partitions", "--partitions"),
];

/// Refuses a worker's flags in a crawl that is not a worker's (no `--crawl-id`).
///
/// # Errors
/// A usage error naming the first such flag.
pub(crate) fn refuse_without_crawl_id(given: &Given) -> anyhow::Result<()> {
    match WORKER_FLAGS.iter().find(|(id, _)| given.written(id)) {
        Some((_, flag)) => Err(usage(format!(
            "{flag} needs --crawl-id ID: it belongs to a distributed crawl"
        ))),
        None => Ok(()),
    }
}

/// Runs this process as a worker of the distributed crawl named in `parsed`.
///
/// # Errors
/// Usage errors (output flags, settings or seeds that differ from the crawl's, a missing
/// secret), Redis errors, and a worker stopped by a panic.
pub(crate) fn run(parsed: &Parsed, runtime: Runtime) -> anyhow::Result<ExitStatus> {
    let cli = &parsed.cli;
    if let Some((_, flag)) = OUTPUT_FLAGS.iter().find(|(id, _)| parsed.given.flag(id)) {
        return Err(usage(format!(
            "{flag} cannot be used with --redis: workers write no graph; use crawl export"
        )));
    }
    let (Some(url), Some(id)) = (cli.redis.redis.as_deref(), cli.redis.crawl_id.as_deref()) else {
        return Err(usage("--redis needs --crawl-id ID"));
    };
    let timeout = cli.redis.redis_timeout.0;
    let own = crate::spec::crawl_spec(cli)?;
    RedisCrawl::check_supported(&own).map_err(classify)?;
    let jar = cli.http.cookie_jar.as_deref().map(jar::read).transpose()?;
    let progress = Progress::new(cli.quiet, cli.verbose);
    let result = runtime.block_on(async {
        let shutdown = shutdown_signal().context("cannot install the signal handlers")?;
        let mut existing = RedisCrawl::peek(url, id, timeout).await.map_err(classify)?;
        if existing.is_none() && cli.urls.is_empty() && cli.seeds.is_none() {
            // A joiner started before the creator: wait for the crawl to appear.
            existing = await_creation(url, id, timeout).await?;
        }
        let spec = match &existing {
            Some(meta) => meta
                .spec
                .joined(&own, |setting| crate::spec::given(&parsed.given, setting))
                .map_err(|difference| classify(difference.into()))?,
            None => own,
        };
        // Each worker revalidates against the file it is given: a 304 vouches for the page
        // whichever worker asks, so workers without it only download more.
        let previous = (cli.since.as_deref())
            .map(|path| crate::since::load(path, &spec, cli.quiet))
            .transpose()?;
        // Each worker renders with a browser of its own, started before it takes work.
        let browser = Browser::start(&spec).await?;
        let mut builder = browser.attach(CrawlerBuilder::from_spec(spec));
        if let Some(previous) = previous {
            builder = builder.since(previous);
        }
        if let Some(jar) = &jar {
            builder = builder.cookie_jar(jar.clone());
        }
        if let Some(handler) = progress.handler() {
            builder = builder.on_event(handler);
        }
        let crawler = builder.build().map_err(missing_secret)?;
        let (seeds, level0) = if existing.is_some() {
            // A joiner's seeds are only compared with the crawl's.
            let given = !cli.urls.is_empty() || cli.seeds.is_some();
            let seeds = if given {
                seed_urls(cli, &crawler)?
            } else {
                Vec::new()
            };
            (seeds.clone(), seeds)
        } else {
            first_level(cli, &crawler).await?
        };
        let new = NewCrawl {
            spec: crawler.spec(),
            seeds: &seeds,
            level0: &level0,
            partitions: cli.redis.partitions,
        };
        let crawl = RedisCrawl::create_or_join(url, id, timeout, &new)
            .await
            .map_err(classify)?;
        let options = WorkerOptions {
            concurrency: crawler.config().concurrency.get(),
            lease: cli.redis.lease.0,
            redis_timeout: timeout,
        };
        let signal = std::sync::Arc::new(std::sync::OnceLock::new());
        let report = spawn_crawl(shutdown, &signal, move |stop| async move {
            crawl.work(&crawler, options, stop).await
        })
        .await;
        let browser_line = browser.stop().await;
        let report = report
            .map_err(|err| anyhow::anyhow!("the worker stopped unexpectedly: {err}"))?
            .map_err(classify)
            .with_context(|| format!("worker of crawl {id} stopped"))?;
        Ok::<_, anyhow::Error>((report, signal.get().copied(), browser_line))
    });
    progress.finish();
    runtime.shutdown_timeout(Duration::from_secs(1));
    let (report, signal, browser_line) = result?;
    if let (Some(jar), Some(path)) = (&jar, &cli.http.cookie_jar) {
        jar::save(jar, path)?;
    }
    if !cli.quiet {
        say_end(id, &report, browser_line);
    }
    Ok(match report.end {
        WorkEnd::Complete => ExitStatus::Success,
        WorkEnd::Stopped => signal.unwrap_or(ExitStatus::Interrupted),
    })
}

/// Says on stderr what this worker did, and what its browser did if it rendered.
fn say_end(id: &str, report: &crawler_redis::WorkReport, browser_line: Option<String>) {
    progress::eprint_line(&format!(
        "crawl {id}: this worker fetched {} pages in {} redis round trips; {}",
        report.fetched,
        report.round_trips,
        match report.end {
            WorkEnd::Complete => "the crawl is complete (crawl export writes the graph)",
            WorkEnd::Stopped => "stopped; its leases were released",
        }
    ));
    if let Some(line) = browser_line {
        progress::eprint_line(&line);
    }
}

/// A secret the crawl has but this worker was not given, said in the flags' words.
fn missing_secret(err: ConfigError) -> anyhow::Error {
    match err {
        ConfigError::SecretWithheld { setting } => usage(format!(
            "the crawl has {setting}, which Redis stores only as a digest: give every worker \
             the crawl's --user, credential --header and --cookie values"
        )),
        other => other.into(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_flags_are_flags() {
        use clap::CommandFactory;
        let command = Cli::command();
        for (id, _) in OUTPUT_FLAGS.iter().chain(&WORKER_FLAGS) {
            assert!(
                command.get_arguments().any(|arg| arg.get_id() == id),
                "{id} is not a flag"
            );
        }
    }
}
