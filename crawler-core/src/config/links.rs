//! Which links become edges and which are followed: the link kinds recorded, the robots
//! directives of pages (`<meta name="robots">`, `X-Robots-Tag`) and `rel="nofollow"`, and
//! whether resources are checked.
//!
//! # Rules
//! - Every kind in [`LinkOptions::kinds`] is recorded as an edge (default: all).
//! - Anchors, redirects, refresh and canonical links are followed: their targets are fetched
//!   as pages, within depth and scope.
//! - A page whose robots directives say `nofollow` (or `none`) has its links recorded with
//!   [`Link::nofollow`](crate::Link::nofollow) set, and none of them is followed, unless
//!   [`ignore_nofollow`](crate::CrawlerBuilder::ignore_nofollow) is set.
//! - A link with `rel="nofollow"` is recorded with its `rel`, and followed unless
//!   [`respect_rel_nofollow`](crate::CrawlerBuilder::respect_rel_nofollow) is set.
//! - With [`check_resources`](crate::CrawlerBuilder::check_resources), embed, stylesheet and
//!   CSS targets are fetched once too (within depth and scope), so broken assets show; their
//!   bodies are not parsed, except stylesheets, whose `url()`s and `@import`s become `css`
//!   edges.
//! - With [`check_fragments`](crate::CrawlerBuilder::check_fragments), the fragments of links
//!   are kept on their edges and checked against the anchors of the target page
//!   ([`crate::extract::anchors`]); which links are followed does not change.
//! - Targets that are not followed stay in the graph as unfetched nodes, skipped as
//!   `not_followed`.

use crate::graph::link_kind::{has_nofollow, LinkKind, LinkKinds};

/// Link settings of a crawl; set through the builder's setters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent switches of the link rules, each a setting of its own"
)]
pub struct LinkOptions {
    /// The kinds recorded as edges.
    pub kinds: LinkKinds,
    /// Follow the links of pages whose robots directives say `nofollow`.
    pub ignore_nofollow: bool,
    /// Do not follow links with `rel="nofollow"`.
    pub respect_rel_nofollow: bool,
    /// Fetch embed, stylesheet and CSS targets too.
    pub check_resources: bool,
    /// Keep the fragments of links on their edges and check them against the target pages'
    /// anchors.
    pub check_fragments: bool,
}

impl LinkOptions {
    /// Whether a recorded link is followed (its target fetched), from a page whose robots
    /// directives say `page_nofollow`.
    pub fn follows(self, kind: LinkKind, rel: Option<&str>, page_nofollow: bool) -> bool {
        if page_nofollow && !self.ignore_nofollow {
            return false;
        }
        if self.respect_rel_nofollow && rel.is_some_and(has_nofollow) {
            return false;
        }
        kind.is_followed() || (self.check_resources && kind.is_resource())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_rules() {
        let options = LinkOptions::default();
        assert!(options.follows(LinkKind::Anchor, None, false));
        assert!(options.follows(LinkKind::Canonical, None, false));
        assert!(options.follows(LinkKind::Anchor, Some("nofollow"), false));
        assert!(!options.follows(LinkKind::Embed, None, false));
        assert!(!options.follows(LinkKind::Anchor, None, true));
        let strict = LinkOptions {
            respect_rel_nofollow: true,
            ..options
        };
        assert!(!strict.follows(LinkKind::Anchor, Some("external NoFollow"), false));
        let loose = LinkOptions {
            ignore_nofollow: true,
            check_resources: true,
            ..options
        };
        assert!(loose.follows(LinkKind::Anchor, None, true));
        assert!(loose.follows(LinkKind::Css, None, false));
        assert!(!loose.follows(LinkKind::Icon, None, false));
    }
}
