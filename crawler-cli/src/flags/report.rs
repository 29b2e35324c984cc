//! The flags of `crawl report`, `crawl diff` and of a crawl's `--report`.

use std::path::PathBuf;

use crawler_core::analysis::DEFAULT_TOP;

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ReportFormat {
    /// Aligned tables; colour on a terminal unless `NO_COLOR` is set.
    Text,
    /// JSON, schema in docs/report-schema.md (`schema_version` 1).
    Json,
    /// GitHub-flavoured markdown, for PR comments.
    Markdown,
    /// The interactive HTML report (one self-contained file; needs -o / --report-output).
    Html,
}

/// `crawl report`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct ReportArgs {
    /// A crawl saved with `crawl -f json` or `-f graphml` (`-` = stdin).
    #[arg(value_name = "FILE", default_value = "-")]
    pub(crate) file: PathBuf,

    /// Report format.
    #[arg(short, long, value_enum, default_value_t = ReportFormat::Text)]
    pub(crate) format: ReportFormat,

    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,

    /// Entries per ranking (most linked, PageRank, deepest pages, ...).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_TOP)]
    pub(crate) top: usize,
}

/// The report flags of a crawl (`crawl --report FORMAT URL...`).
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Report")]
pub(crate) struct LiveReportArgs {
    /// Also analyse the crawl and write a report in FORMAT (to --report-output, or stderr).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub(crate) report: Option<ReportFormat>,

    /// Write the report to FILE (atomically) instead of stderr.
    #[arg(long, value_name = "FILE", requires = "report")]
    pub(crate) report_output: Option<PathBuf>,

    /// Entries per ranking in the report.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_TOP)]
    pub(crate) report_top: usize,
}

/// `crawl diff`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct DiffArgs {
    /// The earlier crawl (JSON or GraphML saved by `crawl`).
    #[arg(value_name = "OLD")]
    pub(crate) old: PathBuf,

    /// The later crawl.
    #[arg(value_name = "NEW", required_unless_present = "recrawl")]
    pub(crate) new: Option<PathBuf>,

    /// Instead of NEW, crawl OLD's seeds to OLD's depth again now, revalidating OLD's pages
    /// (as `crawl --since OLD`: only pages that changed are downloaded), and diff against that.
    /// Other settings are the defaults; for others, crawl with `--since` and diff two files.
    #[arg(long, conflicts_with = "new")]
    pub(crate) recrawl: bool,

    /// With --recrawl, also save the new crawl as JSON to FILE (the OLD of the next run).
    #[arg(long, value_name = "FILE", requires = "recrawl")]
    pub(crate) save: Option<PathBuf>,

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
