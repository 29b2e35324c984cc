//! The rendering flags: `--render`, `--render-wait`, `--render-concurrency`, `--chromium`.
//! When to render and how a page settles are the library's rules
//! ([`crawler_core::RenderMode`]); the browser is `crawler-render`'s.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use crawler_core::{RenderMode, DEFAULT_RENDER_WAIT};

use super::values::{at_least_one, secs_or_zero, Secs};

/// Rendering flags.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Rendering")]
pub(crate) struct RenderArgs {
    /// Render HTML pages in headless Chromium and add the links of the settled DOM (marked
    /// rendered) and script navigations (kind script): never; always; auto = only pages whose
    /// HTML looks like an app shell, learning per URL pattern whether it pays.
    #[arg(long, value_name = "MODE", default_value_t = RenderMode::Never, value_parser = parse_mode)]
    pub(crate) render: RenderMode,

    /// A rendered page is settled once it made no request for this long after loading, in
    /// seconds; the whole render is bounded by --page-timeout.
    #[arg(long, value_name = "SECS", default_value_t = Secs(DEFAULT_RENDER_WAIT), value_parser = secs_or_zero)]
    pub(crate) render_wait: Secs,

    /// Pages rendered at once, each in its own tab [default: one per core].
    #[arg(long, value_name = "N", value_parser = at_least_one)]
    pub(crate) render_concurrency: Option<NonZeroUsize>,

    /// The Chromium executable [default: chromium on the PATH].
    #[arg(long, value_name = "PATH", env = "CHROMIUM")]
    pub(crate) chromium: Option<PathBuf>,
}

fn parse_mode(s: &str) -> Result<RenderMode, String> {
    s.parse()
        .map_err(|err: crawler_core::config::render::UnknownRenderMode| err.to_string())
}
