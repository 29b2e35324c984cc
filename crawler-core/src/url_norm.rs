//! URL normalisation: the one place that decides when two links point at the same page.
//!
//! Rules, applied to every seed, link and redirect target:
//! 1. trim ASCII whitespace around the href;
//! 2. resolve it against the base (the page URL, or the document's `<base href>`) with the
//!    WHATWG rules of the `url` crate: `.`/`..` segments removed, non-ASCII percent-encoded as
//!    UTF-8, scheme and host lowercased, default port dropped;
//! 3. keep only `http` and `https` (so `mailto:`, `javascript:`, `tel:`, `data:` links are skipped);
//! 4. drop the `#fragment`, and drop an empty query (`page?` is `page`); any other query is kept
//!    as is, so `?a=1` and `?a=1&b=2` are different pages;
//! 5. drop any `user:password@`: credentials in a URL are never sent and never written to an
//!    output, whether they come from a link, a redirect target, a sitemap or a seed (a seed's
//!    credentials would otherwise be joined into every link of the site and land in every
//!    export; a site that needs them is out of reach of this crawler for now);
//! 6. refuse URLs longer than the configured maximum.
//!
//! A `Location` header is taken as bytes: bytes outside ASCII are kept percent-encoded as they
//! were sent (`%E9` for a Latin-1 `é`), never replaced by U+FFFD ([`header_text`]).

use url::Url;

/// Why an href gave no URL to crawl.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rejected {
    /// Not a valid URL, even relative to the base.
    Invalid(url::ParseError),
    /// A scheme that is not crawled (`mailto:`, `javascript:`, `ftp:`, ...).
    Scheme,
    /// Longer than the maximum URL length.
    TooLong,
}

/// Resolves `href` against `base` and normalises it (see the module docs for the rules).
pub(crate) fn resolve(base: &Url, href: &str, max_len: usize) -> Result<Url, Rejected> {
    finish(join(base, href)?, max_len)
}

/// As [`resolve`], with the fragment `href` had, as the URL writes it (percent-encoded, without
/// the `#`): the normalised URL never has one.
pub(crate) fn resolve_with_fragment(
    base: &Url,
    href: &str,
    max_len: usize,
) -> Result<(Url, Option<String>), Rejected> {
    let url = join(base, href)?;
    let fragment = url.fragment().map(str::to_owned);
    Ok((finish(url, max_len)?, fragment))
}

/// Steps 1 to 3 of the rules: `href` trimmed, resolved against `base`, a crawled scheme.
fn join(base: &Url, href: &str) -> Result<Url, Rejected> {
    let href = href.trim_matches(|c: char| c.is_ascii_whitespace());
    // Cheap early exit for the common non-http schemes, before the join allocates.
    if has_skipped_scheme(href) {
        return Err(Rejected::Scheme);
    }
    let url = base.join(href).map_err(Rejected::Invalid)?;
    // A `file:` link is followed only from a `file:` page (a local site), never from the web.
    if url.scheme() == "file" && base.scheme() != "file" {
        return Err(Rejected::Scheme);
    }
    Ok(url)
}

/// Parses and normalises an absolute URL (a seed, or a prefix).
pub(crate) fn parse_absolute(input: &str, max_len: usize) -> Result<Url, Rejected> {
    let url = Url::parse(input.trim()).map_err(Rejected::Invalid)?;
    finish(url, max_len)
}

fn finish(mut url: Url, max_len: usize) -> Result<Url, Rejected> {
    let web = matches!(url.scheme(), "http" | "https") && url.host().is_some();
    if !web && url.scheme() != "file" {
        return Err(Rejected::Scheme);
    }
    // Cannot fail: an http(s) URL with a host can carry userinfo, so it can drop it.
    let _ = url.set_password(None);
    let _ = url.set_username("");
    url.set_fragment(None);
    if url.query() == Some("") {
        url.set_query(None);
    }
    if url.as_str().len() > max_len {
        return Err(Rejected::TooLong);
    }
    Ok(url)
}

/// A header value as text for URL resolution: ASCII as is, every other byte percent-encoded,
/// so that the bytes a server sent are the bytes requested.
pub(crate) fn header_text(bytes: &[u8]) -> String {
    /// Only bytes outside ASCII are encoded here; the URL parser deals with the rest.
    const NON_ASCII: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS.remove(b'\t');
    percent_encoding::percent_encode(bytes, NON_ASCII).to_string()
}

/// `location` with any `user:password@` removed from its authority, for error messages: a
/// redirect that cannot be followed is reported with its target, never with its credentials.
pub(crate) fn redact_userinfo(location: &str) -> String {
    let trimmed = location.trim_start();
    let authority_start = trimmed
        .find("://")
        .map(|i| i + 3)
        .or_else(|| trimmed.starts_with("//").then_some(2));
    let Some(start) = authority_start else {
        return location.to_owned();
    };
    let rest = &trimmed[start..];
    let end = rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{}{}", &trimmed[..start], &rest[at + 1..]),
        None => location.to_owned(),
    }
}

fn has_skipped_scheme(href: &str) -> bool {
    const SKIPPED: [&str; 4] = ["javascript:", "mailto:", "tel:", "data:"];
    SKIPPED.iter().any(|scheme| {
        href.get(..scheme.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(scheme))
    })
}

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rejected::Invalid(err) => write!(f, "{err}"),
            Rejected::Scheme => f.write_str("only absolute http and https URLs can be crawled"),
            Rejected::TooLong => f.write_str("URL too long"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const BASE: &str = "http://Site.Test:80/dir/page.html?x=1#top";

    #[rstest]
    #[case("a.html", "http://site.test/dir/a.html")]
    #[case("  a.html\n", "http://site.test/dir/a.html")]
    #[case("../up.html", "http://site.test/up.html")]
    #[case("../../../up.html", "http://site.test/up.html")]
    #[case("./b/./c/../d.html", "http://site.test/dir/b/d.html")]
    #[case("/root.html", "http://site.test/root.html")]
    #[case("a.html#frag", "http://site.test/dir/a.html")]
    #[case("#only-fragment", "http://site.test/dir/page.html?x=1")]
    #[case("", "http://site.test/dir/page.html?x=1")]
    #[case("?", "http://site.test/dir/page.html")]
    #[case("list?page=2&b", "http://site.test/dir/list?page=2&b")]
    #[case("HTTP://OTHER.Test:80/X", "http://other.test/X")]
    #[case("https://other.test:443/", "https://other.test/")]
    #[case("http://other.test:8080/", "http://other.test:8080/")]
    #[case("//proto-relative.test/p", "http://proto-relative.test/p")]
    #[case("café.html", "http://site.test/dir/caf%C3%A9.html")]
    #[case("a b.html", "http://site.test/dir/a%20b.html")]
    fn resolves(#[case] href: &str, #[case] expected: &str) {
        let base = Url::parse(BASE).unwrap();
        assert_eq!(resolve(&base, href, 2048).unwrap().as_str(), expected);
    }

    #[rstest]
    #[case(
        "a.html#Install guide",
        "http://site.test/dir/a.html",
        Some("Install%20guide")
    )]
    #[case("#caf\u{e9}", "http://site.test/dir/page.html?x=1", Some("caf%C3%A9"))]
    #[case("a.html#", "http://site.test/dir/a.html", Some(""))]
    #[case("a.html", "http://site.test/dir/a.html", None)]
    fn keeps_the_fragment_apart(
        #[case] href: &str,
        #[case] expected: &str,
        #[case] fragment: Option<&str>,
    ) {
        let base = Url::parse(BASE).unwrap();
        let (url, got) = resolve_with_fragment(&base, href, 2048).unwrap();
        assert_eq!((url.as_str(), got.as_deref()), (expected, fragment));
    }

    #[rstest]
    #[case("mailto:me@site.test")]
    #[case("JavaScript:void(0)")]
    #[case("tel:+123")]
    #[case("data:text/html,hi")]
    #[case("ftp://site.test/file")]
    #[case("file:///etc/passwd")]
    fn skips_other_schemes(#[case] href: &str) {
        let base = Url::parse(BASE).unwrap();
        assert_eq!(resolve(&base, href, 2048), Err(Rejected::Scheme));
    }

    #[test]
    fn rejects_invalid_and_long() {
        let base = Url::parse(BASE).unwrap();
        assert!(matches!(
            resolve(&base, "http://[::1", 2048),
            Err(Rejected::Invalid(_))
        ));
        let long = format!("/{}", "x".repeat(100));
        assert_eq!(resolve(&base, &long, 50), Err(Rejected::TooLong));
    }

    #[rstest]
    #[case("http://user:secret@site.test/a", "http://site.test/a")]
    #[case("http://user@site.test/a", "http://site.test/a")]
    #[case("http://:secret@site.test/a", "http://site.test/a")]
    #[case("//user:secret@other.test/b", "http://other.test/b")]
    #[case(
        "https://u%40x:p%3Aw@other.test:8443/c?q#f",
        "https://other.test:8443/c?q"
    )]
    fn credentials_are_dropped(#[case] href: &str, #[case] expected: &str) {
        let base = Url::parse("http://me:pw@site.test/dir/").unwrap();
        assert_eq!(resolve(&base, href, 2048).unwrap().as_str(), expected);
        // Relative links of a page whose URL carried credentials do not inherit them.
        assert_eq!(
            resolve(&base, "x.html", 2048).unwrap().as_str(),
            "http://site.test/dir/x.html"
        );
        assert_eq!(
            parse_absolute("http://me:pw@site.test/", 2048)
                .unwrap()
                .as_str(),
            "http://site.test/"
        );
    }

    #[rstest]
    #[case("ftp://user:secret@host.test/x", "ftp://host.test/x")]
    #[case("//user:secret@host.test/x", "//host.test/x")]
    #[case("http://a@b:c@host.test?x@y", "http://host.test?x@y")]
    #[case("/path/with@sign", "/path/with@sign")]
    #[case("mailto:someone@site.test", "mailto:someone@site.test")]
    #[case("", "")]
    fn redacts_userinfo_in_reported_locations(#[case] location: &str, #[case] expected: &str) {
        assert_eq!(redact_userinfo(location), expected);
    }

    #[test]
    fn header_bytes_outside_ascii_stay_percent_encoded() {
        let text = header_text(b"/caf\xe9.html?q=\xff&r=\xc3\xa9");
        assert_eq!(text, "/caf%E9.html?q=%FF&r=%C3%A9");
        let base = Url::parse("http://site.test/dir/").unwrap();
        assert_eq!(
            resolve(&base, &text, 2048).unwrap().as_str(),
            "http://site.test/caf%E9.html?q=%FF&r=%C3%A9"
        );
    }

    #[test]
    fn normalisation_is_idempotent() {
        let base = Url::parse(BASE).unwrap();
        for href in ["a.html#x", "../b?", "HTTP://X.Test:80/%7e/", "café.html"] {
            let once = resolve(&base, href, 2048).unwrap();
            let twice = parse_absolute(once.as_str(), 2048).unwrap();
            assert_eq!(once, twice, "{href}");
        }
    }

    #[test]
    fn seeds_must_be_absolute_http() {
        assert!(parse_absolute("http://site.test", 2048).is_ok());
        assert!(matches!(
            parse_absolute("site.test/x", 2048),
            Err(Rejected::Invalid(_))
        ));
        assert_eq!(
            parse_absolute("ftp://site.test/", 2048),
            Err(Rejected::Scheme)
        );
    }

    /// Property tests: the rules hold for generated hrefs, not just the cases above.
    mod props {
        use super::super::{parse_absolute, resolve};
        use crate::DEFAULT_MAX_URL_LEN;
        use proptest::prelude::*;
        use url::Url;

        const BASES: [&str; 5] = [
            "http://Site.Test:80/dir/page.html?x=1#top",
            "https://example.com/a/b/c/",
            "http://127.0.0.1:8080/",
            "http://[::1]:3000/x/y?q",
            "https://xn--caf-dma.test/%7Euser/index.html",
        ];

        /// Pieces an href is made of: dot segments, separators, escapes (good and broken),
        /// unicode, whitespace and control characters, scheme and authority fragments.
        fn piece() -> impl Strategy<Value = String> {
            let fixed = prop::sample::select(vec![
                "..",
                ".",
                "/",
                "//",
                "\\",
                "%2e",
                "%2E%2e",
                "%2F",
                "%",
                "%z",
                "%C3%A9",
                "%00",
                "?",
                "??",
                "#",
                "&",
                "=",
                " ",
                "\t",
                "\n",
                "\r",
                "\u{0}",
                "\u{a0}",
                "\u{feff}",
                "café",
                "日本",
                "ß",
                "İ",
                "http:",
                "HTTPS://Other.Test:443",
                "//Host.Test",
                "//xn--caf-dma.test",
                "//[::1]",
                ":8080",
                ":",
                "@",
                "user:pw@",
                "mailto:",
            ]);
            prop_oneof![
                3 => fixed.prop_map(str::to_owned),
                2 => "[a-zA-Z0-9_~-]{1,6}",
                1 => any::<char>().prop_map(String::from),
            ]
        }

        fn href() -> impl Strategy<Value = String> {
            prop_oneof![
                4 => prop::collection::vec(piece(), 0..10).prop_map(|pieces| pieces.concat()),
                1 => any::<String>(),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn resolved_urls_are_normal_and_stable(
                base in prop::sample::select(BASES.to_vec()),
                href in href(),
            ) {
                let base = Url::parse(base).unwrap();
                // Never panics; a rejected href has nothing more to check.
                let Ok(url) = resolve(&base, &href, DEFAULT_MAX_URL_LEN) else {
                    return Ok(());
                };
                prop_assert!(matches!(url.scheme(), "http" | "https"), "{url}");
                prop_assert_eq!(url.fragment(), None);
                prop_assert_ne!(url.query(), Some(""));
                let host = url.host_str().unwrap_or_default();
                prop_assert!(!host.is_empty() && host.is_ascii(), "{url}");
                prop_assert_eq!(host, host.to_ascii_lowercase());
                prop_assert!(url.as_str().len() <= DEFAULT_MAX_URL_LEN);
                // Normalising the result again changes nothing, as a seed or as a link.
                prop_assert_eq!(parse_absolute(url.as_str(), DEFAULT_MAX_URL_LEN), Ok(url.clone()));
                prop_assert_eq!(resolve(&base, url.as_str(), DEFAULT_MAX_URL_LEN), Ok(url.clone()));
                // And the same href always gives the same URL.
                prop_assert_eq!(resolve(&base, &href, DEFAULT_MAX_URL_LEN), Ok(url));
            }
        }
    }
}
