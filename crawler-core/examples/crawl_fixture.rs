//! Crawls the bundled fixture site, served on 127.0.0.1, and prints its edges and broken pages.
//!
//! Run with `cargo run -p crawler-core --example crawl_fixture`.

use crawler_core::{Crawler, LinkKind};
use crawler_tests::FixtureServer;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = FixtureServer::start();
    let crawler = Crawler::builder().max_depth(3).build()?;
    let report = crawler
        .crawl([server.url("/index.html")], std::future::pending())
        .await?;
    for (source, target, link) in report.graph.links() {
        let kind = match link.kind {
            LinkKind::Redirect => "redirect",
            _ => "link",
        };
        println!("{kind}\t{}\t{}", source.url, target.url);
    }
    for page in report.broken_pages() {
        println!("broken\t{}\t{:?}", page.url, page.error);
    }
    println!(
        "{} pages, {} links, {:?}",
        report.graph.page_count(),
        report.graph.link_count(),
        report.stopped
    );
    Ok(())
}
