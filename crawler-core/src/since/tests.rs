use super::*;
use crate::config::CrawlSpec;
use crate::export::sample;
use crate::graph::CrawlGraph;

fn config() -> CrawlConfig {
    CrawlSpec::default().config().unwrap()
}

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

/// The exporters' sample, crawled under the default rules, with validators on its two 2xx
/// pages and on the 404 (which must not make it reusable).
fn previous_report() -> CrawlReport {
    let mut report = sample::report();
    report.link_rules = Some(link_rules(&config()));
    let graph = &mut report.graph;
    for (page, etag) in [
        ("http://site.test/index.html", "\"i1\""),
        ("http://site.test/a.html?x=1&y=<2>", "\"a1\""),
        ("http://site.test/missing", "\"m1\""),
    ] {
        let index = graph.index_of(&url(page)).unwrap();
        graph.page_mut(index).validators = Validators::new(Some(etag.into()), None);
    }
    report
}

fn reusable<'a>(previous: &'a PreviousCrawl, page: &str) -> &'a PreviousPage {
    match previous.lookup(&url(page)) {
        Lookup::Reusable(page) => page,
        other => panic!("{page}: {other:?}"),
    }
}

#[test]
fn vouches_for_fetched_2xx_pages_with_validators_and_keeps_their_links_in_order() {
    let previous = PreviousCrawl::from_report(&previous_report(), &config());
    assert_eq!(previous.unusable(), None);
    assert_eq!((previous.pages(), previous.reusable()), (4, 2));
    let a = reusable(&previous, "http://site.test/a.html?x=1&y=<2>");
    assert_eq!(a.validators.etag.as_deref(), Some("\"a1\""));
    let links = a.links();
    let links: Vec<_> = links
        .iter()
        .map(|l| (l.url.as_str(), l.text.as_deref()))
        .collect();
    assert_eq!(
        links,
        [
            ("http://site.test/moved", Some("moved")),
            ("http://other.test/", Some("elsewhere")),
        ]
    );
    let index = reusable(&previous, "http://site.test/index.html");
    assert_eq!(index.links()[0].rel.as_deref(), Some("nofollow"));
    assert_eq!(index.links().len(), 2);
    // An error status, a redirect without validators: fetched, not vouched for.
    for known in ["http://site.test/missing", "http://site.test/moved"] {
        assert!(
            matches!(previous.lookup(&url(known)), Lookup::Known),
            "{known}"
        );
    }
    // Out of scope, never fetched.
    assert!(matches!(
        previous.lookup(&url("http://other.test/")),
        Lookup::Unknown
    ));
}

#[test]
fn other_missing_or_lossy_link_rules_vouch_for_nothing() {
    let mut report = previous_report();
    let other = CrawlSpec {
        max_links_per_page: 5,
        ..CrawlSpec::default()
    };
    let other = other.config().unwrap();
    let previous = PreviousCrawl::from_report(&report, &other);
    assert_eq!(previous.unusable(), Some(Unusable::OtherLinkRules));
    assert_eq!((previous.pages(), previous.reusable()), (4, 0));
    report.stats.links_dropped = 3;
    let previous = PreviousCrawl::from_report(&report, &config());
    assert_eq!(previous.unusable(), Some(Unusable::LinksDropped(3)));
    assert_eq!(previous.reusable(), 0);
    let fragments = CrawlSpec {
        check_fragments: true,
        ..CrawlSpec::default()
    };
    let previous = PreviousCrawl::from_report(&report, &fragments.config().unwrap());
    assert_eq!(previous.unusable(), Some(Unusable::CheckFragments));
    let rendering = CrawlSpec {
        render: crate::RenderMode::Always,
        ..CrawlSpec::default()
    };
    let previous = PreviousCrawl::from_report(&report, &rendering.config().unwrap());
    assert_eq!(previous.unusable(), Some(Unusable::Render));
    report.stats.links_dropped = 0;
    report.link_rules = None;
    let previous = PreviousCrawl::from_report(&report, &config());
    assert_eq!(previous.unusable(), Some(Unusable::NoLinkRules));
}

#[test]
fn the_json_and_graphml_exports_carry_what_a_revalidation_needs() {
    let mut report = previous_report();
    let a = report
        .graph
        .index_of(&url("http://site.test/a.html?x=1&y=<2>"))
        .unwrap();
    report.graph.page_mut(a).validators = Validators::new(
        Some("W/\"a&1\"".into()),
        Some("Tue, 01 Dec 2026 10:00:00 GMT".into()),
    );
    // A title GraphML holds as it is (the sample's has a control character).
    let index = report
        .graph
        .index_of(&url("http://site.test/index.html"))
        .unwrap();
    report.graph.page_mut(index).title = Some("Home & \"garden\"\n".into());
    let expected = PreviousCrawl::from_report(&report, &config());
    for format in [crate::ExportFormat::Json, crate::ExportFormat::GraphMl] {
        let mut out = Vec::new();
        crate::export::write(&report, format, &mut out).unwrap();
        let back = PreviousCrawl::read(&out[..], &config()).unwrap();
        assert_eq!(back.unusable(), None, "{format:?}");
        assert_eq!(back.reusable(), expected.reusable(), "{format:?}");
        for page in [
            "http://site.test/index.html",
            "http://site.test/a.html?x=1&y=<2>",
        ] {
            let (got, want) = (reusable(&back, page), reusable(&expected, page));
            assert_eq!(got.validators, want.validators, "{format:?} {page}");
            assert_eq!(got.links(), want.links(), "{format:?} {page}");
            assert_eq!(got.title, want.title, "{format:?} {page}");
            assert_eq!(got.nofollow, want.nofollow, "{format:?} {page}");
        }
    }
}

#[test]
fn graphml_keeps_no_validators_for_a_page_whose_texts_it_alters() {
    let report = previous_report();
    // The sample's home page title holds a control character GraphML cannot hold.
    let mut out = Vec::new();
    crate::export::write(&report, crate::ExportFormat::GraphMl, &mut out).unwrap();
    let back = PreviousCrawl::read(&out[..], &config()).unwrap();
    assert!(matches!(
        back.lookup(&url("http://site.test/index.html")),
        Lookup::Known
    ));
    assert_eq!(back.reusable(), 1);
}

#[test]
fn hostile_files_are_errors() {
    for bad in [
        &b""[..],
        b"garbage",
        b"{\"nodes\":",
        b"<graphml",
        b"{\"nodes\":[{\"id\":3}]}",
    ] {
        let err = PreviousCrawl::read(bad, &config()).unwrap_err();
        assert!(!err.to_string().contains('\n'), "{err}");
    }
    let mut graph = CrawlGraph::new();
    for i in 0..3 {
        graph.add_page(&url(&format!("http://site.test/{i}")), 0);
    }
    let report = CrawlReport::from_graph(graph, vec![url("http://site.test/0")], 0);
    let mut out = Vec::new();
    crate::export::write(&report, crate::ExportFormat::Json, &mut out).unwrap();
    let small = CrawlSpec {
        max_nodes: 2,
        ..CrawlSpec::default()
    };
    let err = PreviousCrawl::read(&out[..], &small.config().unwrap()).unwrap_err();
    assert!(
        matches!(err, SinceError::TooManyPages { pages: 3, limit: 2 }),
        "{err}"
    );
}
