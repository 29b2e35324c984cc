//! Sitemaps as a source of seeds (`CrawlerBuilder::sitemaps`).
//!
//! For each seed host: the `Sitemap:` lines of its robots.txt, or `/sitemap.xml` when there are
//! none. A `<urlset>` gives page URLs; a `<sitemapindex>` gives more sitemaps, followed breadth
//! first. Gzip sitemaps (`.xml.gz`, or any body starting with the gzip magic bytes) are
//! inflated. Bounded: at most [`MAX_SITEMAP_FILES`] files, [`MAX_SITEMAP_URLS`] URLs (the
//! protocol's own per-file limit), and the crawl's body cap per file, after inflation. Listed
//! URLs outside the crawl's scope are dropped.
//!
//! Sitemap files are requests like any other: a sitemap location (a robots.txt `Sitemap:` line
//! or a `<sitemapindex>` entry) outside the crawl's scope is never fetched, and one that its
//! host's robots.txt disallows is not fetched either.

use std::collections::{HashSet, VecDeque};
use std::io::Read;

use url::Url;

use crate::fetch::context::FetchContext;
use crate::fetch::response::read_body;
use crate::url_norm;

/// Most sitemap files fetched for one crawl.
pub const MAX_SITEMAP_FILES: usize = 50;
/// Most page URLs taken from sitemaps for one crawl.
pub const MAX_SITEMAP_URLS: usize = 50_000;

/// Page URLs listed in the sitemaps of the seeds' hosts, in scope, deduplicated, in order.
pub(crate) async fn discover(ctx: &FetchContext, seeds: &[Url]) -> Vec<Url> {
    let mut queue: VecDeque<Url> = VecDeque::new();
    let mut hosts = HashSet::new();
    for seed in seeds {
        if !hosts.insert(crate::fetch::politeness::host_key(seed)) {
            continue;
        }
        let rules = ctx.robots.rules(ctx, seed).await;
        if rules.sitemaps().is_empty() {
            queue.extend(seed.join("/sitemap.xml").ok());
        } else {
            queue.extend(rules.sitemaps().iter().filter_map(|s| in_scope(ctx, s)));
        }
    }
    let mut fetched = HashSet::new();
    let mut pages = Vec::new();
    let mut seen_pages = HashSet::new();
    while let Some(sitemap) = queue.pop_front() {
        if fetched.len() >= MAX_SITEMAP_FILES || pages.len() >= MAX_SITEMAP_URLS {
            break;
        }
        if !fetched.insert(sitemap.clone()) {
            continue;
        }
        if !ctx.robots_allow(&sitemap).await {
            tracing::info!(url = %sitemap, "sitemap disallowed by robots.txt");
            continue;
        }
        let Some(xml) = fetch_sitemap(ctx, &sitemap).await else {
            continue;
        };
        let Ok(listing) = parse(&xml) else {
            tracing::info!(url = %sitemap, "sitemap is not valid XML");
            continue;
        };
        queue.extend(listing.sitemaps.iter().filter_map(|loc| in_scope(ctx, loc)));
        for url in listing.pages.iter().filter_map(|loc| in_scope(ctx, loc)) {
            if pages.len() < MAX_SITEMAP_URLS && seen_pages.insert(url.clone()) {
                pages.push(url);
            }
        }
    }
    pages
}

/// A listed location, normalised, if it is a URL in the crawl's scope.
fn in_scope(ctx: &FetchContext, loc: &str) -> Option<Url> {
    let url = url_norm::parse_absolute(loc, ctx.config.max_url_len.get()).ok()?;
    ctx.scope.allows(&url).then_some(url)
}

/// Fetches one sitemap file and returns its XML text, inflated if gzipped.
async fn fetch_sitemap(ctx: &FetchContext, url: &Url) -> Option<String> {
    let limit = ctx.config.max_body_bytes.get();
    if crate::fetch::request::blocked_address(ctx, url).is_some() {
        return None;
    }
    let response = {
        let _permit = ctx.hosts.acquire(url).await;
        crate::fetch::backpressure::send(
            || ctx.credentials.apply(ctx.client.get(url.clone()), url),
            url,
            ctx.config.timeout,
        )
        .await
        .ok()?
    };
    if !response.status().is_success() {
        tracing::info!(url = %url, status = %response.status(), "no sitemap");
        return None;
    }
    let (body, _) = read_body(response, limit).await;
    let body = if body.starts_with(&[0x1f, 0x8b]) {
        let mut inflated = Vec::new();
        let decoder = flate2::read::GzDecoder::new(body.as_slice());
        decoder.take(limit as u64).read_to_end(&mut inflated).ok()?;
        inflated
    } else {
        body
    };
    Some(String::from_utf8_lossy(&body).into_owned())
}

/// The `<loc>`s of a sitemap: pages of a `<urlset>`, sitemaps of a `<sitemapindex>`.
#[derive(Debug, Default, PartialEq, Eq)]
struct Listing {
    pages: Vec<String>,
    sitemaps: Vec<String>,
}

fn parse(xml: &str) -> Result<Listing, roxmltree::Error> {
    let doc = roxmltree::Document::parse(xml)?;
    let root = doc.root_element();
    let locs = root
        .children()
        .filter(roxmltree::Node::is_element)
        .filter_map(|entry| entry.children().find(|c| c.tag_name().name() == "loc"))
        .filter_map(|loc| loc.text())
        .map(|text| text.trim().to_owned());
    let mut listing = Listing::default();
    match root.tag_name().name() {
        "urlset" => listing.pages.extend(locs),
        "sitemapindex" => listing.sitemaps.extend(locs),
        _ => {}
    }
    Ok(listing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urlset_and_index() {
        let urlset = r#"<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <url><loc> http://site.test/a </loc><lastmod>2026-01-01</lastmod></url>
            <url><loc>http://site.test/b?x=1&amp;y=2</loc></url></urlset>"#;
        assert_eq!(
            parse(urlset).unwrap().pages,
            ["http://site.test/a", "http://site.test/b?x=1&y=2"]
        );
        let index = r#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <sitemap><loc>http://site.test/s1.xml.gz</loc></sitemap></sitemapindex>"#;
        assert_eq!(
            parse(index).unwrap().sitemaps,
            ["http://site.test/s1.xml.gz"]
        );
        assert!(parse("<html>not a sitemap").is_err());
        assert_eq!(parse("<rss/>").unwrap(), Listing::default());
    }
}
