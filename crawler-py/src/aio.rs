//! asyncio: `await crawlgraph.crawl_async(...)` and `async for page in crawlgraph.stream(...)`.
//!
//! Both run on the shared tokio runtime and hand asyncio a future (pyo3-async-runtimes), so
//! the event loop keeps running while the crawl does. Cancelling the asyncio task drops the
//! crawl, which aborts its requests.
//!
//! The stream is [`Crawler::crawl_streaming`]: each folded page goes out as the JSON line of
//! `crawl --format jsonl` through a channel, and the graph is never kept. Python takes the
//! lines in batches, one awaitable per batch.

use std::sync::{Arc, Mutex, PoisonError};

use crawler_core::{CrawlReport, Crawler, FoldedPage};
use pyo3::prelude::*;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio_util::sync::CancellationToken;

use crate::report::Report;
use crate::spec;

/// The most lines handed to Python at once.
const BATCH: usize = 1024;

/// Crawls as `crawl` does, as an awaitable that resolves to the [`Report`].
///
/// # Errors
/// A bad option (`ValueError`, at once); a bad seed (`ValueError`, when awaited).
#[pyfunction]
pub(crate) fn crawl_async<'py>(
    py: Python<'py>,
    seeds: Vec<String>,
    options: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let crawler = spec::crawler(options, None)?;
    pyo3_async_runtimes::tokio::future_into_py(py, async move {
        crawler
            .crawl(&seeds, std::future::pending())
            .await
            .map(Report::new)
            .map_err(|err| spec::start_error(&err))
    })
}

/// What the streaming crawl sends.
enum Item {
    /// A page as a JSON line (without the newline).
    Page(String),
    /// The crawl ended (its report has counters, no graph).
    Done(Box<Result<CrawlReport, crawler_core::Error>>),
}

/// The crawl, until the first batch is asked for.
struct Pending {
    crawler: Crawler,
    seeds: Vec<String>,
    sender: UnboundedSender<Item>,
}

/// A streaming crawl: pages in fold order, as the JSON objects of `crawl --format jsonl`.
/// The crawl starts when the first batch is asked for and stops when the stream is cancelled
/// or dropped.
#[pyclass(frozen, module = "crawlgraph._native")]
pub(crate) struct Stream {
    pending: Mutex<Option<Pending>>,
    lines: Arc<tokio::sync::Mutex<UnboundedReceiver<Item>>>,
    cancel: CancellationToken,
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream")
            .field("cancelled", &self.cancel.is_cancelled())
            .finish_non_exhaustive()
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

#[pymethods]
impl Stream {
    /// A stream of the crawl from `seeds` with `options` (the spec's JSON), checked now.
    #[new]
    fn new(seeds: Vec<String>, options: &str) -> PyResult<Self> {
        let crawler = spec::crawler(options, None)?;
        crawler
            .check_streamable()
            .map_err(|err| spec::start_error(&err))?;
        let (sender, receiver) = mpsc::unbounded_channel();
        Ok(Self {
            pending: Mutex::new(Some(Pending {
                crawler,
                seeds,
                sender,
            })),
            lines: Arc::new(tokio::sync::Mutex::new(receiver)),
            cancel: CancellationToken::new(),
        })
    }

    /// An awaitable of the next lines (a non-empty list), or of `None` once the crawl is over.
    /// Starts the crawl on the first call.
    fn next_batch<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let pending = self
            .pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(Pending {
            crawler,
            seeds,
            sender,
        }) = pending
        {
            let shutdown = self.cancel.clone().cancelled_owned();
            crate::runtime().spawn(async move {
                let pages = sender.clone();
                let sink = Box::new(move |page: &FoldedPage<'_>| {
                    if let Ok(line) = serde_json::to_string(page) {
                        let _ = pages.send(Item::Page(line));
                    }
                });
                let result = crawler.crawl_streaming(&seeds, shutdown, sink).await;
                let _ = sender.send(Item::Done(Box::new(result)));
            });
        }
        let shared = Arc::clone(&self.lines);
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            let mut lines = shared.lock().await;
            let mut batch = Vec::new();
            let mut next = lines.recv().await;
            while let Some(item) = next {
                match item {
                    Item::Page(line) => batch.push(line),
                    Item::Done(result) => match *result {
                        Ok(_) => break,
                        Err(err) => return Err(spec::start_error(&err)),
                    },
                }
                next = if batch.len() < BATCH {
                    lines.try_recv().ok()
                } else {
                    None
                };
            }
            Ok((!batch.is_empty()).then_some(batch))
        })
    }

    /// Stops the crawl; the lines already sent can still be read.
    fn cancel(&self) {
        self.cancel.cancel();
    }
}
