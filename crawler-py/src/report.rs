//! [`Report`]: a finished crawl, as `crawler_core` gives it back, held for Python.
//!
//! Everything Python reads of it goes through the library's own writers: the node-link JSON
//! export (which the Python side turns into networkx, pandas and plain objects, so their
//! attributes are the export's), every other export format, and the analyses as the JSON of
//! `crawl report -f json`. Work on a large graph runs with the interpreter released.

use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crawler_core::analysis::{analyse, Options};
use crawler_core::{CrawlReport, ExportFormat};
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// A crawl's result: its graph, counters and stop reason. Immutable.
#[pyclass(frozen, module = "crawlgraph._native")]
#[derive(Debug)]
pub struct Report {
    report: Arc<CrawlReport>,
}

impl Report {
    /// Holds `report` for Python.
    pub(crate) fn new(report: CrawlReport) -> Self {
        Self {
            report: Arc::new(report),
        }
    }
}

/// An export format by its name as `crawl --format` spells it.
fn format(name: &str) -> PyResult<ExportFormat> {
    name.parse()
        .map_err(|err: crawler_core::export::UnknownFormat| PyValueError::new_err(err.to_string()))
}

/// An I/O error on `path` as Python's `OSError` (the subclass of its errno, with the file name).
fn os_error(err: &std::io::Error, path: &Path) -> PyErr {
    match err.raw_os_error() {
        Some(code) => PyOSError::new_err((code, err.to_string(), path.to_path_buf())),
        None => PyOSError::new_err(format!("{}: {err}", path.display())),
    }
}

#[pymethods]
impl Report {
    /// The graph in `format` (`json`, `graphml`, `dot`, `tsv`, `junit` or `html`), as the
    /// bytes `crawl --format FORMAT` writes.
    fn export<'py>(&self, py: Python<'py>, format: &str) -> PyResult<Bound<'py, PyBytes>> {
        let format = self::format(format)?;
        let report = Arc::clone(&self.report);
        let bytes = py.detach(move || {
            let mut out = Vec::new();
            crawler_core::export::write(&report, format, &mut out).map(|()| out)
        })?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Writes the graph in `format` to the file `path`.
    #[expect(
        clippy::needless_pass_by_value,
        reason = "pyo3 hands arguments over as owned values"
    )]
    fn save(&self, py: Python<'_>, path: PathBuf, format: &str) -> PyResult<()> {
        let format = self::format(format)?;
        let report = Arc::clone(&self.report);
        py.detach(|| {
            let file = std::fs::File::create(&path)?;
            let mut out = BufWriter::new(file);
            crawler_core::export::write(&report, format, &mut out)?;
            out.flush()
        })
        .map_err(|err| os_error(&err, &path))
    }

    /// The analyses (broken links, redirects, orphans, depth, PageRank, titles) as the JSON
    /// document `crawl report -f json --top TOP` writes.
    fn analysis(&self, py: Python<'_>, top: usize) -> PyResult<String> {
        let report = Arc::clone(&self.report);
        py.detach(move || serde_json::to_string(&analyse(&report, &Options::with_top(top))))
            .map_err(|err| PyValueError::new_err(err.to_string()))
    }

    /// The counters, as a JSON object (`elapsed` in seconds).
    #[getter]
    fn stats(&self) -> PyResult<String> {
        serde_json::to_string(&self.report.stats)
            .map_err(|err| PyValueError::new_err(err.to_string()))
    }

    /// Why the crawl ended: `completed`, `max_pages`, `graph_limit` or `cancelled`.
    #[getter]
    fn stopped(&self) -> &'static str {
        self.report.stopped.as_str()
    }

    /// The number of pages (nodes) in the graph.
    #[getter]
    fn page_count(&self) -> usize {
        self.report.graph.page_count()
    }

    /// The number of links (edges) in the graph.
    #[getter]
    fn link_count(&self) -> usize {
        self.report.graph.link_count()
    }
}

/// Reads a crawl saved as node-link JSON or GraphML (`crawl -f json|graphml`, or
/// `CrawlResult.save`).
///
/// # Errors
/// `OSError` if the file cannot be read, `ValueError` if it is not such an export.
#[pyfunction]
#[expect(
    clippy::needless_pass_by_value,
    reason = "pyo3 hands arguments over as owned values"
)]
pub(crate) fn load(py: Python<'_>, path: PathBuf) -> PyResult<Report> {
    let data = py
        .detach(|| std::fs::read(&path))
        .map_err(|err| os_error(&err, &path))?;
    py.detach(|| crawler_core::import::read(&data))
        .map(Report::new)
        .map_err(|err| PyValueError::new_err(format!("{}: {err}", path.display())))
}
