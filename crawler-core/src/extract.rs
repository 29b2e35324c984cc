//! Link extraction: parse HTML with html5ever into an `RcDom` and collect its links.
//!
//! Taken: `<a href>` and `<area href>` (the hyperlinks of HTML), with their `rel` and, for `<a>`,
//! their text (whitespace collapsed, at most [`MAX_TEXT_CHARS`] characters); the first
//! `<base href>`; the `<title>`. Not taken: `<link>`, `<img>`, `<script>`, `<iframe>`, which are
//! resources rather than navigation. This module knows nothing of URLs: resolving is
//! `url_norm`'s job.
//!
//! The tree is walked with an explicit stack, so deeply nested (or hostile) markup cannot
//! overflow the call stack.

use html5ever::tendril::TendrilSink;
use html5ever::{local_name, parse_document, ParseOpts};
use markup5ever_rcdom::{Handle, NodeData, RcDom};

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
}

/// Parses `html` and returns its links (at most `max_links`), base and title.
pub fn extract(html: &str, max_links: usize) -> Extracted {
    let dom = parse_document(RcDom::default(), ParseOpts::default()).one(html);
    let mut out = Extracted::default();
    // `dom` must outlive the walk: dropping a node of an RcDom empties the child lists of all
    // its descendants (a non-recursive drop), even those still referenced from `stack`.
    let mut stack: Vec<Handle> = vec![dom.document.clone()];
    while let Some(node) = stack.pop() {
        if let NodeData::Element { name, attrs, .. } = &node.data {
            let attrs = attrs.borrow();
            let attr = |wanted| {
                attrs
                    .iter()
                    .find(|a| a.name.local == wanted)
                    .map(|a| a.value.to_string())
            };
            // Atoms are compared with `==`: as match patterns, html5ever's interned names do
            // not match reliably.
            let local = &name.local;
            let is_anchor = *local == local_name!("a");
            if (is_anchor || *local == local_name!("area")) && out.links.len() < max_links {
                if let Some(href) = attr(local_name!("href")) {
                    let text = is_anchor
                        .then(|| collapsed_text(&node, MAX_TEXT_CHARS))
                        .filter(|t| !t.is_empty());
                    out.links.push(RawLink {
                        href,
                        text,
                        rel: attr(local_name!("rel")),
                    });
                }
            } else if *local == local_name!("base") && out.base.is_none() {
                out.base = attr(local_name!("href"));
            } else if *local == local_name!("title") && out.title.is_none() {
                out.title = Some(collapsed_text(&node, MAX_TEXT_CHARS)).filter(|t| !t.is_empty());
            }
        }
        // Children pushed in reverse so they pop in document order.
        stack.extend(node.children.borrow().iter().rev().cloned());
    }
    drop(dom);
    out
}

/// The text under `node`, runs of whitespace collapsed to one space, cut at `max_chars`.
fn collapsed_text(node: &Handle, max_chars: usize) -> String {
    let mut text = String::new();
    let mut stack = vec![node.clone()];
    let mut pending_space = false;
    let mut chars = 0;
    'walk: while let Some(node) = stack.pop() {
        if let NodeData::Text { contents } = &node.data {
            for c in contents.borrow().chars() {
                if c.is_whitespace() {
                    pending_space = !text.is_empty();
                    continue;
                }
                // The space between words counts against the cap too, and is only written
                // when the word after it fits.
                let needed = 1 + usize::from(pending_space);
                if chars + needed > max_chars {
                    break 'walk;
                }
                if pending_space {
                    text.push(' ');
                    pending_space = false;
                }
                text.push(c);
                chars += needed;
            }
        }
        stack.extend(node.children.borrow().iter().rev().cloned());
    }
    text
}

#[cfg(test)]
mod tests;
