//! Keeps what one robots.txt costs bounded, before the file is compiled.
//!
//! The rule matcher compiles every rule holding a `$` (an end anchor) into a regular
//! expression of its own: 10 to 15 KB each once used, so a hostile 500 KiB file of 20,000
//! `Disallow: /*x$` lines cost over 300 MB per host (and seconds of CPU) before this bound.
//! Rules without `$` are a prefix or `*` match on the text itself and cost their length.
//!
//! So at most [`MAX_ANCHORED_RULES`] lines of a file keep their `$`. Past it, each line is made
//! cheaper in the direction that keeps the crawl polite:
//! - an `Allow` with a `$` is dropped (it could only have allowed more);
//! - any other line loses its `$`s: an anchored `Disallow: /*.pdf$` becomes the prefix-or-glob
//!   rule `Disallow: /*.pdf`, which disallows at least as much.
//!
//! Lines end at `\n`, `\r` or NUL, as in the matcher's own parser, so no line escapes the count.
//! The count runs over the whole file, whatever the group: rules of other agents cannot be
//! compiled by us, but counting them costs a hostile file nothing it could use, and a file that
//! spends the bound elsewhere only makes our own anchored rules stricter.

use std::borrow::Cow;

/// Lines of one robots.txt that keep their `$` end anchor (each is compiled to a regular
/// expression); past this, they are made cheaper as the module docs say.
pub const MAX_ANCHORED_RULES: usize = 100;

/// `txt` with at most [`MAX_ANCHORED_RULES`] lines holding a `$` (borrowed when within it).
pub(super) fn bound(txt: &[u8]) -> Cow<'_, [u8]> {
    let anchored = txt
        .split(|&b| is_line_end(b))
        .filter(|line| rule_part(line).contains(&b'$'))
        .count();
    if anchored <= MAX_ANCHORED_RULES {
        return Cow::Borrowed(txt);
    }
    let mut out = Vec::with_capacity(txt.len());
    let mut kept = 0;
    for line in txt.split(|&b| is_line_end(b)) {
        if rule_part(line).contains(&b'$') {
            if kept < MAX_ANCHORED_RULES {
                kept += 1;
                out.extend_from_slice(line);
            } else if !is_allow(line) {
                out.extend(rule_part(line).iter().filter(|&&b| b != b'$'));
            }
        } else {
            out.extend_from_slice(line);
        }
        out.push(b'\n');
    }
    Cow::Owned(out)
}

fn is_line_end(b: u8) -> bool {
    matches!(b, b'\n' | b'\r' | 0)
}

/// The line before any `#` comment.
fn rule_part(line: &[u8]) -> &[u8] {
    line.split(|&b| b == b'#').next().unwrap_or_default()
}

/// Whether the line is an `Allow` rule (its key, after leading blanks).
fn is_allow(line: &[u8]) -> bool {
    let key = line.trim_ascii_start();
    key.get(..5)
        .is_some_and(|k| k.eq_ignore_ascii_case(b"allow"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use texting_robots::Robot;

    /// A file of `n` anchored rules for `*`, after a few ordinary ones.
    fn hostile(n: usize) -> Vec<u8> {
        let mut txt = b"User-agent: *\r\nDisallow: /private\nAllow: /private/ok$\n".to_vec();
        for i in 0..n {
            let key = if i % 2 == 0 { "Disallow" } else { "allow" };
            txt.extend_from_slice(format!("{key}: /*-{i:05}-*b$ # rule {i}\r").as_bytes());
        }
        txt
    }

    fn anchored_lines(txt: &[u8]) -> usize {
        txt.split(|&b| is_line_end(b))
            .filter(|l| rule_part(l).contains(&b'$'))
            .count()
    }

    #[test]
    fn a_file_within_the_bound_is_untouched() {
        let txt = hostile(MAX_ANCHORED_RULES - 1);
        assert!(matches!(bound(&txt), Cow::Borrowed(t) if t == txt.as_slice()));
    }

    #[test]
    fn anchored_rules_past_the_bound_are_made_cheap_and_stricter() {
        let txt = hostile(20_000);
        assert_eq!(anchored_lines(&txt), 20_001);
        let bounded = bound(&txt);
        assert_eq!(anchored_lines(&bounded), MAX_ANCHORED_RULES);
        let robot = Robot::new("crawlgraph", &bounded).unwrap();
        // Rules within the bound keep their meaning, anchor included.
        assert!(robot.allowed("http://site.test/private/ok"));
        assert!(!robot.allowed("http://site.test/private/ok/more"));
        assert!(!robot.allowed("http://site.test/x/-00000-/b"));
        assert!(robot.allowed("http://site.test/x/-00000-/b/more"));
        // Past it, a disallow lost its anchor (so it disallows more) and an allow is gone.
        let (late_disallow, late_allow) = (19_998, 19_999);
        assert!(!robot.allowed(&format!("http://site.test/-{late_disallow}-/b/more")));
        assert!(robot.allowed(&format!("http://site.test/-{late_allow}-/b")));
        assert!(robot.allowed("http://site.test/public"));
    }

    #[test]
    fn every_line_ending_of_the_parser_is_a_line_end() {
        let txt = b"Disallow: /a$\0Disallow: /b$\rDisallow: /c$\n".repeat(MAX_ANCHORED_RULES);
        assert_eq!(anchored_lines(&bound(&txt)), MAX_ANCHORED_RULES);
    }
}
