//! The renderer through the library, with Debian's chromium against the JavaScript fixture
//! site on 127.0.0.1: what the crawl gets, and that no browser process outlives the renderer,
//! even when a fetch task panics in the middle of a render.

use std::sync::Arc;
use std::time::Duration;

use crawler_core::render::{Loader, RenderFailure, RenderRequest, Rendered, Renderer};
use crawler_core::{CrawlReport, Crawler, LinkKind, PageError, RenderMode};
use crawler_render::{find_chromium, Chromium, ChromiumOptions};
use crawler_tests::procs::live_tree;
use crawler_tests::{js_site_root, FixtureServer, Reply, ServerOptions};
use futures::future::{BoxFuture, FutureExt};

/// Upper bound of any wait in these tests: a hang shows as a failure.
const LIMIT: Duration = Duration::from_secs(60);

fn js_site() -> FixtureServer {
    FixtureServer::start_with(ServerOptions {
        root: js_site_root(),
        ..ServerOptions::default()
    })
}

fn chromium() -> Arc<Chromium> {
    let executable = find_chromium(None).expect("chromium is installed (scripts/test-deps.sh)");
    Arc::new(Chromium::new(ChromiumOptions::new(executable, 2)).expect("renderer"))
}

/// Waits until `done` is true, polling; fails after [`LIMIT`].
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let waited = tokio::time::timeout(LIMIT, async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "waited {LIMIT:?} for {what}");
}

/// Crawls from `seed` to `depth`, rendering every page with `chromium`; fails after [`LIMIT`].
async fn crawl_rendered(chromium: &Arc<Chromium>, depth: u32, seed: String) -> CrawlReport {
    let crawler = Crawler::builder()
        .max_depth(depth)
        .render(RenderMode::Always)
        .renderer(chromium.clone())
        .build()
        .unwrap();
    tokio::time::timeout(LIMIT, crawler.crawl(&[seed], std::future::pending()))
        .await
        .unwrap()
        .unwrap()
}

/// Shuts `chromium` down and waits until its last browser's processes are gone.
async fn shut_down(chromium: &Chromium) {
    let pid = chromium.browser_pid().await.expect("the last browser runs");
    chromium.shutdown().await;
    until("the last browser's processes to end", || {
        live_tree(pid).is_empty()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crawl_through_the_library_gets_the_rendered_links_and_script_edges() {
    let server = js_site();
    let chromium = chromium();
    let report = crawl_rendered(&chromium, 0, server.url("/")).await;
    let rendered: Vec<(String, LinkKind)> = report
        .graph
        .links()
        .filter(|(_, _, link)| link.rendered)
        .map(|(_, t, link)| (t.url.path().to_owned(), link.kind))
        .collect();
    assert_eq!(rendered.len(), 6, "{rendered:?}");
    assert!(rendered.contains(&("/app/home/".to_owned(), LinkKind::Script)));
    assert_eq!(report.stats.pages_rendered, 1);
    assert_eq!(report.stats.render_requests, 2, "app.js and links.json");
    shut_down(&chromium).await;
}

/// A renderer that panics in the middle of a render of `/wait.html` (once its held request
/// arrived), while the render holds a tab of the real browser.
#[derive(Debug)]
struct PanicsMidRender {
    inner: Arc<Chromium>,
    server: Arc<FixtureServer>,
}

impl Renderer for PanicsMidRender {
    fn render<'a>(
        &'a self,
        page: RenderRequest<'a>,
        loader: &'a dyn Loader,
    ) -> BoxFuture<'a, Result<Rendered, RenderFailure>> {
        async move {
            if page.url.path() != "/wait.html" {
                return self.inner.render(page, loader).await;
            }
            let render = self.inner.render(page, loader);
            let trigger = until("the held request", || self.server.hits("/held.json") > 0);
            tokio::select! {
                result = render => result,
                () = trigger => panic!("a fetch task panics mid-render"),
            }
        }
        .boxed()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_that_panics_mid_render_costs_its_page_and_leaves_no_browser() {
    let server = Arc::new(js_site());
    server.route(
        "/wait.html",
        Reply::html("<a href=\"/\">home</a><script>fetch('/held.json');</script>"),
    );
    server.route(
        "/held.json",
        Reply::html("{}").with_delay(Duration::from_secs(3600)),
    );
    let chromium = chromium();
    let renderer = PanicsMidRender {
        inner: chromium.clone(),
        server: server.clone(),
    };
    let crawler = Crawler::builder()
        .max_depth(0)
        .render(RenderMode::Always)
        .renderer(Arc::new(renderer))
        .build()
        .unwrap();
    let seeds = [server.url("/wait.html"), server.url("/throws.html")];
    let report = tokio::time::timeout(LIMIT, crawler.crawl(&seeds, std::future::pending()))
        .await
        .unwrap()
        .unwrap();
    let page = report
        .graph
        .page(&seeds[0].parse().unwrap())
        .expect("the page");
    assert!(
        matches!(page.error, Some(PageError::Internal { .. })),
        "{page:?}"
    );
    let throws = report
        .graph
        .page(&seeds[1].parse().unwrap())
        .expect("the other page");
    assert_eq!(throws.error, None, "the crawl went on");
    let pid = chromium.browser_pid().await.expect("the browser runs");
    assert!(!live_tree(pid).is_empty());
    drop(crawler);
    drop(chromium);
    until("the browser's processes to end", || {
        live_tree(pid).is_empty()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_is_replaced_after_its_page_budget_and_the_graph_stays_whole() {
    let server = js_site();
    let executable = find_chromium(None).expect("chromium is installed (scripts/test-deps.sh)");
    let mut options = ChromiumOptions::new(executable, 1);
    options.restart_after = 3;
    let chromium = Arc::new(Chromium::new(options).unwrap());
    let report = crawl_rendered(&chromium, 5, server.url("/")).await;
    assert_eq!(report.stats.pages_rendered, 11);
    assert_eq!(
        report.stats.pages_render_gained, 3,
        "every render still gains"
    );
    let stats = chromium.stats();
    assert_eq!(
        (stats.renders, stats.launches),
        (11, 4),
        "a browser every 3 pages"
    );
    assert!(stats.peak_rss > 0);
    shut_down(&chromium).await;
}

/// The detail of the render failure of `path`, if its render failed.
fn render_failure(report: &CrawlReport, server: &FixtureServer, path: &str) -> String {
    let page = report
        .graph
        .page(&server.url(path).parse().unwrap())
        .expect("the page is in the graph");
    match &page.error {
        Some(PageError::RenderFailed { detail }) => detail.clone(),
        other => panic!("{path}: {other:?}, not a failed render"),
    }
}

/// Pages that eat memory, one by growing its script heap and one by filling array buffers
/// (neither bounded by V8's heap limit here): the browser passes its hard memory limit (half
/// again its 2 GiB cap) and is killed within a poll, each costs its own render, the pages after them render in a fresh browser,
/// and the memory the browser reached stays near the cap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_that_eat_memory_cost_their_render_and_the_browser_stays_bounded() {
    const CAP: u64 = crawler_render::DEFAULT_MAX_RSS;
    let server = js_site();
    server.route(
        "/hogs.html",
        Reply::html(
            "<a href=\"/heap.html\">heap</a> <a href=\"/buffers.html\">buffers</a> \
             <a href=\"/?delay_ms=500\">shell</a>",
        ),
    );
    server.route(
        "/heap.html",
        Reply::html(
            "<a href=\"/\">home</a><script>const kept = []; \
             for (;;) { kept.push(new Array(1e6).fill(Math.random())); }</script>",
        ),
    );
    server.route(
        "/buffers.html",
        Reply::html(
            "<a href=\"/\">home</a><script>const kept = []; \
             for (;;) { kept.push(new Uint8Array(64 << 20).fill(1)); }</script>",
        ),
    );
    let executable = find_chromium(None).expect("chromium is installed (scripts/test-deps.sh)");
    let chromium = Arc::new(Chromium::new(ChromiumOptions::new(executable, 1)).unwrap());
    let report = crawl_rendered(&chromium, 1, server.url("/hogs.html")).await;
    for hog in ["/heap.html", "/buffers.html"] {
        let why = render_failure(&report, &server, hog);
        assert!(why.contains("memory limit (3072 MiB)"), "{hog}: {why}");
    }
    // The app shell renders after them (its answer comes 500 ms later, so both hogs have
    // queued for the one tab first), in a browser started again.
    let rendered_links = report.graph.links().filter(|(_, _, l)| l.rendered).count();
    assert!(rendered_links > 0, "the shell still renders");
    let stats = chromium.stats();
    assert_eq!(stats.launches, 3, "a browser after each hog: {stats:?}");
    assert!(
        stats.peak_rss < CAP + CAP / 2 + (1 << 30),
        "the browser grew far past its cap: {stats:?}"
    );
    shut_down(&chromium).await;
}
