//! [`Chromium`]: the crawl's [`Renderer`], one browser with a pool of reused tabs.
//!
//! At most `concurrency` pages render at once, each in a tab of its own that goes back to the
//! pool afterwards. A tab whose render failed or timed out (a script that never stops, a crash)
//! is closed, never reused. The browser is started on the first render and started again when
//! it died (crashed, killed), after [`ChromiumOptions::restart_after`] pages, or once its
//! processes hold more than [`ChromiumOptions::max_rss`] after a render: the old one finishes
//! the renders it has and is killed, process tree and all, when its last tab is gone. A browser
//! that passes the [hard limit](ChromiumOptions::hard_limit) (half again `max_rss`) *while*
//! pages render is killed at once (within a 100 ms poll), and those pages fail with
//! `render_failed`: a page that allocates without end costs its own render and those beside
//! it, never the machine's memory.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chromiumoxide::Page;
use crawler_core::render::{Loader, RenderFailure, RenderRequest, Rendered, Renderer};
use crawler_core::{CrawlSpec, RenderMode};
use futures::future::{BoxFuture, FutureExt};

use crate::browser::Live;
use crate::{tab, RenderError};

/// Default pages rendered by one browser before it is replaced by a fresh one.
pub const DEFAULT_RESTART_AFTER: usize = 1000;

/// Default resident memory of the browser's processes above which it is replaced: 2 GiB.
pub const DEFAULT_MAX_RSS: u64 = 2 << 30;

/// How Chromium is run.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ChromiumOptions {
    /// The executable (see [`find_chromium`](crate::find_chromium)).
    pub executable: PathBuf,
    /// Pages rendered at once, each in its own tab.
    pub concurrency: usize,
    /// Pages one browser renders before it is replaced.
    pub restart_after: usize,
    /// Memory of the browser's processes (their anonymous resident memory), in bytes, above
    /// which it is replaced after a render; past [`hard_limit`](Self::hard_limit) it is killed
    /// at once.
    pub max_rss: u64,
    /// How long one DevTools command may take (a page's own render is bounded by the crawl).
    pub command_timeout: Duration,
}

impl ChromiumOptions {
    /// Options for `executable`, rendering `concurrency` pages at once, with the defaults.
    pub fn new(executable: PathBuf, concurrency: usize) -> Self {
        Self {
            executable,
            concurrency: concurrency.max(1),
            restart_after: DEFAULT_RESTART_AFTER,
            max_rss: DEFAULT_MAX_RSS,
            command_timeout: Duration::from_secs(30),
        }
    }

    /// The memory past which the browser is killed at once, even mid-render: half again
    /// [`max_rss`](Self::max_rss). Between the two it is only replaced after a render, so
    /// that its other renders finish.
    pub fn hard_limit(&self) -> u64 {
        self.max_rss.saturating_add(self.max_rss / 2)
    }

    /// The options a crawl of `spec` renders with, or `None` when it renders nothing: the
    /// executable its `chromium` names (else [`find_chromium`](crate::find_chromium)'s), one
    /// tab per core unless `render_concurrency` says, and DevTools commands allowed as long as
    /// a page (`page_timeout`). What every front door (the CLI, a Redis worker, Python) uses.
    ///
    /// # Errors
    /// [`RenderError::NoChromium`] when `spec` renders and no executable is found.
    pub fn for_spec(spec: &CrawlSpec) -> Result<Option<Self>, RenderError> {
        if spec.render == RenderMode::Never {
            return Ok(None);
        }
        let executable = crate::find_chromium(spec.worker.chromium.as_deref())?;
        let tabs = spec.worker.render_concurrency.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
        });
        let mut options = Self::new(executable, tabs);
        options.command_timeout = options.command_timeout.max(spec.page_timeout);
        Ok(Some(options))
    }
}

/// What the renderer did so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChromiumStats {
    /// Browsers started (1 plus the restarts).
    pub launches: usize,
    /// Largest resident memory of a browser's processes seen (read every 100 ms), in bytes.
    pub peak_rss: u64,
    /// Pages rendered, failed ones included.
    pub renders: usize,
}

/// A tab and the browser it belongs to: the tab keeps its browser alive. A tab dropped while
/// `in_use` (its render failed, timed out, or was dropped half-way: a cancelled crawl, a task
/// that panicked) may be stuck in a script, so the browser closes it, which ends its renderer.
struct Tab {
    page: Page,
    live: Arc<Live>,
    in_use: bool,
}

impl Drop for Tab {
    fn drop(&mut self) {
        if !self.in_use {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let (page, live) = (self.page.clone(), Arc::clone(&self.live));
            runtime.spawn(async move { live.close_tab(&page, tab::CLOSE_TIMEOUT).await });
        }
    }
}

/// Renders pages in headless Chromium: one browser, started on the first render and again
/// when it died or grew too big, with at most `concurrency` tabs rendering at once. Hand an
/// `Arc` to [`CrawlerBuilder::renderer`](crawler_core::CrawlerBuilder::renderer), and call
/// [`shutdown`](Self::shutdown) once the crawl is over.
pub struct Chromium {
    options: ChromiumOptions,
    slots: tokio::sync::Semaphore,
    /// The current browser; a tokio mutex since starting one is awaited under it.
    current: tokio::sync::Mutex<Option<Arc<Live>>>,
    /// Idle tabs. A std mutex: held for a push or a pop, never across an await.
    idle: Mutex<Vec<Tab>>,
    /// Holds every browser profile; removed when the renderer is dropped.
    profiles: tempfile::TempDir,
    launches: AtomicUsize,
    renders: AtomicUsize,
    peak_rss: AtomicU64,
}

impl std::fmt::Debug for Chromium {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chromium")
            .field("options", &self.options)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl Chromium {
    /// A renderer that starts its browser on the first render. Checks only that the
    /// executable exists.
    ///
    /// # Errors
    /// [`RenderError::NoChromium`] when the executable is not a file;
    /// [`RenderError::Profile`] when the temporary profile folder cannot be made.
    pub fn new(options: ChromiumOptions) -> Result<Self, RenderError> {
        if !options.executable.is_file() {
            return Err(RenderError::NoChromium(
                options.executable.display().to_string(),
            ));
        }
        let profiles = tempfile::Builder::new()
            .prefix("crawlgraph-chromium-")
            .tempdir()
            .map_err(|err| RenderError::Profile(err.to_string()))?;
        Ok(Self {
            slots: tokio::sync::Semaphore::new(options.concurrency),
            options,
            current: tokio::sync::Mutex::new(None),
            idle: Mutex::new(Vec::new()),
            profiles,
            launches: AtomicUsize::new(0),
            renders: AtomicUsize::new(0),
            peak_rss: AtomicU64::new(0),
        })
    }

    /// Starts the browser now rather than on the first render, so that a browser that cannot
    /// start is an error before the crawl begins.
    ///
    /// # Errors
    /// [`RenderError::Launch`] when Chromium does not start.
    pub async fn start(&self) -> Result<(), RenderError> {
        self.browser().await.map(drop)
    }

    /// What the renderer did so far.
    pub fn stats(&self) -> ChromiumStats {
        ChromiumStats {
            launches: self.launches.load(Ordering::Relaxed),
            peak_rss: self.peak_rss.load(Ordering::Relaxed),
            renders: self.renders.load(Ordering::Relaxed),
        }
    }

    /// The process id of the current browser, if one runs.
    pub async fn browser_pid(&self) -> Option<u32> {
        self.current.lock().await.as_ref().map(|live| live.pid())
    }

    /// Stops the browser: idle tabs are dropped, and the browser's processes are killed once
    /// no render holds a tab (at once when the crawl is over). Renders after this start a
    /// new browser.
    pub async fn shutdown(&self) {
        self.lock_idle().clear();
        let current = self.current.lock().await.take();
        if let Some(live) = current.and_then(|live| Arc::try_unwrap(live).ok()) {
            live.close(tab::CLOSE_TIMEOUT).await;
        }
    }

    fn lock_idle(&self) -> std::sync::MutexGuard<'_, Vec<Tab>> {
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The current browser, started (again) if there is none or it died.
    async fn browser(&self) -> Result<Arc<Live>, RenderError> {
        let mut current = self.current.lock().await;
        if let Some(live) = current.as_ref().filter(|live| live.is_alive()) {
            return Ok(Arc::clone(live));
        }
        if current.take().is_some() {
            tracing::info!("the browser died; starting a new one");
            self.lock_idle().clear();
        }
        let launch = self.launches.fetch_add(1, Ordering::Relaxed);
        let profile = self.profiles.path().join(format!("profile-{launch}"));
        let live = Live::launch(
            &self.options.executable,
            &profile,
            self.options.command_timeout,
            self.options.hard_limit(),
        )
        .await
        .map(Arc::new);
        if live.is_err() {
            self.launches.fetch_sub(1, Ordering::Relaxed);
        }
        let live = live?;
        *current = Some(Arc::clone(&live));
        Ok(live)
    }

    /// An idle tab of the current browser, or a new one. Idle tabs of a browser that died or
    /// was retired are dropped (the last one of a retired browser ends it).
    async fn tab(&self) -> Result<Tab, RenderError> {
        let live = self.browser().await?;
        loop {
            let idle = self.lock_idle().pop();
            match idle {
                Some(mut tab) if Arc::ptr_eq(&tab.live, &live) => {
                    tab.in_use = true;
                    return Ok(tab);
                }
                Some(_) => {}
                None => break,
            }
        }
        let page = live.new_tab().await?;
        Ok(Tab {
            page,
            live,
            in_use: true,
        })
    }

    /// After a render on `live`: retires the browser when it rendered enough pages or holds
    /// too much memory (it is killed once its last tab is dropped).
    async fn account(&self, live: &Arc<Live>) {
        self.renders.fetch_add(1, Ordering::Relaxed);
        let rendered = live.rendered.fetch_add(1, Ordering::Relaxed) + 1;
        let rss = live.rss();
        self.peak_rss
            .fetch_max(live.peak_rss().max(rss), Ordering::Relaxed);
        if rendered >= self.options.restart_after || rss > self.options.max_rss {
            let mut current = self.current.lock().await;
            if current.as_ref().is_some_and(|c| Arc::ptr_eq(c, live)) {
                tracing::info!(rendered, rss, "replacing the browser");
                current.take();
                self.lock_idle().retain(|tab| !Arc::ptr_eq(&tab.live, live));
            }
        }
    }

    async fn render_page(
        &self,
        request: RenderRequest<'_>,
        loader: &dyn Loader,
    ) -> Result<Rendered, RenderFailure> {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|err| RenderFailure::Failed(err.to_string()))?;
        loader.started();
        let tab = self
            .tab()
            .await
            .map_err(|err| RenderFailure::Failed(err.to_string()))?;
        let render = tab::render(&tab.page, request, loader, tab.live.died());
        let result = tokio::time::timeout(request.timeout, render)
            .await
            .unwrap_or(Err(RenderFailure::Timeout));
        self.account(&tab.live).await;
        if result.is_ok() && tab.live.is_alive() {
            let mut tab = tab;
            tab.in_use = false;
            self.lock_idle().push(tab);
        }
        // A tab that failed is dropped in use: closed without the render waiting for that.
        result
    }
}

impl Renderer for Chromium {
    fn render<'a>(
        &'a self,
        page: RenderRequest<'a>,
        loader: &'a dyn Loader,
    ) -> BoxFuture<'a, Result<Rendered, RenderFailure>> {
        self.render_page(page, loader).boxed()
    }
}
