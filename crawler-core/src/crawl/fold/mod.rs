//! Building the graph from fetch outcomes: the one place where a page's outcome becomes nodes,
//! edges and counters.
//!
//! [`GraphBuilder`] is shared by the in-memory crawl loop, which folds each level's outcomes in
//! frontier order as they arrive, and by anything that replays stored outcomes (the exporter of
//! a distributed crawl). Given the same seeds, the same outcomes in the same order and the same
//! claim answers, it builds the same graph, node for node and edge for edge.

use std::time::{Duration, SystemTime};

use petgraph::graph::NodeIndex;
use url::Url;

use crate::config::links::LinkOptions;
use crate::config::scope::SeedScope;
use crate::config::CrawlConfig;
use crate::crawl::fragments::PageAnchors;
use crate::crawl::frontier::Frontier;
use crate::crawl::order;

mod relax;
use crate::crawl::sink::{FoldSink, FoldedLink, FoldedPage};
use crate::graph::report::{CrawlReport, CrawlStats, StopReason};
use crate::graph::{CrawlGraph, Link, LinkKind, SkipReason};
use crate::outcome::{FoundLink, Freshness, Hop, PageOutcome, Target};

/// The graph and counters of one crawl, fed one page outcome at a time.
///
/// A streaming builder ([`streaming`](Self::streaming)) hands each folded page to its sink
/// instead of keeping it: its graph stays empty, and the nodes it returns and queues are
/// placeholders ([`NodeIndex::end`]).
pub struct GraphBuilder {
    graph: CrawlGraph,
    stats: CrawlStats,
    scope: SeedScope,
    max_depth: u32,
    budget: Budget,
    links: LinkOptions,
    sink: Option<FoldSink>,
    /// [`since::link_rules`](crate::since::link_rules) of the crawl's config.
    link_rules: String,
    /// The anchors of fetched pages, when fragments are checked.
    anchors: PageAnchors,
    /// Set for a crawl that folds pages as they arrive: depths are lowered when a shorter path
    /// turns up ([`relax`]).
    relaxing: Option<relax::Relaxing>,
    /// The seeds' nodes and the sitemaps' URLs' ones, in the order they were added: where
    /// the canonical order starts ([`order`](crate::crawl::order)).
    roots: Vec<NodeIndex>,
    listed: Vec<NodeIndex>,
}

impl std::fmt::Debug for GraphBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphBuilder")
            .field("graph", &self.graph)
            .field("stats", &self.stats)
            .field("scope", &self.scope)
            .field("max_depth", &self.max_depth)
            .field("budget", &self.budget)
            .field("links", &self.links)
            .field("streaming", &self.sink.is_some())
            .field("link_rules", &self.link_rules)
            .field("anchors", &self.anchors)
            .field("relaxing", &self.relaxing.is_some())
            .field("roots", &self.roots.len())
            .field("listed", &self.listed.len())
            .finish()
    }
}

/// Counts one request: its bytes (none for a page revalidated with `304`: its recorded size is
/// the previous crawl's), its failure, and how it stood against a previous crawl.
fn count_hop(stats: &mut CrawlStats, hop: &Hop) {
    stats.requests += 1;
    stats.pages_failed += usize::from(hop.error.is_some());
    match hop.freshness {
        Some(Freshness::Revalidated) => stats.revalidated += 1,
        Some(Freshness::Changed) => stats.changed += 1,
        Some(Freshness::New) => stats.new_pages += 1,
        None => {}
    }
    if hop.freshness != Some(Freshness::Revalidated) {
        stats.bytes += hop.bytes;
    }
}

/// The limits on what the graph records, and where the crawl stands against them.
#[derive(Debug)]
struct Budget {
    max_nodes: usize,
    max_edges: usize,
    max_pages: Option<usize>,
    /// Pages queued for fetching so far (seeds and claimed links).
    queued: usize,
    /// New links past the page cap recorded as `max_pages` nodes, at most `max_pages` of them.
    capped: usize,
    /// The node or edge budget was reached.
    full: bool,
    /// The page cap cut links.
    page_cap_hit: bool,
}

impl GraphBuilder {
    /// An empty graph for a crawl with `config`'s depth limit and the seeds' `scope`.
    pub fn new(config: &CrawlConfig, scope: SeedScope) -> Self {
        Self {
            graph: CrawlGraph::new(),
            stats: CrawlStats::default(),
            scope,
            max_depth: config.max_depth,
            budget: Budget {
                max_nodes: config.max_nodes.get(),
                max_edges: config.max_edges.get(),
                max_pages: config.max_pages.map(std::num::NonZeroUsize::get),
                queued: 0,
                capped: 0,
                full: false,
                page_cap_hit: false,
            },
            links: config.links,
            sink: None,
            link_rules: crate::since::link_rules(config),
            anchors: PageAnchors::default(),
            relaxing: None,
            roots: Vec::new(),
            listed: Vec::new(),
        }
    }

    /// A builder that hands each folded page to `sink` (see [`crate::crawl::sink`]) and keeps no
    /// graph: what it [`finish`](Self::finish)es with is an empty graph and the counters.
    ///
    /// Without a graph, `--max-nodes` bounds the URLs queued for fetching (the seen set, which
    /// is what such a crawl keeps), and `--max-edges` bounds nothing: no edge is kept.
    pub fn streaming(config: &CrawlConfig, scope: SeedScope, sink: FoldSink) -> Self {
        Self {
            sink: Some(sink),
            ..Self::new(config, scope)
        }
    }

    /// A builder for a crawl that folds each page as its answer arrives, in any order: a link
    /// or redirect that gives a page a shorter path lowers its depth, and the depths of the
    /// pages reached from it (see `fold/relax.rs`). A page found beyond the depth limit that a
    /// shorter path brings within it is claimed and queued then.
    pub fn relaxing(config: &CrawlConfig, scope: SeedScope) -> Self {
        Self {
            relaxing: Some(relax::Relaxing::default()),
            ..Self::new(config, scope)
        }
    }

    /// Whether the node or edge budget is used up: the crawl should stop
    /// ([`StopReason::GraphLimit`]).
    pub fn is_full(&self) -> bool {
        self.budget.full
    }

    /// Counts pages whose retries ran out, tried again at the end of the crawl.
    pub(crate) fn count_retries_exhausted(&mut self, pages: usize) {
        self.stats.retries_exhausted += pages;
    }

    /// Counts pages that succeeded on the end-of-crawl pass.
    pub(crate) fn count_recovered(&mut self, pages: usize) {
        self.stats.recovered_at_end += pages;
    }

    /// Whether the page cap cut links that would have been fetched
    /// ([`StopReason::MaxPages`]).
    pub fn page_cap_hit(&self) -> bool {
        self.budget.page_cap_hit
    }

    /// Adds a level-0 page (a seed or a sitemap URL) and returns its node. Only claimed URLs
    /// should be added: each is fetched and folded once. A node a link gave it already (a
    /// seed of a later part of a long list) is lowered to depth 0, to be fetched.
    pub fn add_seed(&mut self, url: &Url) -> NodeIndex {
        let index = self.add_root(url);
        if index != NodeIndex::end() {
            self.roots.push(index);
        }
        index
    }

    /// Adds a level-0 page listed by a sitemap, as [`add_seed`](Self::add_seed) does a
    /// seed; a level folds its sitemaps' URLs after its seeds.
    pub fn add_listed(&mut self, url: &Url) -> NodeIndex {
        let index = self.add_root(url);
        if index != NodeIndex::end() {
            self.listed.push(index);
        }
        index
    }

    fn add_root(&mut self, url: &Url) -> NodeIndex {
        self.budget.queued += 1;
        if self.sink.is_some() {
            return NodeIndex::end();
        }
        let (index, _) = self.add_at(url, 0);
        self.graph.page_mut(index).skipped = None;
        index
    }

    /// Adds a page met while folding, lowering its depth if this path is shorter: a redirect
    /// target keeps the depth of the URL that redirected, even when a longer path of the same
    /// level was folded first.
    ///
    /// Returns the node, and whether a known page was lowered.
    fn add_at(&mut self, url: &Url, depth: u32) -> (NodeIndex, bool) {
        let (index, new) = self.graph.add_page(url, depth);
        let page = self.graph.page_mut(index);
        let lowered = !new && depth < page.depth;
        if lowered {
            page.depth = depth;
            if page.skipped == Some(SkipReason::BeyondDepth) && depth <= self.max_depth {
                page.skipped = None;
            }
        }
        (index, lowered)
    }

    /// The depth to fetch frontier entry `node` at, queued at `queued`: the graph's depth for
    /// it, which a redirect folded since may have lowered; a streaming builder has only
    /// `queued`.
    pub fn depth_at(&self, node: NodeIndex, queued: u32) -> u32 {
        if self.sink.is_some() {
            queued
        } else {
            self.graph.page_at(node).depth
        }
    }

    /// The graph so far.
    pub fn graph(&self) -> &CrawlGraph {
        &self.graph
    }

    /// The counters so far (`pages_skipped` and `elapsed` are set by [`finish`](Self::finish)).
    pub fn stats(&self) -> &CrawlStats {
        &self.stats
    }

    /// Stores the outcome of frontier page `index`, fetched at `depth`, and queues in `next`
    /// each new in-scope link within the depth limit for which `claim` returns true.
    ///
    /// `claim` is asked once per such link, in document order; false means the URL is fetched
    /// elsewhere (a redirect of this level already claimed it), so it is not queued. The crawl
    /// loop passes its seen set's claim; a replay answers from what was actually fetched.
    pub fn fold(
        &mut self,
        index: NodeIndex,
        depth: u32,
        mut outcome: PageOutcome,
        mut claim: impl FnMut(&Url) -> bool,
        next: &mut Frontier,
    ) {
        if self.sink.is_some() {
            self.fold_streamed(depth, outcome, claim, next);
            return;
        }
        if outcome.blocked {
            self.graph.page_mut(index).skipped = Some(SkipReason::RobotsTxt);
            return;
        }
        self.stats.pages_fetched += 1;
        count_render(&mut self.stats, &outcome);
        let mut last = index;
        // A hop that a shorter path reached already (a link folded while the chain was
        // fetched) passes its own depth on: its target and its links count from there.
        let mut depth = depth;
        let hops = outcome.hops.len();
        for (i, hop) in outcome.hops.into_iter().enumerate() {
            let node = self.add_hop(&hop.url, depth, &mut claim, next);
            depth = depth.min(self.graph.page_at(node).depth);
            last = node;
            if self.links.check_fragments && i + 1 == hops {
                self.anchors.record(node, &hop, outcome.anchors.take());
            }
            count_hop(&mut self.stats, &hop);
            let page = self.graph.page_mut(node);
            page.status = hop.status;
            page.content_type = hop.content_type;
            page.error = hop.error;
            page.bytes = hop.bytes;
            page.fetch_time = Some(hop.elapsed);
            page.validators = hop.validators;
            page.skipped = None;
            if let Some((target, skip)) = hop.redirect {
                let target_node = self.add_hop(&target, depth, &mut claim, next);
                self.graph.add_link(node, target_node, Link::redirect());
                let target_page = self.graph.page_mut(target_node);
                if !target_page.is_fetched() && target_page.skipped.is_none() {
                    target_page.skipped = skip;
                }
            }
        }
        self.graph.page_mut(last).title = outcome.title;
        let nofollow = outcome.nofollow;
        for link in &outcome.links {
            if !self.fold_link(last, depth, link, nofollow, &mut claim, next) {
                break;
            }
        }
    }

    /// Records one link of page `source`; false once the node or edge budget is used up.
    fn fold_link(
        &mut self,
        source: NodeIndex,
        depth: u32,
        link: &FoundLink,
        nofollow: bool,
        claim: &mut impl FnMut(&Url) -> bool,
        next: &mut Frontier,
    ) -> bool {
        let budget = &self.budget;
        let edges_full = self.graph.link_count() >= budget.max_edges;
        let nodes_full = self.graph.page_count() >= budget.max_nodes;
        let cap_full = budget.max_pages.is_some_and(|max| budget.capped >= max);
        if edges_full || nodes_full || cap_full {
            // Only a link to a known page may still be recorded.
            if self.graph.index_of(&link.url).is_none() {
                if edges_full || nodes_full {
                    self.budget.full = true;
                    self.stats.links_dropped += 1;
                    return false;
                }
                if self.fetchable(&link.url, depth) {
                    // Past the page cap, with as many `max_pages` nodes recorded as the cap:
                    // more would only record every link of every page fetched.
                    self.stats.links_dropped += 1;
                    return true;
                }
            } else if edges_full {
                self.budget.full = true;
                self.stats.links_dropped += 1;
                return false;
            }
        }
        let (target, new) = self.graph.add_page(&link.url, depth + 1);
        let text = link.text.as_deref().map(|t| self.graph.intern(t));
        let rel = link.rel.as_deref().map(|r| self.graph.intern(r));
        let edge = self.graph.add_link(
            source,
            target,
            Link::new(link.kind, text, rel, nofollow).with_rendered(link.rendered),
        );
        for fragment in &link.fragments {
            let text = fragment.text.as_deref();
            self.graph.add_fragment(edge, &fragment.name, text, false);
        }
        let follows = self.links.follows(link.kind, link.rel.as_deref(), nofollow);
        if let Some(relaxing) = &mut self.relaxing {
            if follows {
                relaxing.mark_followed(target);
            }
            if !new && depth + 1 < self.graph.page_at(target).depth {
                self.lower(target, depth + 1, claim, next);
            }
        }
        // A target so far only linked by links that are not followed is fetched once a
        // followed link reaches it; its depth stays that of its first link.
        let page = self.graph.page_mut(target);
        // A redirect chain that stopped at its limit leaves its target unfetched; a followed
        // link to it fetches it as any link would, whichever was folded first.
        let upgrade = follows
            && matches!(
                page.skipped,
                Some(SkipReason::NotFollowed | SkipReason::RedirectLimit)
            );
        if !(new || upgrade) {
            return true;
        }
        let target_depth = page.depth;
        let skip = if !self.scope.allows(&link.url) {
            Some(SkipReason::OutOfScope)
        } else if target_depth > self.max_depth {
            Some(SkipReason::BeyondDepth)
        } else if !follows {
            Some(SkipReason::NotFollowed)
        } else if self
            .budget
            .max_pages
            .is_some_and(|max| self.budget.queued >= max)
        {
            self.budget.page_cap_hit = true;
            self.budget.capped += 1;
            Some(SkipReason::MaxPages)
        } else {
            // A failed claim means the URL is fetched elsewhere (a redirect of this level).
            if claim(&link.url) && next.push(target, target_depth, link.url.as_str()) {
                self.budget.queued += 1;
            }
            None
        };
        self.graph.page_mut(target).skipped = skip;
        true
    }

    /// What frontier page `index` is fetched as: when resources are checked and only embeds,
    /// stylesheets and CSS link to it so far, a [`Target::Stylesheet`] if one of those is a
    /// stylesheet link, else a [`Target::Resource`]; otherwise a page. The links of every
    /// earlier level are folded when a level starts, so this is decided on all of them; a
    /// followed link met later, from the page's own level, comes too late to change it (the
    /// URL is fetched once). A streaming builder keeps no links to decide on: a page.
    pub fn target_of(&self, index: NodeIndex) -> Target {
        if !self.links.check_resources || self.sink.is_some() {
            return Target::Page;
        }
        let mut target = Target::Page;
        let incoming = self
            .graph
            .as_petgraph()
            .edges_directed(index, petgraph::Direction::Incoming);
        for edge in incoming {
            match edge.weight().kind {
                LinkKind::Stylesheet => target = Target::Stylesheet,
                kind if kind.is_resource() && target == Target::Page => target = Target::Resource,
                kind if kind.is_resource() => {}
                _ => return Target::Page,
            }
        }
        target
    }

    /// Whether a link from `depth` to `url` would be queued for fetching, page cap aside.
    fn fetchable(&self, url: &Url, depth: u32) -> bool {
        depth < self.max_depth && self.scope.allows(url)
    }

    /// The streaming half of [`fold`](Self::fold): hands each hop of `outcome` to the sink
    /// and queues the links that the batch graph would queue, with placeholder nodes. A page
    /// robots.txt kept from being fetched is not written.
    ///
    /// Without a graph to say whether a link is new, `claim` is asked for every link that
    /// would be followed: the crawl's claim answers false for a URL met before. A redirect
    /// target that is not followed (over the redirect limit) is claimed too, as the batch
    /// graph's node for it keeps it from being fetched later.
    fn fold_streamed(
        &mut self,
        depth: u32,
        outcome: PageOutcome,
        mut claim: impl FnMut(&Url) -> bool,
        next: &mut Frontier,
    ) {
        let Some(sink) = self.sink.as_mut() else {
            return;
        };
        if outcome.blocked {
            return;
        }
        self.stats.pages_fetched += 1;
        count_render(&mut self.stats, &outcome);
        let last = outcome.hops.len().saturating_sub(1);
        for (i, hop) in outcome.hops.iter().enumerate() {
            count_hop(&mut self.stats, hop);
            let mut page = FoldedPage::new(&hop.url, depth, hop.status, hop.error.as_ref(), None);
            if let Some((target, skip)) = &hop.redirect {
                if skip.is_some() && self.scope.allows(target) {
                    claim(target);
                }
                page.links.push(FoldedLink::redirect(target));
            }
            if i == last {
                page.title = outcome.title.as_deref();
                let nofollow = outcome.nofollow;
                let links = outcome.links.iter();
                page.links
                    .extend(links.map(|link| FoldedLink::found(link, nofollow)));
            }
            sink(&page);
        }
        for link in outcome.links {
            let follows = self
                .links
                .follows(link.kind, link.rel.as_deref(), outcome.nofollow);
            if !follows || !self.fetchable(&link.url, depth) {
                continue;
            }
            let budget = &mut self.budget;
            if budget.queued >= budget.max_nodes {
                budget.full = true;
                self.stats.links_dropped += 1;
                break;
            }
            if budget.max_pages.is_some_and(|max| budget.queued >= max) {
                budget.page_cap_hit = true;
                continue;
            }
            if claim(&link.url) && next.push(NodeIndex::end(), depth + 1, link.url.as_str()) {
                budget.queued += 1;
            }
        }
    }

    /// Marks pages that will not be fetched (cut by the page cap, or cancelled).
    pub fn skip_all(&mut self, pages: impl IntoIterator<Item = NodeIndex>, reason: SkipReason) {
        if self.sink.is_some() {
            return;
        }
        for index in pages {
            let page = self.graph.page_mut(index);
            if !page.is_fetched() {
                page.skipped = Some(reason);
            }
        }
    }

    /// Ends the crawl: marks what was neither fetched nor marked, counts the skipped pages and
    /// returns the report.
    pub fn finish(
        mut self,
        stopped: StopReason,
        seeds: Vec<Url>,
        started_at: SystemTime,
        elapsed: Duration,
    ) -> CrawlReport {
        // A redirect target claimed by a task that was cancelled or cut off is the only page
        // that can end up neither fetched nor marked; mark it with the stop reason.
        let leftover = match stopped {
            StopReason::MaxPages => SkipReason::MaxPages,
            StopReason::GraphLimit => SkipReason::GraphLimit,
            _ => SkipReason::Cancelled,
        };
        for page in self.graph.pages_mut() {
            if !page.is_fetched() && page.skipped.is_none() {
                page.skipped = Some(leftover);
            }
        }
        self.stats.pages_skipped = self.graph.pages().filter(|p| p.skipped.is_some()).count();
        if self.links.check_fragments {
            self.anchors.check(&mut self.graph);
        }
        let order = order::canonical(&self.graph, &self.roots, &self.listed, self.links);
        self.graph.renumber(&order.pages, &order.sources);
        self.stats.elapsed = elapsed;
        CrawlReport {
            graph: self.graph,
            stats: self.stats,
            stopped,
            seeds,
            max_depth: self.max_depth,
            started_at,
            link_rules: Some(self.link_rules),
        }
    }
}

/// Counts in `stats` what rendering did to the page of `outcome`, if it was rendered.
fn count_render(stats: &mut CrawlStats, outcome: &PageOutcome) {
    if let Some(note) = &outcome.rendered {
        stats.count_render(note.gained, note.requests, note.bytes);
    }
}
