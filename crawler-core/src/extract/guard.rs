//! A linear pre-scan that caps the attributes of each tag before html5ever sees the document.
//!
//! html5ever's tokenizer checks each new attribute against the tag's earlier ones for a
//! duplicate, so one tag with `n` distinct attributes costs `n²/2` comparisons: a 1.4 MB page
//! of one such tag took 15 s, and `--timeout` does not cover parsing. This scan walks the
//! document once, with the tokenizer's own rules for where a tag and its attributes start and
//! end (comments, `<!...>`, raw text elements such as `<script>` skipped), and removes every
//! attribute past the first [`MAX_ATTRIBUTES_PER_TAG`] of a tag, except the first `href` and the
//! first `rel`, which extraction needs. A document with no such tag is passed on untouched,
//! without a copy.

use std::borrow::Cow;

/// Attributes of one tag passed to the parser; the rest are removed, except `href` and `rel`
/// (see the module docs). Real pages stay far below it.
pub const MAX_ATTRIBUTES_PER_TAG: usize = 256;

/// Elements whose content the tokenizer reads as text up to their end tag.
const RAW_TEXT: [&[u8]; 9] = [
    b"script",
    b"style",
    b"xmp",
    b"iframe",
    b"noembed",
    b"noframes",
    b"noscript",
    b"textarea",
    b"title",
];

/// `html` with every tag's attributes capped, and the number of attributes removed.
pub(crate) fn cap_attributes(html: &str) -> (Cow<'_, str>, usize) {
    let mut scan = Scan {
        bytes: html.as_bytes(),
        at: 0,
        cut: Vec::new(),
    };
    scan.document();
    if scan.cut.is_empty() {
        return (Cow::Borrowed(html), 0);
    }
    let removed = scan.cut.len();
    let mut out = Vec::with_capacity(html.len());
    let mut from = 0;
    for (start, end) in scan.cut {
        out.extend_from_slice(&html.as_bytes()[from..start]);
        from = end;
    }
    out.extend_from_slice(&html.as_bytes()[from..]);
    // Cuts start and end next to ASCII delimiters, so the text stays UTF-8; never panic anyway.
    let text = String::from_utf8(out)
        .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned());
    (Cow::Owned(text), removed)
}

struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
    /// Byte ranges of the attributes to remove, in order.
    cut: Vec<(usize, usize)>,
}

impl<'a> Scan<'a> {
    fn peek(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.at + offset).copied()
    }

    fn starts_with(&self, prefix: &[u8]) -> bool {
        self.bytes[self.at..].starts_with(prefix)
    }

    /// Moves past the next `needle`, or to the end.
    fn skip_past(&mut self, needle: &[u8]) {
        self.at = find(&self.bytes[self.at..], needle, false)
            .map_or(self.bytes.len(), |i| self.at + i + needle.len());
    }

    fn document(&mut self) {
        while let Some(i) = self.bytes[self.at..].iter().position(|&b| b == b'<') {
            self.at += i;
            if self.starts_with(b"<!--") {
                self.at += 4;
                self.skip_past(b"-->");
            } else if matches!(self.peek(1), Some(b'!' | b'?')) {
                self.skip_past(b">");
            } else if self.peek(1) == Some(b'/')
                && self.peek(2).is_some_and(|b| b.is_ascii_alphabetic())
            {
                self.at += 2;
                self.tag();
            } else if self.peek(1).is_some_and(|b| b.is_ascii_alphabetic()) {
                self.at += 1;
                let name = self.tag();
                if name.eq_ignore_ascii_case(b"plaintext") {
                    return;
                }
                if let Some(raw) = RAW_TEXT.iter().find(|raw| name.eq_ignore_ascii_case(raw)) {
                    self.skip_to_end_tag(raw);
                }
            } else {
                self.at += 1;
            }
        }
    }

    /// Moves to the `</name` that ends a raw text element, or to the end.
    fn skip_to_end_tag(&mut self, name: &[u8]) {
        let mut needle = b"</".to_vec();
        needle.extend_from_slice(name);
        self.at =
            find(&self.bytes[self.at..], &needle, true).map_or(self.bytes.len(), |i| self.at + i);
    }

    /// Reads a tag from its name to its `>`, marking attributes past the cap; returns the name.
    fn tag(&mut self) -> Vec<u8> {
        let start = self.at;
        while self
            .peek(0)
            .is_some_and(|b| !is_space(b) && b != b'/' && b != b'>')
        {
            self.at += 1;
        }
        let name = self.bytes[start..self.at].to_vec();
        let (mut count, mut kept_href, mut kept_rel) = (0usize, false, false);
        // A removed attribute takes the blanks before it along.
        let mut previous_end = self.at;
        loop {
            while self.peek(0).is_some_and(|b| is_space(b) || b == b'/') {
                self.at += 1;
            }
            match self.peek(0) {
                None => return name,
                Some(b'>') => {
                    self.at += 1;
                    return name;
                }
                Some(_) => {}
            }
            let attr_name = self.attribute();
            count += 1;
            let keep = if attr_name.eq_ignore_ascii_case(b"href") {
                !std::mem::replace(&mut kept_href, true) || count <= MAX_ATTRIBUTES_PER_TAG
            } else if attr_name.eq_ignore_ascii_case(b"rel") {
                !std::mem::replace(&mut kept_rel, true) || count <= MAX_ATTRIBUTES_PER_TAG
            } else {
                count <= MAX_ATTRIBUTES_PER_TAG
            };
            if !keep {
                self.cut.push((previous_end, self.at));
            }
            previous_end = self.at;
        }
    }

    /// Reads one attribute (name, then `= value` if there is one); returns its name.
    fn attribute(&mut self) -> &'a [u8] {
        let start = self.at;
        // The first character may be `=`: it is then part of the name, as in the tokenizer.
        self.at += 1;
        while self
            .peek(0)
            .is_some_and(|b| !is_space(b) && !matches!(b, b'/' | b'>' | b'='))
        {
            self.at += 1;
        }
        let end = self.at;
        let mut after = self.at;
        while self.bytes.get(after).copied().is_some_and(is_space) {
            after += 1;
        }
        if self.bytes.get(after) == Some(&b'=') {
            self.at = after + 1;
            while self.peek(0).is_some_and(is_space) {
                self.at += 1;
            }
            match self.peek(0) {
                Some(quote @ (b'"' | b'\'')) => {
                    self.at += 1;
                    self.skip_past(&[quote]);
                }
                _ => {
                    while self.peek(0).is_some_and(|b| !is_space(b) && b != b'>') {
                        self.at += 1;
                    }
                }
            }
        }
        &self.bytes[start..end]
    }
}

/// The HTML tokenizer's whitespace.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// The first position of `needle` in `haystack`, ASCII case-insensitively if asked.
fn find(haystack: &[u8], needle: &[u8], ignore_case: bool) -> Option<usize> {
    let first = needle.first()?.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = haystack[from..]
        .iter()
        .position(|b| b.to_ascii_lowercase() == first)
    {
        let at = from + i;
        let candidate = haystack.get(at..at + needle.len())?;
        let found = if ignore_case {
            candidate.eq_ignore_ascii_case(needle)
        } else {
            candidate == needle
        };
        if found {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tag `<name` with `n` attributes `a0 .. a{n-1}`, each written by `attr`.
    fn wide(name: &str, n: usize, attr: impl Fn(usize) -> String) -> String {
        let mut tag = format!("<{name}");
        for i in 0..n {
            tag.push(' ');
            tag.push_str(&attr(i));
        }
        tag.push('>');
        tag
    }

    #[test]
    fn ordinary_documents_are_borrowed_untouched() {
        let html = format!(
            "<!doctype html><a href=x rel=y>t</a>{}",
            wide("p", MAX_ATTRIBUTES_PER_TAG, |i| format!("a{i}='v>'"))
        );
        let (out, removed) = cap_attributes(&html);
        assert!(matches!(out, Cow::Borrowed(_)));
        assert_eq!(removed, 0);
    }

    #[test]
    fn every_attribute_syntax_counts() {
        // Unquoted, single- and double-quoted values holding `>`, bare names, `/` separators,
        // no blank between a quoted value and the next name, and `=` starting a name.
        for attr in [
            |i| format!("u{i}=v"),
            |i| format!("s{i}='>'"),
            |i| format!("d{i}=\">\""),
            |i| format!("b{i}"),
            |i| format!("/x{i}/"),
            |i| format!("q{i}=\"\"n{i}"),
            |i| format!("={i}=v"),
        ] {
            let html = wide("div", MAX_ATTRIBUTES_PER_TAG + 10, attr) + "<a href=ok>";
            let (out, removed) = cap_attributes(&html);
            assert!(removed >= 10, "{removed}: {html:.80}");
            assert!(out.ends_with("><a href=ok>"), "{out:.80}");
        }
    }

    #[test]
    fn comments_and_raw_text_are_not_tags() {
        let many = wide("a", MAX_ATTRIBUTES_PER_TAG + 5, |i| format!("x{i}"));
        for html in [
            format!("<!-- {many} -->"),
            format!("<script>{many}</script>"),
            format!("<STYLE>{many}</style>"),
            format!("<title>{many}</title>"),
            format!("<plaintext>{many}"),
        ] {
            assert_eq!(cap_attributes(&html).1, 0, "{html:.40}");
        }
        // After the raw text ends, tags count again.
        let html = format!("<script>x</script >{many}");
        assert_eq!(cap_attributes(&html).1, 5);
    }

    #[test]
    fn the_first_href_and_rel_survive_the_cap() {
        let mut html = wide("a", MAX_ATTRIBUTES_PER_TAG, |i| format!("x{i}"));
        html.pop();
        html.push_str(" HREF=first rel=r href=second>é");
        let (out, removed) = cap_attributes(&html);
        assert_eq!(removed, 1);
        assert!(out.ends_with(" HREF=first rel=r>é"), "{out:.80}");
    }

    #[test]
    fn unfinished_tags_end_the_scan_without_panicking() {
        for html in [
            "<a", "<a b=\"", "<a b='x", "<a b=", "</", "<!--", "<script>", "<a é=ü",
        ] {
            let (out, _) = cap_attributes(html);
            assert_eq!(out, html);
        }
    }
}
