use super::*;
use crate::analysis::testgraph::TestGraph;

/// a <-> b, a -> c, c -> a, d -> c, and e alone (dangling, unlinked).
#[expect(clippy::many_single_char_names, reason = "pages named as in a drawing")]
fn sample() -> CrawlGraph {
    let mut t = TestGraph::default();
    let a = t.html("a", 0);
    let b = t.html("b", 1);
    let c = t.html("c", 1);
    let d = t.html("d", 0);
    let _e = t.html("e", 0);
    t.link(a, b, "b");
    t.link(b, a, "a");
    t.link(a, c, "c");
    t.link(c, a, "a");
    t.link(d, c, "c");
    t.link(c, c, "self");
    t.graph
}

#[test]
fn pagerank_matches_the_closed_form_of_a_two_cycle() {
    // a <-> b: both 1/2, reached in one pass from the uniform start.
    let mut t = TestGraph::default();
    let a = t.html("a", 0);
    let b = t.html("b", 1);
    t.link(a, b, "b");
    t.link(b, a, "a");
    let rank = pagerank(&t.graph);
    assert_eq!(rank.scores, [0.5, 0.5]);
    assert!(rank.info.converged);
    assert_eq!(rank.info.iterations, 1);
}

#[test]
fn pagerank_of_a_star_with_a_dangling_centre() {
    // Three leaves link to the centre c, which links nowhere. By hand, with N = 4 and c's
    // rank spread uniformly: each leaf l = 0.15/4 + 0.85 c/4 = 0.0375 + 0.2125 c, and
    // c = 0.0375 + 0.2125 c + 0.85 * 3 l, so c = (0.0375 + 2.55 * 0.0375) / (1 - 0.2125 -
    // 2.55 * 0.2125) = 0.133125 / 0.245625.
    let mut t = TestGraph::default();
    let c = t.html("c", 0);
    for name in ["x", "y", "z"] {
        let leaf = t.html(name, 1);
        t.link(leaf, c, "c");
    }
    let rank = pagerank(&t.graph);
    let centre = 0.133_125 / 0.245_625;
    assert!((rank.scores[0] - centre).abs() < 1e-8, "{:?}", rank.scores);
    let leaf = (1.0 - centre) / 3.0;
    for score in &rank.scores[1..] {
        assert!((score - leaf).abs() < 1e-8);
    }
    assert!(rank.info.converged);
}

#[test]
fn pagerank_sums_to_one_and_ranks_the_most_linked_first() {
    let graph = sample();
    let rank = pagerank(&graph);
    assert!((rank.scores.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    let report = structure(&graph, 2);
    // c gathers a, d and its own self-link; a gathers b and c.
    let top: Vec<_> = report.top_pagerank.iter().map(|r| r.url.as_str()).collect();
    assert_eq!(top, ["http://t.test/c", "http://t.test/a"]);
    // d and e have no in-links: both hold only the teleport and dangling share.
    assert!((rank.scores[3] - rank.scores[4]).abs() < 1e-12);
    assert!(report.pagerank.converged);
    assert!(report.pagerank.delta < PAGERANK_TOLERANCE);
}

#[test]
fn degrees_ignore_self_links() {
    let report = structure(&sample(), 3);
    let ranked = |list: &[Ranked]| -> Vec<(String, f64)> {
        list.iter()
            .map(|r| (r.url.replace("http://t.test/", ""), r.value))
            .collect()
    };
    assert_eq!(
        ranked(&report.top_in_degree),
        [("a".into(), 2.0), ("c".into(), 2.0), ("b".into(), 1.0)]
    );
    assert_eq!(
        ranked(&report.top_out_degree),
        [("a".into(), 2.0), ("b".into(), 1.0), ("c".into(), 1.0)]
    );
}

#[test]
fn components_and_single_referrers() {
    let report = structure(&sample(), 10);
    // {a, b, c} is one component; d and e are alone.
    assert_eq!(
        report.components,
        Components {
            count: 3,
            non_trivial: 1,
            largest: 3
        }
    );
    // b is linked from a only; c from a and d; a from b and c.
    assert_eq!(report.linked_from_one, 1);
    assert_eq!(report.linked_from_one_list[0].url, "http://t.test/b");
    assert_eq!(report.linked_from_one_list[0].referrer, "http://t.test/a");
}

#[test]
fn components_of_a_long_cycle_do_not_overflow_the_stack() {
    // A recursive SCC algorithm needs one frame per page here; the test thread has 2 MiB.
    let mut graph = CrawlGraph::new();
    let pages = 200_000;
    let ids: Vec<_> = (0..pages)
        .map(|i| {
            let url = url::Url::parse(&format!("http://t.test/{i}")).unwrap();
            graph.add_page(&url, 0).0
        })
        .collect();
    for i in 0..pages {
        graph.add_link(ids[i], ids[(i + 1) % pages], crate::graph::Link::redirect());
    }
    let c = components(&graph);
    assert_eq!((c.count, c.non_trivial, c.largest), (1, 1, pages));
}

#[test]
fn components_agree_with_petgraph_on_a_random_graph() {
    let mut graph = CrawlGraph::new();
    let ids: Vec<_> = (0..300)
        .map(|i| {
            let url = url::Url::parse(&format!("http://t.test/{i}")).unwrap();
            graph.add_page(&url, 0).0
        })
        .collect();
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    for _ in 0..450 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let (s, t) = ((state % 300) as usize, ((state >> 20) % 300) as usize);
        graph.add_link(ids[s], ids[t], crate::graph::Link::redirect());
    }
    let theirs = petgraph::algo::kosaraju_scc(graph.as_petgraph());
    let ours = components(&graph);
    assert_eq!(ours.count, theirs.len());
    assert_eq!(ours.largest, theirs.iter().map(Vec::len).max().unwrap());
    assert_eq!(
        ours.non_trivial,
        theirs.iter().filter(|c| c.len() > 1).count()
    );
    assert!(
        ours.non_trivial > 0 && ours.count > 1,
        "a graph with some structure: {ours:?}"
    );
}
