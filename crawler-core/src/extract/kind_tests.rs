//! The extraction table (every tag and attribute pair, `srcset`, CSS `url()`, meta refresh,
//! robots directives, headers), checked on both the tokenizer and the DOM path.

use rstest::rstest;

use super::links::{link_header, refresh_url, srcset};
use super::*;

/// (kind, href, text) of every link, on both paths; panics if the paths disagree.
fn typed(html: &str) -> Vec<(LinkKind, String, Option<String>)> {
    let run = |how| {
        extract_with(how, html, usize::MAX)
            .links
            .into_iter()
            .map(|l| (l.kind, l.href, l.text))
            .collect::<Vec<_>>()
    };
    let tokens = run(Extraction::Tokens);
    assert_eq!(tokens, run(Extraction::Dom), "paths disagree on {html}");
    tokens
}

fn kinds_and_hrefs(html: &str) -> Vec<(LinkKind, String)> {
    typed(html).into_iter().map(|(k, h, _)| (k, h)).collect()
}

use LinkKind::{
    Alternate, Anchor, Canonical, Css, Embed, Icon, Link, Manifest, Preload, Refresh, Stylesheet,
};

#[rstest]
#[case(r#"<a href="a">x</a>"#, &[(Anchor, "a")])]
#[case(r#"<map><area href="m"></map>"#, &[(Anchor, "m")])]
#[case(r#"<img src="i.png">"#, &[(Embed, "i.png")])]
#[case(r#"<img src="i.png" srcset="i2.png 2x, i3.png 3x">"#, &[(Embed, "i.png"), (Embed, "i2.png"), (Embed, "i3.png")])]
#[case(r#"<script src="s.js"></script>"#, &[(Embed, "s.js")])]
#[case(r#"<iframe src="f.html"></iframe>"#, &[(Embed, "f.html")])]
#[case(r#"<frameset><frame src="fr.html"></frameset>"#, &[(Embed, "fr.html")])]
#[case(r#"<embed src="e.swf">"#, &[(Embed, "e.swf")])]
#[case(r#"<object data="o.svg"></object>"#, &[(Embed, "o.svg")])]
#[case(r#"<picture><source srcset="p.webp"><img src="p.png"></picture>"#, &[(Embed, "p.webp"), (Embed, "p.png")])]
#[case(r#"<video src="v.mp4" poster="v.jpg"><source src="v.webm"><track src="v.vtt"></video>"#, &[(Embed, "v.mp4"), (Embed, "v.jpg"), (Embed, "v.webm"), (Embed, "v.vtt")])]
#[case(r#"<audio src="a.mp3"></audio>"#, &[(Embed, "a.mp3")])]
#[case(r#"<input type="image" src="go.png"><input type="text" src="no.png">"#, &[(Embed, "go.png")])]
#[case(r#"<link rel="stylesheet" href="s.css">"#, &[(Stylesheet, "s.css")])]
#[case(r#"<link rel="alternate stylesheet" href="alt.css">"#, &[(Stylesheet, "alt.css")])]
#[case(r#"<link rel="canonical" href="c.html">"#, &[(Canonical, "c.html")])]
#[case(r#"<link rel="icon" href="f.ico"><link rel="apple-touch-icon" href="t.png">"#, &[(Icon, "f.ico"), (Icon, "t.png")])]
#[case(r#"<link rel="manifest" href="m.json">"#, &[(Manifest, "m.json")])]
#[case(r#"<link rel="preload" href="p.woff2"><link rel="modulepreload" href="m.js">"#, &[(Preload, "p.woff2"), (Preload, "m.js")])]
#[case(r#"<link rel="next" href="2.html"><link href="norel">"#, &[(Link, "2.html"), (Link, "norel")])]
#[case(r#"<link rel="preconnect" href="https://cdn.test"><link rel="dns-prefetch" href="//x.test">"#, &[])]
#[case(r#"<meta http-equiv="refresh" content="5; url=next.html">"#, &[(Refresh, "next.html")])]
#[case(r#"<meta http-equiv="Refresh" content="0">"#, &[])]
#[case(r#"<div style="background: url(bg.png)"></div>"#, &[(Css, "bg.png")])]
#[case(r#"<a href="x" style="background:url('a.png')">x</a>"#, &[(Anchor, "x"), (Css, "a.png")])]
#[case(r#"<style>@import "i.css"; body { background: url(b.png) }</style>"#, &[(Css, "i.css"), (Css, "b.png")])]
#[case(r#"<script>var s = '<img src="no.png">';</script><noscript><img src="ns.png"></noscript>"#, &[])]
fn every_tag_and_attribute(#[case] html: &str, #[case] expected: &[(LinkKind, &str)]) {
    let expected: Vec<(LinkKind, String)> = expected
        .iter()
        .map(|(k, h)| (*k, (*h).to_owned()))
        .collect();
    assert_eq!(kinds_and_hrefs(html), expected);
}

#[test]
fn alternate_keeps_hreflang_and_anchor_keeps_text() {
    let links = typed(
        r#"<link rel="alternate" hreflang="fr" href="/fr/"><link rel="alternate" href="/feed"><a href="a">Go <b>on</b></a>"#,
    );
    assert_eq!(
        links,
        [
            (Alternate, "/fr/".to_owned(), Some("fr".to_owned())),
            (Alternate, "/feed".to_owned(), None),
            (Anchor, "a".to_owned(), Some("Go on".to_owned())),
        ]
    );
}

#[rstest]
#[case("a.png", &["a.png"])]
#[case("a.png 1x, b.png 2x", &["a.png", "b.png"])]
#[case("  a.png   480w ,b.png 800w  ", &["a.png", "b.png"])]
#[case("a.png,b.png", &["a.png,b.png"])] // a comma inside a URL stays (no whitespace)
#[case("a.png, b.png,", &["a.png", "b.png"])]
#[case("a.png, , b.png 2x", &["a.png", "b.png"])]
#[case("x.png 1x (weird, descriptor), y.png", &["x.png", "y.png"])]
#[case("data:image/png;base64,AAAA 1x, z.png 2x", &["data:image/png;base64,AAAA", "z.png"])]
#[case("", &[])]
fn srcset_forms(#[case] value: &str, #[case] expected: &[&str]) {
    assert_eq!(srcset(value), expected);
}

#[rstest]
#[case("body{background:url(a.png)}", &["a.png"])]
#[case("x{background:url( 'b c.png' )}", &["b c.png"])]
#[case("x{background:URL(\"d.png\")}", &["d.png"])]
#[case("x{src:url(  e.png  )}", &["e.png"])]
#[case(r"x{background:url(f\(1\).png)}", &["f(1).png"])]
#[case(r"x{background:url('\67 .png')}", &["g.png"])]
#[case("x{background:url(data:image/png;base64,AAAA)}", &[])]
#[case("x{background:url('DATA:x')}", &[])]
#[case("@import 'h.css'; @import url(i.css) screen;", &["h.css", "i.css"])]
#[case("@IMPORT \"j.css\";", &["j.css"])]
#[case("/* url(no.png) */ x{content:\"url(no2.png)\"}", &[])]
#[case("x{background:myurl(no.png)}", &[])]
#[case("x{background:url()}", &[])]
#[case("x{background:url(unclosed.png", &["unclosed.png"])]
fn css_url_forms(#[case] css: &str, #[case] expected: &[&str]) {
    assert_eq!(css::urls(css), expected);
}

#[rstest]
#[case("5; url=next.html", Some("next.html"))]
#[case("0;URL='q.html'", Some("q.html"))]
#[case("0; url = \"dq.html\" ", Some("dq.html"))]
#[case("3, other.html", Some("other.html"))]
#[case("1.5;url=frac.html", Some("frac.html"))]
#[case("url=bare.html", Some("bare.html"))]
#[case("0", None)]
#[case("5;", None)]
#[case("", None)]
fn refresh_forms(#[case] content: &str, #[case] expected: Option<&str>) {
    assert_eq!(refresh_url(content), expected);
}

#[rstest]
#[case(r#"<meta name="robots" content="noindex, nofollow">"#, true, true)]
#[case(r#"<meta name="ROBOTS" content="NONE">"#, true, true)]
#[case(r#"<meta name="crawlgraph" content="nofollow">"#, true, false)]
#[case(r#"<meta name="googlebot" content="nofollow">"#, false, false)]
#[case(r#"<meta name="robots" content="index, follow">"#, false, false)]
fn meta_robots(#[case] html: &str, #[case] nofollow: bool, #[case] noindex: bool) {
    for how in [Extraction::Tokens, Extraction::Dom] {
        let robots = extract_with(how, html, usize::MAX).robots;
        assert_eq!(
            (robots.nofollow, robots.noindex),
            (nofollow, noindex),
            "{how:?}"
        );
    }
}

#[test]
fn header_links_and_x_robots_tag() {
    let mut robots = RobotsDirectives::default();
    let links = links::from_headers(
        [
            (
                "Link",
                r#"</s.css>; rel=preload; as=style, <https://x.test/n>; rel="next""#,
            ),
            ("Refresh", "2; url=/later"),
            ("X-Robots-Tag", "googlebot: noindex"),
            ("X-Robots-Tag", "crawlgraph: nofollow"),
        ],
        &mut robots,
    );
    let got: Vec<(LinkKind, &str, Option<&str>)> = links
        .iter()
        .map(|l| (l.kind, l.href.as_str(), l.rel.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (LinkKind::Header, "/s.css", Some("preload")),
            (LinkKind::Header, "https://x.test/n", Some("next")),
            (LinkKind::Refresh, "/later", None),
        ]
    );
    assert!(robots.nofollow && !robots.noindex);
    assert_eq!(
        link_header("<a>, <b>; rel=x"),
        [("a", None), ("b", Some("x".to_owned()))]
    );
}

#[test]
fn link_cap_counts_every_kind() {
    let html = r#"<img src="1"><a href="2">x</a><link rel="stylesheet" href="3"><img src="4">"#;
    for how in [Extraction::Tokens, Extraction::Dom] {
        let out = extract_with(how, html, 3);
        let hrefs: Vec<&str> = out.links.iter().map(|l| l.href.as_str()).collect();
        assert_eq!(hrefs, ["1", "2", "3"], "{how:?}");
        assert_eq!(out.links[1].text.as_deref(), Some("x"));
    }
}
