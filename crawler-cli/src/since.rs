//! `--since FILE`: the previous crawl a crawl revalidates against, read before the crawl
//! starts (see [`crawler_core::since`]). A file that cannot be read is a usage error (exit 2)
//! on one line; a file whose links cannot be reused is a warning, and every page is
//! downloaded again.

use std::path::Path;
use std::sync::Arc;

use crawler_core::since::PreviousCrawl;
use crawler_core::CrawlSpec;

use crate::exit::usage;
use crate::progress;

/// The previous crawl at `path` (`-` = stdin), read for a crawl with `spec`; says on stderr
/// (unless `quiet`) when it vouches for no page.
///
/// # Errors
/// An invalid `spec` ([`ConfigError`](crawler_core::ConfigError)), or a usage error naming
/// the file for one that cannot be read, is too large, is not a crawl export, or has more
/// pages than `--max-nodes`.
pub(crate) fn load(
    path: &Path,
    spec: &CrawlSpec,
    quiet: bool,
) -> anyhow::Result<Arc<PreviousCrawl>> {
    let config = spec.config()?;
    let previous = PreviousCrawl::load(path, &config)
        .map_err(|err| usage(format!("--since {}: {err}", path.display())))?;
    if let (Some(why), false) = (previous.unusable(), quiet) {
        progress::eprint_line(&format!(
            "crawl: --since {}: every page is downloaded again: {why}",
            path.display()
        ));
    }
    Ok(Arc::new(previous))
}
