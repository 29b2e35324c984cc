//! Turns the bytes of an HTML page into text, in the page's own character encoding.
//!
//! Order, after the HTML standard's encoding sniffing, simplified: a byte-order mark, then the
//! `charset` parameter of the `Content-Type` header, then a `<meta charset>` or
//! `<meta http-equiv="Content-Type" content="...; charset=...">` in the first 1024 bytes (a
//! declared UTF-16 read as UTF-8 and `x-user-defined` as windows-1252, as the standard's prescan
//! does), then UTF-8. A header label that names no known encoding is ignored, like a missing one. Undecodable bytes become U+FFFD; decoding never fails.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252, X_USER_DEFINED};

/// How far into the body a `<meta>` charset declaration is looked for, as the standard says.
const PRESCAN_BYTES: usize = 1024;

/// Decodes `body` to text, using `content_type` (the header value, if any) and the document.
pub(crate) fn decode<'a>(body: &'a [u8], content_type: Option<&str>) -> Cow<'a, str> {
    let declared = content_type
        .and_then(charset_param)
        .and_then(|label| Encoding::for_label(label.as_bytes()))
        .or_else(|| prescan(&body[..body.len().min(PRESCAN_BYTES)]))
        .unwrap_or(UTF_8);
    // `decode` honours a BOM over the declared encoding, as browsers do.
    let (text, _encoding, _had_errors) = declared.decode(body);
    text
}

/// The `charset=` parameter of a `Content-Type` value.
fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches(['"', '\'']).to_owned())
    })
}

/// The encoding a `<meta>` in the first bytes declares, as the standard's prescan maps it: a
/// document that can be read with an ASCII-based prescan is not UTF-16, so a declared UTF-16
/// (LE or BE) means UTF-8, and `x-user-defined` means windows-1252.
fn prescan(head: &[u8]) -> Option<&'static Encoding> {
    let declared = Encoding::for_label(meta_charset(head)?.as_bytes())?;
    Some(if declared == UTF_16LE || declared == UTF_16BE {
        UTF_8
    } else if declared == X_USER_DEFINED {
        WINDOWS_1252
    } else {
        declared
    })
}

/// Finds `charset=NAME` inside a `<meta ...>` tag of the first bytes of a document.
fn meta_charset(head: &[u8]) -> Option<String> {
    let lower = head.to_ascii_lowercase();
    let mut rest = lower.as_slice();
    while let Some(start) = find(rest, b"<meta") {
        let tag = &rest[start..];
        let end = tag.iter().position(|&b| b == b'>').unwrap_or(tag.len());
        let tag = &tag[..end];
        if let Some(pos) = find(tag, b"charset") {
            let value = tag[pos + b"charset".len()..]
                .iter()
                .skip_while(|b| b.is_ascii_whitespace())
                .skip_while(|&&b| b == b'=')
                .skip_while(|b| b.is_ascii_whitespace() || **b == b'"' || **b == b'\'')
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'))
                .map(|&b| char::from(b))
                .collect::<String>();
            if !value.is_empty() {
                return Some(value);
            }
        }
        rest = &rest[start + end.max(1)..];
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(b"<meta charset=\"windows-1252\"><p>caf\xe9</p>", None, "caf\u{e9}")]
    #[case(b"<META CHARSET=iso-8859-1><p>\xfc</p>", None, "\u{fc}")]
    #[case(
        b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">\xe9",
        None,
        "\u{e9}"
    )]
    #[case(b"<p>\xe9</p>", Some("text/html; charset=ISO-8859-1"), "\u{e9}")]
    #[case(
        b"<meta charset=utf-8><p>\xc3\xa9</p>",
        Some("text/html; charset=\"latin1\""),
        "\u{c3}"
    )]
    #[case(b"<p>\xc3\xa9</p>", None, "\u{e9}")]
    #[case(
        b"\xef\xbb\xbf<meta charset=windows-1252><p>\xc3\xa9</p>",
        None,
        "\u{e9}"
    )]
    #[case(b"<p>\xff</p>", Some("text/html"), "\u{fffd}")]
    #[case(b"<meta charset=no-such-thing><p>\xc3\xa9</p>", None, "\u{e9}")]
    #[case(
        b"<meta charset=\"utf-16\"><a href=x>\xc3\xa9</a>",
        None,
        "<a href=x>\u{e9}"
    )]
    #[case(b"<meta charset=UTF-16LE><a href=x>", None, "<a href=x>")]
    #[case(b"<meta charset=utf-16be><a href=x>", None, "<a href=x>")]
    #[case(
        b"<meta http-equiv=content-type content='text/html; charset=utf-16'><a href=x>",
        None,
        "<a href=x>"
    )]
    #[case(b"<meta charset=x-user-defined><p>\x80</p>", None, "\u{20ac}")]
    #[case(
        b"<meta charset=windows-1252><p>\xe9</p>",
        Some("text/html; charset=bogus"),
        "\u{e9}"
    )]
    fn decodes(#[case] body: &[u8], #[case] content_type: Option<&str>, #[case] contains: &str) {
        let text = decode(body, content_type);
        assert!(
            text.contains(contains),
            "{text:?} should contain {contains:?}"
        );
    }
}
