//! [`LinkClass`]: what a link makes of its target (a page, a resource, a stylesheet), sent with
//! each claim so that Redis can tell a worker what to fetch a URL as, as the single-process
//! fold's `target_of` decides when resources are checked.

use crawler_core::{LinkKind, Target};

/// What a link makes of its target, for what the target is fetched as when resources are
/// checked ([`Lease::target`](crate::Lease::target)). The classes of all links of earlier levels to a URL are
/// combined in Redis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkClass {
    /// Not recorded: resources are not checked, so every URL is fetched as a page.
    Unrecorded = 0,
    /// A link that makes its target a page (an anchor, a redirect, an icon, ...).
    Page = 1,
    /// An embed or a CSS `url()`: a resource, checked with HEAD.
    Resource = 2,
    /// A stylesheet link: fetched whole, for its `url()`s.
    Stylesheet = 4,
}

impl LinkClass {
    /// The class of a link of `kind`, when resources are checked (`check`).
    pub fn of(kind: LinkKind, check: bool) -> Self {
        match kind {
            _ if !check => LinkClass::Unrecorded,
            LinkKind::Stylesheet => LinkClass::Stylesheet,
            kind if kind.is_resource() => LinkClass::Resource,
            _ => LinkClass::Page,
        }
    }

    /// What a URL whose links of earlier levels have the classes `mask` is fetched as: a page
    /// if any link makes it one (or none was recorded), else a stylesheet if a stylesheet
    /// link reaches it, else a resource.
    pub(crate) fn target(mask: u8) -> Target {
        if mask == 0 || mask & LinkClass::Page as u8 != 0 {
            Target::Page
        } else if mask & LinkClass::Stylesheet as u8 != 0 {
            Target::Stylesheet
        } else {
            Target::Resource
        }
    }
}
