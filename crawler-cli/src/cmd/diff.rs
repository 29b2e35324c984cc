//! `crawl diff OLD NEW`: what changed between two saved crawls, for a CI job that must fail
//! when a change breaks links (`--fail-on-new-broken`).

use std::io;

use crawler_core::analysis::diff::diff;
use crawler_core::analysis::render::{self, Style};

use super::report::write_to;
use crate::exit::{usage, ExitStatus};
use crate::flags::report::{DiffArgs, ReportFormat};
use crate::output::Sink;

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
    let old = super::saved::load(&args.old)?;
    let new = super::saved::load(&args.new)?;
    let changes = diff(&old, &new);
    let colour = sink == Sink::Stdout && super::saved::colour(&io::stdout());
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
        if args.fail_on_new_broken
            && !(changes.new_broken.is_empty() && changes.new_broken_fragments.is_empty())
        {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        },
    )
}
