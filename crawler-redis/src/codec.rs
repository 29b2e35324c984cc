//! How a page's outcome is stored: JSON, deflated.
//!
//! JSON because [`PageOutcome`] is serde and readable with `redis-cli` after inflating;
//! deflate (already a workspace dependency, level 6) because a page's link list compresses
//! about 5:1, which is most of the memory a crawl takes in Redis.

use std::io::{Read, Write};

use crawler_core::PageOutcome;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use flate2::Compression;

use crate::error::RedisCrawlError;

/// Encodes an outcome for the `out` hash.
pub(crate) fn encode(outcome: &PageOutcome) -> Vec<u8> {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
    // Writing to a Vec cannot fail, and an outcome always serialises.
    let _ = serde_json::to_writer(&mut encoder, outcome);
    let _ = encoder.flush();
    encoder.finish().unwrap_or_default()
}

/// Decodes an outcome stored by [`encode`].
///
/// # Errors
/// [`RedisCrawlError::Corrupt`] if the bytes are not a deflated outcome.
pub(crate) fn decode(bytes: &[u8]) -> Result<PageOutcome, RedisCrawlError> {
    let mut json = Vec::new();
    DeflateDecoder::new(bytes)
        .read_to_end(&mut json)
        .map_err(|e| RedisCrawlError::Corrupt(format!("stored outcome: {e}")))?;
    serde_json::from_slice(&json)
        .map_err(|e| RedisCrawlError::Corrupt(format!("stored outcome: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crawler_core::{FoundLink, Hop, Url};

    #[test]
    fn outcomes_round_trip_and_shrink() {
        let url = |s: &str| Url::parse(s).unwrap();
        let links: Vec<FoundLink> = (0..40)
            .map(|i| {
                FoundLink::new(
                    url(&format!("http://a.test/page/{i}.html")),
                    Some(format!("Page {i}")),
                    None,
                )
            })
            .collect();
        let mut hop = Hop::new(url("http://a.test/"));
        hop.status = Some(200);
        let outcome = PageOutcome::new(vec![hop], Some("Home".into()), links);
        let blob = encode(&outcome);
        assert_eq!(decode(&blob).unwrap(), outcome);
        let json = serde_json::to_vec(&outcome).unwrap();
        assert!(
            blob.len() * 3 < json.len(),
            "{} vs {}",
            blob.len(),
            json.len()
        );
        assert!(decode(b"not deflate").is_err());
    }
}
