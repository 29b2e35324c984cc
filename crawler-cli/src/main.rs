//! `crawl`: crawl web sites breadth-first to a bounded depth and write the link graph.
//!
//! The binary is a thin shell around `crawler-core`: it parses arguments into a crawl's
//! settings, runs the command, shows progress, writes the output and maps the outcome to an
//! exit code. Every failure is one line on stderr, `crawl: error: <message>: <cause>: ...`,
//! never a panic or a backtrace.
//!
//! # Architecture
//! Arrows point down: `main -> cmd -> spec -> flags`, and `cmd` uses the helpers below them.
//! - [`flags`]: every clap definition, the config file, completions and the man page.
//! - [`spec`]: the flags as a [`CrawlSpec`](crawler_core::CrawlSpec), in one function.
//! - [`cmd`]: each command: the crawl itself, a Redis worker, `export`, `status`, `delete`,
//!   `report`, `diff`, `completions`, `man`.
//! - [`seeds`]: seed URLs from arguments, `--seeds FILE` / stdin, or `./urls.txt`.
//! - [`jar`]: the `--cookie-jar` file, read before the crawl and written after it.
//! - [`render`]: the browser of a crawl that renders pages, started before it and stopped after.
//! - [`progress`]: the spinner, logging and summary on stderr.
//! - [`output`], [`stream`]: stdout, an atomically replaced file, a device; streamed lines.
//! - [`fdlimit`]: the open-file limit raised at start, and concurrency kept within it.
//! - [`exit`]: the exit codes and how errors map to them.
//! - [`allocator`]: jemalloc as the global allocator, on Unix.

#[cfg(unix)]
mod allocator;
mod cmd;
mod exit;
mod fdlimit;
mod flags;
mod jar;
mod output;
mod progress;
mod render;
mod seeds;
mod signal;
mod since;
mod spec;
mod stream;

use std::process::ExitCode;

use crate::exit::ExitStatus;
use crate::flags::config_file;
use anyhow::Context;

fn main() -> ExitCode {
    let parsed = match config_file::parse(std::env::args_os().collect()) {
        Ok(parsed) => parsed,
        Err(config_file::ParseError::Clap(err)) => return flags::clap_error::report(&err).into(),
        Err(config_file::ParseError::Config(message)) => {
            progress::eprint_line(&format!("crawl: error: {message}"));
            return ExitStatus::Usage.into();
        }
    };
    progress::init_logging(parsed.cli.verbose, parsed.cli.quiet);
    finish(runtime().and_then(|runtime| cmd::run(&parsed, runtime)))
}

/// The exit code of a run, printing its error as one line.
fn finish(result: anyhow::Result<ExitStatus>) -> ExitCode {
    match result {
        Ok(status) => status.into(),
        Err(err) => {
            // A closed stdout (`crawl ... | head`) is how pipelines end, not an error.
            if !exit::is_broken_pipe(&err) {
                progress::eprint_line(&format!("crawl: error: {err:#}"));
            }
            exit::status_of(&err).into()
        }
    }
}

/// The async runtime every command runs on.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}
