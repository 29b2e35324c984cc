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

use crate::config::CrawlConfig;
use crate::graph::{CrawlGraph, Link, SkipReason};
use crate::outcome::PageOutcome;
use crate::report::{CrawlReport, CrawlStats, StopReason};
use crate::scope::SeedScope;
use crate::stream::FoldSink;

/// The graph and counters of one crawl, fed one page outcome at a time.
///
/// A streaming builder ([`streaming`](Self::streaming)) hands each folded page to its sink
/// instead of keeping it: its graph stays empty and its frontier indices are placeholders.
pub struct GraphBuilder {
    graph: CrawlGraph,
    stats: CrawlStats,
    scope: SeedScope,
    max_depth: u32,
    sink: Option<FoldSink>,
}

impl std::fmt::Debug for GraphBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphBuilder")
            .field("graph", &self.graph)
            .field("stats", &self.stats)
            .field("scope", &self.scope)
            .field("max_depth", &self.max_depth)
            .field("streaming", &self.sink.is_some())
            .finish()
    }
}

impl GraphBuilder {
    /// An empty graph for a crawl with `config`'s depth limit and the seeds' `scope`.
    pub fn new(config: &CrawlConfig, scope: SeedScope) -> Self {
        Self {
            graph: CrawlGraph::new(),
            stats: CrawlStats::default(),
            scope,
            max_depth: config.max_depth,
            sink: None,
        }
    }

    /// A builder that hands each folded page to `sink` (see [`crate::stream`]) and keeps no
    /// graph: what it [`finish`](Self::finish)es with is an empty graph and the counters.
    pub fn streaming(config: &CrawlConfig, scope: SeedScope, sink: FoldSink) -> Self {
        Self {
            sink: Some(sink),
            ..Self::new(config, scope)
        }
    }

    /// Adds a level-0 page (a seed or a sitemap URL) and returns its node. Only claimed URLs
    /// should be added: each is fetched and folded once.
    pub fn add_seed(&mut self, url: &Url) -> NodeIndex {
        if self.sink.is_some() {
            return NodeIndex::end();
        }
        self.graph.add_page(url, 0).0
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
        outcome: PageOutcome,
        mut claim: impl FnMut(&Url) -> bool,
        next: &mut Vec<(NodeIndex, Url)>,
    ) {
        if let Some(sink) = &mut self.sink {
            crate::stream::fold(
                sink,
                &mut self.stats,
                (&self.scope, self.max_depth),
                depth,
                outcome,
                claim,
                next,
            );
            return;
        }
        if outcome.blocked {
            self.graph.page_mut(index).skipped = Some(SkipReason::RobotsTxt);
            return;
        }
        self.stats.pages_fetched += 1;
        let mut last = index;
        for hop in outcome.hops {
            let (node, _) = self.graph.add_page(&hop.url, depth);
            last = node;
            self.stats.requests += 1;
            self.stats.bytes += hop.bytes;
            self.stats.pages_failed += usize::from(hop.error.is_some());
            let page = self.graph.page_mut(node);
            page.status = hop.status;
            page.content_type = hop.content_type;
            page.error = hop.error;
            page.bytes = hop.bytes;
            page.fetch_time = Some(hop.elapsed);
            page.skipped = None;
            if let Some((target, skip)) = hop.redirect {
                let (target_node, _) = self.graph.add_page(&target, depth);
                self.graph.add_link(node, target_node, Link::redirect());
                let target_page = self.graph.page_mut(target_node);
                if !target_page.is_fetched() && target_page.skipped.is_none() {
                    target_page.skipped = skip;
                }
            }
        }
        self.graph.page_mut(last).title = outcome.title;
        for link in outcome.links {
            let (target, new) = self.graph.add_page(&link.url, depth + 1);
            let text = link.text.as_deref().map(|t| self.graph.intern(t));
            let rel = link.rel.as_deref().map(|r| self.graph.intern(r));
            self.graph.add_link(last, target, Link::anchor(text, rel));
            if !new {
                continue;
            }
            let skip = if !self.scope.allows(&link.url) {
                Some(SkipReason::OutOfScope)
            } else if depth + 1 > self.max_depth {
                Some(SkipReason::BeyondDepth)
            } else {
                // A failed claim means a redirect in this level already fetches it.
                if claim(&link.url) {
                    next.push((target, link.url));
                }
                None
            };
            self.graph.page_mut(target).skipped = skip;
        }
    }

    /// Marks pages that will not be fetched (cut by the page cap, or cancelled).
    pub fn skip_all(&mut self, pages: &[(NodeIndex, Url)], reason: SkipReason) {
        if self.sink.is_some() {
            return;
        }
        for (index, _) in pages {
            let page = self.graph.page_mut(*index);
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
        let leftover = if stopped == StopReason::MaxPages {
            SkipReason::MaxPages
        } else {
            SkipReason::Cancelled
        };
        for page in self.graph.pages_mut() {
            if !page.is_fetched() && page.skipped.is_none() {
                page.skipped = Some(leftover);
            }
        }
        self.stats.pages_skipped = self.graph.pages().filter(|p| p.skipped.is_some()).count();
        self.stats.elapsed = elapsed;
        CrawlReport {
            graph: self.graph,
            stats: self.stats,
            stopped,
            seeds,
            max_depth: self.max_depth,
            started_at,
        }
    }
}
