//! Retrying Redis calls across a dropped connection or a Redis restart.
//!
//! The connection manager reconnects in the background; a call that failed for a transient
//! reason is repeated with exponential back-off (50 ms doubling to 2 s) until `timeout` has
//! passed since the first failure. Every frontier call is safe to repeat.

use std::future::Future;
use std::time::Duration;

use crate::error::RedisCrawlError;

/// Runs `call` until it succeeds, fails for a non-transient reason, or keeps failing for
/// `timeout`.
///
/// # Errors
/// The last error.
pub(crate) async fn with_retry<T, F, Fut>(
    timeout: Duration,
    mut call: F,
) -> Result<T, RedisCrawlError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RedisCrawlError>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    let mut wait = Duration::from_millis(50);
    loop {
        match call().await {
            Err(err) if err.is_transient() && tokio::time::Instant::now() + wait < deadline => {
                tracing::debug!(%err, ?wait, "redis call failed; retrying");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(2));
            }
            other => return other,
        }
    }
}
