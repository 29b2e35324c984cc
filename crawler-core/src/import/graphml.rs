//! The GraphML reader (the inverse of [`crate::export::graphml`]), on roxmltree.
//!
//! Node ids are looked up as written (`n0`, `n1`, ... by our exporter, anything unique from
//! another tool); the `url` data is the page's URL. Page errors are stored as their display
//! text and parsed back by [`parse_error`]; a text it does not know becomes
//! [`PageError::Request`] with the text as detail, still broken.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use roxmltree::{Document, Node};

use super::{add_fragments, parse_url, Fragment, ImportError, Meta};
use crate::error::PageError;
use crate::graph::report::{CrawlStats, StopReason};
use crate::graph::{CrawlGraph, Link, SkipReason, Validators};

const NS: &str = "http://graphml.graphdrawing.org/xmlns";

/// The `<data>` children of `node`, by key.
fn data<'a>(node: Node<'a, '_>) -> HashMap<&'a str, &'a str> {
    node.children()
        .filter(|c| c.has_tag_name((NS, "data")))
        .filter_map(|c| Some((c.attribute("key")?, c.text().unwrap_or_default())))
        .collect()
}

fn number<T: std::str::FromStr>(
    map: &HashMap<&str, &str>,
    key: &str,
) -> Result<Option<T>, ImportError> {
    map.get(key)
        .map(|v| {
            v.trim()
                .parse()
                .map_err(|_| ImportError::Invalid(format!("bad {key} `{v}`")))
        })
        .transpose()
}

/// Reads a GraphML export.
///
/// # Errors
/// [`ImportError::Xml`] for malformed XML, [`ImportError::Invalid`] when there is no graph,
/// a node lacks its `url`, or an edge names an unknown node.
pub fn read_graphml(data_bytes: &[u8]) -> Result<crate::CrawlReport, ImportError> {
    let text = std::str::from_utf8(data_bytes)
        .map_err(|e| ImportError::Invalid(format!("GraphML is not UTF-8: {e}")))?;
    let doc = Document::parse(text)?;
    let graph_node = doc
        .descendants()
        .find(|n| n.has_tag_name((NS, "graph")))
        .ok_or_else(|| ImportError::Invalid("no <graph> element".into()))?;
    let mut graph = CrawlGraph::new();
    let mut ids = HashMap::new();
    for node in graph_node
        .children()
        .filter(|n| n.has_tag_name((NS, "node")))
    {
        let d = data(node);
        let id = node.attribute("id").unwrap_or_default();
        let url = parse_url(
            d.get("url")
                .copied()
                .ok_or_else(|| ImportError::Invalid(format!("node `{id}` has no url")))?,
        )?;
        let (index, _) = graph.add_page(&url, number(&d, "depth")?.unwrap_or(0));
        ids.insert(id, index);
        let page = graph.page_mut(index);
        page.status = number(&d, "status")?;
        page.content_type = d.get("content_type").map(|s| (*s).to_owned());
        page.error = d.get("error").map(|e| parse_error(e));
        page.skipped = d.get("state").and_then(|s| skip_reason(s));
        page.title = d.get("title").map(|s| (*s).to_owned());
        page.bytes = number(&d, "bytes")?.unwrap_or(0);
        page.fetch_time = number::<f64>(&d, "fetch_ms")?
            .and_then(|ms| Duration::try_from_secs_f64(ms / 1000.0).ok());
        let text = |key| d.get(key).map(|s: &&str| (*s).to_owned());
        page.validators = Validators::new(text("etag"), text("last_modified"));
    }
    for edge in graph_node
        .children()
        .filter(|n| n.has_tag_name((NS, "edge")))
    {
        let end = |attr: &str| {
            let id = edge.attribute(attr).unwrap_or_default();
            ids.get(id)
                .copied()
                .ok_or_else(|| ImportError::Invalid(format!("edge to unknown node `{id}`")))
        };
        let (source, target) = (end("source")?, end("target")?);
        let d = data(edge);
        let link = if d.get("kind") == Some(&"redirect") {
            Link::redirect()
        } else {
            let text = d.get("text").map(|t| graph.intern(t));
            let rel = d.get("rel").map(|r| graph.intern(r));
            let kind = d
                .get("kind")
                .and_then(|k| k.parse().ok())
                .unwrap_or(crate::LinkKind::Anchor);
            Link::new(kind, text, rel, d.get("nofollow") == Some(&"true"))
                .with_rendered(d.get("rendered") == Some(&"true"))
        };
        let index = graph.add_link(source, target, link);
        if let Some(list) = d.get("fragments") {
            let list: Vec<Fragment> = serde_json::from_str(list)
                .map_err(|err| ImportError::Invalid(format!("edge fragments: {err}")))?;
            add_fragments(&mut graph, index, &list);
        }
    }
    let meta = data(graph_node);
    let seeds = match meta.get("seeds") {
        Some(seeds) => seeds
            .lines()
            .filter(|l| !l.is_empty())
            .map(parse_url)
            .collect::<Result<_, _>>()?,
        None => graph
            .pages()
            .filter(|p| p.depth == 0)
            .map(|p| p.url.clone())
            .collect(),
    };
    let stopped = match meta.get("stopped").copied() {
        Some("max_pages") => StopReason::MaxPages,
        Some("cancelled") => StopReason::Cancelled,
        _ => StopReason::Completed,
    };
    let max_depth = match number(&meta, "max_depth")? {
        Some(depth) => depth,
        None => graph.pages().map(|p| p.depth).max().unwrap_or(0),
    };
    let stats = CrawlStats {
        links_dropped: number(&meta, "links_dropped")?.unwrap_or(0),
        ..CrawlStats::default()
    };
    let meta = Meta {
        seeds,
        max_depth,
        stopped,
        started_at: SystemTime::UNIX_EPOCH,
        stats,
        link_rules: meta.get("link_rules").map(|s| (*s).to_owned()),
    };
    Ok(meta.into_report(graph))
}

/// The skip reason named by a page state, if it is one. Read through serde, whose names are the
/// states the exports write (`SkipReason::as_str`, pinned by a test in `outcome`), so a new
/// reason needs no second list here.
fn skip_reason(state: &str) -> Option<SkipReason> {
    use serde::de::{value::StrDeserializer, Deserialize as _};
    SkipReason::deserialize(StrDeserializer::<serde::de::value::Error>::new(state)).ok()
}

/// The [`PageError`] whose display text is `text`.
pub(crate) fn parse_error(text: &str) -> PageError {
    let between = |prefix: &str, suffix: &str| {
        text.strip_prefix(prefix)
            .and_then(|t| t.strip_suffix(suffix))
    };
    let detail = |prefix: &str| text.strip_prefix(prefix).map(str::to_owned);
    if let Some(status) = text.strip_prefix("HTTP ").and_then(|s| s.parse().ok()) {
        return PageError::HttpStatus { status };
    }
    if let Some(limit) = between("more than ", " redirects").and_then(|s| s.parse().ok()) {
        return PageError::TooManyRedirects { limit };
    }
    if let Some(limit) = between("body larger than ", " bytes").and_then(|s| s.parse().ok()) {
        return PageError::BodyTooLarge { limit };
    }
    if let Some(location) = between("bad redirect location `", "`") {
        return PageError::BadRedirect {
            location: location.to_owned(),
        };
    }
    match text {
        "timed out" => return PageError::Timeout,
        "redirect loop" => return PageError::RedirectLoop,
        "304 Not Modified to an unconditional request" => {
            return PageError::UnexpectedNotModified;
        }
        _ => {}
    }
    if let Some(detail) = detail("connection failed: ") {
        PageError::Connect { detail }
    } else if let Some(detail) = detail("TLS failed: ") {
        PageError::Tls { detail }
    } else if let Some(detail) = detail("body read failed: ") {
        PageError::Body { detail }
    } else if let Some(detail) = detail("blocked: ") {
        PageError::Blocked { detail }
    } else if let Some(detail) = detail("internal error: ") {
        PageError::Internal { detail }
    } else {
        PageError::Request {
            detail: detail("request failed: ").unwrap_or_else(|| text.to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{graphml::write_graphml, sample};

    #[test]
    fn every_error_parses_back_from_its_text() {
        let d = || "x: y".to_owned();
        for error in [
            PageError::HttpStatus { status: 404 },
            PageError::Timeout,
            PageError::Connect { detail: d() },
            PageError::Tls { detail: d() },
            PageError::Body { detail: d() },
            PageError::Request { detail: d() },
            PageError::TooManyRedirects { limit: 5 },
            PageError::RedirectLoop,
            PageError::BadRedirect {
                location: "ftp://x".into(),
            },
            PageError::BodyTooLarge { limit: 10 },
            PageError::Blocked { detail: d() },
            PageError::Internal { detail: d() },
            PageError::UnexpectedNotModified,
        ] {
            assert_eq!(parse_error(&error.to_string()), error);
        }
    }

    #[test]
    fn round_trips_the_graphml_export() {
        let original = sample::report();
        let mut out = Vec::new();
        write_graphml(&original, &mut out).unwrap();
        let back = read_graphml(&out).unwrap();
        assert_eq!(back.seeds, original.seeds);
        assert_eq!(back.max_depth, original.max_depth);
        assert_eq!(back.graph.page_count(), original.graph.page_count());
        let mut again = Vec::new();
        write_graphml(&back, &mut again).unwrap();
        // The title's control character is dropped by the first export; after that the
        // format is stable.
        assert_eq!(
            String::from_utf8(again).unwrap(),
            String::from_utf8(out).unwrap()
        );
        let missing = back.graph.pages().nth(2).unwrap();
        assert_eq!(missing.error, Some(PageError::HttpStatus { status: 404 }));
        assert_eq!(
            back.graph.pages().nth(4).unwrap().skipped,
            Some(SkipReason::OutOfScope)
        );
    }
}
