//! Link extraction: parse HTML with html5ever and collect its links.
//!
//! Taken: every link a page makes, with its [`LinkKind`]: `<a href>` and `<area href>` (the
//! hyperlinks of HTML) with their `rel` and, for `<a>`, their text (whitespace collapsed, at
//! most [`MAX_TEXT_CHARS`] characters); embedded resources, stylesheets, `<link rel>`s, meta
//! refresh and CSS `url()`s (the table is in [`links`]); the first `<base href>`; the
//! `<title>`; the page's `<meta name="robots">` directives; and, when asked, its [`anchors`]
//! (ids and `<a name>`s, what fragments name). This module knows nothing of URLs: resolving is
//! `url_norm`'s job.
//!
//! # Architecture
//! - [`anchors`]: the ids and `<a name>`s a fragment can name, and the matching rules.
//! - [`links`]: which tag and attribute pairs are links, of which kind; `srcset` and refresh
//!   values. [`css`]: URLs in CSS.
//! - `tokens`: html5ever's tokenizer alone, the crawler's default ([`Extraction::Tokens`]):
//!   twice as fast as building a tree, and linear whatever the input.
//! - `tree`: html5ever's full tree builder into an `RcDom`, walked with an explicit stack
//!   ([`Extraction::Dom`], and [`extract`]). It sees the document as a browser does (implied
//!   and reopened elements). The tree builder scans its stack of open elements for most tags,
//!   so its cost grows with the square of the nesting depth (a megabyte of `<div>`s takes
//!   minutes); documents that may nest deeper than [`MAX_UNCLOSED_TAGS`] therefore always go
//!   through the tokenizer. The depth is estimated on the raw bytes, matching each end tag to
//!   an open start tag of its name, so end tags that close nothing (`<div></x>` repeated) do
//!   not hide the nesting, and the deepest point counts, not the end.
//! - `guard`: a linear pre-scan that caps the attributes of each tag before either path sees
//!   the document (html5ever's duplicate check is quadratic in the attributes of one tag).
//!
//! Both paths find the same links on every fixture page (tested); only anchors that HTML
//! reopens in a later block (`<p><a href=x>a<p>b` gives two in the DOM) are found once by the
//! tokenizer.

use crate::graph::LinkKind;

/// Longest anchor text kept on an edge, in characters.
pub const MAX_TEXT_CHARS: usize = 200;

/// A link as written in the document, before resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawLink {
    /// The `href` attribute, untouched.
    pub href: String,
    /// The anchor text, whitespace collapsed; `None` when empty or for `<area>`.
    pub text: Option<String>,
    /// The `rel` attribute, if present.
    pub rel: Option<String>,
    /// What kind of link it is.
    pub kind: LinkKind,
}

impl RawLink {
    /// A link of `kind`; `text` is the anchor text, or the `hreflang` of an alternate link.
    pub fn new(href: String, kind: LinkKind, text: Option<String>, rel: Option<String>) -> Self {
        Self {
            href,
            text,
            rel,
            kind,
        }
    }
}

/// Robots directives of a page, from `<meta name="robots">`, `<meta name="crawlgraph">` or the
/// `X-Robots-Tag` header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RobotsDirectives {
    /// `nofollow` or `none`: the page's links are not to be followed.
    pub nofollow: bool,
    /// `noindex` or `none`: the page is not to be indexed.
    pub noindex: bool,
}

impl RobotsDirectives {
    /// Adds the directives of a comma-separated list (`noindex, nofollow`), as in a meta tag's
    /// `content`.
    pub fn add(&mut self, content: &str) {
        for directive in content.split(',') {
            let directive = directive.trim();
            let is = |name: &str| directive.eq_ignore_ascii_case(name);
            self.nofollow |= is("nofollow") || is("none");
            self.noindex |= is("noindex") || is("none");
        }
    }

    /// Adds the directives of an `X-Robots-Tag` header value. A value for a named crawler
    /// (`googlebot: nofollow`) applies only when the name is `crawlgraph`.
    pub fn add_header(&mut self, value: &str) {
        match value.split_once(':') {
            Some((agent, rest)) if !agent.contains(',') => {
                if agent.trim().eq_ignore_ascii_case("crawlgraph") {
                    self.add(rest);
                }
            }
            _ => self.add(value),
        }
    }
}

/// What a page yields: its links in document order, its base and its title.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    /// `href` of the first `<base>` element that has one.
    pub base: Option<String>,
    /// The document title, whitespace collapsed.
    pub title: Option<String>,
    /// Links in document order, at most the requested number.
    pub links: Vec<RawLink>,
    /// The page's `<meta name="robots">` / `<meta name="crawlgraph">` directives.
    pub robots: RobotsDirectives,
    /// The page's anchors, when asked for ([`extract_with_anchors`]), finished.
    pub anchors: Option<Anchors>,
}

impl Extracted {
    /// Adds `link` unless `max_links` are held already; returns whether it was added.
    pub(crate) fn push(&mut self, link: RawLink, max_links: usize) -> bool {
        let room = self.links.len() < max_links;
        if room {
            self.links.push(link);
        }
        room
    }

    /// Adds the `url()`s and `@import`s of `css` as [`LinkKind::Css`] links.
    pub(crate) fn push_css(&mut self, css: &str, max_links: usize) {
        for url in css::urls(css) {
            self.push(RawLink::new(url, LinkKind::Css, None, None), max_links);
        }
    }
}

/// Documents that may nest deeper than this (elements open at once, estimated on the raw
/// bytes) are extracted with the tokenizer alone (see the module docs). Real pages stay far
/// below it; void elements (`<br>`, `<img>`) are not counted, and the unclosed tags real pages
/// do have (`<li>`, `<p>`) are harmless either way.
pub const MAX_UNCLOSED_TAGS: usize = 2048;

pub use guard::MAX_ATTRIBUTES_PER_TAG;

/// How links are taken out of HTML. Serialised as `tokens` or `dom`.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Extraction {
    /// html5ever's tokenizer alone. About twice as fast as building a DOM (criterion: 100 vs
    /// 204 us for a 14 KB page; end to end +60% pages/s on 2 cores) and linear on any input.
    /// Finds the same links as [`Extraction::Dom`] on real pages; an anchor that HTML reopens
    /// in a later block (`<p><a href=x>a<p>b`) is found once instead of twice, which changes no
    /// edge since edges are distinct per target. The default.
    #[default]
    Tokens,
    /// html5ever's tree builder into a `markup5ever_rcdom` DOM, exactly as a browser sees the
    /// document. Documents nested deeper than [`MAX_UNCLOSED_TAGS`] still use the tokenizer.
    Dom,
}

/// Parses `html` into a DOM and returns its links (at most `max_links`), base and title:
/// [`Extraction::Dom`], the reference behaviour.
pub fn extract(html: &str, max_links: usize) -> Extracted {
    extract_with(Extraction::Dom, html, max_links)
}

/// Returns the links (at most `max_links`), base and title of `html`, extracted as `how` says.
pub fn extract_with(how: Extraction, html: &str, max_links: usize) -> Extracted {
    extract_page(how, html, max_links, None)
}

/// As [`extract_with`], and collects the page's [`anchors`] too (what fragments name).
pub fn extract_with_anchors(how: Extraction, html: &str, max_links: usize) -> Extracted {
    extract_page(how, html, max_links, Some(Anchors::default()))
}

/// The extraction itself; `anchors` is where the anchors go, if they are collected.
fn extract_page(
    how: Extraction,
    html: &str,
    max_links: usize,
    anchors: Option<Anchors>,
) -> Extracted {
    let (html, _removed) = guard::cap_attributes(html);
    let out = Extracted {
        anchors,
        ..Extracted::default()
    };
    let mut out = if how == Extraction::Tokens || nesting_depth(html.as_bytes()) > MAX_UNCLOSED_TAGS
    {
        tokens::extract(&html, max_links, out)
    } else {
        tree::extract(&html, max_links, out)
    };
    out.anchors = out.anchors.map(Anchors::finish);
    out
}

/// Elements that never have content, so never nest.
const VOID: [&[u8]; 15] = [
    b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"keygen", b"link",
    b"meta", b"param", b"source", b"track", b"wbr",
];

/// The most elements open at once, estimated on the raw bytes: each start tag opens one (void
/// elements excepted), each end tag closes one only if an element of its name is open. An
/// upper bound in practice (the tree builder also closes elements implicitly), linear in the
/// input.
fn nesting_depth(html: &[u8]) -> usize {
    let mut open: hashbrown::HashMap<Vec<u8>, usize> = hashbrown::HashMap::new();
    let mut name = Vec::new();
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut rest = html;
    while let Some(i) = rest.iter().position(|&b| b == b'<') {
        rest = &rest[i + 1..];
        let is_end = rest.first() == Some(&b'/');
        let tag = if is_end { &rest[1..] } else { rest };
        if !tag.first().is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        name.clear();
        name.extend(
            tag.iter()
                .take_while(|&&b| !b.is_ascii_whitespace() && b != b'/' && b != b'>')
                .map(u8::to_ascii_lowercase),
        );
        if is_end {
            if let Some(count) = open.get_mut(name.as_slice()).filter(|c| **c > 0) {
                *count -= 1;
                depth -= 1;
            }
        } else if !VOID.contains(&name.as_slice()) {
            match open.get_mut(name.as_slice()) {
                Some(count) => *count += 1,
                None => {
                    open.insert(name.clone(), 1);
                }
            }
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    deepest
}

pub mod anchors;
pub(crate) mod charset;
pub mod css;
mod guard;
pub mod links;
mod text;
mod tokens;
mod tree;

pub use anchors::Anchors;
use text::Text;

#[cfg(test)]
mod kind_tests;
#[cfg(test)]
mod tests;
