//! Settings of `file://` crawls: the index file of a directory URL and the site root that
//! root-relative links resolve against. Read by the `file://` transport (`fetch/file.rs`) and by
//! the link rules of a page.

use std::borrow::Cow;
use std::path::PathBuf;

use url::Url;

/// The default index file of a directory URL.
pub const DEFAULT_INDEX_FILE: &str = "index.html";

/// Settings of `file://` crawls; set through the builder's setters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileOptions {
    /// The file served for a directory URL.
    pub index_file: String,
    /// The site root that root-relative links (`/css/site.css`) resolve against; without it
    /// they resolve against the file system root, as a browser does.
    pub root: Option<PathBuf>,
}

impl Default for FileOptions {
    fn default() -> Self {
        Self {
            index_file: DEFAULT_INDEX_FILE.to_owned(),
            root: None,
        }
    }
}

impl FileOptions {
    /// `href` with a root-relative path moved under the site root, and a scheme-relative
    /// `//host/path` given `https:` (the scheme of a deployed site; a `file:` URL with a host
    /// means nothing), for links of `file://` pages; any other href is returned as it is.
    ///
    /// The site root is [`root`](Self::root) if set, else `site`: the folder given as a seed
    /// that the page is under ([`SeedScope`](crate::config::scope::SeedScope) finds it), else
    /// none (the file system root, as in a browser).
    pub(crate) fn rebase<'a>(&self, base: &Url, href: &'a str, site: Option<&Url>) -> Cow<'a, str> {
        let trimmed = href.trim_start();
        if base.scheme() != "file" || !trimmed.starts_with('/') {
            return href.into();
        }
        if trimmed.starts_with("//") {
            return format!("https:{trimmed}").into();
        }
        let root = match (&self.root, site) {
            (Some(root), _) => match Url::from_directory_path(root) {
                Ok(root) => Cow::Owned(root),
                Err(()) => return href.into(),
            },
            (None, Some(site)) => Cow::Borrowed(site),
            (None, None) => return href.into(),
        };
        format!("{}{}", root.as_str().trim_end_matches('/'), trimmed).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn root_relative_links_of_local_pages_move_under_the_site_root() {
        let page = url("file:///site/blog/post.html");
        let site = url("file:///site/");
        let none = FileOptions::default();
        assert_eq!(none.rebase(&page, "/css/a.css", None), "/css/a.css");
        assert_eq!(
            none.rebase(&page, "/css/a.css", Some(&site)),
            "file:///site/css/a.css"
        );
        assert_eq!(none.rebase(&page, "a.css", Some(&site)), "a.css");
        assert_eq!(
            none.rebase(&page, "//cdn.test/x.js", Some(&site)),
            "https://cdn.test/x.js"
        );
        let web = url("http://a.test/");
        assert_eq!(none.rebase(&web, "/x", Some(&site)), "/x");
        let configured = FileOptions {
            root: Some("/elsewhere".into()),
            ..FileOptions::default()
        };
        assert_eq!(
            configured.rebase(&page, "/css/a.css", Some(&site)),
            "file:///elsewhere/css/a.css"
        );
    }
}
