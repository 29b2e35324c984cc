//! `crawl diff OLD NEW`: what changed between two saved crawls, for a CI job that must fail
//! when a change breaks links (`--fail-on-new-broken`). `crawl diff OLD --recrawl` makes NEW
//! itself: OLD's seeds crawled again to OLD's depth, revalidating OLD's pages (`--since`).

use std::io;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use anyhow::Context;
use crawler_core::analysis::diff::diff;
use crawler_core::analysis::render::{self, Style};
use crawler_core::since::PreviousCrawl;
use crawler_core::{CrawlReport, CrawlSpec, CrawlerBuilder, ExportFormat, StopReason};
use tokio::runtime::Runtime;

use super::report::write_to;
use crate::exit::{usage, ExitStatus};
use crate::flags::report::{DiffArgs, ReportFormat};
use crate::output::{self, Sink};
use crate::progress;
use crate::signal::{shutdown_signal, spawn_crawl};

/// Runs `crawl diff`.
///
/// # Errors
/// Unreadable or invalid inputs (usage errors), or an output error.
pub(crate) fn run(args: &DiffArgs, runtime: Runtime) -> anyhow::Result<ExitStatus> {
    let new_on_stdin = args.new.as_deref() == Some(Path::new("-"));
    if args.old.as_os_str() == "-" && new_on_stdin {
        return Err(usage("OLD and NEW cannot both be stdin"));
    }
    if args.format == ReportFormat::Html {
        return Err(usage("crawl diff writes text, json or markdown"));
    }
    let sink = Sink::new(args.output.as_deref());
    sink.check()?;
    let save = args.save.as_deref().map(|path| Sink::new(Some(path)));
    if let Some(save) = &save {
        save.check()?;
    }
    let old = super::saved::load(&args.old)?;
    let new = match &args.new {
        Some(path) => super::saved::load(path)?,
        None => match recrawl(&old, runtime)? {
            Ok(report) => report,
            Err(stopped) => return Ok(stopped),
        },
    };
    if let Some(save) = &save {
        output::write_graph(&new, Some(ExportFormat::Json), save, None)?;
    }
    let changes = diff(&old, &new);
    let colour = sink == Sink::Stdout && super::saved::colour(&io::stdout());
    write_to(&sink, |out| match args.format {
        ReportFormat::Text => render::write_diff(&changes, Style::Text { colour }, out),
        ReportFormat::Markdown => render::write_diff(&changes, Style::Markdown, out),
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &changes)?;
            out.write_all(b"\n")
        }
        ReportFormat::Html => unreachable!("refused above"),
    })?;
    Ok(
        if args.fail_on_new_broken
            && !(changes.new_broken.is_empty() && changes.new_broken_fragments.is_empty())
        {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        },
    )
}

/// Crawls `old`'s seeds to its depth again with the default settings, revalidating its
/// pages; the inner `Err` is the exit status of a crawl a signal stopped.
///
/// # Errors
/// A usage error when `old` names no seeds; a crawl that cannot start.
fn recrawl(old: &CrawlReport, runtime: Runtime) -> anyhow::Result<Result<CrawlReport, ExitStatus>> {
    if old.seeds.is_empty() {
        return Err(usage("OLD names no seeds to crawl again"));
    }
    let mut spec = CrawlSpec::default();
    spec.depth = old.max_depth;
    let previous = PreviousCrawl::from_report(old, &spec.config()?);
    if let Some(why) = previous.unusable() {
        progress::eprint_line(&format!(
            "crawl: diff --recrawl: every page is downloaded again: {why}"
        ));
    }
    let crawler = CrawlerBuilder::from_spec(spec)
        .since(Arc::new(previous))
        .build()?;
    let seeds: Vec<String> = old.seeds.iter().map(ToString::to_string).collect();
    let signal = Arc::new(OnceLock::new());
    let report = runtime.block_on(async {
        let shutdown = shutdown_signal().context("cannot install the signal handlers")?;
        let report = spawn_crawl(shutdown, &signal, move |stop| async move {
            crawler.crawl(seeds, stop).await
        })
        .await
        .map_err(|err| anyhow::anyhow!("the crawl stopped unexpectedly: {err}"))?;
        Ok::<_, anyhow::Error>(report?)
    })?;
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    if report.stopped == StopReason::Cancelled {
        return Ok(Err(signal
            .get()
            .copied()
            .unwrap_or(ExitStatus::Interrupted)));
    }
    let stats = &report.stats;
    progress::eprint_line(&format!(
        "crawl: diff --recrawl: {} pages revalidated (304), {} changed, {} new",
        stats.revalidated, stats.changed, stats.new_pages
    ));
    Ok(Ok(report))
}
