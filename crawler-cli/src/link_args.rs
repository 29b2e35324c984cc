//! Which links become edges and which are followed: `--links`, the nofollow switches,
//! `--check-resources`, and the TSV kind column. The rules are the library's
//! ([`crawler_core::link_options`]); these flags only set them.

use std::path::{Path, PathBuf};

use crawler_core::{CrawlerBuilder, LinkKind};

use crate::exit::usage;

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

/// Local sites: `crawl ./public/` or `crawl file:///abs/site/index.html`.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Local sites")]
pub(crate) struct LocalArgs {
    /// The file served for a directory of a local site.
    #[arg(long, value_name = "NAME", default_value = crawler_core::transport::file::DEFAULT_INDEX_FILE)]
    pub(crate) index_file: String,

    /// The root of a local site: root-relative links (`/css/site.css`) resolve against it
    /// [default: the file system root, as in a browser].
    #[arg(long, value_name = "DIR")]
    pub(crate) root: Option<PathBuf>,
}

impl LocalArgs {
    /// Adds the local-site settings to `builder`.
    ///
    /// # Errors
    /// `--root` is not a directory.
    pub(crate) fn apply(&self, mut builder: CrawlerBuilder) -> anyhow::Result<CrawlerBuilder> {
        builder = builder.index_file(&self.index_file);
        if let Some(root) = &self.root {
            let canonical = root
                .canonicalize()
                .ok()
                .filter(|dir| dir.is_dir())
                .ok_or_else(|| usage(format!("--root {}: not a directory", root.display())))?;
            builder = builder.site_root(canonical);
        }
        Ok(builder)
    }
}

/// A seed argument as a URL: a local path (`./public/`, `site/index.html`) becomes its
/// absolute `file://` URL; anything else is returned as given, for the URL checks.
///
/// # Errors
/// A path-like argument (no `scheme:`) that does not exist.
pub(crate) fn local_seed(arg: &str) -> anyhow::Result<String> {
    let has_scheme = url::Url::parse(arg).is_ok_and(|url| url.scheme().len() > 1);
    if has_scheme {
        return Ok(arg.to_owned());
    }
    let path = Path::new(arg);
    let canonical = path.canonicalize().map_err(|err| {
        usage(format!(
            "invalid URL `{arg}`: neither an absolute URL nor a readable local path ({err})"
        ))
    })?;
    let url = if canonical.is_dir() {
        url::Url::from_directory_path(&canonical)
    } else {
        url::Url::from_file_path(&canonical)
    };
    url.map(String::from)
        .map_err(|()| usage(format!("`{arg}` cannot be a file:// URL")))
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
