//! Settings of `file://` crawls: the index file of a directory URL and the site root that
//! root-relative links resolve against. Read by the `file://` transport (`fetch/file.rs`) and by
//! the link rules of a page.

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
    pub(crate) fn rebase<'a>(&self, base: &Url, href: &'a str) -> std::borrow::Cow<'a, str> {
        let trimmed = href.trim_start();
        if base.scheme() == "file" && trimmed.starts_with("//") {
            return format!("https:{trimmed}").into();
        }
        match &self.root {
            Some(root)
                if base.scheme() == "file"
                    && trimmed.starts_with('/')
                    && !trimmed.starts_with("//") =>
            {
                match Url::from_directory_path(root) {
                    Ok(root) => {
                        format!("{}{}", root.as_str().trim_end_matches('/'), trimmed).into()
                    }
                    Err(()) => href.into(),
                }
            }
            _ => href.into(),
        }
    }
}
