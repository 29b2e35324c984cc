//! `--render auto`: which pages are worth rendering.
//!
//! A page is a candidate when its static HTML looks like an application shell ([`Signals`]):
//! it has scripts and either no followed link at all, a `<noscript>` asking for JavaScript, an
//! empty mount point (`<div id="root"></div>`, `app`, `__next`, ...), an inline script that
//! navigates or writes links (`location`, `pushState`, `.href =`, `innerHTML`, `fetch(`), or
//! very few links for the script it carries. A page without any script is never rendered:
//! nothing could change it.
//!
//! Candidates are then weighed per URL [`pattern`] (host and directory, numbers as `*`):
//! while a pattern's renders gain links, each candidate is rendered; once
//! [`GIVE_UP_AFTER`] renders of a pattern gained nothing, only one candidate in
//! [`SAMPLE_EVERY`] is, so a pattern whose pages start to need rendering is noticed. Which
//! pages of a pattern are sampled depends on the order pages finish in, so an `auto` graph
//! may differ between runs on such a site; `always` does not.

use std::collections::HashMap;
use std::sync::Mutex;

use url::Url;

/// Renders of a pattern that gained nothing before the pattern is only sampled.
pub const GIVE_UP_AFTER: u32 = 4;

/// Once a pattern is only sampled, one candidate in this many is rendered.
pub const SAMPLE_EVERY: u32 = 16;

/// Links per KiB of script below which a page with scripts is a candidate.
const MIN_LINKS_PER_SCRIPT_KIB: f64 = 0.2;

/// What an external script is taken to weigh, in KiB, since its size is not known.
const EXTERNAL_SCRIPT_KIB: f64 = 4.0;

/// What an inline script that navigates, or adds links, says (lowercase).
const WRITES_LINKS: [&[u8]; 7] = [
    b"location.href",
    b"location =",
    b"location.assign",
    b"location.replace",
    b"pushstate",
    b".href =",
    b"innerhtml",
];

/// Ids of the elements frameworks mount an application into.
const MOUNT_IDS: [&str; 7] = [
    "root",
    "app",
    "__next",
    "__nuxt",
    "svelte",
    "main",
    "application",
];

/// What the static HTML of a page says about whether it needs a browser.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[non_exhaustive]
pub struct Signals {
    /// `<script>` elements.
    pub scripts: usize,
    /// Of those, with a `src`.
    pub external_scripts: usize,
    /// Bytes of inline script.
    pub inline_script_bytes: usize,
    /// Followed links (anchors, refresh, canonical) the static HTML gave.
    pub followed_links: usize,
    /// A `<noscript>` element mentions JavaScript.
    pub noscript_asks_for_js: bool,
    /// An element with a mount-point id is empty.
    pub empty_mount: bool,
    /// An inline script navigates or writes links.
    pub script_writes_links: bool,
}

impl Signals {
    /// The signals of `body`, whose static links included `followed_links` followed ones.
    pub fn of(body: &[u8], followed_links: usize) -> Self {
        let html = body.to_ascii_lowercase();
        let mut signals = Signals {
            followed_links,
            ..Signals::default()
        };
        let mut at = 0;
        while let Some(start) = find(&html[at..], b"<script").map(|i| at + i) {
            signals.scripts += 1;
            let tag_end = find(&html[start..], b">").map_or(html.len(), |i| start + i + 1);
            if find(&html[start..tag_end], b" src=").is_some() {
                signals.external_scripts += 1;
            }
            let end = find(&html[tag_end..], b"</script").map_or(html.len(), |i| tag_end + i);
            signals.inline_script_bytes += end - tag_end;
            let inline = &html[tag_end..end];
            signals.script_writes_links |= WRITES_LINKS
                .iter()
                .any(|needle| find(inline, needle).is_some());
            at = end;
        }
        let mut at = 0;
        while let Some(start) = find(&html[at..], b"<noscript").map(|i| at + i) {
            let end = find(&html[start..], b"</noscript").map_or(html.len(), |i| start + i);
            signals.noscript_asks_for_js |= find(&html[start..end], b"javascript").is_some();
            at = end;
        }
        signals.empty_mount = MOUNT_IDS.iter().any(|id| empty_element_with_id(&html, id));
        signals
    }

    /// Whether the page looks like an application shell that a browser would fill.
    pub fn app_shell(&self) -> bool {
        if self.scripts == 0 {
            return false;
        }
        #[expect(
            clippy::cast_precision_loss,
            reason = "sizes of a page, far below 2^52"
        )]
        let script_kib = self.inline_script_bytes as f64 / 1024.0
            + self.external_scripts as f64 * EXTERNAL_SCRIPT_KIB;
        #[expect(clippy::cast_precision_loss, reason = "a page's link count")]
        let links = self.followed_links as f64;
        self.followed_links == 0
            || self.noscript_asks_for_js
            || self.empty_mount
            || self.script_writes_links
            || links / script_kib.max(f64::MIN_POSITIVE) < MIN_LINKS_PER_SCRIPT_KIB
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// Whether lowercase `html` has an element `id="ID"` (or `'ID'`) whose content up to the next
/// tag is blank and that next tag is its end tag.
fn empty_element_with_id(html: &[u8], id: &str) -> bool {
    let mut at = 0;
    while let Some(found) = find(&html[at..], b"id=").map(|i| at + i) {
        at = found + 3;
        let rest = &html[at..];
        let value = rest.strip_prefix(b"\"").or_else(|| rest.strip_prefix(b"'"));
        let Some(value) = value.and_then(|v| v.strip_prefix(id.as_bytes())) else {
            continue;
        };
        if !value.starts_with(b"\"") && !value.starts_with(b"'") {
            continue;
        }
        let Some(close) = find(value, b">") else {
            return false;
        };
        let content = &value[close + 1..];
        let text_end = content
            .iter()
            .position(|&b| b == b'<')
            .unwrap_or(content.len());
        if content[..text_end].iter().all(u8::is_ascii_whitespace)
            && content[text_end..].starts_with(b"</")
        {
            return true;
        }
    }
    false
}

/// The pattern a URL is weighed under: its host and port, and its directory with every
/// segment holding a digit written `*` (`/blog/2024/a.html` and `/blog/2025/b.html` are one
/// pattern, `host/blog/*/`).
pub fn pattern(url: &Url) -> String {
    let mut key = crate::fetch::politeness::host_label(url);
    let path = url.path();
    let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
    for segment in dir.split('/').filter(|s| !s.is_empty()) {
        key.push('/');
        if segment.bytes().any(|b| b.is_ascii_digit()) {
            key.push('*');
        } else {
            key.push_str(segment);
        }
    }
    key.push('/');
    key
}

/// What `auto` learned per pattern: renders, renders that gained a link, and candidates seen.
#[derive(Debug, Default)]
pub(crate) struct AutoRender {
    /// A std mutex: held for a map lookup and a few additions, never across an await.
    patterns: Mutex<HashMap<String, Tally>>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    candidates: u32,
    renders: u32,
    gains: u32,
}

impl AutoRender {
    /// Whether a page of `pattern` with `signals` is rendered now.
    pub(crate) fn should_render(&self, pattern: &str, signals: &Signals) -> bool {
        if !signals.app_shell() {
            return false;
        }
        let mut patterns = self
            .patterns
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let tally = patterns.entry(pattern.to_owned()).or_default();
        tally.candidates = tally.candidates.saturating_add(1);
        let barren = tally.gains == 0 && tally.renders >= GIVE_UP_AFTER;
        !barren || tally.candidates % SAMPLE_EVERY == 0
    }

    /// Records that a page of `pattern` was rendered, and whether that gained links.
    pub(crate) fn learn(&self, pattern: String, gained: bool) {
        let mut patterns = self
            .patterns
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let tally = patterns.entry(pattern).or_default();
        tally.renders = tally.renders.saturating_add(1);
        tally.gains = tally.gains.saturating_add(u32::from(gained));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals(html: &str, links: usize) -> Signals {
        Signals::of(html.as_bytes(), links)
    }

    #[test]
    fn a_page_without_script_is_never_a_candidate() {
        assert!(!signals(
            "<div id=root></div><noscript>enable JavaScript</noscript>",
            0
        )
        .app_shell());
        assert!(!signals("<p>hello</p>", 0).app_shell());
    }

    #[test]
    fn app_shell_signals() {
        let shell = r#"<div id="root"></div><script src="/app.js"></script>"#;
        assert!(signals(shell, 0).app_shell());
        assert!(signals(shell, 3).empty_mount);
        let noscript = "<noscript>Please enable JavaScript.</noscript><script>x()</script>";
        assert!(signals(noscript, 10).app_shell());
        let heavy = format!("<script>{}</script>", "x".repeat(100 * 1024));
        assert!(
            signals(&heavy, 5).app_shell(),
            "5 links for 100 KiB of script"
        );
        let nav =
            r#"<a href="/">home</a><script>setTimeout(() => { location.href = "/x"; })</script>"#;
        assert!(signals(nav, 1).script_writes_links);
        let site = r#"<div id="app"><a href="/a">a</a></div><script src="/ga.js"></script>"#;
        let s = signals(site, 40);
        assert!(!s.empty_mount && !s.app_shell(), "{s:?}");
    }

    #[test]
    fn patterns_group_numbered_paths() {
        let p = |u: &str| pattern(&Url::parse(u).unwrap());
        assert_eq!(p("http://a.test/blog/2024/x.html"), "a.test:80/blog/*/");
        assert_eq!(
            p("http://a.test/blog/2025/y"),
            p("http://a.test/blog/2024/x.html")
        );
        assert_eq!(p("http://a.test/"), "a.test:80/");
        assert_ne!(p("http://a.test/docs/a"), p("http://a.test/blog/a"));
    }

    #[test]
    fn a_pattern_that_never_gains_is_only_sampled() {
        let auto = AutoRender::default();
        let shell = signals("<div id=app></div><script src=a.js></script>", 0);
        let mut rendered = 0;
        for _ in 0..GIVE_UP_AFTER {
            assert!(auto.should_render("p", &shell));
            auto.learn("p".to_owned(), false);
        }
        for _ in 0..SAMPLE_EVERY * 2 {
            if auto.should_render("p", &shell) {
                rendered += 1;
            }
        }
        assert_eq!(rendered, 2, "one in {SAMPLE_EVERY}");
        // A pattern that gains keeps being rendered.
        auto.learn("q".to_owned(), true);
        for _ in 0..10 {
            assert!(auto.should_render("q", &shell));
            auto.learn("q".to_owned(), false);
        }
    }
}
