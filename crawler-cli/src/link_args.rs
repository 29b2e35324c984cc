//! Which links become edges and which are followed: `--links`, the nofollow switches,
//! `--check-resources`, and the TSV kind column. The rules are the library's
//! ([`crawler_core::link_options`]); these flags only set them.

use crawler_core::{CrawlerBuilder, LinkKind};

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

    /// Add a third column, the link's kind, to the TSV output.
    #[arg(long)]
    pub(crate) tsv_kind: bool,
}

fn parse_kind(s: &str) -> Result<LinkKind, String> {
    s.parse()
        .map_err(|err: crawler_core::link_kind::UnknownLinkKind| err.to_string())
}

impl LinkArgs {
    /// Adds the link settings to `builder`.
    pub(crate) fn apply(&self, mut builder: CrawlerBuilder) -> CrawlerBuilder {
        if !self.links.is_empty() {
            builder = builder.link_kinds(self.links.iter().copied());
        }
        builder
            .ignore_nofollow(self.ignore_nofollow)
            .respect_rel_nofollow(self.respect_rel_nofollow)
            .check_resources(self.check_resources)
    }
}
