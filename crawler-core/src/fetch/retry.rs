//! Retries of transient failures, with exponential backoff that honours `Retry-After`.
//!
//! Transient: a connection that could not be made or broke (refused, reset, closed early), an
//! answer that was not valid HTTP (often a proxy or a connection reused as it closed), and the
//! statuses 429, 502, 503 and 504. Never retried: other 4xx (the answer will not change),
//! timeouts (a stalled server would multiply the crawl's worst case), and 500 (a bug on the
//! server, usually deterministic).

use std::time::{Duration, SystemTime};

use crate::error::PageError;

/// Longest wait before a retry, whatever `Retry-After` asks.
pub const MAX_RETRY_WAIT: Duration = Duration::from_secs(30);

/// Whether an answer is worth another try.
pub(crate) fn is_transient(status: Option<u16>, error: Option<&PageError>) -> bool {
    matches!(status, Some(429 | 502 | 503 | 504))
        || matches!(
            error,
            Some(PageError::Connect { .. } | PageError::Body { .. } | PageError::Request { .. })
        )
}

/// The wait before retry number `attempt + 1`: `base * 2^attempt`, or the server's
/// `Retry-After` if that is longer, at most [`MAX_RETRY_WAIT`].
pub(crate) fn backoff(base: Duration, attempt: u32, retry_after: Option<Duration>) -> Duration {
    let exponential = base.saturating_mul(2u32.saturating_pow(attempt));
    exponential
        .max(retry_after.unwrap_or_default())
        .min(MAX_RETRY_WAIT)
}

/// Parses a `Retry-After` value: delay seconds or an HTTP date.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_statuses_and_errors() {
        for status in [429, 502, 503, 504] {
            assert!(is_transient(Some(status), None), "{status}");
        }
        for status in [200, 301, 400, 403, 404, 410, 500] {
            assert!(!is_transient(Some(status), None), "{status}");
        }
        let reset = PageError::Body {
            detail: "connection reset".into(),
        };
        assert!(is_transient(None, Some(&reset)));
        assert!(!is_transient(None, Some(&PageError::Timeout)));
        assert!(!is_transient(
            Some(404),
            Some(&PageError::HttpStatus { status: 404 })
        ));
    }

    #[test]
    fn backoff_doubles_and_honours_retry_after() {
        let base = Duration::from_millis(500);
        assert_eq!(backoff(base, 0, None), Duration::from_millis(500));
        assert_eq!(backoff(base, 2, None), Duration::from_secs(2));
        assert_eq!(
            backoff(base, 0, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        assert_eq!(backoff(base, 20, None), MAX_RETRY_WAIT);
        assert_eq!(
            backoff(base, 0, Some(Duration::from_secs(3600))),
            MAX_RETRY_WAIT
        );
    }

    #[test]
    fn retry_after_seconds_or_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        // 2015-10-21 07:28:00 GMT is 1445412480; ten seconds later:
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn hostile_retry_after_values_never_panic_and_are_capped() {
        let now = SystemTime::UNIX_EPOCH;
        for none in ["-1", "1e30", "NaN", "inf", "99999999999999999999"] {
            assert_eq!(parse_retry_after(none, now), None, "{none}");
        }
        let longest = parse_retry_after("18446744073709551615", now);
        assert_eq!(longest, Some(Duration::from_secs(u64::MAX)));
        assert_eq!(backoff(Duration::MAX, u32::MAX, longest), MAX_RETRY_WAIT);
        let far = parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now);
        assert_eq!(backoff(Duration::ZERO, 0, far), MAX_RETRY_WAIT);
    }
}
