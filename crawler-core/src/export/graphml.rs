//! GraphML with typed attribute keys, read by networkx's `read_graphml`, Gephi and yEd.
//!
//! Node ids are `n0`, `n1`, ... in discovery order; the URL is the `url` attribute. An edge's
//! `fragments` (with `check_fragments`) is the JSON array the JSON export writes for it. Text
//! is
//! XML-escaped, and characters XML 1.0 forbids (most control characters) are dropped, since a
//! hostile page title must not make the file unreadable.

use std::io::{self, Write};

use crate::graph::report::CrawlReport;

const HEADER: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">
  <key id="url" for="node" attr.name="url" attr.type="string"/>
  <key id="depth" for="node" attr.name="depth" attr.type="int"/>
  <key id="status" for="node" attr.name="status" attr.type="int"/>
  <key id="content_type" for="node" attr.name="content_type" attr.type="string"/>
  <key id="state" for="node" attr.name="state" attr.type="string"/>
  <key id="error" for="node" attr.name="error" attr.type="string"/>
  <key id="title" for="node" attr.name="title" attr.type="string"/>
  <key id="bytes" for="node" attr.name="bytes" attr.type="long"/>
  <key id="fetch_ms" for="node" attr.name="fetch_ms" attr.type="double"/>
  <key id="etag" for="node" attr.name="etag" attr.type="string"/>
  <key id="last_modified" for="node" attr.name="last_modified" attr.type="string"/>
  <key id="seeds" for="graph" attr.name="seeds" attr.type="string"/>
  <key id="max_depth" for="graph" attr.name="max_depth" attr.type="int"/>
  <key id="stopped" for="graph" attr.name="stopped" attr.type="string"/>
  <key id="link_rules" for="graph" attr.name="link_rules" attr.type="string"/>
  <key id="links_dropped" for="graph" attr.name="links_dropped" attr.type="long"/>
  <key id="kind" for="edge" attr.name="kind" attr.type="string"/>
  <key id="text" for="edge" attr.name="text" attr.type="string"/>
  <key id="rel" for="edge" attr.name="rel" attr.type="string"/>
  <key id="nofollow" for="edge" attr.name="nofollow" attr.type="boolean"/>
  <key id="fragments" for="edge" attr.name="fragments" attr.type="string"/>
  <key id="rendered" for="edge" attr.name="rendered" attr.type="boolean"/>
  <graph id="crawl" edgedefault="directed">
"#;

/// Writes the graph as GraphML.
///
/// # Errors
/// Any I/O error from `out`.
pub fn write_graphml(report: &CrawlReport, mut out: impl Write) -> io::Result<()> {
    out.write_all(HEADER.as_bytes())?;
    // Graph-level data: the seeds one a line, so that `crawl report` can find the entry points.
    out.write_all(b"    ")?;
    let seeds: Vec<&str> = report.seeds.iter().map(url::Url::as_str).collect();
    data(&mut out, "seeds", &seeds.join("\n"))?;
    data(&mut out, "max_depth", &report.max_depth.to_string())?;
    data(&mut out, "stopped", report.stopped.as_str())?;
    if let Some(rules) = &report.link_rules {
        data(&mut out, "link_rules", rules)?;
    }
    if report.stats.links_dropped > 0 {
        data(
            &mut out,
            "links_dropped",
            &report.stats.links_dropped.to_string(),
        )?;
    }
    out.write_all(b"\n")?;
    let altered = altered_pages(report);
    for (index, page) in report.graph.indexed_pages() {
        write!(out, "    <node id=\"n{}\">", index.index())?;
        data(&mut out, "url", page.url.as_str())?;
        data(&mut out, "depth", &page.depth.to_string())?;
        if let Some(status) = page.status {
            data(&mut out, "status", &status.to_string())?;
        }
        if let Some(ct) = &page.content_type {
            data(&mut out, "content_type", ct)?;
        }
        data(&mut out, "state", crate::graph::state::page_state(page))?;
        if let Some(error) = &page.error {
            data(&mut out, "error", &error.to_string())?;
        }
        if let Some(title) = &page.title {
            data(&mut out, "title", title)?;
        }
        data(&mut out, "bytes", &page.bytes.to_string())?;
        if let Some(time) = page.fetch_time {
            data(
                &mut out,
                "fetch_ms",
                &format!("{:.3}", time.as_secs_f64() * 1000.0),
            )?;
        }
        // A page whose title or link texts this file cannot hold as they are must not be
        // revalidated from it (`--since`): it would get back other texts than a download.
        if let Some(validators) = page
            .validators
            .as_deref()
            .filter(|_| !altered[index.index()])
        {
            if let Some(etag) = &validators.etag {
                data(&mut out, "etag", etag)?;
            }
            if let Some(date) = &validators.last_modified {
                data(&mut out, "last_modified", date)?;
            }
        }
        out.write_all(b"</node>\n")?;
    }
    for (i, (source, target, link)) in report.graph.edge_ends().enumerate() {
        write!(
            out,
            "    <edge id=\"e{i}\" source=\"n{}\" target=\"n{}\">",
            source.index(),
            target.index()
        )?;
        data(&mut out, "kind", link.kind.as_str())?;
        if let Some(text) = report.graph.link_text(link) {
            data(&mut out, "text", text)?;
        }
        if let Some(rel) = report.graph.link_rel(link) {
            data(&mut out, "rel", rel)?;
        }
        if link.nofollow {
            data(&mut out, "nofollow", "true")?;
        }
        let fragments = super::json::fragments(&report.graph, petgraph::graph::EdgeIndex::new(i));
        if !fragments.is_empty() {
            data(&mut out, "fragments", &serde_json::to_string(&fragments)?)?;
        }
        if link.rendered {
            data(&mut out, "rendered", "true")?;
        }
        out.write_all(b"</edge>\n")?;
    }
    out.write_all(b"  </graph>\n</graphml>\n")?;
    out.flush()
}

/// For each page, whether the file alters its title or the text or `rel` of a link leaving it:
/// XML 1.0 cannot hold most control characters (dropped by [`escape`]), and a reader turns a
/// carriage return into a line feed.
fn altered_pages(report: &CrawlReport) -> Vec<bool> {
    let altered = |text: Option<&str>| {
        text.is_some_and(|text| text.chars().any(|c| c == '\r' || !allowed(c)))
    };
    let graph = &report.graph;
    let mut pages: Vec<bool> = graph.pages().map(|p| altered(p.title.as_deref())).collect();
    for (source, _, link) in graph.edge_ends() {
        if altered(graph.link_text(link)) || altered(graph.link_rel(link)) {
            pages[source.index()] = true;
        }
    }
    pages
}

fn data(out: &mut impl Write, key: &str, value: &str) -> io::Result<()> {
    write!(out, "<data key=\"{key}\">{}</data>", escape(value))
}

/// Whether XML 1.0 allows `c` in text.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
}

/// Escapes XML text and attribute content and drops characters XML 1.0 does not allow.
pub fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    let clean = allowed;
    if text
        .chars()
        .all(|c| clean(c) && !matches!(c, '&' | '<' | '>' | '"' | '\''))
    {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars().filter(|&c| clean(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::sample;

    #[test]
    fn escapes_and_drops_forbidden_chars() {
        assert_eq!(
            escape("a<b>&\"c'\u{1}\u{0}d"),
            "a&lt;b&gt;&amp;&quot;c&apos;d"
        );
        assert_eq!(escape("plain"), "plain");
    }

    #[test]
    fn typed_nodes_and_edges() {
        let mut out = Vec::new();
        write_graphml(&sample::report(), &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert_eq!(xml.matches("<node id=").count(), 5);
        assert_eq!(xml.matches("<edge id=").count(), 5);
        assert!(xml.contains("<data key=\"title\">Home &amp; &quot;garden&quot;\n</data>"));
        assert!(xml.contains("<data key=\"url\">http://site.test/a.html?x=1&amp;y=%3C2%3E</data>"));
        assert!(xml.contains(
            "<edge id=\"e3\" source=\"n3\" target=\"n0\"><data key=\"kind\">redirect</data></edge>"
        ));
        assert!(xml.ends_with("</graph>\n</graphml>\n"));
    }
}
