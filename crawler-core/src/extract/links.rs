//! Which tag and attribute pairs are links, and of what kind: the one table both extraction
//! paths use, so the tokenizer and the DOM can never disagree about it.
//!
//! | kind | tags and attributes |
//! | --- | --- |
//! | `anchor` | `a[href]`, `area[href]` |
//! | `embed` | `img[src, srcset]`, `script[src]`, `iframe[src]`, `frame[src]`, `embed[src]`, `object[data]`, `source[src, srcset]`, `track[src]`, `video[src, poster]`, `audio[src]`, `input[type=image][src]` |
//! | `stylesheet` | `link[rel~=stylesheet][href]` |
//! | `canonical` | `link[rel~=canonical][href]` |
//! | `alternate` | `link[rel~=alternate][href]` (its `hreflang` is kept as the edge's text) |
//! | `icon` | `link[rel~=icon][href]` (also `apple-touch-icon`, `mask-icon`) |
//! | `manifest` | `link[rel~=manifest][href]` |
//! | `preload` | `link[rel~=preload, modulepreload, prefetch, prerender][href]` |
//! | `link` | any other `link[href]`; `preconnect` and `dns-prefetch` name an origin, not a resource, and are skipped |
//! | `refresh` | `meta[http-equiv=refresh][content]` (the URL part) |
//! | `css` | `url()` and `@import` in `style` attributes and `<style>` elements |
//!
//! `srcset` gives one link per candidate. `<meta name="robots">` and `<meta name="crawlgraph">`
//! give the page's [`RobotsDirectives`](super::RobotsDirectives) instead of a link.

use html5ever::{local_name, LocalName};

use super::{Extracted, RawLink};
use crate::graph::LinkKind;

/// Adds the links of one start tag to `out` (up to `max_links`); returns the index of the `<a>`
/// link added, whose text the caller then collects. `attr` looks up an attribute by name.
pub(super) fn from_tag(
    name: &LocalName,
    attr: &dyn Fn(LocalName) -> Option<String>,
    out: &mut Extracted,
    max_links: usize,
) -> Option<usize> {
    let mut anchor = None;
    if *name == local_name!("a") || *name == local_name!("area") {
        if let Some(href) = attr(local_name!("href")) {
            let link = RawLink::new(href, LinkKind::Anchor, None, attr(local_name!("rel")));
            if out.push(link, max_links) && *name == local_name!("a") {
                anchor = Some(out.links.len() - 1);
            }
        }
    } else if *name == local_name!("link") {
        if let Some(href) = attr(local_name!("href")) {
            let rel = attr(local_name!("rel"));
            if let Some(kind) = link_kind(rel.as_deref().unwrap_or_default()) {
                let text = (kind == LinkKind::Alternate)
                    .then(|| attr(local_name!("hreflang")))
                    .flatten();
                out.push(RawLink::new(href, kind, text, rel), max_links);
            }
        }
    } else if *name == local_name!("meta") {
        meta(attr, out, max_links);
    } else {
        for wanted in embed_attributes(name, attr).into_iter().flatten() {
            let Some(value) = attr(wanted.clone()) else {
                continue;
            };
            if wanted == local_name!("srcset") {
                for candidate in srcset(&value) {
                    let link = RawLink::new(candidate.to_owned(), LinkKind::Embed, None, None);
                    out.push(link, max_links);
                }
            } else {
                out.push(RawLink::new(value, LinkKind::Embed, None, None), max_links);
            }
        }
    }
    if let Some(style) = attr(local_name!("style")) {
        out.push_css(&style, max_links);
    }
    anchor
}

/// The attributes of `name` that hold embedded resources, in the order they are taken.
fn embed_attributes(
    name: &LocalName,
    attr: &dyn Fn(LocalName) -> Option<String>,
) -> [Option<LocalName>; 2] {
    if *name == local_name!("img") || *name == local_name!("source") {
        [Some(local_name!("src")), Some(local_name!("srcset"))]
    } else if *name == local_name!("video") {
        [Some(local_name!("src")), Some(local_name!("poster"))]
    } else if *name == local_name!("object") {
        [Some(local_name!("data")), None]
    } else if [
        local_name!("script"),
        local_name!("iframe"),
        local_name!("frame"),
        local_name!("embed"),
        local_name!("track"),
        local_name!("audio"),
    ]
    .contains(name)
        || (*name == local_name!("input")
            && attr(local_name!("type")).is_some_and(|t| t.trim().eq_ignore_ascii_case("image")))
    {
        [Some(local_name!("src")), None]
    } else {
        [None, None]
    }
}

/// The kind of a `<link>` with this `rel`, or `None` for one that is not followed at all.
fn link_kind(rel: &str) -> Option<LinkKind> {
    let has = |wanted: &str| {
        rel.split_ascii_whitespace()
            .any(|t| t.eq_ignore_ascii_case(wanted))
    };
    if has("stylesheet") {
        Some(LinkKind::Stylesheet)
    } else if has("canonical") {
        Some(LinkKind::Canonical)
    } else if has("alternate") {
        Some(LinkKind::Alternate)
    } else if has("icon") || has("apple-touch-icon") || has("mask-icon") {
        Some(LinkKind::Icon)
    } else if has("manifest") {
        Some(LinkKind::Manifest)
    } else if has("preload") || has("modulepreload") || has("prefetch") || has("prerender") {
        Some(LinkKind::Preload)
    } else if has("preconnect") || has("dns-prefetch") {
        None
    } else {
        Some(LinkKind::Link)
    }
}

/// `<meta http-equiv=refresh>` gives a link; `<meta name=robots|crawlgraph>` the directives.
fn meta(attr: &dyn Fn(LocalName) -> Option<String>, out: &mut Extracted, max_links: usize) {
    let Some(content) = attr(local_name!("content")) else {
        return;
    };
    if attr(local_name!("http-equiv")).is_some_and(|v| v.trim().eq_ignore_ascii_case("refresh")) {
        if let Some(url) = refresh_url(&content) {
            let link = RawLink::new(url.to_owned(), LinkKind::Refresh, None, None);
            out.push(link, max_links);
        }
    } else if attr(local_name!("name")).is_some_and(|n| {
        let n = n.trim();
        n.eq_ignore_ascii_case("robots") || n.eq_ignore_ascii_case("crawlgraph")
    }) {
        out.robots.add(&content);
    }
}

/// The URL of a refresh value (`<meta http-equiv=refresh content>` or the `Refresh` header),
/// as the HTML standard parses it: `5; url=next.html`, `0;URL='next.html'`, `3, next.html`.
/// `None` when there is no URL (a reload of the page itself).
pub fn refresh_url(content: &str) -> Option<&str> {
    let rest = content.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let rest = rest
        .strip_prefix([';', ','])
        .unwrap_or(rest)
        .trim_start_matches(|c: char| c.is_ascii_whitespace());
    let rest = match rest.get(..3) {
        Some(prefix) if prefix.eq_ignore_ascii_case("url") => {
            let after = rest[3..].trim_start_matches(|c: char| c.is_ascii_whitespace());
            match after.strip_prefix('=') {
                Some(value) => value.trim_start_matches(|c: char| c.is_ascii_whitespace()),
                None => rest,
            }
        }
        _ => rest,
    };
    let url = match rest.chars().next() {
        Some(quote @ ('"' | '\'')) => {
            let inner = &rest[1..];
            inner.find(quote).map_or(inner, |end| &inner[..end])
        }
        _ => rest.trim_end_matches(|c: char| c.is_ascii_whitespace()),
    };
    (!url.is_empty()).then_some(url)
}

/// The URLs of a `srcset` value, one per candidate (`a.png 1x, b.png 2x`, `c.png 480w`), as
/// the HTML standard splits it: a URL runs to whitespace, and a comma ends a candidate outside
/// the parentheses of a descriptor.
pub fn srcset(value: &str) -> Vec<&str> {
    let mut urls = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
        if rest.is_empty() {
            return urls;
        }
        let end = rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let (url, after) = rest.split_at(end);
        let trimmed = url.trim_end_matches(',');
        if !trimmed.is_empty() {
            urls.push(trimmed);
        }
        if trimmed.len() < url.len() {
            // The URL ended with a comma: no descriptors.
            rest = after;
            continue;
        }
        // Skip the descriptors up to a comma outside parentheses.
        let mut depth = 0usize;
        let mut next = after.len();
        for (i, c) in after.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                ',' if depth == 0 => {
                    next = i + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &after[next..];
    }
}

/// The links of an HTTP response's headers: each `Link:` target as [`LinkKind::Header`] (with
/// its `rel`), a `Refresh:` URL as [`LinkKind::Refresh`]. `X-Robots-Tag` goes to `robots`.
pub fn from_headers<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    robots: &mut super::RobotsDirectives,
) -> Vec<RawLink> {
    let mut links = Vec::new();
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("link") {
            for (url, rel) in link_header(value) {
                links.push(RawLink::new(url.to_owned(), LinkKind::Header, None, rel));
            }
        } else if name.eq_ignore_ascii_case("refresh") {
            if let Some(url) = refresh_url(value) {
                links.push(RawLink::new(url.to_owned(), LinkKind::Refresh, None, None));
            }
        } else if name.eq_ignore_ascii_case("x-robots-tag") {
            robots.add_header(value);
        }
    }
    links
}

/// The targets of a `Link` header value (`<a.css>; rel=preload, </b>; rel="next"`) with their
/// `rel` parameter, unquoted.
pub fn link_header(value: &str) -> Vec<(&str, Option<String>)> {
    let mut found = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let url = rest[open + 1..open + close].trim();
        rest = &rest[open + close + 1..];
        // Parameters run to the next `<` (the next link) at the latest.
        let params = &rest[..rest.find('<').unwrap_or(rest.len())];
        let rel = params.split(';').find_map(|param| {
            let (key, val) = param.split_once('=')?;
            key.trim().eq_ignore_ascii_case("rel").then(|| {
                val.trim()
                    .trim_end_matches(',')
                    .trim()
                    .trim_matches('"')
                    .to_owned()
            })
        });
        found.push((url, rel));
    }
    found
}
