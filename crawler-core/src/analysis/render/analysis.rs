//! The sections of a crawl report, in the order a reader fixes things: what is broken first,
//! then redirects, neglected pages, depth, structure and titles.

use std::io::{self, Write};

use super::{Cell, Doc, Style, Tone};
use crate::analysis::broken::BrokenFragment;
use crate::analysis::structure::Ranked;
use crate::analysis::{Analysis, PageRef};
use crate::graph::LinkKind;

/// Writes `analysis` in `style`.
///
/// # Errors
/// Any I/O error from `out`.
pub fn write_analysis(analysis: &Analysis, style: Style, mut out: impl Write) -> io::Result<()> {
    let mut doc = Doc::new("Crawl report");
    summary(&mut doc, analysis);
    broken(&mut doc, analysis);
    redirects(&mut doc, analysis);
    neglected(&mut doc, analysis);
    depth(&mut doc, analysis);
    structure(&mut doc, analysis);
    titles(&mut doc, analysis);
    doc.write(style, &mut out)
}

/// The tone of a page state.
pub(crate) fn state_tone(state: &str) -> Tone {
    match state {
        "ok" => Tone::Good,
        "error" => Tone::Bad,
        _ => Tone::Plain,
    }
}

/// `404` or `HTTP 404` or the error, whichever says most.
pub(crate) fn problem(page: &PageRef) -> String {
    match (&page.error, page.status) {
        (Some(error), _) => error.clone(),
        (None, Some(status)) => status.to_string(),
        (None, None) => page.state.to_owned(),
    }
}

fn summary(doc: &mut Doc, a: &Analysis) {
    let s = &a.summary;
    doc.heading("Summary");
    doc.line(format!("Seeds: {}", s.seeds.join(", ")));
    doc.line(format!(
        "Pages: {} ({} fetched); links: {} ({} anchors, {} redirects); max depth {}, {}",
        s.pages, s.fetched, s.links, s.anchor_links, s.redirect_links, s.max_depth, s.stopped
    ));
    doc.line(format!(
        "Bytes: {}; fetch time ms over {} pages: p50 {:.1}, p90 {:.1}, p99 {:.1}, max {:.1}",
        s.bytes, s.fetch_ms.count, s.fetch_ms.p50, s.fetch_ms.p90, s.fetch_ms.p99, s.fetch_ms.max
    ));
    let rows = s
        .by_state
        .iter()
        .map(|(state, n)| vec![Cell::toned(*state, state_tone(state)), n.to_string().into()])
        .collect();
    doc.table(vec!["state", "pages"], rows, "");
    let rows = s
        .by_status
        .iter()
        .map(|(status, n)| {
            let tone = if status.starts_with(['4', '5']) {
                Tone::Bad
            } else {
                Tone::Plain
            };
            vec![Cell::toned(status.clone(), tone), n.to_string().into()]
        })
        .collect();
    doc.table(vec!["status", "pages"], rows, "No HTTP responses.");
    let rows = s
        .by_content_type
        .iter()
        .map(|(ct, n)| vec![ct.clone().into(), n.to_string().into()])
        .collect();
    doc.table(vec!["content type", "pages"], rows, "");
}

fn broken(doc: &mut Doc, a: &Analysis) {
    let b = &a.broken;
    doc.heading("Broken links");
    doc.line(format!(
        "{} broken pages; {} links to them from {} pages.",
        b.broken_pages, b.broken_links, b.referring_pages
    ));
    doc.table(
        vec!["broken target", "problem", "linked from", "anchor text"],
        referrer_rows(&b.targets),
        "No broken links.",
    );
    fragment_table(
        doc,
        &b.broken_fragments,
        "links name a fragment their target page does not have.",
    );
}

/// A line counting `fragments` (`N what`) and their table, one row per broken fragment (the
/// target with its fragment, the linking page, the anchor text); nothing when there are none
/// (crawls without `check_fragments` have none).
pub(crate) fn fragment_table(doc: &mut Doc, fragments: &[BrokenFragment], what: &str) {
    if fragments.is_empty() {
        return;
    }
    doc.line(format!("{} {what}", fragments.len()));
    let rows = fragments
        .iter()
        .map(|f| {
            vec![
                Cell::toned(f.url.clone(), Tone::Bad),
                Cell::new(f.referrer.url.clone()),
                Cell::new(f.referrer.text.clone().unwrap_or_default()),
            ]
        })
        .collect();
    doc.table(
        vec!["broken fragment", "linked from", "anchor text"],
        rows,
        "",
    );
}

/// One row per (broken target, referrer); the target is named on its first row only.
pub(crate) fn referrer_rows(targets: &[crate::analysis::broken::BrokenTarget]) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    for target in targets {
        let head = vec![
            Cell::toned(target.page.url.clone(), Tone::Bad),
            Cell::new(problem(&target.page)),
        ];
        if target.referrers.is_empty() {
            rows.push(
                [
                    head.clone(),
                    vec![Cell::toned("(entry point)", Tone::Dim), Cell::new("")],
                ]
                .concat(),
            );
        }
        for (i, r) in target.referrers.iter().enumerate() {
            let lead = if i == 0 {
                head.clone()
            } else {
                vec![Cell::new(""), Cell::new("")]
            };
            let text = match r.kind {
                LinkKind::Redirect => Cell::toned("(redirect)", Tone::Dim),
                LinkKind::Anchor => Cell::new(r.text.clone().unwrap_or_default()),
                other => Cell::new(r.text.clone().unwrap_or_else(|| format!("({other})"))),
            };
            rows.push([lead, vec![Cell::new(r.url.clone()), text]].concat());
        }
    }
    rows
}

fn redirects(doc: &mut Doc, a: &Analysis) {
    let r = &a.redirects;
    doc.heading("Redirect chains");
    doc.line(format!(
        "{} chains: {} longer than one hop, {} loops, {} ending broken, {} leaving the scope.",
        r.chains, r.multi_hop, r.loops, r.to_broken, r.to_out_of_scope
    ));
    let rows = r
        .list
        .iter()
        .map(|c| {
            let tone = match c.outcome {
                "ok" => Tone::Good,
                "broken" | "loop" => Tone::Bad,
                _ => Tone::Plain,
            };
            vec![
                Cell::new(c.start.clone()),
                Cell::new(c.hops.len().to_string()),
                Cell::toned(c.outcome, tone),
                Cell::new(c.hops.last().cloned().unwrap_or_default()),
                Cell::new(c.referrers.to_string()),
            ]
        })
        .collect();
    doc.table(
        vec!["start", "hops", "outcome", "ends at", "links to start"],
        rows,
        "No redirects.",
    );
}

/// One row per page: URL, state and, when `depth` is set, depth.
pub(crate) fn page_rows(pages: &[PageRef], depth: bool) -> Vec<Vec<Cell>> {
    pages
        .iter()
        .map(|p| {
            let mut row = vec![
                Cell::new(p.url.clone()),
                Cell::toned(p.state, state_tone(p.state)),
            ];
            if depth {
                row.push(Cell::new(p.depth.to_string()));
            }
            row
        })
        .collect()
}

fn neglected(doc: &mut Doc, a: &Analysis) {
    let o = &a.orphans;
    doc.heading("Orphans");
    doc.line(format!(
        "{} entry points (seeds and sitemap URLs); orphans are those, other than the first seed, that no other crawled page links to.",
        o.entry_points
    ));
    doc.table(
        vec!["orphan", "state", "depth"],
        page_rows(&o.orphans, true),
        "No orphans.",
    );
    doc.heading("Dead ends");
    doc.table(
        vec!["HTML page without links", "state", "depth"],
        page_rows(&o.dead_ends, true),
        "No dead ends.",
    );
    doc.heading("Reached only through redirects");
    doc.table(
        vec!["page", "state", "depth"],
        page_rows(&o.redirect_only, true),
        "None.",
    );
}

fn depth(doc: &mut Doc, a: &Analysis) {
    let d = &a.depth;
    doc.heading("Depth");
    let most = d
        .histogram
        .iter()
        .map(|c| c.pages)
        .max()
        .unwrap_or(0)
        .max(1);
    let rows = d
        .histogram
        .iter()
        .map(|c| {
            let bar = "#".repeat((c.pages * 40).div_ceil(most));
            vec![
                Cell::new(c.depth.to_string()),
                Cell::new(c.pages.to_string()),
                Cell::toned(bar, Tone::Dim),
            ]
        })
        .collect();
    doc.table(vec!["depth", "pages", ""], rows, "");
    doc.table(
        vec!["deepest page", "state", "depth"],
        page_rows(&d.deepest, true),
        "",
    );
}

fn ranked_rows(list: &[Ranked], decimals: usize) -> Vec<Vec<Cell>> {
    list.iter()
        .map(|r| {
            vec![
                Cell::new(r.url.clone()),
                Cell::toned(r.state, state_tone(r.state)),
                Cell::new(format!("{:.*}", decimals, r.value)),
            ]
        })
        .collect()
}

fn structure(doc: &mut Doc, a: &Analysis) {
    let s = &a.structure;
    doc.heading("Link structure");
    doc.line(format!(
        "Strongly connected components: {} ({} of more than one page; the largest has {} pages).",
        s.components.count, s.components.non_trivial, s.components.largest
    ));
    doc.line(format!(
        "PageRank: damping {}, {} iterations, L1 delta {:.1e}{}.",
        s.pagerank.damping,
        s.pagerank.iterations,
        s.pagerank.delta,
        if s.pagerank.converged {
            ""
        } else {
            " (not converged)"
        }
    ));
    doc.table(
        vec!["most linked to", "state", "in-degree"],
        ranked_rows(&s.top_in_degree, 0),
        "",
    );
    doc.table(
        vec!["linking out most", "state", "out-degree"],
        ranked_rows(&s.top_out_degree, 0),
        "",
    );
    doc.table(
        vec!["highest PageRank", "state", "PageRank"],
        ranked_rows(&s.top_pagerank, 5),
        "",
    );
    doc.line(format!(
        "{} pages are linked from only one page.",
        s.linked_from_one
    ));
    let rows = s
        .linked_from_one_list
        .iter()
        .map(|p| vec![Cell::new(p.url.clone()), Cell::new(p.referrer.clone())])
        .collect();
    doc.table(vec!["page", "its only referrer"], rows, "");
}

fn titles(doc: &mut Doc, a: &Analysis) {
    let t = &a.titles;
    doc.heading("Duplicate titles");
    let rows = t
        .duplicates
        .iter()
        .map(|d| {
            vec![
                Cell::new(d.title.clone()),
                Cell::new(d.pages.len().to_string()),
                Cell::new(d.pages.join(" ")),
            ]
        })
        .collect();
    doc.table(
        vec!["title", "pages", "urls"],
        rows,
        &format!("No duplicates among {} titled pages.", t.titled_pages),
    );
}
