//! The settings of rendering pages in a browser: when a page is rendered ([`RenderMode`]) and
//! how long a rendered page may stay quiet before its DOM is read.
//!
//! Data only. The browser itself is attached to the crawler
//! ([`CrawlerBuilder::renderer`](crate::CrawlerBuilder::renderer)); the decision per page and
//! the merge of rendered links are the fetch's (`fetch/render/`).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Default quiet time after which a rendered page is taken as settled: no request of the
/// page's own for this long after its `load` event.
pub const DEFAULT_RENDER_WAIT: Duration = Duration::from_millis(500);

/// When HTML pages are rendered in a browser before their links are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RenderMode {
    /// Never: links come from the HTML as served.
    #[default]
    Never,
    /// Every HTML page is rendered; its links are those of the static HTML and of the DOM
    /// once the page settled.
    Always,
    /// A page is rendered only when its static HTML looks like an application shell, and a
    /// URL pattern whose renders never gained a link is rendered only now and then.
    Auto,
}

impl RenderMode {
    /// The lowercase name used on the command line and in a spec.
    pub fn as_str(self) -> &'static str {
        match self {
            RenderMode::Never => "never",
            RenderMode::Always => "always",
            RenderMode::Auto => "auto",
        }
    }
}

impl fmt::Display for RenderMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name is not a [`RenderMode`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown render mode `{0}` (modes: never, always, auto)")]
pub struct UnknownRenderMode(pub String);

impl FromStr for RenderMode {
    type Err = UnknownRenderMode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [RenderMode::Never, RenderMode::Always, RenderMode::Auto]
            .into_iter()
            .find(|mode| mode.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownRenderMode(s.to_owned()))
    }
}

/// The validated render settings of a crawl.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RenderOptions {
    /// When pages are rendered.
    pub mode: RenderMode,
    /// Quiet time after which a page is taken as settled.
    pub wait: Duration,
    /// Whether the page's images, media and fonts are loaded too (`check_resources`).
    pub load_resources: bool,
}
