//! Graphviz DOT, ready for `dot -Tsvg`.
//!
//! Nodes are `n0`, `n1`, ... in discovery order, labelled with a short form of the URL (the path
//! and query on a seed's host, host and path elsewhere, cut to [`MAX_LABEL_CHARS`]), with the
//! full URL as tooltip and `URL` attribute so SVG nodes are clickable. Broken pages are red,
//! unfetched pages dashed grey, redirects dashed orange edges labelled with their status. Edges
//! marked nofollow (`rel="nofollow"`, or from a page whose robots directives say nofollow) are
//! light grey with an open-circle arrowhead, whatever their kind. Edges found only in the
//! rendered DOM are bold and teal, script navigations dashed teal. The graph starts with a legend
//! in DOT comments. Left to right by depth keeps a couple of hundred nodes legible.

use std::fmt::Write as _;
use std::io::{self, Write};

use url::Url;

use crate::graph::link_kind::has_nofollow;
use crate::graph::report::CrawlReport;
use crate::graph::{LinkKind, Page};

/// Longest node label, in characters; longer labels end in `…`.
pub const MAX_LABEL_CHARS: usize = 48;

const HEADER: &str = r##"digraph crawl {
  // Legend. Nodes: blue = fetched page, green note = other content, orange = redirect,
  //   red = broken, dashed grey = not fetched (the tooltip says why).
  // Edges: solid grey = anchor; dashed orange = redirect (label: status) or refresh;
  //   dotted purple = embed, stylesheet, css; dashed green = canonical, alternate;
  //   dotted blue-grey = icon, manifest, preload, link, header (labels: kind);
  //   light grey with an open-circle (odot) arrowhead = nofollow (rel="nofollow", or from a
  //   page whose robots directives say nofollow), whatever the kind;
  //   bold teal = found only in the rendered DOM (tooltip "rendered"); dashed teal = script
  //   navigation (location, pushState; label: script).
  graph [rankdir=LR, ranksep=0.6, nodesep=0.15, fontname="Helvetica", fontsize=10, overlap=false, splines=true];
  node [shape=box, style="rounded,filled", fillcolor="#e8f0fe", color="#5b7fbf", fontname="Helvetica", fontsize=9, height=0.25, margin="0.08,0.03"];
  edge [color="#8a8a8a", arrowsize=0.5, penwidth=0.7];
"##;

/// Writes the graph as a DOT digraph.
///
/// # Errors
/// Any I/O error from `out`.
pub fn write_dot(report: &CrawlReport, mut out: impl Write) -> io::Result<()> {
    out.write_all(HEADER.as_bytes())?;
    let home: Vec<&str> = report.seeds.iter().filter_map(Url::host_str).collect();
    let mut line = String::new();
    for (index, page) in report.graph.indexed_pages() {
        line.clear();
        let label = short_label(&page.url, &home);
        let tooltip = tooltip(page);
        let _ = write!(
            line,
            "  n{} [label=\"{}\", tooltip=\"{}\", URL=\"{}\"{}];",
            index.index(),
            escape(&label),
            escape(&tooltip),
            escape(page.url.as_str()),
            node_style(page),
        );
        writeln!(out, "{line}")?;
    }
    let graph = &report.graph;
    for (source, target, link) in graph.edge_ends() {
        let nofollow = link.nofollow || graph.link_rel(link).is_some_and(has_nofollow);
        let style = match link.kind {
            LinkKind::Redirect => {
                let status = graph.page_at(source).status.unwrap_or_default();
                format!(" [style=dashed, color=\"#d9822b\", fontcolor=\"#d9822b\", fontsize=8, label=\"{status}\"]")
            }
            LinkKind::Anchor if nofollow => format!(
                " [style=dashed, color=\"{NOFOLLOW_COLOR}\", arrowhead=odot, tooltip=\"nofollow\"]"
            ),
            LinkKind::Anchor if link.rendered => {
                format!(" [color=\"{RENDERED_COLOR}\", penwidth=1.6, tooltip=\"rendered\"]")
            }
            LinkKind::Anchor => String::new(),
            kind => kind_style(kind, nofollow, link.rendered),
        };
        writeln!(
            out,
            "  n{} -> n{}{};",
            source.index(),
            target.index(),
            style
        )?;
    }
    out.write_all(b"}\n")?;
    out.flush()
}

/// The colour of nofollow edges.
const NOFOLLOW_COLOR: &str = "#b0b0b0";

/// The colour of edges found only in the rendered DOM, and of script navigations.
const RENDERED_COLOR: &str = "#00897b";

/// Edges that are not anchors or redirects: dotted for resources, dashed for the page-level
/// links (canonical, alternate, refresh, headers), each labelled with its kind; a nofollow one
/// in [`NOFOLLOW_COLOR`] with an open-circle arrowhead; one found only in the rendered DOM
/// bold.
fn kind_style(kind: LinkKind, nofollow: bool, rendered: bool) -> String {
    let (style, color) = if nofollow {
        let style = if kind.is_resource() {
            "dotted"
        } else {
            "dashed"
        };
        (style, NOFOLLOW_COLOR)
    } else if kind.is_resource() {
        ("dotted", "#7e57c2")
    } else if kind == LinkKind::Script {
        ("dashed", RENDERED_COLOR)
    } else if kind == LinkKind::Refresh {
        ("dashed", "#d9822b")
    } else if matches!(kind, LinkKind::Canonical | LinkKind::Alternate) {
        ("dashed", "#2e7d32")
    } else {
        ("dotted", "#607d8b")
    };
    let arrow = if nofollow { ", arrowhead=odot" } else { "" };
    let bold = if rendered {
        ", penwidth=1.6, tooltip=\"rendered\""
    } else {
        ""
    };
    format!(
        " [style={style}, color=\"{color}\", fontcolor=\"{color}\", fontsize=7, label=\"{}\"{arrow}{bold}]",
        kind.as_str()
    )
}

fn node_style(page: &Page) -> &'static str {
    if page.is_broken() {
        ", fillcolor=\"#fde0e0\", color=\"#c0392b\", fontcolor=\"#8e1b10\""
    } else if page.skipped.is_some() {
        ", style=\"rounded,dashed\", color=\"#9e9e9e\", fontcolor=\"#616161\""
    } else if page.status.is_some_and(|s| (300..400).contains(&s)) {
        ", fillcolor=\"#fff1e0\", color=\"#d9822b\""
    } else if page
        .content_type
        .as_deref()
        .is_some_and(|ct| !ct.contains("html"))
    {
        ", shape=note, fillcolor=\"#f1f8e9\", color=\"#7cb342\""
    } else {
        ""
    }
}

/// The URL, then status or error or skip reason, and the title, one per line.
fn tooltip(page: &Page) -> String {
    let mut tip = page.url.to_string();
    match (&page.error, page.skipped, page.status) {
        (Some(error), _, _) => {
            let _ = write!(tip, "\n{error}");
        }
        (None, Some(reason), _) => {
            let _ = write!(tip, "\nnot fetched: {}", reason.as_str());
        }
        (None, None, Some(status)) => {
            let _ = write!(tip, "\nHTTP {status}");
        }
        (None, None, None) => {}
    }
    if let Some(title) = &page.title {
        let _ = write!(tip, "\n{title}");
    }
    tip
}

/// Path and query for pages on a seed's host, `host/path` for others, cut to length.
fn short_label(url: &Url, home: &[&str]) -> String {
    let on_home = url.host_str().is_some_and(|h| home.contains(&h));
    let mut label = if on_home {
        String::new()
    } else {
        url.host_str().unwrap_or_default().to_owned()
    };
    // Decoded, so `/caf%C3%A9.html` reads `/café.html`; the tooltip keeps the exact URL.
    label.push_str(&percent_encoding::percent_decode_str(url.path()).decode_utf8_lossy());
    if let Some(query) = url.query() {
        label.push('?');
        label.push_str(query);
    }
    if label.chars().count() > MAX_LABEL_CHARS {
        label = label.chars().take(MAX_LABEL_CHARS - 1).collect();
        label.push('…');
    }
    label
}

/// Escapes text for a double-quoted DOT string: backslash and quote are escaped, line breaks
/// become `\n` (a centred line break in labels), other control characters are dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::sample;

    fn dot() -> String {
        let mut out = Vec::new();
        write_dot(&sample::report(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_quotes_backslashes_newlines() {
        assert_eq!(escape("a \"b\" \\ c\nd\te\u{1}"), "a \\\"b\\\" \\\\ c\\nde");
    }

    #[test]
    fn nodes_and_edges() {
        let dot = dot();
        assert!(dot.starts_with("digraph crawl {\n  // Legend."));
        assert!(dot.ends_with("}\n"));
        assert!(dot.contains("  n0 [label=\"/index.html\", tooltip=\"http://site.test/index.html\\nHTTP 200\\nHome & \\\"garden\\\"\\n\", URL=\"http://site.test/index.html\"];"));
        assert!(dot.contains("  n4 [label=\"other.test/\""));
        assert!(dot.contains("  n0 -> n2;\n"));
        // rel="nofollow"
        assert!(dot.contains(
            "  n0 -> n1 [style=dashed, color=\"#b0b0b0\", arrowhead=odot, tooltip=\"nofollow\"];"
        ));
        assert!(dot.contains("  n3 -> n0 [style=dashed, color=\"#d9822b\", fontcolor=\"#d9822b\", fontsize=8, label=\"301\"];"));
        assert_eq!(dot.matches(" -> ").count(), 5);
        // The 404 is styled as broken, the external page as not fetched.
        let missing = dot.lines().find(|l| l.starts_with("  n2 [")).unwrap();
        assert!(missing.contains("#c0392b"));
        let external = dot.lines().find(|l| l.starts_with("  n4 [")).unwrap();
        assert!(external.contains("dashed"));
    }

    #[test]
    fn labels_are_decoded_paths() {
        let url = Url::parse("http://site.test/caf%C3%A9.html?q=1").unwrap();
        assert_eq!(short_label(&url, &["site.test"]), "/café.html?q=1");
        assert_eq!(
            short_label(&url, &["other.test"]),
            "site.test/café.html?q=1"
        );
    }

    #[test]
    fn long_labels_are_cut() {
        let url = Url::parse(&format!("http://site.test/{}", "x".repeat(100))).unwrap();
        let label = short_label(&url, &["site.test"]);
        assert_eq!(label.chars().count(), MAX_LABEL_CHARS);
        assert!(label.ends_with('…'));
    }
}
