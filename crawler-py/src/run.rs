//! The blocking crawl: `crawlgraph.crawl(...)`.
//!
//! The crawl runs as a task on the shared tokio runtime; the calling thread waits for it with
//! the interpreter released, so other Python threads run meanwhile. The wait is cut into short
//! slices: between two, the thread attaches to the interpreter for a moment to hand the events
//! that came in to the Python callback (`on_page`, the progress bar) in one batch, and to run
//! the signal handlers. A handler that raises (Ctrl-C's `KeyboardInterrupt`), or a callback that
//! raises, cancels the crawl through its shutdown future; the crawl then ends at once with what
//! it found, and that report is returned together with the exception, which the Python side
//! raises with the partial result attached.
//!
//! Events reach the thread through a channel, so a slow callback delays the next batch, never
//! the crawl.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

use crawler_core::{CrawlEvent, CrawlReport};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyList;
use tokio_util::sync::CancellationToken;

use crate::report::Report;
use crate::spec;

/// How long one wait with the interpreter released lasts before signals are checked again.
const SLICE: Duration = Duration::from_millis(50);

/// The most events handed to the callback in one call.
const BATCH: usize = 4096;

/// What a crawl's events tell Python, in the shape of the tuples it receives.
#[derive(Debug)]
enum Event {
    /// `("level", depth, pages)`: a level of the crawl starts.
    Level { depth: u32, pages: usize },
    /// `("progress", done, known, hosts, slowest)`: where a crawl without levels stands
    /// (`slowest` is the host most of what is left waits on, or `None`).
    Progress {
        done: usize,
        known: usize,
        hosts: usize,
        slowest: Option<String>,
    },
    /// `("page", url, depth, status, links, error)`: a response was read (`error` is `None`)
    /// or a request failed (`status` is `None` unless the failure is an HTTP status).
    Page {
        url: String,
        depth: u32,
        status: Option<u16>,
        links: usize,
        error: Option<String>,
    },
}

impl Event {
    /// The event Python hears of, if any.
    fn of(event: &CrawlEvent) -> Option<Self> {
        match event {
            CrawlEvent::LevelStarted { depth, pages } => Some(Self::Level {
                depth: *depth,
                pages: *pages,
            }),
            CrawlEvent::Progress {
                done,
                known,
                hosts,
                slowest,
            } => Some(Self::Progress {
                done: *done,
                known: *known,
                hosts: *hosts,
                slowest: slowest.as_ref().map(|(host, _)| host.clone()),
            }),
            CrawlEvent::PageDone {
                url,
                depth,
                status,
                links,
            } => Some(Self::Page {
                url: url.to_string(),
                depth: *depth,
                status: Some(*status),
                links: *links,
                error: None,
            }),
            CrawlEvent::PageFailed { url, depth, error } => Some(Self::Page {
                url: url.to_string(),
                depth: *depth,
                status: match error {
                    crawler_core::PageError::HttpStatus { status } => Some(*status),
                    _ => None,
                },
                links: 0,
                error: Some(error.to_string()),
            }),
            _ => None,
        }
    }

    /// The event as a Python tuple.
    fn into_tuple(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        match self {
            Self::Level { depth, pages } => ("level", depth, pages).into_pyobject(py),
            Self::Progress {
                done,
                known,
                hosts,
                slowest,
            } => ("progress", done, known, hosts, slowest).into_pyobject(py),
            Self::Page {
                url,
                depth,
                status,
                links,
                error,
            } => ("page", url, depth, status, links, error).into_pyobject(py),
        }
        .map(Bound::into_any)
    }
}

/// What the crawl task sends the waiting thread.
enum Message {
    Event(Event),
    Done(Box<Result<CrawlReport, crawler_core::Error>>),
}

/// Where the crawl stands after a wait slice.
enum End {
    /// Still running.
    Running,
    /// Ended with this result.
    Done(Box<Result<CrawlReport, crawler_core::Error>>),
    /// The task died without a result (a panic).
    Lost,
}

/// What a wait slice brought.
struct Waited {
    events: Vec<Event>,
    end: End,
}

/// Waits up to one slice for the first message, then takes whatever else is queued.
fn wait(messages: &mut Receiver<Message>) -> Waited {
    let mut waited = Waited {
        events: Vec::new(),
        end: End::Running,
    };
    let mut next = match messages.recv_timeout(SLICE) {
        Ok(message) => Some(message),
        Err(RecvTimeoutError::Timeout) => return waited,
        Err(RecvTimeoutError::Disconnected) => {
            waited.end = End::Lost;
            return waited;
        }
    };
    while let Some(message) = next {
        match message {
            Message::Event(event) => waited.events.push(event),
            Message::Done(result) => {
                waited.end = End::Done(result);
                break;
            }
        }
        next = if waited.events.len() < BATCH {
            messages.try_recv().ok()
        } else {
            None
        };
    }
    waited
}

/// Crawls from `seeds` with the options in `options` (the spec's JSON) and returns the report
/// and, if the crawl was cut short by an exception (Ctrl-C, or one `on_events` raised), that
/// exception. `on_events` gets lists of event tuples.
///
/// # Errors
/// A bad option or seed (`ValueError`), or an exception raised before the crawl started.
#[pyfunction]
#[pyo3(signature = (seeds, options, on_events=None))]
pub(crate) fn crawl(
    py: Python<'_>,
    seeds: Vec<String>,
    options: &str,
    on_events: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Report, Option<PyErr>)> {
    let (sender, mut messages) = mpsc::channel();
    let handler = on_events.map(|_| {
        let sender = sender.clone();
        Box::new(move |event: &CrawlEvent| {
            if let Some(event) = Event::of(event) {
                // The receiver is gone only when the caller has returned: nobody to tell.
                let _ = sender.send(Message::Event(event));
            }
        }) as Box<dyn Fn(&CrawlEvent) + Send + Sync>
    });
    let crawler = spec::crawler(options, handler)?;
    let cancel = CancellationToken::new();
    // However this function returns (an error converting events, a panic), the crawl stops.
    let _stop_on_return = cancel.clone().drop_guard();
    let shutdown = cancel.clone().cancelled_owned();
    crate::runtime().spawn(async move {
        let result = crawler.crawl(&seeds, shutdown).await;
        drop(crawler);
        let _ = sender.send(Message::Done(Box::new(result)));
    });

    let mut interrupted: Option<PyErr> = None;
    loop {
        let waited = py.detach(|| wait(&mut messages));
        let deliver = !waited.events.is_empty() && interrupted.is_none();
        if let (true, Some(callback)) = (deliver, on_events) {
            let batch = waited
                .events
                .into_iter()
                .map(|event| event.into_tuple(py))
                .collect::<PyResult<Vec<_>>>()?;
            if let Err(err) = callback.call1((PyList::new(py, batch)?,)) {
                interrupted = Some(err);
                cancel.cancel();
            }
        }
        match waited.end {
            End::Done(result) => {
                return match *result {
                    Ok(report) => Ok((Report::new(report), interrupted)),
                    Err(err) => Err(interrupted.unwrap_or_else(|| spec::start_error(&err))),
                }
            }
            End::Lost => {
                return Err(PyRuntimeError::new_err(
                    "the crawl ended without a report (a panic in crawlgraph; please report it)",
                ))
            }
            End::Running => {}
        }
        if interrupted.is_none() {
            if let Err(err) = py.check_signals() {
                interrupted = Some(err);
                cancel.cancel();
            }
        }
    }
}
