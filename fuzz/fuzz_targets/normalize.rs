//! Fuzz target: URL normalisation of an arbitrary href against an arbitrary base. Checks that
//! it never panics, that a result is an http(s) URL without fragment or empty query that parses
//! back to itself, and that normalising it again changes nothing (idempotence).
#![no_main]

use crawler_core::{normalize_link, Url};
use libfuzzer_sys::fuzz_target;

/// Used when the fuzzer's base does not parse as an absolute URL.
const FALLBACK_BASE: &str = "http://site.test/dir/page.html?x=1";

fuzz_target!(|input: (&str, &str)| {
    let (base, href) = input;
    let base = Url::parse(base).unwrap_or_else(|_| Url::parse(FALLBACK_BASE).unwrap());
    let Some(url) = normalize_link(&base, href) else {
        return;
    };
    assert!(matches!(url.scheme(), "http" | "https"), "{url}");
    assert_eq!(url.fragment(), None, "{url}");
    assert_ne!(url.query(), Some(""), "{url}");
    assert!(url.host_str().is_some_and(|h| !h.is_empty()), "{url}");
    assert_eq!(Url::parse(url.as_str()).as_ref(), Ok(&url), "reparse {url}");
    assert_eq!(
        normalize_link(&base, url.as_str()).as_ref(),
        Some(&url),
        "again {url}"
    );
    assert_eq!(normalize_link(&url, "").as_ref(), Some(&url), "self {url}");
    assert_eq!(
        normalize_link(&base, href).as_ref(),
        Some(&url),
        "twice {href:?}"
    );
});
