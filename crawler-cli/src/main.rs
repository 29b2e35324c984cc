//! `crawl`: crawl web sites breadth-first to a bounded depth and write the link graph.
//!
//! The binary is a thin shell around `crawler-core`: it parses arguments, builds the crawler,
//! shows progress, writes the output and maps the outcome to an exit code. Every failure is one
//! line on stderr, `crawl: error: <message>: <cause>: ...`, never a panic or a backtrace.
//!
//! # Architecture
//! - [`args`]: the clap definition, with defaults from the library's `DEFAULT_*` constants.
//! - [`seeds`]: seed URLs from arguments, `--seeds FILE` / stdin, or `./urls.txt`.
//! - [`run`]: builds the crawler, runs it with SIGINT/SIGTERM handling, writes the output.
//! - [`progress`]: the spinner, logging and summary on stderr.
//! - [`output`]: stdout or an atomically replaced file.
//! - [`exit`]: the exit codes and how errors map to them.

mod args;
mod exit;
mod output;
mod progress;
mod run;
mod seeds;
mod stream;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;

use crate::args::Cli;
use crate::exit::ExitStatus;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return clap_error(&err).into(),
    };
    progress::init_logging(cli.verbose, cli.quiet);
    match start(&cli) {
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

/// Builds the runtime and runs the command on it.
fn start(cli: &Cli) -> anyhow::Result<ExitStatus> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let result = run::run(cli, &runtime);
    // Tasks of a cancelled crawl are already aborted; don't wait long for stragglers.
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

/// Prints help and version as clap does, and any other clap error as one line; returns the
/// exit status (0 for help and version, 2 otherwise).
fn clap_error(err: &clap::Error) -> ExitStatus {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // A closed stdout (`crawl --help | head`) is fine.
            let _ = err.print();
            ExitStatus::Success
        }
        _ => {
            progress::eprint_line(&format!("crawl: error: {}", one_line(err)));
            ExitStatus::Usage
        }
    }
}

/// Clap's message without its `error: ` prefix, usage block and tips, plus the valid values
/// or the suggested spelling when clap has them.
fn one_line(err: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue};
    use std::fmt::Write as _;
    let text = err.render().to_string();
    let first = text.lines().next().unwrap_or("invalid arguments");
    let mut line = first.strip_prefix("error: ").unwrap_or(first).to_owned();
    let values = |kind| match err.get(kind) {
        Some(ContextValue::Strings(values)) if !values.is_empty() => Some(values.join(", ")),
        Some(ContextValue::String(value)) => Some(value.clone()),
        _ => None,
    };
    if let Some(valid) = values(ContextKind::ValidValue) {
        let _ = write!(line, " (possible values: {valid})");
    } else if let Some(similar) =
        values(ContextKind::SuggestedArg).or_else(|| values(ContextKind::SuggestedValue))
    {
        let _ = write!(line, " (did you mean {similar}?)");
    }
    line.push_str("; see crawl --help");
    line
}
