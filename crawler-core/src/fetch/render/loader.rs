//! The crawl's [`Loader`]: every request of a page being rendered goes through the same rules
//! as the crawl's own requests. A request is refused when its method is not GET or HEAD (a
//! crawler submits nothing), when it is not http(s), out of scope, disallowed by robots.txt
//! or to a private address the crawl refuses; otherwise it waits for the host's politeness
//! permit, is sent on the crawl's client with the crawl's headers and credentials, and counts
//! in the page's [`RenderNote`](super::RenderNote). A GET another render already made is
//! answered from the crawl's cache of such answers (`cache.rs`) and counts as no request.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use futures::future::{BoxFuture, FutureExt};
use url::Url;

use super::{Load, Loader, SubRequest};
use crate::fetch::backpressure;
use crate::fetch::context::FetchContext;
use crate::fetch::deadline::PageClock;
use crate::fetch::request::blocked_address;
use crate::fetch::response::read_body;

/// Response headers that describe the transfer, not the body the page gets: the client has
/// already undone them.
const FRAMING: [&str; 4] = [
    "content-encoding",
    "content-length",
    "transfer-encoding",
    "connection",
];

/// Loads the requests of one rendered page and counts them.
pub(crate) struct CrawlLoader<'a> {
    ctx: &'a FetchContext,
    requests: AtomicUsize,
    bytes: AtomicU64,
    /// When the render had its turn ([`Loader::started`]): the render's guard counts from it.
    clock: PageClock,
}

impl<'a> CrawlLoader<'a> {
    pub(crate) fn new(ctx: &'a FetchContext) -> Self {
        Self {
            ctx,
            requests: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
            clock: PageClock::new(),
        }
    }

    /// The clock the renderer starts when the render has its turn.
    pub(crate) fn clock(&self) -> &PageClock {
        &self.clock
    }

    /// Requests sent so far.
    pub(crate) fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    /// Body bytes read so far.
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Why `url` may not be requested, if it may not.
    async fn refusal(&self, url: &Url, method: &str) -> Option<String> {
        let ctx = self.ctx;
        if !(method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD")) {
            return Some(format!("method {method} is not sent by a crawler"));
        }
        if !matches!(url.scheme(), "http" | "https") {
            return Some(format!("scheme {} is not fetched", url.scheme()));
        }
        if !ctx.scope.allows(url) {
            return Some("out of scope".to_owned());
        }
        if let Some(blocked) = blocked_address(ctx, url) {
            return Some(blocked.to_string());
        }
        if !ctx.robots_allow(url).await {
            return Some("disallowed by robots.txt".to_owned());
        }
        None
    }

    async fn fetch(&self, url: Url, head: bool) -> Load {
        let ctx = self.ctx;
        // As for a page: the permit is held across the request and the body read only.
        let _permit = ctx.hosts.acquire(&url).await;
        self.requests.fetch_add(1, Ordering::Relaxed);
        let request = || {
            let builder = if head {
                ctx.client.head(url.clone())
            } else {
                ctx.client.get(url.clone())
            };
            ctx.credentials.apply(builder, &url)
        };
        let response = match backpressure::send(request, &url, ctx.config.timeout).await {
            Ok(response) => response,
            Err(err) => {
                let error = crate::error::PageError::from_reqwest(&err, false);
                return Load::Failed {
                    detail: error.to_string(),
                };
            }
        };
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter(|(name, _)| !FRAMING.contains(&name.as_str()))
            .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
            .collect();
        let (body, error) = read_body(response, ctx.config.max_body_bytes.get()).await;
        self.bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
        match error {
            Some(error @ crate::error::PageError::Body { .. }) => Load::Failed {
                detail: error.to_string(),
            },
            Some(crate::error::PageError::Timeout) => Load::Failed {
                detail: "timed out".to_owned(),
            },
            _ => Load::Answer {
                status,
                headers,
                body,
            },
        }
    }
}

impl Loader for CrawlLoader<'_> {
    fn started(&self) {
        self.clock.start();
    }

    fn load<'a>(&'a self, request: SubRequest<'a>) -> BoxFuture<'a, Load> {
        async move {
            let url = match Url::parse(request.url) {
                Ok(url) => url,
                Err(err) => {
                    return Load::Refused {
                        reason: format!("bad URL: {err}"),
                    }
                }
            };
            if let Some(reason) = self.refusal(&url, request.method).await {
                tracing::debug!(url = %url, %reason, "render request refused");
                return Load::Refused { reason };
            }
            if request.method.eq_ignore_ascii_case("HEAD") {
                return self.fetch(url, true).await;
            }
            (self.ctx.render_cache)
                .get(url.as_str(), || self.fetch(url.clone(), false))
                .await
        }
        .boxed()
    }
}
