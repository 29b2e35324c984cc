//! Node positions for the HTML report, computed here so the browser draws at once instead of
//! running a force layout on thousands of nodes.
//!
//! A radial tree: each page hangs under its breadth-first parent (the first page linking to
//! it from one level up), sits on the ring of its click depth, and gets an angle inside its
//! parent's wedge in proportion to the size of its subtree. Depth is what a crawl is about,
//! so the rings read as "clicks from the entry points". Linear in pages and links.

use petgraph::visit::EdgeRef;
use petgraph::Direction;

use crate::graph::CrawlGraph;

/// `(x, y)` for every node, by node index.
pub(crate) fn radial(graph: &CrawlGraph) -> Vec<(f64, f64)> {
    let pg = graph.as_petgraph();
    let n = pg.node_count();
    // The parent comes strictly before the child in (depth, index) order, so the tree has no
    // cycles; pages without such a referrer are roots.
    let key = |i: usize| (pg[petgraph::graph::NodeIndex::new(i)].depth, i);
    let mut parent: Vec<Option<usize>> = vec![None; n];
    for node in pg.node_indices() {
        let mut edges: Vec<_> = pg.edges_directed(node, Direction::Incoming).collect();
        edges.sort_by_key(EdgeRef::id);
        parent[node.index()] = edges
            .iter()
            .map(|e| e.source().index())
            .find(|&s| key(s) < key(node.index()));
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| key(i));
    let mut size = vec![1.0f64; n];
    for &i in order.iter().rev() {
        if let Some(p) = parent[i] {
            size[p] += size[i];
        }
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut roots = Vec::new();
    for &i in &order {
        match parent[i] {
            Some(p) => children[p].push(i),
            None => roots.push(i),
        }
    }
    let single_root = roots.len() == 1;
    let radius = |i: usize| {
        let depth = f64::from(pg[petgraph::graph::NodeIndex::new(i)].depth);
        if single_root {
            depth
        } else {
            depth + 1.0
        }
    };
    let mut pos = vec![(0.0, 0.0); n];
    // (node, wedge start, wedge width), parents before children.
    let mut stack: Vec<(usize, f64, f64)> = Vec::with_capacity(n);
    let total: f64 = roots.iter().map(|&r| size[r]).sum();
    let mut start = 0.0;
    for &r in &roots {
        let width = std::f64::consts::TAU * size[r] / total;
        stack.push((r, start, width));
        start += width;
    }
    while let Some((i, start, width)) = stack.pop() {
        let angle = start + width / 2.0;
        let r = if single_root && parent[i].is_none() {
            0.0
        } else {
            radius(i)
        };
        pos[i] = (r * angle.cos(), r * angle.sin());
        let inner = size[i] - 1.0;
        let mut child_start = start;
        for &c in &children[i] {
            let w = width * size[c] / inner;
            stack.push((c, child_start, w));
            child_start += w;
        }
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testgraph::TestGraph;

    #[test]
    #[expect(clippy::many_single_char_names, reason = "pages named as in a drawing")]
    fn rings_follow_depth_and_siblings_spread() {
        let mut t = TestGraph::default();
        let root = t.html("root", 0);
        let a = t.html("a", 1);
        let b = t.html("b", 1);
        let c = t.html("c", 2);
        t.link(root, a, "a");
        t.link(root, b, "b");
        t.link(a, c, "c");
        t.link(c, root, "back");
        t.link(b, b, "self");
        let pos = radial(&t.graph);
        let r = |i: petgraph::graph::NodeIndex| pos[i.index()].0.hypot(pos[i.index()].1);
        assert!(r(root) < 1e-12);
        assert!((r(a) - 1.0).abs() < 1e-9 && (r(b) - 1.0).abs() < 1e-9);
        assert!((r(c) - 2.0).abs() < 1e-9);
        let gap = (pos[a.index()].0 - pos[b.index()].0).hypot(pos[a.index()].1 - pos[b.index()].1);
        assert!(gap > 0.5, "siblings are apart: {pos:?}");
        assert!(pos.iter().all(|(x, y)| x.is_finite() && y.is_finite()));
    }

    #[test]
    fn many_roots_sit_on_a_ring() {
        let mut t = TestGraph::default();
        for name in ["a", "b", "c"] {
            t.html(name, 0);
        }
        let pos = radial(&t.graph);
        for (x, y) in pos {
            assert!((x.hypot(y) - 1.0).abs() < 1e-9);
        }
    }
}
