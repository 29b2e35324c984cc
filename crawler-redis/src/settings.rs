//! The settings that shape a crawl's graph, as named strings, so that a joining worker can be
//! compared with the crawl it joins and told which setting differs.
//!
//! Worker-local settings (concurrency, logging) are left out: workers may differ in them.

use crawler_core::CrawlConfig;

/// The graph-affecting settings of `config`, by CLI flag name, in a fixed order.
pub fn settings(config: &CrawlConfig) -> Vec<(&'static str, String)> {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "none".to_owned());
    vec![
        ("depth", config.max_depth.to_string()),
        ("max-pages", opt(config.max_pages.map(|n| n.to_string()))),
        ("per-host", config.per_host.to_string()),
        ("timeout", format!("{:?}", config.timeout)),
        ("connect-timeout", format!("{:?}", config.connect_timeout)),
        ("read-timeout", format!("{:?}", config.read_timeout)),
        ("max-redirects", config.max_redirects.to_string()),
        ("max-body-bytes", config.max_body_bytes.to_string()),
        ("max-links-per-page", config.max_links_per_page.to_string()),
        ("max-url-len", config.max_url_len.to_string()),
        ("user-agent", config.user_agent.clone()),
        ("scope", format!("{:?}", config.scope)),
        ("ignore-robots", (!config.respect_robots).to_string()),
        ("delay", opt(config.delay.map(|d| format!("{d:?}")))),
        ("rate", opt(config.rate.map(|r| r.to_string()))),
        ("retries", config.retries.to_string()),
        ("deny-private-ips", config.deny_private_ips.to_string()),
        ("sitemap", config.sitemaps.to_string()),
        ("extract", format!("{:?}", config.extraction)),
    ]
}

/// The first setting whose value differs between `stored` and `given`, as
/// `(name, stored, given)`. A setting missing on one side counts as differing.
pub fn first_difference(
    stored: &[(String, String)],
    given: &[(&'static str, String)],
) -> Option<(String, String, String)> {
    for (name, value) in given {
        let theirs = stored.iter().find(|(n, _)| n == name).map(|(_, v)| v);
        if theirs != Some(value) {
            return Some((
                (*name).to_owned(),
                theirs.cloned().unwrap_or_else(|| "(not set)".to_owned()),
                value.clone(),
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_differing_setting_is_named() {
        let a = crawler_core::Crawler::builder()
            .max_depth(3)
            .build()
            .unwrap();
        let b = crawler_core::Crawler::builder()
            .max_depth(4)
            .build()
            .unwrap();
        let stored: Vec<(String, String)> = settings(a.config())
            .into_iter()
            .map(|(n, v)| (n.to_owned(), v))
            .collect();
        assert_eq!(first_difference(&stored, &settings(a.config())), None);
        assert_eq!(
            first_difference(&stored, &settings(b.config())),
            Some(("depth".into(), "3".into(), "4".into()))
        );
    }
}
