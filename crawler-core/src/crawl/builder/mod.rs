//! The builder of a [`Crawler`]: owned setters that fill a [`CrawlSpec`], and `build` that
//! validates it.
//!
//! Every setting is a field of the spec, so a builder and a spec are two spellings of the same
//! crawl: [`CrawlerBuilder::spec`] shows the one the setters made, and
//! [`CrawlerBuilder::from_spec`] starts from one made elsewhere (a config file, a stored Redis
//! crawl, Python). The setters check nothing: [`build`](CrawlerBuilder::build) validates the
//! whole spec, in field order, and returns the first invalid setting. What is not a setting
//! but a live object (the event handler, a shared seen set, a cookie jar the caller keeps) is
//! attached here too.
//!
//! # Architecture
//! - `mod.rs`: [`CrawlerBuilder`] and its setters.
//! - `tests.rs`: the defaults, the setters and the errors `build` reports.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::config::cookies::CookieJar;
use crate::config::render::RenderMode;
use crate::config::scope::HostScope;
use crate::config::spec::{CrawlSpec, Header, Login};
use crate::config::Secret;
use crate::error::ConfigError;
use crate::event::{CrawlEvent, Events};
use crate::extract::Extraction;
use crate::fetch::context::Attached;
use crate::fetch::render::Renderer;
use crate::graph::link_kind::LinkKind;
use crate::seen::SeenSet;
use crate::since::PreviousCrawl;
use crate::Crawler;

#[cfg(doc)]
use crate::config::files::DEFAULT_INDEX_FILE;
#[cfg(doc)]
use crate::config::render::DEFAULT_RENDER_WAIT;
#[cfg(doc)]
use crate::config::{
    DEFAULT_CONCURRENCY, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_EDGES, DEFAULT_MAX_LINKS_PER_PAGE, DEFAULT_MAX_NODES, DEFAULT_MAX_REDIRECTS,
    DEFAULT_MAX_URL_LEN, DEFAULT_PAGE_TIMEOUT, DEFAULT_PER_HOST, DEFAULT_READ_TIMEOUT,
    DEFAULT_RETRIES, DEFAULT_RETRY_BASE_DELAY, DEFAULT_TIMEOUT, DEFAULT_USER_AGENT,
    MAX_CONCURRENCY, MAX_DURATION,
};

/// Builds a [`Crawler`]. Setters take and return `self`; [`build`](Self::build) validates.
#[must_use]
#[derive(Debug, Default)]
pub struct CrawlerBuilder {
    spec: CrawlSpec,
    events: Events,
    seen: Option<Arc<dyn SeenSet>>,
    cookie_jar: Option<CookieJar>,
    previous: Option<Arc<PreviousCrawl>>,
    renderer: Option<Arc<dyn Renderer>>,
}

/// Setters of one field each: `$name(value)` sets `spec.$field`.
macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident($field:ident: $ty:ty);)*) => {$(
        $(#[$doc])*
        pub fn $name(mut self, $field: $ty) -> Self {
            self.spec.$field = $field;
            self
        }
    )*};
}

impl CrawlerBuilder {
    /// A builder starting from `spec`.
    pub fn from_spec(spec: CrawlSpec) -> Self {
        Self {
            spec,
            ..Self::default()
        }
    }

    /// The settings as they stand.
    pub fn spec(&self) -> &CrawlSpec {
        &self.spec
    }

    setters! {
        /// Deepest level fetched; seeds are depth 0. Default: [`DEFAULT_MAX_DEPTH`].
        max_depth(depth: u32);
        /// Limit for a whole request, connect to last byte; more than zero, at most
        /// [`MAX_DURATION`]. Default: [`DEFAULT_TIMEOUT`].
        timeout(timeout: Duration);
        /// Limit for one page, across its redirect hops, retries and their waits, from when
        /// its first request may be sent (more than zero, at most [`MAX_DURATION`]); a page
        /// that passes it fails with
        /// [`PageError::PageTimeout`](crate::PageError::PageTimeout).
        /// Default: [`DEFAULT_PAGE_TIMEOUT`].
        page_timeout(page_timeout: Duration);
        /// Nodes the graph may hold. Once reached, new URLs are no longer recorded and the
        /// crawl stops with [`StopReason::GraphLimit`](crate::StopReason::GraphLimit). Must
        /// be at least 1. Default: [`DEFAULT_MAX_NODES`].
        max_nodes(max_nodes: usize);
        /// Edges the graph may hold, as [`max_nodes`](Self::max_nodes) for links. Must be at
        /// least 1. Default: [`DEFAULT_MAX_EDGES`].
        max_edges(max_edges: usize);
        /// Limit for establishing a connection; more than zero, at most [`MAX_DURATION`].
        /// Default: [`DEFAULT_CONNECT_TIMEOUT`].
        connect_timeout(connect_timeout: Duration);
        /// Limit for one read on an open connection; more than zero, at most
        /// [`MAX_DURATION`]. Default: [`DEFAULT_READ_TIMEOUT`].
        read_timeout(read_timeout: Duration);
        /// Redirects followed from one URL; 0 records every redirect without following it.
        /// Default: [`DEFAULT_MAX_REDIRECTS`].
        max_redirects(max_redirects: usize);
        /// Bytes of a body read, after decompression. Default: [`DEFAULT_MAX_BODY_BYTES`].
        max_body_bytes(max_body_bytes: usize);
        /// Links kept from one page. Default: [`DEFAULT_MAX_LINKS_PER_PAGE`].
        max_links_per_page(max_links_per_page: usize);
        /// Longest URL kept, in bytes. Default: [`DEFAULT_MAX_URL_LEN`].
        max_url_len(max_url_len: usize);
        /// Which hosts the crawl stays on. Default: [`HostScope::SameHost`].
        host_scope(hosts: HostScope);
        /// Retries of a transient failure (429, 502-504, a refused, reset or garbled
        /// connection); never of other 4xx, nor of timeouts. Default: [`DEFAULT_RETRIES`].
        retries(retries: u32);
        /// Wait before the first retry, doubled for each further one; a longer `Retry-After`
        /// from the server wins, up to 30 s. At most [`MAX_DURATION`]. Default:
        /// [`DEFAULT_RETRY_BASE_DELAY`].
        retry_base_delay(retry_base_delay: Duration);
        /// Refuses hosts that resolve to loopback, private, link-local or reserved addresses,
        /// also after redirects. For crawling URLs from untrusted sources. Default: false.
        deny_private_ips(deny_private_ips: bool);
        /// Adds the URLs listed in each seed host's sitemaps (robots.txt `Sitemap:` lines, or
        /// `/sitemap.xml`; sitemap indexes and gzip sitemaps are followed) as seeds. Default:
        /// false.
        sitemaps(sitemap: bool);
        /// How links are taken out of HTML. Default: [`Extraction::Tokens`].
        extraction(extract: Extraction);
        /// Follows the links of pages whose `<meta name="robots">`, `<meta
        /// name="crawlgraph">` or `X-Robots-Tag` says `nofollow` or `none`. Default: false
        /// (such links are recorded, marked nofollow, and not followed).
        ignore_nofollow(ignore_nofollow: bool);
        /// Does not follow links with `rel="nofollow"` (they are still recorded). Default:
        /// false.
        respect_rel_nofollow(respect_rel_nofollow: bool);
        /// Fetches every embed, stylesheet and CSS target once (within depth and scope) to
        /// find broken assets, and takes the `url()`s of fetched stylesheets. Default: false.
        check_resources(check_resources: bool);
        /// Keeps the fragment of every link (`page.html#install`) on its edge, the target
        /// staying fragment-free, and checks it against the ids and `<a name>`s of the target
        /// when that is an HTML page fetched with a 2xx answer: a fragment naming none of
        /// them is marked broken on the edge ([`crate::graph::EdgeFragment`]). Fragments a
        /// page makes with JavaScript are not seen. Default: false.
        check_fragments(check_fragments: bool);
        /// Accepts invalid TLS certificates (self-signed, expired, for another host): anyone
        /// on the path can then read and change the traffic. For test servers only. Default:
        /// false.
        accept_invalid_certs(accept_invalid_certs: bool);
    }

    /// Stops after this many pages have been fetched. Must be at least 1. Default: no limit.
    pub fn max_pages(mut self, pages: usize) -> Self {
        self.spec.max_pages = Some(pages);
        self
    }

    /// Requests in flight across all hosts. Must be at least 1 and at most
    /// [`MAX_CONCURRENCY`]. Default: [`DEFAULT_CONCURRENCY`].
    pub fn concurrency(mut self, n: usize) -> Self {
        self.spec.worker.concurrency = n;
        self
    }

    /// Requests in flight to one host. Must be at least 1 and at most [`MAX_CONCURRENCY`].
    /// Default: [`DEFAULT_PER_HOST`].
    pub fn per_host(mut self, n: usize) -> Self {
        self.spec.per_host = n;
        self
    }

    /// `User-Agent` header; a valid, non-empty header value. Default: [`DEFAULT_USER_AGENT`].
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.spec.user_agent = agent.into();
        self
    }

    /// Only URLs starting with this absolute http(s) URL are fetched; may be given more than
    /// once (any matches). Default: no prefix.
    pub fn prefix(mut self, prefix: &str) -> Self {
        self.spec.prefix.push(prefix.to_owned());
        self
    }

    /// Only URLs matching this regular expression are fetched; may be given more than once
    /// (any matches). Default: no pattern.
    pub fn include(mut self, pattern: &str) -> Self {
        self.spec.include.push(pattern.to_owned());
        self
    }

    /// URLs matching this regular expression are not fetched. Default: no pattern.
    pub fn exclude(mut self, pattern: &str) -> Self {
        self.spec.exclude.push(pattern.to_owned());
        self
    }

    /// Whether to fetch and obey each host's robots.txt. Default: true.
    pub fn respect_robots(mut self, respect: bool) -> Self {
        self.spec.ignore_robots = !respect;
        self
    }

    /// Minimum time between the starts of two requests to one host (a robots.txt
    /// `Crawl-delay` can raise it for its host); more than zero, at most [`MAX_DURATION`].
    /// Default: none.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.spec.delay = Some(delay);
        self
    }

    /// Maximum requests per second to one host; at least one a day (the gap it implies is at
    /// most [`MAX_DURATION`]). Default: no limit.
    pub fn rate(mut self, per_second: f64) -> Self {
        self.spec.rate = Some(per_second);
        self
    }

    /// Records only links of these kinds as edges (redirects are always followed and
    /// recorded). Fewer kinds, less memory: each edge costs about 12 bytes in the graph plus
    /// its target node the first time it is seen. Default: every kind.
    pub fn link_kinds(mut self, kinds: impl IntoIterator<Item = LinkKind>) -> Self {
        self.spec.links = kinds.into_iter().collect();
        self
    }

    /// Sends header `name: value` with every request; may be given more than once. The
    /// credential headers `Authorization`, `Proxy-Authorization` and `Cookie` are sent to the
    /// seeds' origins only. Default: none.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.spec.header.push(Header::new(name, value));
        self
    }

    /// Sends cookie `name=value` to the seeds' hosts; may be given more than once. Creates an
    /// empty cookie jar if none was set, so cookies the servers set are kept for the crawl.
    /// Default: none.
    pub fn cookie(mut self, pair: &str) -> Self {
        self.spec.cookie.push(Secret::new(pair));
        self
    }

    /// HTTP basic authentication, sent only to the seeds' origins (scheme, host and port),
    /// never to another host, also not after a redirect. Default: none.
    pub fn basic_auth(mut self, user: &str, password: Option<&str>) -> Self {
        self.spec.user = Some(Login {
            name: user.to_owned(),
            password: password.map(Secret::new),
        });
        self
    }

    /// Sends every request through this `http://` or `https://` proxy, instead of the
    /// `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY` variables (which are used when this is not set,
    /// honouring `NO_PROXY`). Cannot be combined with
    /// [`deny_private_ips`](Self::deny_private_ips). Default: none.
    pub fn proxy(mut self, proxy: &str) -> Self {
        self.spec.proxy = Some(proxy.to_owned());
        self
    }

    /// The file served for a directory URL of a `file://` crawl. Default:
    /// [`DEFAULT_INDEX_FILE`].
    pub fn index_file(mut self, name: &str) -> Self {
        name.clone_into(&mut self.spec.index_file);
        self
    }

    /// The site root of a `file://` crawl: root-relative links (`/css/site.css`) resolve
    /// against it; it must be a directory. Default: none: a page under a folder given as a
    /// seed (`file:///abs/public/`) takes that folder (the shallowest such), any other page
    /// the file system root, as in a browser.
    pub fn site_root(mut self, root: impl Into<PathBuf>) -> Self {
        self.spec.root = Some(root.into());
        self
    }

    /// Keeps cookies in `jar`: its cookies are sent, and those the servers set are stored in it
    /// (keep a clone to save them after the crawl). Default: no cookies are kept (unless
    /// [`cookie`](Self::cookie) is given, which makes a jar of the crawl's own).
    pub fn cookie_jar(mut self, jar: CookieJar) -> Self {
        self.cookie_jar = Some(jar);
        self
    }

    /// Uses `seen` as the set of claimed URLs instead of a fresh in-memory set per crawl: the
    /// seam for sharing within one process. Every crawl of this crawler then shares it, so a
    /// URL claimed once is never fetched again. It is not the seam for a crawl spread over
    /// several processes: it is synchronous and called for every link; see
    /// [`Coordination`](crate::Coordination). Default: a new
    /// [`MemorySeenSet`](crate::seen::MemorySeenSet) for each crawl.
    pub fn seen_set(mut self, seen: Arc<dyn SeenSet>) -> Self {
        self.seen = Some(seen);
        self
    }

    /// Revalidates the pages of `previous` (`--since`): each page it vouches for is asked with
    /// its `ETag` and `Last-Modified`, and a `304 Not Modified` stands for a download of it,
    /// with the previous crawl's links (see [`crate::since`]). Read `previous` with this
    /// crawler's settings ([`CrawlSpec::config`]): it compares its link rules with theirs.
    /// Default: none, every page is downloaded.
    pub fn since(mut self, previous: Arc<PreviousCrawl>) -> Self {
        self.previous = Some(previous);
        self
    }

    /// When HTML pages are rendered in a browser: see [`RenderMode`]. A mode other than
    /// [`RenderMode::Never`] needs a [`renderer`](Self::renderer). Default:
    /// [`RenderMode::Never`].
    pub fn render(mut self, mode: RenderMode) -> Self {
        self.spec.render = mode;
        self
    }

    /// A rendered page is settled once it made no request for `wait` after its `load` event;
    /// the whole render is bounded by the page timeout. Default: [`DEFAULT_RENDER_WAIT`].
    pub fn render_wait(mut self, wait: Duration) -> Self {
        self.spec.render_wait = wait;
        self
    }

    /// The browser pages are rendered in (the `crawler-render` crate drives Chromium). It is
    /// asked only when [`render`](Self::render) is not [`RenderMode::Never`]. Default: none.
    pub fn renderer(mut self, renderer: Arc<dyn Renderer>) -> Self {
        self.renderer = Some(renderer);
        self
    }

    /// Calls `handler` for every [`CrawlEvent`], from the crawl's tasks; keep it quick.
    /// Default: none.
    pub fn on_event(mut self, handler: impl Fn(&CrawlEvent) + Send + Sync + 'static) -> Self {
        self.events = Events::new(Some(Arc::new(handler)));
        self
    }

    /// Validates the settings and builds the crawler with its shared HTTP client.
    ///
    /// # Errors
    /// The first invalid setting, as a [`ConfigError`] (see [`CrawlSpec::config`]).
    pub fn build(self) -> Result<Crawler, ConfigError> {
        let mut config = self.spec.config()?;
        if let Some(jar) = self.cookie_jar {
            config.http.cookie_jar = Some(jar);
        }
        if config.render.mode != RenderMode::Never && self.renderer.is_none() {
            return Err(ConfigError::NoRenderer(config.render.mode.as_str()));
        }
        let attached = Attached {
            events: self.events,
            previous: self.previous,
            renderer: self.renderer,
        };
        Ok(Crawler::new(self.spec, config, self.seen, attached))
    }
}

#[cfg(test)]
mod tests;
