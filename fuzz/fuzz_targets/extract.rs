//! Fuzz target: link extraction on arbitrary bytes, decoded as lossy UTF-8 like a page whose
//! charset could not be trusted. Checks that `extract` never panics, never overflows the stack
//! on hostile nesting, and never returns more links than the cap.
#![no_main]

use crawler_core::extract::{extract, MAX_TEXT_CHARS};
use libfuzzer_sys::fuzz_target;

/// The link cap passed to `extract`: small, so the cap itself gets exercised.
const MAX_LINKS: usize = 16;

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    let page = extract(&html, MAX_LINKS);
    assert!(page.links.len() <= MAX_LINKS);
    for link in &page.links {
        if let Some(text) = &link.text {
            assert!(!text.is_empty() && text.chars().count() <= MAX_TEXT_CHARS);
        }
    }
    if let Some(title) = &page.title {
        assert!(!title.is_empty() && title.chars().count() <= MAX_TEXT_CHARS);
    }
});
