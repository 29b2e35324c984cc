//! Conditional re-crawl (`--since`): what a previous crawl's export can vouch for, so that a
//! page which did not change is asked with `If-None-Match` / `If-Modified-Since` and its
//! `304 Not Modified` stands for a download.
//!
//! A `304` carries no body, so everything a download would have given must come from the
//! previous crawl: the page's status, content type, size and title, and its links in page
//! order with their kind, text and `rel` (the edges leaving it in the export), and whether its
//! robots directives said `nofollow`. [`PreviousCrawl`] keeps that for each page it can vouch
//! for, and only for those; every other URL is fetched in full, as without `--since`:
//! - pages whose previous fetch failed, was skipped, redirected or answered outside 2xx;
//! - pages without an `ETag` or a `Last-Modified` (resources checked with HEAD have none);
//! - every page, when the previous crawl turned page bodies into links under other rules (a
//!   different crawlgraph version, `--links`, `--check-resources`, `--extract`,
//!   `--max-links-per-page`, `--max-url-len` or `--max-body-bytes`: see [`link_rules`]), when
//!   its export does not say which rules (an export from before `--since`), or when it
//!   dropped links (past `--max-edges`, `--max-nodes` or `--max-pages`), since a page's edges
//!   are then not all its links;
//! - every page, when this crawl checks fragments (`--check-fragments` needs each page's
//!   anchors, which no export keeps).
//!
//! Depth, scope, robots.txt and the follow rules are not part of a page's record: the links
//! taken from the previous crawl are folded into the graph by the current crawl's rules, as
//! if just extracted, and depths are the current crawl's.
//!
//! The previous export is hostile input like any file: it is read up to
//! [`MAX_PREVIOUS_BYTES`], and a crawl refuses one with more pages than its own `max_nodes`.
//!
//! # Architecture
//! - `mod.rs`: [`PreviousCrawl`], what it vouches for, and [`link_rules`].
//! - `json.rs`: the JSON export read straight into it (GraphML goes through [`crate::import`]).
//! - `tests.rs`: what is vouched for, the round trips through both exports, hostile files.

use std::collections::{HashMap, HashSet};
use std::hash::Hasher;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use hashbrown::DefaultHashBuilder;
use url::Url;

use crate::config::CrawlConfig;
use crate::graph::report::CrawlReport;
use crate::graph::{LinkKind, Page, Validators};
use crate::import::ImportError;
use crate::outcome::FoundLink;

/// The largest previous export read: 1 GiB (a 500,000-page crawl's JSON is about 400 MB).
pub const MAX_PREVIOUS_BYTES: u64 = 1 << 30;

/// Why a previous crawl could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SinceError {
    /// The file could not be read.
    #[error("cannot read it: {0}")]
    Io(#[from] std::io::Error),
    /// The file is larger than [`MAX_PREVIOUS_BYTES`].
    #[error("it is larger than {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The file is not a crawl export.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The previous crawl has more pages than this crawl may hold.
    #[error("it has {pages} pages, more than this crawl's --max-nodes ({limit})")]
    TooManyPages {
        /// Pages in the file.
        pages: usize,
        /// The crawl's node budget.
        limit: usize,
    },
}

/// Why a previous crawl vouches for none of its pages (each is then fetched in full).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unusable {
    /// Its export does not say under which rules links were taken (an export of a crawl
    /// from before `--since`, or not a crawl's).
    NoLinkRules,
    /// Its links were taken under other rules than this crawl's (see [`link_rules`]).
    OtherLinkRules,
    /// It dropped this many links, so some pages' edges are not all their links.
    LinksDropped(usize),
    /// This crawl checks fragments (`--check-fragments`), which needs each page's anchors:
    /// an export does not keep them.
    CheckFragments,
    /// This crawl renders pages (`render`): a page's links then depend on what its scripts
    /// fetch, which its `ETag` does not vouch for.
    Render,
}

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unusable::NoLinkRules => f.write_str("its export does not record its link rules"),
            Unusable::OtherLinkRules => f.write_str(
                "it took links under other rules (crawlgraph version, --links, \
                 --check-resources, --extract or a link or body limit)",
            ),
            Unusable::LinksDropped(n) => write!(f, "it dropped {n} links at a graph limit"),
            Unusable::CheckFragments => f.write_str(
                "--check-fragments needs each page's anchors, which an export does not keep",
            ),
            Unusable::Render => f.write_str(
                "--render takes links from what a page's scripts fetch, which a 304 does not vouch for",
            ),
        }
    }
}

/// What a `304` for a page stands for: its previous answer and links.
#[derive(Debug)]
pub(crate) struct PreviousPage {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) bytes: u64,
    pub(crate) validators: Validators,
    /// The page's links in page order, their targets as places in `urls`.
    links: Vec<PreviousLink>,
    /// Every node URL of the previous crawl, shared by all its pages.
    urls: Arc<[Url]>,
    pub(crate) nofollow: bool,
}

impl PreviousPage {
    /// The page's links, as its body gave them.
    pub(crate) fn links(&self) -> Vec<FoundLink> {
        self.links
            .iter()
            .filter_map(|link| {
                let url = self.urls.get(link.target as usize)?.clone();
                let text = link.text.as_deref().map(str::to_owned);
                let rel = link.rel.as_deref().map(str::to_owned);
                Some(FoundLink::of_kind(url, link.kind, text, rel))
            })
            .collect()
    }
}

/// A link of a previous page: 24 bytes, where a [`FoundLink`] with its own URL took about
/// 150 (a 10,000-page crawl's 420,000 links took 0.5 s to read, most of it allocating).
#[derive(Debug)]
struct PreviousLink {
    /// The target's place in the previous crawl's node URLs.
    target: u32,
    kind: LinkKind,
    /// Anchor text and `rel`, one copy of each distinct value.
    text: Option<Arc<str>>,
    rel: Option<Arc<str>>,
}

/// What the previous crawl says about one URL.
#[derive(Debug)]
pub(crate) enum Lookup<'a> {
    /// Fetched, and vouched for: ask conditionally.
    Reusable(&'a Arc<PreviousPage>),
    /// Fetched, but not vouched for: fetch in full.
    Known,
    /// Not fetched by the previous crawl.
    Unknown,
}

/// A previous crawl, as a crawl given `--since` uses it: the pages it fetched, and for those
/// it can vouch for, their validators and what a `304` stands for.
#[derive(Debug, Default)]
pub struct PreviousCrawl {
    /// Every URL the previous crawl fetched (or tried to), with its record when reusable.
    pages: HashMap<Box<str>, Option<Arc<PreviousPage>>, DefaultHashBuilder>,
    reusable: usize,
    unusable: Option<Unusable>,
}

impl PreviousCrawl {
    /// Reads the JSON or GraphML export at `path` (`-` = stdin) for a crawl with `config`.
    ///
    /// # Errors
    /// [`SinceError`] for an unreadable, oversized or invalid file, or one with more pages
    /// than `config.max_nodes`.
    pub fn load(path: &Path, config: &CrawlConfig) -> Result<Self, SinceError> {
        if path == Path::new("-") {
            return Self::read(std::io::stdin().lock(), config);
        }
        let file = std::fs::File::open(path)?;
        let len = file.metadata()?.len();
        if len > MAX_PREVIOUS_BYTES {
            return Err(SinceError::TooLarge {
                limit: MAX_PREVIOUS_BYTES,
            });
        }
        // Sized once: a 70 MB export read into a growing buffer was copied about six times.
        let capacity = usize::try_from(len).map_or(0, |len| len + 1);
        Self::read_into(file, Vec::with_capacity(capacity), config)
    }

    /// Reads a JSON or GraphML export from `input`, up to [`MAX_PREVIOUS_BYTES`].
    ///
    /// # Errors
    /// As [`load`](Self::load).
    pub fn read(input: impl Read, config: &CrawlConfig) -> Result<Self, SinceError> {
        Self::read_into(input, Vec::new(), config)
    }

    /// [`read`](Self::read) into `data`, an empty buffer.
    fn read_into(
        input: impl Read,
        mut data: Vec<u8>,
        config: &CrawlConfig,
    ) -> Result<Self, SinceError> {
        input.take(MAX_PREVIOUS_BYTES + 1).read_to_end(&mut data)?;
        if data.len() as u64 > MAX_PREVIOUS_BYTES {
            return Err(SinceError::TooLarge {
                limit: MAX_PREVIOUS_BYTES,
            });
        }
        if data.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
            return json::read(&data, config);
        }
        let report = crate::import::read(&data)?;
        drop(data);
        let limit = config.max_nodes.get();
        let pages = report.graph.page_count();
        if pages > limit {
            return Err(SinceError::TooManyPages { pages, limit });
        }
        Ok(Self::from_report(&report, config))
    }

    /// The previous crawl `report` (read back from its export), for a crawl with `config`.
    pub fn from_report(report: &CrawlReport, config: &CrawlConfig) -> Self {
        let unusable = unusable(
            report.stats.links_dropped,
            report.link_rules.as_deref(),
            config,
        );
        let graph = &report.graph;
        let mut assembly = Assembly::new(unusable);
        for page in graph.pages() {
            assembly.page(page.url.as_str(), page.is_fetched(), || candidate(page));
        }
        assembly.urls(graph.pages().map(|page| page.url.clone()).collect());
        for (source, target, link) in graph.edge_ends() {
            if assembly.wants_links(source.index()) {
                let (text, rel) = (graph.link_text(link), graph.link_rel(link));
                assembly.link(
                    source.index(),
                    target.index(),
                    link.kind,
                    (text, rel),
                    link.nofollow,
                );
            }
        }
        assembly.finish()
    }

    /// Why none of the previous crawl's pages can be revalidated, if so.
    pub fn unusable(&self) -> Option<Unusable> {
        self.unusable
    }

    /// Pages the previous crawl fetched (or tried to).
    pub fn pages(&self) -> usize {
        self.pages.len()
    }

    /// Of those, the pages asked conditionally: fetched with GET, 2xx, with validators.
    pub fn reusable(&self) -> usize {
        self.reusable
    }

    /// What the previous crawl says about `url`.
    pub(crate) fn lookup(&self, url: &Url) -> Lookup<'_> {
        match self.pages.get(url.as_str()) {
            Some(Some(page)) => Lookup::Reusable(page),
            Some(None) => Lookup::Known,
            None => Lookup::Unknown,
        }
    }
}

/// Why a previous crawl that dropped `links_dropped` links and took links under the rules
/// fingerprinted `rules` vouches for nothing in a crawl with `config`, if so.
fn unusable(links_dropped: usize, rules: Option<&str>, config: &CrawlConfig) -> Option<Unusable> {
    if config.links.check_fragments {
        return Some(Unusable::CheckFragments);
    }
    if config.render.mode != crate::RenderMode::Never {
        return Some(Unusable::Render);
    }
    if links_dropped > 0 {
        return Some(Unusable::LinksDropped(links_dropped));
    }
    match rules {
        None => Some(Unusable::NoLinkRules),
        Some(rules) if rules != link_rules(config) => Some(Unusable::OtherLinkRules),
        Some(_) => None,
    }
}

/// A previous crawl as its export is read: its pages in node order, each with its record
/// while it may still be vouched for, then the links of those.
struct Assembly {
    unusable: Option<Unusable>,
    /// Each node's URL, and whether it was fetched.
    pages: Vec<(Box<str>, bool)>,
    records: Vec<Option<PreviousPage>>,
    /// Every node's URL, parsed, in node order: what links point at.
    urls: Arc<[Url]>,
    /// One copy of each anchor text and `rel`.
    texts: HashSet<Arc<str>, DefaultHashBuilder>,
}

impl Assembly {
    fn new(unusable: Option<Unusable>) -> Self {
        Self {
            unusable,
            pages: Vec::new(),
            records: Vec::new(),
            urls: Arc::from(Vec::new()),
            texts: HashSet::default(),
        }
    }

    /// The nodes' URLs, in node order, once every node is in: links point at them.
    fn urls(&mut self, urls: Vec<Url>) {
        self.urls = Arc::from(urls);
    }

    /// One shared copy of `text`.
    fn text(&mut self, text: &str) -> Arc<str> {
        if let Some(kept) = self.texts.get(text) {
            return Arc::clone(kept);
        }
        let kept: Arc<str> = Arc::from(text);
        self.texts.insert(Arc::clone(&kept));
        kept
    }

    /// The next node: `url`, fetched or not, and its record if `candidate` gives one (asked
    /// only when the crawl is usable).
    fn page(&mut self, url: &str, fetched: bool, candidate: impl FnOnce() -> Option<PreviousPage>) {
        let record = if self.unusable.is_none() && fetched {
            candidate()
        } else {
            None
        };
        self.pages.push((url.into(), fetched));
        self.records.push(record);
    }

    /// Whether node `source` still has a record its links go to.
    fn wants_links(&self, source: usize) -> bool {
        self.records.get(source).is_some_and(Option::is_some)
    }

    /// Whether any node still has a record (so links are read at all).
    fn any_record(&self) -> bool {
        self.records.iter().any(Option::is_some)
    }

    /// The next link of node `source`, to node `target`, with its anchor text and `rel`; a
    /// redirect leaves the source without a record.
    fn link(
        &mut self,
        source: usize,
        target: usize,
        kind: LinkKind,
        (text, rel): (Option<&str>, Option<&str>),
        nofollow: bool,
    ) {
        match self.records.get(source) {
            Some(Some(_)) if kind == LinkKind::Redirect => {
                self.records[source] = None;
                return;
            }
            Some(Some(_)) => {}
            _ => return,
        }
        let link = PreviousLink {
            target: u32::try_from(target).unwrap_or(u32::MAX),
            kind,
            text: text.map(|t| self.text(t)),
            rel: rel.map(|r| self.text(r)),
        };
        if let Some(Some(record)) = self.records.get_mut(source) {
            record.nofollow |= nofollow;
            record.links.push(link);
        }
    }

    fn finish(self) -> PreviousCrawl {
        let mut pages =
            HashMap::with_capacity_and_hasher(self.pages.len(), DefaultHashBuilder::default());
        let mut reusable = 0;
        for ((url, fetched), record) in self.pages.into_iter().zip(self.records) {
            if fetched {
                reusable += usize::from(record.is_some());
                let record = record.map(|mut record| {
                    record.links.shrink_to_fit();
                    record.urls = Arc::clone(&self.urls);
                    Arc::new(record)
                });
                pages.insert(url, record);
            }
        }
        PreviousCrawl {
            pages,
            reusable,
            unusable: self.unusable,
        }
    }
}

/// A page the previous crawl can vouch for, its links still to add.
fn candidate(page: &Page) -> Option<PreviousPage> {
    let ok = page.error.is_none() && page.skipped.is_none();
    let validators = page.validators.as_deref();
    candidate_of(
        (&page.url, page.status.filter(|_| ok)),
        page.content_type.clone(),
        page.title.clone(),
        page.bytes,
        (
            validators.and_then(|v| v.etag.as_deref()),
            validators.and_then(|v| v.last_modified.as_deref()),
        ),
    )
}

/// The record of a page at `url` that answered `status` without an error or a skip (`None`
/// otherwise), if the previous crawl can vouch for it: fetched over HTTP with a 2xx answer
/// and validators (`etag`, `last_modified`).
fn candidate_of(
    (url, status): (&Url, Option<u16>),
    content_type: Option<String>,
    title: Option<String>,
    bytes: u64,
    (etag, last_modified): (Option<&str>, Option<&str>),
) -> Option<PreviousPage> {
    let status = status.filter(|s| (200..300).contains(s))?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let validators = Validators::new(etag.map(str::to_owned), last_modified.map(str::to_owned))?;
    Some(PreviousPage {
        status,
        content_type,
        title,
        bytes,
        validators: *validators,
        links: Vec::new(),
        urls: Arc::from(Vec::new()),
        nofollow: false,
    })
}

/// A fingerprint of everything that decides which links a page body gives: the crawlgraph
/// version (its extractor), the link kinds kept, whether stylesheets are parsed, the
/// extraction mode and the link, URL and body limits. A crawl records it in its export
/// (`link_rules`), and a later crawl given that export with `--since` reuses its links only if
/// its own fingerprint is the same.
pub fn link_rules(config: &CrawlConfig) -> String {
    let text = format!(
        "{}|{:?}|{}|{:?}|{}|{}|{}",
        env!("CARGO_PKG_VERSION"),
        config.links.kinds,
        config.links.check_resources,
        config.extraction,
        config.max_links_per_page,
        config.max_url_len,
        config.max_body_bytes,
    );
    let mut hasher = siphasher::sip::SipHasher13::new_with_keys(0, 0);
    hasher.write(text.as_bytes());
    format!("{:016x}", hasher.finish())
}

mod json;
#[cfg(test)]
mod tests;
