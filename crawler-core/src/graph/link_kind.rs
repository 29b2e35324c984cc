//! The kinds of edges, and sets of them.
//!
//! A page links to other pages (anchors), is replaced by them (redirects, refresh) or names a
//! preferred one (canonical): those kinds are followed, they make the page graph. Everything
//! else a page pulls in or points at (images, scripts, stylesheets, CSS `url()`s, icons,
//! alternates) is recorded as an edge to a node that is not crawled, unless resources are
//! checked.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What kind of edge a link is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LinkKind {
    /// An `<a href>` or `<area href>` in the source page.
    Anchor,
    /// An HTTP redirect (3xx with `Location`) from the source URL.
    Redirect,
    /// An embedded resource: `img` (`src`, each `srcset` candidate), `script`, `iframe`,
    /// `frame`, `embed`, `object`, `source`, `track`, `video` (and its `poster`), `audio`,
    /// `input type=image`.
    Embed,
    /// A `<link rel="stylesheet">`.
    Stylesheet,
    /// A `url()` or `@import` in CSS: a `<style>` element, a `style` attribute, or a fetched
    /// stylesheet.
    Css,
    /// A `<link rel="canonical">`.
    Canonical,
    /// A `<link rel="alternate">`; the edge's text is its `hreflang`.
    Alternate,
    /// A `<link rel="icon">` (also `apple-touch-icon`, `mask-icon`).
    Icon,
    /// A `<link rel="manifest">`.
    Manifest,
    /// A `<link rel="preload">` (also `modulepreload`, `prefetch`, `prerender`).
    Preload,
    /// Any other `<link rel>` with an `href` (`next`, `prev`, `author`, ...).
    Link,
    /// A `<meta http-equiv="refresh">` or a `Refresh:` header with a URL.
    Refresh,
    /// A `Link:` response header.
    Header,
    /// A navigation made by the page's script, seen while it was rendered: the top frame sent
    /// away (`location = ...`) or a URL pushed with the History API (`pushState`).
    Script,
}

impl LinkKind {
    /// Every kind, in the order of the declaration.
    pub const ALL: [LinkKind; 14] = [
        LinkKind::Anchor,
        LinkKind::Redirect,
        LinkKind::Embed,
        LinkKind::Stylesheet,
        LinkKind::Css,
        LinkKind::Canonical,
        LinkKind::Alternate,
        LinkKind::Icon,
        LinkKind::Manifest,
        LinkKind::Preload,
        LinkKind::Link,
        LinkKind::Refresh,
        LinkKind::Header,
        LinkKind::Script,
    ];

    /// The lowercase name used in exports and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Anchor => "anchor",
            LinkKind::Redirect => "redirect",
            LinkKind::Embed => "embed",
            LinkKind::Stylesheet => "stylesheet",
            LinkKind::Css => "css",
            LinkKind::Canonical => "canonical",
            LinkKind::Alternate => "alternate",
            LinkKind::Icon => "icon",
            LinkKind::Manifest => "manifest",
            LinkKind::Preload => "preload",
            LinkKind::Link => "link",
            LinkKind::Refresh => "refresh",
            LinkKind::Header => "header",
            LinkKind::Script => "script",
        }
    }

    /// Whether the crawl follows links of this kind to fetch their targets as pages: anchors,
    /// redirects, refresh, canonical and script navigations, the kinds that lead from page to
    /// page.
    pub fn is_followed(self) -> bool {
        matches!(
            self,
            LinkKind::Anchor
                | LinkKind::Redirect
                | LinkKind::Refresh
                | LinkKind::Canonical
                | LinkKind::Script
        )
    }

    /// Whether targets of this kind are resources a page needs to render (embeds, stylesheets,
    /// CSS urls): the ones a resource check fetches.
    pub fn is_resource(self) -> bool {
        matches!(self, LinkKind::Embed | LinkKind::Stylesheet | LinkKind::Css)
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for LinkKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name is not a [`LinkKind`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown link kind `{0}` (kinds: anchor, redirect, embed, stylesheet, css, canonical, alternate, icon, manifest, preload, link, refresh, header, script)")]
pub struct UnknownLinkKind(pub String);

impl FromStr for LinkKind {
    type Err = UnknownLinkKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LinkKind::ALL
            .into_iter()
            .find(|kind| kind.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownLinkKind(s.to_owned()))
    }
}

/// A set of [`LinkKind`]s. The default holds every kind.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct LinkKinds(u16);

impl LinkKinds {
    /// No kind.
    pub const NONE: LinkKinds = LinkKinds(0);

    /// Every kind.
    pub fn all() -> Self {
        LinkKind::ALL.into_iter().collect()
    }

    /// Whether `kind` is in the set.
    pub fn contains(self, kind: LinkKind) -> bool {
        self.0 & kind.bit() != 0
    }

    /// Adds `kind`.
    pub fn insert(&mut self, kind: LinkKind) {
        self.0 |= kind.bit();
    }
}

impl Default for LinkKinds {
    fn default() -> Self {
        Self::all()
    }
}

impl FromIterator<LinkKind> for LinkKinds {
    fn from_iter<I: IntoIterator<Item = LinkKind>>(kinds: I) -> Self {
        let mut set = LinkKinds::NONE;
        for kind in kinds {
            set.insert(kind);
        }
        set
    }
}

/// A set serialises as the list of its kinds' names, in [`LinkKind::ALL`]'s order.
impl Serialize for LinkKinds {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(LinkKind::ALL.into_iter().filter(|k| self.contains(*k)))
    }
}

impl<'de> Deserialize<'de> for LinkKinds {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Vec::<LinkKind>::deserialize(deserializer)?
            .into_iter()
            .collect())
    }
}

impl fmt::Debug for LinkKinds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(LinkKind::ALL.into_iter().filter(|k| self.contains(*k)))
            .finish()
    }
}

/// Whether a `rel` value holds the `nofollow` token.
pub(crate) fn has_nofollow(rel: &str) -> bool {
    rel.split_ascii_whitespace()
        .any(|token| token.eq_ignore_ascii_case("nofollow"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_sets_hold_kinds() {
        for kind in LinkKind::ALL {
            assert_eq!(kind.as_str().parse::<LinkKind>(), Ok(kind));
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind.as_str())
            );
        }
        assert!("img".parse::<LinkKind>().is_err());
        let set: LinkKinds = [LinkKind::Css, LinkKind::Anchor].into_iter().collect();
        assert!(set.contains(LinkKind::Css) && !set.contains(LinkKind::Embed));
        assert!(LinkKinds::default().contains(LinkKind::Header));
        assert_eq!(format!("{set:?}"), "{Anchor, Css}");
    }
}
