//! The subcommands of `crawl`, which work on saved crawls instead of crawling.
//!
//! `crawl URL...` (no subcommand) crawls, exactly as before subcommands existed; clap tells
//! them apart because a subcommand name is never a URL. Each subcommand lives in its own
//! module with its arguments, so adding one touches only this enum.
//!
//! # Architecture
//! - [`report`]: `crawl report [FILE]`, and the `--report` of a live crawl.
//! - [`diff`]: `crawl diff OLD NEW`.
//! - [`describe`]: `crawl completions SHELL` and `crawl man`, generated from the clap definition.
//! - `redis`: the distributed crawl (`crawl --redis URL --crawl-id ID`) and its `export`,
//!   `status` and `delete` commands (feature `redis`).

use std::io::{IsTerminal, Read};
use std::path::Path;

use anyhow::Context;
use crawler_core::CrawlReport;

use crate::exit::ExitStatus;

pub(crate) mod describe;
pub(crate) mod diff;
#[cfg(feature = "redis")]
pub(crate) mod redis;
pub(crate) mod report;

/// A subcommand.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Analyse a saved crawl (the JSON or GraphML `crawl` writes): broken links with their
    /// referrers, redirect chains, orphans, depth, PageRank, duplicate titles.
    Report(report::ReportArgs),
    /// Compare two saved crawls: pages and links added and removed, status changes, newly
    /// broken links with their referrers, depth changes.
    Diff(diff::DiffArgs),
    /// Print a completion script for SHELL on stdout, e.g.
    /// `crawl completions bash > ~/.local/share/bash-completion/completions/crawl`.
    Completions {
        /// The shell.
        #[arg(value_enum, value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on stdout, e.g. `crawl man > crawl.1; man ./crawl.1`.
    Man,
}

/// Runs a subcommand.
///
/// # Errors
/// Unreadable or invalid input files, and output errors.
pub(crate) fn run(command: &Command) -> anyhow::Result<ExitStatus> {
    match command {
        Command::Report(args) => report::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Completions { shell } => describe::completions(*shell),
        Command::Man => describe::man(),
    }
}

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
