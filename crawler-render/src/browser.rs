//! One Chromium process: launched headless with its own profile, reached over the DevTools
//! protocol, watched for memory, and killed with its whole process tree when the last handle to
//! it is dropped or its processes pass their memory cap.
//!
//! The browser is launched so that it can reach nothing by itself: every request of a page is
//! paused by the Fetch domain and answered by the crawl (see `tab`), and anything the Fetch
//! domain does not see (WebSockets, the browser's own background requests) goes to a proxy on a
//! closed loopback port, loopback included (`<-loopback>`).

use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::inspector;
use chromiumoxide::cdp::browser_protocol::target::CloseTargetParams;
use chromiumoxide::error::CdpError;
use chromiumoxide::{Browser, BrowserConfig, Page};
use futures::StreamExt;

use crate::process;
use crate::RenderError;

/// How long Chromium may take to start and print its DevTools address.
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(60);

/// How often the memory of a browser's processes is read: a page that allocates a GiB a second
/// gets at most this long past the cap.
const MEMORY_POLL: Duration = Duration::from_millis(100);

/// Polls between two readings of the browser's process tree when no tab was opened.
const TREE_EVERY: u32 = 10;

/// Why a render failed when the browser ended for a reason nobody told.
pub(crate) const GONE: &str = "the browser went away";

/// Where requests the Fetch domain does not pause are sent: a closed port on loopback.
const NOWHERE_PROXY: &str = "--proxy-server=http://127.0.0.1:9";

/// What a page's script sees of the History API: `pushState` and `replaceState` also record
/// the URL, resolved, in a hidden array read once the page settled.
pub(crate) const HISTORY_HOOK: &str = r"(() => {
  const routes = [];
  Object.defineProperty(window, '__crawlgraphRoutes', { value: routes });
  for (const name of ['pushState', 'replaceState']) {
    const original = history[name];
    history[name] = function (state, title, url) {
      if (url !== undefined && url !== null) {
        try { routes.push(new URL(String(url), document.baseURI).href); } catch (e) {}
      }
      return original.apply(this, arguments);
    };
  }
})();";

/// A running browser. Dropping the last `Arc` to it kills its process tree.
pub(crate) struct Live {
    browser: Browser,
    pid: u32,
    handler: tokio::task::JoinHandle<()>,
    /// Reads the processes' memory and kills them all above the cap.
    watchdog: tokio::task::JoinHandle<()>,
    /// `None` while the browser runs; why it ended once it did. A render waits on it to notice
    /// a dead browser.
    death: tokio::sync::watch::Receiver<Option<String>>,
    /// Largest resident memory of the browser's processes seen by the watchdog, in bytes.
    peak_rss: Arc<AtomicU64>,
    /// Pages rendered on this browser so far.
    pub(crate) rendered: AtomicUsize,
    /// Tabs opened so far: the watchdog reads the process tree again when it changes.
    tabs: Arc<AtomicUsize>,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live")
            .field("pid", &self.pid)
            .field("alive", &self.is_alive())
            .finish_non_exhaustive()
    }
}

impl Live {
    /// Starts `executable` with its profile in `profile` (a fresh folder), commands timing
    /// out after `command_timeout`, killed as soon as its processes hold more than
    /// `memory_cap` bytes (the hard limit, above the cap at which it is replaced).
    pub(crate) async fn launch(
        executable: &Path,
        profile: &Path,
        command_timeout: Duration,
        memory_cap: u64,
    ) -> Result<Self, RenderError> {
        let mut config = BrowserConfig::builder()
            .chrome_executable(executable)
            .user_data_dir(profile)
            .enable_request_intercept()
            .disable_cache()
            .launch_timeout(LAUNCH_TIMEOUT)
            .request_timeout(command_timeout)
            .args([
                NOWHERE_PROXY,
                "--proxy-bypass-list=<-loopback>",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-domain-reliability",
                "--disable-sync",
                "--no-first-run",
                "--no-pings",
                "--dns-prefetch-disable",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--mute-audio",
            ]);
        // Chromium refuses to run its sandbox as root (tests and containers run as root).
        if rustix::process::geteuid().is_root() {
            config = config.no_sandbox();
        }
        let config = config.build().map_err(RenderError::Launch)?;
        let (mut browser, mut handler) = Browser::launch(config)
            .await
            .map_err(|err| RenderError::Launch(err.to_string()))?;
        let pid = browser
            .get_mut_child()
            .and_then(|child| child.as_mut_inner().id())
            .unwrap_or_default();
        let (tell, death) = tokio::sync::watch::channel(None);
        let tell = Arc::new(tell);
        let peak_rss = Arc::new(AtomicU64::new(0));
        let tabs = Arc::new(AtomicUsize::new(0));
        let watchdog = tokio::spawn(watch_memory(
            pid,
            memory_cap,
            (Arc::clone(&peak_rss), Arc::clone(&tabs)),
            Arc::clone(&tell),
        ));
        let handler = tokio::spawn(async move {
            while let Some(event) = handler.next().await {
                match event {
                    // The connection is gone (the browser died or was killed): the handler
                    // would only repeat the error.
                    Err(err @ (CdpError::Ws(_) | CdpError::Io(_))) => {
                        tracing::debug!(%err, "browser connection lost");
                        break;
                    }
                    Err(err) => tracing::debug!(%err, "browser connection"),
                    Ok(()) => {}
                }
            }
            died(&tell, GONE.to_owned());
        });
        tracing::debug!(pid, "browser started");
        Ok(Self {
            browser,
            pid,
            handler,
            watchdog,
            death,
            peak_rss,
            rendered: AtomicUsize::new(0),
            tabs,
        })
    }

    /// Whether the browser still runs and its connection is open.
    pub(crate) fn is_alive(&self) -> bool {
        self.death.borrow().is_none() && !self.handler.is_finished()
    }

    /// Resolves, with why, once the browser is gone (crashed, killed, over its memory cap, its
    /// connection closed).
    pub(crate) fn died(&self) -> impl std::future::Future<Output = String> + Send + 'static {
        let mut death = self.death.clone();
        async move {
            match death.wait_for(Option::is_some).await {
                Ok(why) => why.clone().unwrap_or_default(),
                Err(_) => GONE.to_owned(),
            }
        }
    }

    /// Largest memory of the browser's processes the watchdog has read so far, in bytes.
    pub(crate) fn peak_rss(&self) -> u64 {
        self.peak_rss.load(Ordering::Relaxed)
    }

    /// Closes `tab` from the browser's side, which ends its renderer even when a script
    /// keeps it busy; gives up after `patience`.
    pub(crate) async fn close_tab(&self, tab: &Page, patience: Duration) {
        let close = CloseTargetParams::new(tab.target_id().clone());
        let _ = tokio::time::timeout(patience, self.browser.execute(close)).await;
    }

    /// Asks the browser to quit, then kills what is left of its processes.
    pub(crate) async fn close(mut self, patience: Duration) {
        let _ = tokio::time::timeout(patience, self.browser.close()).await;
        let _ = tokio::time::timeout(patience, self.browser.wait()).await;
        // Drop kills any process still there.
    }

    /// The browser process's id.
    pub(crate) fn pid(&self) -> u32 {
        self.pid
    }

    /// Resident memory of the browser and all its processes, in bytes.
    pub(crate) fn rss(&self) -> u64 {
        process::tree_rss(self.pid)
    }

    /// A new blank tab, with the History API hook installed and crash events on.
    pub(crate) async fn new_tab(&self) -> Result<Page, RenderError> {
        let failed = |err: chromiumoxide::error::CdpError| RenderError::Browser(err.to_string());
        let page = self.browser.new_page("about:blank").await.map_err(failed)?;
        self.tabs.fetch_add(1, Ordering::Relaxed);
        page.evaluate_on_new_document(HISTORY_HOOK)
            .await
            .map_err(failed)?;
        page.execute(inspector::EnableParams::default())
            .await
            .map_err(failed)?;
        Ok(page)
    }
}

/// Records that the browser ended and why, unless an earlier reason is already told.
fn died(tell: &tokio::sync::watch::Sender<Option<String>>, why: String) {
    tell.send_if_modified(|death| {
        if death.is_some() {
            return false;
        }
        *death = Some(why);
        true
    });
}

/// Reads the memory of the process tree of `pid` every [`MEMORY_POLL`], keeping the peak in
/// `peak`; past `cap`, tells why and kills the whole tree (its renders fail with that reason,
/// and the next render starts a fresh browser). Ends when the browser does.
async fn watch_memory(
    pid: u32,
    cap: u64,
    (peak, tabs): (Arc<AtomicU64>, Arc<AtomicUsize>),
    tell: Arc<tokio::sync::watch::Sender<Option<String>>>,
) {
    if pid == 0 {
        return;
    }
    let mut ticks = tokio::time::interval(MEMORY_POLL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let (mut pids, mut tabs_seen, mut polls) = (Vec::new(), usize::MAX, 0_u32);
    while tell.borrow().is_none() {
        ticks.tick().await;
        // The tree (every process's parent) is read once a second, and at once after a new
        // tab: a renderer started for it is watched from the next poll.
        let tabs_now = tabs.load(Ordering::Relaxed);
        if polls % TREE_EVERY == 0 || tabs_now != tabs_seen {
            pids = process::tree(pid);
            tabs_seen = tabs_now;
        }
        polls = polls.wrapping_add(1);
        let rss = process::memory_of(&pids);
        peak.fetch_max(rss, Ordering::Relaxed);
        if rss > cap {
            tracing::info!(
                pid,
                rss,
                cap,
                "the browser passed its memory cap; killing it"
            );
            died(
                &tell,
                format!(
                    "the browser passed its memory limit ({} MiB) while the page rendered",
                    cap >> 20
                ),
            );
            process::kill_tree(pid);
            return;
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.handler.abort();
        self.watchdog.abort();
        if self.pid != 0 {
            process::kill_tree(self.pid);
        }
        // Reap the browser process (killed above) so chromiumoxide does not warn of one left
        // running; a process that takes longer to die is reaped by tokio in the background.
        if let Some(child) = self.browser.get_mut_child() {
            for _ in 0..20 {
                if !matches!(child.try_wait(), Ok(None)) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        tracing::debug!(pid = self.pid, "browser stopped");
    }
}
