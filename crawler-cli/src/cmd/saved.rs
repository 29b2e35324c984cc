//! Saved crawls for `crawl report` and `crawl diff`: reading one from a file or stdin, and
//! whether to colour what is written about it.

use std::io::{IsTerminal, Read};
use std::path::Path;

use anyhow::Context;
use crawler_core::CrawlReport;

/// Reads a saved crawl from `path` (`-` = stdin). An unreadable or invalid file is a usage
/// error: the command was given the wrong input.
pub(crate) fn load(path: &Path) -> anyhow::Result<CrawlReport> {
    let mut data = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .read_to_end(&mut data)
            .context("cannot read stdin")
            .map_err(usage_from)?;
    } else {
        data = std::fs::read(path)
            .with_context(|| format!("cannot read `{}`", path.display()))
            .map_err(usage_from)?;
    }
    crawler_core::import::read(&data)
        .with_context(|| format!("cannot load `{}`", path.display()))
        .map_err(usage_from)
}

/// The error as a usage error (exit 2), keeping its message chain.
#[expect(
    clippy::needless_pass_by_value,
    reason = "the shape map_err hands over"
)]
fn usage_from(err: anyhow::Error) -> anyhow::Error {
    crate::exit::usage(format!("{err:#}"))
}

/// Whether to colour text written to a stream: only on a terminal, and never when `NO_COLOR`
/// is set to a non-empty value (<https://no-color.org>).
pub(crate) fn colour(stream: &impl IsTerminal) -> bool {
    stream.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
