//! Redirects and URLs: what a `Location` carries, which 3xx are redirects, and credentials.

use crawler_core::export::{self, ExportFormat};
use crawler_core::{Crawler, PageError};
use crawler_tests::{FixtureServer, Reply};

use crate::support::{crawl, page};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn location_bytes_outside_ascii_are_kept_percent_encoded() {
    let server = FixtureServer::start();
    let seed = server.url("/_/fault/raw-location");
    let report = crawl(Crawler::builder().max_depth(0), std::slice::from_ref(&seed)).await;
    // The Latin-1 bytes the server sent are the bytes requested, not U+FFFD.
    let target = server.url("/caf%E9.html?q=%FF");
    let redirect = page(&report, &seed);
    assert_eq!((redirect.status, &redirect.error), (Some(302), &None));
    assert_eq!(page(&report, &target).status, Some(404));
    assert!(
        server.requests().contains(&"/caf%E9.html?q=%FF".to_owned()),
        "{:?}",
        server.requests()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_redirect_statuses_need_a_location() {
    let server = FixtureServer::start();
    server.route("/moved-nowhere", Reply::status(301));
    let (not_modified, choices, moved) = (
        server.url("/_/status/304"),
        server.url("/_/status/300"),
        server.url("/moved-nowhere"),
    );
    let report = crawl(
        Crawler::builder().max_depth(0).retries(0),
        &[not_modified.clone(), choices.clone(), moved.clone()],
    )
    .await;
    // A 300 is an answer, not a redirect: recorded with its status, not as an error.
    let p = page(&report, &choices);
    assert_eq!((p.status, &p.error), (Some(300), &None));
    assert!(!p.is_broken());
    // A 304 to a request that asked for no revalidation is neither a page nor a redirect:
    // the link leads nowhere.
    let p = page(&report, &not_modified);
    assert_eq!(
        (p.status, &p.error),
        (Some(304), &Some(PageError::UnexpectedNotModified))
    );
    assert!(p.is_broken());
    // A redirect status without a target is still a bad redirect.
    assert_eq!(
        page(&report, &moved).error,
        Some(PageError::BadRedirect {
            location: String::new()
        })
    );
}

/// A 304 is the fitting answer to a request that carries a validator (given with a header):
/// a final answer, not an error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_304_to_a_conditional_request_is_no_error() {
    let server = FixtureServer::start();
    let not_modified = server.url("/_/status/304");
    let builder = Crawler::builder()
        .max_depth(0)
        .header("If-None-Match", "\"v1\"");
    let report = crawl(builder, std::slice::from_ref(&not_modified)).await;
    let p = page(&report, &not_modified);
    assert_eq!((p.status, &p.error), (Some(304), &None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_are_never_sent_nor_written() {
    let server = FixtureServer::start();
    let authority = server.addr().to_string();
    let with_secret = |path: &str| format!("http://user:s3cret@{authority}{path}");
    server.route(
        "/creds.html",
        Reply::html(format!(
            r#"<a href="{}">link</a><a href="/to-creds">redirect</a><a href="/to-ftp">ftp</a>
               <a href="//user:s3cret@{authority}/c.html">scheme-relative</a>"#,
            with_secret("/a.html")
        )),
    );
    server.route(
        "/to-creds",
        Reply::redirect(302, &with_secret("/b/index.html")),
    );
    server.route(
        "/to-ftp",
        Reply::redirect(302, &format!("ftp://user:s3cret@{authority}/x")),
    );
    // The seed carries credentials too.
    let report = crawl(
        Crawler::builder().max_depth(1),
        &[with_secret("/creds.html")],
    )
    .await;
    for target in ["/creds.html", "/a.html", "/b/index.html", "/c.html"] {
        assert_eq!(
            page(&report, &server.url(target)).status,
            Some(200),
            "{target}"
        );
    }
    assert_eq!(
        page(&report, &server.url("/to-ftp")).error,
        Some(PageError::BadRedirect {
            location: format!("ftp://{authority}/x")
        })
    );
    assert_eq!(server.authorized_requests(), 0, "credentials were sent");
    for format in ExportFormat::ALL {
        let mut out = Vec::new();
        export::write(&report, format, &mut out).expect("export to memory");
        let text = String::from_utf8_lossy(&out);
        assert!(!text.contains("s3cret"), "{format:?} holds the password");
        assert!(
            !text.contains("user@") && !text.contains("user:"),
            "{format:?}"
        );
    }
}
