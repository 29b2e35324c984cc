//! The codec: blobs with and without the crawl's dictionary, the proposal, bad blobs.

use crawler_core::{FoundLink, Hop, PageOutcome};
use url::Url;

use super::{Codec, DICTIONARY_LEN, PLAIN, WITH_DICTIONARY};
use crate::error::RedisCrawlError;

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

/// Page `i` of a small site: a few shared navigation links and some of its own.
fn page(i: usize) -> (Url, PageOutcome) {
    let base = url(&format!("http://a.test/sec{}/page{i}.html", i / 10));
    let mut links: Vec<FoundLink> = ["", "about.html", "contact.html", "news/index.html"]
        .iter()
        .map(|path| {
            FoundLink::new(
                url(&format!("http://a.test/{path}")),
                Some(format!("Site section {path}")),
                None,
            )
        })
        .collect();
    for j in 0..30 {
        let target = (i * 7 + j * 13) % 1000;
        links.push(FoundLink::new(
            url(&format!(
                "http://a.test/sec{}/page{target}.html",
                target / 10
            )),
            Some(format!("Story number {target} of the garden")),
            None,
        ));
    }
    let mut hop = Hop::new(base.clone());
    hop.status = Some(200);
    hop.content_type = Some("text/html".into());
    hop.bytes = 14_000 + i as u64;
    (
        base,
        PageOutcome::new(vec![hop], Some(format!("Page {i}")), links),
    )
}

fn is_corrupt(result: &Result<PageOutcome, RedisCrawlError>) -> bool {
    matches!(result, Err(RedisCrawlError::Corrupt(_)))
}

#[test]
fn outcomes_round_trip_without_and_with_the_dictionary() {
    let worker = Codec::new(None);
    let (base, outcome) = page(0);
    let plain = worker.encode(&base, &outcome);
    assert_eq!(plain[0], PLAIN);
    assert_eq!(worker.decode(&plain, &base).unwrap(), outcome);
    // The reused compressor starts each page afresh.
    assert_eq!(worker.encode(&base, &outcome), plain);

    // Enough pages make a proposal, once.
    let mut i = 1;
    let proposal = loop {
        if let Some(p) = worker.proposal() {
            break p;
        }
        let (base, outcome) = page(i);
        worker.encode(&base, &outcome);
        i += 1;
        assert!(i < 1000, "no proposal");
    };
    assert_eq!(proposal.len(), DICTIONARY_LEN);
    assert_eq!(worker.proposal(), None);

    // Another worker's proposal won: both use it, and so does the export.
    let (other_base, other) = page(500);
    let other_worker = Codec::new(None);
    for k in 600..700 {
        let (b, o) = page(k);
        other_worker.encode(&b, &o);
    }
    let winner = other_worker.proposal().unwrap();
    assert_ne!(winner, proposal);
    worker.adopt(winner.clone());
    worker.adopt(proposal);
    let with = worker.encode(&other_base, &other);
    assert_eq!(with[0], WITH_DICTIONARY);
    let export = Codec::new(Some(winner));
    assert_eq!(export.decode(&with, &other_base).unwrap(), other);
    // Blobs stored before the dictionary still read.
    assert_eq!(export.decode(&plain, &base).unwrap(), outcome);
    let without = Codec::new(None).encode(&other_base, &other);
    assert!(
        with.len() * 10 < without.len() * 7,
        "{} vs {}",
        with.len(),
        without.len()
    );
    // Without the dictionary, or with another one, it does not read.
    assert!(is_corrupt(&Codec::new(None).decode(&with, &other_base)));
    let wrong = Codec::new(Some(vec![b'x'; DICTIONARY_LEN]));
    assert!(wrong.decode(&with, &other_base).is_err());
}

#[test]
fn a_worker_that_knows_the_dictionary_proposes_none() {
    let codec = Codec::new(Some(vec![0; 10]));
    for k in 0..100 {
        let (b, o) = page(k);
        codec.encode(&b, &o);
    }
    assert!(codec.has_dictionary());
    assert_eq!(codec.proposal(), None);
}

#[test]
fn bad_blobs_are_corrupt_never_a_panic() {
    let codec = Codec::new(Some(b"some dictionary bytes".to_vec()));
    let (base, outcome) = page(3);
    let blob = codec.encode(&base, &outcome);
    assert_eq!(codec.decode(&blob, &base).unwrap(), outcome);
    assert!(is_corrupt(&codec.decode(b"", &base)));
    assert!(is_corrupt(&codec.decode(&[7, 1, 2, 3], &base)));
    assert!(is_corrupt(&codec.decode(b"\x00not deflate", &base)));
    for end in 1..blob.len() {
        assert!(
            is_corrupt(&codec.decode(&blob[..end], &base)),
            "cut at {end}"
        );
    }
    for at in 1..blob.len() {
        let mut garbled = blob.clone();
        garbled[at] ^= 0x5a;
        let _ = codec.decode(&garbled, &base);
    }
    // A blob of the previous format (deflated JSON, schema 1) is refused, not misread.
    let json = serde_json::to_vec(&outcome).unwrap();
    let mut old = Vec::new();
    std::io::Write::write_all(
        &mut flate2::write::DeflateEncoder::new(&mut old, flate2::Compression::default()),
        &json,
    )
    .unwrap();
    assert!(codec.decode(&old, &base).is_err());
    // Decoded against another page URL, the links come out wrong or not at all.
    let elsewhere = url("http://b.test/");
    assert_ne!(codec.decode(&blob, &elsewhere).ok(), Some(outcome));
}
