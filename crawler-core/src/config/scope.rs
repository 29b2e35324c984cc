//! Which discovered URLs the crawl may fetch.
//!
//! Scope is decided once per URL, when it is first discovered (as a link or as a redirect
//! target), so a link or a redirect can never move the crawl off the configured scope. URLs out of
//! scope still appear in the graph, as unfetched nodes, so the links to them are not lost.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use regex::Regex;
use url::Url;

use crate::error::ConfigError;

/// Which hosts the crawl stays on. Serialised as `same_host`, `same_domain` or `any_host`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum HostScope {
    /// Only URLs whose host and port equal a seed's. The default.
    #[default]
    SameHost,
    /// URLs on a seed's host or any subdomain of it (a leading `www.` of the seed is ignored, so
    /// a seed on `www.example.com` also admits `example.com` and `docs.example.com`).
    SameDomain,
    /// Any host. Use with a prefix, patterns, a low depth or a page cap.
    AnyHost,
}

/// The scope rules as configured: a host rule, URL prefixes and include/exclude patterns.
///
/// A URL is in scope when its scheme is allowed, it passes the host rule, starts with one of the
/// prefixes (if any are given), matches one of the include patterns (if any), and matches none of
/// the exclude patterns.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub(crate) hosts: HostScope,
    pub(crate) prefixes: Vec<Url>,
    pub(crate) include: Vec<Regex>,
    pub(crate) exclude: Vec<Regex>,
}

impl Scope {
    /// Parses a URL prefix for the scope.
    pub(crate) fn parse_prefix(prefix: &str) -> Result<Url, ConfigError> {
        let url = Url::parse(prefix).map_err(|err| ConfigError::InvalidPrefix {
            prefix: prefix.to_owned(),
            reason: err.to_string(),
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ConfigError::InvalidPrefix {
                prefix: prefix.to_owned(),
                reason: "must be an http or https URL".to_owned(),
            });
        }
        Ok(url)
    }

    /// Compiles an include or exclude pattern.
    pub(crate) fn parse_pattern(pattern: &str) -> Result<Regex, ConfigError> {
        Regex::new(pattern).map_err(|err| ConfigError::InvalidPattern {
            pattern: pattern.to_owned(),
            reason: err
                .to_string()
                .lines()
                .last()
                .unwrap_or_default()
                .trim()
                .to_owned(),
        })
    }

    /// Binds the rules to the seeds of one crawl (normalised, as
    /// [`Crawler::parse_seeds`](crate::Crawler::parse_seeds) returns them). Linear in the
    /// seeds, and each host, origin and directory is kept once however many seeds share it.
    pub fn for_seeds(&self, seeds: &[Url]) -> SeedScope {
        let mut bound = SeedScope {
            rules: self.clone(),
            hosts: HashMap::new(),
            origins: Vec::new(),
            file_dirs: Vec::new(),
            file_roots: Vec::new(),
            file_sites: Vec::new(),
        };
        // What the seeds met so far gave: most seeds of a long list share a few of each.
        let mut origins = HashSet::new();
        let mut dirs = HashSet::new();
        let mut sites = HashSet::new();
        for seed in seeds {
            if seed.scheme() == "file" {
                let path = seed.path();
                let dir = &path[..=path.rfind('/').unwrap_or(0)];
                if dirs.insert(dir) {
                    bound.file_dirs.push(dir.to_owned());
                    bound.file_roots.extend(file_root(seed));
                }
                if path.ends_with('/') && sites.insert(dir) {
                    let mut site = seed.clone();
                    site.set_query(None);
                    bound.file_sites.push(site);
                }
                continue;
            }
            let Some(host) = seed.host_str() else {
                continue;
            };
            let port = seed.port_or_known_default();
            if !origins.insert((seed.scheme(), host, port)) {
                continue;
            }
            bound.origins.push(seed.origin());
            let host = host.to_ascii_lowercase();
            let host = match self.hosts {
                HostScope::SameDomain => host.strip_prefix("www.").unwrap_or(&host).to_owned(),
                _ => host,
            };
            let ports = bound.hosts.entry(host).or_default();
            if !ports.contains(&port) {
                ports.push(port);
            }
        }
        bound
    }
}

/// The canonical directory of a `file://` seed: itself if it names a directory (ends in `/`),
/// else its parent.
fn file_root(seed: &Url) -> Option<PathBuf> {
    let path = seed.to_file_path().ok()?;
    let dir = if seed.path().ends_with('/') {
        path
    } else {
        path.parent()?.to_path_buf()
    };
    dir.canonicalize().ok()
}

/// The scope rules bound to the seeds of one crawl: which URLs it may fetch.
#[derive(Debug, Clone)]
pub struct SeedScope {
    rules: Scope,
    /// The seeds' hosts (without `www.` for [`HostScope::SameDomain`]), each with its ports.
    hosts: HashMap<String, Vec<Option<u16>>>,
    /// The seeds' origins (scheme, host, port), each once: where credentials may be sent.
    origins: Vec<url::Origin>,
    /// The URL paths of the `file://` seeds' directories (ending in `/`): a local site's scope.
    file_dirs: Vec<String>,
    /// The same directories, canonical: a file whose real path is elsewhere is not read.
    file_roots: Vec<PathBuf>,
    /// The `file://` seeds that name a directory (a folder given as a seed, `crawl ./public/`):
    /// each is the site root of the pages under it, unless a root is configured.
    file_sites: Vec<Url>,
}

impl SeedScope {
    /// The seeds' origins (scheme, host and port), each once.
    pub(crate) fn seed_origins(&self) -> &[url::Origin] {
        &self.origins
    }

    /// The canonical directories of the `file://` seeds.
    pub(crate) fn file_roots(&self) -> &[PathBuf] {
        &self.file_roots
    }

    /// The site root that root-relative links of the `file://` page `url` resolve against when
    /// none is configured: the shallowest directory seed the page is under (a folder given
    /// with one of its subfolders is one site), if any.
    pub(crate) fn file_site(&self, url: &Url) -> Option<&Url> {
        self.file_sites
            .iter()
            .filter(|site| url.path().starts_with(site.path()))
            .min_by_key(|site| site.path().len())
    }

    /// Whether `url` may be fetched.
    pub fn allows(&self, url: &Url) -> bool {
        self.allows_host(url)
            && (self.rules.prefixes.is_empty()
                || self
                    .rules
                    .prefixes
                    .iter()
                    .any(|p| url.as_str().starts_with(p.as_str())))
            && (self.rules.include.is_empty()
                || self
                    .rules
                    .include
                    .iter()
                    .any(|re| re.is_match(url.as_str())))
            && !self
                .rules
                .exclude
                .iter()
                .any(|re| re.is_match(url.as_str()))
    }

    fn allows_host(&self, url: &Url) -> bool {
        if url.scheme() == "file" {
            // A local site is the seed's directory tree, whatever the host rule, and the
            // directory itself named without its slash (`/docs` for `/docs/`), which the file
            // transport redirects to the slash form as a web server does.
            let path = url.path();
            return self
                .file_dirs
                .iter()
                .any(|dir| path.starts_with(dir.as_str()) || dir.strip_suffix('/') == Some(path));
        }
        let Some(host) = url.host_str() else {
            return false;
        };
        match self.rules.hosts {
            HostScope::AnyHost => true,
            HostScope::SameHost => {
                let port = url.port_or_known_default();
                self.hosts
                    .get(host)
                    .is_some_and(|ports| ports.contains(&port))
            }
            // The host itself or a domain it is under: each suffix after a dot.
            HostScope::SameDomain => std::iter::successors(Some(host), |rest| {
                rest.split_once('.').map(|(_, parent)| parent)
            })
            .any(|domain| self.hosts.contains_key(domain)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[rstest]
    #[case(HostScope::SameHost, "http://site.test/a", true)]
    #[case(HostScope::SameHost, "http://site.test:8080/a", false)]
    #[case(HostScope::SameHost, "http://other.test/a", false)]
    #[case(HostScope::SameHost, "http://docs.site.test/a", false)]
    #[case(HostScope::SameDomain, "http://docs.site.test/a", true)]
    #[case(HostScope::SameDomain, "http://www.site.test/a", true)]
    #[case(HostScope::SameDomain, "http://evilsite.test/a", false)]
    #[case(HostScope::AnyHost, "http://other.test/a", true)]
    fn host_rules(#[case] hosts: HostScope, #[case] target: &str, #[case] allowed: bool) {
        let scope = Scope {
            hosts,
            ..Scope::default()
        };
        let seeds = [url("http://www.site.test/")];
        let seeds = if scope.hosts == HostScope::SameHost {
            vec![url("http://site.test/")]
        } else {
            seeds.to_vec()
        };
        assert_eq!(
            scope.for_seeds(&seeds).allows(&url(target)),
            allowed,
            "{target}"
        );
    }

    #[test]
    fn prefix_include_exclude() {
        let scope = Scope {
            hosts: HostScope::SameHost,
            prefixes: vec![url("http://site.test/docs/")],
            include: vec![Scope::parse_pattern(r"\.html$").unwrap()],
            exclude: vec![Scope::parse_pattern("private").unwrap()],
        };
        let seeds = [url("http://site.test/docs/")];
        let bound = scope.for_seeds(&seeds);
        assert!(bound.allows(&url("http://site.test/docs/a.html")));
        assert!(!bound.allows(&url("http://site.test/blog/a.html")));
        assert!(!bound.allows(&url("http://site.test/docs/a.pdf")));
        assert!(!bound.allows(&url("http://site.test/docs/private.html")));
    }

    #[test]
    fn a_folder_seed_is_in_scope_without_its_slash() {
        let bound = Scope::default().for_seeds(&[url("file:///site/docs/")]);
        for inside in [
            "file:///site/docs/",
            "file:///site/docs",
            "file:///site/docs/a",
        ] {
            assert!(bound.allows(&url(inside)), "{inside}");
        }
        for outside in [
            "file:///site/docsx",
            "file:///site/",
            "file:///site",
            "file:///",
        ] {
            assert!(!bound.allows(&url(outside)), "{outside}");
        }
    }

    #[test]
    fn a_folder_seed_is_the_site_root_of_its_pages() {
        let bound = Scope::default().for_seeds(&[
            url("file:///site/blog/x.html"),
            url("file:///site/blog/"),
            url("file:///site/"),
            url("file:///other/page.html"),
            url("file:///two/"),
        ]);
        let site = |page: &str| bound.file_site(&url(page)).map(Url::as_str);
        assert_eq!(site("file:///site/blog/post.html"), Some("file:///site/"));
        assert_eq!(site("file:///site/index.html"), Some("file:///site/"));
        assert_eq!(site("file:///two/a/b.html"), Some("file:///two/"));
        assert_eq!(site("file:///other/page.html"), None);
    }

    #[test]
    fn bad_pattern_and_prefix_are_config_errors() {
        assert!(matches!(
            Scope::parse_pattern("("),
            Err(ConfigError::InvalidPattern { .. })
        ));
        assert!(matches!(
            Scope::parse_prefix("ftp://x/"),
            Err(ConfigError::InvalidPrefix { .. })
        ));
        assert!(matches!(
            Scope::parse_prefix("not a url"),
            Err(ConfigError::InvalidPrefix { .. })
        ));
    }
}
