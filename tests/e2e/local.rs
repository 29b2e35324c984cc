//! Local sites over `file://`: the same graph as over HTTP (modulo scheme), the scope is the
//! seed's directory tree, nothing outside it is ever opened, missing files are broken.

use std::collections::BTreeSet;
use std::path::Path;

use crawler_core::{Crawler, LinkKind, PageError, SkipReason, Url};
use crawler_tests::{fixture_root, FixtureServer};

use crate::support::{all_edges, crawl, page};

fn file_url(path: &Path) -> String {
    Url::from_file_path(path).unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixture_site_over_file_matches_http() {
    let server = FixtureServer::start();
    let root = fixture_root().canonicalize().unwrap();
    for seed in ["/index.html", "/typed/index.html"] {
        let over_http = crawl(Crawler::builder().max_depth(6), &[server.url(seed)]).await;
        let local_seed = file_url(&root.join(&seed[1..]));
        let local = Crawler::builder().max_depth(6).site_root(&root);
        let over_file = crawl(local, &[local_seed]).await;
        let site = format!("{}/", file_url(&root));
        // Modulo scheme: the site's URLs, and a scheme-relative link, which takes http: from
        // an http page and https: from a local one.
        let as_file = |url: &str| {
            url.replacen(&server.url("/"), &site, 1).replacen(
                "http://example.org/proto-relative",
                "https://example.org/proto-relative",
                1,
            )
        };
        // Files have no response headers: xrobots.html's Link and Refresh headers give no edges.
        let from_headers = |(s, t): &(String, String)| {
            s.ends_with("/typed/xrobots.html")
                && (t.ends_with("/typed/site.css") || t.ends_with("/typed/target.html"))
        };
        let expected: BTreeSet<(String, String)> = all_edges(&over_http)
            .into_iter()
            .filter(|edge| !from_headers(edge))
            .map(|(s, t)| (as_file(&s), as_file(&t)))
            .collect();
        assert_eq!(all_edges(&over_file), expected, "{seed}");
        assert_eq!(
            over_file.graph.page_count(),
            over_http.graph.page_count(),
            "{seed}"
        );
    }
    assert_eq!(server.hits("/robots.txt"), 2, "the HTTP crawls only");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_outside_the_root_is_opened() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir(&site).unwrap();
    // Outside the root: a page whose links would show in the graph if it were read, and a
    // FIFO that would block the crawl if it were opened.
    std::fs::write(
        dir.path().join("outside.html"),
        "<title>outside</title><a href=\"secret.html\">secret</a>",
    )
    .unwrap();
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    std::os::unix::fs::symlink("../outside.html", site.join("link.html")).unwrap();
    std::os::unix::fs::symlink("../pipe", site.join("pipe.html")).unwrap();
    std::fs::write(
        site.join("index.html"),
        "<title>local</title><a href=\"../outside.html\">up</a> <a href=\"link.html\">symlink</a> \
         <a href=\"pipe.html\">fifo</a> <a href=\"gone.html\">missing</a> \
         <a href=\"sub/\">folder</a> <img src=\"/img/logo.png\">",
    )
    .unwrap();
    std::fs::create_dir(site.join("sub")).unwrap();
    std::fs::write(site.join("sub/index.html"), "<title>sub</title>").unwrap();
    let seed = Url::from_directory_path(&site).unwrap().to_string();
    let report = crawl(
        Crawler::builder().max_depth(3).check_resources(true),
        std::slice::from_ref(&seed),
    )
    .await;
    let at = |rel: &str| page(&report, &format!("{seed}{rel}"));
    assert_eq!(
        at("").title.as_deref(),
        Some("local"),
        "the folder serves index.html"
    );
    let outside = Url::from_file_path(dir.path().join("outside.html")).unwrap();
    assert_eq!(
        report.graph.page(&outside).unwrap().skipped,
        Some(SkipReason::OutOfScope)
    );
    for escaping in ["link.html", "pipe.html"] {
        let error = at(escaping).error.clone().unwrap();
        assert!(
            matches!(&error, PageError::File { detail } if detail.contains("outside the site root")),
            "{escaping}: {error:?}"
        );
    }
    assert!(
        report
            .graph
            .pages()
            .all(|p| !p.url.path().ends_with("/secret.html")),
        "outside.html was never read"
    );
    let gone = at("gone.html").error.clone().unwrap();
    assert!(
        matches!(&gone, PageError::File { detail } if detail.contains("no such file")),
        "{gone:?}"
    );
    assert!(at("gone.html").is_broken());
    assert_eq!(at("sub/").title.as_deref(), Some("sub"));
    // Root-relative without a configured root: the folder given as the seed is the site root.
    let logo = at("img/logo.png").error.clone().unwrap();
    assert!(
        matches!(&logo, PageError::File { detail } if detail.contains("no such file")),
        "{logo:?}"
    );
    assert!(report
        .graph
        .page(&Url::parse("file:///img/logo.png").unwrap())
        .is_none());
}

/// The reproduction of issue #21: a folder linked without its slash is answered as a web
/// server answers it, `301` to the slash form, so its index's relative links resolve inside it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_linked_without_its_slash_redirects_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("sub")).unwrap();
    std::fs::write(site.join("index.html"), "<a href=\"sub\">sub</a>").unwrap();
    std::fs::write(
        site.join("sub/index.html"),
        "<title>sub</title><a href=\"page.html\">page</a>",
    )
    .unwrap();
    std::fs::write(site.join("sub/page.html"), "<title>page</title>").unwrap();
    let seed = Url::from_directory_path(site.canonicalize().unwrap())
        .unwrap()
        .to_string();
    let report = crawl(Crawler::builder().max_depth(3), std::slice::from_ref(&seed)).await;
    let at = |rel: &str| page(&report, &format!("{seed}{rel}"));
    let broken: Vec<_> = report.broken_pages().map(|p| p.url.to_string()).collect();
    assert_eq!(broken, Vec::<String>::new());
    assert_eq!(at("sub").status, Some(301));
    assert_eq!(at("sub").depth, 1);
    let redirects: Vec<(String, String)> = report
        .graph
        .links()
        .filter(|(_, _, link)| link.kind == LinkKind::Redirect)
        .map(|(s, t, _)| (s.url.to_string(), t.url.to_string()))
        .collect();
    assert_eq!(redirects, [(format!("{seed}sub"), format!("{seed}sub/"))]);
    assert_eq!(at("sub/").title.as_deref(), Some("sub"));
    assert_eq!(
        at("sub/").depth,
        1,
        "a redirect target has its source's depth"
    );
    assert_eq!(at("sub/page.html").title.as_deref(), Some("page"));
    assert_eq!(at("sub/page.html").depth, 2);
    assert!(report
        .graph
        .page(&Url::parse(&format!("{seed}page.html")).unwrap())
        .is_none());
}

/// The seed's own folder linked without its slash (`/nested` from `nested/`, with the root on
/// the parent) is in scope, and redirects to the seed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_folder_without_its_slash_is_the_seed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir_all(root.join("nested")).unwrap();
    std::fs::write(
        root.join("nested/index.html"),
        "<title>nested</title><a href=\"/nested\">home</a>",
    )
    .unwrap();
    let seed = Url::from_directory_path(root.join("nested"))
        .unwrap()
        .to_string();
    let builder = Crawler::builder().max_depth(2).site_root(&root);
    let report = crawl(builder, std::slice::from_ref(&seed)).await;
    let bare = page(&report, seed.trim_end_matches('/'));
    assert_eq!(bare.skipped, None, "in scope");
    assert_eq!(bare.status, Some(301));
    assert!(report.graph.links().any(|(s, t, link)| {
        s.url.as_str() == seed.trim_end_matches('/')
            && t.url.as_str() == seed
            && link.kind == LinkKind::Redirect
    }));
    assert_eq!(report.broken_pages().count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn root_relative_links_resolve_against_the_site_root() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("css")).unwrap();
    std::fs::create_dir_all(dir.path().join("blog")).unwrap();
    std::fs::write(dir.path().join("css/site.css"), "body{}").unwrap();
    std::fs::write(
        dir.path().join("blog/post.html"),
        "<link rel=stylesheet href=\"/css/site.css\"><a href=\"/blog/post.html\">self</a>",
    )
    .unwrap();
    let root = dir.path().canonicalize().unwrap();
    let seed = file_url(&root.join("blog/post.html"));
    let builder = Crawler::builder()
        .max_depth(2)
        .check_resources(true)
        .site_root(&root);
    let report = crawl(builder, std::slice::from_ref(&seed)).await;
    let css = page(&report, &file_url(&root.join("css/site.css")));
    // The stylesheet is outside the seed's folder (blog/), so it is out of scope, but it is
    // the right file, not /css/site.css of the file system.
    assert_eq!(css.skipped, Some(SkipReason::OutOfScope));
    assert_eq!(page(&report, &seed).status, Some(200));
    let seed_url = Url::parse(&seed).unwrap();
    assert!(report
        .graph
        .links()
        .any(|(s, t, _)| s.url == seed_url && t.url == seed_url));
}

/// A folder crawled over `file://` gives the graph nginx gives serving it, modulo the URL
/// prefix: the same pages at the same depths with the same statuses, titles and failures, and
/// the same typed edges. The site holds what a static server decides for itself: a folder
/// linked without its slash (nginx's `301` to `dir/`), a folder's `index.html`, a folder
/// without one (no listing: nginx says `403`), a missing file, an escaped space, a query
/// string and a fragment on a file, a file without an extension and an uppercase extension.
/// A page that fails fails in both, but its status is not compared: nginx says `404` or
/// `403`, where the local mode has no status and an error naming the path.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_crawls_as_nginx_serves_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("site")).unwrap();
    let site = dir.path().join("site").canonicalize().unwrap();
    for folder in ["sub", "bare", "deep/er"] {
        std::fs::create_dir_all(site.join(folder)).unwrap();
    }
    let files = [
        (
            "index.html",
            "<title>home</title><a href=\"sub\">sub</a> <a href=\"sub/\">sub/</a> \
             <a href=\"bare/\">bare</a> <a href=\"missing.html\">missing</a> \
             <a href=\"a%20b.html\">space</a> <a href=\"page.html?x=1\">query</a> \
             <a href=\"page.html#top\">fragment</a> <a href=\"notes\">notes</a> \
             <a href=\"LOUD.HTML\">loud</a> <a href=\"deep/er/\">deep</a> <link rel=\"stylesheet\" href=\"style.css\">",
        ),
        (
            "sub/index.html",
            "<title>sub</title><a href=\"../index.html\">up</a> <a href=\"two.html\">two</a>",
        ),
        ("sub/two.html", "<title>two</title><a href=\"/deep\">deep</a>"),
        ("bare/data.txt", "not linked"),
        ("a b.html", "<title>space</title><a href=\"sub/two.html\">two</a>"),
        ("page.html", "<title>page</title><a id=\"top\" href=\"./\">home</a>"),
        ("notes", "<title>not html by its name</title><a href=\"hidden.html\">x</a>"),
        ("LOUD.HTML", "<title>loud</title><a href=\"deep/er/\">deep</a>"),
        ("deep/er/index.html", "<title>deeper</title><a href=\"../../sub\">sub</a>"),
        ("style.css", "body { background: url(\"missing.png\") }"),
    ];
    for (path, body) in files {
        std::fs::write(site.join(path), body).unwrap();
    }
    let nginx = crawler_tests::Nginx::serve(&site);
    let over_http = crawl(Crawler::builder().max_depth(4), &[nginx.url("/")]).await;
    let seed = Url::from_directory_path(&site).unwrap().to_string();
    let over_file = crawl(
        Crawler::builder().max_depth(4).site_root(&site),
        std::slice::from_ref(&seed),
    )
    .await;
    let local = |url: &str| url.replacen(&nginx.url("/"), &seed, 1);
    let pages = |report: &crawler_core::report::CrawlReport, map: &dyn Fn(&str) -> String| {
        report
            .graph
            .pages()
            .map(|p| {
                let url = map(p.url.as_str());
                let skipped = p.skipped.map(SkipReason::as_str);
                let failed = p.error.is_some();
                let status = if failed { None } else { p.status };
                (url, p.depth, status, failed, skipped, p.title.clone())
            })
            .collect::<BTreeSet<_>>()
    };
    let edges = |report: &crawler_core::report::CrawlReport, map: &dyn Fn(&str) -> String| {
        report
            .graph
            .links()
            .map(|(s, t, link)| (map(s.url.as_str()), map(t.url.as_str()), link.kind.as_str()))
            .collect::<BTreeSet<_>>()
    };
    let same = |url: &str| url.to_owned();
    assert_eq!(pages(&over_file, &same), pages(&over_http, &local));
    assert_eq!(edges(&over_file, &same), edges(&over_http, &local));
    // The site's own checks: nginx did answer as the cases above say.
    let at = |rel: &str| page(&over_http, &nginx.url(rel));
    assert_eq!(at("/sub").status, Some(301));
    assert_eq!(at("/bare/").status, Some(403));
    assert_eq!(at("/missing.html").status, Some(404));
    assert_eq!(at("/a%20b.html").title.as_deref(), Some("space"));
}
