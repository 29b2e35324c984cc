//! What `crawl` tells a person on stderr while it works: a progress spinner, logs, a summary.
//!
//! The spinner is fed by the library's [`CrawlEvent`]s and shows the current depth, pages done,
//! requests in flight, errors and pages per second. It is hidden when stderr is not a terminal
//! (so pipes and CI logs stay clean), under `--quiet`, and when `-v` logging is on (log lines and
//! a redrawn bar would garble each other). Data never goes to stderr; it goes to the output sink.

use std::fmt::Write as _;
use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crawler_core::{CrawlEvent, CrawlReport, StopReason};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tracing_subscriber::filter::{EnvFilter, LevelFilter};

/// Sets up `tracing` on stderr: warnings by default, errors only with `-q`, `-v` info, `-vv`
/// debug, `-vvv` trace. `RUST_LOG`, when set, overrides the level.
pub(crate) fn init_logging(verbose: u8, quiet: bool) {
    let level = match verbose {
        0 if quiet => LevelFilter::ERROR,
        0 => LevelFilter::WARN,
        1 => LevelFilter::INFO,
        2 => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    };
    let mut filter = EnvFilter::builder()
        .with_default_directive(level.into())
        .from_env_lossy();
    // The DevTools client logs a killed or crashed browser as an error of its own; the crawl
    // records what it cost (a page's render error) and starts another browser. Its logs show
    // from -vv on, or when RUST_LOG asks.
    if verbose < 2 && std::env::var_os("RUST_LOG").is_none() {
        if let Ok(quiet_cdp) = "chromiumoxide=off".parse() {
            filter = filter.add_directive(quiet_cdp);
        }
    }
    // Fails only if a subscriber is already set, which `main` never does. A log line that
    // cannot be written (stderr closed: `crawl -vv ... 2>&1 | head -1`) is dropped, as
    // `eprint_line` drops its lines: the subscriber would otherwise report the failure with
    // `eprintln!`, which panics on the same closed stderr, on whichever thread logged.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal())
        .log_internal_errors(false)
        .try_init();
}

/// Counters shared between the event handler (called from crawl tasks) and the bar.
#[derive(Debug)]
struct Counters {
    started: Instant,
    depth: AtomicU32,
    done: AtomicU64,
    in_flight: AtomicU64,
    errors: AtomicU64,
}

/// The progress spinner on stderr; a no-op when hidden.
#[derive(Debug)]
pub(crate) struct Progress {
    bar: ProgressBar,
    counters: Arc<Counters>,
}

impl Progress {
    /// A spinner on stderr, or a hidden one when stderr is not a terminal, with `quiet`, or with
    /// verbose logging.
    pub(crate) fn new(quiet: bool, verbose: u8) -> Self {
        let visible = !quiet && verbose == 0 && io::stderr().is_terminal();
        let bar = if visible {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner:.cyan} [{elapsed_precise}] {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_message("starting");
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        } else {
            ProgressBar::hidden()
        };
        Self {
            bar,
            counters: Arc::new(Counters {
                started: Instant::now(),
                depth: AtomicU32::new(0),
                done: AtomicU64::new(0),
                in_flight: AtomicU64::new(0),
                errors: AtomicU64::new(0),
            }),
        }
    }

    /// The handler for [`CrawlerBuilder::on_event`](crawler_core::CrawlerBuilder::on_event), or
    /// `None` when the spinner is hidden and nobody would look.
    pub(crate) fn handler(&self) -> Option<impl Fn(&CrawlEvent) + Send + Sync + 'static> {
        if self.bar.is_hidden() {
            return None;
        }
        let bar = self.bar.clone();
        let counters = Arc::clone(&self.counters);
        Some(move |event: &CrawlEvent| {
            counters.update(event);
            bar.set_message(counters.message());
        })
    }

    /// Removes the spinner, so the summary and any error start on a clean line.
    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Counters {
    fn update(&self, event: &CrawlEvent) {
        match event {
            CrawlEvent::LevelStarted { depth, .. } => self.depth.store(*depth, Ordering::Relaxed),
            CrawlEvent::PageStarted { .. } => {
                self.in_flight.fetch_add(1, Ordering::Relaxed);
            }
            CrawlEvent::PageDone { .. } => self.settle(false),
            CrawlEvent::PageFailed { .. } => self.settle(true),
            _ => {}
        }
    }

    /// A request ended.
    fn settle(&self, failed: bool) {
        // Saturating: the events of one request come from one task, in order, but be safe.
        let _ = self
            .in_flight
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                Some(n.saturating_sub(1))
            });
        self.done.fetch_add(1, Ordering::Relaxed);
        if failed {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn message(&self) -> String {
        let done = self.done.load(Ordering::Relaxed);
        let secs = self.started.elapsed().as_secs_f64();
        #[expect(
            clippy::cast_precision_loss,
            reason = "a page count far below 2^52 is exact as f64"
        )]
        let rate = if secs > 0.0 { done as f64 / secs } else { 0.0 };
        format!(
            "depth {} · {done} done · {} in flight · {} errors · {rate:.1} pages/s",
            self.depth.load(Ordering::Relaxed),
            self.in_flight.load(Ordering::Relaxed),
            self.errors.load(Ordering::Relaxed),
        )
    }
}

/// The limits that can stop a crawl, as the summary names them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    max_nodes: usize,
    max_edges: usize,
    max_pages: Option<usize>,
    /// The crawl streams: no graph, so `--max-nodes` bounds the URLs queued.
    streams: bool,
}

impl Limits {
    /// The limits of a crawl with `spec`, streamed or not.
    pub(crate) fn of(spec: &crawler_core::CrawlSpec, streams: bool) -> Self {
        Self {
            max_nodes: spec.max_nodes,
            max_edges: spec.max_edges,
            max_pages: spec.max_pages,
            streams,
        }
    }

    /// The flag and value that stopped `report`, for a stop at a limit.
    fn stopper(&self, report: &CrawlReport) -> Option<String> {
        let graph = &report.graph;
        match report.stopped {
            StopReason::MaxPages => self.max_pages.map(|max| format!("--max-pages {max}")),
            StopReason::GraphLimit => Some(
                if !self.streams
                    && graph.page_count() < self.max_nodes
                    && graph.link_count() >= self.max_edges
                {
                    format!("--max-edges {}", self.max_edges)
                } else {
                    format!("--max-nodes {}", self.max_nodes)
                },
            ),
            _ => None,
        }
    }
}

/// The one-line summary printed at the end unless `--quiet`.
///
/// `streamed_links` is the count of links written by a streamed crawl, whose graph is empty.
/// A stop at a limit names the flag and value that stopped it. Pages whose retries ran out
/// (tried again at the end) and links dropped at a budget or cap are named only when there
/// are some.
pub(crate) fn summary(
    report: &CrawlReport,
    limits: &Limits,
    streamed_links: Option<usize>,
) -> String {
    let stats = &report.stats;
    let mut line = format!(
        "crawled {} pages ({} failed, {} not fetched), {} links in {:.2}s; stopped: {}",
        stats.pages_fetched,
        stats.pages_failed,
        stats.pages_skipped,
        streamed_links.unwrap_or_else(|| report.graph.link_count()),
        stats.elapsed.as_secs_f64(),
        report.stopped.as_str(),
    );
    if let Some(stopper) = limits.stopper(report) {
        let _ = write!(line, " ({stopper})");
    }
    if stats.retries_exhausted > 0 {
        let _ = write!(
            line,
            "; retries ran out for {} pages ({} recovered at the end)",
            stats.retries_exhausted, stats.recovered_at_end
        );
    }
    if stats.links_dropped > 0 {
        let _ = write!(line, "; {} links not recorded", stats.links_dropped);
    }
    if stats.revalidated + stats.changed + stats.new_pages > 0 {
        let _ = write!(
            line,
            "; since the previous crawl: {} revalidated (304), {} changed, {} new",
            stats.revalidated, stats.changed, stats.new_pages
        );
    }
    if stats.pages_rendered > 0 {
        let _ = write!(
            line,
            "; rendered {} pages ({} gained links, {} requests)",
            stats.pages_rendered, stats.pages_render_gained, stats.render_requests
        );
    }
    line
}

/// Writes one line to stderr, ignoring failure: with stderr gone there is nobody to tell, and
/// `eprintln!` would panic.
pub(crate) fn eprint_line(line: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crawler_core::{CrawlGraph, PageError, Url};

    #[test]
    fn counters_follow_events() {
        let counters = Progress::new(true, 0).counters;
        let url = Url::parse("http://a.test/").unwrap();
        counters.update(&CrawlEvent::LevelStarted { depth: 1, pages: 2 });
        counters.update(&CrawlEvent::PageStarted {
            url: url.clone(),
            depth: 1,
        });
        counters.update(&CrawlEvent::PageStarted {
            url: url.clone(),
            depth: 1,
        });
        counters.update(&CrawlEvent::PageFailed {
            url,
            depth: 1,
            error: PageError::Timeout,
        });
        let msg = counters.message();
        assert!(
            msg.starts_with("depth 1 · 1 done · 1 in flight · 1 errors · "),
            "{msg}"
        );
    }

    #[test]
    fn hidden_when_quiet_or_verbose() {
        assert!(Progress::new(true, 0).handler().is_none());
        assert!(Progress::new(false, 1).handler().is_none());
    }

    #[test]
    fn summary_line() {
        let seed = Url::parse("http://a.test/").unwrap();
        let mut report = CrawlReport::from_graph(CrawlGraph::new(), vec![seed], 2);
        let mut spec = crawler_core::CrawlSpec::default();
        spec.max_pages = Some(7);
        let batch = Limits::of(&spec, false);
        assert_eq!(
            summary(&report, &batch, None),
            "crawled 0 pages (0 failed, 0 not fetched), 0 links in 0.00s; stopped: completed"
        );
        report.stopped = StopReason::MaxPages;
        assert!(
            summary(&report, &batch, None).ends_with("stopped: max_pages (--max-pages 7)"),
            "{}",
            summary(&report, &batch, None)
        );
        report.stopped = StopReason::GraphLimit;
        let nodes = format!(
            "0 links in 0.00s; stopped: graph_limit (--max-nodes {})",
            spec.max_nodes
        );
        let streamed = Limits::of(&spec, true);
        assert!(summary(&report, &streamed, None).ends_with(&nodes));
        assert!(summary(&report, &streamed, Some(12)).contains(", 12 links in "));
        spec.max_edges = 0;
        assert!(summary(&report, &Limits::of(&spec, false), None)
            .ends_with("stopped: graph_limit (--max-edges 0)"));
    }
}
