//! Request options as the server sees them: extra headers, cookies, basic auth and a proxy, and
//! credentials that never reach a second host.

use std::net::Ipv4Addr;

use crawler_core::{CookieJar, Crawler, HostScope, Url};
use crawler_tests::{FixtureServer, Reply, RequestHead};

use crate::support::crawl;

/// Requests other than robots.txt.
fn page_heads(server: &FixtureServer) -> Vec<RequestHead> {
    server
        .request_heads()
        .into_iter()
        .filter(|head| head.path() != "/robots.txt")
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_cookies_and_basic_auth_reach_the_seed_host() {
    let server = FixtureServer::start();
    let builder = Crawler::builder()
        .max_depth(1)
        .header("X-Crawl-Test", "yes")
        .header("Accept-Language", "fr")
        .cookie("session=abc")
        .cookie("theme=dark")
        .basic_auth("alice", Some("s3cret"));
    crawl(builder, &[server.url("/index.html")]).await;
    let heads = page_heads(&server);
    assert!(heads.len() > 3, "{heads:?}");
    for head in &heads {
        assert_eq!(head.header("x-crawl-test"), Some("yes"), "{head:?}");
        assert_eq!(head.header("accept-language"), Some("fr"), "{head:?}");
        assert_eq!(
            head.header("authorization"),
            Some("Basic YWxpY2U6czNjcmV0"),
            "{head:?}"
        );
        let cookie = head.header("cookie").unwrap_or_default();
        let mut pairs: Vec<&str> = cookie.split("; ").collect();
        pairs.sort_unstable();
        assert_eq!(pairs, ["session=abc", "theme=dark"], "{head:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_never_reach_another_host() {
    let seed_host = FixtureServer::start();
    let other = FixtureServer::start_on(Ipv4Addr::new(127, 0, 0, 2));
    seed_host.route(
        "/start.html",
        Reply::html(format!(
            "<a href=\"{}\">link</a> <a href=\"/jump\">redirect</a>",
            other.url("/a.html")
        )),
    );
    seed_host.route("/jump", Reply::redirect(302, &other.url("/b/index.html")));
    let builder = Crawler::builder()
        .max_depth(1)
        .host_scope(HostScope::AnyHost)
        .header("X-Everywhere", "1")
        .header("Authorization", "Bearer token")
        .cookie("session=abc");
    let with_auth = builder.basic_auth("alice", Some("pw"));
    crawl(with_auth, &[seed_host.url("/start.html")]).await;
    let seen = page_heads(&other);
    let paths: Vec<&str> = seen.iter().map(RequestHead::path).collect();
    assert!(
        paths.contains(&"/a.html") && paths.contains(&"/b/index.html"),
        "{paths:?}"
    );
    for head in &seen {
        assert_eq!(head.header("authorization"), None, "{head:?}");
        assert_eq!(head.header("cookie"), None, "{head:?}");
        assert_eq!(head.header("x-everywhere"), Some("1"), "{head:?}");
    }
    for head in page_heads(&seed_host) {
        assert!(head.header("authorization").is_some(), "{head:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_set_by_the_server_are_sent_back_and_kept_in_the_jar() {
    let server = FixtureServer::start();
    server.route(
        "/login.html",
        Reply::html("<a href=\"/a.html\">in</a>").with_header("Set-Cookie", "sid=42; Path=/"),
    );
    let jar = CookieJar::new();
    let builder = Crawler::builder().max_depth(1).cookie_jar(jar.clone());
    crawl(builder, &[server.url("/login.html")]).await;
    let after: Vec<RequestHead> = page_heads(&server)
        .into_iter()
        .filter(|head| head.path() == "/a.html")
        .collect();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].header("cookie"), Some("sid=42"));
    let url = Url::parse(&server.url("/")).unwrap();
    assert_eq!(jar.cookies_for(&url), [("sid".to_owned(), "42".to_owned())]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_carries_every_request() {
    let proxy = FixtureServer::start();
    // Nothing listens on port 1 of 127.0.0.2: only the proxy can answer.
    let builder = Crawler::builder()
        .max_depth(1)
        .respect_robots(false)
        .proxy(&proxy.url(""));
    let report = crawl(builder, &["http://127.0.0.2:1/index.html".to_owned()]).await;
    let index = Url::parse("http://127.0.0.2:1/index.html").unwrap();
    assert_eq!(report.graph.page(&index).unwrap().status, Some(200));
    let heads = proxy.request_heads();
    assert!(heads.len() > 3, "{heads:?}");
    for head in &heads {
        assert_eq!(head.header("host"), Some("127.0.0.2:1"), "{head:?}");
    }
}
