//! `crawl report [FILE]` and `crawl --report FORMAT URL...`: the analyses of
//! `crawler_core::analysis` as text, JSON, markdown or HTML.
//!
//! Where the report goes: `crawl report` writes to stdout or `-o FILE`. During a crawl the
//! graph keeps stdout (or `-o`) as before, and the report goes to `--report-output FILE`, or
//! to stderr without it, so that `crawl URL -f json -o graph.json --report markdown` leaves
//! the graph intact and shows the report in the CI log. An HTML report needs a file.

use std::io::{self, Write};

use crawler_core::analysis::render::{self, Style};
use crawler_core::analysis::{analyse, Analysis, Options};
use crawler_core::export::html;
use crawler_core::CrawlReport;

use crate::exit::{usage, ExitStatus};
use crate::flags::report::{LiveReportArgs, ReportArgs, ReportFormat};
use crate::output::{self, Sink};

/// Runs `crawl report`.
///
/// # Errors
/// An unreadable or invalid input (usage error), or an output error.
pub(crate) fn run(args: &ReportArgs) -> anyhow::Result<ExitStatus> {
    let sink = Sink::new(args.output.as_deref());
    sink.check()?;
    let report = super::saved::load(&args.file)?;
    let analysis = analyse(&report, &Options::with_top(args.top));
    let colour = sink == Sink::Stdout && super::saved::colour(&io::stdout());
    write_to(&sink, |out| {
        write(&report, &analysis, args.format, colour, out)
    })?;
    Ok(ExitStatus::Success)
}

/// Checks the live report's destination before the crawl starts.
///
/// # Errors
/// A report file that cannot be written, or that is also the graph's output.
pub(crate) fn check_live(args: &LiveReportArgs, graph_output: &Sink) -> anyhow::Result<()> {
    if args.report == Some(ReportFormat::Html) && args.report_output.is_none() {
        return Err(usage("--report html needs --report-output FILE"));
    }
    if let Some(path) = &args.report_output {
        let sink = Sink::new(Some(path));
        if sink == Sink::Stdout {
            return Err(usage(
                "--report-output cannot be stdout: the graph goes there",
            ));
        }
        if &sink == graph_output {
            return Err(usage("-o and --report-output name the same file"));
        }
        sink.check()?;
    }
    Ok(())
}

/// Writes the live crawl's report, if one was asked for.
///
/// # Errors
/// An output error.
pub(crate) fn write_live(args: &LiveReportArgs, report: &CrawlReport) -> anyhow::Result<()> {
    let Some(format) = args.report else {
        return Ok(());
    };

    let analysis = analyse(report, &Options::with_top(args.report_top));
    if let Some(path) = &args.report_output {
        let sink = Sink::new(Some(path));
        return write_to(&sink, |out| write(report, &analysis, format, false, out));
    }
    let colour = super::saved::colour(&io::stderr());
    let mut err = io::stderr().lock();
    write(report, &analysis, format, colour, &mut err)
        .and_then(|()| err.flush())
        .map_err(|e| anyhow::anyhow!(e).context("cannot write the report to stderr"))
}

/// Writes to a sink: a file atomically, or stdout.
pub(crate) fn write_to(
    sink: &Sink,
    write: impl Fn(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<()> {
    match sink {
        Sink::File(path) => output::stage(path, &write)?.commit(),
        Sink::Stdout => output::to_stdout(&write),
    }
}

/// Writes `analysis` of `report` in `format`.
fn write(
    report: &CrawlReport,
    analysis: &Analysis,
    format: ReportFormat,
    colour: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        ReportFormat::Text => render::write_analysis(analysis, Style::Text { colour }, out),
        ReportFormat::Markdown => render::write_analysis(analysis, Style::Markdown, out),
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, analysis)?;
            out.write_all(b"\n")
        }
        ReportFormat::Html => html::write_html_with(report, analysis, out),
    }
}
