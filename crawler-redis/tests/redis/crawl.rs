//! Creating and joining a crawl, against a real Redis.

use std::time::Duration;

use crawler_core::{Crawler, Url};
use crawler_redis::{NewCrawl, RedisCrawl, RedisCrawlError};
use crawler_tests::RedisServer;

const TIMEOUT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn racing_creators_make_one_crawl_and_a_differing_joiner_is_refused() {
    let server = RedisServer::start();
    let crawler = Crawler::builder().max_depth(3).build().unwrap();
    let seeds = [Url::parse("http://a.test/").unwrap()];
    let new = NewCrawl {
        spec: crawler.spec(),
        seeds: &seeds,
        level0: &seeds,
        partitions: 8,
    };
    let url = server.url();
    let racers = (0..8).map(|_| RedisCrawl::create_or_join(&url, "c", TIMEOUT, &new));
    for crawl in futures::future::join_all(racers).await {
        let crawl = crawl.expect("every racer creates or joins");
        assert_eq!(crawl.meta().level0, seeds);
        assert_eq!(&crawl.meta().spec, crawler.spec());
    }
    let crawl = RedisCrawl::open(&url, "c", TIMEOUT).await.unwrap();
    assert_eq!(
        crawl.status().await.unwrap().pages_left,
        1,
        "the seed is queued once"
    );

    let deeper = Crawler::builder().max_depth(4).build().unwrap();
    let other = NewCrawl {
        spec: deeper.spec(),
        ..new
    };
    let err = RedisCrawl::create_or_join(&url, "c", TIMEOUT, &other)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, RedisCrawlError::SettingsMismatch { name, .. } if name == "depth"),
        "{err}"
    );
    assert!(matches!(
        RedisCrawl::open(&url, "nope", TIMEOUT).await.unwrap_err(),
        RedisCrawlError::NotFound(_)
    ));
}
