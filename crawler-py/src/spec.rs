//! The crawl's settings from Python: the keyword arguments, already in the spec's JSON form
//! (the Python side maps its conveniences, such as `concurrency` or a header dict), become a
//! [`CrawlSpec`] by serde and a [`Crawler`] by the library's own validation, so Python accepts
//! and refuses exactly what the command line and the config file do.
//!
//! Errors name the option: an unknown one is a `TypeError` (as for any unknown keyword
//! argument), a value of the wrong type or out of range a `ValueError` with the message of
//! serde or of the library's [`ConfigError`](crawler_core::ConfigError).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crawler_core::since::{PreviousCrawl, SinceError};
use crawler_core::{CrawlEvent, CrawlSpec, Crawler, CrawlerBuilder};
use crawler_render::{Chromium, ChromiumOptions, RenderError};
use pyo3::exceptions::{PyOSError, PyTypeError, PyUserWarning, PyValueError};
use pyo3::prelude::*;
use serde_json::{Map, Value};

/// A handler of the crawl's events, called from its tasks.
pub(crate) type EventHandler = Box<dyn Fn(&CrawlEvent) + Send + Sync>;

/// The names of the crawl options: the fields of a `CrawlSpec`, which are the long flags of
/// `crawl` with `_` for `-`.
#[pyfunction]
pub(crate) fn spec_fields() -> Vec<String> {
    match serde_json::to_value(CrawlSpec::default()) {
        Ok(Value::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// Reads the spec from the JSON object of the options. Each option is read on its own first,
/// so that an error names it; then the whole.
///
/// # Errors
/// `TypeError` for an unknown option, `ValueError` for a bad value.
pub(crate) fn parse(json: &str) -> PyResult<CrawlSpec> {
    let options: Map<String, Value> = serde_json::from_str(json)
        .map_err(|err| PyValueError::new_err(format!("options are not a JSON object: {err}")))?;
    let fields = spec_fields();
    for (name, value) in &options {
        if !fields.contains(name) {
            return Err(PyTypeError::new_err(format!(
                "unknown crawl option `{name}`"
            )));
        }
        let one = Value::Object(Map::from_iter([(name.clone(), value.clone())]));
        if let Err(err) = serde_json::from_value::<CrawlSpec>(one) {
            return Err(PyValueError::new_err(format!(
                "invalid value for option `{name}`: {err}"
            )));
        }
    }
    CrawlSpec::from_json(json).map_err(|err| PyValueError::new_err(err.to_string()))
}

/// A crawler for the options in `json`, validated as `Crawler::from_spec` does, calling
/// `on_event` for every event if given.
///
/// # Errors
/// As [`parse`], and a `ValueError` with the [`ConfigError`](crawler_core::ConfigError)'s
/// message for a setting the library refuses.
pub(crate) fn crawler(json: &str, on_event: Option<EventHandler>) -> PyResult<Crawler> {
    let (json, since) = split_since(json)?;
    let spec = parse(&json)?;
    let previous = since.map(|path| previous(&path, &spec)).transpose()?;
    let browser = browser(&spec)?;
    let mut builder = CrawlerBuilder::from_spec(spec);
    if let Some(chromium) = browser {
        builder = builder.renderer(Arc::new(chromium));
    }
    if let Some(previous) = previous {
        builder = builder.since(previous);
    }
    if let Some(handler) = on_event {
        builder = builder.on_event(handler);
    }
    builder
        .build()
        .map_err(|err| PyValueError::new_err(err.to_string()))
}

/// The options' JSON without `since` (the previous crawl's export, which is not a setting of
/// the spec), and that path if given.
///
/// # Errors
/// A `ValueError` for options that are not a JSON object or a `since` that is not a path.
fn split_since(json: &str) -> PyResult<(String, Option<PathBuf>)> {
    let mut options: Map<String, Value> = serde_json::from_str(json)
        .map_err(|err| PyValueError::new_err(format!("options are not a JSON object: {err}")))?;
    let since = match options.remove("since") {
        None | Some(Value::Null) => return Ok((json.to_owned(), None)),
        // `-` would be the interpreter's stdin (a hang in a notebook or a server).
        Some(Value::String(path)) if path == "-" => return Err(PyValueError::new_err(
            "invalid value for option `since`: `-` (stdin) is not read from Python; give a path",
        )),
        Some(Value::String(path)) => PathBuf::from(path),
        Some(other) => {
            return Err(PyValueError::new_err(format!(
                "invalid value for option `since`: {other} is not a path"
            )))
        }
    };
    Ok((Value::Object(options).to_string(), Some(since)))
}

/// The previous crawl at `path` for a crawl of `spec` (`since=`): read now, so that a bad file
/// fails the call before anything is fetched; a warning when it vouches for no page.
///
/// # Errors
/// `OSError` when the file cannot be read, `ValueError` when it is not a crawl export (or too
/// large, or has more pages than `max_nodes`) or `spec` is invalid.
fn previous(path: &Path, spec: &CrawlSpec) -> PyResult<Arc<PreviousCrawl>> {
    let config = spec
        .config()
        .map_err(|err| PyValueError::new_err(err.to_string()))?;
    let shown = path.display();
    // Read with the interpreter released: `crawl_async` calls this on the event loop's thread.
    let loaded = Python::attach(|py| py.detach(|| PreviousCrawl::load(path, &config)));
    let previous = loaded.map_err(|err| match err {
        SinceError::Io(io) => PyOSError::new_err(format!("since={shown}: {io}")),
        other => PyValueError::new_err(format!("since={shown}: {other}")),
    })?;
    if let Some(why) = previous.unusable() {
        Python::attach(|py| {
            let message = std::ffi::CString::new(format!(
                "since={shown}: every page is downloaded again: {why}"
            ))
            .unwrap_or_default();
            PyErr::warn(py, &py.get_type::<PyUserWarning>(), &message, 1)
        })?;
    }
    Ok(Arc::new(previous))
}

/// The browser a crawl of `spec` renders with, if it renders (`render="always"|"auto"`):
/// started on the first page it renders, and killed with its processes when the crawler is
/// dropped at the end of the call.
///
/// # Errors
/// A `ValueError` naming the mode when no Chromium executable is found.
fn browser(spec: &CrawlSpec) -> PyResult<Option<Chromium>> {
    let needs = |err: RenderError| match err {
        RenderError::Profile(_) => PyOSError::new_err(err.to_string()),
        err => PyValueError::new_err(format!("render {} needs Chromium: {err}", spec.render)),
    };
    ChromiumOptions::for_spec(spec)
        .map_err(needs)?
        .map(|options| Chromium::new(options).map_err(needs))
        .transpose()
}

/// The error of a crawl that could not start: a bad seed is a bad value.
pub(crate) fn start_error(err: &crawler_core::Error) -> PyErr {
    match err {
        crawler_core::Error::NoSeeds
        | crawler_core::Error::InvalidSeed { .. }
        | crawler_core::Error::NeedsGraph { .. } => PyValueError::new_err(err.to_string()),
        _ => pyo3::exceptions::PyRuntimeError::new_err(err.to_string()),
    }
}
