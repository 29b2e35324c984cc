//! URLs in CSS: `url(...)` (quoted or not, with CSS escapes) and `@import "..."`.
//!
//! A small scanner rather than a CSS parser: it skips comments and string literals (so
//! `content: "url(x)"` is not a link), decodes escapes (`\28` is `(`), and leaves `data:` URLs
//! out. Used for `<style>` elements, `style` attributes and fetched stylesheets alike.

/// The URLs in `css`, in order; `data:` URLs and empty ones are left out.
pub fn urls(css: &str) -> Vec<String> {
    let mut found = Vec::new();
    let bytes = css.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = css[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |end| i + 2 + end + 2);
            }
            quote @ (b'"' | b'\'') => i = string(css, i + 1, quote).1,
            b'(' if i >= 3
                && css.is_char_boundary(i - 3)
                && css[i - 3..i].eq_ignore_ascii_case("url")
                && !ident_before(bytes, i - 3) =>
            {
                let (url, end) = url_body(css, i + 1);
                keep(&mut found, &url);
                i = end;
            }
            b'@' if bytes.len() >= i + 7
                && css[i + 1..]
                    .get(..6)
                    .is_some_and(|w| w.eq_ignore_ascii_case("import")) =>
            {
                i += 7;
                while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                    i += 1;
                }
                if let Some(&quote @ (b'"' | b'\'')) = bytes.get(i) {
                    let (url, end) = string(css, i + 1, quote);
                    keep(&mut found, &url);
                    i = end;
                }
                // `@import url(...)` is found by the `url(` arm.
            }
            _ => i += 1,
        }
    }
    found
}

fn keep(found: &mut Vec<String>, url: &str) {
    let url = url.trim();
    let is_data = url
        .get(..5)
        .is_some_and(|s| s.eq_ignore_ascii_case("data:"));
    if !url.is_empty() && !is_data {
        found.push(url.to_owned());
    }
}

/// Whether the byte before `at` continues an identifier (`myurl(` is not `url(`).
fn ident_before(bytes: &[u8], at: usize) -> bool {
    at > 0 && {
        let b = bytes[at - 1];
        b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'\\' || b >= 0x80
    }
}

/// Reads a string literal whose opening quote is just before `start`; returns its decoded
/// value and the index after the closing quote.
fn string(css: &str, start: usize, quote: u8) -> (String, usize) {
    let mut value = String::new();
    let mut chars = css[start..].char_indices();
    while let Some((offset, c)) = chars.next() {
        match c {
            c if c == char::from(quote) => return (value, start + offset + 1),
            '\n' => return (value, start + offset),
            '\\' => {
                let (decoded, used) = escape(&css[start + offset + 1..]);
                value.extend(decoded);
                for _ in 0..used {
                    chars.next();
                }
            }
            c => value.push(c),
        }
    }
    (value, css.len())
}

/// Reads the inside of `url(` from `start`; returns the decoded URL and the index after `)`.
fn url_body(css: &str, start: usize) -> (String, usize) {
    let rest = &css[start..];
    let trimmed = rest.trim_start();
    let skipped = start + rest.len() - trimmed.len();
    if let Some(&quote @ (b'"' | b'\'')) = trimmed.as_bytes().first() {
        let (value, end) = string(css, skipped + 1, quote);
        let close = css[end..].find(')').map_or(css.len(), |i| end + i + 1);
        return (value, close);
    }
    let mut value = String::new();
    let mut chars = trimmed.char_indices();
    while let Some((offset, c)) = chars.next() {
        match c {
            ')' => return (value, skipped + offset + 1),
            '\\' => {
                let (decoded, used) = escape(&trimmed[offset + 1..]);
                value.extend(decoded);
                for _ in 0..used {
                    chars.next();
                }
            }
            c => value.push(c),
        }
    }
    (value, css.len())
}

/// Decodes the escape after a backslash: up to six hex digits and one optional whitespace, an
/// escaped newline (nothing), or the next character itself. Returns the character (if any)
/// and how many characters were used.
fn escape(after: &str) -> (Option<char>, usize) {
    let hex: String = after
        .chars()
        .take(6)
        .take_while(char::is_ascii_hexdigit)
        .collect();
    if hex.is_empty() {
        return match after.chars().next() {
            Some('\n') => (None, 1),
            Some(c) => (Some(c), 1),
            None => (None, 0),
        };
    }
    let mut used = hex.len();
    if after[used..].starts_with(|c: char| c.is_ascii_whitespace()) {
        used += 1;
    }
    let code = u32::from_str_radix(&hex, 16).unwrap_or(0xFFFD);
    let c = char::from_u32(code)
        .filter(|&c| c != '\0')
        .unwrap_or(char::REPLACEMENT_CHARACTER);
    (Some(c), used)
}
