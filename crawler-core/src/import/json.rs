//! The node-link JSON reader (the inverse of [`crate::export::json`]).

use std::time::{Duration, SystemTime};

use serde::Deserialize;

use super::{add_fragments, parse_url, Fragment, ImportError, Meta};
use crate::error::PageError;
use crate::graph::report::{CrawlStats, StopReason};
use crate::graph::{CrawlGraph, Link, LinkKind, SkipReason, Validators};

#[derive(Deserialize)]
struct Document {
    #[serde(default)]
    graph: GraphMeta,
    nodes: Vec<Node>,
    links: Vec<Edge>,
}

#[derive(Deserialize, Default)]
struct GraphMeta {
    #[serde(default)]
    seeds: Vec<String>,
    #[serde(default)]
    max_depth: u32,
    started: Option<String>,
    stopped: Option<StopReason>,
    #[serde(default)]
    stats: Stats,
    link_rules: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Stats {
    requests: usize,
    pages_fetched: usize,
    pages_failed: usize,
    pages_skipped: usize,
    bytes: u64,
    elapsed: f64,
    links_dropped: usize,
    retries_exhausted: usize,
    recovered_at_end: usize,
    revalidated: usize,
    changed: usize,
    new_pages: usize,
    pages_rendered: usize,
    pages_render_gained: usize,
    render_requests: usize,
}

#[derive(Deserialize)]
struct Node {
    id: String,
    #[serde(default)]
    depth: u32,
    status: Option<u16>,
    content_type: Option<String>,
    error: Option<PageError>,
    skipped: Option<SkipReason>,
    title: Option<String>,
    #[serde(default)]
    bytes: u64,
    /// Milliseconds.
    fetch_time: Option<f64>,
    etag: Option<String>,
    last_modified: Option<String>,
}

#[derive(Deserialize)]
struct Edge {
    source: String,
    target: String,
    kind: LinkKind,
    text: Option<String>,
    rel: Option<String>,
    #[serde(default)]
    nofollow: bool,
    #[serde(default)]
    fragments: Vec<Fragment>,
    #[serde(default)]
    rendered: bool,
}

/// Reads a node-link JSON export.
///
/// # Errors
/// [`ImportError::Json`] for malformed JSON or missing fields, [`ImportError::Invalid`] for
/// bad URLs or links to unknown nodes.
pub fn read_json(data: &[u8]) -> Result<crate::CrawlReport, ImportError> {
    let doc: Document = serde_json::from_slice(data)?;
    let mut graph = CrawlGraph::new();
    for node in doc.nodes {
        let url = parse_url(&node.id)?;
        let (index, new) = graph.add_page(&url, node.depth);
        if !new {
            return Err(ImportError::Invalid(format!("node `{url}` appears twice")));
        }
        let page = graph.page_mut(index);
        page.status = node.status;
        page.content_type = node.content_type;
        page.error = node.error;
        page.skipped = node.skipped;
        page.title = node.title;
        page.bytes = node.bytes;
        page.fetch_time = node
            .fetch_time
            .and_then(|ms| Duration::try_from_secs_f64(ms / 1000.0).ok());
        page.validators = Validators::new(node.etag, node.last_modified);
    }
    for edge in doc.links {
        let find = |id: &str| {
            parse_url(id)
                .ok()
                .and_then(|u| graph.index_of(&u))
                .ok_or_else(|| ImportError::Invalid(format!("link to unknown node `{id}`")))
        };
        let (source, target) = (find(&edge.source)?, find(&edge.target)?);
        let link = match edge.kind {
            LinkKind::Redirect => Link::redirect(),
            kind => {
                let text = edge.text.as_deref().map(|t| graph.intern(t));
                let rel = edge.rel.as_deref().map(|r| graph.intern(r));
                Link::new(kind, text, rel, edge.nofollow).with_rendered(edge.rendered)
            }
        };
        let index = graph.add_link(source, target, link);
        add_fragments(&mut graph, index, &edge.fragments);
    }
    let meta = doc.graph;
    let stats = CrawlStats {
        requests: meta.stats.requests,
        pages_fetched: meta.stats.pages_fetched,
        pages_failed: meta.stats.pages_failed,
        pages_skipped: meta.stats.pages_skipped,
        bytes: meta.stats.bytes,
        elapsed: Duration::try_from_secs_f64(meta.stats.elapsed).unwrap_or_default(),
        links_dropped: meta.stats.links_dropped,
        retries_exhausted: meta.stats.retries_exhausted,
        recovered_at_end: meta.stats.recovered_at_end,
        revalidated: meta.stats.revalidated,
        changed: meta.stats.changed,
        new_pages: meta.stats.new_pages,
        pages_rendered: meta.stats.pages_rendered,
        pages_render_gained: meta.stats.pages_render_gained,
        render_requests: meta.stats.render_requests,
    };
    let meta = Meta {
        seeds: meta
            .seeds
            .iter()
            .map(|s| parse_url(s))
            .collect::<Result<_, _>>()?,
        max_depth: meta.max_depth,
        stopped: meta.stopped.unwrap_or(StopReason::Completed),
        started_at: meta
            .started
            .and_then(|s| humantime::parse_rfc3339_weak(&s).ok())
            .unwrap_or(SystemTime::UNIX_EPOCH),
        stats,
        link_rules: meta.link_rules,
    };
    Ok(meta.into_report(graph))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{json::write_json, sample};

    #[test]
    fn round_trips_the_json_export() {
        let original = sample::report();
        let mut out = Vec::new();
        write_json(&original, &mut out).unwrap();
        let back = read_json(&out).unwrap();
        assert_eq!(back.seeds, original.seeds);
        assert_eq!(back.max_depth, original.max_depth);
        let pages: Vec<_> = original.graph.pages().cloned().collect();
        let again: Vec<_> = back.graph.pages().cloned().collect();
        assert_eq!(again, pages);
        let links = |r: &crate::CrawlReport| -> Vec<_> {
            r.graph
                .links()
                .map(|(s, t, l)| {
                    (
                        s.url.to_string(),
                        t.url.to_string(),
                        l.kind,
                        r.graph.link_text(l).map(str::to_owned),
                        r.graph.link_rel(l).map(str::to_owned),
                    )
                })
                .collect()
        };
        assert_eq!(links(&back), links(&original));
        let mut again = Vec::new();
        write_json(&back, &mut again).unwrap();
        assert_eq!(again, out, "export -> import -> export is the identity");
    }

    #[test]
    fn rejects_links_to_unknown_nodes() {
        let doc = br#"{"nodes":[{"id":"http://a.test/"}],"links":[{"source":"http://a.test/","target":"http://b.test/","kind":"anchor"}]}"#;
        let err = read_json(doc).unwrap_err();
        assert!(
            err.to_string().contains("unknown node `http://b.test/`"),
            "{err}"
        );
        assert!(matches!(
            read_json(b"{\"nodes\":3}"),
            Err(ImportError::Json(_))
        ));
    }
}
