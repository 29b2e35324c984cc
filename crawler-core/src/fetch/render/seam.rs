//! The seam between a crawl and a browser: [`Renderer`] is what a browser implements,
//! [`Loader`] what the crawl hands it so that every request of the page goes through the
//! crawl's rules, and the values they exchange. Types only: no crawl state.

use std::fmt::Debug;
use std::time::Duration;

use futures::future::BoxFuture;
use url::Url;

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

    /// Tells the crawl that the render has its turn: a renderer that bounds its own
    /// concurrency calls this once the page no longer waits for it (for a tab), before any
    /// other work on the page. The crawl's guard on the render, its `timeout` and a grace,
    /// counts from here, so pages queued for a tab do not use it up waiting. A renderer must
    /// call it: until it does, the crawl does not cut the render off.
    fn started(&self);
}
