//! Rendering a fetched HTML page in a browser, behind a narrow seam: [`Renderer`] is what a
//! browser implements (the `crawler-render` crate drives Chromium), [`Loader`] is what the
//! crawl gives it so that every request the page makes goes through the crawl's own rules.
//!
//! The fetch calls `render_page` once per HTML page whose static links are known: it decides
//! whether to render ([`RenderMode`](crate::config::render::RenderMode), and for `auto` the
//! [`auto`] heuristic), hands the page to the renderer, takes the links of the rendered DOM with
//! the same extractor and rules as the static HTML, and adds those the static HTML did not have,
//! marked [`rendered`](crate::FoundLink::rendered). Navigations made by the page's scripts
//! (`location = ...`, `history.pushState`) come back as [`LinkKind::Script`] links.
//!
//! The renderer never reaches the network by itself: the page's own document is the body the
//! crawl already fetched, and every further request is answered through the [`Loader`], which
//! checks scope, robots.txt and private addresses, waits for the host's politeness permit, and
//! counts the request in the crawl's stats.
//!
//! # Architecture
//! - `mod.rs`: `render_page`, and which pages may be rendered.
//! - `seam.rs`: the seam ([`Renderer`], [`Loader`] and the values they exchange).
//! - `loader.rs`: the crawl's [`Loader`], over the fetch context.
//! - `cache.rs`: the answers to rendered pages' requests, kept so that a subresource many
//!   pages load is requested once.
//! - [`auto`]: which pages `auto` renders, and what it learns per URL pattern.

pub mod auto;
pub(crate) mod cache;
pub(crate) mod loader;
mod seam;

pub use crate::outcome::RenderNote;
pub use seam::{Load, Loader, RenderFailure, RenderRequest, Rendered, Renderer, SubRequest};

use std::fmt::Debug;
use std::time::Duration;

use url::Url;

use crate::config::render::RenderMode;
use crate::error::PageError;
use crate::extract::{extract_with, RawLink};
use crate::fetch::context::FetchContext;
use crate::fetch::page_links::{PageLinks, Rules};
use crate::graph::LinkKind;
use crate::outcome::{Hop, PageOutcome};

/// How much longer than the renderer's own deadline the fetch waits for it, counted from when
/// the render had its turn ([`Loader::started`]), before giving the render up: a renderer that
/// misses its deadline is cut off here.
const GRACE: Duration = Duration::from_secs(2);

/// A fetched HTML page that may be rendered: its URL, the base its links resolve against, and
/// its body as fetched.
#[derive(Debug)]
pub(crate) struct StaticPage {
    pub(crate) url: Url,
    pub(crate) base: Url,
    pub(crate) body: Vec<u8>,
}

impl StaticPage {
    /// Whether a page answered with `hop` may be rendered in this crawl: rendering is on, and
    /// the page is an http(s) HTML document with a 2xx status. A `file://` page is not: the
    /// browser would read it, and what its scripts load, from the disk itself, past the
    /// crawl's rules.
    pub(crate) fn wanted(ctx: &FetchContext, hop: &Hop) -> bool {
        ctx.renderer().is_some()
            && matches!(hop.url.scheme(), "http" | "https")
            && hop
                .status
                .is_some_and(|status| (200..300).contains(&status))
            && crate::fetch::response::is_html(hop.content_type.as_deref())
    }
}

/// Renders `page` when the crawl's mode says so, within its own `page_timeout`, adding the
/// links only the rendered DOM has to `outcome` (marked rendered). A failed render is recorded
/// on the page's hop with the static links kept. Sets `outcome.rendered` when the page was
/// rendered.
pub(crate) async fn render_page(ctx: &FetchContext, page: StaticPage, outcome: &mut PageOutcome) {
    let options = &ctx.config.render;
    let (Some(renderer), Some(hop)) = (ctx.renderer(), outcome.hops.last_mut()) else {
        return;
    };
    let pattern = auto::pattern(&page.url);
    if options.mode == RenderMode::Auto {
        let followed = outcome
            .links
            .iter()
            .filter(|l| l.kind.is_followed())
            .count();
        let signals = auto::Signals::of(&page.body, followed);
        if !ctx.auto_render.should_render(&pattern, &signals) {
            return;
        }
    }
    let loader = loader::CrawlLoader::new(ctx);
    let timeout = ctx.config.page_timeout;
    let request = RenderRequest {
        url: &page.url,
        status: hop.status.unwrap_or_default(),
        content_type: hop.content_type.as_deref(),
        body: &page.body,
        wait: options.wait,
        timeout,
        load_resources: options.load_resources,
    };
    let result = tokio::select! {
        result = renderer.render(request, &loader) => result,
        () = loader.clock().expired(timeout + GRACE) => Err(RenderFailure::Timeout),
    };
    let mut note = RenderNote {
        gained: 0,
        requests: loader.requests(),
        bytes: loader.bytes(),
    };
    match result {
        Ok(dom) => {
            let mut links = PageLinks::from_found(std::mem::take(&mut outcome.links));
            let before = links.len();
            add_rendered(ctx, &page, dom, &mut links);
            note.gained = links.len() - before;
            outcome.links = links.finish();
        }
        Err(failure) => {
            tracing::debug!(url = %page.url, %failure, "render failed");
            hop.error.get_or_insert(match failure {
                RenderFailure::Timeout => PageError::RenderTimeout {
                    limit_ms: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
                },
                RenderFailure::Failed(detail) => PageError::RenderFailed { detail },
            });
        }
    }
    if options.mode == RenderMode::Auto {
        ctx.auto_render.learn(pattern, note.gained > 0);
    }
    outcome.rendered = Some(note);
}

/// Adds the links of the rendered DOM and the script navigations that `links` lacks, taken
/// with the static extractor and resolved by the same rules.
fn add_rendered(ctx: &FetchContext, page: &StaticPage, rendered: Rendered, links: &mut PageLinks) {
    let rules = Rules::of(ctx);
    let max_links = ctx.config.max_links_per_page.get();
    let dom = extract_with(ctx.config.extraction, &rendered.html, max_links);
    let max_len = ctx.config.max_url_len.get();
    let base = dom
        .base
        .as_deref()
        .and_then(|base| crate::url_norm::resolve(&page.url, base, max_len).ok())
        .unwrap_or_else(|| page.base.clone());
    links.add_rendered(&rules, &base, dom.links);
    let navigations = rendered
        .navigations
        .into_iter()
        .map(|href| RawLink::new(href, LinkKind::Script, None, None))
        .collect();
    links.add_rendered(&rules, &page.url, navigations);
}
