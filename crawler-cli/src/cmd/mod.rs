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
//! - `saved`: reading a saved crawl, and whether to colour what is written about it.
//! - `crawl completions` and `crawl man` are [`crate::flags::describe`].

use tokio::runtime::Runtime;

use crate::exit::ExitStatus;
use crate::flags::config_file::Parsed;
use crate::flags::{describe, Command};

pub(crate) mod crawl;
pub(crate) mod diff;
#[cfg(feature = "redis")]
pub(crate) mod distributed;
pub(crate) mod report;
mod saved;
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
            #[cfg(feature = "redis")]
            worker::refuse_without_crawl_id(&parsed.given)?;
            crawl::run(cli, runtime)
        }
        Some(Command::Report(args)) => report::run(args),
        Some(Command::Diff(args)) => diff::run(args, runtime),
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
