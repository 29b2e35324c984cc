//! The pages of one level, and level 0 made from the seeds a part at a time.
//!
//! A level is fetched and folded by [`dispatch`](crate::crawl::run::dispatch) from a compact
//! [`Frontier`]. For the levels found by crawling that frontier is the level itself.
//! Level 0 starts with the seeds, and a seed list can hold ten million URLs: claiming each and
//! giving each its node before the first request took minutes and gigabytes. So the seeds are
//! handed over [`PART`] at a time: a part's seeds are claimed and given their nodes in a
//! [`Frontier`] of their own (depth 0), the part is fetched and folded whole, then the next part
//! starts. Nothing changes for a list that fits
//! in one part; for a longer one:
//! - a seed's depth is still 0 and it is fetched by its own entry: links, redirects and
//!   sitemaps treat every seed as claimed from the start ([`WithSeeds`](crate::crawl::seeds::WithSeeds)),
//!   and a node an earlier part's link gave it is lowered to depth 0 when its part starts;
//! - the seeds of a later part come after the pages the earlier parts' links found in node
//!   order (the same in every run);
//! - when the crawl stops before a part (cancelled, page cap, graph budget), its seeds still
//!   get their nodes, marked with the reason, as every seed always did; a cancelled crawl of
//!   ten million seeds spends a few seconds on that.

use std::future::Future;
use std::ops::Range;
use std::pin::Pin;
use std::sync::Arc;

use futures::FutureExt as _;
use petgraph::graph::NodeIndex;

use crate::crawl::frontier::Frontier;
use crate::crawl::run::dispatch::{LevelEnd, Pass};
use crate::crawl::run::Run;
use crate::graph::SkipReason;

/// Seeds claimed and given their nodes at once. Fetching waits for the first part only; each
/// part's end is a short pause (its slowest page), and a look at the shutdown.
pub(crate) const PART: usize = 1 << 16;

/// The pages of one level: the seeds first at level 0, then the queued pages.
#[derive(Debug, Default)]
pub(crate) struct Level {
    /// Level 0: the seeds come first (see the module docs).
    seeds: bool,
    pages: Frontier,
}

/// How [`Run::run_parts`] ended a level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PartsEnd {
    pub(crate) end: LevelEnd,
    /// The page cap cut some of the level's pages.
    pub(crate) cut: bool,
}

impl Level {
    /// Level 0: the seeds.
    pub(crate) fn seeds() -> Self {
        Self {
            seeds: true,
            pages: Frontier::new(),
        }
    }

    /// A level of pages found by crawling.
    pub(crate) fn of_pages(pages: Frontier) -> Self {
        Self {
            seeds: false,
            pages,
        }
    }

    /// Adds a page at depth 0 after the seeds (a sitemap URL).
    pub(crate) fn push(&mut self, node: NodeIndex, url: &str) {
        self.pages.push(node, 0, url);
    }

    /// Drops everything: the pages given are marked by the caller.
    pub(crate) fn clear(&mut self) {
        *self = Self::default();
    }

    pub(crate) fn holds_seeds(&self) -> bool {
        self.seeds
    }

    /// The pages after the seeds.
    pub(crate) fn pages(&self) -> &Frontier {
        &self.pages
    }

    /// The pages after the seeds, taken.
    pub(crate) fn into_pages(self) -> Frontier {
        self.pages
    }
}

/// What is left of the page cap for a level.
#[derive(Debug)]
struct Budget {
    left: Option<usize>,
    /// The cap cut some of the level's pages.
    cut: bool,
}

impl Run {
    /// Fetches and folds `level`, the seeds a [`PART`] at a time, within `budget` pages (the
    /// page cap's remainder) if any. When a part ends the level early, the seeds and pages
    /// after it are marked with the reason.
    pub(crate) async fn run_parts(
        &mut self,
        level: Level,
        pass: Pass,
        budget: Option<usize>,
        mut shutdown: Pin<&mut impl Future<Output = ()>>,
        next: &mut Frontier,
    ) -> PartsEnd {
        let mut budget = Budget {
            left: budget,
            cut: false,
        };
        let mut end = LevelEnd::Done;
        let seeds = if level.seeds { self.seeds.len() } else { 0 };
        let mut parts = (0..seeds).step_by(PART);
        let mut unclaimed = None;
        for start in parts.by_ref() {
            if resolved(shutdown.as_mut()).await {
                end = LevelEnd::Cancelled;
                unclaimed = Some(start);
                break;
            }
            let entries = self.claim_seeds(start..seeds.min(start + PART));
            let run = self.run_some(entries, &mut budget, pass, shutdown.as_mut(), next);
            end = run.await;
            if end != LevelEnd::Done {
                unclaimed = parts.next();
                break;
            }
        }
        if end == LevelEnd::Done {
            end = self
                .run_some(level.pages, &mut budget, pass, shutdown, next)
                .await;
        } else {
            let reason = match end {
                LevelEnd::Full => SkipReason::GraphLimit,
                _ => SkipReason::Cancelled,
            };
            if let Some(start) = unclaimed {
                self.record_seeds(start, reason);
            }
            self.graph.skip_all(level.pages.nodes_from(0), reason);
        }
        PartsEnd {
            end,
            cut: budget.cut,
        }
    }

    /// Claims the seeds of `part` (places in the list) in the seen set, and gives each claimed
    /// one its node (or lowers the node an earlier link gave it to depth 0), as a [`Frontier`]
    /// at depth 0.
    pub(crate) fn claim_seeds(&mut self, part: Range<usize>) -> Frontier {
        let mut entries = Frontier::new();
        for seed in self.seeds.urls(part) {
            if self.claimed.claim(&seed) {
                entries.push(self.graph.add_seed(&seed), 0, seed.as_str());
            }
        }
        entries
    }

    /// Gives the seeds from place `start` on their nodes without fetching them, marked
    /// `reason`: the crawl stopped before their part.
    pub(crate) fn record_seeds(&mut self, start: usize, reason: SkipReason) {
        let seeds = Arc::clone(&self.seeds);
        for part in (start..seeds.len()).step_by(PART) {
            for seed in seeds.urls(part..seeds.len().min(part + PART)) {
                if self.claimed.claim(&seed) {
                    let node = self.graph.add_seed(&seed);
                    self.graph.skip_all([node], reason);
                }
            }
        }
    }

    /// Fetches and folds `entries` as one dispatch, those past the budget marked `max_pages`.
    async fn run_some(
        &mut self,
        mut entries: Frontier,
        budget: &mut Budget,
        pass: Pass,
        shutdown: Pin<&mut impl Future<Output = ()>>,
        next: &mut Frontier,
    ) -> LevelEnd {
        if let Some(left) = &mut budget.left {
            if entries.len() > *left {
                self.graph
                    .skip_all(entries.nodes_from(*left), SkipReason::MaxPages);
                entries.truncate(*left);
                budget.cut = true;
            }
            *left -= entries.len();
        }
        if entries.is_empty() {
            return LevelEnd::Done;
        }
        self.run_level(&entries, pass, shutdown, next).await
    }
}

/// Whether `shutdown` has resolved, looked at once after the runtime had a turn to run its
/// other tasks (the signal driver among them).
pub(crate) async fn resolved(shutdown: Pin<&mut impl Future<Output = ()>>) -> bool {
    tokio::task::yield_now().await;
    shutdown.now_or_never().is_some()
}
