//! Bodies: what the server claims and what it sends.

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::Duration;

use crawler_core::{Crawler, Extraction, PageError, StopReason};
use crawler_tests::{FixtureServer, Reply};

use crate::support::{anchors_from, crawl, page};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lying_content_length_is_never_reserved() {
    let server = FixtureServer::start();
    let lying = "/_/fault/lying-length";
    server.route(
        "/lying.html",
        Reply::html(format!(r#"<a href="{lying}">l</a><a href="/a.html">a</a>"#)),
    );
    // The largest cap there is: only the announced length could size a buffer now.
    let report = crawl(
        Crawler::builder()
            .max_depth(1)
            .retries(0)
            .max_body_bytes(usize::MAX),
        &[server.url("/lying.html")],
    )
    .await;
    assert_eq!(report.stopped, StopReason::Completed);
    let p = page(&report, &server.url(lying));
    assert_eq!(p.status, Some(200));
    assert!(
        matches!(p.error, Some(PageError::Body { .. })),
        "{:?}",
        p.error
    );
    assert!(p.bytes < 1000, "{}", p.bytes);
    let a = page(&report, &server.url("/a.html"));
    assert_eq!((a.status, &a.error), (Some(200), &None));
}

fn zlib(text: &str) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deflate_is_decoded_and_unknown_encodings_are_reported() {
    let server = FixtureServer::start();
    let html = r#"<html><body><a href="/a.html">a</a><a href="/c.html">c</a></body></html>"#;
    server.route(
        "/deflate.html",
        Reply::bytes("text/html", zlib(html)).with_header("Content-Encoding", "deflate"),
    );
    // Readable text, but announced in an encoding no one here decodes: never parsed as is.
    server.route(
        "/unknown.html",
        Reply::bytes("text/html", html.as_bytes().to_vec())
            .with_header("Content-Encoding", "x-custom"),
    );
    let seeds = [server.url("/deflate.html"), server.url("/unknown.html")];
    let report = crawl(Crawler::builder().max_depth(0), &seeds).await;
    let deflated = page(&report, &seeds[0]);
    assert_eq!((deflated.status, &deflated.error), (Some(200), &None));
    assert_eq!(
        anchors_from(&report, &seeds[0]),
        [server.url("/a.html"), server.url("/c.html")]
    );
    let unknown = page(&report, &seeds[1]);
    assert_eq!(
        (unknown.status, &unknown.error),
        (
            Some(200),
            &Some(PageError::UnsupportedEncoding {
                encoding: "x-custom".into()
            })
        )
    );
    assert!(!unknown.is_broken(), "a browser may read it");
    assert!(anchors_from(&report, &seeds[1]).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meta_declared_utf16_page_is_read_as_ascii() {
    let server = FixtureServer::start();
    let seed = server.url("/_/fault/meta-utf16");
    let report = crawl(Crawler::builder().max_depth(0), std::slice::from_ref(&seed)).await;
    assert_eq!(anchors_from(&report, &seed), [server.url("/a.html")]);
}

/// Pages that were quadratic for html5ever (one tag of 100,000 attributes; 200,000 `<div></x>`
/// that the DOM path's nesting guard took for balanced) do not stall the crawl: both are
/// extracted, with their link, beside the other pages, on either extraction path. Bounded
/// only by the crawl's own generous limit: on the old code this took many minutes.
#[test]
fn quadratic_markup_does_not_stall_the_crawl() {
    let server = FixtureServer::start();
    let hostile = ["/_/fault/many-attrs/100000", "/_/fault/junk-ends/200000"];
    let mut links = String::new();
    for p in hostile.iter().chain(&["/a.html", "/c.html", "/list.html"]) {
        let _ = write!(links, r#"<a href="{p}">{p}</a>"#);
    }
    server.route("/hostile-markup.html", Reply::html(links));
    for how in [Extraction::Tokens, Extraction::Dom] {
        let crawler = Crawler::builder()
            .max_depth(1)
            .extraction(how)
            .build()
            .expect("valid config");
        // A runtime of its own: a parse still running on the blocking pool must not keep the
        // test from failing at the time limit (dropping a runtime waits for blocking tasks).
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime starts");
        let seed = server.url("/hostile-markup.html");
        let result = runtime.block_on(async {
            let crawl = crawler.crawl([seed.as_str()], std::future::pending());
            tokio::time::timeout(Duration::from_secs(120), crawl).await
        });
        runtime.shutdown_background();
        let report = result
            .unwrap_or_else(|_| panic!("{how:?}: crawl stalled"))
            .expect("crawl started");
        assert_eq!(report.stopped, StopReason::Completed);
        for path in hostile {
            let url = server.url(path);
            let p = page(&report, &url);
            assert_eq!((p.status, &p.error), (Some(200), &None), "{how:?} {path}");
            assert_eq!(
                anchors_from(&report, &url),
                [server.url("/a.html")],
                "{how:?} {path}"
            );
        }
        for good in ["/a.html", "/c.html", "/list.html"] {
            assert_eq!(page(&report, &server.url(good)).status, Some(200), "{good}");
        }
    }
}
