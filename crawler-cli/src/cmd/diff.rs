//! `crawl diff OLD NEW`: what changed between two saved crawls, for a CI job that must fail
//! when a change breaks links (`--fail-on-new-broken`).

use std::io;
use std::path::PathBuf;

use crawler_core::analysis::diff::diff;
use crawler_core::analysis::render::{self, Style};

use super::report::{write_to, ReportFormat};
use crate::exit::{usage, ExitStatus};
use crate::output::Sink;

/// `crawl diff`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct DiffArgs {
    /// The earlier crawl (JSON or GraphML saved by `crawl`).
    #[arg(value_name = "OLD")]
    pub(crate) old: PathBuf,

    /// The later crawl.
    #[arg(value_name = "NEW")]
    pub(crate) new: PathBuf,

    /// Output format (text, json or markdown).
    #[arg(short, long, value_enum, default_value_t = ReportFormat::Text)]
    pub(crate) format: ReportFormat,

    /// Write the diff to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,

    /// Exit with 1 when the new crawl has broken pages the old one did not.
    #[arg(long)]
    pub(crate) fail_on_new_broken: bool,
}

/// Runs `crawl diff`.
///
/// # Errors
/// Unreadable or invalid inputs (usage errors), or an output error.
pub(crate) fn run(args: &DiffArgs) -> anyhow::Result<ExitStatus> {
    if args.old.as_os_str() == "-" && args.new.as_os_str() == "-" {
        return Err(usage("OLD and NEW cannot both be stdin"));
    }
    if args.format == ReportFormat::Html {
        return Err(usage("crawl diff writes text, json or markdown"));
    }
    let sink = Sink::new(args.output.as_deref());
    sink.check()?;
    let old = super::load(&args.old)?;
    let new = super::load(&args.new)?;
    let changes = diff(&old, &new);
    let colour = sink == Sink::Stdout && super::colour(&io::stdout());
    write_to(&sink, |out| match args.format {
        ReportFormat::Text => render::write_diff(&changes, Style::Text { colour }, out),
        ReportFormat::Markdown => render::write_diff(&changes, Style::Markdown, out),
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &changes)?;
            out.write_all(b"\n")
        }
        ReportFormat::Html => unreachable!("refused above"),
    })?;
    Ok(
        if args.fail_on_new_broken && !changes.new_broken.is_empty() {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        },
    )
}
