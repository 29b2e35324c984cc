//! What `crawl` tells a person on stderr while it works: a progress spinner, logs, a summary.
//!
//! The bar is fed by the library's [`CrawlEvent`]s. A crawl without levels shows pages done
//! over pages known (done, in flight and waiting, which grows as pages are found) with the rate
//! and an ETA, the hosts at work and, when one host holds most of what is left, that host; a
//! crawl by levels shows a spinner with the current depth. Both show requests in flight and
//! errors. It is hidden when stderr is not a terminal
//! (so pipes and CI logs stay clean), under `--quiet`, and when `-v` logging is on (log lines and
//! a redrawn bar would garble each other). Data never goes to stderr; it goes to the output sink.

use std::fmt::Write as _;
use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
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
    /// Progress events came: the crawl runs without levels.
    flowing: AtomicBool,
    /// From the last progress event: pages done and known, hosts at work, the slowest host.
    pages_done: AtomicU64,
    pages_known: AtomicU64,
    hosts: AtomicU64,
    slowest: Mutex<Option<(String, usize)>>,
}

/// The bar of a crawl without levels.
const BAR: &str =
    "{spinner:.cyan} [{elapsed_precise}] {bar:30.cyan/blue} {pos}/{len} pages · {per_sec} · ETA {eta} · {msg}";

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
                flowing: AtomicBool::new(false),
                pages_done: AtomicU64::new(0),
                pages_known: AtomicU64::new(0),
                hosts: AtomicU64::new(0),
                slowest: Mutex::new(None),
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
            let first_progress = counters.update(event);
            if first_progress {
                if let Ok(style) = ProgressStyle::with_template(BAR) {
                    bar.set_style(style);
                }
            }
            if counters.flowing.load(Ordering::Relaxed) {
                bar.set_length(counters.pages_known.load(Ordering::Relaxed));
                bar.set_position(counters.pages_done.load(Ordering::Relaxed));
            }
            bar.set_message(counters.message());
        })
    }

    /// Removes the spinner, so the summary and any error start on a clean line.
    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Counters {
    /// Counts `event`; true for the first progress event (the bar shows a length from then on).
    fn update(&self, event: &CrawlEvent) -> bool {
        match event {
            CrawlEvent::Progress {
                done,
                known,
                hosts,
                slowest,
            } => {
                let widen = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
                self.pages_done.store(widen(*done), Ordering::Relaxed);
                self.pages_known.store(widen(*known), Ordering::Relaxed);
                self.hosts.store(widen(*hosts), Ordering::Relaxed);
                if let Ok(mut held) = self.slowest.lock() {
                    held.clone_from(slowest);
                }
                return !self.flowing.swap(true, Ordering::Relaxed);
            }
            CrawlEvent::LevelStarted { depth, .. } => self.depth.store(*depth, Ordering::Relaxed),
            CrawlEvent::PageStarted { .. } => {
                self.in_flight.fetch_add(1, Ordering::Relaxed);
            }
            CrawlEvent::PageDone { .. } => self.settle(false),
            CrawlEvent::PageFailed { .. } => self.settle(true),
            _ => {}
        }
        false
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
        let in_flight = self.in_flight.load(Ordering::Relaxed);
        let errors = self.errors.load(Ordering::Relaxed);
        if self.flowing.load(Ordering::Relaxed) {
            let hosts = self.hosts.load(Ordering::Relaxed);
            let mut line = format!("{hosts} hosts · {in_flight} in flight · {errors} errors");
            if let Ok(slowest) = self.slowest.lock() {
                if let Some((host, left)) = &*slowest {
                    let _ = write!(line, " · waiting for {host} ({left} left)");
                }
            }
            return line;
        }
        let done = self.done.load(Ordering::Relaxed);
        let secs = self.started.elapsed().as_secs_f64();
        #[expect(
            clippy::cast_precision_loss,
            reason = "a page count far below 2^52 is exact as f64"
        )]
        let rate = if secs > 0.0 { done as f64 / secs } else { 0.0 };
        format!(
            "depth {} · {done} done · {in_flight} in flight · {errors} errors · {rate:.1} pages/s",
            self.depth.load(Ordering::Relaxed),
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
    fn progress_events_turn_the_spinner_into_a_bar() {
        let counters = Progress::new(true, 0).counters;
        let progress = |slowest: Option<(&str, usize)>| CrawlEvent::Progress {
            done: 40,
            known: 100,
            hosts: 3,
            slowest: slowest.map(|(h, n)| (h.to_owned(), n)),
        };
        assert!(counters.update(&progress(None)), "the first turns it");
        assert!(!counters.update(&progress(Some(("b.test:80", 51)))));
        assert_eq!(counters.pages_known.load(Ordering::Relaxed), 100);
        let msg = counters.message();
        assert_eq!(
            msg,
            "3 hosts · 0 in flight · 0 errors · waiting for b.test:80 (51 left)"
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
