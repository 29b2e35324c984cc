//! Fetching one page: a GET on the shared client, the redirect chain followed by hand, the body
//! read up to its cap, and the links extracted off the async workers.
//!
//! A fetch never fails as a whole: every outcome, good or bad, comes back as a [`PageOutcome`]
//! whose hops carry status and error, for [`GraphBuilder`](crate::GraphBuilder) to fold into the
//! graph. [`Fetcher`] is the public face: the crawl loop uses it, and so can a worker of a
//! distributed crawl, which stores the outcome instead of folding it.
//!
//! The fetch reads `config` and writes `outcome`s; it imports nothing of the crawl loop
//! (`crawl/`), which drives it.
//!
//! # Architecture
//! - `mod.rs`: [`Fetcher`], and one page's fetch: its redirect chain and its parse.
//! - `context.rs`: `FetchContext`, what every fetch task of a crawl shares.
//! - `client.rs`: the one reqwest client of a crawl.
//! - `request.rs`: one HTTP exchange, retried while the failure is transient.
//! - `response.rs`: `Answer`, what an exchange gave, and the readers of a response.
//! - `probe.rs`: HEAD before GET for resources.
//! - `file.rs`: the `file://` transport.
//! - `page_links.rs`: the links of one page, resolved, filtered and deduplicated.
//! - [`robots`]: robots.txt rules, their cache, and fetching them.
//! - [`sitemap`]: the seeds' sitemaps.
//! - [`coordination`]: the per-request seam a store shared by several workers answers
//!   (redirect claims, robots.txt, pacing); [`Local`](coordination::Local) is the in-process one.
//! - `politeness.rs`: the per-host limits and the host keys and labels.
//! - `retry.rs`, `backpressure.rs`: retries with backoff, and `Retry-After`.
//! - `revalidate.rs`: the conditional GET of a crawl given a previous one (`--since`).
//! - `address.rs`: the guard against private addresses.
//! - [`render`]: rendering a fetched HTML page in a browser (the [`Renderer`](render::Renderer)
//!   seam), and which pages `auto` renders.

pub(crate) mod address;
pub(crate) mod backpressure;
pub(crate) mod client;
pub(crate) mod context;
pub mod coordination;
pub(crate) mod deadline;
pub(crate) mod file;
pub(crate) mod page_links;
pub(crate) mod politeness;
pub(crate) mod probe;
pub mod render;
pub(crate) mod request;
pub(crate) mod response;
pub(crate) mod retry;
pub(crate) mod revalidate;
pub mod robots;
pub mod sitemap;

use std::borrow::Borrow;
use std::sync::Arc;

use url::Url;

use crate::config::scope::SeedScope;
use crate::config::CrawlConfig;
use crate::error::{Error, PageError};
use crate::event::{CrawlEvent, Events};
use crate::extract::charset;
use crate::extract::{extract_with, extract_with_anchors, Anchors, RawLink, RobotsDirectives};
use crate::fetch::client::http_client;
use crate::fetch::context::{Attached, FetchContext};
use crate::fetch::coordination::Coordination;
use crate::fetch::deadline::PageClock;
use crate::fetch::page_links::{PageLinks, Rules};
use crate::fetch::politeness::HostLimiter;
use crate::fetch::request::request_with_retries;
use crate::fetch::robots::RobotsCache;
use crate::graph::SkipReason;
use crate::outcome::{Hop, PageOutcome, Target};
use crate::url_norm;

/// Fetches the pages of one crawl: one HTTP client, per-host politeness, robots.txt, and the
/// [`Coordination`] that redirect claims, robots.txt and pacing go through.
///
/// Cheap to clone (one `Arc`): clones share everything, so a fetcher can be moved into each
/// spawned fetch task.
#[derive(Debug, Clone)]
pub struct Fetcher {
    ctx: Arc<FetchContext>,
}

impl Fetcher {
    /// A fetcher for a crawl with `config`, restricted to `scope` (from
    /// [`Scope::for_seeds`](crate::config::scope::Scope::for_seeds)), coordinated by `coordination`
    /// ([`Local`](crate::Local) for a crawl in one process). Emits no events; see
    /// [`Crawler::fetcher`](crate::Crawler::fetcher) for one that does.
    ///
    /// # Errors
    /// [`Error::Client`] if the HTTP client cannot be built.
    pub fn new(
        config: Arc<CrawlConfig>,
        scope: SeedScope,
        coordination: Arc<dyn Coordination>,
    ) -> Result<Self, Error> {
        Self::with_events(config, scope, coordination, Attached::default())
    }

    pub(crate) fn with_events(
        config: Arc<CrawlConfig>,
        scope: SeedScope,
        coordination: Arc<dyn Coordination>,
        attached: Attached,
    ) -> Result<Self, Error> {
        // When the store paces hosts for all workers, a local gap would only add to it.
        let gap = if coordination.paces_locally() {
            config.host_gap()
        } else {
            std::time::Duration::ZERO
        };
        let ctx = FetchContext {
            client: http_client(&config)?,
            hosts: HostLimiter::new(config.concurrency.get(), config.per_host.get(), gap),
            robots: RobotsCache::new(&config.user_agent),
            credentials: config.http.credentials_for(scope.seed_origins()),
            config,
            coordination,
            scope,
            events: attached.events,
            auto_render: render::auto::AutoRender::default(),
            render_cache: render::cache::SubresourceCache::default(),
            parse_slots: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            ),
            previous: attached.previous,
            renderer: attached.renderer,
        };
        Ok(Self { ctx: Arc::new(ctx) })
    }

    /// Fetches frontier URL `url` (already claimed) found at `depth`, following redirects that
    /// are in scope, allowed and won through
    /// [`Coordination::claim_redirect`](crate::Coordination::claim_redirect).
    pub async fn fetch(&self, url: Url, depth: u32) -> PageOutcome {
        self.fetch_as(url, depth, Target::Page).await
    }

    /// Fetches `url` as [`fetch`](Self::fetch) does, as a page or as a resource (HEAD first,
    /// see [`Target`]).
    pub async fn fetch_as(&self, url: Url, depth: u32, target: Target) -> PageOutcome {
        let retries = self.ctx.config.retries;
        fetch_page(&self.ctx, url, depth, (retries, target)).await
    }

    /// Fetches frontier URL `url` with up to `retries` retries: as
    /// [`fetch_as`](Self::fetch_as) does on a first pass, or with those of the end-of-crawl
    /// pass for pages whose retries ran out.
    pub(crate) async fn fetch_with_retries(
        &self,
        url: Url,
        depth: u32,
        retries: u32,
        target: Target,
    ) -> PageOutcome {
        fetch_page(&self.ctx, url, depth, (retries, target)).await
    }

    /// Page URLs listed in the sitemaps of the seeds' hosts, in scope, deduplicated, in order
    /// (see [`sitemap`](crate::fetch::sitemap)).
    pub async fn sitemap_urls(&self, seeds: &[Url]) -> Vec<Url> {
        let web: Vec<Url> = seeds
            .iter()
            .filter(|seed| seed.scheme() != "file")
            .cloned()
            .collect();
        crate::fetch::sitemap::discover(&self.ctx, &web).await
    }

    /// Drops the robots.txt rules of the hosts none of `queued` is on (between levels).
    pub(crate) fn forget_robots(&self, queued: impl IntoIterator<Item = impl Borrow<Url>>) {
        self.ctx.robots.forget_unqueued(queued);
    }

    /// The crawl's settings.
    pub fn config(&self) -> &CrawlConfig {
        &self.ctx.config
    }

    /// The crawl's scope.
    pub fn scope(&self) -> &SeedScope {
        &self.ctx.scope
    }

    pub(crate) fn events(&self) -> &Events {
        &self.ctx.events
    }
}

/// Fetches `url` (claimed already), following redirects that are in scope and not yet claimed,
/// within the page's deadline: when `page_timeout` has passed since its first request got its
/// permit (see [`deadline`]), the hop in progress is recorded with [`PageError::PageTimeout`]
/// and the hops made before it are kept.
async fn fetch_page(
    ctx: &Arc<FetchContext>,
    url: Url,
    depth: u32,
    (retries, target): (u32, Target),
) -> PageOutcome {
    let mut outcome = PageOutcome::default();
    let mut current = url.clone();
    let clock = PageClock::new();
    let owner = Owner { url: &url, depth };
    let how = (retries, target);
    let mut rendering = None;
    // On the heap: the chain is most of a fetch task's state, and `select!` below holds its
    // branches by value; boxed, the task holds a pointer (the CPU-bound bench's peak RSS was
    // 29.0-30.2 MiB inline, 29.0-29.5 boxed, 2 runs each: within the noise).
    let chain = Box::pin(follow_chain(
        ctx,
        owner,
        (depth, &clock),
        how,
        &mut outcome,
        &mut current,
        &mut rendering,
    ));
    let timed_out = tokio::select! {
        () = chain => false,
        () = clock.expired(ctx.config.page_timeout) => true,
    };
    if timed_out {
        let mut hop = Hop::new(current);
        hop.error = Some(PageError::PageTimeout {
            limit_ms: u64::try_from(ctx.config.page_timeout.as_millis()).unwrap_or(u64::MAX),
        });
        emit_result(&ctx.events, &hop, depth, 0);
        outcome.title = None;
        outcome.links.clear();
        outcome.anchors = None;
        outcome.hops.push(hop);
    } else if let Some(page) = rendering {
        // Rendering has a page timeout of its own: the static links are known by now, and a
        // render that fails keeps them.
        render::render_page(ctx, page, &mut outcome).await;
    }
    outcome
}

/// The body of [`fetch_page`]: `outcome` gets each hop once it is done and `current` is the URL
/// being requested, so that a deadline cutting this future short knows where it stopped. Every
/// hop is requested with `how`'s retries and as its target. When the last hop is a page that
/// may be rendered, `rendering` gets what the render needs.
async fn follow_chain(
    ctx: &Arc<FetchContext>,
    owner: Owner<'_>,
    (depth, clock): (u32, &PageClock),
    (retries, target): (u32, Target),
    outcome: &mut PageOutcome,
    current: &mut Url,
    rendering: &mut Option<render::StaticPage>,
) {
    if !ctx.robots_allow(owner.url).await {
        *outcome = PageOutcome::blocked();
        return;
    }
    let rules = Rules::of(ctx);
    loop {
        let answer = request_with_retries(ctx, current, (depth, clock), retries, target).await;
        let (mut hop, body, previous) = (answer.hop, answer.body, answer.previous);
        let next = match answer.location {
            Some(location) => follow(ctx, owner, &mut outcome.hops, &mut hop, &location).await,
            None => None,
        };
        let mut robots = answer.robots;
        let mut links = PageLinks::default();
        links.add(&rules, current, answer.header_links);
        *rendering = None;
        if let Some(body) = body {
            let renders =
                target == Target::Page && next.is_none() && render::StaticPage::wanted(ctx, &hop);
            let kept = renders.then(|| body.clone());
            let parsed = parse(ctx, current, body, hop.content_type.clone()).await;
            match parsed {
                Ok(page) => {
                    outcome.title = page.title;
                    outcome.anchors = page.anchors;
                    robots.nofollow |= page.robots.nofollow;
                    let base = page.base.unwrap_or_else(|| current.clone());
                    if let Some(body) = kept {
                        *rendering = Some(render::StaticPage {
                            url: current.clone(),
                            base: base.clone(),
                            body,
                        });
                    }
                    links.add(&rules, &base, page.links);
                }
                Err(detail) => hop.error = Some(PageError::Internal { detail }),
            }
        }
        outcome.links = match previous {
            // Revalidated: the previous crawl's links stand for the body's.
            Some(previous) => {
                outcome.title.clone_from(&previous.title);
                robots.nofollow |= previous.nofollow;
                previous.links()
            }
            None => links.finish(),
        };
        outcome.nofollow = robots.nofollow;
        emit_result(&ctx.events, &hop, depth, outcome.links.len());
        outcome.hops.push(hop);
        match next {
            Some(target) => *current = target,
            None => return,
        }
    }
}

fn emit_result(events: &Events, hop: &Hop, depth: u32, links: usize) {
    events.emit(|| match (&hop.error, hop.status) {
        (Some(error), _) => CrawlEvent::PageFailed {
            url: hop.url.clone(),
            depth,
            error: error.clone(),
        },
        (None, status) => CrawlEvent::PageDone {
            url: hop.url.clone(),
            depth,
            status: status.unwrap_or_default(),
            links,
        },
    });
}

/// The frontier URL a redirect chain started from, and its depth.
#[derive(Clone, Copy)]
struct Owner<'a> {
    url: &'a Url,
    depth: u32,
}

/// Decides whether to follow a redirect from `hop`; returns the target to fetch next.
///
/// Loops and over-long chains mark every hop of the chain, since none of them leads to a page.
async fn follow(
    ctx: &FetchContext,
    owner: Owner<'_>,
    chain: &mut [Hop],
    hop: &mut Hop,
    location: &str,
) -> Option<Url> {
    let Ok(target) = url_norm::resolve(&hop.url, location, ctx.config.max_url_len.get()) else {
        hop.error = Some(PageError::BadRedirect {
            location: location.to_owned(),
        });
        return None;
    };
    let mark_chain = |chain: &mut [Hop], hop: &mut Hop, error: PageError| {
        for earlier in chain.iter_mut() {
            earlier.error.get_or_insert(error.clone());
        }
        hop.error = Some(error);
    };
    let mut skip = None;
    if target == hop.url || chain.iter().any(|h| h.url == target) {
        mark_chain(chain, hop, PageError::RedirectLoop);
    } else if chain.len() + 1 > ctx.config.max_redirects {
        let limit = ctx.config.max_redirects;
        mark_chain(chain, hop, PageError::TooManyRedirects { limit });
        skip = Some(SkipReason::RedirectLimit);
    } else if !ctx.scope.allows(&target) {
        skip = Some(SkipReason::OutOfScope);
    } else if !ctx.robots_allow(&target).await {
        skip = Some(SkipReason::RobotsTxt);
    }
    let follow = hop.error.is_none()
        && skip.is_none()
        && ctx
            .coordination
            .claim_redirect(&target, owner.url, owner.depth)
            .await;
    hop.redirect = Some((target.clone(), skip));
    follow.then_some(target)
}

/// Pages up to this size are parsed on the async worker that fetched them: at about 100 us
/// for 14 KB, a hand-off to the blocking pool costs more than it saves (measured on the 10k
/// benchmark). Larger pages go to the blocking pool so they never stall other requests.
const INLINE_PARSE_BYTES: usize = 32 * 1024;

/// A parsed page: its links as written, its base already resolved.
#[derive(Debug, Default)]
struct Parsed {
    title: Option<String>,
    base: Option<Url>,
    links: Vec<RawLink>,
    robots: RobotsDirectives,
    anchors: Option<Anchors>,
}

/// Decodes and parses a page body: small ones inline, large ones on the blocking pool, at most
/// one per core at a time either way.
async fn parse(
    ctx: &Arc<FetchContext>,
    url: &Url,
    body: Vec<u8>,
    content_type: Option<String>,
) -> Result<Parsed, String> {
    let _slot = ctx
        .parse_slots
        .acquire()
        .await
        .map_err(|err| err.to_string())?;
    if body.len() <= INLINE_PARSE_BYTES {
        return Ok(parse_now(ctx, url, &body, content_type.as_deref()));
    }
    let ctx = Arc::clone(ctx);
    let url = url.clone();
    tokio::task::spawn_blocking(move || parse_now(&ctx, &url, &body, content_type.as_deref()))
        .await
        .map_err(|err| err.to_string())
}

/// The parsing itself: decode, then extract from HTML, or take the `url()`s of a stylesheet.
fn parse_now(ctx: &FetchContext, url: &Url, body: &[u8], content_type: Option<&str>) -> Parsed {
    let text = charset::decode(body, content_type);
    let max_links = ctx.config.max_links_per_page.get();
    if crate::fetch::response::is_css(content_type) {
        let mut page = crate::extract::Extracted::default();
        page.push_css(&text, max_links);
        return Parsed {
            links: page.links,
            ..Parsed::default()
        };
    }
    let page = if ctx.config.links.check_fragments {
        extract_with_anchors(ctx.config.extraction, &text, max_links)
    } else {
        extract_with(ctx.config.extraction, &text, max_links)
    };
    let max_len = ctx.config.max_url_len.get();
    Parsed {
        title: page.title,
        base: page
            .base
            .as_deref()
            .and_then(|base| url_norm::resolve(url, base, max_len).ok()),
        links: page.links,
        robots: page.robots,
        anchors: page.anchors,
    }
}
