//! `crawl URL...`: seeds, settings, the crawl with signal handling, output, exit status.
//!
//! Every crawl decision is the library's: this module only builds the
//! [`Crawler`](crawler_core::Crawler) from the flags' [`CrawlSpec`](crawler_core::CrawlSpec)
//! ([`crate::spec`]), hands it a shutdown future that resolves on SIGINT or SIGTERM, writes what comes
//! back, and picks the exit status. A cancelled crawl still returns its partial graph, which is
//! written like a complete one before exiting with 130 or 143.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context;
use crawler_core::analysis::broken::BrokenFragment;
use crawler_core::{CrawlReport, CrawlerBuilder, SeedList, StopReason, Url};
use tokio::runtime::Runtime;

use crate::exit::{usage, ExitStatus};
use crate::flags::{Cli, Format};
use crate::output::{self, Sink};
use crate::progress::{self, Progress};
use crate::render::Browser;
use crate::signal::{shutdown_signal, spawn_crawl};
use crate::stream::{Lines, Stream};
use crate::{jar, seeds};

/// Runs the command described by `cli` on `runtime`, which it shuts down before writing the
/// output.
///
/// # Errors
/// Usage errors (seeds, settings, output paths), I/O errors writing the output, and a broken
/// pipe on stdout; `main` maps each to its exit status.
pub(crate) fn run(cli: &Cli, runtime: Runtime) -> anyhow::Result<ExitStatus> {
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

    let spec = crate::spec::crawl_spec(cli)?;
    let previous = (cli.since.as_deref())
        .map(|path| crate::since::load(path, &spec, cli.quiet))
        .transpose()?;
    let limits = progress::Limits::of(&spec, cli.streams());
    let jar = cli.http.cookie_jar.as_deref().map(jar::read).transpose()?;
    let signal = Arc::new(OnceLock::new());
    let progress = Progress::new(cli.quiet, cli.verbose);
    let report = runtime.block_on(async {
        // Installed before anything slow (a seeds file of millions of lines, a stdin that is
        // still open), and raced against every phase, so no phase is deaf to a signal.
        let shutdown = shutdown_signal().context("cannot install the signal handlers")?;
        let mut shutdown = Box::pin(shutdown);
        let browser = tokio::select! {
            status = &mut shutdown => {
                let _ = signal.set(status);
                return Ok(None);
            }
            browser = Browser::start(&spec) => browser?,
        };
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
        .map_err(|err| anyhow::anyhow!("the crawl stopped unexpectedly: {err}"));
        let browser_line = browser.stop().await;
        Ok::<_, anyhow::Error>(Some((report??, browser_line)))
    });
    progress.finish();
    // Tasks of a cancelled crawl are already aborted, and a seed reader blocked on stdin is
    // not waited for long. Shutting down also closes the pooled connections, whose file
    // descriptors the output files may need.
    runtime.shutdown_timeout(Duration::from_secs(1));
    let Some((report, browser_line)) = report? else {
        // Stopped while the seeds were read: there is no graph, and an existing output file
        // is left as it was.
        if !cli.quiet {
            progress::eprint_line("crawl: stopped before the crawl started; nothing was written");
        }
        return Ok(signal.get().copied().unwrap_or(ExitStatus::Interrupted));
    };
    if let (Some(jar), Some(path)) = (&jar, &cli.http.cookie_jar) {
        jar::save(jar, path)?;
    }

    let streamed_links = if let Some(stream) = stream {
        Some(stream.finish()?)
    } else {
        let format = if cli.links.tsv_kind && cli.format == Format::Tsv {
            None
        } else {
            cli.format.batch()
        };
        output::write_graph(&report, format, &data, nodes.as_ref())?;
        crate::cmd::report::write_live(&cli.report, &report)?;
        None
    };

    let summary = (!cli.quiet).then(|| {
        let mut summary = progress::summary(&report, &limits, streamed_links);
        if let Some(line) = browser_line {
            summary = format!("{summary}\n{line}");
        }
        summary
    });
    Ok(judge(cli, &report, summary, signal.get().copied()))
}

/// Reports the broken pages when `--fail-on-broken` asks, then the `summary`, and returns the
/// exit status: the `signal`'s for a cancelled crawl, failure for broken pages asked about.
fn judge(
    cli: &Cli,
    report: &CrawlReport,
    summary: Option<String>,
    signal: Option<ExitStatus>,
) -> ExitStatus {
    let broken = if cli.fail_on_broken {
        broken_lines(report)
    } else {
        Vec::new()
    };
    for line in &broken {
        progress::eprint_line(line);
    }
    if let Some(summary) = summary {
        progress::eprint_line(&summary);
    }
    if report.stopped == StopReason::Cancelled {
        signal.unwrap_or(ExitStatus::Interrupted)
    } else if broken.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    }
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
    if cli.links.check_fragments {
        return Err(usage(
            "--check-fragments needs the whole graph (a fragment is checked against a page \
             fetched before or after it): not with --stream or --format jsonl",
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

/// One line per broken page: `broken: URL (error) <- linked from SOURCE`, naming the first page
/// that linked to it (or `(seed)` for a broken seed); then one per broken fragment:
/// `broken fragment: URL#FRAGMENT <- linked from SOURCE ("TEXT")`.
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
        .chain(
            BrokenFragment::of(&report.graph)
                .into_iter()
                .map(|f| match f.referrer.text {
                    Some(text) => format!(
                        "broken fragment: {} <- linked from {} (\"{text}\")",
                        f.url, f.referrer.url
                    ),
                    None => format!(
                        "broken fragment: {} <- linked from {}",
                        f.url, f.referrer.url
                    ),
                }),
        )
        .collect()
}
