//! Renders pages for crawlgraph in headless Chromium, over the DevTools protocol
//! (chromiumoxide, on tokio).
//!
//! [`Chromium`] implements crawler-core's [`Renderer`](crawler_core::render::Renderer): attach
//! it with [`CrawlerBuilder::renderer`](crawler_core::CrawlerBuilder::renderer) and set
//! [`render`](crawler_core::CrawlerBuilder::render) to `always` or `auto`. The browser never
//! reaches the network itself: the page's document is the body the crawl fetched, and every
//! other request is answered through the crawl's loader (scope, robots.txt, private
//! addresses, politeness, request stats), or blocked.
//!
//! # Architecture
//! - `chromium.rs`: [`Chromium`], the renderer: the tab pool, browser restarts, stats.
//! - `browser.rs`: one browser process: its flags, its tabs, its death.
//! - `tab.rs`: one page rendered in one tab: request interception, settling, reading the DOM.
//! - `process.rs`: the browser's process tree in `/proc`: memory, and killing it all.

mod browser;
mod chromium;
mod process;
mod tab;

use std::path::{Path, PathBuf};

pub use chromium::{
    Chromium, ChromiumOptions, ChromiumStats, DEFAULT_MAX_RSS, DEFAULT_RESTART_AFTER,
};

/// The environment variable naming the Chromium executable.
pub const CHROMIUM_ENV: &str = "CHROMIUM";

/// Names tried on the `PATH` when no executable is given.
const NAMES: [&str; 4] = ["chromium", "chromium-browser", "google-chrome", "chrome"];

/// Why rendering cannot start or go on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// No Chromium executable was found.
    #[error(
        "no Chromium found ({0}); install chromium or give its path with --chromium or CHROMIUM"
    )]
    NoChromium(String),
    /// The temporary browser profile could not be made.
    #[error("cannot make a browser profile folder: {0}")]
    Profile(String),
    /// Chromium did not start.
    #[error("Chromium did not start: {0}")]
    Launch(String),
    /// The browser failed a command (a tab could not be opened).
    #[error("browser error: {0}")]
    Browser(String),
}

/// The Chromium executable: `explicit` if given, else the [`CHROMIUM_ENV`] variable, else the
/// first of `chromium`, `chromium-browser`, `google-chrome`, `chrome` on the `PATH`.
///
/// # Errors
/// [`RenderError::NoChromium`] when the one named is not a file, or none is on the `PATH`.
pub fn find_chromium(explicit: Option<&Path>) -> Result<PathBuf, RenderError> {
    let named = explicit
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os(CHROMIUM_ENV).map(PathBuf::from));
    if let Some(path) = named {
        return if path.is_file() {
            Ok(path)
        } else {
            Err(RenderError::NoChromium(format!(
                "{} is not a file",
                path.display()
            )))
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .flat_map(|dir| NAMES.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| RenderError::NoChromium("none on the PATH".to_owned()))
}
