//! Which links become edges and which are followed (`--links`, the nofollow switches,
//! `--check-resources`, `--check-fragments`, the TSV kind column), and the local-site flags. The rules are the
//! library's ([`crawler_core::link_options`]); these flags only set them.

use std::path::PathBuf;

use crawler_core::LinkKind;

/// Link flags.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Links")]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each bool is an on/off flag of the CLI"
)]
pub(crate) struct LinkArgs {
    /// Record only links of these kinds as edges, e.g. `--links anchor,canonical` (anchor,
    /// redirect, embed, stylesheet, css, canonical, alternate, icon, manifest, preload, link,
    /// refresh, header) [default: all].
    #[arg(long, value_name = "KIND,...", value_delimiter = ',', value_parser = parse_kind)]
    pub(crate) links: Vec<LinkKind>,

    /// Follow the links of pages whose meta robots or X-Robots-Tag says nofollow (they are
    /// recorded, marked nofollow, and not followed by default).
    #[arg(long)]
    pub(crate) ignore_nofollow: bool,

    /// Do not follow links with rel="nofollow" (they are still recorded).
    #[arg(long)]
    pub(crate) respect_rel_nofollow: bool,

    /// Also fetch every image, script, stylesheet and CSS `url()` target once, to find broken
    /// assets; stylesheets are read for further `url()`s.
    #[arg(long)]
    pub(crate) check_resources: bool,

    /// Check the fragment of every link to an HTML page of the crawl (`page#install`) against
    /// that page's ids and `<a name>`s; a missing one is a broken fragment on the edge, listed
    /// with the broken links and counted by --fail-on-broken. Not with --stream or --format
    /// jsonl.
    #[arg(long)]
    pub(crate) check_fragments: bool,

    /// Add a third column, the link's kind, to the TSV output.
    #[arg(long)]
    pub(crate) tsv_kind: bool,
}

/// Local sites: `crawl ./public/` or `crawl file:///abs/site/index.html`.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Local sites")]
pub(crate) struct LocalArgs {
    /// The file served for a directory of a local site.
    #[arg(long, value_name = "NAME", default_value = crawler_core::transport::file::DEFAULT_INDEX_FILE)]
    pub(crate) index_file: String,

    /// The root of a local site: root-relative links (`/css/site.css`) resolve against it
    /// [default: the folder given as a seed (`crawl ./public/`) for the pages under it, else
    /// the file system root, as in a browser].
    #[arg(long, value_name = "DIR")]
    pub(crate) root: Option<PathBuf>,
}

fn parse_kind(s: &str) -> Result<LinkKind, String> {
    s.parse()
        .map_err(|err: crawler_core::link_kind::UnknownLinkKind| err.to_string())
}
