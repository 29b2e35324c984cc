//! Progress events, so an embedder (the CLI's progress bar, a log, a UI) can follow a crawl.
//!
//! The library prints nothing; it calls the handler given to
//! [`CrawlerBuilder::on_event`](crate::CrawlerBuilder::on_event) from its tasks, so the handler
//! must be cheap and must not block.

use std::sync::Arc;

use url::Url;

use crate::error::PageError;
use crate::graph::report::CrawlStats;

/// Something that happened during a crawl.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum CrawlEvent {
    /// The crawl began.
    Started {
        /// How many distinct seeds it has (a copy of a list of millions for each event
        /// handler would hold up the first request).
        seeds: usize,
    },
    /// A level of the breadth-first crawl is about to be fetched.
    LevelStarted {
        /// The level's depth (seeds are 0).
        depth: u32,
        /// How many pages it holds.
        pages: usize,
    },
    /// A request is about to be sent: its host permit is held (one event per redirect hop and
    /// per retry).
    PageStarted {
        /// The URL requested.
        url: Url,
        /// Its depth.
        depth: u32,
    },
    /// A response arrived and was read.
    PageDone {
        /// The URL requested.
        url: Url,
        /// Its depth.
        depth: u32,
        /// The HTTP status.
        status: u16,
        /// How many links were taken from it.
        links: usize,
    },
    /// A request failed; the failure is also stored on the page's node.
    PageFailed {
        /// The URL requested.
        url: Url,
        /// Its depth.
        depth: u32,
        /// What went wrong.
        error: PageError,
    },
    /// A level is finished.
    LevelDone {
        /// The level's depth.
        depth: u32,
        /// Pages queued for the next level.
        next: usize,
    },
    /// Where a crawl without levels stands: sent at most every [`PROGRESS_EVERY`], as pages
    /// are folded.
    Progress {
        /// Pages fetched and folded.
        done: usize,
        /// Pages known to be fetched: done, in flight and waiting. Grows as pages are found.
        known: usize,
        /// Hosts with a page in flight or waiting.
        hosts: usize,
        /// The host with the most pages in flight or waiting, and how many, when it holds
        /// more than half of them: the host the crawl's end waits for.
        slowest: Option<(String, usize)>,
    },
    /// The crawl ended; the report follows.
    Finished {
        /// Final counters.
        stats: CrawlStats,
    },
}

/// The least time between two [`CrawlEvent::Progress`] events.
pub const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

/// The event callback, shared by all tasks of a crawl.
pub(crate) type EventHandler = Arc<dyn Fn(&CrawlEvent) + Send + Sync>;

/// Sends events to the handler if there is one.
#[derive(Clone, Default)]
pub(crate) struct Events(Option<EventHandler>);

impl Events {
    pub(crate) fn new(handler: Option<EventHandler>) -> Self {
        Self(handler)
    }

    /// Whether a handler listens.
    pub(crate) fn is_heard(&self) -> bool {
        self.0.is_some()
    }

    /// Builds and sends an event; the closure is not called when nobody listens.
    pub(crate) fn emit(&self, event: impl FnOnce() -> CrawlEvent) {
        if let Some(handler) = &self.0 {
            handler(&event());
        }
    }
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Events")
            .field(&self.0.as_ref().map(|_| "handler"))
            .finish()
    }
}
