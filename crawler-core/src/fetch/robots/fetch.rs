//! Fetching a host's robots.txt through the crawl's client, once per host: shared with other
//! workers through [`Coordination`](crate::Coordination), its `Crawl-delay` applied, its rules
//! kept in the [`RobotsCache`].

use std::sync::Arc;

use url::Url;

use super::{RobotsCache, RobotsFile, RobotsRules, MAX_ROBOTS_BYTES};
use crate::fetch::context::FetchContext;
use crate::fetch::politeness::{host_key, host_label};
use crate::fetch::request::blocked_address;
use crate::fetch::response::{location, read_body};
use crate::url_norm;

/// Redirects followed when fetching robots.txt.
const MAX_ROBOTS_REDIRECTS: usize = 5;

impl FetchContext {
    /// Whether robots.txt lets us fetch `url` (always true when robots.txt is ignored).
    pub(crate) async fn robots_allow(&self, url: &Url) -> bool {
        !self.config.respect_robots
            || url.scheme() == "file"
            || self.robots.rules(self, url).await.allows(url)
    }
}

impl RobotsCache {
    /// The rules for `url`'s host, fetching robots.txt the first time the host is met (unless
    /// another worker shared it). Tasks asking for the same host meanwhile wait for that one
    /// fetch.
    pub(crate) async fn rules(&self, ctx: &FetchContext, url: &Url) -> Arc<RobotsRules> {
        let cell = Arc::clone(self.hosts.entry(host_key(url)).or_default().value());
        Arc::clone(
            cell.get_or_init(|| async {
                let host = host_label(url);
                let shared = ctx.coordination.robots(&host).await;
                let file = if let Some(file) = shared {
                    file
                } else {
                    let file = Self::fetch(ctx, url).await;
                    ctx.coordination.put_robots(&host, &file).await;
                    file
                };
                let agent = self.agent.clone();
                // Seconds of CPU for a big file: never on an async worker.
                let rules = tokio::task::spawn_blocking(move || RobotsRules::parse(&agent, &file))
                    .await
                    .unwrap_or(RobotsRules::AllowAll);
                if let Some(delay) = rules.crawl_delay() {
                    if ctx.coordination.paces_locally() {
                        ctx.hosts.slow_down(url, delay);
                    }
                    ctx.coordination.crawl_delay(&host, delay).await;
                }
                Arc::new(rules)
            })
            .await,
        )
    }

    /// Fetches `url`'s robots.txt, following redirects.
    async fn fetch(ctx: &FetchContext, url: &Url) -> RobotsFile {
        let Ok(mut current) = url.join("/robots.txt") else {
            return RobotsFile::Unavailable;
        };
        for _ in 0..=MAX_ROBOTS_REDIRECTS {
            if blocked_address(ctx, &current).is_some() {
                // The page's own request reports the refusal.
                return RobotsFile::Unavailable;
            }
            let response = {
                let _permit = ctx.hosts.acquire(&current).await;
                match crate::fetch::backpressure::send(
                    || {
                        ctx.credentials
                            .apply(ctx.client.get(current.clone()), &current)
                    },
                    &current,
                    ctx.config.timeout,
                )
                .await
                {
                    Ok(response) => response,
                    Err(err) if err.is_connect() => return RobotsFile::Unavailable,
                    Err(err) => {
                        tracing::info!(url = %current, error = %err, "robots.txt unreachable: host disallowed");
                        return RobotsFile::Unreachable;
                    }
                }
            };
            let status = response.status();
            if status.is_redirection() {
                let next = location(&response).and_then(|l| {
                    url_norm::resolve(&current, &l, ctx.config.max_url_len.get()).ok()
                });
                match next {
                    Some(next) => current = next,
                    None => return RobotsFile::Unavailable,
                }
            } else if status.is_success() {
                let (body, error) = read_body(response, MAX_ROBOTS_BYTES).await;
                if matches!(
                    error,
                    Some(crate::PageError::Body { .. } | crate::PageError::Timeout)
                ) {
                    return RobotsFile::Unreachable;
                }
                return RobotsFile::Found(body);
            } else if status.is_client_error() {
                return RobotsFile::Unavailable;
            } else {
                tracing::info!(url = %current, %status, "robots.txt unreachable: host disallowed");
                return RobotsFile::Unreachable;
            }
        }
        RobotsFile::Unavailable
    }
}
