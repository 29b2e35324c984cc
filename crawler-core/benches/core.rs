//! Criterion benchmarks of the crawler's CPU work, without the network: link extraction from a
//! generated 14 KB page (with and without its anchors), normalisation of its links, building a 1M-edge graph, and exporting
//! it in every format.
//!
//! Run with `cargo bench -p crawler-core --bench core` (add `-- extract` etc. to filter). Exports
//! go through a `BufWriter` into a byte counter, as the CLI writes a file minus the disk. The
//! page comes from `crawler_tests::synth`, the generator of the end-to-end benchmark, so these
//! numbers and `scripts/bench-e2e.sh` measure the same kind of page.

use std::hint::black_box;
use std::io;
use std::time::Duration;

use crawler_core::extract::{extract, extract_with, extract_with_anchors};
use crawler_core::{
    normalize_link, CrawlGraph, CrawlReport, ExportFormat, Extraction, Link, LinkKind, Url,
    DEFAULT_MAX_LINKS_PER_PAGE,
};
use criterion::{BatchSize, Criterion, Throughput};

/// Pages and edges of the export benchmark's graph: 40 links a page, like a crawled site.
const GRAPH_PAGES: usize = 25_000;
const GRAPH_EDGES: usize = 1_000_000;

/// A mid-site page (depth 4, with neighbours, older pages and a few variants).
fn sample_page() -> (Url, String) {
    let index = 4321;
    let html = crawler_tests::synth::render_page(10_000, 1, "127.0.0.1:8000", index);
    let url = Url::parse("http://127.0.0.1:8000/sec43/part0/page4321.html").expect("page URL");
    (url, html)
}

#[path = "support/tokenize_only.rs"]
mod tokenize_only;

fn extraction(c: &mut Criterion) {
    let (_, html) = sample_page();
    // The tokenizer-only sink keeps anchors; extraction also records typed links (stylesheets,
    // images, canonical), so only its anchors are compared.
    let anchors = extract(&html, DEFAULT_MAX_LINKS_PER_PAGE)
        .links
        .iter()
        .filter(|link| link.kind == LinkKind::Anchor)
        .count();
    assert_eq!(tokenize_only::run(&html).links.borrow().len(), anchors);
    let mut group = c.benchmark_group("extract");
    group.throughput(Throughput::Bytes(html.len() as u64));
    group.bench_function("page_14k", |b| {
        b.iter(|| extract(black_box(&html), DEFAULT_MAX_LINKS_PER_PAGE));
    });
    // The crawler's default path.
    group.bench_function("tokens_14k", |b| {
        b.iter(|| {
            extract_with(
                Extraction::Tokens,
                black_box(&html),
                DEFAULT_MAX_LINKS_PER_PAGE,
            )
        });
    });
    // The same with the page's anchors collected (`--check-fragments`).
    group.bench_function("tokens_anchors_14k", |b| {
        b.iter(|| {
            extract_with_anchors(
                Extraction::Tokens,
                black_box(&html),
                DEFAULT_MAX_LINKS_PER_PAGE,
            )
        });
    });
    group.bench_function("tokenize_only_14k", |b| {
        b.iter(|| tokenize_only::run(black_box(&html)));
    });
    group.finish();
}

fn normalisation(c: &mut Criterion) {
    let (base, html) = sample_page();
    let hrefs: Vec<String> = extract(&html, DEFAULT_MAX_LINKS_PER_PAGE)
        .links
        .into_iter()
        .map(|link| link.href)
        .collect();
    let mut group = c.benchmark_group("normalize");
    group.throughput(Throughput::Elements(hrefs.len() as u64));
    group.bench_function("page_links", |b| {
        b.iter(|| {
            hrefs
                .iter()
                .filter_map(|href| normalize_link(black_box(&base), href))
                .count()
        });
    });
    group.finish();
}

/// A crawled-looking graph: every page fetched, titled, 40 anchor edges with text.
fn big_graph() -> CrawlGraph {
    let urls: Vec<Url> = (0..GRAPH_PAGES)
        .map(|i| {
            let path = format!("/sec{}/part{}/page{i}.html", i / 100, (i % 100) / 25);
            Url::parse(&format!("http://127.0.0.1:8000{path}")).expect("page URL")
        })
        .collect();
    let mut graph = CrawlGraph::new();
    let nodes: Vec<_> = urls
        .iter()
        .enumerate()
        .map(|(i, url)| graph.add_page(url, u32::try_from(i % 7).unwrap_or(0)).0)
        .collect();
    for (i, &node) in nodes.iter().enumerate() {
        let page = graph.page_mut(node);
        page.status = Some(200);
        page.content_type = Some("text/html".to_owned());
        page.title = Some(format!("Harbour of the river ({i})"));
        page.bytes = 14_500;
        page.fetch_time = Some(Duration::from_micros(800 + (i % 500) as u64));
    }
    let per_page = GRAPH_EDGES / GRAPH_PAGES;
    for (i, &source) in nodes.iter().enumerate() {
        for k in 0..per_page {
            let target = nodes[(i + 1 + k * 613) % GRAPH_PAGES];
            let text = graph.intern(&format!("Station {k} near the bridge"));
            graph.add_link(source, target, Link::anchor(Some(text), None));
        }
    }
    graph
}

/// Counts the bytes written and drops them. Unlike `io::sink()`, whose `write_fmt` may skip
/// formatting altogether, this makes the exporters do all their work.
#[derive(Debug, Default)]
struct Counter(u64);

impl io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += black_box(buf).len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Exports `report` as `format` through a `BufWriter`, as the CLI writes files; returns bytes.
fn export_bytes(report: &CrawlReport, format: ExportFormat) -> u64 {
    let mut out = io::BufWriter::new(Counter::default());
    crawler_core::export::write(report, format, &mut out).expect("counter never fails");
    out.into_inner().expect("flushed").0
}

fn export(c: &mut Criterion) {
    let mut group = c.benchmark_group("graph_1m");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(GRAPH_EDGES as u64));
    group.bench_function("build", |b| b.iter(big_graph));
    let seed = Url::parse("http://127.0.0.1:8000/sec0/part0/page0.html").expect("seed");
    let report = CrawlReport::from_graph(big_graph(), vec![seed], 100);
    assert_eq!(report.graph.link_count(), GRAPH_EDGES);
    for format in ExportFormat::ALL {
        let bytes = export_bytes(&report, format);
        eprintln!("export {format}: {} MiB", bytes / (1024 * 1024));
        group.bench_function(format!("export_{format}"), |b| {
            b.iter(|| export_bytes(&report, format));
        });
    }
    // Dropping the graph is part of every crawl too.
    group.bench_function("drop", |b| {
        b.iter_batched(big_graph, drop, BatchSize::PerIteration);
    });
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    extraction(&mut c);
    normalisation(&mut c);
    export(&mut c);
    c.final_summary();
}
