//! The open-file limit: raised as far as allowed at start, and concurrency kept within it.
//!
//! Every request in flight holds a socket, and the HTTP client keeps idle connections open for
//! reuse, so `-c 2000` under the common soft limit of 1024 would run out of file descriptors
//! and turn pages into "Too many open files" errors. So, before the crawl, the soft
//! `RLIMIT_NOFILE` is raised to the hard limit (allowed without privileges), and concurrency is
//! capped at [`FDS_PER_REQUEST`] descriptors a request after [`RESERVED_FDS`] for the rest of the
//! process. The library also waits and retries when a connect finds no descriptor left, so
//! descriptors used elsewhere cost time, never pages.

/// Descriptors kept for everything but sockets: stdio, the runtime, the output files, DNS.
pub(crate) const RESERVED_FDS: u64 = 32;

/// Descriptors counted per request in flight: its socket, and one idle pooled connection.
pub(crate) const FDS_PER_REQUEST: u64 = 2;

/// The open-file limit in force after raising the soft limit to the hard one; `None` when
/// there is no limit (or no way to read it).
#[cfg(unix)]
pub(crate) fn raise() -> Option<u64> {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current != limit.maximum {
        let raised = Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        match setrlimit(Resource::Nofile, raised) {
            Ok(()) => {
                tracing::debug!(from = ?limit.current, to = ?limit.maximum, "raised the open-file limit");
            }
            // macOS refuses an unlimited soft limit; the old limit then stands.
            Err(err) => tracing::debug!(%err, "cannot raise the open-file limit"),
        }
    }
    getrlimit(Resource::Nofile).current
}

/// Without `RLIMIT_NOFILE` there is nothing to raise or to cap by.
#[cfg(not(unix))]
pub(crate) fn raise() -> Option<u64> {
    None
}

/// The concurrency the open-file limit allows for `requested` (at least 1).
pub(crate) fn cap(requested: usize, limit: Option<u64>) -> usize {
    let Some(limit) = limit else {
        return requested;
    };
    let allowed = limit.saturating_sub(RESERVED_FDS) / FDS_PER_REQUEST;
    usize::try_from(allowed).map_or(requested, |allowed| requested.min(allowed.max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_keeps_requests_within_the_limit() {
        assert_eq!(cap(2000, Some(1024)), 496);
        assert_eq!(cap(32, Some(1024)), 32);
        assert_eq!(cap(200, Some(64)), 16);
        assert_eq!(cap(200, Some(10)), 1, "never below one");
        assert_eq!(cap(5000, None), 5000);
        assert_eq!(cap(5000, Some(u64::MAX)), 5000);
    }

    #[cfg(unix)]
    #[test]
    fn raise_leaves_the_soft_limit_at_the_hard_one() {
        let limit = raise();
        let now = rustix::process::getrlimit(rustix::process::Resource::Nofile);
        assert_eq!(limit, now.current);
        if now.maximum.is_some_and(|max| max <= 1 << 20) {
            assert_eq!(now.current, now.maximum);
        }
    }
}
