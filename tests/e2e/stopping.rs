//! Stopping early: cancellation and the page cap both hand back a partial report.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crawler_core::{CrawlEvent, Crawler, SkipReason, StopReason};
use crawler_tests::FixtureServer;

use crate::support::{crawl, page, page_requests};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellation_returns_the_graph_so_far() {
    let server = FixtureServer::start();
    let (cancel, cancelled) = tokio::sync::oneshot::channel::<()>();
    let cancel = std::sync::Mutex::new(Some(cancel));
    let done = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&done);
    // Cancel as soon as three leaf pages are done; the rest are slow.
    let crawler = Crawler::builder()
        .max_depth(1)
        .per_host(2)
        .on_event(move |event| {
            if let CrawlEvent::PageDone { depth: 1, .. } = event {
                if counter.fetch_add(1, Ordering::SeqCst) + 1 == 3 {
                    if let Some(tx) = cancel.lock().unwrap().take() {
                        let _ = tx.send(());
                    }
                }
            }
        })
        .build()
        .unwrap();
    let seed = server.url("/_/links/100?delay_ms=0");
    let shutdown = async {
        let _ = cancelled.await;
    };
    let report = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        crawler.crawl([seed.as_str()], shutdown),
    )
    .await
    .expect("cancellation is prompt")
    .unwrap();
    assert_eq!(report.stopped, StopReason::Cancelled);
    assert_eq!(page(&report, &seed).status, Some(200));
    assert_eq!(
        report.graph.page_count(),
        101,
        "every discovered link is kept"
    );
    let fetched = report.graph.pages().filter(|p| p.is_fetched()).count();
    let cancelled = report
        .graph
        .pages()
        .filter(|p| p.skipped == Some(SkipReason::Cancelled))
        .count();
    assert!((2..101).contains(&fetched), "fetched {fetched}");
    assert!(page_requests(&server) >= fetched);
    assert_eq!(fetched + cancelled, 101);
    assert!(page_requests(&server) < 101);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_cap_stops_cleanly() {
    let server = FixtureServer::start();
    let report = crawl(
        Crawler::builder().max_depth(10).max_pages(5),
        &[server.url("/index.html")],
    )
    .await;
    assert_eq!(report.stopped, StopReason::MaxPages);
    assert_eq!(report.stats.pages_fetched, 5);
    assert_eq!(page_requests(&server), 5);
    let capped = report
        .graph
        .pages()
        .filter(|p| p.skipped == Some(SkipReason::MaxPages))
        .count();
    assert!(capped > 0);
    assert!(
        report
            .graph
            .pages()
            .all(|p| p.is_fetched() || p.skipped.is_some()),
        "every page has a state"
    );
}
