//! The builder of a [`Crawler`]: owned setters that record the first bad value, and `build`
//! that returns it as a [`ConfigError`].

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use crate::config::{
    CrawlConfig, DEFAULT_CONCURRENCY, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_DEPTH, DEFAULT_MAX_EDGES, DEFAULT_MAX_LINKS_PER_PAGE, DEFAULT_MAX_NODES,
    DEFAULT_MAX_REDIRECTS, DEFAULT_MAX_URL_LEN, DEFAULT_PAGE_TIMEOUT, DEFAULT_PER_HOST,
    DEFAULT_READ_TIMEOUT, DEFAULT_RETRIES, DEFAULT_RETRY_BASE_DELAY, DEFAULT_TIMEOUT,
    DEFAULT_USER_AGENT, MAX_CONCURRENCY, MAX_DURATION,
};
use crate::error::ConfigError;
use crate::event::{CrawlEvent, Events};
use crate::extract::Extraction;
use crate::frontier::SeenSet;
use crate::scope::{HostScope, Scope};
use crate::Crawler;

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
                page_timeout: DEFAULT_PAGE_TIMEOUT,
                max_nodes: nonzero(DEFAULT_MAX_NODES),
                max_edges: nonzero(DEFAULT_MAX_EDGES),
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
                http: crate::http_options::HttpOptions::default(),
                links: crate::link_options::LinkOptions::default(),
                files: crate::transport::file::FileOptions::default(),
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
    pub(crate) fn fail(mut self, err: ConfigError) -> Self {
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

    /// A request count: at least 1 and at most [`MAX_CONCURRENCY`], which also keeps it within
    /// what a semaphore can hold.
    fn in_flight(
        self,
        name: &'static str,
        n: usize,
        set: impl FnOnce(&mut CrawlConfig, NonZeroUsize),
    ) -> Self {
        if n > MAX_CONCURRENCY {
            return self.fail(ConfigError::TooMany {
                name,
                max: MAX_CONCURRENCY,
            });
        }
        self.limit(name, n, set)
    }

    /// A duration of at most [`MAX_DURATION`], and more than zero unless `zero_ok`.
    fn duration(
        mut self,
        name: &'static str,
        d: Duration,
        zero_ok: bool,
        set: impl FnOnce(&mut CrawlConfig),
    ) -> Self {
        if d.is_zero() && !zero_ok {
            return self.fail(ConfigError::ZeroDuration { name });
        }
        if d > MAX_DURATION {
            return self.fail(ConfigError::TooLong {
                name,
                max: MAX_DURATION,
            });
        }
        set(&mut self.config);
        self
    }

    /// Adds a parsed scope rule, or keeps the parse error for `build`.
    fn scope_rule<T>(
        mut self,
        parsed: Result<T, ConfigError>,
        add: impl FnOnce(&mut Scope, T),
    ) -> Self {
        match parsed {
            Ok(rule) => {
                add(&mut self.config.scope, rule);
                self
            }
            Err(err) => self.fail(err),
        }
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

    /// Requests in flight across all hosts. Must be at least 1 and at most
    /// [`MAX_CONCURRENCY`]. Default: [`DEFAULT_CONCURRENCY`].
    pub fn concurrency(self, n: usize) -> Self {
        self.in_flight("concurrency", n, |c, n| c.concurrency = n)
    }

    /// Requests in flight to one host. Must be at least 1 and at most [`MAX_CONCURRENCY`].
    /// Default: [`DEFAULT_PER_HOST`].
    pub fn per_host(self, n: usize) -> Self {
        self.in_flight("per-host concurrency", n, |c, n| c.per_host = n)
    }

    /// Limit for a whole request, connect to last byte; more than zero, at most
    /// [`MAX_DURATION`]. Default: [`DEFAULT_TIMEOUT`].
    pub fn timeout(self, timeout: Duration) -> Self {
        self.duration("timeout", timeout, false, |c| c.timeout = timeout)
    }

    /// Limit for one page, across its redirect hops, retries and their waits (more than zero,
    /// at most [`MAX_DURATION`]); a page that
    /// passes it fails with [`PageError::PageTimeout`](crate::PageError::PageTimeout).
    /// Default: [`DEFAULT_PAGE_TIMEOUT`].
    pub fn page_timeout(self, timeout: Duration) -> Self {
        self.duration("page timeout", timeout, false, |c| c.page_timeout = timeout)
    }

    /// Nodes the graph may hold. Once reached, new URLs are no longer recorded and the crawl
    /// stops with [`StopReason::GraphLimit`](crate::StopReason::GraphLimit). Must be at least
    /// 1. Default: [`DEFAULT_MAX_NODES`].
    pub fn max_nodes(self, n: usize) -> Self {
        self.limit("max nodes", n, |c, n| c.max_nodes = n)
    }

    /// Edges the graph may hold, as [`max_nodes`](Self::max_nodes) for links. Must be at
    /// least 1. Default: [`DEFAULT_MAX_EDGES`].
    pub fn max_edges(self, n: usize) -> Self {
        self.limit("max edges", n, |c, n| c.max_edges = n)
    }

    /// Limit for establishing a connection; more than zero, at most [`MAX_DURATION`].
    /// Default: [`DEFAULT_CONNECT_TIMEOUT`].
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        self.duration("connect timeout", timeout, false, |c| {
            c.connect_timeout = timeout;
        })
    }

    /// Limit for one read on an open connection; more than zero, at most [`MAX_DURATION`].
    /// Default: [`DEFAULT_READ_TIMEOUT`].
    pub fn read_timeout(self, timeout: Duration) -> Self {
        self.duration("read timeout", timeout, false, |c| c.read_timeout = timeout)
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
    pub fn prefix(self, prefix: &str) -> Self {
        self.scope_rule(Scope::parse_prefix(prefix), |scope, rule| {
            scope.prefixes.push(rule);
        })
    }

    /// Only URLs matching this regular expression are fetched; may be given more than once (any
    /// matches). Default: no pattern.
    pub fn include(self, pattern: &str) -> Self {
        self.scope_rule(Scope::parse_pattern(pattern), |scope, rule| {
            scope.include.push(rule);
        })
    }

    /// URLs matching this regular expression are not fetched. Default: no pattern.
    pub fn exclude(self, pattern: &str) -> Self {
        self.scope_rule(Scope::parse_pattern(pattern), |scope, rule| {
            scope.exclude.push(rule);
        })
    }

    /// Whether to fetch and obey each host's robots.txt. Default: true.
    pub fn respect_robots(mut self, respect: bool) -> Self {
        self.config.respect_robots = respect;
        self
    }

    /// Minimum time between the starts of two requests to one host (a robots.txt
    /// `Crawl-delay` can raise it for its host); more than zero, at most [`MAX_DURATION`].
    /// Default: none.
    pub fn delay(self, delay: Duration) -> Self {
        self.duration("delay", delay, false, |c| c.delay = Some(delay))
    }

    /// Maximum requests per second to one host; at least one a day (the gap it implies is at
    /// most [`MAX_DURATION`]). Default: no limit.
    pub fn rate(mut self, per_second: f64) -> Self {
        let min = 1.0 / MAX_DURATION.as_secs_f64();
        if !(per_second.is_finite() && per_second >= min) {
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
    /// the server wins, up to 30 s. At most [`MAX_DURATION`]. Default:
    /// [`DEFAULT_RETRY_BASE_DELAY`].
    pub fn retry_base_delay(self, delay: Duration) -> Self {
        self.duration("retry base delay", delay, true, |c| {
            c.retry_base_delay = delay;
        })
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
    /// seam for sharing within one process. Every crawl of this crawler then shares it, so a
    /// URL claimed once is never fetched again. It is not the seam for a crawl spread over
    /// several processes: it is synchronous and called for every link; see
    /// [`Coordination`](crate::Coordination). Default: a new
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
        if self.config.deny_private_ips && self.config.http.proxy.is_some() {
            return Err(ConfigError::ProxyWithDenyPrivateIps);
        }
        Ok(Crawler::new(self.config, self.events, self.seen))
    }

    /// The settings as they stand.
    pub fn config(&self) -> &CrawlConfig {
        &self.config
    }

    /// The settings, for setters defined beside the settings they fill.
    pub(crate) fn config_mut(&mut self) -> &mut CrawlConfig {
        &mut self.config
    }
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
    fn values_that_would_overflow_are_rejected_at_build() {
        let too_long = Duration::from_secs(10_000_000_000_000_000_000);
        let err = Crawler::builder().delay(too_long).build().unwrap_err();
        let max = MAX_DURATION;
        assert_eq!(err, ConfigError::TooLong { name: "delay", max });
        for builder in [
            Crawler::builder().timeout(too_long),
            Crawler::builder().connect_timeout(too_long),
            Crawler::builder().read_timeout(too_long),
            Crawler::builder().retry_base_delay(too_long),
            Crawler::builder().per_host(usize::MAX),
            Crawler::builder().concurrency(MAX_CONCURRENCY + 1),
        ] {
            let err = builder.build().unwrap_err();
            assert!(matches!(
                err,
                ConfigError::TooLong { .. } | ConfigError::TooMany { .. }
            ));
        }
        for rate in [1e-300, 1e-5, 0.0, -1.0, f64::NAN, f64::INFINITY] {
            let err = Crawler::builder().rate(rate).build().unwrap_err();
            assert!(matches!(err, ConfigError::InvalidRate(_)), "{rate}");
        }
        // The maximums themselves are taken.
        let crawler = Crawler::builder()
            .delay(MAX_DURATION)
            .rate(1.0 / 86_400.0)
            .per_host(MAX_CONCURRENCY)
            .build()
            .unwrap();
        assert_eq!(crawler.config().host_gap(), MAX_DURATION);
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
