//! Tests of the builder: defaults, setters and the errors `build` reports.

use super::*;
use crate::config::{
    DEFAULT_CONCURRENCY, DEFAULT_MAX_DEPTH, DEFAULT_PER_HOST, DEFAULT_TIMEOUT, MAX_CONCURRENCY,
    MAX_DURATION,
};

#[test]
fn defaults_match_constants() {
    let crawler = Crawler::builder().build().unwrap();
    let config = crawler.config();
    assert_eq!(config.max_depth, DEFAULT_MAX_DEPTH);
    assert_eq!(config.concurrency.get(), DEFAULT_CONCURRENCY);
    assert_eq!(config.per_host.get(), DEFAULT_PER_HOST);
    assert_eq!(config.timeout, DEFAULT_TIMEOUT);
    assert!(config.user_agent.starts_with("crawlgraph/"));
}

#[test]
fn setters_fill_the_spec_and_a_spec_builds_the_same_crawler() {
    assert_eq!(Crawler::builder().spec(), &crate::CrawlSpec::default());
    let builder = Crawler::builder()
        .max_depth(4)
        .concurrency(7)
        .header("X-Test", "1")
        .basic_auth("alice", Some("pw"))
        .respect_robots(false);
    let spec = builder.spec().clone();
    assert_eq!(spec.depth, 4);
    assert_eq!(spec.worker.concurrency, 7);
    assert!(spec.ignore_robots);
    let built = builder.build().unwrap();
    let from_spec = Crawler::from_spec(spec.clone()).unwrap();
    assert_eq!(built.spec(), &spec);
    assert_eq!(
        format!("{:?}", built.config()),
        format!("{:?}", from_spec.config())
    );
}

#[test]
fn zero_limits_are_rejected_at_build() {
    let err = Crawler::builder().concurrency(0).build().unwrap_err();
    assert_eq!(
        err,
        ConfigError::Zero {
            name: "concurrency"
        }
    );
    let err = Crawler::builder()
        .timeout(Duration::ZERO)
        .build()
        .unwrap_err();
    assert_eq!(err, ConfigError::ZeroDuration { name: "timeout" });
}

#[test]
fn first_error_wins() {
    let err = Crawler::builder()
        .per_host(0)
        .include("(")
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        ConfigError::Zero {
            name: "per-host concurrency"
        }
    );
}

#[test]
fn values_that_would_overflow_are_rejected_at_build() {
    let too_long = Duration::from_secs(10_000_000_000_000_000_000);
    let err = Crawler::builder().delay(too_long).build().unwrap_err();
    let max = MAX_DURATION;
    assert_eq!(err, ConfigError::TooLong { name: "delay", max });
    for builder in [
        Crawler::builder().timeout(too_long),
        Crawler::builder().connect_timeout(too_long),
        Crawler::builder().read_timeout(too_long),
        Crawler::builder().retry_base_delay(too_long),
        Crawler::builder().per_host(usize::MAX),
        Crawler::builder().concurrency(MAX_CONCURRENCY + 1),
    ] {
        let err = builder.build().unwrap_err();
        assert!(matches!(
            err,
            ConfigError::TooLong { .. } | ConfigError::TooMany { .. }
        ));
    }
    for rate in [1e-300, 1e-5, 0.0, -1.0, f64::NAN, f64::INFINITY] {
        let err = Crawler::builder().rate(rate).build().unwrap_err();
        assert!(matches!(err, ConfigError::InvalidRate(_)), "{rate}");
    }
    // The maximums themselves are taken.
    let crawler = Crawler::builder()
        .delay(MAX_DURATION)
        .rate(1.0 / 86_400.0)
        .per_host(MAX_CONCURRENCY)
        .build()
        .unwrap();
    assert_eq!(crawler.config().host_gap(), MAX_DURATION);
}

#[test]
fn bad_user_agent_is_rejected() {
    let err = Crawler::builder()
        .user_agent("bad\nagent")
        .build()
        .unwrap_err();
    assert!(matches!(err, ConfigError::InvalidUserAgent(_)));
}

#[test]
fn bad_options_are_config_errors() {
    let build = |b: CrawlerBuilder| b.build().unwrap_err();
    let builder = crate::Crawler::builder;
    assert!(matches!(
        build(builder().header("Bad Name", "x")),
        ConfigError::InvalidHeader { .. }
    ));
    assert!(matches!(
        build(builder().header("X-Ok", "line\nbreak")),
        ConfigError::InvalidHeader { .. }
    ));
    assert!(matches!(
        build(builder().cookie("novalue")),
        ConfigError::InvalidCookie(_)
    ));
    assert!(matches!(
        build(builder().proxy("ftp://127.0.0.1:1")),
        ConfigError::InvalidProxy { .. }
    ));
    assert!(matches!(
        build(builder().proxy("http://127.0.0.1:1").deny_private_ips(true)),
        ConfigError::ProxyWithDenyPrivateIps
    ));
}

#[test]
fn rendering_needs_a_renderer() {
    use crate::config::render::RenderMode;
    for mode in [RenderMode::Always, RenderMode::Auto] {
        let err = crate::Crawler::builder().render(mode).build().unwrap_err();
        assert_eq!(err, ConfigError::NoRenderer(mode.as_str()));
        assert!(err.to_string().contains(mode.as_str()), "{err}");
    }
    let never = crate::Crawler::builder().render(RenderMode::Never).build();
    assert!(never.is_ok());
    let err = crate::Crawler::builder()
        .render_wait(Duration::from_secs(2 * 24 * 60 * 60))
        .build()
        .unwrap_err();
    assert!(matches!(
        err,
        ConfigError::TooLong {
            name: "render wait",
            ..
        }
    ));
}
