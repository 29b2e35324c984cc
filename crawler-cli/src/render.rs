//! The browser of a crawl that renders pages (`--render always|auto`): found and started
//! before the crawl, so that a missing or broken Chromium is an error before anything is
//! fetched, attached to the crawler, and stopped after the crawl. What is rendered and how is
//! the library's (`crawler_core::render`) and `crawler-render`'s.

use std::sync::Arc;

use anyhow::Context;
use crawler_core::{CrawlSpec, CrawlerBuilder, RenderMode};
use crawler_render::{Chromium, ChromiumOptions};

use crate::exit::usage;

/// The browser a crawl renders with, if it renders.
#[derive(Debug, Default)]
pub(crate) struct Browser(Option<Arc<Chromium>>);

impl Browser {
    /// Prepares Chromium when `spec` renders pages, and starts it at once for `always` (so a
    /// browser that cannot start fails the run before anything is fetched). `auto` starts it
    /// on the first page that needs it: a site without app shells never pays for a browser.
    ///
    /// # Errors
    /// A usage error (exit 2) when no Chromium executable is found; an error when it does not
    /// start.
    pub(crate) async fn start(spec: &CrawlSpec) -> anyhow::Result<Self> {
        let options = ChromiumOptions::for_spec(spec)
            .map_err(|err| usage(format!("--render {} needs Chromium: {err}", spec.render)))?;
        let Some(options) = options else {
            return Ok(Self(None));
        };
        let chromium = Chromium::new(options).map_err(|err| usage(err.to_string()))?;
        if spec.render == RenderMode::Always {
            chromium.start().await.context("cannot render pages")?;
        }
        Ok(Self(Some(Arc::new(chromium))))
    }

    /// `builder` with this browser attached, if there is one.
    pub(crate) fn attach(&self, builder: CrawlerBuilder) -> CrawlerBuilder {
        match &self.0 {
            Some(chromium) => builder.renderer(Arc::clone(chromium) as _),
            None => builder,
        }
    }

    /// Stops the browser; returns a line about it for the summary, if pages were rendered.
    pub(crate) async fn stop(&self) -> Option<String> {
        let chromium = self.0.as_ref()?;
        chromium.shutdown().await;
        let stats = chromium.stats();
        if stats.launches == 0 {
            return Some("browser: not needed, not started".to_owned());
        }
        Some(format!(
            "browser: {} started, {} renders, peak RSS {} MiB",
            stats.launches,
            stats.renders,
            stats.peak_rss >> 20
        ))
    }
}
