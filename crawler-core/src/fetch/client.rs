//! The one shared HTTP client of a crawl, built from its [`CrawlConfig`].

use std::sync::Arc;

use crate::config::CrawlConfig;
use crate::error::Error;

/// Builds the one shared HTTP client of a crawl.
///
/// Redirects are not followed by reqwest: the crawler follows them itself, to record each hop
/// as an edge and to check every target against the scope and the seen set.
///
/// With `deny_private_ips`, proxies from the environment (`HTTP_PROXY`, `HTTPS_PROXY`,
/// `ALL_PROXY`) are not used: a proxy resolves the target's name itself, out of reach of the
/// guard's resolver, so the guard would be void.
pub(crate) fn http_client(config: &CrawlConfig) -> Result<reqwest::Client, Error> {
    let mut builder = reqwest::Client::builder();
    if config.deny_private_ips {
        builder = builder
            .dns_resolver(Arc::new(crate::fetch::address::PublicOnlyResolver))
            .no_proxy();
    }
    builder = config.http.configure(builder);
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
