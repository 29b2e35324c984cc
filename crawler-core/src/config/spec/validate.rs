//! [`CrawlSpec::config`]: a spec validated into the [`CrawlConfig`] a crawl runs on, with the
//! same [`ConfigError`]s the builder's setters had, checked in field order.

use std::num::NonZeroUsize;
use std::time::Duration;

use super::CrawlSpec;
use crate::config::files::FileOptions;
use crate::config::http::{BasicAuth, HttpOptions};
use crate::config::links::LinkOptions;
use crate::config::render::RenderOptions;
use crate::config::scope::Scope;
use crate::config::{CrawlConfig, MAX_CONCURRENCY, MAX_DURATION};
use crate::error::ConfigError;

impl CrawlSpec {
    /// Validates the spec into the settings a crawl runs on. The checks run in field order and
    /// the first failure is returned.
    ///
    /// # Errors
    /// The first invalid setting, or a secret that was withheld.
    pub fn config(&self) -> Result<CrawlConfig, ConfigError> {
        let max_pages = self
            .max_pages
            .map(|n| at_least_one("max pages", n))
            .transpose()?;
        let concurrency = in_flight("concurrency", self.worker.concurrency)?;
        let per_host = in_flight("per-host concurrency", self.per_host)?;
        let timeout = duration("timeout", self.timeout, false)?;
        let page_timeout = duration("page timeout", self.page_timeout, false)?;
        let max_nodes = at_least_one("max nodes", self.max_nodes)?;
        let max_edges = at_least_one("max edges", self.max_edges)?;
        let connect_timeout = duration("connect timeout", self.connect_timeout, false)?;
        let read_timeout = duration("read timeout", self.read_timeout, false)?;
        let max_body_bytes = at_least_one("max body bytes", self.max_body_bytes)?;
        let max_links_per_page = at_least_one("max links per page", self.max_links_per_page)?;
        let max_url_len = at_least_one("max URL length", self.max_url_len)?;
        if self.user_agent.is_empty()
            || reqwest::header::HeaderValue::from_str(&self.user_agent).is_err()
        {
            return Err(ConfigError::InvalidUserAgent(self.user_agent.clone()));
        }
        let scope = self.scope()?;
        let delay = self
            .delay
            .map(|delay| duration("delay", delay, false))
            .transpose()?;
        if let Some(rate) = self.rate {
            let min = 1.0 / MAX_DURATION.as_secs_f64();
            if !(rate.is_finite() && rate >= min) {
                return Err(ConfigError::InvalidRate(rate.to_string()));
            }
        }
        let retry_base_delay = duration("retry base delay", self.retry_base_delay, true)?;
        let http = self.http()?;
        if self.deny_private_ips && http.proxy.is_some() {
            return Err(ConfigError::ProxyWithDenyPrivateIps);
        }
        let render_wait = duration("render wait", self.render_wait, true)?;
        if let Some(tabs) = self.worker.render_concurrency {
            at_least_one("render concurrency", tabs)?;
        }
        Ok(CrawlConfig {
            max_depth: self.depth,
            max_pages,
            concurrency,
            per_host,
            timeout,
            page_timeout,
            max_nodes,
            max_edges,
            connect_timeout,
            read_timeout,
            max_redirects: self.max_redirects,
            max_body_bytes,
            max_links_per_page,
            max_url_len,
            user_agent: self.user_agent.clone(),
            scope,
            respect_robots: !self.ignore_robots,
            delay,
            rate: self.rate,
            retries: self.retries,
            retry_base_delay,
            deny_private_ips: self.deny_private_ips,
            sitemaps: self.sitemap,
            extraction: self.extract,
            http,
            links: LinkOptions {
                kinds: self.links,
                ignore_nofollow: self.ignore_nofollow,
                respect_rel_nofollow: self.respect_rel_nofollow,
                check_resources: self.check_resources,
                check_fragments: self.check_fragments,
            },
            files: self.files()?,
            render: RenderOptions {
                mode: self.render,
                wait: render_wait,
                load_resources: self.check_resources,
            },
        })
    }

    /// The scope rules: the host rule, prefixes and patterns, each parsed.
    fn scope(&self) -> Result<Scope, ConfigError> {
        Ok(Scope {
            hosts: self.hosts.clone(),
            prefixes: self
                .prefix
                .iter()
                .map(|prefix| Scope::parse_prefix(prefix))
                .collect::<Result<_, _>>()?,
            include: self
                .include
                .iter()
                .map(|pattern| Scope::parse_pattern(pattern))
                .collect::<Result<_, _>>()?,
            exclude: self
                .exclude
                .iter()
                .map(|pattern| Scope::parse_pattern(pattern))
                .collect::<Result<_, _>>()?,
        })
    }

    /// The request options, each checked; secrets must be known.
    fn http(&self) -> Result<HttpOptions, ConfigError> {
        let mut http = HttpOptions::default();
        for header in &self.header {
            let value = header
                .value
                .expose()
                .ok_or_else(|| ConfigError::SecretWithheld {
                    setting: format!("header {}", header.name),
                })?;
            http.headers
                .push(HttpOptions::check_header(&header.name, value)?);
        }
        for cookie in &self.cookie {
            let pair = cookie.expose().ok_or_else(|| ConfigError::SecretWithheld {
                setting: "cookie".to_owned(),
            })?;
            http.cookies.push(HttpOptions::check_cookie(pair)?);
        }
        if !http.cookies.is_empty() {
            http.cookie_jar = Some(crate::CookieJar::new());
        }
        if let Some(login) = &self.user {
            let password = match &login.password {
                Some(secret) => Some(
                    secret
                        .expose()
                        .ok_or_else(|| ConfigError::SecretWithheld {
                            setting: format!("user {}'s password", login.name),
                        })?
                        .to_owned(),
                ),
                None => None,
            };
            http.basic_auth = Some(BasicAuth {
                user: login.name.clone(),
                password,
            });
        }
        if let Some(proxy) = &self.proxy {
            http.proxy = Some(HttpOptions::check_proxy(proxy)?);
        }
        http.accept_invalid_certs = self.accept_invalid_certs;
        Ok(http)
    }

    /// The `file://` settings, checked.
    fn files(&self) -> Result<FileOptions, ConfigError> {
        if self.index_file.is_empty() || self.index_file.contains('/') {
            return Err(ConfigError::InvalidIndexFile(self.index_file.clone()));
        }
        let root = match &self.root {
            Some(root) => Some(
                root.canonicalize()
                    .ok()
                    .filter(|dir| dir.is_dir())
                    .ok_or_else(|| ConfigError::InvalidRoot(root.clone()))?,
            ),
            None => None,
        };
        Ok(FileOptions {
            index_file: self.index_file.clone(),
            root,
        })
    }
}

/// A count of at least one.
fn at_least_one(name: &'static str, n: usize) -> Result<NonZeroUsize, ConfigError> {
    NonZeroUsize::new(n).ok_or(ConfigError::Zero { name })
}

/// A request count: at least 1 and at most [`MAX_CONCURRENCY`], which also keeps it within
/// what a semaphore can hold.
fn in_flight(name: &'static str, n: usize) -> Result<NonZeroUsize, ConfigError> {
    if n > MAX_CONCURRENCY {
        return Err(ConfigError::TooMany {
            name,
            max: MAX_CONCURRENCY,
        });
    }
    at_least_one(name, n)
}

/// A duration of at most [`MAX_DURATION`], and more than zero unless `zero_ok`.
fn duration(name: &'static str, d: Duration, zero_ok: bool) -> Result<Duration, ConfigError> {
    if d.is_zero() && !zero_ok {
        return Err(ConfigError::ZeroDuration { name });
    }
    if d > MAX_DURATION {
        return Err(ConfigError::TooLong {
            name,
            max: MAX_DURATION,
        });
    }
    Ok(d)
}
