//! How long the analyses take, and how much memory they add, on a crawl-sized graph built in
//! memory; and how big the HTML report of a 10k-page crawl is.
//!
//! Not criterion: one run of a multi-second analysis says what a user waits for, and peak
//! memory (`VmHWM`) can only be read once per process. Run with
//! `cargo bench -p crawler-core --bench analysis` (`-- 100000 37` sets pages and links per
//! page; the HTML report of 10k pages × 40 links goes to `target/report-10k.html`, for
//! `scripts/bench-report-html.sh` to open in chromium).
//!
//! The graph: pages link to the 10 menu pages, their 7 neighbours and 20 pseudo-random pages;
//! 1% answer 404, 1% redirect, 1% are out of scope; titles repeat every 5,000 pages.

use std::hint::black_box;
use std::time::{Duration, Instant};

use crawler_core::analysis::{
    analyse, broken, depth, orphans, redirects, structure, summary, titles, Options,
};
use crawler_core::export::html::write_html_with;
use crawler_core::{CrawlGraph, CrawlReport, Link, PageError, SkipReason, Url};

fn synthetic(pages: usize, links_per_page: usize) -> CrawlReport {
    let mut graph = CrawlGraph::new();
    let url = |i: usize| Url::parse(&format!("http://site.test/s{}/p{i}.html", i % 97)).unwrap();
    let mut ids = Vec::with_capacity(pages);
    for i in 0..pages {
        let depth = i.max(1).ilog(8);
        let (id, _) = graph.add_page(&url(i), depth);
        let page = graph.page_mut(id);
        page.status = Some(200);
        page.content_type = Some("text/html".into());
        page.bytes = 14_000;
        page.fetch_time = Some(Duration::from_micros(500 + (i as u64 * 7919) % 20_000));
        page.title = Some(format!("Page {}", i % 5_000));
        match i % 100 {
            17 => {
                page.status = Some(404);
                page.error = Some(PageError::HttpStatus { status: 404 });
            }
            33 => page.status = Some(301),
            51 => {
                page.status = None;
                page.skipped = Some(SkipReason::OutOfScope);
            }
            _ => {}
        }
        ids.push(id);
    }
    let texts: Vec<_> = (0..50)
        .map(|k| graph.intern(&format!("link {k}")))
        .collect();
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for i in 0..pages {
        let source = ids[i];
        if i % 100 == 33 {
            graph.add_link(source, ids[(i + 1) % pages], Link::redirect());
            continue;
        }
        if i % 100 == 17 || i % 100 == 51 {
            continue;
        }
        for k in 0..links_per_page {
            let target = if k < 10 {
                k
            } else if k < 17 {
                (i + k - 9) % pages
            } else {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                usize::try_from(state % pages as u64).unwrap()
            };
            graph.add_link(source, ids[target], Link::anchor(Some(texts[k % 50]), None));
        }
    }
    CrawlReport::from_graph(graph, vec![url(0)], 8)
}

/// This process's peak resident memory, in MiB.
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(f64::NAN);
    kib / 1024.0
}

fn main() {
    let numbers: Vec<usize> = std::env::args().filter_map(|a| a.parse().ok()).collect();
    let pages = numbers.first().copied().unwrap_or(100_000);
    let links = numbers.get(1).copied().unwrap_or(37);

    let start = Instant::now();
    let report = synthetic(pages, links);
    let built = start.elapsed();
    let before = peak_mib();
    println!(
        "graph: {} pages, {} links, built in {:.2?}, peak {before:.0} MiB",
        report.graph.page_count(),
        report.graph.link_count(),
        built
    );
    // Each analysis alone first, to show where the time goes.
    let graph = &report.graph;
    let parts: [(&str, &dyn Fn()); 9] = [
        ("summary", &|| {
            black_box(summary::summarise(&report));
        }),
        ("depth", &|| {
            black_box(depth::depths(graph, 10));
        }),
        ("broken", &|| {
            black_box(broken::broken(graph));
        }),
        ("redirects", &|| {
            black_box(redirects::chains(graph));
        }),
        ("orphans", &|| {
            black_box(orphans::orphans(&report));
        }),
        ("pagerank", &|| {
            black_box(structure::pagerank(graph));
        }),
        ("components", &|| {
            black_box(structure::components(graph));
        }),
        ("structure (all)", &|| {
            black_box(structure::structure(graph, 10));
        }),
        ("titles", &|| {
            black_box(titles::duplicates(graph));
        }),
    ];
    for (name, run) in parts {
        let start = Instant::now();
        run();
        println!("  {name}: {:.2?}", start.elapsed());
    }
    let start = Instant::now();
    let analysis = analyse(&report, &Options::default());
    let took = start.elapsed();
    let after = peak_mib();
    println!(
        "analysis: {took:.2?}, peak {after:.0} MiB (+{:.0} MiB over the graph); PageRank {} iterations, delta {:.1e}; {} broken pages, {} redirect chains, {} components",
        after - before,
        analysis.structure.pagerank.iterations,
        analysis.structure.pagerank.delta,
        analysis.broken.broken_pages,
        analysis.redirects.chains,
        analysis.structure.components.count
    );

    let small = synthetic(10_000, 40);
    let analysis = analyse(&small, &Options::default());
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/report-10k.html");
    let start = Instant::now();
    let file = std::io::BufWriter::new(std::fs::File::create(&path).expect("target/ is writable"));
    write_html_with(&small, &analysis, file).expect("HTML written");
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    #[expect(clippy::cast_precision_loss, reason = "a file size in MiB")]
    let mib = size as f64 / 1_048_576.0;
    println!(
        "html: {} pages, {} links -> {} ({mib:.1} MiB) in {:.2?}",
        small.graph.page_count(),
        small.graph.link_count(),
        path.display(),
        start.elapsed()
    );
}
