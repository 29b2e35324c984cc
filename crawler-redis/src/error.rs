//! The errors of a distributed crawl: Redis failures and refusals to start.
//!
//! Per-page failures never come here: like in the single-process crawl they are stored in the
//! page's outcome and end up in the graph.

/// Why a distributed crawl could not start, go on or be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RedisCrawlError {
    /// Redis refused a command, or the connection failed for longer than the timeout.
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    /// The Redis evicts keys under memory pressure: the seen set or the frontier could vanish.
    #[error(
        "redis maxmemory-policy is {0}; a crawl needs noeviction (CONFIG SET maxmemory-policy noeviction)"
    )]
    Evicting(String),
    /// The crawl id cannot be used in key names.
    #[error("invalid crawl id {0:?}: use 1 to 64 characters of A-Z a-z 0-9 . _ -")]
    InvalidCrawlId(String),
    /// No crawl with this id exists.
    #[error("no crawl {0:?} in this redis")]
    NotFound(String),
    /// A joining worker's settings differ from the crawl's.
    #[error(
        "setting {name} differs from the crawl's: crawl has {stored}, this worker has {given}"
    )]
    SettingsMismatch {
        /// The setting's name (a [`CrawlSpec`](crawler_core::CrawlSpec) field: a long flag with
        /// `_` for `-`).
        name: String,
        /// The crawl's value.
        stored: String,
        /// This worker's value.
        given: String,
    },
    /// A joining worker brought seeds other than the crawl's: they would not be crawled.
    #[error("crawl has other seeds: {detail}; join with the crawl's seeds or with none")]
    SeedsMismatch {
        /// Where the lists first differ.
        detail: String,
    },
    /// A setting a distributed crawl does not support (yet).
    #[error("{0} is not supported by a distributed crawl")]
    Unsupported(&'static str),
    /// The crawl was made by an incompatible version of crawlgraph.
    #[error(
        "crawl schema {found} is not {expected}: finish it with the crawlgraph version that \
         created it, or remove it with `crawl delete`"
    )]
    Schema {
        /// The schema this build reads.
        expected: u32,
        /// The schema in Redis.
        found: String,
    },
    /// The crawl's stored settings do not validate here (e.g. a `file://` site root that this
    /// machine does not have).
    #[error("the crawl's settings: {0}")]
    Config(#[from] crawler_core::ConfigError),
    /// The fetcher could not be set up (the HTTP client).
    #[error(transparent)]
    Fetcher(#[from] crawler_core::Error),
    /// Something in Redis is not what this crate writes.
    #[error("corrupt crawl state: {0}")]
    Corrupt(String),
}

impl From<crawler_core::SpecDifference> for RedisCrawlError {
    fn from(difference: crawler_core::SpecDifference) -> Self {
        Self::SettingsMismatch {
            name: difference.setting,
            stored: difference.stored,
            given: difference.given,
        }
    }
}

impl RedisCrawlError {
    /// Whether retrying later may help (the connection dropped or Redis is loading).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Redis(err) => {
                err.is_io_error()
                    || err.is_connection_dropped()
                    || err.is_connection_refusal()
                    || err.is_timeout()
                    || matches!(
                        err.kind(),
                        redis::ErrorKind::Server(
                            redis::ServerErrorKind::BusyLoading
                                | redis::ServerErrorKind::TryAgain
                                | redis::ServerErrorKind::ClusterDown
                                | redis::ServerErrorKind::MasterDown
                        )
                    )
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn error_is_send_sync_static() {
        fn assert_send<T: Send + Sync + 'static>() {}
        assert_send::<super::RedisCrawlError>();
    }
}
