//! A fast check that a seed is already in normal form, so that loading a seeds file of millions
//! of lines needs no URL parser for the usual line.
//!
//! Parsing a URL with the `url` crate costs about a microsecond; a seeds file of ten million
//! lines then spends seconds before its first request, although nearly every line of such a
//! file is an `http(s)://host[:port]/path[?query]` that normalisation leaves as it is.
//! [`is_normal`] accepts only such lines, by a single scan of their bytes, under rules strict
//! enough that the WHATWG parser and [`url_norm`](crate::url_norm) would give back the same
//! string; any other line (upper case, a dot segment, a default port, a fragment, userinfo,
//! a number-like host that is not a plain dotted quad, non-ASCII...) is simply parsed.

/// Whether `seed` is an absolute http(s) URL that [`url_norm::parse_absolute`] would accept
/// and serialize exactly as it is, no longer than `max_len`.
///
/// [`url_norm::parse_absolute`]: crate::url_norm::parse_absolute
pub(crate) fn is_normal(seed: &str, max_len: usize) -> bool {
    if seed.len() > max_len {
        return false;
    }
    let (rest, default_port) = if let Some(rest) = seed.strip_prefix("http://") {
        (rest, "80")
    } else if let Some(rest) = seed.strip_prefix("https://") {
        (rest, "443")
    } else {
        return false;
    };
    let bytes = rest.as_bytes();
    let Some(slash) = bytes
        .iter()
        .position(|b| matches!(b, b'/' | b'?' | b'#' | b'\\'))
    else {
        return false; // the parser would add the path `/`
    };
    let (authority, path_query) = rest.split_at(slash);
    let (host, port) = match authority.bytes().position(|b| b == b':') {
        Some(colon) => (&authority[..colon], Some(&authority[colon + 1..])),
        None => (authority, None),
    };
    is_normal_host(host)
        && port.is_none_or(|port| is_normal_port(port, default_port))
        && is_normal_path_query(path_query)
}

/// Lower-case ASCII labels of letters, digits and `-`, none empty and none an IDNA `xn--`
/// label (the parser decodes and checks those); a host ending in a number must be a dotted
/// quad in decimal (anything else is an IPv4 address written another way, or invalid).
fn is_normal_host(host: &str) -> bool {
    let bytes = host.as_bytes();
    let mut label = 0; // where the current label starts
    for (at, &b) in bytes.iter().enumerate() {
        if b == b'.' {
            if at == label || bytes[label..].starts_with(b"xn--") {
                return false;
            }
            label = at + 1;
        } else if !(b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            return false;
        }
    }
    let last = &bytes[label..];
    if last.is_empty() || last.starts_with(b"xn--") {
        return false;
    }
    let numeric = last.iter().all(u8::is_ascii_digit) || last.starts_with(b"0x");
    !numeric || is_dotted_quad(host)
}

/// Four decimal numbers up to 255 without leading zeros: the form an IPv4 address is
/// serialized in.
fn is_dotted_quad(host: &str) -> bool {
    let mut parts = 0;
    for part in host.split('.') {
        parts += 1;
        let digits_ok = part.bytes().all(|b| b.is_ascii_digit())
            && (1..=3).contains(&part.len())
            && (part == "0" || !part.starts_with('0'));
        if !digits_ok || part.parse::<u16>().map_or(true, |n| n > 255) {
            return false;
        }
    }
    parts == 4
}

/// Digits without a leading zero, at most 65535, and not the scheme's default port (which
/// the parser drops).
fn is_normal_port(port: &str, default_port: &str) -> bool {
    !port.is_empty()
        && port.len() <= 5
        && port.bytes().all(|b| b.is_ascii_digit())
        && !port.starts_with('0')
        && port.parse::<u32>().is_ok_and(|n| n <= 0xFFFF)
        && port != default_port
}

/// A path from `/`, and a query after `?` that is not empty (normalisation drops an empty
/// one): only characters no parser step rewrites (RFC 3986's unreserved and sub-delimiters,
/// `:`, `@`, `/` and `%` followed by two hex digits; `'` not in the query, which the parser
/// encodes there), no fragment, and no `.` or `..` segment, however it is spelled.
fn is_normal_path_query(path_query: &str) -> bool {
    let (path, query) = match path_query.bytes().position(|b| b == b'?') {
        Some(mark) => (&path_query[..mark], Some(&path_query[mark + 1..])),
        None => (path_query, None),
    };
    path.starts_with('/')
        && is_plain(path, false)
        && !has_dot_segment(path)
        && query.is_none_or(|query| !query.is_empty() && is_plain(query, true))
}

fn is_plain(text: &str, query: bool) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().all(|(i, &b)| match b {
        b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'/' | b'.' | b'-' | b'_' => true,
        b'%' => bytes
            .get(i + 1..i + 3)
            .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)),
        b'\'' => !query,
        b'?' => query,
        _ => b"~!$&()*+,;=:@".contains(&b),
    })
}

/// Whether a segment of `path` is `.` or `..`: looked for only after a `/.` or `/%`.
fn has_dot_segment(path: &str) -> bool {
    let suspect = path
        .as_bytes()
        .windows(2)
        .any(|pair| pair[0] == b'/' && matches!(pair[1], b'.' | b'%'));
    suspect && path.split('/').any(is_dot_segment)
}

/// `.` or `..`, each dot possibly written `%2e`: a segment the parser removes.
fn is_dot_segment(segment: &str) -> bool {
    let mut rest = segment.as_bytes();
    let mut dots = 0;
    while !rest.is_empty() {
        rest = match rest {
            [b'.', tail @ ..] => tail,
            [b'%', b'2', e, tail @ ..] if e.eq_ignore_ascii_case(&b'e') => tail,
            _ => return false,
        };
        dots += 1;
    }
    matches!(dots, 1 | 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::url_norm::parse_absolute;

    /// What the check must agree with: the parser gives the line back unchanged.
    fn parsed_unchanged(seed: &str, max_len: usize) -> bool {
        parse_absolute(seed, max_len).is_ok_and(|url| url.as_str() == seed)
    }

    #[test]
    fn accepts_usual_seeds_and_refuses_what_the_parser_would_change() {
        for normal in [
            "http://127.0.0.1:8080/s/1",
            "https://a.test/",
            "http://www.a-b.test/x/y.html?q=1&r=%20;s",
            "http://a.test/it's/~me@x:y/",
            "http://a.test//double/",
            "http://0.0.0.0/",
            "http://255.255.255.255:65535/",
            "http://a1.test.1a/",
        ] {
            assert!(is_normal(normal, 100), "{normal}");
            assert!(parsed_unchanged(normal, 100), "{normal}");
        }
        for changed in [
            "HTTP://a.test/",
            "http://A.test/",
            "http://a.test",
            "http://a.test:80/",
            "https://a.test:443/",
            "http://a.test:08/",
            "http://a.test:/",
            "http://a.test/x#f",
            "http://a.test/?",
            "http://u:p@a.test/",
            "http://a.test/a/../b",
            "http://a.test/a/%2E%2e/b",
            "http://a.test/.",
            "http://a.test/x?it's",
            "http://a.test/x y",
            "http://a.test/%zz",
            "http://a.test/\\x",
            "http://a.test/é",
            "http://127.1/",
            "http://127.0.0.01/",
            "http://1.2.3.4.5/",
            "http://a.0x1/",
            "http://a.123/",
            "http://xn--nxasmq6b.test/",
            "http://a..test/",
            "http://a.test./",
            "ftp://a.test/",
            "file:///tmp/x",
        ] {
            assert!(!is_normal(changed, 100), "{changed}");
        }
        assert!(!is_normal("http://a.test/long", 17));
        assert!(is_normal("http://a.test/long", 18));
    }

    /// Random strings from an alphabet of the characters the rules are about: every one the
    /// check accepts, the parser must give back unchanged (and many are accepted).
    #[test]
    fn agrees_with_the_parser_on_random_urls() {
        const PIECES: [&str; 33] = [
            "a", "z", "Q", "0", "1", "9", "255", "256", "0x", "xn--", "-", ".", "..", ":", "/",
            "//", "?", "#", "%", "%2e", "%2E", "%41", "@", "'", "~", "\\", " ", "é", "80", "443",
            "!", "[", "{",
        ];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut accepted = 0;
        for _ in 0..200_000 {
            let mut seed =
                String::from(["http://", "https://", "http:/", "Http://"][(next() % 4) as usize]);
            // A host (often a good one), a path, and anything after.
            for _ in 0..=next() % 3 {
                seed.push_str(PIECES[usize::try_from(next() % PIECES.len() as u64).unwrap()]);
            }
            if next() % 8 != 0 {
                seed.push('/');
            }
            for _ in 0..next() % 8 {
                seed.push_str(PIECES[usize::try_from(next() % PIECES.len() as u64).unwrap()]);
            }
            if is_normal(&seed, 60) {
                accepted += 1;
                assert!(parsed_unchanged(&seed, 60), "{seed}");
            }
        }
        assert!(accepted > 1_000, "only {accepted} accepted");
    }
}
