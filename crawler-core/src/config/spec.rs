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

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::secret::Secret;
use super::{
    CrawlConfig, DEFAULT_CONCURRENCY, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_DEPTH, DEFAULT_MAX_EDGES, DEFAULT_MAX_LINKS_PER_PAGE, DEFAULT_MAX_NODES,
    DEFAULT_MAX_REDIRECTS, DEFAULT_MAX_URL_LEN, DEFAULT_PAGE_TIMEOUT, DEFAULT_PER_HOST,
    DEFAULT_READ_TIMEOUT, DEFAULT_RETRIES, DEFAULT_RETRY_BASE_DELAY, DEFAULT_TIMEOUT,
    DEFAULT_USER_AGENT, MAX_CONCURRENCY, MAX_DURATION,
};
use crate::config::files::{FileOptions, DEFAULT_INDEX_FILE};
use crate::config::http::{BasicAuth, HttpOptions};
use crate::config::links::LinkOptions;
use crate::config::scope::{HostScope, Scope};
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
    /// Limit for one page across its redirect hops and retries. Default:
    /// [`DEFAULT_PAGE_TIMEOUT`].
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
    #[serde(with = "secs_opt")]
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
}

impl Default for WorkerSpec {
    fn default() -> Self {
        Self {
            concurrency: DEFAULT_CONCURRENCY,
        }
    }
}

/// An extra request header. The value of a credential header is kept as a [`Secret`]'s digest
/// when the spec is serialised; other values are written as they are.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// The header's name.
    pub name: String,
    /// The header's value.
    pub value: Secret,
}

impl Header {
    /// Header `name: value`.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: Secret::new(value),
        }
    }

    /// Whether the header carries credentials (sent to the seeds' origins only, and
    /// serialised as a digest).
    pub fn is_credential(&self) -> bool {
        crate::http_options::is_credential_name(&self.name)
    }
}

impl Serialize for Header {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut header = serializer.serialize_struct("Header", 2)?;
        header.serialize_field("name", &self.name)?;
        match self.value.expose() {
            Some(value) if !self.is_credential() => header.serialize_field("value", value)?,
            _ => header.serialize_field("value", &self.value)?,
        }
        header.end()
    }
}

impl<'de> Deserialize<'de> for Header {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Form {
            name: String,
            value: Secret,
        }
        let Form { name, value } = Form::deserialize(deserializer)?;
        Ok(Header { name, value })
    }
}

/// Basic-auth credentials: a user name and an optional password (a [`Secret`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// The user name.
    pub name: String,
    /// The password, if any.
    pub password: Option<Secret>,
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
            header: Vec::new(),
            cookie: Vec::new(),
            user: None,
            proxy: None,
            accept_invalid_certs: false,
            index_file: DEFAULT_INDEX_FILE.to_owned(),
            root: None,
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
        let stored = self.shared();
        let given = given.shared();
        given.iter().find_map(|(setting, value)| {
            let theirs = stored.get(setting);
            (theirs != Some(value)).then(|| SpecDifference {
                setting: setting.clone(),
                stored: theirs.map_or_else(|| "(not set)".to_owned(), shown),
                given: shown(value),
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
        let stored = self.shared();
        for (setting, value) in own.shared() {
            if given(&setting) && stored.get(&setting) != Some(&value) {
                return Err(SpecDifference {
                    stored: stored
                        .get(&setting)
                        .map_or_else(|| "(not set)".to_owned(), shown),
                    given: shown(&value),
                    setting,
                });
            }
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

    /// Validates the spec into the settings a crawl runs on. The checks run in field order and
    /// the first failure is returned.
    ///
    /// # Errors
    /// The first invalid setting, or a secret that was withheld.
    pub fn config(&self) -> Result<CrawlConfig, ConfigError> {
        let max_pages = self
            .max_pages
            .map(|n| at_least_one("max pages", n))
            .transpose()?;
        let concurrency = in_flight("concurrency", self.worker.concurrency)?;
        let per_host = in_flight("per-host concurrency", self.per_host)?;
        let timeout = duration("timeout", self.timeout, false)?;
        let page_timeout = duration("page timeout", self.page_timeout, false)?;
        let max_nodes = at_least_one("max nodes", self.max_nodes)?;
        let max_edges = at_least_one("max edges", self.max_edges)?;
        let connect_timeout = duration("connect timeout", self.connect_timeout, false)?;
        let read_timeout = duration("read timeout", self.read_timeout, false)?;
        let max_body_bytes = at_least_one("max body bytes", self.max_body_bytes)?;
        let max_links_per_page = at_least_one("max links per page", self.max_links_per_page)?;
        let max_url_len = at_least_one("max URL length", self.max_url_len)?;
        if self.user_agent.is_empty()
            || reqwest::header::HeaderValue::from_str(&self.user_agent).is_err()
        {
            return Err(ConfigError::InvalidUserAgent(self.user_agent.clone()));
        }
        let scope = self.scope()?;
        let delay = self
            .delay
            .map(|delay| duration("delay", delay, false))
            .transpose()?;
        if let Some(rate) = self.rate {
            let min = 1.0 / MAX_DURATION.as_secs_f64();
            if !(rate.is_finite() && rate >= min) {
                return Err(ConfigError::InvalidRate(rate.to_string()));
            }
        }
        let retry_base_delay = duration("retry base delay", self.retry_base_delay, true)?;
        let http = self.http()?;
        if self.deny_private_ips && http.proxy.is_some() {
            return Err(ConfigError::ProxyWithDenyPrivateIps);
        }
        Ok(CrawlConfig {
            max_depth: self.depth,
            max_pages,
            concurrency,
            per_host,
            timeout,
            page_timeout,
            max_nodes,
            max_edges,
            connect_timeout,
            read_timeout,
            max_redirects: self.max_redirects,
            max_body_bytes,
            max_links_per_page,
            max_url_len,
            user_agent: self.user_agent.clone(),
            scope,
            respect_robots: !self.ignore_robots,
            delay,
            rate: self.rate,
            retries: self.retries,
            retry_base_delay,
            deny_private_ips: self.deny_private_ips,
            sitemaps: self.sitemap,
            extraction: self.extract,
            http,
            links: LinkOptions {
                kinds: self.links,
                ignore_nofollow: self.ignore_nofollow,
                respect_rel_nofollow: self.respect_rel_nofollow,
                check_resources: self.check_resources,
            },
            files: self.files()?,
        })
    }

    /// The scope rules: the host rule, prefixes and patterns, each parsed.
    fn scope(&self) -> Result<Scope, ConfigError> {
        Ok(Scope {
            hosts: self.hosts.clone(),
            prefixes: self
                .prefix
                .iter()
                .map(|prefix| Scope::parse_prefix(prefix))
                .collect::<Result<_, _>>()?,
            include: self
                .include
                .iter()
                .map(|pattern| Scope::parse_pattern(pattern))
                .collect::<Result<_, _>>()?,
            exclude: self
                .exclude
                .iter()
                .map(|pattern| Scope::parse_pattern(pattern))
                .collect::<Result<_, _>>()?,
        })
    }

    /// The request options, each checked; secrets must be known.
    fn http(&self) -> Result<HttpOptions, ConfigError> {
        let mut http = HttpOptions::default();
        for header in &self.header {
            let value = header
                .value
                .expose()
                .ok_or_else(|| ConfigError::SecretWithheld {
                    setting: format!("header {}", header.name),
                })?;
            http.headers
                .push(HttpOptions::check_header(&header.name, value)?);
        }
        for cookie in &self.cookie {
            let pair = cookie.expose().ok_or_else(|| ConfigError::SecretWithheld {
                setting: "cookie".to_owned(),
            })?;
            http.cookies.push(HttpOptions::check_cookie(pair)?);
        }
        if !http.cookies.is_empty() {
            http.cookie_jar = Some(crate::CookieJar::new());
        }
        if let Some(login) = &self.user {
            let password = match &login.password {
                Some(secret) => Some(
                    secret
                        .expose()
                        .ok_or_else(|| ConfigError::SecretWithheld {
                            setting: format!("user {}'s password", login.name),
                        })?
                        .to_owned(),
                ),
                None => None,
            };
            http.basic_auth = Some(BasicAuth {
                user: login.name.clone(),
                password,
            });
        }
        if let Some(proxy) = &self.proxy {
            http.proxy = Some(HttpOptions::check_proxy(proxy)?);
        }
        http.accept_invalid_certs = self.accept_invalid_certs;
        Ok(http)
    }

    /// The `file://` settings, checked.
    fn files(&self) -> Result<FileOptions, ConfigError> {
        if self.index_file.is_empty() || self.index_file.contains('/') {
            return Err(ConfigError::InvalidIndexFile(self.index_file.clone()));
        }
        let root = match &self.root {
            Some(root) => Some(
                root.canonicalize()
                    .ok()
                    .filter(|dir| dir.is_dir())
                    .ok_or_else(|| ConfigError::InvalidRoot(root.clone()))?,
            ),
            None => None,
        };
        Ok(FileOptions {
            index_file: self.index_file.clone(),
            root,
        })
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

/// A count of at least one.
fn at_least_one(name: &'static str, n: usize) -> Result<NonZeroUsize, ConfigError> {
    NonZeroUsize::new(n).ok_or(ConfigError::Zero { name })
}

/// A request count: at least 1 and at most [`MAX_CONCURRENCY`], which also keeps it within
/// what a semaphore can hold.
fn in_flight(name: &'static str, n: usize) -> Result<NonZeroUsize, ConfigError> {
    if n > MAX_CONCURRENCY {
        return Err(ConfigError::TooMany {
            name,
            max: MAX_CONCURRENCY,
        });
    }
    at_least_one(name, n)
}

/// A duration of at most [`MAX_DURATION`], and more than zero unless `zero_ok`.
fn duration(name: &'static str, d: Duration, zero_ok: bool) -> Result<Duration, ConfigError> {
    if d.is_zero() && !zero_ok {
        return Err(ConfigError::ZeroDuration { name });
    }
    if d > MAX_DURATION {
        return Err(ConfigError::TooLong {
            name,
            max: MAX_DURATION,
        });
    }
    Ok(d)
}

/// A duration as (possibly fractional) seconds.
mod secs {
    use std::time::Duration;

    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(d.as_secs_f64())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Duration, D::Error> {
        let secs = f64::deserialize(deserializer)?;
        Duration::try_from_secs_f64(secs).map_err(|_| {
            D::Error::custom(format!(
                "{secs} is not a number of seconds from 0 to about 10^19"
            ))
        })
    }
}

/// An optional duration as seconds, `null` for none.
mod secs_opt {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[expect(clippy::ref_option, reason = "the signature serde's `with` calls")]
    pub(super) fn serialize<S: Serializer>(
        d: &Option<Duration>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        d.map(|d| d.as_secs_f64()).serialize(serializer)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Duration>, D::Error> {
        #[derive(serde::Deserialize)]
        struct Secs(#[serde(with = "super::secs")] Duration);
        Ok(Option::<Secs>::deserialize(deserializer)?.map(|Secs(d)| d))
    }
}

#[cfg(test)]
mod tests;
