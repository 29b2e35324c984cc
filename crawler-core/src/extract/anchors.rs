//! The places of a page that a URL fragment can name (its anchors), and whether a fragment
//! names one of them, as a browser decides it.
//!
//! Collected while parsing, when fragments are checked
//! ([`check_fragments`](crate::CrawlerBuilder::check_fragments)): the `id` of every element
//! and the `name` of every `<a>`, outside `<template>` contents. Each name is kept as a 64-bit
//! hash (8 bytes, whatever its length; stable across processes and builds), at most
//! [`MAX_ANCHORS_PER_PAGE`] of them: a page with more is marked incomplete, and a fragment
//! that names none of the kept ones is then unknown, never reported broken.
//!
//! # Matching
//! The HTML standard's "indicated part of the document": a fragment names an anchor whose
//! name equals it exactly (case-sensitive), either as written in the URL or percent-decoded as
//! UTF-8 (`#Install%20guide` names `id="Install guide"`). The empty fragment and `top` (ASCII
//! case-insensitive) name the top of the document and always match. A fragment directive
//! (`:~:text=...`, a text fragment) is cut off first: what is left before it is checked, and a
//! fragment that is only a directive always matches.

use std::borrow::Cow;
use std::hash::Hasher;

use html5ever::{local_name, Attribute, LocalName};
use serde::{Deserialize, Serialize};

/// Most anchors (ids and `<a name>`s) kept from one page; a page with more is marked
/// incomplete and fragments to it that are not among those kept are not reported.
pub const MAX_ANCHORS_PER_PAGE: usize = 10_000;

/// Where a fragment directive (a text fragment, `#:~:text=...`) starts.
const DIRECTIVE: &str = ":~:";

/// The anchors of one page, as hashes; see the [module docs](self).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Anchors {
    /// Hashes of the names, sorted and distinct once [`finish`](Self::finish)ed.
    hashes: Vec<u64>,
    /// More than [`MAX_ANCHORS_PER_PAGE`] names were met: some are missing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    truncated: bool,
}

impl Anchors {
    /// Adds the anchors one start tag defines: its `id`, and the `name` of an `<a>`.
    pub(crate) fn add_tag(&mut self, tag: &LocalName, attrs: &[Attribute]) {
        for attr in attrs {
            let local = &attr.name.local;
            if *local == local_name!("id") || (*local == local_name!("name") && is_a(tag)) {
                self.insert(&attr.value);
            }
        }
    }

    /// Adds the anchor `name`; an empty name names nothing (HTML ids are never empty).
    pub fn insert(&mut self, name: &str) {
        if name.is_empty() {
            return;
        }
        if self.hashes.len() >= MAX_ANCHORS_PER_PAGE {
            self.truncated = true;
            return;
        }
        self.hashes.push(hash(name));
    }

    /// Sorts the names for lookups; call once all are added.
    #[must_use]
    pub fn finish(mut self) -> Self {
        self.hashes.sort_unstable();
        self.hashes.dedup();
        self.hashes.shrink_to_fit();
        self
    }

    /// Anchors as [`hashes`](Self::hashes) gave them (a stored page's), `complete` unless the
    /// page had more than were kept.
    pub fn from_hashes(hashes: Vec<u64>, complete: bool) -> Self {
        Self {
            hashes,
            truncated: !complete,
        }
        .finish()
    }

    /// The kept anchors' hashes (stable across processes and builds), sorted once
    /// [`finish`](Self::finish)ed: what a page's anchors are stored as.
    pub fn hashes(&self) -> &[u64] {
        &self.hashes
    }

    /// Distinct anchors kept.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// Whether no anchor was kept.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Whether every anchor of the page was kept (at most [`MAX_ANCHORS_PER_PAGE`]).
    pub fn is_complete(&self) -> bool {
        !self.truncated
    }

    /// Whether the page has an anchor named exactly `name` (call after
    /// [`finish`](Self::finish)).
    pub fn contains(&self, name: &str) -> bool {
        self.hashes.binary_search(&hash(name)).is_ok()
    }

    /// Whether `fragment` (as written in a URL, without the `#`) names a place of the page:
    /// `Some(true)` or `Some(false)`, or `None` when the page had more anchors than were kept
    /// and none of those kept matches. See the [module docs](self) for the rules.
    pub fn indicates(&self, fragment: &str) -> Option<bool> {
        let fragment = element_part(fragment);
        if fragment.is_empty() || self.contains(fragment) {
            return Some(true);
        }
        let decoded = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
        if matches!(decoded, Cow::Owned(_)) && self.contains(&decoded) {
            return Some(true);
        }
        if decoded.eq_ignore_ascii_case("top") {
            return Some(true);
        }
        self.is_complete().then_some(false)
    }
}

/// The part of `fragment` before any fragment directive (`:~:`): what names an element.
pub fn element_part(fragment: &str) -> &str {
    fragment
        .find(DIRECTIVE)
        .map_or(fragment, |at| &fragment[..at])
}

fn is_a(tag: &LocalName) -> bool {
    *tag == local_name!("a")
}

/// SipHash-1-3 with fixed keys: the same on every process and build, so stored anchors can be
/// compared with names hashed elsewhere.
fn hash(name: &str) -> u64 {
    let mut hasher = siphasher::sip::SipHasher13::new();
    hasher.write(name.as_bytes());
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn page(names: &[&str]) -> Anchors {
        let mut anchors = Anchors::default();
        for name in names {
            anchors.insert(name);
        }
        anchors.finish()
    }

    #[rstest]
    #[case("intro", Some(true))]
    #[case("Intro", Some(false))]
    #[case("Install%20guide", Some(true))]
    #[case("caf%C3%A9", Some(true))]
    #[case("100%", Some(true))]
    #[case("50%25", Some(true))]
    #[case("", Some(true))]
    #[case("top", Some(true))]
    #[case("TOP", Some(true))]
    #[case(":~:text=anything", Some(true))]
    #[case("intro:~:text=x", Some(true))]
    #[case("gone:~:text=x", Some(false))]
    #[case("gone", Some(false))]
    #[case("%E9", Some(false))]
    fn fragments_match_as_in_a_browser(#[case] fragment: &str, #[case] expected: Option<bool>) {
        let anchors = page(&["intro", "Install guide", "café", "100%", "50%"]);
        assert_eq!(anchors.indicates(fragment), expected, "#{fragment}");
    }

    #[test]
    fn a_page_past_the_cap_is_incomplete_and_its_misses_are_unknown() {
        let mut anchors = Anchors::default();
        for i in 0..=MAX_ANCHORS_PER_PAGE {
            anchors.insert(&format!("id{i}"));
        }
        let anchors = anchors.finish();
        assert_eq!(anchors.len(), MAX_ANCHORS_PER_PAGE);
        assert!(!anchors.is_complete());
        assert_eq!(anchors.indicates("id0"), Some(true));
        assert_eq!(anchors.indicates("absent"), None);
        assert_eq!(anchors.indicates("top"), Some(true));
    }

    #[test]
    fn empty_names_are_not_anchors_and_duplicates_count_once() {
        let anchors = page(&["", "a", "a"]);
        assert_eq!(anchors.len(), 1);
        assert_eq!(anchors.indicates("a"), Some(true));
    }

    #[test]
    fn the_hash_is_fixed() {
        // Stored outcomes compare with names hashed by another process: the value must not
        // depend on a random seed.
        assert_eq!(hash("intro"), 12_680_717_245_480_120_385);
    }
}
