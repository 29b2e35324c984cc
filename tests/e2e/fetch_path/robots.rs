//! robots.txt and sitemaps: a hostile rules file, and sitemap files the crawl must not fetch.

use std::fmt::Write as _;
use std::net::Ipv4Addr;

use crawler_core::{Crawler, SkipReason, StopReason};
use crawler_tests::{FixtureServer, Reply};

use crate::support::{crawl, page};

fn robots(server: &FixtureServer, body: &str) {
    server.route(
        "/robots.txt",
        Reply::bytes("text/plain", body.as_bytes().to_vec()),
    );
}

fn xml(server: &FixtureServer, path: &str, body: String) {
    server.route(path, Reply::bytes("application/xml", body.into_bytes()));
}

/// A robots.txt of 500 KiB of anchored wildcard rules (over 300 MB once compiled, before the
/// bound) is obeyed: its first rules hold, and the crawl finishes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_robots_txt_of_thousands_of_anchored_rules_is_obeyed() {
    let server = FixtureServer::start();
    let mut txt = String::from("User-agent: *\nDisallow: /c.html$\nDisallow: /b/\n");
    let mut i = 0;
    while txt.len() < 500 * 1024 {
        let _ = writeln!(txt, "Disallow: /*never-{i}-*x$");
        i += 1;
    }
    robots(&server, &txt);
    let report = crawl(
        Crawler::builder().max_depth(1),
        &[server.url("/index.html")],
    )
    .await;
    assert_eq!(report.stopped, StopReason::Completed);
    for disallowed in ["/c.html", "/b/"] {
        assert_eq!(
            page(&report, &server.url(disallowed)).skipped,
            Some(SkipReason::RobotsTxt),
            "{disallowed}"
        );
        assert_eq!(server.hits(disallowed), 0, "{disallowed}");
    }
    assert_eq!(page(&report, &server.url("/a.html")).status, Some(200));
    assert_eq!(server.hits("/robots.txt"), 1);
}

/// Sitemap locations outside the crawl's scope (a robots.txt `Sitemap:` line, a sitemap index
/// entry) are never fetched, nor is a sitemap that robots.txt disallows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sitemaps_are_scoped_and_obey_robots() {
    let site = FixtureServer::start();
    let other = FixtureServer::start_on(Ipv4Addr::new(127, 0, 0, 2));
    robots(
        &site,
        &format!(
            "User-agent: *\nDisallow: /maps/secret.xml\nSitemap: {}\nSitemap: {}\nSitemap: {}\n",
            other.url("/sitemap.xml"),
            site.url("/maps/index.xml"),
            site.url("/maps/secret.xml"),
        ),
    );
    xml(
        &site,
        "/maps/index.xml",
        format!(
            "<sitemapindex><sitemap><loc>{}</loc></sitemap><sitemap><loc>{}</loc></sitemap>\
             </sitemapindex>",
            other.url("/other.xml"),
            site.url("/maps/pages.xml")
        ),
    );
    let urlset = |url: String| format!("<urlset><url><loc>{url}</loc></url></urlset>");
    xml(&site, "/maps/pages.xml", urlset(site.url("/chain/4.html")));
    xml(&site, "/maps/secret.xml", urlset(site.url("/latin1.html")));
    xml(&other, "/sitemap.xml", urlset(site.url("/chain/5.html")));
    xml(&other, "/other.xml", urlset(site.url("/list.html")));
    let report = crawl(
        Crawler::builder().max_depth(0).sitemaps(true),
        &[site.url("/index.html")],
    )
    .await;
    let listed = page(&report, &site.url("/chain/4.html"));
    assert_eq!((listed.depth, listed.status), (0, Some(200)));
    assert_eq!(site.hits("/maps/pages.xml"), 1);
    assert_eq!(site.hits("/maps/secret.xml"), 0, "disallowed by robots.txt");
    assert_eq!(other.total_hits(), 0, "{:?}", other.requests());
    for unlisted in ["/latin1.html", "/chain/5.html", "/list.html"] {
        assert_eq!(site.hits(unlisted), 0, "{unlisted}");
    }
}
