//! Subcommands that describe `crawl` itself: shell completions and the man page, both
//! generated from the clap definition so they never drift from `--help`.

use clap::CommandFactory;

use crate::args::Cli;
use crate::exit::ExitStatus;
use crate::output;

/// What `crawl` can do besides crawling.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
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

/// Runs `command`, writing to stdout.
///
/// # Errors
/// Writing to stdout failed (a closed pipe is mapped to success by `main`).
pub(crate) fn run(command: &Command) -> anyhow::Result<ExitStatus> {
    match command {
        Command::Completions { shell } => output::to_stdout(&|out| {
            clap_complete::generate(*shell, &mut Cli::command(), "crawl", out);
            Ok(())
        })?,
        Command::Man => {
            output::to_stdout(&|out| clap_mangen::Man::new(Cli::command()).render(out))?;
        }
    }
    Ok(ExitStatus::Success)
}
