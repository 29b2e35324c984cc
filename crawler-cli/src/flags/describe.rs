//! Subcommands that describe `crawl` itself: shell completions and the man page, both
//! generated from the clap definition so they never drift from `--help`.

use clap::CommandFactory;

use super::Cli;
use crate::exit::ExitStatus;
use crate::output;

/// Prints a completion script for `shell` on stdout.
///
/// # Errors
/// Writing to stdout failed (a closed pipe is mapped to success by `main`).
pub(crate) fn completions(shell: clap_complete::Shell) -> anyhow::Result<ExitStatus> {
    output::to_stdout(&|out| {
        clap_complete::generate(shell, &mut Cli::command(), "crawl", out);
        Ok(())
    })?;
    Ok(ExitStatus::Success)
}

/// Prints the man page (roff) on stdout.
///
/// # Errors
/// Writing to stdout failed (a closed pipe is mapped to success by `main`).
pub(crate) fn man() -> anyhow::Result<ExitStatus> {
    output::to_stdout(&|out| clap_mangen::Man::new(Cli::command()).render(out))?;
    Ok(ExitStatus::Success)
}
