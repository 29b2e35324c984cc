//! `--stream` and `--format jsonl`: pages written as the crawl folds them, no graph kept.
//!
//! The library hands each folded page to a sink ([`crawler_core::stream`]); the sink here
//! formats it (TSV edges or a JSON line) into a buffered writer on the output: stdout, or the
//! staged temporary file of `-o`, which is committed (renamed over the target) once the crawl
//! has ended, also when it was interrupted: every line is written whole, so a Ctrl-C leaves a
//! valid file. The first write error is kept and reported when the crawl ends; later pages
//! are not written.

use std::io::{self, BufWriter, Write};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Context;
use crawler_core::stream::{
    write_jsonl, write_tsv_edges, write_tsv_edges_with_kind, TSV_HEADER, TSV_KIND_HEADER,
};
use crawler_core::{FoldSink, FoldedPage};

use crate::output::{Sink, Streamed};

/// The buffered output, the first error met writing it, and the links written.
struct Writer {
    out: BufWriter<Box<dyn Write + Send>>,
    error: Option<io::Error>,
    links: usize,
}

/// The line formats a stream can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lines {
    /// `source_url<TAB>parsed_url` edges.
    Tsv,
    /// TSV edges with a third column, the kind (`--tsv-kind`).
    TsvWithKind,
    /// One JSON object a page.
    Jsonl,
}

/// A streaming output: hand [`sink`](Self::sink) to the crawl, then [`finish`](Self::finish).
pub(crate) struct Stream {
    writer: Arc<Mutex<Writer>>,
    staged: Option<Streamed>,
    lines: Lines,
}

impl Stream {
    /// Opens `data` for streaming `lines` (TSV edges after their header).
    ///
    /// # Errors
    /// If the temporary file for `-o` cannot be created or the header cannot be written.
    pub(crate) fn open(data: &Sink, lines: Lines) -> anyhow::Result<Self> {
        let (out, staged): (Box<dyn Write + Send>, _) = match data {
            Sink::Stdout => (Box::new(io::stdout()), None),
            Sink::File(path) => {
                let (staged, file) = Streamed::open(path)?;
                (file, Some(staged))
            }
        };
        let mut out = BufWriter::with_capacity(crate::output::BUFFER, out);
        let header = match lines {
            Lines::Tsv => TSV_HEADER,
            Lines::TsvWithKind => TSV_KIND_HEADER,
            Lines::Jsonl => b"",
        };
        out.write_all(header).context("cannot write the output")?;
        Ok(Self {
            writer: Arc::new(Mutex::new(Writer {
                out,
                error: None,
                links: 0,
            })),
            staged,
            lines,
        })
    }

    /// The sink the crawl writes each folded page through.
    pub(crate) fn sink(&self) -> FoldSink {
        let writer = Arc::clone(&self.writer);
        let lines = self.lines;
        Box::new(move |page: &FoldedPage<'_>| {
            let mut writer = writer.lock().unwrap_or_else(PoisonError::into_inner);
            if writer.error.is_some() {
                return;
            }
            let written = match lines {
                Lines::Tsv => write_tsv_edges(page, &mut writer.out),
                Lines::TsvWithKind => write_tsv_edges_with_kind(page, &mut writer.out),
                Lines::Jsonl => write_jsonl(page, &mut writer.out),
            };
            match written {
                Ok(()) => writer.links += page.links.len(),
                Err(err) => writer.error = Some(err),
            }
        })
    }

    /// Flushes, reports the first write error, and commits the file of `-o`. Returns how many
    /// links (edges) were written, for the summary: a streamed crawl keeps no graph to count.
    ///
    /// # Errors
    /// The first write error (a broken pipe on stdout included), or a failed flush, sync or
    /// rename.
    pub(crate) fn finish(self) -> anyhow::Result<usize> {
        let links = {
            let mut writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(err) = writer.error.take() {
                return Err(err).context("cannot write the output");
            }
            writer.out.flush().context("cannot write the output")?;
            writer.links
        };
        if let Some(staged) = self.staged {
            staged.commit()?;
        }
        Ok(links)
    }
}
