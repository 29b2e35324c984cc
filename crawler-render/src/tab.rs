//! One page rendered in one tab: the document served from what the crawl fetched, every other
//! request paused and answered through the crawl's [`Loader`], the page watched until it has
//! been quiet for the wait, and its DOM and script navigations read.
//!
//! Every request the tab makes is paused by the Fetch domain ([`Intercept`] decides what
//! becomes of it):
//! - the top frame's first document request, for the page itself, is answered with the body
//!   the crawl already fetched (no second request to the server);
//! - a later document request of the top frame is a navigation by script (`location = ...`,
//!   a form, a meta refresh): recorded and failed, so the page stays;
//! - documents of frames, and the resource types the graph does not need (images, media,
//!   fonts unless resources are checked; beacons, event streams, prefetches, the browser's
//!   own favicon request) are failed as blocked;
//! - everything else goes through the [`Loader`], which applies the crawl's scope, robots.txt,
//!   address rules and politeness; a refusal fails the request as blocked.

use std::time::Duration;

use base64::Engine as _;
use chromiumoxide::cdp::browser_protocol::fetch::{
    EventRequestPaused, FailRequestParams, FulfillRequestParams, HeaderEntry,
};
use chromiumoxide::cdp::browser_protocol::inspector::EventTargetCrashed;
use chromiumoxide::cdp::browser_protocol::network::{ErrorReason, ResourceType};
use chromiumoxide::cdp::browser_protocol::page::FrameId;
use chromiumoxide::Page;
use crawler_core::render::{Load, Loader, RenderFailure, RenderRequest, Rendered, SubRequest};
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};
use tokio::time::Instant;

/// Reads the settled DOM and the URLs pushed with the History API.
const READ_DOM: &str = "JSON.stringify({ html: document.documentElement ? \
     document.documentElement.outerHTML : '', routes: window.__crawlgraphRoutes || [] })";

/// What becomes of one paused request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Intercept {
    /// The page's own document: answered with the fetched body.
    Document,
    /// The top frame navigating away: recorded as a script navigation, then failed.
    Navigation,
    /// Failed as blocked by the client, for the reason given.
    Block(&'static str),
    /// Loaded through the crawl's loader.
    Load,
}

/// What the tab knows while deciding: the page's URL, and the top frame once its document
/// was served.
pub(crate) struct Decider<'a> {
    url: &'a str,
    load_resources: bool,
    top_frame: Option<FrameId>,
}

impl<'a> Decider<'a> {
    pub(crate) fn new(url: &'a str, load_resources: bool) -> Self {
        Self {
            url,
            load_resources,
            top_frame: None,
        }
    }

    /// Decides for a request of `kind` for `url` from `frame`.
    pub(crate) fn decide(&mut self, url: &str, kind: &ResourceType, frame: &FrameId) -> Intercept {
        match kind {
            ResourceType::Document => match &self.top_frame {
                None if same_document(url, self.url) => {
                    self.top_frame = Some(frame.clone());
                    Intercept::Document
                }
                Some(top) if top == frame => Intercept::Navigation,
                None => Intercept::Block("not the page being rendered"),
                Some(_) => Intercept::Block("frames are not rendered"),
            },
            ResourceType::Image | ResourceType::Media | ResourceType::Font
                if !self.load_resources =>
            {
                Intercept::Block("resource not needed for links")
            }
            ResourceType::Ping
            | ResourceType::CspViolationReport
            | ResourceType::EventSource
            | ResourceType::WebSocket
            | ResourceType::Prefetch
            | ResourceType::SignedExchange => Intercept::Block("not loaded while rendering"),
            // The browser's own request for the site icon, which no page asked for.
            ResourceType::Other if is_favicon(url) => Intercept::Block("the browser's favicon"),
            _ => Intercept::Load,
        }
    }
}

/// Whether `url` is a site's `/favicon.ico`.
fn is_favicon(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|url| url.path() == "/favicon.ico")
}

/// Whether a document request for `requested` is for the page at `page` (the browser drops
/// the fragment).
fn same_document(requested: &str, page: &str) -> bool {
    let page = page.split('#').next().unwrap_or(page);
    requested == page
}

/// Renders `request` in `tab`; the caller bounds the time.
/// `died` resolves, with why, if the browser goes away meanwhile.
pub(crate) async fn render(
    tab: &Page,
    request: RenderRequest<'_>,
    loader: &dyn Loader,
    died: impl std::future::Future<Output = String>,
) -> Result<Rendered, RenderFailure> {
    let gone = || RenderFailure::Failed(crate::browser::GONE.to_owned());
    let mut died = std::pin::pin!(died);
    let failed = |err: chromiumoxide::error::CdpError| RenderFailure::Failed(err.to_string());
    let mut paused = tab
        .event_listener::<EventRequestPaused>()
        .await
        .map_err(failed)?
        .fuse();
    let mut crashed = tab
        .event_listener::<EventTargetCrashed>()
        .await
        .map_err(failed)?
        .fuse();
    let mut decider = Decider::new(request.url.as_str(), request.load_resources);
    let mut navigations = Vec::new();
    let mut answering = FuturesUnordered::new();
    let mut navigate = Box::pin(tab.goto(request.url.as_str()).fuse());
    let mut settled_load = false;
    let mut quiet_since = Instant::now();
    loop {
        let settle = tokio::time::sleep_until(quiet_since + request.wait);
        tokio::select! {
            // A dead browser's reason (its memory cap) wins over the stream ends and crash
            // events its death also causes.
            biased;
            why = &mut died => return Err(RenderFailure::Failed(why)),
            event = paused.next() => {
                let Some(event) = event else { return Err(gone()) };
                quiet_since = Instant::now();
                let action = decider.decide(&event.request.url, &event.resource_type, &event.frame_id);
                if action == Intercept::Navigation {
                    navigations.push(event.request.url.clone());
                }
                answering.push(answer(tab, event, action, &request, loader));
            }
            Some(()) = answering.next() => quiet_since = Instant::now(),
            result = &mut navigate, if !settled_load => {
                // A navigation failed by the page's own later navigation is still loaded.
                if let Err(err) = result {
                    if decider.top_frame.is_none() {
                        return Err(failed(err));
                    }
                }
                settled_load = true;
                quiet_since = Instant::now();
            }
            Some(_) = crashed.next() => {
                return Err(RenderFailure::Failed("the page crashed (out of memory?)".to_owned()));
            }
            () = settle, if settled_load && answering.is_empty() => break,
        }
    }
    // Requests made while the DOM is read are refused: the page has settled.
    let mut read = Box::pin(tab.evaluate(READ_DOM).fuse());
    let value = loop {
        tokio::select! {
            biased;
            why = &mut died => return Err(RenderFailure::Failed(why)),
            result = &mut read => break result.map_err(failed)?,
            Some(event) = paused.next() => {
                answering.push(answer(tab, event, Intercept::Block("the page has settled"), &request, loader));
            }
            Some(()) = answering.next() => {}
            Some(_) = crashed.next() => {
                return Err(RenderFailure::Failed("the page crashed (out of memory?)".to_owned()));
            }
        }
    };
    let json: String = value
        .into_value()
        .map_err(|err| RenderFailure::Failed(format!("reading the DOM: {err}")))?;
    let dom: Dom = serde_json::from_str(&json)
        .map_err(|err| RenderFailure::Failed(format!("reading the DOM: {err}")))?;
    navigations.extend(dom.routes);
    let page = request.url.as_str();
    navigations.retain(|url| !same_document(url, page) && url.split('#').next() != Some(page));
    Ok(Rendered::new(dom.html, navigations))
}

#[derive(serde::Deserialize)]
struct Dom {
    html: String,
    routes: Vec<String>,
}

/// Answers one paused request as `action` says; errors (the tab went away) are only logged.
async fn answer(
    tab: &Page,
    event: std::sync::Arc<EventRequestPaused>,
    action: Intercept,
    page: &RenderRequest<'_>,
    loader: &dyn Loader,
) {
    let id = event.request_id.clone();
    let result = match action {
        Intercept::Document => {
            let mut headers = Vec::new();
            if let Some(content_type) = page.content_type {
                headers.push(HeaderEntry::new("Content-Type", content_type));
            }
            tab.execute(fulfill(id, page.status, headers, page.body))
                .await
                .map(drop)
        }
        Intercept::Navigation => tab
            .execute(FailRequestParams::new(id, ErrorReason::Aborted))
            .await
            .map(drop),
        Intercept::Block(reason) => {
            tracing::trace!(url = %event.request.url, reason, "blocked");
            block(tab, id).await
        }
        Intercept::Load => {
            tracing::trace!(url = %event.request.url, kind = ?event.resource_type, "loading");
            let request = SubRequest::new(&event.request.url, &event.request.method);
            match loader.load(request).await {
                Load::Answer {
                    status,
                    headers,
                    body,
                } => {
                    let headers = headers
                        .into_iter()
                        .map(|(name, value)| HeaderEntry::new(name, value))
                        .collect();
                    tab.execute(fulfill(id, status, headers, &body))
                        .await
                        .map(drop)
                }
                Load::Failed { .. } => tab
                    .execute(FailRequestParams::new(id, ErrorReason::Failed))
                    .await
                    .map(drop),
                _ => block(tab, id).await,
            }
        }
    };
    if let Err(err) = result {
        tracing::debug!(%err, "answering a paused request");
    }
}

async fn block(
    tab: &Page,
    id: chromiumoxide::cdp::browser_protocol::fetch::RequestId,
) -> chromiumoxide::Result<()> {
    tab.execute(FailRequestParams::new(id, ErrorReason::BlockedByClient))
        .await
        .map(drop)
}

fn fulfill(
    id: chromiumoxide::cdp::browser_protocol::fetch::RequestId,
    status: u16,
    headers: Vec<HeaderEntry>,
    body: &[u8],
) -> FulfillRequestParams {
    let mut params = FulfillRequestParams::new(id, i64::from(status));
    params.response_headers = Some(headers);
    params.body = Some(
        base64::engine::general_purpose::STANDARD
            .encode(body)
            .into(),
    );
    params
}

/// How long a tab that failed may take to close before it is left to its browser.
pub(crate) const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_document_is_the_page_and_later_ones_are_navigations() {
        let page = "http://127.0.0.1:1/app/";
        let top = FrameId::new("top");
        let child = FrameId::new("child");
        let mut decider = Decider::new(page, false);
        let doc = ResourceType::Document;
        assert_eq!(
            decider.decide("http://127.0.0.1:1/other", &doc, &top),
            Intercept::Block("not the page being rendered")
        );
        assert_eq!(decider.decide(page, &doc, &top), Intercept::Document);
        assert_eq!(
            decider.decide("http://127.0.0.1:1/x", &doc, &child),
            Intercept::Block("frames are not rendered")
        );
        assert_eq!(
            decider.decide("http://127.0.0.1:1/next", &doc, &top),
            Intercept::Navigation
        );
    }

    #[test]
    fn resources_are_blocked_unless_checked() {
        let frame = FrameId::new("top");
        let mut quiet = Decider::new("http://a.test/", false);
        let mut checking = Decider::new("http://a.test/", true);
        for kind in [ResourceType::Image, ResourceType::Media, ResourceType::Font] {
            assert!(matches!(
                quiet.decide("http://a.test/x", &kind, &frame),
                Intercept::Block(_)
            ));
            assert_eq!(
                checking.decide("http://a.test/x", &kind, &frame),
                Intercept::Load
            );
        }
        for kind in [
            ResourceType::Script,
            ResourceType::Fetch,
            ResourceType::Xhr,
            ResourceType::Stylesheet,
        ] {
            assert_eq!(
                quiet.decide("http://a.test/x", &kind, &frame),
                Intercept::Load
            );
        }
        assert!(matches!(
            checking.decide("http://a.test/x", &ResourceType::WebSocket, &frame),
            Intercept::Block(_)
        ));
        let other = ResourceType::Other;
        assert!(matches!(
            checking.decide("http://a.test/favicon.ico", &other, &frame),
            Intercept::Block(_)
        ));
        assert_eq!(
            checking.decide("http://a.test/x.ico", &other, &frame),
            Intercept::Load
        );
    }
}
