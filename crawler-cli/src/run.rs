//! One run of `crawl`: seeds, settings, the crawl with signal handling, output, exit status.
//!
//! Every crawl decision is the library's: this module only turns the arguments into a
//! [`Crawler`], hands it a shutdown future that resolves on SIGINT or SIGTERM, writes what comes
//! back, and picks the exit status. A cancelled crawl still returns its partial graph, which is
//! written like a complete one before exiting with 130 or 143.

use std::collections::HashMap;
use std::future::Future;
use std::sync::OnceLock;

use anyhow::Context;
use crawler_core::export::{self, tsv::write_nodes_tsv};
use crawler_core::{CrawlReport, Crawler, CrawlerBuilder, ExportFormat, StopReason, Url};
use tokio::runtime::Runtime;

use crate::args::{Cli, Format};
use crate::exit::{usage, ExitStatus};
use crate::output::{self, Sink};
use crate::progress::{self, Progress};
use crate::seeds;
use crate::stream::Stream;

/// Runs the command described by `cli` on `runtime`.
///
/// # Errors
/// Usage errors (seeds, settings, output paths), I/O errors writing the output, and a broken
/// pipe on stdout; `main` maps each to its exit status.
pub(crate) fn run(cli: &Cli, runtime: &Runtime) -> anyhow::Result<ExitStatus> {
    let seeds = seeds::collect(&cli.urls, cli.seeds.as_deref())?;
    let data = Sink::new(cli.output.as_deref());
    let nodes = cli.nodes.as_deref().map(|path| Sink::new(Some(path)));
    if data == Sink::Stdout && nodes == Some(Sink::Stdout) {
        return Err(usage(
            "the graph and the node table cannot both go to stdout; give -o FILE or --nodes FILE",
        ));
    }
    if nodes.as_ref() == Some(&data) {
        return Err(usage("-o and --nodes name the same file"));
    }
    data.check()?;
    if let Some(nodes) = &nodes {
        nodes.check()?;
    }

    let streaming = cli.stream || cli.format == Format::Jsonl;
    if streaming && !matches!(cli.format, Format::Tsv | Format::Jsonl) {
        return Err(usage("--stream writes --format tsv or jsonl"));
    }
    if streaming && (nodes.is_some() || cli.fail_on_broken) {
        return Err(usage(
            "--nodes and --fail-on-broken need the whole graph: not with --stream or --format jsonl",
        ));
    }

    let progress = Progress::new(cli.quiet, cli.verbose);
    let mut builder = configure(cli);
    if let Some(handler) = progress.handler() {
        builder = builder.on_event(handler);
    }
    let crawler = builder.build()?;
    tracing::info!(seeds = seeds.len(), depth = cli.depth, "crawl starting");
    tracing::debug!(config = ?crawler.config(), "settings");

    let stream = if streaming {
        Some(Stream::open(&data, cli.format == Format::Jsonl)?)
    } else {
        None
    };
    let signal = OnceLock::new();
    let report = runtime.block_on(async {
        let shutdown = shutdown_signal().context("cannot install the signal handlers")?;
        let shutdown = async {
            let _ = signal.set(shutdown.await);
        };
        match &stream {
            Some(stream) => {
                crawler
                    .crawl_streaming(&seeds, shutdown, stream.sink())
                    .await
            }
            None => crawler.crawl(&seeds, shutdown).await,
        }
        .map_err(anyhow::Error::from)
    });
    progress.finish();
    let report = report?;

    if let Some(stream) = stream {
        stream.finish()?;
    } else if let Some(format) = cli.format.batch() {
        write_outputs(&report, format, &data, nodes.as_ref())?;
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

/// The crawler settings from the arguments; `build` validates them.
fn configure(cli: &Cli) -> CrawlerBuilder {
    let mut builder = Crawler::builder()
        .max_depth(cli.depth)
        .concurrency(cli.concurrency.get())
        .per_host(cli.per_host.get())
        .timeout(cli.timeout.0)
        .connect_timeout(cli.connect_timeout.0)
        .read_timeout(cli.read_timeout.0)
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

/// Writes the graph and the node table. Files are staged first and renamed together, so a
/// failure leaves every target as it was; stdout comes last, so a closed pipe (`| head`) cannot
/// keep the files from being written.
fn write_outputs(
    report: &CrawlReport,
    format: ExportFormat,
    data: &Sink,
    nodes: Option<&Sink>,
) -> anyhow::Result<()> {
    let write_data = |w: &mut dyn std::io::Write| export::write(report, format, w);
    let write_nodes = |w: &mut dyn std::io::Write| write_nodes_tsv(report, w);
    let mut staged = Vec::new();
    if let Sink::File(path) = data {
        staged.push(output::stage(path, write_data)?);
    }
    if let Some(Sink::File(path)) = nodes {
        staged.push(output::stage(path, write_nodes)?);
    }
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

/// A future that resolves with the exit status for the first SIGINT or SIGTERM.
///
/// The handlers are installed here, before the crawl starts, so a signal that arrives before
/// the future is first polled is not lost to the default action.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl Future<Output = ExitStatus>> {
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
fn shutdown_signal() -> std::io::Result<impl Future<Output = ExitStatus>> {
    Ok(async {
        match tokio::signal::ctrl_c().await {
            Ok(()) => ExitStatus::Interrupted,
            // Without a handler there is no Ctrl-C to wait for: run to the end.
            Err(_) => std::future::pending().await,
        }
    })
}
