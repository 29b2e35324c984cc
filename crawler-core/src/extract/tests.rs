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
#[case(r#"<link href="style.css"><img src="i.png"><script src="s.js"></script>"#, &[])]
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
    let html = format!("{}<a href=\"deep\">d</a>", "<div>".repeat(5_000));
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

/// Found by the `extract` fuzz target: an unclosed `<title>` in a fixture page ran to the end of
/// the document, and its collapsed text came back longer than [`MAX_TEXT_CHARS`], because the
/// spaces `collapsed_text` puts between words are not counted against the cap.
#[test]
fn text_caps_count_the_spaces_between_words() {
    let words = "w ".repeat(MAX_TEXT_CHARS);
    let out = extract(
        &format!("<title>{words}</title><a href=x>{words}</a>"),
        usize::MAX,
    );
    let title = out.title.unwrap();
    let text = out.links[0].text.clone().unwrap();
    for capped in [title, text] {
        let chars = capped.chars().count();
        assert!(chars <= MAX_TEXT_CHARS, "{chars} characters");
        assert!(chars >= MAX_TEXT_CHARS - 1, "cut at the cap: {chars}");
        assert!(capped.starts_with("w w w") && !capped.ends_with(' '));
    }
}
