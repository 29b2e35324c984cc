//! `crawlgraph._native`: the Rust half of the `crawlgraph` Python package.
//!
//! The package's public API is Python (`python/crawlgraph/`): it maps keyword arguments to a
//! [`CrawlSpec`](crawler_core::CrawlSpec) in JSON, shows progress, calls `on_page`, and turns
//! the node-link JSON export into networkx, pandas and plain objects. This module does what
//! must be Rust: validate the spec with the library's own code, run the crawl on a tokio runtime
//! with the interpreter released, stop it on Ctrl-C, and hand back a [`Report`] that exports,
//! analyses and saves itself with `crawler_core`.
//!
//! # Architecture
//! - `spec`: the JSON of the keyword arguments to a validated crawler, errors naming the option.
//! - `run`: the blocking crawl: waits with the interpreter released, checks for signals and
//!   delivers events between waits.
//! - `report`: [`Report`], a finished crawl, and reading a saved one back.
//! - `aio`: `crawl_async` and the page stream, awaitables on the same runtime.
//! - `redis`: the graph of a distributed crawl.
//! - the allocator: jemalloc on Unix, for the Rust side's allocations, as in the `crawl` binary
//!   (glibc malloc cost a crawl about 11% of its CPU); Python's own objects keep Python's.

use pyo3::prelude::*;

/// jemalloc for the extension's Rust allocations (built without initial-exec TLS, since the
/// extension is loaded with `dlopen`).
#[cfg(unix)]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

mod aio;
mod redis;
mod report;
mod run;
mod spec;

pub use report::Report;

/// The tokio runtime every crawl runs on: pyo3-async-runtimes' own, so that blocking and
/// async calls share one pool of worker threads.
fn runtime() -> &'static tokio::runtime::Runtime {
    pyo3_async_runtimes::tokio::get_runtime()
}

/// The Rust half of crawlgraph; use the `crawlgraph` package, not this module.
#[pymodule]
#[pyo3(name = "_native")]
fn native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    module.add("DEFAULT_TOP", crawler_core::analysis::DEFAULT_TOP)?;
    module.add_function(wrap_pyfunction!(spec::spec_fields, module)?)?;
    module.add_function(wrap_pyfunction!(run::crawl, module)?)?;
    module.add_function(wrap_pyfunction!(aio::crawl_async, module)?)?;
    module.add_function(wrap_pyfunction!(report::load, module)?)?;
    module.add_function(wrap_pyfunction!(redis::redis_export, module)?)?;
    module.add_class::<Report>()?;
    module.add_class::<aio::Stream>()?;
    Ok(())
}
