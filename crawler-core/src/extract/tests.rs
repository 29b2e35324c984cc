use super::*;
use rstest::rstest;

fn hrefs(html: &str) -> Vec<String> {
    extract(html, usize::MAX)
        .links
        .into_iter()
        .map(|l| l.href)
        .collect()
}

#[rstest]
#[case(r#"<a href="a.html">A</a>"#, &["a.html"])]
#[case(r"<a href='  spaced.html '>x</a>", &["  spaced.html "])]
#[case(r#"<map><area href="/map.html" alt=m></map>"#, &["/map.html"])]
#[case(r#"<a>no href</a><a href="">empty</a>"#, &[""])]
#[case(r#"<link href="style.css"><img src="i.png"><script src="s.js"></script>"#, &["style.css", "i.png", "s.js"])]
#[case(r#"<a href="1"></a><div><a href="2"><a href="3"></a></a></div>"#, &["1", "2", "3"])]
#[case(r#"<A HREF="upper.html">x</A>"#, &["upper.html"])]
#[case(r#"<p><a href="unclosed.html">text<p>more"#, &["unclosed.html", "unclosed.html"])] // HTML5 reopens the <a> in the new <p>, as browsers do
#[case(r#"<a href="a&amp;b.html">entity</a>"#, &["a&b.html"])]
fn finds_links(#[case] html: &str, #[case] expected: &[&str]) {
    assert_eq!(hrefs(html), expected);
}

#[test]
fn keeps_text_and_rel() {
    let out = extract(
        r#"<a href="x" rel="nofollow noopener">  Hello,
           <b>big</b>   world </a><area href="y" rel="help">"#,
        usize::MAX,
    );
    assert_eq!(out.links[0].text.as_deref(), Some("Hello, big world"));
    assert_eq!(out.links[0].rel.as_deref(), Some("nofollow noopener"));
    assert_eq!(out.links[1].text, None);
    assert_eq!(out.links[1].rel.as_deref(), Some("help"));
}

#[test]
fn first_base_and_title() {
    let out = extract(
        "<head><title> The  Title </title><base href=\"/b/\"><base href=\"/c/\"></head>",
        usize::MAX,
    );
    assert_eq!(out.base.as_deref(), Some("/b/"));
    assert_eq!(out.title.as_deref(), Some("The Title"));
}

#[test]
fn caps_link_count_and_text_length() {
    let html = format!("<a href=\"x\">{}</a>", "w".repeat(500)).repeat(50);
    let out = extract(&html, 10);
    assert_eq!(out.links.len(), 10);
    assert_eq!(
        out.links[0].text.as_ref().unwrap().chars().count(),
        MAX_TEXT_CHARS
    );
}

#[test]
fn survives_deep_nesting() {
    let html = format!(
        "{}<a href=\"deep\">d</a>",
        "<div>".repeat(MAX_UNCLOSED_TAGS / 2)
    );
    assert_eq!(hrefs(&html), ["deep"]);
}

#[test]
fn survives_garbage() {
    let out = extract(
        "\u{0}<<<a href=\"\u{0}x\">\u{fffd}</a></</>>\u{0}",
        usize::MAX,
    );
    assert_eq!(out.links.len(), 1);
}

/// Found by the `extract` fuzz target: an unclosed `<title>` (the crash input below, mutated
/// from `fixtures/site/café.html`) runs to the end of the document, and its collapsed text came
/// back longer than [`MAX_TEXT_CHARS`] because the spaces between words were not counted.
#[rstest]
#[case::crash_input(FUZZ_UNCLOSED_TITLE.to_owned())]
#[case::many_words(format!("<title>{}</title>", "w ".repeat(MAX_TEXT_CHARS)))]
fn title_cap_counts_the_spaces_between_words(#[case] html: String) {
    let title = extract(&html, usize::MAX).title.unwrap();
    let chars = title.chars().count();
    assert!(chars <= MAX_TEXT_CHARS, "{chars} characters: {title}");
    assert!(chars >= MAX_TEXT_CHARS - 1, "cut at the cap: {chars}");
    assert!(!title.ends_with(' '));
}

#[test]
fn link_text_cap_counts_the_spaces_between_words() {
    let html = format!("<a href=x>{}</a>", "w ".repeat(MAX_TEXT_CHARS));
    let text = extract(&html, usize::MAX).links[0].text.clone().unwrap();
    assert_eq!(text.chars().count(), MAX_TEXT_CHARS - 1);
    assert!(text.starts_with("w w w") && text.ends_with('w'));
}

/// The fuzz crash input, verbatim.
const FUZZ_UNCLOSED_TITLE: &str = r#"<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>crawlgraph its URL is
http://SERVER/caf%C3%A9.html.</p>
<p><a hrafé</h1>
<p>This file is named café.html in UTF-8 (NFC); its URL is
http://SERVER/caf%C3%A9.html.</p>
<p><a href="latin1.html">Back to the windows-1252 page</a></p>
<p><a href="index.html">Home</a></p>
</body>
</html>
"#;

/// Both paths agree on every page of the fixture site (a realistic document set).
#[test]
fn tokenizer_path_matches_tree_path_on_fixture_pages() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/site");
    let mut pages = 0;
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "html") {
                let bytes = std::fs::read(&path).unwrap();
                let html = crate::extract::charset::decode(&bytes, None);
                let collecting = || Extracted {
                    anchors: Some(Anchors::default()),
                    ..Extracted::default()
                };
                assert_eq!(
                    tokens::extract(&html, 100, collecting()),
                    tree::extract(&html, 100, collecting()),
                    "{}",
                    path.display()
                );
                pages += 1;
            }
        }
    }
    assert!(pages >= 10, "found only {pages} pages");
}

#[rstest]
#[case(r#"<script>document.write('<a href="no1">')</script><a href="yes">y</a>"#, &["yes"])]
#[case(r#"<style>a[href="no2"]{}</style><noscript><a href="no3"></a></noscript>"#, &[])]
#[case(r#"<template><a href="no4">t</a></template><a href="yes">y</a>"#, &["yes"])]
#[case(r#"<textarea><a href="no5"></textarea><title><a href="no6"></title>"#, &[])]
#[case(r#"<a href="1">one<a href="2">two</a>"#, &["1", "2"])]
fn tokenizer_path_skips_raw_text(#[case] html: &str, #[case] expected: &[&str]) {
    let links: Vec<String> = tokens::extract(html, usize::MAX, Extracted::default())
        .links
        .into_iter()
        .map(|l| l.href)
        .collect();
    assert_eq!(links, expected);
    let tree: Vec<String> = tree::extract(html, usize::MAX, Extracted::default())
        .links
        .into_iter()
        .map(|l| l.href)
        .collect();
    assert_eq!(tree, expected, "the tree path agrees");
}

#[test]
fn tokenizer_path_texts_and_title() {
    let out = tokens::extract(
        "<title> T  1 </title><title>T2</title><a href=x rel=next> a <b>b</b></a>after<area href=y>",
        usize::MAX,
        Extracted::default(),
    );
    assert_eq!(out.title.as_deref(), Some("T 1"));
    assert_eq!(out.links[0].text.as_deref(), Some("a b"));
    assert_eq!(out.links[0].rel.as_deref(), Some("next"));
    assert_eq!(out.links[1].text, None);
}

#[test]
fn deep_markup_takes_the_linear_path() {
    assert_eq!(nesting_depth(b"<div><p>x</p></div>"), 2);
    assert_eq!(nesting_depth(b"<div><p>x</div>"), 2);
    assert_eq!(nesting_depth(b"<br><br/><img src=i><a href=x>y</a>"), 1);
    assert_eq!(nesting_depth("<p>x</P>".repeat(100_000).as_bytes()), 1);
    // A megabyte of nesting is extracted quickly (the tree builder would take minutes).
    let html = format!("{}<a href=\"deep\">d</a>", "<div>".repeat(200_000));
    assert!(nesting_depth(html.as_bytes()) > MAX_UNCLOSED_TAGS);
    assert_eq!(hrefs(&html), ["deep"]);
}

#[test]
fn end_tags_that_close_nothing_do_not_hide_the_nesting() {
    // Each `</x>` closes nothing, so the `<div>`s nest 200,000 deep; counting end tags alone
    // (the old estimate) saw a balanced document and sent it to the tree builder.
    let junk = format!("{}<a href=\"junk\">j</a>", "<div></x>".repeat(200_000));
    assert_eq!(nesting_depth(junk.as_bytes()), 200_001);
    assert_eq!(hrefs(&junk), ["junk"]);
    // Balanced, but 5,000 deep at its deepest point: still too deep for the tree builder.
    let balanced = format!(
        "{}<a href=b>b</a>{}",
        "<div>".repeat(5000),
        "</div>".repeat(5000)
    );
    assert_eq!(nesting_depth(balanced.as_bytes()), 5001);
}

#[test]
fn one_tag_with_a_hundred_thousand_attributes_is_capped_before_parsing() {
    use std::fmt::Write as _;
    let mut html = String::from("<p><a");
    for i in 0..100_000 {
        let _ = write!(html, " a{i}=\"v\"");
    }
    html.push_str(" href=\"/late.html\" rel=next>many</a><a href=\"/after.html\">after</a>");
    let (capped, removed) = guard::cap_attributes(&html);
    assert_eq!(removed, 100_000 - MAX_ATTRIBUTES_PER_TAG);
    assert!(capped.len() < 10_000, "{} bytes left", capped.len());
    for how in [Extraction::Tokens, Extraction::Dom] {
        let out = extract_with(how, &html, usize::MAX);
        let found: Vec<(&str, Option<&str>)> = out
            .links
            .iter()
            .map(|l| (l.href.as_str(), l.rel.as_deref()))
            .collect();
        assert_eq!(
            found,
            [("/late.html", Some("next")), ("/after.html", None)],
            "{how:?}"
        );
    }
}

/// The table of `finds_links`, through the default (tokenizer) path.
#[rstest]
#[case(r#"<a href="a.html">A</a>"#, &["a.html"])]
#[case(r"<a href='  spaced.html '>x</a>", &["  spaced.html "])]
#[case(r#"<map><area href="/map.html" alt=m></map>"#, &["/map.html"])]
#[case(r#"<a>no href</a><a href="">empty</a>"#, &[""])]
#[case(r#"<link href="style.css"><img src="i.png"><script src="s.js"></script>"#, &["style.css", "i.png", "s.js"])]
#[case(r#"<a href="1"></a><div><a href="2"><a href="3"></a></a></div>"#, &["1", "2", "3"])]
#[case(r#"<A HREF="upper.html">x</A>"#, &["upper.html"])]
#[case(r#"<p><a href="unclosed.html">text<p>more"#, &["unclosed.html"])] // not reopened: same edge
#[case(r#"<a href="a&amp;b.html">entity</a>"#, &["a&b.html"])]
fn default_path_finds_links(#[case] html: &str, #[case] expected: &[&str]) {
    let links: Vec<String> = extract_with(Extraction::default(), html, usize::MAX)
        .links
        .into_iter()
        .map(|l| l.href)
        .collect();
    assert_eq!(links, expected);
}

/// Ids and `<a name>`s are anchors on both paths; names of other tags, template contents and
/// markup in raw text are not.
#[rstest]
#[case(Extraction::Tokens)]
#[case(Extraction::Dom)]
fn anchors_are_ids_and_a_names(#[case] how: Extraction) {
    let html = r#"<h2 id="intro">I</h2><a name="old-style">o</a><p ID="Upper">u</p>
        <div name="not-a">x</div><template><p id="in-template"></p></template>
        <script>document.write('<p id="scripted">')</script><img id="">"#;
    let out = extract_with_anchors(how, html, usize::MAX);
    let anchors = out.anchors.expect("asked for");
    for name in ["intro", "old-style", "Upper"] {
        assert!(anchors.contains(name), "{how:?} {name}");
    }
    for name in ["not-a", "in-template", "scripted", "upper", ""] {
        assert!(!anchors.contains(name), "{how:?} {name}");
    }
    assert_eq!(anchors.len(), 3);
    assert_eq!(extract_with(how, html, usize::MAX).anchors, None);
}
