//! The spec alone: serialisation, validation, comparison and joining. The builder's view of
//! a spec is tested with the builder.

use super::*;
use crate::config::render::RenderMode;
use crate::error::ConfigError;
use crate::graph::link_kind::LinkKind;

/// A spec with every kind of setting away from its default, secrets included.
fn full() -> CrawlSpec {
    CrawlSpec {
        depth: 4,
        per_host: 3,
        worker: WorkerSpec {
            concurrency: 7,
            render_concurrency: Some(2),
            chromium: Some("/usr/bin/chromium".into()),
        },
        render: RenderMode::Always,
        render_wait: Duration::from_millis(250),
        timeout: Duration::from_millis(2500),
        delay: Some(Duration::from_millis(100)),
        rate: Some(2.5),
        prefix: vec!["http://127.0.0.1:1/docs/".into()],
        include: vec!["docs".into()],
        exclude: vec!["private".into()],
        hosts: HostScope::SameDomain,
        links: [LinkKind::Anchor, LinkKind::Embed].into_iter().collect(),
        check_resources: true,
        check_fragments: true,
        header: vec![
            Header::new("X-Test", "1"),
            Header::new("Authorization", "Bearer sekrit-token"),
        ],
        cookie: vec![Secret::new("session=sekrit-cookie")],
        user: Some(login("sekrit-password")),
        index_file: "default.htm".into(),
        ..CrawlSpec::default()
    }
}

/// Alice's login with `password`.
fn login(password: &str) -> Login {
    Login {
        name: "alice".into(),
        password: Some(Secret::new(password)),
    }
}

#[test]
fn defaults_are_the_documented_constants_and_build() {
    let spec = CrawlSpec::default();
    assert_eq!(spec.depth, DEFAULT_MAX_DEPTH);
    assert_eq!(spec.worker.concurrency, DEFAULT_CONCURRENCY);
    assert_eq!(spec.per_host, DEFAULT_PER_HOST);
    assert_eq!(spec.timeout, DEFAULT_TIMEOUT);
    assert_eq!(spec.links, LinkKinds::all());
    let config = spec.config().unwrap();
    assert_eq!(config.max_depth, DEFAULT_MAX_DEPTH);
    assert!(config.respect_robots);
}

#[test]
fn json_round_trip_keeps_every_setting_but_no_secret() {
    let spec = full();
    let json = spec.to_json();
    for secret in ["sekrit-token", "sekrit-cookie", "sekrit-password"] {
        assert!(!json.contains(secret), "{secret} in {json}");
    }
    // Plain headers are written as they are; the names are the long flags.
    assert!(json.contains(r#"{"name":"X-Test","value":"1"}"#), "{json}");
    assert!(json.contains(r#""per_host":3"#), "{json}");
    assert!(json.contains(r#""timeout":2.5"#), "{json}");
    assert!(json.contains(r#""hosts":"same_domain""#), "{json}");
    assert!(json.contains(r#""links":["anchor","embed"]"#), "{json}");
    let back = CrawlSpec::from_json(&json).unwrap();
    assert_eq!(back, spec, "secrets compare by digest");
    assert!(back.header[1].value.is_withheld());
    assert_eq!(back.difference(&spec), None);
}

#[test]
fn a_withheld_secret_cannot_be_built_until_given() {
    let stored = CrawlSpec::from_json(&full().to_json()).unwrap();
    let err = stored.config().unwrap_err();
    assert_eq!(
        err,
        ConfigError::SecretWithheld {
            setting: "header Authorization".to_owned()
        }
    );
    // Without its secrets the stored spec validates: what an export needs.
    assert!(stored.without_secrets().config().is_ok());
}

#[test]
fn missing_fields_take_defaults_and_unknown_fields_are_refused() {
    let spec = CrawlSpec::from_json(r#"{"depth": 5, "worker": {"concurrency": 3}}"#).unwrap();
    assert_eq!(spec.depth, 5);
    assert_eq!(spec.worker.concurrency, 3);
    assert_eq!(spec.per_host, DEFAULT_PER_HOST);
    let err = CrawlSpec::from_json(r#"{"dpeth": 5}"#).unwrap_err();
    assert!(err.to_string().contains("dpeth"), "{err}");
    let err = CrawlSpec::from_json(r#"{"schema": 99}"#).unwrap_err();
    assert!(matches!(err, SpecError::Schema { found: 99 }), "{err}");
    let err = CrawlSpec::from_json(r#"{"timeout": -1}"#).unwrap_err();
    assert!(err.to_string().contains("seconds"), "{err}");
}

#[test]
fn validation_gives_the_setters_errors_in_field_order() {
    let zero = CrawlSpec {
        per_host: 0,
        include: vec!["(".to_owned()],
        ..CrawlSpec::default()
    };
    assert_eq!(
        zero.config().unwrap_err(),
        ConfigError::Zero {
            name: "per-host concurrency"
        }
    );
    let pattern = CrawlSpec {
        include: vec!["(".to_owned()],
        ..CrawlSpec::default()
    };
    assert!(matches!(
        pattern.config().unwrap_err(),
        ConfigError::InvalidPattern { .. }
    ));
    let root = CrawlSpec {
        root: Some(PathBuf::from("/no/such/dir/for/crawlgraph")),
        ..CrawlSpec::default()
    };
    assert!(matches!(
        root.config().unwrap_err(),
        ConfigError::InvalidRoot(_)
    ));
}

#[test]
fn difference_names_the_first_shared_setting_and_skips_worker_ones() {
    let stored = full();
    let mut given = stored.clone();
    given.worker.concurrency = 99;
    assert_eq!(stored.difference(&given), None);
    given.per_host = 9;
    let diff = stored.difference(&given).unwrap();
    assert_eq!(
        (
            diff.setting.as_str(),
            diff.stored.as_str(),
            diff.given.as_str()
        ),
        ("per_host", "3", "9")
    );
    let mut other_secret = stored.clone();
    other_secret.cookie = vec![Secret::new("session=other")];
    let diff = stored.difference(&other_secret).unwrap();
    assert_eq!(diff.setting, "cookie");
    assert_eq!(diff.stored, r#"["<secret>"]"#);
    assert!(!format!("{diff:?}").contains("sekrit"));
}

#[test]
fn a_joiner_inherits_what_it_does_not_give_and_must_match_what_it_gives() {
    let stored = CrawlSpec::from_json(&full().to_json()).unwrap();
    let mut own = CrawlSpec::default();
    own.worker.concurrency = 64;
    // Gives nothing: every shared setting is the crawl's, the worker's own concurrency stays,
    // and the secrets are missing.
    let joined = stored.joined(&own, |_| false).unwrap();
    assert_eq!(joined.per_host, 3);
    assert_eq!(joined.worker.concurrency, 64);
    assert!(matches!(
        joined.config().unwrap_err(),
        ConfigError::SecretWithheld { .. }
    ));
    // Gives the secrets (the same values): they are taken from the worker and it builds.
    let secrets = full();
    let joined = stored
        .joined(&secrets, |name| SECRET_FIELDS.contains(&name))
        .unwrap();
    assert_eq!(joined.header[1].value.expose(), Some("Bearer sekrit-token"));
    assert!(joined.config().is_ok());
    // Gives a different depth: refused, naming it.
    let deeper = CrawlSpec { depth: 9, ..full() };
    let diff = stored.joined(&deeper, |name| name == "depth").unwrap_err();
    assert_eq!(diff.setting, "depth");
    // Gives a different password: refused without showing either.
    let wrong = CrawlSpec {
        user: Some(login("guess")),
        ..full()
    };
    let diff = stored.joined(&wrong, |name| name == "user").unwrap_err();
    assert_eq!(diff.setting, "user");
    assert!(!diff.given.contains("guess") && !diff.stored.contains("sekrit"));
}

#[test]
fn secret_fields_are_the_fields_that_serialise_digests() {
    let json: serde_json::Value = serde_json::from_str(&full().to_json()).unwrap();
    let with_digests: Vec<&str> = json
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, value)| value.to_string().contains("\"digest\""))
        .map(|(name, _)| name.as_str())
        .collect();
    let mut secret_fields = SECRET_FIELDS;
    secret_fields.sort_unstable();
    assert_eq!(with_digests, secret_fields);
}

#[test]
fn a_spec_runs_without_levels_exactly_when_its_config_does() {
    for max_pages in [None, Some(5)] {
        for check_resources in [false, true] {
            let spec = CrawlSpec {
                max_pages,
                check_resources,
                ..CrawlSpec::default()
            };
            let config = spec.config().unwrap();
            assert_eq!(
                spec.flows(),
                config.flows(),
                "max_pages {max_pages:?}, check_resources {check_resources}"
            );
        }
    }
}
