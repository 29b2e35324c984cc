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
//! - `mod.rs`: the seam ([`Renderer`], [`Loader`] and their types) and `render_page`.
//! - `loader.rs`: the crawl's [`Loader`], over the fetch context.
//! - `cache.rs`: the answers to rendered pages' requests, kept so that a subresource many
//!   pages load is requested once.
//! - [`auto`]: which pages `auto` renders, and what it learns per URL pattern.

pub mod auto;
pub(crate) mod cache;
pub(crate) mod loader;

use std::fmt::Debug;
use std::time::Duration;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::config::render::RenderMode;
use crate::error::PageError;
use crate::extract::{extract_with, RawLink};
use crate::fetch::context::FetchContext;
use crate::fetch::page_links::{PageLinks, Rules};
use crate::graph::LinkKind;
use crate::outcome::{Hop, PageOutcome};

/// A browser that renders pages: loads a page's HTML, runs its scripts, and returns the DOM
/// once the page settled.
///
/// Object safe: a crawl holds an `Arc<dyn Renderer>` (see
/// [`CrawlerBuilder::renderer`](crate::CrawlerBuilder::renderer)). It is called from many fetch
/// tasks at once and bounds its own concurrency.
pub trait Renderer: Send + Sync + Debug {
    /// Renders `page`. Every request the page makes (scripts, `fetch()`, stylesheets) must be
    /// answered through `loader`, never from the network directly; a navigation of the top
    /// frame away from the page must not be followed but reported in
    /// [`Rendered::navigations`].
    fn render<'a>(
        &'a self,
        page: RenderRequest<'a>,
        loader: &'a dyn Loader,
    ) -> BoxFuture<'a, Result<Rendered, RenderFailure>>;
}

/// A page to render: what the crawl fetched for it.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct RenderRequest<'a> {
    /// The page's URL (the last hop of its redirect chain).
    pub url: &'a Url,
    /// The HTTP status it was served with.
    pub status: u16,
    /// Its `Content-Type`, as served.
    pub content_type: Option<&'a str>,
    /// Its body, as fetched: the renderer serves this as the document.
    pub body: &'a [u8],
    /// The page is settled once it made no request for this long after its `load` event.
    pub wait: Duration,
    /// The render must be done within this time, or fail with [`RenderFailure::Timeout`].
    pub timeout: Duration,
    /// Whether images, media and fonts are loaded (else the renderer blocks them).
    pub load_resources: bool,
}

/// What a render gives back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rendered {
    /// The DOM once settled, serialised as HTML (`document.documentElement.outerHTML`).
    pub html: String,
    /// URLs the page's scripts navigated to: the top frame's navigations away from the page
    /// (blocked, not followed) and the URLs pushed with the History API, in order.
    pub navigations: Vec<String>,
}

impl Rendered {
    /// A render result of `html` and `navigations`.
    pub fn new(html: String, navigations: Vec<String>) -> Self {
        Self { html, navigations }
    }
}

/// Why a page could not be rendered. The crawl records it on the page and keeps the page's
/// static links.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RenderFailure {
    /// The page did not settle within its time.
    #[error("the page did not settle in time")]
    Timeout,
    /// The browser failed: it crashed, the tab crashed (a page out of memory), or it could not
    /// be started.
    #[error("{0}")]
    Failed(String),
}

/// A request a page being rendered makes.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct SubRequest<'a> {
    /// The URL asked for.
    pub url: &'a str,
    /// The HTTP method.
    pub method: &'a str,
}

impl<'a> SubRequest<'a> {
    /// A request of `method` for `url`.
    pub fn new(url: &'a str, method: &'a str) -> Self {
        Self { url, method }
    }
}

/// How a [`Loader`] answered a [`SubRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Load {
    /// The server's answer, to hand to the page.
    Answer {
        /// HTTP status.
        status: u16,
        /// Response headers (without framing headers: the body is whole and decoded).
        headers: Vec<(String, String)>,
        /// The body, decoded, at most the crawl's body cap.
        body: Vec<u8>,
    },
    /// The crawl refuses the request (out of scope, robots.txt, a private address, a method
    /// other than GET or HEAD): the page sees a blocked request.
    Refused {
        /// Why, for logs.
        reason: String,
    },
    /// The request was made and failed (connection, timeout): the page sees a network error.
    Failed {
        /// What failed, for logs.
        detail: String,
    },
}

/// Answers the requests of a page being rendered, under the crawl's rules.
pub trait Loader: Send + Sync {
    /// Loads `request` or refuses it.
    fn load<'a>(&'a self, request: SubRequest<'a>) -> BoxFuture<'a, Load>;
}

/// What rendering did to one page: stored in its outcome and counted in the crawl's stats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RenderNote {
    /// Links the rendered DOM had that the static HTML did not (script navigations included).
    pub gained: usize,
    /// Requests made for the page while it was rendered.
    pub requests: usize,
    /// Body bytes read for those requests.
    pub bytes: u64,
}

impl RenderNote {
    /// What rendering a page did: `gained` links, `requests` made reading `bytes` body bytes.
    pub fn new(gained: usize, requests: usize, bytes: u64) -> Self {
        Self {
            gained,
            requests,
            bytes,
        }
    }
}

/// How much longer than the renderer's own deadline the fetch waits for it before giving
/// the render up: a renderer that misses its deadline is cut off here.
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
        ctx.config.render.active().is_some()
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
    let (Some(renderer), Some(hop)) = (options.active(), outcome.hops.last_mut()) else {
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
    let result = tokio::time::timeout(timeout + GRACE, renderer.render(request, &loader))
        .await
        .unwrap_or(Err(RenderFailure::Timeout));
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
