//! Running out of file descriptors is back-pressure, not a page error.
//!
//! When the process (EMFILE) or the system (ENFILE) has no descriptor left, a connect fails
//! before anything reached the server, and the page itself is fine: the descriptor comes back
//! as soon as another request ends. So such a send waits and tries again, with a backoff from
//! 10 ms to 1 s, for at most the request timeout in all; only after that does the error reach
//! the page (and its retries).

use std::time::Duration;

use tokio::time::Instant;
use url::Url;

/// First wait after a send found no descriptor.
const FIRST_WAIT: Duration = Duration::from_millis(10);
/// Longest single wait.
const LONGEST_WAIT: Duration = Duration::from_secs(1);

/// Sends a GET for `url`, waiting and trying again while no file descriptor is left for the
/// connection, for at most `patience` in all.
pub(crate) async fn send(
    request: impl Fn() -> reqwest::RequestBuilder,
    url: &Url,
    patience: Duration,
) -> reqwest::Result<reqwest::Response> {
    let started = Instant::now();
    let mut wait = FIRST_WAIT;
    loop {
        match request().send().await {
            Err(err) if out_of_descriptors(&err) && started.elapsed() + wait <= patience => {
                tracing::debug!(url = %url, ?wait, "no file descriptor left; waiting");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(LONGEST_WAIT);
            }
            result => return result,
        }
    }
}

/// Whether `err` or one of its sources is EMFILE or ENFILE.
pub(crate) fn out_of_descriptors(err: &(dyn std::error::Error + 'static)) -> bool {
    // EMFILE and ENFILE have the same numbers on Linux, the BSDs and macOS; std has no
    // `ErrorKind` for them.
    const ENFILE: i32 = 23;
    const EMFILE: i32 = 24;
    let mut source = Some(err);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            if cfg!(unix) && matches!(io.raw_os_error(), Some(EMFILE | ENFILE)) {
                return true;
            }
        }
        source = cause.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("tcp open error")]
    struct Wrapped(#[source] std::io::Error);

    #[test]
    fn descriptor_exhaustion_is_found_in_the_chain() {
        let emfile = Wrapped(std::io::Error::from_raw_os_error(24));
        assert!(out_of_descriptors(&emfile));
        assert!(out_of_descriptors(&std::io::Error::from_raw_os_error(23)));
        let refused = Wrapped(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert!(!out_of_descriptors(&refused));
    }
}
