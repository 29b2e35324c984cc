//! One run of `crawl`: seeds, settings, the crawl with signal handling, output, exit status.
//!
//! Every crawl decision is the library's: this module only turns the arguments into a
//! [`Crawler`], hands it a shutdown future that resolves on SIGINT or SIGTERM, writes what comes
//! back, and picks the exit status. A cancelled crawl still returns its partial graph, which is
//! written like a complete one before exiting with 130 or 143.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context;
use crawler_core::export::{self, tsv::write_nodes_tsv};
use crawler_core::{CrawlReport, Crawler, CrawlerBuilder, ExportFormat, SeedList, StopReason, Url};
use tokio::runtime::Runtime;

use crate::args::{Cli, Format};
use crate::exit::{usage, ExitStatus};
use crate::fdlimit;
use crate::output::{self, Sink};
use crate::progress::{self, Progress};
use crate::seeds;
use crate::stream::{Lines, Stream};

/// Runs the command described by `cli` on `runtime`, which it shuts down before writing the
/// output.
///
/// # Errors
/// Usage errors (seeds, settings, output paths), I/O errors writing the output, and a broken
/// pipe on stdout; `main` maps each to its exit status.
pub(crate) fn run(cli: &Cli, runtime: Runtime) -> anyhow::Result<ExitStatus> {
    #[cfg(feature = "redis")]
    if cli.redis.crawl_id.is_some() {
        return crate::cmd::redis::work(cli, &runtime);
    }
    let data = Sink::new(cli.output.as_deref());
    let nodes = cli.nodes.as_deref().map(|path| Sink::new(Some(path)));
    if data == Sink::Stdout && nodes == Some(Sink::Stdout) {
        return Err(usage(
            "the graph and the node table cannot both go to stdout; give -o FILE or --nodes FILE",
        ));
    }
    if nodes.as_ref().is_some_and(|nodes| nodes.same_file(&data)) {
        return Err(usage("-o and --nodes name the same file"));
    }
    data.check()?;
    crate::cmd::report::check_live(&cli.report, &data)?;
    if let Some(nodes) = &nodes {
        nodes.check()?;
    }

    let stream = open_stream(cli, &data, nodes.as_ref())?;

    let settings = cli.local.apply(cli.links.apply(configure(cli)))?;
    let (settings, jar) = cli.http.apply(settings)?;
    let signal = Arc::new(OnceLock::new());
    let progress = Progress::new(cli.quiet, cli.verbose);
    let report = runtime.block_on(async {
        // Installed before anything slow (a seeds file of millions of lines, a stdin that is
        // still open), and raced against every phase, so no phase is deaf to a signal.
        let shutdown = shutdown_signal().context("cannot install the signal handlers")?;
        let mut shutdown = Box::pin(shutdown);
        let mut builder = settings.concurrency(concurrency_within_fd_limit(cli));
        if let Some(handler) = progress.handler() {
            builder = builder.on_event(handler);
        }
        let crawler = builder.build()?;
        let seeds = tokio::select! {
            status = &mut shutdown => {
                let _ = signal.set(status);
                return Ok(None);
            }
            seeds = load_seeds(cli, crawler.seed_list()) => seeds?,
        };
        tracing::info!(seeds = seeds.len(), depth = cli.depth, "crawl starting");
        tracing::debug!(config = ?crawler.config(), "settings");
        let sink = stream.as_ref().map(Stream::sink);
        let report = spawn_crawl(shutdown, &signal, move |stop| async move {
            match sink {
                Some(sink) => crawler.crawl_seeds_streaming(seeds, stop, sink).await,
                None => crawler.crawl_seeds(seeds, stop).await,
            }
        })
        .await
        .map_err(|err| anyhow::anyhow!("the crawl stopped unexpectedly: {err}"))?;
        Ok::<_, anyhow::Error>(Some(report?))
    });
    progress.finish();
    // Tasks of a cancelled crawl are already aborted, and a seed reader blocked on stdin is
    // not waited for long. Shutting down also closes the pooled connections, whose file
    // descriptors the output files may need.
    runtime.shutdown_timeout(Duration::from_secs(1));
    let Some(report) = report? else {
        // Stopped while the seeds were read: there is no graph, and an existing output file
        // is left as it was.
        if !cli.quiet {
            progress::eprint_line("crawl: stopped before the crawl started; nothing was written");
        }
        return Ok(signal.get().copied().unwrap_or(ExitStatus::Interrupted));
    };
    if let Some(jar) = &jar {
        cli.http.save_jar(jar)?;
    }

    if let Some(stream) = stream {
        stream.finish()?;
    } else {
        let format = if cli.links.tsv_kind && cli.format == Format::Tsv {
            None
        } else {
            cli.format.batch()
        };
        write_outputs(&report, format, &data, nodes.as_ref())?;
        crate::cmd::report::write_live(&cli.report, &report)?;
    }

    let broken = if cli.fail_on_broken {
        broken_lines(&report)
    } else {
        Vec::new()
    };
    for line in &broken {
        progress::eprint_line(line);
    }
    if !cli.quiet {
        progress::eprint_line(&progress::summary(&report));
    }
    Ok(if report.stopped == StopReason::Cancelled {
        signal.get().copied().unwrap_or(ExitStatus::Interrupted)
    } else if broken.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// The streaming output, when `--stream` or `--format jsonl` asks for one: opened before the
/// crawl (so a bad `-o` fails first). The options that need the whole graph are refused.
///
/// # Errors
/// A usage error for a format that cannot stream or an option that needs the graph; any error
/// opening the output.
fn open_stream(cli: &Cli, data: &Sink, nodes: Option<&Sink>) -> anyhow::Result<Option<Stream>> {
    let lines = match (cli.stream, cli.format) {
        (_, Format::Jsonl) => Lines::Jsonl,
        (true, Format::Tsv) if cli.links.tsv_kind => Lines::TsvWithKind,
        (true, Format::Tsv) => Lines::Tsv,
        (true, _) => return Err(usage("--stream writes --format tsv or jsonl")),
        (false, _) => return Ok(None),
    };
    if nodes.is_some() || cli.fail_on_broken || cli.report.report.is_some() {
        return Err(usage(
            "--nodes, --fail-on-broken and --report need the whole graph: not with --stream or \
             --format jsonl",
        ));
    }
    Stream::open(data, lines).map(Some)
}

/// The seeds added to `list`, read and parsed on the blocking pool so that a slow stdin or a
/// huge file never holds up the async runtime (and with it the signal handling).
async fn load_seeds(cli: &Cli, list: SeedList) -> anyhow::Result<SeedList> {
    let urls = cli.urls.clone();
    let file = cli.seeds.clone();
    tokio::task::spawn_blocking(move || seeds::collect(&urls, file.as_deref(), list))
        .await
        .context("reading the seeds failed")?
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

/// The crawler settings from the arguments; `build` validates them.
pub(crate) fn configure(cli: &Cli) -> CrawlerBuilder {
    let mut builder = Crawler::builder()
        .max_depth(cli.depth)
        .concurrency(cli.concurrency.get())
        .per_host(cli.per_host.get())
        .timeout(cli.timeout.0)
        .connect_timeout(cli.connect_timeout.0)
        .read_timeout(cli.read_timeout.0)
        .page_timeout(cli.page_timeout.0)
        .max_nodes(cli.max_nodes.get())
        .max_edges(cli.max_edges.get())
        .max_redirects(cli.max_redirects)
        .max_body_bytes(cli.max_body_bytes.get())
        .user_agent(cli.user_agent.clone())
        .host_scope(cli.scope.host_scope())
        .extraction(cli.extract.into())
        .respect_robots(!cli.politeness.ignore_robots)
        .retries(cli.politeness.retries)
        .sitemaps(cli.politeness.sitemap)
        .deny_private_ips(cli.politeness.deny_private_ips);
    if let Some(delay) = cli.politeness.delay {
        builder = builder.delay(delay.0);
    }
    if let Some(rate) = cli.politeness.rate {
        builder = builder.rate(rate);
    }
    if let Some(pages) = cli.max_pages {
        builder = builder.max_pages(pages.get());
    }
    for prefix in &cli.scope.prefix {
        builder = builder.prefix(prefix);
    }
    for pattern in &cli.scope.include {
        builder = builder.include(pattern);
    }
    for pattern in &cli.scope.exclude {
        builder = builder.exclude(pattern);
    }
    builder
}

/// Writes the graph and the node table. Regular files are staged first and renamed together
/// after the devices and FIFOs (which cannot be staged) were written, so a failure leaves every
/// regular file as it was; stdout comes last, so a closed pipe (`| head`) cannot keep the files
/// from being written.
pub(crate) fn write_outputs(
    report: &CrawlReport,
    format: Option<ExportFormat>,
    data: &Sink,
    nodes: Option<&Sink>,
) -> anyhow::Result<()> {
    // `None`: TSV with the kind column.
    let write_data: output::Writer<'_> = &|w| match format {
        Some(format) => export::write(report, format, w),
        None => export::tsv::write_tsv_with_kind(report, w),
    };
    let write_nodes: output::Writer<'_> = &|w| write_nodes_tsv(report, w);
    let mut staged = Vec::new();
    if let Sink::File(path) = data {
        staged.push(output::stage(path, write_data)?);
    }
    if let Some(Sink::File(path)) = nodes {
        staged.push(output::stage(path, write_nodes)?);
    }
    staged.sort_by_key(|file| !file.is_through());
    for file in staged {
        file.commit()?;
    }
    if *data == Sink::Stdout {
        output::to_stdout(write_data)?;
    } else if nodes == Some(&Sink::Stdout) {
        output::to_stdout(write_nodes)?;
    }
    Ok(())
}

/// One line per broken page: `broken: URL (error) <- linked from SOURCE`, naming the first page
/// that linked to it (or `(seed)` for a broken seed).
fn broken_lines(report: &CrawlReport) -> Vec<String> {
    let mut first_source: HashMap<&Url, &Url> = HashMap::new();
    for (source, target, _) in report.graph.links() {
        first_source.entry(&target.url).or_insert(&source.url);
    }
    report
        .broken_pages()
        .map(|page| {
            let error = page
                .error
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            match first_source.get(&page.url) {
                Some(source) => format!("broken: {} ({error}) <- linked from {source}", page.url),
                None => format!("broken: {} ({error}) (seed)", page.url),
            }
        })
        .collect()
}

/// Runs `crawl` on the runtime's worker threads, not in `block_on` on this one: the fold then
/// runs where a page's task finished, instead of waking this thread once per page (a 10k crawl
/// made 19k context switches in `block_on` and 5-6k spawned; CPU -3% to -15%).
///
/// `crawl` is given the future to stop on: `shutdown`, whose exit status is then kept in
/// `signal`. An error is a panic inside the crawl.
pub(crate) async fn spawn_crawl<T, Run>(
    shutdown: impl Future<Output = ExitStatus> + Send + 'static,
    signal: &Arc<OnceLock<ExitStatus>>,
    crawl: impl FnOnce(Pin<Box<dyn Future<Output = ()> + Send>>) -> Run,
) -> Result<T, tokio::task::JoinError>
where
    T: Send + 'static,
    Run: Future<Output = T> + Send + 'static,
{
    let signal = Arc::clone(signal);
    let stop = Box::pin(async move {
        let _ = signal.set(shutdown.await);
    });
    tokio::spawn(crawl(stop)).await
}

/// A future that resolves with the exit status for the first SIGINT or SIGTERM.
///
/// The handlers are installed here, before the crawl starts, so a signal that arrives before
/// the future is first polled is not lost to the default action.
#[cfg(unix)]
pub(crate) fn shutdown_signal() -> std::io::Result<impl Future<Output = ExitStatus>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => ExitStatus::Interrupted,
            _ = terminate.recv() => ExitStatus::Terminated,
        }
    })
}

/// A future that resolves with the exit status for the first Ctrl-C.
#[cfg(not(unix))]
pub(crate) fn shutdown_signal() -> std::io::Result<impl Future<Output = ExitStatus>> {
    Ok(async {
        match tokio::signal::ctrl_c().await {
            Ok(()) => ExitStatus::Interrupted,
            // Without a handler there is no Ctrl-C to wait for: run to the end.
            Err(_) => std::future::pending().await,
        }
    })
}
