//! Round trips of the binary layout, and bad bytes that must be refused without a panic.

use std::collections::BTreeSet;
use std::time::Duration;

use crawler_core::extract::Anchors;
use crawler_core::render::RenderNote;
use crawler_core::{
    FoundLink, Freshness, Hop, LinkFragment, LinkKind, PageError, PageOutcome, SkipReason,
    Validators,
};
use url::Url;

use super::{read, write};

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

fn round_trip(base: &Url, outcome: &PageOutcome) -> Vec<u8> {
    let mut bytes = Vec::new();
    write(&mut bytes, base, outcome);
    assert_eq!(&read(&bytes, base).unwrap(), outcome);
    bytes
}

/// An outcome with every field set: a redirect chain with a skipped hop, errors, every link
/// kind, texts and rels, URLs unlike the page's, fragments, rendered links, anchors and a
/// render.
pub(crate) fn full() -> PageOutcome {
    let mut first = Hop::new(url("http://a.test/old?x=1"));
    first.status = Some(301);
    first.elapsed = Duration::new(3, 999_999_999);
    first.redirect = Some((url("https://b.test:8443/new#frag"), None));
    let mut second = Hop::new(url("https://b.test:8443/new"));
    second.status = Some(302);
    second.content_type = Some("text/html; charset=utf-8".into());
    second.redirect = Some((url("ftp://c.test/"), Some(SkipReason::OutOfScope)));
    second.retries_exhausted = true;
    second.validators = Validators::new(None, Some("Tue, 01 Dec 2026 10:00:00 GMT".into()));
    second.freshness = Some(Freshness::Changed);
    let mut last = Hop::new(url("https://b.test:8443/new"));
    last.status = Some(200);
    last.bytes = u64::MAX;
    last.elapsed = Duration::from_secs(u64::MAX);
    last.error = Some(PageError::BodyTooLarge { limit: 512 });
    last.validators = Validators::new(Some("W/\"é\"".into()), Some(String::new()));
    last.freshness = Some(Freshness::Revalidated);
    let mut links: Vec<FoundLink> = LinkKind::ALL
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            FoundLink::of_kind(
                url(&format!("http://a.test/k/{i}")),
                *kind,
                (i % 2 == 0).then(|| format!("Zürich café {i} \u{1F600}")),
                (i % 3 == 0).then(|| "nofollow noopener".to_owned()),
            )
        })
        .collect();
    for odd in [
        "http://a.test/",
        "http://a.test",
        "http://A.TEST:80/%zz/\u{00e9}t\u{00e9}?q=\u{2603}&r#\u{00ff}",
        "http://xn--caf-dma.test/",
        "http://café.test/é",
        "mailto:someone@example.invalid",
        "data:text/plain,hello",
        "file:///etc/hosts",
        "http://[::1]:9/x",
        "http://a.test/old?x=1&y",
    ] {
        links.push(FoundLink::new(url(odd), Some(String::new()), None));
    }
    links[0].fragments = vec![
        LinkFragment::new("install".into(), Some("Install".into())),
        LinkFragment::new("%C3%A9t%C3%A9:~:text=x".into(), None),
    ];
    links[0].rendered = true;
    links[1].rendered = true;
    links[2].fragments = vec![LinkFragment::new(String::new(), None)];
    let mut outcome = PageOutcome::new(
        vec![first, second, last],
        Some("A \"title\"\n\u{0}".into()),
        links,
    );
    outcome.nofollow = true;
    outcome.anchors = Some(Anchors::from_hashes(vec![u64::MAX, 0, 7, 7], false));
    outcome.rendered = Some(RenderNote::new(3, usize::MAX, u64::MAX));
    outcome
}

#[test]
fn every_field_round_trips() {
    let base = url("http://a.test/old?x=1");
    round_trip(&base, &full());
    // Relative to a page URL that shares nothing with them, or a longer one.
    round_trip(&url("gopher://z.test/"), &full());
    round_trip(
        &url(&format!("http://a.test/{}", "k/".repeat(500))),
        &full(),
    );
}

#[test]
fn empty_blocked_and_failed_outcomes_round_trip() {
    let base = url("http://a.test/p");
    assert_eq!(round_trip(&base, &PageOutcome::default()), [0, 0, 0]);
    round_trip(&base, &PageOutcome::blocked());
    for error in [
        PageError::Timeout,
        PageError::Internal {
            detail: "abandoned after 3 expired leases".into(),
        },
        PageError::Connect {
            detail: "refused \u{1F4A5}".into(),
        },
    ] {
        round_trip(&base, &PageOutcome::failed(base.clone(), error));
    }
}

#[test]
fn a_huge_link_list_round_trips_and_links_shrink_to_their_paths() {
    let base = url("http://a.test/sec1/part2/page42.html");
    let links: Vec<FoundLink> = (0..100_000)
        .map(|i| {
            FoundLink::new(
                url(&format!("http://a.test/sec1/part2/page{i}.html")),
                None,
                None,
            )
        })
        .collect();
    let mut hop = Hop::new(base.clone());
    hop.status = Some(200);
    let bytes = round_trip(&base, &PageOutcome::new(vec![hop], None, links));
    // Each link is a flags byte, the shared length, and about "123.html".
    assert!(bytes.len() < 100_000 * 14, "{}", bytes.len());
}

#[test]
fn link_kinds_keep_their_stored_codes() {
    // A link's kind is stored as its place in `LinkKind::ALL`: new kinds go at the end.
    let names: Vec<&str> = LinkKind::ALL.iter().map(|k| k.as_str()).collect();
    let stored = [
        "anchor",
        "redirect",
        "embed",
        "stylesheet",
        "css",
        "canonical",
        "alternate",
        "icon",
        "manifest",
        "preload",
        "link",
        "refresh",
        "header",
    ];
    assert_eq!(&names[..stored.len()], stored);
    assert!(names.len() <= 32, "the kind has five bits");
}

/// The serde field names of `value` and of the objects in its arrays, recursively.
fn field_names(value: &serde_json::Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.insert(format!("{prefix}{k}"));
                field_names(v, &format!("{prefix}{k}."), out);
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                field_names(item, prefix, out);
            }
        }
        _ => {}
    }
}

#[test]
fn the_layout_knows_every_field_of_an_outcome() {
    // A field added to the outcome types must be added to the layout (and the schema bumped),
    // or it would be lost on the way through Redis.
    let mut names = BTreeSet::new();
    field_names(&serde_json::to_value(full()).unwrap(), "", &mut names);
    let known = "anchors anchors.hashes anchors.truncated blocked hops hops.bytes hops.content_type hops.elapsed hops.elapsed.nanos \
                 hops.elapsed.secs hops.error hops.error.kind hops.error.limit hops.freshness \
                 hops.redirect hops.retries_exhausted hops.status hops.url hops.validators \
                 hops.validators.etag hops.validators.last_modified links links.fragments \
                 links.fragments.name links.fragments.text links.kind links.rel links.rendered \
                 links.text links.url nofollow rendered rendered.bytes rendered.gained \
                 rendered.requests title";
    let known: BTreeSet<String> = known.split_whitespace().map(str::to_owned).collect();
    assert_eq!(names, known);
}

#[test]
fn cut_or_garbled_bytes_are_corrupt_never_a_panic() {
    let base = url("http://a.test/old?x=1");
    let mut bytes = Vec::new();
    write(&mut bytes, &base, &full());
    for end in 0..bytes.len() {
        assert!(read(&bytes[..end], &base).is_err(), "cut at {end}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(read(&longer, &base).is_err());
    // Flipped bytes: an error or another valid outcome, never a panic.
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    for _ in 0..20_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut garbled = bytes.clone();
        let at = usize::try_from(state % bytes.len() as u64).unwrap();
        garbled[at] = garbled[at].wrapping_add(u8::try_from(state >> 56).unwrap() | 1);
        let _ = read(&garbled, &base);
    }
    for hostile in [
        &[0xff; 16][..],
        &[
            0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
        ],
        &[
            0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02,
        ],
        &[0, 1, 200, 1],
        &[4, 2, 0xc3, 0x28, 0, 0],
        &[0, 0, 1, 31, 0, 0],
    ] {
        assert!(read(hostile, &base).is_err(), "{hostile:?}");
    }
}
