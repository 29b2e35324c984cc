//! What changed between two crawls of a site: pages and links added and removed, status
//! changes (200 -> 404), links that newly point at broken pages, and depth changes.
//!
//! Pages are matched by URL, exactly as normalised by the crawler, so both crawls must reach
//! the site under the same scheme, host and port. A page counts as *newly broken* when it is
//! broken in the new crawl and was absent or not broken in the old one; its referrers are the
//! new crawl's, which is what a CI job on a docs site wants to fail on. A broken fragment
//! (`check_fragments`) is *new* when the old crawl had no broken fragment of the same name
//! from the same page to the same target.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::graph::report::CrawlReport;
use crate::graph::state::page_state;
use crate::graph::{CrawlGraph, Page};

use super::broken::{referrers, BrokenFragment, BrokenTarget};
use super::{PageRef, SCHEMA_VERSION};

/// The differences between an old and a new crawl. Lists are in the new (for additions) or
/// old (for removals) crawl's discovery order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct GraphDiff {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Pages only in the new crawl.
    pub pages_added: Vec<PageRef>,
    /// Pages only in the old crawl.
    pub pages_removed: Vec<PageRef>,
    /// Links only in the new crawl.
    pub links_added: Vec<LinkChange>,
    /// Links only in the old crawl.
    pub links_removed: Vec<LinkChange>,
    /// Pages in both whose state or HTTP status differs.
    pub status_changes: Vec<StatusChange>,
    /// Pages broken in the new crawl that were absent or not broken in the old one, with
    /// every referrer in the new crawl.
    pub new_broken: Vec<BrokenTarget>,
    /// Pages broken in the old crawl that are present and not broken in the new one.
    pub fixed: Vec<PageRef>,
    /// Broken fragments of the new crawl that the old one did not have.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub new_broken_fragments: Vec<BrokenFragment>,
    /// Pages in both whose click depth differs.
    pub depth_changes: Vec<DepthChange>,
}

/// A link, by its end points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LinkChange {
    /// The linking page.
    pub source: String,
    /// The linked page.
    pub target: String,
}

/// A page whose state or status changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StatusChange {
    /// The URL.
    pub url: String,
    /// State in the old crawl.
    pub old_state: &'static str,
    /// State in the new crawl.
    pub new_state: &'static str,
    /// HTTP status in the old crawl.
    pub old_status: Option<u16>,
    /// HTTP status in the new crawl.
    pub new_status: Option<u16>,
}

/// A page whose click depth changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DepthChange {
    /// The URL.
    pub url: String,
    /// Depth in the old crawl.
    pub old_depth: u32,
    /// Depth in the new crawl.
    pub new_depth: u32,
}

impl GraphDiff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.pages_added.is_empty()
            && self.pages_removed.is_empty()
            && self.links_added.is_empty()
            && self.links_removed.is_empty()
            && self.status_changes.is_empty()
            && self.new_broken.is_empty()
            && self.fixed.is_empty()
            && self.new_broken_fragments.is_empty()
            && self.depth_changes.is_empty()
    }
}

/// The broken fragments of `new` that `old` did not have, by (linking page, target with
/// fragment).
fn new_broken_fragments(old: &CrawlGraph, new: &CrawlGraph) -> Vec<BrokenFragment> {
    let before = BrokenFragment::of(old);
    let known: HashSet<(&str, &str)> = before
        .iter()
        .map(|f| (f.referrer.url.as_str(), f.url.as_str()))
        .collect();
    let mut now = BrokenFragment::of(new);
    now.retain(|f| !known.contains(&(f.referrer.url.as_str(), f.url.as_str())));
    now
}

fn by_url(graph: &CrawlGraph) -> HashMap<&str, &Page> {
    graph.pages().map(|p| (p.url.as_str(), p)).collect()
}

fn link_set(graph: &CrawlGraph) -> HashSet<(&str, &str)> {
    graph
        .links()
        .map(|(s, t, _)| (s.url.as_str(), t.url.as_str()))
        .collect()
}

/// Links of `graph` missing from `other`, in `graph`'s order, each once.
fn links_missing(graph: &CrawlGraph, other: &HashSet<(&str, &str)>) -> Vec<LinkChange> {
    let mut seen = HashSet::new();
    graph
        .links()
        .map(|(s, t, _)| (s.url.as_str(), t.url.as_str()))
        .filter(|pair| !other.contains(pair) && seen.insert(*pair))
        .map(|(source, target)| LinkChange {
            source: source.to_owned(),
            target: target.to_owned(),
        })
        .collect()
}

/// Compares `old` with `new`. Linear in pages and links of both.
pub fn diff(old: &CrawlReport, new: &CrawlReport) -> GraphDiff {
    let old_pages = by_url(&old.graph);
    let new_pages = by_url(&new.graph);
    let mut out = GraphDiff {
        schema_version: SCHEMA_VERSION,
        pages_added: Vec::new(),
        pages_removed: Vec::new(),
        links_added: links_missing(&new.graph, &link_set(&old.graph)),
        links_removed: links_missing(&old.graph, &link_set(&new.graph)),
        status_changes: Vec::new(),
        new_broken: Vec::new(),
        fixed: Vec::new(),
        new_broken_fragments: new_broken_fragments(&old.graph, &new.graph),
        depth_changes: Vec::new(),
    };
    for page in old.graph.pages() {
        match new_pages.get(page.url.as_str()) {
            None => out.pages_removed.push(PageRef::of(page)),
            Some(now) if page.is_broken() && !now.is_broken() => {
                out.fixed.push(PageRef::of(now));
            }
            Some(_) => {}
        }
    }
    for (index, page) in new.graph.indexed_pages() {
        let before = old_pages.get(page.url.as_str());
        if page.is_broken() && !before.is_some_and(|b| b.is_broken()) {
            out.new_broken.push(BrokenTarget {
                page: PageRef::of(page),
                referrers: referrers(&new.graph, index),
            });
        }
        let Some(before) = before else {
            out.pages_added.push(PageRef::of(page));
            continue;
        };
        let (old_state, new_state) = (page_state(before), page_state(page));
        if old_state != new_state || before.status != page.status {
            out.status_changes.push(StatusChange {
                url: page.url.to_string(),
                old_state,
                new_state,
                old_status: before.status,
                new_status: page.status,
            });
        }
        if before.depth != page.depth {
            out.depth_changes.push(DepthChange {
                url: page.url.to_string(),
                old_depth: before.depth,
                new_depth: page.depth,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testgraph::TestGraph;

    /// home -> a -> b, home -> c.
    fn old() -> CrawlReport {
        let mut t = TestGraph::default();
        let home = t.html("home", 0);
        let a = t.html("a", 1);
        let b = t.html("b", 2);
        let c = t.html("c", 1);
        t.link(home, a, "A");
        t.link(a, b, "B");
        t.link(home, c, "C");
        t.report(&["home"])
    }

    /// a now 404 (so b is gone), home links b directly and a new page d; c unchanged.
    fn new() -> CrawlReport {
        let mut t = TestGraph::default();
        let home = t.html("home", 0);
        let a = t.status("a", 1, 404);
        let c = t.html("c", 1);
        let d = t.html("d", 1);
        t.link(home, a, "A");
        t.link(home, c, "C");
        t.link(home, d, "D");
        t.link(c, a, "old A");
        t.report(&["home"])
    }

    #[test]
    fn pages_links_statuses_and_new_broken() {
        let d = diff(&old(), &new());
        let urls = |v: &[PageRef]| -> Vec<String> {
            v.iter()
                .map(|p| p.url.replace("http://t.test/", ""))
                .collect()
        };
        assert_eq!(urls(&d.pages_added), ["d"]);
        assert_eq!(urls(&d.pages_removed), ["b"]);
        let pairs = |v: &[LinkChange]| -> Vec<String> {
            v.iter()
                .map(|l| format!("{}>{}", l.source, l.target).replace("http://t.test/", ""))
                .collect()
        };
        assert_eq!(pairs(&d.links_added), ["home>d", "c>a"]);
        assert_eq!(pairs(&d.links_removed), ["a>b"]);
        assert_eq!(d.status_changes.len(), 1);
        let change = &d.status_changes[0];
        assert_eq!(
            (change.old_status, change.new_status),
            (Some(200), Some(404))
        );
        assert_eq!((change.old_state, change.new_state), ("ok", "error"));
        assert_eq!(d.new_broken.len(), 1);
        let referrers: Vec<_> = d.new_broken[0]
            .referrers
            .iter()
            .map(|r| r.text.as_deref().unwrap())
            .collect();
        assert_eq!(referrers, ["A", "old A"]);
        assert!(d.fixed.is_empty());
        assert!(d.depth_changes.is_empty());
        assert!(!d.is_empty());
    }

    #[test]
    fn reversed_diff_reports_the_fix_and_identity_is_empty() {
        let back = diff(&new(), &old());
        assert_eq!(back.fixed.len(), 1);
        assert!(back.new_broken.is_empty());
        assert!(diff(&old(), &old()).is_empty());
    }

    #[test]
    fn depth_changes() {
        let mut t = TestGraph::default();
        let home = t.html("home", 0);
        let a = t.html("a", 1);
        let b = t.html("b", 1);
        t.link(home, a, "A");
        t.link(home, b, "B");
        t.link(a, b, "B");
        let shorter = t.report(&["home"]);
        let d = diff(&old(), &shorter);
        assert_eq!(d.depth_changes.len(), 1);
        assert_eq!(d.depth_changes[0].url, "http://t.test/b");
        assert_eq!(
            (d.depth_changes[0].old_depth, d.depth_changes[0].new_depth),
            (2, 1)
        );
    }
}
