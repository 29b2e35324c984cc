//! `crawlgraph.redis_export(url, crawl_id)`: the graph of a distributed crawl, as
//! `crawl export` writes it (the stored outcomes replayed with the crawl's own settings).

use std::time::Duration;

use crawler_redis::{RedisCrawl, RedisCrawlError};
use pyo3::exceptions::{PyConnectionError, PyLookupError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use crate::report::Report;

/// Python's exception for a failed export.
fn error(err: &RedisCrawlError) -> PyErr {
    let message = err.to_string();
    match err {
        RedisCrawlError::Redis(_) => PyConnectionError::new_err(message),
        RedisCrawlError::NotFound(_) => PyLookupError::new_err(message),
        RedisCrawlError::InvalidCrawlId(_) => PyValueError::new_err(message),
        _ => PyRuntimeError::new_err(message),
    }
}

/// The graph of the distributed crawl `crawl_id` in the Redis at `url`, complete or not (an
/// unfinished crawl comes back with its unfetched pages marked cancelled). `timeout` bounds
/// each Redis call, in seconds.
///
/// # Errors
/// `ConnectionError` for Redis failures, `LookupError` if there is no such crawl, `ValueError`
/// for a bad id or timeout, `RuntimeError` for anything else the export refuses.
#[pyfunction]
#[pyo3(signature = (url, crawl_id, timeout))]
pub(crate) fn redis_export(
    py: Python<'_>,
    url: String,
    crawl_id: String,
    timeout: f64,
) -> PyResult<Report> {
    let timeout = Duration::try_from_secs_f64(timeout)
        .ok()
        .filter(|timeout| !timeout.is_zero())
        .ok_or_else(|| {
            PyValueError::new_err(format!(
                "timeout {timeout} is not a positive number of seconds"
            ))
        })?;
    py.detach(move || {
        crate::runtime().block_on(async {
            RedisCrawl::open(&url, &crawl_id, timeout)
                .await?
                .export()
                .await
        })
    })
    .map(Report::new)
    .map_err(|err| error(&err))
}
