//! Unit tests of the graph store: dedup by URL, edge order and sources, the petgraph view.

use super::*;

#[test]
fn add_page_dedups_by_url() {
    let mut graph = CrawlGraph::new();
    let a = Url::parse("http://site.test/a").unwrap();
    let (first, new) = graph.add_page(&a, 0);
    assert!(new);
    let (again, new) = graph.add_page(&a, 3);
    assert!(!new);
    assert_eq!(first, again);
    assert_eq!(graph.page(&a).unwrap().depth, 0);
    assert_eq!(graph.page_count(), 1);
}

#[test]
fn links_iterate_in_insertion_order() {
    let mut graph = CrawlGraph::new();
    let urls: Vec<Url> = ["a", "b", "c"]
        .iter()
        .map(|p| Url::parse(&format!("http://site.test/{p}")).unwrap())
        .collect();
    let ids: Vec<_> = urls.iter().map(|u| graph.add_page(u, 0).0).collect();
    let text = graph.intern("to c");
    assert_eq!(graph.intern("to c"), text, "interned once");
    graph.add_link(ids[0], ids[2], Link::anchor(Some(text), None));
    assert_eq!(
        graph.link_text(&Link::anchor(Some(text), None)),
        Some("to c")
    );
    graph.add_link(ids[0], ids[1], Link::redirect());
    let got: Vec<_> = graph
        .links()
        .map(|(s, t, l)| (s.url.path().to_owned(), t.url.path().to_owned(), l.kind))
        .collect();
    assert_eq!(
        got,
        [
            ("/a".to_owned(), "/c".to_owned(), LinkKind::Anchor),
            ("/a".to_owned(), "/b".to_owned(), LinkKind::Redirect)
        ]
    );
}

#[test]
fn petgraph_view_matches_and_follows_changes() {
    let mut graph = CrawlGraph::new();
    let ids: Vec<_> = (0..3)
        .map(|i| {
            let url = Url::parse(&format!("http://site.test/{i}")).unwrap();
            graph.add_page(&url, i).0
        })
        .collect();
    let text = graph.intern("t");
    // Sources change and come back: edges keep their order and their sources.
    let order = [(0, 1), (0, 2), (1, 0), (0, 0), (2, 1)];
    for (k, &(s, t)) in order.iter().enumerate() {
        let link = if k == 2 {
            Link::redirect()
        } else {
            Link::anchor(Some(text), None)
        };
        assert_eq!(graph.add_link(ids[s], ids[t], link).index(), k);
    }
    let ends = |g: &CrawlGraph| -> Vec<(usize, usize)> {
        g.edge_ends()
            .map(|(s, t, _)| (s.index(), t.index()))
            .collect()
    };
    assert_eq!(ends(&graph), order);
    let view = graph.as_petgraph();
    let got: Vec<_> = view
        .raw_edges()
        .iter()
        .map(|e| (e.source().index(), e.target().index(), e.weight))
        .collect();
    let want: Vec<_> = graph
        .edge_ends()
        .map(|(s, t, l)| (s.index(), t.index(), *l))
        .collect();
    assert_eq!(got, want);
    assert_eq!(view.node_count(), 3);
    assert_eq!(view[ids[2]].url.path(), "/2");

    graph.page_mut(ids[1]).status = Some(404);
    assert_eq!(graph.as_petgraph()[ids[1]].status, Some(404), "rebuilt");
    graph.add_link(ids[1], ids[2], Link::redirect());
    assert_eq!(graph.as_petgraph().edge_count(), 6);
}

#[test]
#[should_panic(expected = "in a graph of 1 pages")]
fn edge_to_a_missing_page_panics() {
    let mut graph = CrawlGraph::new();
    let (a, _) = graph.add_page(&Url::parse("http://site.test/").unwrap(), 0);
    graph.add_link(a, NodeIndex::new(1), Link::redirect());
}

/// A graph folded out of order (`c`'s edges before `a`'s, `d` met before `b`), renumbered:
/// pages, edges, fragments, the URL index and each page's edges follow.
#[test]
fn renumber_moves_pages_edges_and_fragments_together() {
    let mut graph = CrawlGraph::new();
    let url = |p: &str| Url::parse(&format!("http://site.test/{p}")).unwrap();
    let [pa, pc, pd, pb] = ["a", "c", "d", "b"].map(|p| graph.add_page(&url(p), 1).0);
    let link =
        |graph: &mut CrawlGraph, from, to| graph.add_link(from, to, Link::anchor(None, None));
    link(&mut graph, pc, pd);
    let edge = link(&mut graph, pc, pa);
    graph.add_fragment(edge, "top", Some("Top"), true);
    link(&mut graph, pa, pb);
    link(&mut graph, pa, pc);
    // New order a, b, c, d; a's edges first, then c's.
    let old = |n: NodeIndex| u32::try_from(n.index()).unwrap();
    graph.renumber(&[old(pa), old(pb), old(pc), old(pd)], &[old(pa), old(pc)]);
    let pages: Vec<&str> = graph.pages().map(|p| p.url.path()).collect();
    assert_eq!(pages, ["/a", "/b", "/c", "/d"]);
    let edges: Vec<(String, String, usize)> = graph
        .indexed_links()
        .map(|(edge, from, to, _)| {
            let (from, to) = (from.url.path().to_owned(), to.url.path().to_owned());
            (from, to, graph.fragments(edge).len())
        })
        .collect();
    let e = |s: &str, t: &str, f| (s.to_owned(), t.to_owned(), f);
    assert_eq!(
        edges,
        [
            e("/a", "/b", 0),
            e("/a", "/c", 0),
            e("/c", "/d", 0),
            e("/c", "/a", 1)
        ]
    );
    let moved = graph.fragment_edges().next().unwrap();
    assert_eq!(
        graph.fragment_names(moved).collect::<Vec<_>>(),
        [("top", true)]
    );
    for (place, path) in ["a", "b", "c", "d"].iter().enumerate() {
        assert_eq!(graph.index_of(&url(path)), Some(NodeIndex::new(place)));
    }
    let from_c: Vec<usize> = graph
        .out_links(NodeIndex::new(2))
        .map(|(_, t, _)| t.index())
        .collect();
    assert_eq!(from_c, [3, 0]);
    assert_eq!(graph.as_petgraph().edge_count(), 4);
}
