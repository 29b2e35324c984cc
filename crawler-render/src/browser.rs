//! One Chromium process: launched headless with its own profile, reached over the DevTools
//! protocol, and killed with its whole process tree when the last handle to it is dropped.
//!
//! The browser is launched so that it can reach nothing by itself: every request of a page is
//! paused by the Fetch domain and answered by the crawl (see `tab`), and anything the Fetch
//! domain does not see (WebSockets, the browser's own background requests) goes to a proxy on a
//! closed loopback port, loopback included (`<-loopback>`).

use std::path::Path;
use std::sync::atomic::AtomicUsize;
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
    /// True while the connection is open; a render waits on it to notice a dead browser.
    alive: tokio::sync::watch::Receiver<bool>,
    /// Pages rendered on this browser so far.
    pub(crate) rendered: AtomicUsize,
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
    /// out after `command_timeout`.
    pub(crate) async fn launch(
        executable: &Path,
        profile: &Path,
        command_timeout: Duration,
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
                // A page that allocates without end dies alone (its tab crashes) long before
                // the machine swaps.
                "--js-flags=--max-old-space-size=512",
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
        let (tell, alive) = tokio::sync::watch::channel(true);
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
            let _ = tell.send(false);
        });
        tracing::debug!(pid, "browser started");
        Ok(Self {
            browser,
            pid,
            handler,
            alive,
            rendered: AtomicUsize::new(0),
        })
    }

    /// Whether the connection to the browser is still open.
    pub(crate) fn is_alive(&self) -> bool {
        *self.alive.borrow() && !self.handler.is_finished()
    }

    /// Resolves once the browser is gone (crashed, killed, its connection closed).
    pub(crate) fn died(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut alive = self.alive.clone();
        async move {
            let _ = alive.wait_for(|alive| !alive).await;
        }
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
        page.evaluate_on_new_document(HISTORY_HOOK)
            .await
            .map_err(failed)?;
        page.execute(inspector::EnableParams::default())
            .await
            .map_err(failed)?;
        Ok(page)
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.handler.abort();
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
