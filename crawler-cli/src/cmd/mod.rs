//! The commands of `crawl`: what runs once the flags are parsed. Which one runs is decided
//! here, once: a subcommand if one is given, else a Redis worker if `--crawl-id` is given, else
//! the crawl itself.
//!
//! # Architecture
//! - [`crawl`]: `crawl URL...`, the crawl in this process, with its outputs.
//! - `worker`: `crawl --redis URL --crawl-id ID [URL...]`, one worker of a distributed crawl
//!   (feature `redis`).
//! - `distributed`: `crawl export|status|delete`, on a distributed crawl (feature `redis`).
//! - [`report`]: `crawl report [FILE]`, and the `--report` of a live crawl.
//! - [`diff`]: `crawl diff OLD NEW`.
//! - `crawl completions` and `crawl man` are [`crate::flags::describe`].

use std::io::{IsTerminal, Read};
use std::path::Path;

use anyhow::Context;
use crawler_core::CrawlReport;
use tokio::runtime::Runtime;

use crate::exit::ExitStatus;
use crate::flags::config_file::Parsed;
use crate::flags::{describe, Command};

pub(crate) mod crawl;
pub(crate) mod diff;
#[cfg(feature = "redis")]
pub(crate) mod distributed;
pub(crate) mod report;
#[cfg(feature = "redis")]
pub(crate) mod worker;

/// Runs the command `parsed` describes on `runtime`.
///
/// # Errors
/// Whatever the command fails with; `main` maps it to an exit status.
pub(crate) fn run(parsed: &Parsed, runtime: Runtime) -> anyhow::Result<ExitStatus> {
    let cli = &parsed.cli;
    match &cli.command {
        None => {
            #[cfg(feature = "redis")]
            if cli.redis.crawl_id.is_some() {
                return worker::run(parsed, runtime);
            }
            crawl::run(cli, runtime)
        }
        Some(Command::Report(args)) => report::run(args),
        Some(Command::Diff(args)) => diff::run(args),
        #[cfg(feature = "redis")]
        Some(Command::Export(args)) => distributed::export(args, runtime),
        #[cfg(feature = "redis")]
        Some(Command::Status(args)) => distributed::status(args, runtime),
        #[cfg(feature = "redis")]
        Some(Command::Delete(args)) => distributed::delete(args, runtime),
        Some(Command::Completions { shell }) => describe::completions(*shell),
        Some(Command::Man) => describe::man(),
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
