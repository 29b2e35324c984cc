//! [`FetchContext`]: everything a fetch task needs, shared by all tasks of one crawl. Plain
//! data: the services it holds (client, host limits, robots.txt cache, coordination) are each
//! defined in their own file, and the code that uses them takes a `&FetchContext`.

use std::sync::Arc;

use crate::config::http::Credentials;
use crate::config::scope::SeedScope;
use crate::config::CrawlConfig;
use crate::event::Events;
use crate::fetch::coordination::Coordination;
use crate::fetch::politeness::HostLimiter;
use crate::fetch::render::Renderer;
use crate::fetch::robots::RobotsCache;
use crate::since::PreviousCrawl;

/// What a crawl hands its fetches besides its settings, each optional: the event handler, the
/// previous crawl its pages are revalidated against (`--since`) and the browser that renders
/// pages.
#[derive(Debug, Clone, Default)]
pub(crate) struct Attached {
    pub(crate) events: Events,
    pub(crate) previous: Option<Arc<PreviousCrawl>>,
    pub(crate) renderer: Option<Arc<dyn Renderer>>,
}

/// Everything a fetch task needs, shared by all tasks of one crawl.
#[derive(Debug)]
pub(crate) struct FetchContext {
    pub(crate) client: reqwest::Client,
    pub(crate) config: Arc<CrawlConfig>,
    pub(crate) hosts: HostLimiter,
    pub(crate) coordination: Arc<dyn Coordination>,
    pub(crate) scope: SeedScope,
    /// Credentials for the seeds' origins, added per request.
    pub(crate) credentials: Credentials,
    pub(crate) robots: RobotsCache,
    pub(crate) events: Events,
    /// What `--render auto` learned about the crawl's URL patterns.
    pub(crate) auto_render: crate::fetch::render::auto::AutoRender,
    /// The answers to rendered pages' requests, kept for the crawl.
    pub(crate) render_cache: crate::fetch::render::cache::SubresourceCache,
    /// One permit per core for parsing: more parses at once than cores only adds threads,
    /// each with its own allocator arena full of freed DOM nodes, and no throughput.
    pub(crate) parse_slots: tokio::sync::Semaphore,
    /// The previous crawl pages are revalidated against (`--since`), if any.
    pub(crate) previous: Option<Arc<PreviousCrawl>>,
    /// The browser pages are rendered in, when the crawl renders them.
    pub(crate) renderer: Option<Arc<dyn Renderer>>,
}

impl FetchContext {
    /// The browser, when this crawl renders pages (its render mode is not `never`).
    pub(crate) fn renderer(&self) -> Option<&Arc<dyn Renderer>> {
        match self.config.render.mode {
            crate::RenderMode::Never => None,
            crate::RenderMode::Always | crate::RenderMode::Auto => self.renderer.as_ref(),
        }
    }
}
