//! The sections of a diff report: what broke first, then pages, statuses, links and depths.

use std::io::{self, Write};

use super::analysis::{fragment_table, page_rows, referrer_rows, state_tone};
use super::{Cell, Doc, Style, Tone};
use crate::analysis::diff::{GraphDiff, LinkChange};

/// Writes `diff` in `style`.
///
/// # Errors
/// Any I/O error from `out`.
pub fn write_diff(diff: &GraphDiff, style: Style, mut out: impl Write) -> io::Result<()> {
    let mut doc = Doc::new("Crawl diff");
    doc.line(format!(
        "{} pages added, {} removed; {} links added, {} removed; {} status changes; {} newly broken, {} fixed; {} depth changes.",
        diff.pages_added.len(),
        diff.pages_removed.len(),
        diff.links_added.len(),
        diff.links_removed.len(),
        diff.status_changes.len(),
        diff.new_broken.len(),
        diff.fixed.len(),
        diff.depth_changes.len()
    ));
    doc.heading("Newly broken");
    doc.table(
        vec!["broken target", "problem", "linked from", "anchor text"],
        referrer_rows(&diff.new_broken),
        "Nothing newly broken.",
    );
    fragment_table(
        &mut doc,
        &diff.new_broken_fragments,
        "newly broken fragments.",
    );
    doc.heading("Fixed");
    doc.table(
        vec!["page", "state"],
        page_rows(&diff.fixed, false),
        "Nothing fixed.",
    );
    doc.heading("Status changes");
    let rows = diff
        .status_changes
        .iter()
        .map(|c| {
            let status =
                |s: Option<u16>, state: &str| s.map_or_else(|| state.to_owned(), |s| s.to_string());
            vec![
                Cell::new(c.url.clone()),
                Cell::toned(status(c.old_status, c.old_state), state_tone(c.old_state)),
                Cell::toned(status(c.new_status, c.new_state), state_tone(c.new_state)),
            ]
        })
        .collect();
    doc.table(vec!["page", "old", "new"], rows, "No status changes.");
    doc.heading("Pages added");
    doc.table(
        vec!["page", "state"],
        page_rows(&diff.pages_added, false),
        "None.",
    );
    doc.heading("Pages removed");
    doc.table(
        vec!["page", "state"],
        page_rows(&diff.pages_removed, false),
        "None.",
    );
    doc.heading("Links added");
    doc.table(vec!["from", "to"], link_rows(&diff.links_added), "None.");
    doc.heading("Links removed");
    doc.table(vec!["from", "to"], link_rows(&diff.links_removed), "None.");
    doc.heading("Depth changes");
    let rows = diff
        .depth_changes
        .iter()
        .map(|c| {
            let tone = if c.new_depth > c.old_depth {
                Tone::Bad
            } else {
                Tone::Good
            };
            vec![
                Cell::new(c.url.clone()),
                Cell::new(c.old_depth.to_string()),
                Cell::toned(c.new_depth.to_string(), tone),
            ]
        })
        .collect();
    doc.table(vec!["page", "old depth", "new depth"], rows, "None.");
    doc.write(style, &mut out)
}

fn link_rows(links: &[LinkChange]) -> Vec<Vec<Cell>> {
    links
        .iter()
        .map(|l| vec![Cell::new(l.source.clone()), Cell::new(l.target.clone())])
        .collect()
}
