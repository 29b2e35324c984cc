//! [`CrawlSpec`]: every setting that shapes a crawl, as one plain value.
//!
//! Every front door starts from a spec: the builder fills one, the command line maps its flags
//! and config file to one, a Redis crawl stores one for the workers that join it, and the
//! Python package takes its keyword arguments as one. The field names are the long flags of
//! the command line with `_` for `-` (`per_host`, `max_body_bytes`), durations are seconds,
//! and a missing field takes its default, so a spec reads the same in JSON, TOML or Python.
//!
//! A spec is plain data: nothing is checked until [`CrawlSpec::config`] (which
//! [`build`](crate::CrawlerBuilder::build) calls) validates it into the [`CrawlConfig`] the
//! crawl runs on, with the same [`ConfigError`]s in the same order as the setters had.
//!
//! # Shared and worker-local settings
//! The fields under [`CrawlSpec::worker`] may differ between the workers of one distributed
//! crawl (each process sizes its own concurrency); every other field shapes the graph and must
//! be the same for all of them, which [`CrawlSpec::difference`] checks field by field.
//!
//! # Secrets
//! Credential header values, cookies and the basic-auth password are [`Secret`]s: they
//! serialise as a digest only, so a stored spec holds no credential in clear text. A spec read
//! back from storage compares with one that has the values, but cannot be built until they
//! are given again ([`ConfigError::SecretWithheld`]).

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::secret::Secret;
#[cfg(doc)]
use super::{CrawlConfig, MAX_CONCURRENCY};
use super::{
    DEFAULT_CONCURRENCY, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_EDGES, DEFAULT_MAX_LINKS_PER_PAGE, DEFAULT_MAX_NODES, DEFAULT_MAX_REDIRECTS,
    DEFAULT_MAX_URL_LEN, DEFAULT_PAGE_TIMEOUT, DEFAULT_PER_HOST, DEFAULT_READ_TIMEOUT,
    DEFAULT_RETRIES, DEFAULT_RETRY_BASE_DELAY, DEFAULT_TIMEOUT, DEFAULT_USER_AGENT,
};
use crate::config::files::DEFAULT_INDEX_FILE;
use crate::config::render::{RenderMode, DEFAULT_RENDER_WAIT};
use crate::config::scope::HostScope;
#[cfg(doc)]
use crate::error::ConfigError;
use crate::extract::Extraction;
use crate::graph::link_kind::LinkKinds;

/// The version of the spec's serialised form; [`CrawlSpec::from_json`] refuses another.
pub const SPEC_SCHEMA: u32 = 1;

/// Every setting of a crawl; see the [module docs](self). Build a crawler from one with
/// [`Crawler::from_spec`](crate::Crawler::from_spec).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent switches of a crawl, each a setting of its own"
)]
pub struct CrawlSpec {
    /// The version of this form, [`SPEC_SCHEMA`].
    pub schema: u32,
    /// Deepest level fetched; seeds are depth 0. Default: [`DEFAULT_MAX_DEPTH`].
    pub depth: u32,
    /// Stop after this many pages were fetched (at least 1). Default: no limit.
    pub max_pages: Option<usize>,
    /// Requests in flight to one host (1 to [`MAX_CONCURRENCY`]). Default:
    /// [`DEFAULT_PER_HOST`].
    pub per_host: usize,
    /// Limit for a whole request, in seconds. Default: [`DEFAULT_TIMEOUT`].
    #[serde(with = "secs")]
    pub timeout: Duration,
    /// Limit for establishing a connection. Default: [`DEFAULT_CONNECT_TIMEOUT`].
    #[serde(with = "secs")]
    pub connect_timeout: Duration,
    /// Limit for one read on an open connection. Default: [`DEFAULT_READ_TIMEOUT`].
    #[serde(with = "secs")]
    pub read_timeout: Duration,
    /// Limit for one page across its redirect hops and retries, from when its first request
    /// may be sent. Default: [`DEFAULT_PAGE_TIMEOUT`].
    #[serde(with = "secs")]
    pub page_timeout: Duration,
    /// Nodes the graph may hold. Default: [`DEFAULT_MAX_NODES`].
    pub max_nodes: usize,
    /// Edges the graph may hold. Default: [`DEFAULT_MAX_EDGES`].
    pub max_edges: usize,
    /// Redirects followed from one URL (0 records them without following). Default:
    /// [`DEFAULT_MAX_REDIRECTS`].
    pub max_redirects: usize,
    /// Bytes of a page body read, after decompression. Default: [`DEFAULT_MAX_BODY_BYTES`].
    pub max_body_bytes: usize,
    /// Links kept from one page. Default: [`DEFAULT_MAX_LINKS_PER_PAGE`].
    pub max_links_per_page: usize,
    /// Longest URL kept, in bytes. Default: [`DEFAULT_MAX_URL_LEN`].
    pub max_url_len: usize,
    /// `User-Agent` header. Default: [`DEFAULT_USER_AGENT`].
    pub user_agent: String,
    /// How links are taken out of HTML. Default: [`Extraction::Tokens`].
    pub extract: Extraction,
    /// Which hosts the crawl stays on. Default: [`HostScope::SameHost`].
    pub hosts: HostScope,
    /// Only URLs starting with one of these absolute http(s) URLs are fetched. Default: none.
    pub prefix: Vec<String>,
    /// Only URLs matching one of these regular expressions are fetched. Default: none.
    pub include: Vec<String>,
    /// URLs matching one of these regular expressions are not fetched. Default: none.
    pub exclude: Vec<String>,
    /// Do not fetch or obey robots.txt. Default: false.
    pub ignore_robots: bool,
    /// Minimum time between the starts of two requests to one host, in seconds. Default: none.
    #[serde(with = "secs::opt")]
    pub delay: Option<Duration>,
    /// Maximum requests per second to one host. Default: no limit.
    pub rate: Option<f64>,
    /// Retries of a transient failure. Default: [`DEFAULT_RETRIES`].
    pub retries: u32,
    /// Wait before the first retry, doubled for each further one, in seconds. Default:
    /// [`DEFAULT_RETRY_BASE_DELAY`].
    #[serde(with = "secs")]
    pub retry_base_delay: Duration,
    /// Also seed the crawl from the seed hosts' sitemaps. Default: false.
    pub sitemap: bool,
    /// Refuse hosts that resolve to loopback, private or link-local addresses. Default: false.
    pub deny_private_ips: bool,
    /// The link kinds recorded as edges. Default: every kind.
    pub links: LinkKinds,
    /// Follow the links of pages whose robots directives say `nofollow`. Default: false.
    pub ignore_nofollow: bool,
    /// Do not follow links with `rel="nofollow"`. Default: false.
    pub respect_rel_nofollow: bool,
    /// Fetch embeds, stylesheets and CSS targets once, to find broken assets. Default: false.
    pub check_resources: bool,
    /// Check the fragment of every link to an HTML page of the crawl against that page's ids
    /// and `<a name>`s; a missing one is a broken fragment on the edge. Default: false.
    pub check_fragments: bool,
    /// Extra headers sent with every request; credential headers (`Authorization`,
    /// `Proxy-Authorization`, `Cookie`) only to the seeds' origins. Default: none.
    pub header: Vec<Header>,
    /// `name=value` cookies sent to the seeds' hosts. Default: none.
    pub cookie: Vec<Secret>,
    /// HTTP basic authentication for the seeds' origins. Default: none.
    pub user: Option<Login>,
    /// Send every request through this http(s) proxy. Default: none (the environment's).
    pub proxy: Option<String>,
    /// Accept invalid TLS certificates. Default: false.
    pub accept_invalid_certs: bool,
    /// The file served for a directory of a `file://` site. Default: [`DEFAULT_INDEX_FILE`].
    pub index_file: String,
    /// The root of a `file://` site, for root-relative links. Default: none (a page under a
    /// folder given as a seed takes that folder; see
    /// [`CrawlerBuilder::site_root`](crate::CrawlerBuilder::site_root)).
    pub root: Option<PathBuf>,
    /// When HTML pages are rendered in a browser. Default: [`RenderMode::Never`].
    pub render: RenderMode,
    /// A rendered page is settled once it made no request for this long after its `load`
    /// event, in seconds. Default: [`DEFAULT_RENDER_WAIT`].
    #[serde(with = "secs")]
    pub render_wait: Duration,
    /// Settings each worker of a distributed crawl may choose for itself.
    pub worker: WorkerSpec,
}

/// The settings each worker of a distributed crawl chooses for itself: they change how fast
/// a process works, never the graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct WorkerSpec {
    /// Requests in flight across all hosts (1 to [`MAX_CONCURRENCY`]). Default:
    /// [`DEFAULT_CONCURRENCY`].
    pub concurrency: usize,
    /// Pages rendered at once, each in a tab of the worker's browser (at least 1). Default:
    /// none, one per core.
    pub render_concurrency: Option<usize>,
    /// The Chromium executable that renders pages. Default: none (the `CHROMIUM` variable,
    /// else `chromium` on the `PATH`).
    pub chromium: Option<PathBuf>,
}

impl Default for WorkerSpec {
    fn default() -> Self {
        Self {
            concurrency: DEFAULT_CONCURRENCY,
            render_concurrency: None,
            chromium: None,
        }
    }
}

impl Default for CrawlSpec {
    fn default() -> Self {
        Self {
            schema: SPEC_SCHEMA,
            depth: DEFAULT_MAX_DEPTH,
            max_pages: None,
            per_host: DEFAULT_PER_HOST,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            read_timeout: DEFAULT_READ_TIMEOUT,
            page_timeout: DEFAULT_PAGE_TIMEOUT,
            max_nodes: DEFAULT_MAX_NODES,
            max_edges: DEFAULT_MAX_EDGES,
            max_redirects: DEFAULT_MAX_REDIRECTS,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_links_per_page: DEFAULT_MAX_LINKS_PER_PAGE,
            max_url_len: DEFAULT_MAX_URL_LEN,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            extract: Extraction::default(),
            hosts: HostScope::default(),
            prefix: Vec::new(),
            include: Vec::new(),
            exclude: Vec::new(),
            ignore_robots: false,
            delay: None,
            rate: None,
            retries: DEFAULT_RETRIES,
            retry_base_delay: DEFAULT_RETRY_BASE_DELAY,
            sitemap: false,
            deny_private_ips: false,
            links: LinkKinds::all(),
            ignore_nofollow: false,
            respect_rel_nofollow: false,
            check_resources: false,
            check_fragments: false,
            header: Vec::new(),
            cookie: Vec::new(),
            user: None,
            proxy: None,
            accept_invalid_certs: false,
            index_file: DEFAULT_INDEX_FILE.to_owned(),
            root: None,
            render: RenderMode::Never,
            render_wait: DEFAULT_RENDER_WAIT,
            worker: WorkerSpec::default(),
        }
    }
}

/// Why a serialised spec was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    /// Not a spec: bad JSON, an unknown field, a value of the wrong type.
    #[error("not a crawl spec: {0}")]
    Invalid(#[from] serde_json::Error),
    /// A spec of another version.
    #[error("crawl spec version {found}, this build reads version {SPEC_SCHEMA}")]
    Schema {
        /// The version found.
        found: u32,
    },
}

/// A setting whose value differs between two specs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecDifference {
    /// The field's name (a long flag with `_` for `-`).
    pub setting: String,
    /// The first spec's value, as JSON (secrets as `"<secret>"`).
    pub stored: String,
    /// The second spec's value, likewise.
    pub given: String,
}

/// The fields whose values hold [`Secret`]s.
const SECRET_FIELDS: [&str; 3] = ["header", "cookie", "user"];

impl CrawlSpec {
    /// Reads a spec from JSON (missing fields take their defaults).
    ///
    /// # Errors
    /// Invalid JSON, an unknown field or a wrong type, or another [`SPEC_SCHEMA`].
    pub fn from_json(json: &str) -> Result<Self, SpecError> {
        let spec: CrawlSpec = serde_json::from_str(json)?;
        if spec.schema != SPEC_SCHEMA {
            return Err(SpecError::Schema { found: spec.schema });
        }
        Ok(spec)
    }

    /// The spec as JSON; secrets are written as digests.
    pub fn to_json(&self) -> String {
        // A spec holds only strings, numbers, lists and maps with string keys: it always
        // serialises.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The fields shared by every worker (all but `schema` and `worker`), as JSON values.
    fn shared(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut map = match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        map.remove("schema");
        map.remove("worker");
        map
    }

    /// The first shared setting (by name) whose value differs between `self` (a crawl's
    /// stored spec) and `given`; secrets compare by digest. Worker-local settings are not
    /// compared.
    pub fn difference(&self, given: &CrawlSpec) -> Option<SpecDifference> {
        self.first_difference(given, |_| true)
    }

    /// The first shared setting among those `compared` whose value differs between `self` and
    /// `given`.
    fn first_difference(
        &self,
        given: &CrawlSpec,
        compared: impl Fn(&str) -> bool,
    ) -> Option<SpecDifference> {
        let stored = self.shared();
        given.shared().into_iter().find_map(|(setting, value)| {
            let theirs = stored.get(&setting);
            (compared(&setting) && theirs != Some(&value)).then(|| SpecDifference {
                stored: theirs.map_or_else(|| "(not set)".to_owned(), shown),
                given: shown(&value),
                setting,
            })
        })
    }

    /// The spec a worker joining the crawl described by `self` runs with: every shared setting
    /// the worker was `given` (by field name) must equal the crawl's, the others are the
    /// crawl's, and the worker-local ones are `own`'s. Secrets the worker gave are taken from
    /// it (the stored spec has only their digests); secrets it did not give stay withheld, so
    /// that [`build`](crate::CrawlerBuilder::build) asks for them.
    ///
    /// # Errors
    /// The first given setting whose value differs from the crawl's.
    pub fn joined(
        &self,
        own: &CrawlSpec,
        given: impl Fn(&str) -> bool,
    ) -> Result<CrawlSpec, SpecDifference> {
        if let Some(difference) = self.first_difference(own, &given) {
            return Err(difference);
        }
        let mut joined = self.clone();
        joined.worker = own.worker.clone();
        for setting in SECRET_FIELDS {
            if given(setting) {
                match setting {
                    "header" => joined.header.clone_from(&own.header),
                    "cookie" => joined.cookie.clone_from(&own.cookie),
                    _ => joined.user.clone_from(&own.user),
                }
            }
        }
        Ok(joined)
    }

    /// Whether a crawl of this spec runs without levels: what
    /// [`CrawlConfig::flows`](crate::CrawlConfig::flows) says of the settings it makes.
    pub fn flows(&self) -> bool {
        self.max_pages.is_none() && !self.check_resources
    }

    /// The spec without its secrets (credential headers, cookies, basic auth): what a process
    /// that sends no request needs, such as the export of a stored crawl.
    #[must_use]
    pub fn without_secrets(&self) -> CrawlSpec {
        let mut spec = self.clone();
        spec.header.retain(|header| !header.is_credential());
        spec.cookie.clear();
        spec.user = None;
        spec
    }
}

/// A JSON value as shown in a mismatch message: secrets as `"<secret>"`.
fn shown(value: &serde_json::Value) -> String {
    fn hide(value: &serde_json::Value) -> serde_json::Value {
        match value {
            serde_json::Value::Object(map) if map.len() == 1 && map.contains_key("digest") => {
                serde_json::Value::String("<secret>".to_owned())
            }
            serde_json::Value::Object(map) => {
                serde_json::Value::Object(map.iter().map(|(k, v)| (k.clone(), hide(v))).collect())
            }
            serde_json::Value::Array(items) => {
                serde_json::Value::Array(items.iter().map(hide).collect())
            }
            other => other.clone(),
        }
    }
    hide(value).to_string()
}

mod credentials;
mod secs;
mod validate;

pub use credentials::{Header, Login};

#[cfg(test)]
mod tests;
