//! Duplicate titles among fetched HTML pages: two pages sharing a `<title>` confuse search
//! results and bookmarks, and often mean a template forgot to set one.
//!
//! Titles are compared after trimming and collapsing whitespace; empty titles are left out.

use std::collections::HashMap;

use serde::Serialize;

use crate::graph::CrawlGraph;

use super::is_html_ok;

/// Groups of 2xx HTML pages sharing a title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TitleReport {
    /// 2xx HTML pages with a non-empty title.
    pub titled_pages: usize,
    /// Every title held by more than one page, most pages first, then by first appearance.
    pub duplicates: Vec<DuplicateTitle>,
}

/// One title and the pages holding it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DuplicateTitle {
    /// The title, whitespace collapsed.
    pub title: String,
    /// The pages, in discovery order.
    pub pages: Vec<String>,
}

/// The duplicate-title report of `graph`.
pub fn duplicates(graph: &CrawlGraph) -> TitleReport {
    let mut groups: Vec<DuplicateTitle> = Vec::new();
    let mut by_title: HashMap<String, usize> = HashMap::new();
    let mut titled_pages = 0;
    for page in graph.pages().filter(|p| is_html_ok(p)) {
        let Some(title) = page.title.as_deref() else {
            continue;
        };
        let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
        if title.is_empty() {
            continue;
        }
        titled_pages += 1;
        let group = *by_title.entry(title.clone()).or_insert_with(|| {
            groups.push(DuplicateTitle {
                title,
                pages: Vec::new(),
            });
            groups.len() - 1
        });
        groups[group].pages.push(page.url.to_string());
    }
    groups.retain(|g| g.pages.len() > 1);
    groups.sort_by_key(|g| std::cmp::Reverse(g.pages.len()));
    TitleReport {
        titled_pages,
        duplicates: groups,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testgraph::TestGraph;

    #[test]
    fn groups_collapse_whitespace_and_skip_errors() {
        let mut t = TestGraph::default();
        for (name, title) in [
            ("a", "Home"),
            ("b", "  Home \n"),
            ("c", "Docs"),
            ("d", "Docs"),
            ("e", "Docs"),
            ("f", "Unique"),
            ("g", "   "),
        ] {
            let i = t.html(name, 0);
            t.graph.page_mut(i).title = Some(title.into());
        }
        let missing = t.status("missing", 1, 404);
        t.graph.page_mut(missing).title = Some("Home".into());
        let report = duplicates(&t.graph);
        assert_eq!(report.titled_pages, 6);
        let groups: Vec<_> = report
            .duplicates
            .iter()
            .map(|g| (g.title.as_str(), g.pages.len()))
            .collect();
        assert_eq!(groups, [("Docs", 3), ("Home", 2)]);
    }
}
