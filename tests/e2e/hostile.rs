//! Hostile servers: every `/_/fault/` route in one crawl. The crawl must always finish, keep
//! every good page, and record on each bad one the error a user would expect to read.
//!
//! - `traps`: crawler traps end at the depth, page and URL length limits;
//! - `recovery`: retries (429/503 with `Retry-After`, never other 4xx) and the private-address
//!   block, also behind redirects.

mod recovery;
mod traps;

use std::fmt::Write as _;
use std::time::Duration;

use crawler_core::{CrawlReport, Crawler, CrawlerBuilder, PageError, SkipReason, StopReason};
use crawler_tests::{FixtureServer, Reply};

use crate::support::{anchors_from, crawl, page};

/// The body cap of the hostile crawl.
const CAP: usize = 1024 * 1024;

/// The link cap of the hostile crawl.
const LINK_CAP: usize = 1000;

/// The fault routes linked from the hostile seed page, besides the good `/a.html`.
const FAULTS: [&str; 20] = [
    "/_/fault/drip",
    "/_/fault/hang",
    "/_/fault/reset-mid-body",
    "/_/fault/close-after-headers",
    "/_/fault/short-body",
    "/_/fault/garbage-status",
    "/_/fault/bad-headers",
    "/_/fault/redirect-ftp",
    "/_/fault/redirect-offscope",
    "/_/loop/a",
    "/_/redirect-chain/8",
    "/_/fault/gzip-bomb",
    "/_/fault/big/4",
    "/_/fault/many-links/5000",
    "/_/fault/deep/5000",
    "/_/fault/invalid-utf8",
    "/_/fault/wrong-charset",
    "/_/fault/nul",
    "/_/fault/trap/calendar/2024-01-01",
    "/_/fault/trap/query",
];

/// Tight limits, as a user crawling an unknown site would set them, and one quick retry.
fn tight() -> CrawlerBuilder {
    Crawler::builder()
        .max_depth(1)
        .timeout(Duration::from_secs(2))
        .read_timeout(Duration::from_secs(1))
        .connect_timeout(Duration::from_secs(1))
        .max_body_bytes(CAP)
        .max_redirects(5)
        .max_links_per_page(LINK_CAP)
        .retries(1)
        .retry_base_delay(Duration::from_millis(50))
}

/// Requests for trap pages (the crawler also asks for `/robots.txt`).
fn trap_hits(server: &FixtureServer) -> usize {
    server
        .requests()
        .iter()
        .filter(|target| target.starts_with("/_/fault/trap/"))
        .count()
}

/// A finished crawl and its server, looked up by path.
struct Crawled<'a> {
    report: &'a CrawlReport,
    server: &'a FixtureServer,
}

impl Crawled<'_> {
    fn status(&self, path: &str) -> Option<u16> {
        page(self.report, &self.server.url(path)).status
    }

    fn error(&self, path: &str) -> Option<PageError> {
        page(self.report, &self.server.url(path)).error.clone()
    }

    fn anchors(&self, path: &str) -> Vec<String> {
        anchors_from(self.report, &self.server.url(path))
    }

    /// Asserts that `path` was answered `200` at depth 1 and failed with `error`, and (when
    /// `links_a`) that its one link, to `/a.html`, was found.
    fn assert_page(&self, path: &str, error: Option<&PageError>, links_a: bool) {
        let p = page(self.report, &self.server.url(path));
        assert_eq!(
            (p.status, p.error.as_ref(), p.depth),
            (Some(200), error, 1),
            "{path}"
        );
        if links_a {
            assert_eq!(self.anchors(path), [self.server.url("/a.html")], "{path}");
        }
    }

    /// Slow servers time out; transfers that break off are body errors; answers that are not
    /// HTTP are request errors, without a status.
    fn check_transport(&self) {
        assert_eq!(
            (self.status("/_/fault/drip"), self.error("/_/fault/drip")),
            (Some(200), Some(PageError::Timeout))
        );
        assert!(page(self.report, &self.server.url("/_/fault/drip")).bytes < 100);
        assert_eq!(
            (self.status("/_/fault/hang"), self.error("/_/fault/hang")),
            (None, Some(PageError::Timeout))
        );
        for broken in [
            "/_/fault/reset-mid-body",
            "/_/fault/close-after-headers",
            "/_/fault/short-body",
        ] {
            let error = self.error(broken);
            assert_eq!(self.status(broken), Some(200), "{broken}");
            assert!(
                matches!(error, Some(PageError::Body { .. })),
                "{broken}: {error:?}"
            );
            assert!(self.anchors(broken).is_empty(), "{broken}");
        }
        for garbage in ["/_/fault/garbage-status", "/_/fault/bad-headers"] {
            let error = self.error(garbage);
            assert_eq!(self.status(garbage), None, "{garbage}");
            assert!(
                matches!(error, Some(PageError::Request { .. })),
                "{garbage}: {error:?}"
            );
        }
    }

    /// Redirects to a scheme that is not crawled, off the host, in a loop, and too many.
    fn check_redirects(&self) {
        assert_eq!(self.status("/_/fault/redirect-ftp"), Some(302));
        assert_eq!(
            self.error("/_/fault/redirect-ftp"),
            Some(PageError::BadRedirect {
                location: "ftp://127.0.0.1/x".into()
            })
        );
        let offscope = format!("http://localhost:{}/a.html", self.server.addr().port());
        let path = "/_/fault/redirect-offscope";
        assert_eq!((self.status(path), self.error(path)), (Some(302), None));
        assert_eq!(
            page(self.report, &offscope).skipped,
            Some(SkipReason::OutOfScope)
        );
        assert_eq!(
            self.server.hits("/a.html"),
            1,
            "the off-host redirect is not followed"
        );
        assert_eq!(self.error("/_/loop/a"), Some(PageError::RedirectLoop));
        assert_eq!(
            self.error("/_/redirect-chain/8"),
            Some(PageError::TooManyRedirects { limit: 5 })
        );
        assert_eq!(self.server.hits("/_/redirect-chain/2"), 0);
    }

    /// Bodies are capped after decompression, links per page too; what came before a cut is
    /// kept, and no link is fetched past the depth.
    fn check_caps(&self) {
        for capped in ["/_/fault/gzip-bomb", "/_/fault/big/4"] {
            self.assert_page(capped, Some(&PageError::BodyTooLarge { limit: CAP }), true);
            let bytes = page(self.report, &self.server.url(capped)).bytes;
            assert_eq!(bytes, CAP as u64, "{capped}");
        }
        let expected: Vec<String> = (0..LINK_CAP)
            .map(|i| self.server.url(&format!("/_/links/5000/{i}")))
            .collect();
        assert_eq!(self.anchors("/_/fault/many-links/5000"), expected);
        self.assert_page("/_/fault/many-links/5000", None, false);
        assert!(self
            .server
            .requests()
            .iter()
            .all(|r| !r.starts_with("/_/links/")));
    }

    /// Hostile markup and encodings parse without a panic, and links are still found.
    fn check_markup(&self) {
        for odd in [
            "/_/fault/deep/5000",
            "/_/fault/invalid-utf8",
            "/_/fault/nul",
        ] {
            self.assert_page(odd, None, true);
        }
        // The header's charset wins, as the HTML standard says and browsers do: decoded as
        // UTF-16, the ASCII page is CJK noise without links. Not an error either way.
        self.assert_page("/_/fault/wrong-charset", None, false);
        assert!(self.anchors("/_/fault/wrong-charset").is_empty());
    }

    /// Traps stop at the depth limit: their next pages are boundary nodes, never requested.
    fn check_traps(&self) {
        for (trap, next) in [
            (
                "/_/fault/trap/calendar/2024-01-01",
                "/_/fault/trap/calendar/2024-01-02",
            ),
            ("/_/fault/trap/query", "/_/fault/trap/query?x=x"),
        ] {
            let next = self.server.url(next);
            assert_eq!(self.anchors(trap), std::slice::from_ref(&next));
            assert_eq!(
                page(self.report, &next).skipped,
                Some(SkipReason::BeyondDepth)
            );
        }
        assert_eq!(trap_hits(self.server), 2);
    }

    /// Broken transfers are retried (once, as configured, then again at the end); timeouts
    /// and answers are not.
    fn check_requests(&self) {
        let retried = [
            "/_/fault/reset-mid-body",
            "/_/fault/close-after-headers",
            "/_/fault/short-body",
            "/_/fault/garbage-status",
            "/_/fault/bad-headers",
        ];
        for fault in FAULTS {
            // One retry, then the end-of-crawl pass: a try and its two retries (at least the
            // default number of retries).
            let expected = if retried.contains(&fault) { 5 } else { 1 };
            assert_eq!(self.server.hits(fault), expected, "{fault}");
        }
        let failed = self.report.graph.pages().filter(|p| p.error.is_some());
        assert_eq!(self.report.stats.pages_failed, failed.count());
        assert_eq!(self.report.stats.retries_exhausted, retried.len());
        assert_eq!(self.report.stats.recovered_at_end, 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_is_survived_and_classified() {
    let server = FixtureServer::start();
    let mut links = String::new();
    for path in std::iter::once("/a.html").chain(FAULTS) {
        let _ = writeln!(links, "<a href=\"{path}\">{path}</a>");
    }
    server.route("/hostile.html", Reply::html(links));
    let report = crawl(tight(), &[server.url("/hostile.html")]).await;
    assert_eq!(report.stopped, StopReason::Completed);
    let crawled = Crawled {
        report: &report,
        server: &server,
    };
    // The good pages are all kept, with their links.
    assert_eq!(crawled.anchors("/hostile.html").len(), FAULTS.len() + 1);
    for good in ["/hostile.html", "/a.html"] {
        let answer = (crawled.status(good), crawled.error(good));
        assert_eq!(answer, (Some(200), None), "{good}");
    }
    assert!(crawled
        .anchors("/a.html")
        .contains(&server.url("/index.html")));
    // A panic in a fetch or parse task would show up as an internal error.
    assert!(report
        .graph
        .pages()
        .all(|p| !matches!(p.error, Some(PageError::Internal { .. }))));
    crawled.check_transport();
    crawled.check_redirects();
    crawled.check_caps();
    crawled.check_markup();
    crawled.check_traps();
    crawled.check_requests();
}

#[test]
fn a_megabyte_of_nesting_does_not_stall_the_crawl() {
    let server = FixtureServer::start();
    let crawler = tight().max_depth(0).build().expect("valid config");
    let seed = server.url("/_/fault/deep/200000");
    // A runtime of its own: a parse still running on the blocking pool must not keep the test
    // from failing at the hang guard (dropping a runtime waits for its blocking tasks).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime starts");
    let result = runtime.block_on(async {
        let crawl = crawler.crawl([seed.as_str()], std::future::pending());
        tokio::time::timeout(Duration::from_secs(60), crawl).await
    });
    runtime.shutdown_background();
    let report = result
        .expect("crawl finished in time")
        .expect("crawl started");
    let p = page(&report, &seed);
    assert_eq!((p.status, &p.error), (Some(200), &None));
    assert_eq!(anchors_from(&report, &seed), [server.url("/a.html")]);
}
