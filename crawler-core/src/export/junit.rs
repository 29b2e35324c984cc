//! JUnit XML for CI: one test case per broken link, so a CI system's test view lists every
//! broken link with the page it is on.
//!
//! The suite holds one `<testcase>` per link (anchor or redirect) to a broken page, with
//! `classname` = the linking page and `name` = the broken URL, failed with the error as its
//! message and the anchor text in the body. A broken seed, which no page links to, is a case
//! of class `(entry point)`. A broken fragment (with `check_fragments`) is a case of type
//! `broken_fragment` named by the target with its fragment. A crawl without broken links
//! gives one passing case, so the
//! report is never empty (several CI systems treat an empty report as an error).

use std::io::{self, Write};

use super::graphml::escape;
use crate::analysis::broken::broken;
use crate::graph::report::CrawlReport;

/// Writes the JUnit report.
///
/// # Errors
/// Any I/O error from `out`.
pub fn write_junit(report: &CrawlReport, mut out: impl Write) -> io::Result<()> {
    let broken = broken(&report.graph);
    let cases: usize = broken
        .targets
        .iter()
        .map(|t| t.referrers.len().max(1))
        .sum::<usize>()
        + broken.broken_fragments.len();
    let tests = cases.max(1);
    let time = report.stats.elapsed.as_secs_f64();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="crawlgraph" tests="{tests}" failures="{cases}" errors="0" time="{time:.3}">"#
    )?;
    writeln!(
        out,
        r#"  <testsuite name="broken links" tests="{tests}" failures="{cases}" errors="0" skipped="0" time="{time:.3}">"#
    )?;
    writeln!(out, "    <properties>")?;
    for seed in &report.seeds {
        writeln!(
            out,
            r#"      <property name="seed" value="{}"/>"#,
            escape(seed.as_str())
        )?;
    }
    writeln!(
        out,
        r#"      <property name="pages" value="{}"/>"#,
        report.graph.page_count()
    )?;
    writeln!(out, "    </properties>")?;
    if cases == 0 {
        writeln!(
            out,
            r#"    <testcase classname="crawl" name="no broken links among {} links"/>"#,
            report.graph.link_count()
        )?;
    }
    for target in &broken.targets {
        let problem = target.page.error.clone().unwrap_or_default();
        let url = escape(&target.page.url);
        let fail = |out: &mut dyn Write, class: &str, body: &str| {
            writeln!(
                out,
                r#"    <testcase classname="{}" name="{url}"><failure message="{}" type="broken_link">{}</failure></testcase>"#,
                escape(class),
                escape(&problem),
                escape(body)
            )
        };
        if target.referrers.is_empty() {
            fail(
                &mut out,
                "(entry point)",
                &format!("{} is broken: {problem}", target.page.url),
            )?;
        }
        for r in &target.referrers {
            let body = match &r.text {
                Some(text) => format!(
                    "{} links to {} (\"{text}\"): {problem}",
                    r.url, target.page.url
                ),
                None => format!(
                    "{} {}s to {}: {problem}",
                    r.url,
                    kind(r.kind),
                    target.page.url
                ),
            };
            fail(&mut out, &r.url, &body)?;
        }
    }
    for f in &broken.broken_fragments {
        let text = f.referrer.text.as_deref().unwrap_or_default();
        writeln!(
            out,
            r#"    <testcase classname="{}" name="{}"><failure message="no id or name {} on the page" type="broken_fragment">{}</failure></testcase>"#,
            escape(&f.referrer.url),
            escape(&f.url),
            escape(&f.fragment),
            escape(&format!(
                "{} links to {} (\"{text}\"): the page has no id or <a name> {}",
                f.referrer.url, f.url, f.fragment
            )),
        )?;
    }
    writeln!(out, "  </testsuite>\n</testsuites>")?;
    out.flush()
}

fn kind(kind: crate::graph::LinkKind) -> &'static str {
    match kind {
        crate::graph::LinkKind::Anchor => "link",
        other => other.as_str(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::sample;

    #[test]
    fn one_failed_case_per_broken_link() {
        let mut out = Vec::new();
        write_junit(&sample::report(), &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let cases: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(cases.len(), 1);
        assert_eq!(
            cases[0].attribute("classname"),
            Some("http://site.test/index.html")
        );
        assert_eq!(cases[0].attribute("name"), Some("http://site.test/missing"));
        let failure = cases[0].first_element_child().unwrap();
        assert_eq!(failure.attribute("message"), Some("HTTP 404"));
        assert!(xml.contains(r#"tests="1" failures="1""#));
    }

    #[test]
    fn a_clean_crawl_has_one_passing_case() {
        let mut report = sample::report();
        let missing = report
            .graph
            .index_of(&url::Url::parse("http://site.test/missing").unwrap())
            .unwrap();
        report.graph.page_mut(missing).error = None;
        let mut out = Vec::new();
        write_junit(&report, &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap();
        assert_eq!(
            doc.descendants()
                .filter(|n| n.has_tag_name("testcase"))
                .count(),
            1
        );
        assert_eq!(
            doc.descendants()
                .filter(|n| n.has_tag_name("failure"))
                .count(),
            0
        );
        assert!(xml.contains(r#"tests="1" failures="0""#));
    }
}
