//! Serving a synthetic site without files: each page is planned and rendered when it is
//! requested, so sites of millions of pages cost no disk and no memory.
//!
//! [`SyntheticSite::page`] answers exactly the URLs [`generate`](super::generate) writes
//! files for, with the same bytes: `/index.html`, `/sec{s}/index.html` and
//! `/sec{s}/part{p}/page{i}.html` for `i < pages`. Anything else (the `gone*.html` links, a
//! page number spelt another way) is a miss, which the server answers 404, as a file server
//! would for the generated folder. The query is ignored, as by a file server: the
//! pagination variants get their page's body. The site is the one generated without assets
//! (`gen-site` without `--assets`): the pages name the `/static/` files every generated page
//! names, which are misses here, as a default crawl records but does not fetch them.

use super::plan::{page_path, Site, SECTION};
use super::render;

/// A generated site answered from memory: each page planned and rendered when it is asked
/// for, with the bytes [`generate`](super::generate) writes; other paths are misses.
#[derive(Debug, Clone)]
pub struct SyntheticSite {
    site: Site,
}

impl SyntheticSite {
    /// The site [`generate`](super::generate) would write for `pages` (at least 1), `seed`
    /// and `host` (`IP:PORT`, named by the few full-URL links).
    ///
    /// # Panics
    /// If `pages` is 0.
    pub fn new(pages: usize, seed: u64, host: &str) -> Self {
        assert!(pages > 0, "a synthetic site has at least one page");
        Self {
            site: Site {
                pages,
                seed,
                host: host.to_owned(),
                assets: false,
            },
        }
    }

    /// Number of pages.
    pub fn pages(&self) -> usize {
        self.site.pages
    }

    /// The URL path of page `i` (`/index.html` for 0).
    pub fn path(i: usize) -> String {
        page_path(i)
    }

    /// The HTML of the page at URL path `path` (no query), or `None` if there is none.
    pub fn page(&self, path: &str) -> Option<String> {
        let i = page_number(path).filter(|&i| i < self.site.pages)?;
        Some(render::render(&self.site, i, &self.site.plan(i)))
    }
}

/// The number of the page whose path is `path`, if it is one (`page_path(i) == path`).
fn page_number(path: &str) -> Option<usize> {
    let (folder, name) = path.rsplit_once('/')?;
    let i = if name == "index.html" {
        match folder {
            "" => 0,
            _ => folder.strip_prefix("/sec")?.parse::<usize>().ok()? * SECTION,
        }
    } else {
        name.strip_prefix("page")?
            .strip_suffix(".html")?
            .parse()
            .ok()?
    };
    // Only the one spelling the generator uses: no `+1`, `01`, other folders or `/sec0/`.
    (page_path(i) == path).then_some(i)
}

#[cfg(test)]
mod tests {
    use super::{page_number, SyntheticSite};
    use crate::synth::plan::page_path;

    #[test]
    fn page_numbers_round_trip_and_other_spellings_miss() {
        for i in [0, 1, 99, 100, 326, 1_000, 999_999] {
            assert_eq!(page_number(&page_path(i)), Some(i), "{i}");
        }
        for miss in [
            "/",
            "/sec0/index.html",
            "/sec1/part0/page326.html",
            "/sec3/part1/page0326.html",
            "/sec3/part1/page+326.html",
            "/sec3/part1/gone2.html",
            "/sec03/index.html",
            "/index.htm",
            "index.html",
        ] {
            assert_eq!(page_number(miss), None, "{miss}");
        }
    }

    #[test]
    fn pages_beyond_the_site_miss() {
        let site = SyntheticSite::new(110, 3, "127.0.0.1:1");
        assert!(site.page("/sec1/part0/page119.html").is_none());
        assert!(site.page("/sec1/part0/page101.html").is_some());
        assert_eq!(site.pages(), 110);
    }
}
