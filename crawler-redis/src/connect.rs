//! Connecting to Redis: a reconnecting connection with timeouts, and the checks a crawl needs
//! before it trusts the server.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::error::RedisCrawlError;

/// Opens a reconnecting connection to `url` (`redis://`, `rediss://` or `unix://`).
///
/// Each command times out after `timeout`; a dropped connection is re-established in the
/// background with exponential back-off (the caller retries its command).
///
/// # Errors
/// A bad URL, or Redis not reachable within `timeout`.
pub async fn connect(url: &str, timeout: Duration) -> Result<ConnectionManager, RedisCrawlError> {
    let client = redis::Client::open(url)?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(timeout))
        .set_response_timeout(Some(timeout))
        .set_number_of_retries(6)
        .set_min_delay(Duration::from_millis(50))
        .set_max_delay(Duration::from_secs(2));
    let con = tokio::time::timeout(timeout, ConnectionManager::new_with_config(client, config))
        .await
        .map_err(|_| redis::RedisError::from((redis::ErrorKind::Io, "connecting timed out")))??;
    Ok(con)
}

/// Refuses a Redis that evicts keys: an evicted seen set or queue would silently lose or
/// repeat pages.
///
/// # Errors
/// [`RedisCrawlError::Evicting`] naming the policy, or a Redis error.
pub async fn check_noeviction(con: &mut ConnectionManager) -> Result<(), RedisCrawlError> {
    let info: String = redis::cmd("INFO").arg("memory").query_async(con).await?;
    let policy = info
        .lines()
        .find_map(|l| l.strip_prefix("maxmemory_policy:"))
        .map_or("unknown", str::trim);
    if policy == "noeviction" {
        Ok(())
    } else {
        Err(RedisCrawlError::Evicting(policy.to_owned()))
    }
}
