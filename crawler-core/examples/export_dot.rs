//! Crawls the bundled fixture site and writes it as Graphviz DOT to stdout, following progress
//! events on stderr. Pipe it into Graphviz:
//!
//! `cargo run -p crawler-core --example export_dot | dot -Tsvg > site.svg`

use std::io::{BufWriter, Write};

use crawler_core::{export, CrawlEvent, Crawler, ExportFormat};
use crawler_tests::FixtureServer;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = FixtureServer::start();
    let crawler = Crawler::builder()
        .max_depth(2)
        .on_event(|event| {
            if let CrawlEvent::LevelDone { depth, next } = event {
                eprintln!("depth {depth} done, {next} pages queued");
            }
        })
        .build()?;
    let report = crawler
        .crawl([server.url("/index.html")], std::future::pending())
        .await?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    export::write(&report, ExportFormat::Dot, &mut out)?;
    out.flush()?;
    Ok(())
}
