//! Crawl settings and the builder that validates them.
//!
//! Every limit carries its type (`NonZeroUsize` for counts, `Duration` for times), and every
//! default is a public `DEFAULT_*` constant so the CLI's help text and the library agree.

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{ConfigError, Error};
use crate::event::{CrawlEvent, Events};
use crate::extract::Extraction;
use crate::frontier::SeenSet;
use crate::scope::{HostScope, Scope};
use crate::Crawler;

/// Default maximum depth: seeds are depth 0, so 2 fetches the seeds, their links and the links of those.
pub const DEFAULT_MAX_DEPTH: u32 = 2;
/// Default number of requests in flight across all hosts.
pub const DEFAULT_CONCURRENCY: usize = 32;
/// Default number of requests in flight to one host: two, the old HTTP/1.1 advice for
/// clients, so a small site on the open web is never hammered. Raise it for your own servers.
pub const DEFAULT_PER_HOST: usize = 2;
/// Default limit for a whole request, from connecting to the last body byte.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default limit for establishing a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default limit for one read on an open connection (a server that stalls mid-body).
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(15);
/// Default maximum number of redirects followed from one URL.
pub const DEFAULT_MAX_REDIRECTS: usize = 10;
/// Default maximum body size read from one page, in bytes, after decompression.
pub const DEFAULT_MAX_BODY_BYTES: usize = 10 * 1024 * 1024;
/// Default maximum number of links taken from one page; the rest are dropped.
pub const DEFAULT_MAX_LINKS_PER_PAGE: usize = 10_000;
/// Default maximum length of a URL, in bytes; longer links are dropped.
pub const DEFAULT_MAX_URL_LEN: usize = 2048;
/// Default number of retries of a transient failure (429, 502-504, refused or reset connection).
pub const DEFAULT_RETRIES: u32 = 2;
/// Default wait before the first retry; it doubles with each further retry.
pub const DEFAULT_RETRY_BASE_DELAY: Duration = Duration::from_millis(500);
/// Default `User-Agent` header.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "crawlgraph/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/crawlgraph/crawlgraph)"
);

/// The validated settings of a [`Crawler`]. Build one with [`Crawler::builder`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CrawlConfig {
    /// Deepest level fetched; seeds are depth 0. Links found at this depth become unfetched
    /// boundary nodes at `max_depth + 1`.
    pub max_depth: u32,
    /// At most this many pages are fetched (redirect hops followed for a page count with it).
    pub max_pages: Option<NonZeroUsize>,
    /// Requests in flight across all hosts.
    pub concurrency: NonZeroUsize,
    /// Requests in flight to one host (host and port).
    pub per_host: NonZeroUsize,
    /// Limit for a whole request.
    pub timeout: Duration,
    /// Limit for establishing a connection.
    pub connect_timeout: Duration,
    /// Limit for one read.
    pub read_timeout: Duration,
    /// Redirects followed from one URL before it fails with `TooManyRedirects`.
    pub max_redirects: usize,
    /// Bytes of a page body read, after decompression.
    pub max_body_bytes: NonZeroUsize,
    /// Links kept from one page.
    pub max_links_per_page: NonZeroUsize,
    /// Longest URL kept, in bytes.
    pub max_url_len: NonZeroUsize,
    /// `User-Agent` sent with every request.
    pub user_agent: String,
    /// Which URLs may be fetched.
    pub scope: Scope,
    /// Whether robots.txt is fetched and obeyed.
    pub respect_robots: bool,
    /// Minimum time between the starts of two requests to one host.
    pub delay: Option<Duration>,
    /// Maximum requests per second to one host.
    pub rate: Option<f64>,
    /// Retries of a transient failure.
    pub retries: u32,
    /// Wait before the first retry; doubled for each further one.
    pub retry_base_delay: Duration,
    /// Whether hosts resolving to loopback, private or link-local addresses are refused.
    pub deny_private_ips: bool,
    /// Whether the seeds' sitemaps (robots.txt `Sitemap:` lines, `/sitemap.xml`) add seeds.
    pub sitemaps: bool,
    /// How links are taken out of pages.
    pub extraction: Extraction,
}

impl CrawlConfig {
    /// The minimum gap between two request starts to one host, from `delay` and `rate`.
    pub fn host_gap(&self) -> Duration {
        let from_rate = self
            .rate
            .map_or(Duration::ZERO, |rate| Duration::from_secs_f64(1.0 / rate));
        self.delay.unwrap_or_default().max(from_rate)
    }
}

/// Builds a [`Crawler`]. Setters take and return `self`; [`build`](Self::build) validates.
#[must_use]
#[derive(Debug)]
pub struct CrawlerBuilder {
    config: CrawlConfig,
    events: Events,
    seen: Option<Arc<dyn SeenSet>>,
    error: Option<ConfigError>,
}

impl Default for CrawlerBuilder {
    fn default() -> Self {
        Self {
            config: CrawlConfig {
                max_depth: DEFAULT_MAX_DEPTH,
                max_pages: None,
                concurrency: nonzero(DEFAULT_CONCURRENCY),
                per_host: nonzero(DEFAULT_PER_HOST),
                timeout: DEFAULT_TIMEOUT,
                connect_timeout: DEFAULT_CONNECT_TIMEOUT,
                read_timeout: DEFAULT_READ_TIMEOUT,
                max_redirects: DEFAULT_MAX_REDIRECTS,
                max_body_bytes: nonzero(DEFAULT_MAX_BODY_BYTES),
                max_links_per_page: nonzero(DEFAULT_MAX_LINKS_PER_PAGE),
                max_url_len: nonzero(DEFAULT_MAX_URL_LEN),
                user_agent: DEFAULT_USER_AGENT.to_owned(),
                scope: Scope::default(),
                respect_robots: true,
                delay: None,
                rate: None,
                retries: DEFAULT_RETRIES,
                retry_base_delay: DEFAULT_RETRY_BASE_DELAY,
                deny_private_ips: false,
                sitemaps: false,
                extraction: Extraction::default(),
            },
            events: Events::default(),
            seen: None,
            error: None,
        }
    }
}

fn nonzero(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).unwrap_or(NonZeroUsize::MIN)
}

impl CrawlerBuilder {
    /// Keeps the first error a setter found, to be returned by `build`.
    fn fail(mut self, err: ConfigError) -> Self {
        self.error.get_or_insert(err);
        self
    }

    fn limit(
        self,
        name: &'static str,
        n: usize,
        set: impl FnOnce(&mut CrawlConfig, NonZeroUsize),
    ) -> Self {
        match NonZeroUsize::new(n) {
            Some(n) => {
                let mut this = self;
                set(&mut this.config, n);
                this
            }
            None => self.fail(ConfigError::Zero { name }),
        }
    }

    fn duration(
        mut self,
        name: &'static str,
        d: Duration,
        set: impl FnOnce(&mut CrawlConfig),
    ) -> Self {
        if d.is_zero() {
            return self.fail(ConfigError::ZeroDuration { name });
        }
        set(&mut self.config);
        self
    }

    /// Deepest level fetched; seeds are depth 0. Default: [`DEFAULT_MAX_DEPTH`].
    pub fn max_depth(mut self, depth: u32) -> Self {
        self.config.max_depth = depth;
        self
    }

    /// Stops after this many pages have been fetched. Must be at least 1. Default: no limit.
    pub fn max_pages(self, pages: usize) -> Self {
        self.limit("max pages", pages, |c, n| c.max_pages = Some(n))
    }

    /// Requests in flight across all hosts. Must be at least 1. Default: [`DEFAULT_CONCURRENCY`].
    pub fn concurrency(self, n: usize) -> Self {
        self.limit("concurrency", n, |c, n| c.concurrency = n)
    }

    /// Requests in flight to one host. Must be at least 1. Default: [`DEFAULT_PER_HOST`].
    pub fn per_host(self, n: usize) -> Self {
        self.limit("per-host concurrency", n, |c, n| c.per_host = n)
    }

    /// Limit for a whole request, connect to last byte. Default: [`DEFAULT_TIMEOUT`].
    pub fn timeout(self, timeout: Duration) -> Self {
        self.duration("timeout", timeout, |c| c.timeout = timeout)
    }

    /// Limit for establishing a connection. Default: [`DEFAULT_CONNECT_TIMEOUT`].
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        self.duration("connect timeout", timeout, |c| c.connect_timeout = timeout)
    }

    /// Limit for one read on an open connection. Default: [`DEFAULT_READ_TIMEOUT`].
    pub fn read_timeout(self, timeout: Duration) -> Self {
        self.duration("read timeout", timeout, |c| c.read_timeout = timeout)
    }

    /// Redirects followed from one URL; 0 records every redirect without following it.
    /// Default: [`DEFAULT_MAX_REDIRECTS`].
    pub fn max_redirects(mut self, n: usize) -> Self {
        self.config.max_redirects = n;
        self
    }

    /// Bytes of a body read, after decompression. Default: [`DEFAULT_MAX_BODY_BYTES`].
    pub fn max_body_bytes(self, n: usize) -> Self {
        self.limit("max body bytes", n, |c, n| c.max_body_bytes = n)
    }

    /// Links kept from one page. Default: [`DEFAULT_MAX_LINKS_PER_PAGE`].
    pub fn max_links_per_page(self, n: usize) -> Self {
        self.limit("max links per page", n, |c, n| c.max_links_per_page = n)
    }

    /// Longest URL kept, in bytes. Default: [`DEFAULT_MAX_URL_LEN`].
    pub fn max_url_len(self, n: usize) -> Self {
        self.limit("max URL length", n, |c, n| c.max_url_len = n)
    }

    /// `User-Agent` header. Default: [`DEFAULT_USER_AGENT`].
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        let agent = agent.into();
        if reqwest::header::HeaderValue::from_str(&agent).is_err() || agent.is_empty() {
            return self.fail(ConfigError::InvalidUserAgent(agent));
        }
        self.config.user_agent = agent;
        self
    }

    /// Which hosts the crawl stays on. Default: [`HostScope::SameHost`].
    pub fn host_scope(mut self, hosts: HostScope) -> Self {
        self.config.scope.hosts = hosts;
        self
    }

    /// Only URLs starting with this absolute http(s) URL are fetched; may be given more than
    /// once (any matches). Default: no prefix.
    pub fn prefix(mut self, prefix: &str) -> Self {
        match Scope::parse_prefix(prefix) {
            Ok(url) => {
                self.config.scope.prefixes.push(url);
                self
            }
            Err(err) => self.fail(err),
        }
    }

    /// Only URLs matching this regular expression are fetched; may be given more than once (any
    /// matches). Default: no pattern.
    pub fn include(mut self, pattern: &str) -> Self {
        match Scope::parse_pattern(pattern) {
            Ok(re) => {
                self.config.scope.include.push(re);
                self
            }
            Err(err) => self.fail(err),
        }
    }

    /// URLs matching this regular expression are not fetched. Default: no pattern.
    pub fn exclude(mut self, pattern: &str) -> Self {
        match Scope::parse_pattern(pattern) {
            Ok(re) => {
                self.config.scope.exclude.push(re);
                self
            }
            Err(err) => self.fail(err),
        }
    }

    /// Whether to fetch and obey each host's robots.txt. Default: true.
    pub fn respect_robots(mut self, respect: bool) -> Self {
        self.config.respect_robots = respect;
        self
    }

    /// Minimum time between the starts of two requests to one host (a robots.txt
    /// `Crawl-delay` can raise it for its host). Default: none.
    pub fn delay(self, delay: Duration) -> Self {
        self.duration("delay", delay, |c| c.delay = Some(delay))
    }

    /// Maximum requests per second to one host; must be positive. Default: no limit.
    pub fn rate(mut self, per_second: f64) -> Self {
        if !(per_second.is_finite() && per_second > 0.0) {
            return self.fail(ConfigError::InvalidRate(per_second.to_string()));
        }
        self.config.rate = Some(per_second);
        self
    }

    /// Retries of a transient failure (429, 502-504, a refused, reset or garbled connection);
    /// never of other 4xx, nor of timeouts. Default: [`DEFAULT_RETRIES`].
    pub fn retries(mut self, retries: u32) -> Self {
        self.config.retries = retries;
        self
    }

    /// Wait before the first retry, doubled for each further one; a longer `Retry-After` from
    /// the server wins, up to 30 s. Default: [`DEFAULT_RETRY_BASE_DELAY`].
    pub fn retry_base_delay(mut self, delay: Duration) -> Self {
        self.config.retry_base_delay = delay;
        self
    }

    /// Refuses hosts that resolve to loopback, private, link-local or reserved addresses,
    /// also after redirects. For crawling URLs from untrusted sources. Default: false.
    pub fn deny_private_ips(mut self, deny: bool) -> Self {
        self.config.deny_private_ips = deny;
        self
    }

    /// Adds the URLs listed in each seed host's sitemaps (robots.txt `Sitemap:` lines, or
    /// `/sitemap.xml`; sitemap indexes and gzip sitemaps are followed) as seeds. Default: false.
    pub fn sitemaps(mut self, sitemaps: bool) -> Self {
        self.config.sitemaps = sitemaps;
        self
    }

    /// How links are taken out of HTML. Default: [`Extraction::Tokens`].
    pub fn extraction(mut self, how: Extraction) -> Self {
        self.config.extraction = how;
        self
    }

    /// Uses `seen` as the set of claimed URLs instead of a fresh in-memory set per crawl: the
    /// seam for a store shared by several crawler processes. Every crawl of this crawler then
    /// shares it, so a URL claimed once is never fetched again. Default: a new
    /// [`MemorySeenSet`](crate::frontier::MemorySeenSet) for each crawl.
    pub fn seen_set(mut self, seen: Arc<dyn SeenSet>) -> Self {
        self.seen = Some(seen);
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
    /// The first invalid setting, as a [`ConfigError`].
    pub fn build(self) -> Result<Crawler, ConfigError> {
        if let Some(err) = self.error {
            return Err(err);
        }
        Ok(Crawler::new(self.config, self.events, self.seen))
    }

    /// The settings as they stand.
    pub fn config(&self) -> &CrawlConfig {
        &self.config
    }
}

/// Builds the one shared HTTP client of a crawl.
///
/// Redirects are not followed by reqwest: the crawler follows them itself, to record each hop
/// as an edge and to check every target against the scope and the seen set.
pub(crate) fn http_client(config: &CrawlConfig) -> Result<reqwest::Client, Error> {
    let mut builder = reqwest::Client::builder();
    if config.deny_private_ips {
        builder = builder.dns_resolver(Arc::new(crate::address::PublicOnlyResolver));
    }
    builder
        .user_agent(config.user_agent.clone())
        .redirect(reqwest::redirect::Policy::none())
        .timeout(config.timeout)
        .connect_timeout(config.connect_timeout)
        .read_timeout(config.read_timeout)
        .pool_max_idle_per_host(config.per_host.get())
        .tcp_nodelay(true)
        .build()
        .map_err(Error::Client)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_constants() {
        let builder = Crawler::builder();
        let config = builder.config();
        assert_eq!(config.max_depth, DEFAULT_MAX_DEPTH);
        assert_eq!(config.concurrency.get(), DEFAULT_CONCURRENCY);
        assert_eq!(config.per_host.get(), DEFAULT_PER_HOST);
        assert_eq!(config.timeout, DEFAULT_TIMEOUT);
        assert!(config.user_agent.starts_with("crawlgraph/"));
    }

    #[test]
    fn zero_limits_are_rejected_at_build() {
        let err = Crawler::builder().concurrency(0).build().unwrap_err();
        assert_eq!(
            err,
            ConfigError::Zero {
                name: "concurrency"
            }
        );
        let err = Crawler::builder()
            .timeout(Duration::ZERO)
            .build()
            .unwrap_err();
        assert_eq!(err, ConfigError::ZeroDuration { name: "timeout" });
    }

    #[test]
    fn first_error_wins() {
        let err = Crawler::builder()
            .per_host(0)
            .include("(")
            .build()
            .unwrap_err();
        assert_eq!(
            err,
            ConfigError::Zero {
                name: "per-host concurrency"
            }
        );
    }

    #[test]
    fn bad_user_agent_is_rejected() {
        let err = Crawler::builder()
            .user_agent("bad\nagent")
            .build()
            .unwrap_err();
        assert!(matches!(err, ConfigError::InvalidUserAgent(_)));
    }
}
