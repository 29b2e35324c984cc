//! `check_resources` asks resources with HEAD, and with GET only where the HEAD answer cannot
//! be trusted or the body is needed, as the server counts the methods.

use std::fmt::Write as _;

use crawler_core::{CrawlReport, Crawler, PageError};
use crawler_tests::{FixtureServer, Reply};

use crate::support::{crawl, page};

/// The methods the server saw for `path`, in order.
fn methods(server: &FixtureServer, path: &str) -> Vec<String> {
    server
        .request_heads()
        .into_iter()
        .filter(|head| head.path() == path)
        .map(|head| head.method)
        .collect()
}

/// Serves `/rc/index.html` with `body` and crawls it with resources checked, one request at
/// a time (so that every request of a host goes over one kept-alive connection).
async fn crawl_page(server: &FixtureServer, body: &str) -> CrawlReport {
    server.route("/rc/index.html", Reply::html(body));
    let builder = Crawler::builder()
        .check_resources(true)
        .concurrency(1)
        .per_host(1)
        .retries(0)
        .respect_robots(false);
    crawl(builder.max_depth(3), &[server.url("/rc/index.html")]).await
}

fn png() -> Reply {
    Reply::bytes("image/png", b"\x89PNG not really".to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_that_is_refused_or_fails_is_asked_again_with_get() {
    let server = FixtureServer::start();
    let refusals = [400, 403, 405, 500, 501, 503];
    let mut body = String::from("<html><body>");
    for status in refusals {
        let path = format!("/rc/{status}.png");
        server.route(&path, png());
        server.route_method("HEAD", &path, Reply::status(status));
        let _ = write!(body, "<img src=\"{path}\">");
    }
    let report = crawl_page(&server, &body).await;
    for status in refusals {
        let path = format!("/rc/{status}.png");
        assert_eq!(methods(&server, &path), ["HEAD", "GET"], "{path}");
        let checked = page(&report, &server.url(&path));
        assert_eq!(
            (checked.status, &checked.error),
            (Some(200), &None),
            "{path}"
        );
        assert_eq!(checked.content_type.as_deref(), Some("image/png"), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_404_or_410_is_broken_without_a_get() {
    let server = FixtureServer::start();
    server.route("/rc/gone.png", Reply::status(410));
    let body = "<img src=\"/rc/missing.png\"><script src=\"/rc/gone.png\"></script>";
    let report = crawl_page(&server, body).await;
    for (path, status) in [("/rc/missing.png", 404), ("/rc/gone.png", 410)] {
        assert_eq!(methods(&server, path), ["HEAD"], "{path}");
        let broken = page(&report, &server.url(path));
        assert_eq!(
            broken.error,
            Some(PageError::HttpStatus { status }),
            "{path}"
        );
        assert!(broken.is_broken());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resources_are_asked_with_head_once_and_pages_with_get() {
    let server = FixtureServer::start();
    server.route("/rc/a.png", png());
    server.route("/rc/both.png", png());
    server.route("/rc/moved.png", Reply::redirect(301, "/rc/a2.png"));
    server.route("/rc/a2.png", png());
    server.route(
        "/rc/frame.html",
        Reply::html("<a href=\"/rc/behind-frame.html\">x</a>"),
    );
    server.route(
        "/rc/site.css",
        Reply::bytes(
            "text/css",
            b"@import 'more.css'; body { background: url(bg.png) }".to_vec(),
        ),
    );
    server.route(
        "/rc/more.css",
        Reply::bytes("text/css", b"p { color: red }".to_vec()),
    );
    server.route("/rc/bg.png", png());
    let body = "<link rel=stylesheet href=/rc/site.css>\
        <img src=/rc/a.png><img srcset=\"/rc/a.png 1x, /rc/moved.png 2x\">\
        <img src=/rc/both.png><a href=/rc/both.png>full size</a>\
        <iframe src=/rc/frame.html></iframe><p style=\"background: url(/rc/a.png)\">";
    let report = crawl_page(&server, body).await;
    assert_eq!(methods(&server, "/rc/index.html"), ["GET"]);
    assert_eq!(methods(&server, "/rc/a.png"), ["HEAD"], "once, by HEAD");
    assert_eq!(methods(&server, "/rc/moved.png"), ["HEAD"]);
    assert_eq!(methods(&server, "/rc/a2.png"), ["HEAD"], "the redirect too");
    assert_eq!(
        methods(&server, "/rc/bg.png"),
        ["HEAD"],
        "a stylesheet's url()"
    );
    assert_eq!(
        methods(&server, "/rc/site.css"),
        ["GET"],
        "a stylesheet link's target is read at once, for its url()s"
    );
    assert_eq!(
        methods(&server, "/rc/more.css"),
        ["HEAD", "GET"],
        "a url() found to be CSS is read too"
    );
    assert_eq!(
        methods(&server, "/rc/both.png"),
        ["GET"],
        "an anchor makes it a page"
    );
    assert_eq!(methods(&server, "/rc/frame.html"), ["HEAD"]);
    assert!(
        methods(&server, "/rc/behind-frame.html").is_empty(),
        "a frame is checked, not crawled"
    );
    let a = page(&report, &server.url("/rc/a.png"));
    assert_eq!((a.status, a.bytes), (Some(200), 15), "the announced length");
    assert_eq!(page(&report, &server.url("/rc/a2.png")).status, Some(200));
    assert_eq!(page(&report, &server.url("/rc/bg.png")).status, Some(200));
    assert_eq!(page(&report, &server.url("/rc/more.css")).status, Some(200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_answered_with_a_body_does_not_poison_the_next_answer() {
    let server = FixtureServer::start();
    let mut body = String::from("<img src=\"/_/fault/head-body\">");
    for i in 0..5 {
        server.route(&format!("/rc/{i}.png"), png());
        let _ = write!(body, "<img src=\"/rc/{i}.png\">");
    }
    let report = crawl_page(&server, &body).await;
    assert_eq!(methods(&server, "/_/fault/head-body"), ["HEAD"]);
    assert_eq!(
        page(&report, &server.url("/_/fault/head-body")).status,
        Some(200)
    );
    for i in 0..5 {
        let path = format!("/rc/{i}.png");
        let checked = page(&report, &server.url(&path));
        assert_eq!(
            (checked.status, &checked.error),
            (Some(200), &None),
            "{path}"
        );
    }
}
