//! Exit codes of `crawl`, and how errors map to them.
//!
//! The codes follow ripgrep and uv: 0 when the graph was written, 1 when the run failed (or, on
//! request, when the graph holds broken pages), 2 for usage and configuration errors (clap's own
//! code), and the shell's 128 + signal number when a signal stopped the crawl early. A page that
//! answers 404 is data, not a failure, unless `--fail-on-broken` asks for one.
//!
//! The enum is the single source of truth: `--help` prints [`HELP`], built from the same values.

use std::io;
use std::process::ExitCode;

/// How a run of `crawl` ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExitStatus {
    /// The graph was written (page-level failures included), or stdout was closed early.
    Success = 0,
    /// A runtime failure, or broken pages with `--fail-on-broken`.
    Failure = 1,
    /// A usage or configuration error: bad flag value, bad seed, conflicting options.
    Usage = 2,
    /// SIGINT (Ctrl-C) stopped the crawl; the partial graph was written.
    Interrupted = 130,
    /// SIGTERM stopped the crawl; the partial graph was written.
    Terminated = 143,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status as u8)
    }
}

/// The exit-code table shown at the end of `crawl --help`.
pub(crate) const HELP: &str = "\
Exit codes:
  0    the graph was written (pages that failed are part of the graph)
  1    runtime failure (e.g. the output could not be written), or broken
       pages with --fail-on-broken
  2    usage or configuration error (bad flag value, bad seed URL)
  130  interrupted by SIGINT (Ctrl-C); the partial graph was written
  143  terminated by SIGTERM; the partial graph was written";

/// A mistake in how `crawl` was called, reported with exit code 2.
///
/// Raised by the CLI's own checks (seeds, output paths); the library's
/// [`ConfigError`](crawler_core::ConfigError) and seed errors map to the same code.
#[derive(Debug)]
pub(crate) struct UsageError(pub(crate) String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Shorthand for an `anyhow` error carrying a [`UsageError`].
pub(crate) fn usage(message: impl Into<String>) -> anyhow::Error {
    UsageError(message.into()).into()
}

/// Whether the error chain holds a broken pipe: the reader of stdout went away (`| head`).
pub(crate) fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// The exit status for an error that ended the run.
pub(crate) fn status_of(err: &anyhow::Error) -> ExitStatus {
    if is_broken_pipe(err) {
        return ExitStatus::Success;
    }
    let usage = err.chain().any(|cause| {
        cause.is::<UsageError>()
            || cause.is::<crawler_core::ConfigError>()
            || matches!(
                cause.downcast_ref::<crawler_core::Error>(),
                Some(crawler_core::Error::NoSeeds | crawler_core::Error::InvalidSeed { .. })
            )
    });
    if usage {
        ExitStatus::Usage
    } else {
        ExitStatus::Failure
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn codes_are_the_documented_numbers() {
        for (status, code) in [
            (ExitStatus::Success, 0),
            (ExitStatus::Failure, 1),
            (ExitStatus::Usage, 2),
            (ExitStatus::Interrupted, 130),
            (ExitStatus::Terminated, 143),
        ] {
            assert_eq!(status as u8, code);
            assert!(HELP.contains(&format!("\n  {code} ")), "{code} in HELP");
        }
    }

    #[test]
    fn errors_map_to_statuses() {
        let pipe: anyhow::Error = io::Error::from(io::ErrorKind::BrokenPipe).into();
        let pipe = pipe.context("cannot write to stdout");
        assert_eq!(status_of(&pipe), ExitStatus::Success);

        let config = Err::<(), _>(crawler_core::ConfigError::Zero {
            name: "concurrency",
        })
        .context("invalid settings")
        .unwrap_err();
        assert_eq!(status_of(&config), ExitStatus::Usage);
        assert_eq!(status_of(&usage("no seed URLs")), ExitStatus::Usage);

        let io: anyhow::Error = io::Error::from(io::ErrorKind::PermissionDenied).into();
        assert_eq!(status_of(&io), ExitStatus::Failure);
    }
}
