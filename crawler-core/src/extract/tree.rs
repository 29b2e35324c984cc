//! The normal extraction path: html5ever's tree builder into an `RcDom`, walked with an
//! explicit stack so deeply nested markup cannot overflow the call stack.

use html5ever::tendril::TendrilSink;
use html5ever::{local_name, parse_document, ParseOpts};
use markup5ever_rcdom::{Handle, NodeData, RcDom};

use super::{links, Extracted, Text, MAX_TEXT_CHARS};

/// Parses `html` into an `RcDom` and adds its links (at most `max_links`), base and title to
/// `out` (and its anchors, if `out` collects them; template contents are never walked).
pub(super) fn extract(html: &str, max_links: usize, mut out: Extracted) -> Extracted {
    let dom = parse_document(RcDom::default(), ParseOpts::default()).one(html);
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
                    .map(|a| String::from(&*a.value))
            };
            // Atoms are compared with `==`: as match patterns, html5ever's interned names do
            // not match reliably.
            let local = &name.local;
            if let Some(anchors) = &mut out.anchors {
                anchors.add_tag(local, &attrs);
            }
            if let Some(index) = links::from_tag(local, &attr, &mut out, max_links) {
                out.links[index].text = collapsed_text(&node);
            }
            if *local == local_name!("style") {
                let mut css = String::new();
                for child in node.children.borrow().iter() {
                    if let NodeData::Text { contents } = &child.data {
                        css.push_str(&contents.borrow());
                    }
                }
                out.push_css(&css, max_links);
            } else if *local == local_name!("base") && out.base.is_none() {
                out.base = attr(local_name!("href"));
            } else if *local == local_name!("title") && out.title.is_none() {
                out.title = collapsed_text(&node);
            }
        }
        // Children pushed in reverse so they pop in document order.
        stack.extend(node.children.borrow().iter().rev().cloned());
    }
    drop(dom);
    out
}

/// The text under `node`, collapsed and capped (see [`Text`]).
fn collapsed_text(node: &Handle) -> Option<String> {
    let mut text = Text::new(MAX_TEXT_CHARS);
    let mut stack = vec![node.clone()];
    while let Some(node) = stack.pop() {
        if let NodeData::Text { contents } = &node.data {
            if !text.push(&contents.borrow()) {
                break;
            }
        }
        stack.extend(node.children.borrow().iter().rev().cloned());
    }
    text.finish()
}
