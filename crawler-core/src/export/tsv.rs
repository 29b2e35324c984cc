//! TSV: one edge per line, `source_url<TAB>parsed_url`, after a header line.
//!
//! The edge format is the `foundurls.txt` of areq.py, so scripts built on it keep working. URLs
//! never contain tabs or newlines (they are percent-encoded); in the node table, tabs and line
//! breaks inside text fields become spaces.

use std::io::{self, Write};

use crate::graph::report::CrawlReport;
use crate::graph::state::page_state;

/// The header line of the TSV edge list.
pub const TSV_HEADER: &[u8] = b"source_url\tparsed_url\n";

/// The header line of the TSV edge list with kinds.
pub const TSV_KIND_HEADER: &[u8] = b"source_url\tparsed_url\tkind\n";

/// Writes the edges: a `source_url<TAB>parsed_url` header, then one line per edge.
///
/// # Errors
/// Any I/O error from `out`.
pub fn write_tsv(report: &CrawlReport, mut out: impl Write) -> io::Result<()> {
    out.write_all(TSV_HEADER)?;
    for (source, target, _) in report.graph.links() {
        line(&mut out, &[source.url.as_str(), target.url.as_str()])?;
    }
    out.flush()
}

/// Writes the edges with their kind: a `source_url<TAB>parsed_url<TAB>kind` header, then one
/// line per edge (the opt-in third column of the CLI's `--tsv-kind`).
///
/// # Errors
/// Any I/O error from `out`.
pub fn write_tsv_with_kind(report: &CrawlReport, mut out: impl Write) -> io::Result<()> {
    out.write_all(TSV_KIND_HEADER)?;
    for (source, target, link) in report.graph.links() {
        line(
            &mut out,
            &[source.url.as_str(), target.url.as_str(), link.kind.as_str()],
        )?;
    }
    out.flush()
}

/// Writes the node table: `url depth status content_type state error title`, one page a line.
///
/// # Errors
/// Any I/O error from `out`.
pub fn write_nodes_tsv(report: &CrawlReport, mut out: impl Write) -> io::Result<()> {
    out.write_all(b"url\tdepth\tstatus\tcontent_type\tstate\terror\ttitle\n")?;
    for page in report.graph.pages() {
        let status = page.status.map(|s| s.to_string()).unwrap_or_default();
        let error = page
            .error
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            page.url,
            page.depth,
            status,
            field(page.content_type.as_deref().unwrap_or_default()),
            page_state(page),
            field(&error),
            field(page.title.as_deref().unwrap_or_default()),
        )?;
    }
    out.flush()
}

/// Writes `fields` as one line, tab-separated. The fields are written as they are (URLs and
/// kinds hold no tabs or line breaks), piece by piece: through `write!`'s formatting,
/// criterion's 1M-edge export took 154 ms, against 25 ms this way.
pub(crate) fn line(out: &mut impl Write, fields: &[&str]) -> io::Result<()> {
    let mut separator: &[u8] = b"";
    for field in fields {
        out.write_all(separator)?;
        out.write_all(field.as_bytes())?;
        separator = b"\t";
    }
    out.write_all(b"\n")
}

/// A text field with tabs and line breaks replaced by spaces.
fn field(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains(['\t', '\n', '\r']) {
        text.replace(['\t', '\n', '\r'], " ").into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::sample;

    #[test]
    fn edges_in_insertion_order() {
        let mut out = Vec::new();
        write_tsv(&sample::report(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let expected = "source_url\tparsed_url\n\
            http://site.test/index.html\thttp://site.test/a.html?x=1&y=%3C2%3E\n\
            http://site.test/index.html\thttp://site.test/missing\n\
            http://site.test/a.html?x=1&y=%3C2%3E\thttp://site.test/moved\n\
            http://site.test/moved\thttp://site.test/index.html\n\
            http://site.test/a.html?x=1&y=%3C2%3E\thttp://other.test/\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn node_table_escapes_fields() {
        let mut out = Vec::new();
        write_nodes_tsv(&sample::report(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 6);
        assert_eq!(
            lines[1],
            "http://site.test/index.html\t0\t200\ttext/html\tok\t\tHome & \"garden\" \u{1}"
        );
        assert_eq!(
            lines[3],
            "http://site.test/missing\t1\t404\ttext/html\terror\tHTTP 404\t"
        );
        assert_eq!(lines[5], "http://other.test/\t2\t\t\tout_of_scope\t\t");
        assert!(lines.iter().all(|l| l.split('\t').count() == 7));
    }
}
