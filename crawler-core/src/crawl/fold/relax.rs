//! Depths corrected as pages arrive: the label-correcting half of a crawl without levels.
//!
//! A crawl that folds each page as its answer arrives may meet a page by a longer path first.
//! A page's depth is the length of its shortest path from a seed (a redirect adds nothing), so
//! when a shorter path turns up the page's depth is lowered, and with it the depths of the
//! pages its own edges reach, as far as they get shorter. Fetching a page met at a depth
//! within the limit is never wrong (its true depth can only be smaller); a page met beyond the
//! limit is left unfetched until a shorter path brings it within, and is claimed and queued
//! then, if a followed link reaches it. So the crawl fetches exactly the pages a
//! level-by-level crawl fetches, and ends with the same depths.

use petgraph::graph::NodeIndex;
use url::Url;

use super::GraphBuilder;
use crate::crawl::frontier::Frontier;
use crate::graph::{LinkKind, SkipReason};

/// What a relaxing builder keeps beside the graph.
#[derive(Debug, Default)]
pub(super) struct Relaxing {
    /// Pages a followed link reaches, by node: a page beyond the depth limit is fetched when a
    /// shorter path brings it within only if one does.
    followed: Vec<bool>,
    /// Pages whose depth is being lowered, with their new depth (kept to spare allocations).
    stack: Vec<(NodeIndex, u32)>,
}

impl Relaxing {
    /// A followed link reaches `node`.
    pub(super) fn mark_followed(&mut self, node: NodeIndex) {
        if self.followed.len() <= node.index() {
            self.followed.resize(node.index() + 1, false);
        }
        self.followed[node.index()] = true;
    }

    fn is_followed(&self, node: NodeIndex) -> bool {
        self.followed.get(node.index()).copied().unwrap_or(false)
    }
}

impl GraphBuilder {
    /// Adds a hop of a redirect chain (or a redirect's target) at `depth`: as `add_at`, and
    /// when relaxing, the depths of what an earlier fold reached from it are lowered too.
    pub(super) fn add_hop(
        &mut self,
        url: &Url,
        depth: u32,
        claim: &mut impl FnMut(&Url) -> bool,
        next: &mut Frontier,
    ) -> NodeIndex {
        // The chain fetches the hop itself, or its fold says why not: no claim for it.
        let (index, lowered) = self.add_at(url, depth);
        if lowered {
            self.lower_reached(index, depth, claim, next);
        }
        index
    }

    /// Lowers `node`'s depth to `depth` if that is smaller, and the depths of the pages its
    /// edges reach. A page brought within the depth limit is claimed and queued in `next` if
    /// a followed link reaches it, or marked not followed.
    pub(super) fn lower(
        &mut self,
        node: NodeIndex,
        depth: u32,
        claim: &mut impl FnMut(&Url) -> bool,
        next: &mut Frontier,
    ) {
        let Some(relaxing) = &mut self.relaxing else {
            return;
        };
        relaxing.stack.push((node, depth));
        self.drain(claim, next);
    }

    /// Lowers the pages `node`'s edges reach, from `depth`, `node`'s own new depth.
    fn lower_reached(
        &mut self,
        node: NodeIndex,
        depth: u32,
        claim: &mut impl FnMut(&Url) -> bool,
        next: &mut Frontier,
    ) {
        let Some(relaxing) = &mut self.relaxing else {
            return;
        };
        push_reached(&mut relaxing.stack, &self.graph, node, depth);
        self.drain(claim, next);
    }

    /// Lowers every page on the stack, and what it reaches.
    fn drain(&mut self, claim: &mut impl FnMut(&Url) -> bool, next: &mut Frontier) {
        let Some(mut relaxing) = self.relaxing.take() else {
            return;
        };
        while let Some((node, depth)) = relaxing.stack.pop() {
            let page = self.graph.page_mut(node);
            if depth >= page.depth {
                continue;
            }
            page.depth = depth;
            if page.skipped == Some(SkipReason::BeyondDepth) && depth <= self.max_depth {
                if relaxing.is_followed(node) {
                    page.skipped = None;
                    let url = page.url.clone();
                    if claim(&url) && next.push(node, depth, url.as_str()) {
                        self.budget.queued += 1;
                    }
                } else {
                    page.skipped = Some(SkipReason::NotFollowed);
                }
            }
            push_reached(&mut relaxing.stack, &self.graph, node, depth);
        }
        self.relaxing = Some(relaxing);
    }
}

/// Pushes the pages `node`'s edges reach with the depth they get through it.
fn push_reached(
    stack: &mut Vec<(NodeIndex, u32)>,
    graph: &crate::graph::CrawlGraph,
    node: NodeIndex,
    depth: u32,
) {
    for (_, target, link) in graph.out_links(node) {
        let step = u32::from(link.kind != LinkKind::Redirect);
        if depth + step < graph.page_at(target).depth {
            stack.push((target, depth + step));
        }
    }
}
