//! How a page's outcome is stored: JSON, deflated.
//!
//! JSON because [`PageOutcome`] is serde and readable with `redis-cli` after inflating;
//! deflate (already a workspace dependency) because a page's link list compresses about 5:1,
//! which is most of the memory a crawl takes in Redis.
//!
//! The compressor is made once per thread and reset for each page: a new `miniz_oxide`
//! compressor zeroes about 300 KiB of tables, which cost more than the compression itself
//! (42% of a worker's CPU when each page made its own). The level stays the default 6: on
//! the 10k bench site level 3 took 4% more Redis memory (1,181 against 1,136 bytes a URL)
//! for a CPU saving lost in the machine's noise, and memory is the scarcer of the two.

use std::cell::RefCell;

use crawler_core::PageOutcome;
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use crate::error::RedisCrawlError;

/// The deflate level of stored outcomes.
const LEVEL: u32 = 6;

thread_local! {
    /// This thread's compressor and JSON buffer, reused page after page.
    static ENCODER: RefCell<(Compress, Vec<u8>)> =
        RefCell::new((Compress::new(Compression::new(LEVEL), false), Vec::new()));
    /// This thread's decompressor, reused.
    static DECODER: RefCell<Decompress> = RefCell::new(Decompress::new(false));
}

/// Encodes an outcome for the `out` hash.
pub(crate) fn encode(outcome: &PageOutcome) -> Vec<u8> {
    ENCODER.with(|cell| {
        let (compress, json) = &mut *cell.borrow_mut();
        json.clear();
        // Writing to a Vec cannot fail, and an outcome always serialises.
        let _ = serde_json::to_writer(&mut *json, outcome);
        compress.reset();
        let mut out = Vec::with_capacity(json.len() / 3 + 64);
        loop {
            let read = usize::try_from(compress.total_in()).unwrap_or(usize::MAX);
            let input = json.get(read..).unwrap_or_default();
            match compress.compress_vec(input, &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) | Err(_) => break,
                Ok(_) => out.reserve(out.capacity().max(64)),
            }
        }
        out
    })
}

/// Decodes an outcome stored by [`encode`].
///
/// # Errors
/// [`RedisCrawlError::Corrupt`] if the bytes are not a deflated outcome.
pub(crate) fn decode(bytes: &[u8]) -> Result<PageOutcome, RedisCrawlError> {
    let corrupt =
        |e: &dyn std::fmt::Display| RedisCrawlError::Corrupt(format!("stored outcome: {e}"));
    let json = DECODER.with(|cell| {
        let decompress = &mut *cell.borrow_mut();
        decompress.reset(false);
        let mut json = Vec::with_capacity(bytes.len() * 6 + 64);
        loop {
            let read = usize::try_from(decompress.total_in()).unwrap_or(usize::MAX);
            let input = bytes.get(read..).unwrap_or_default();
            let before = (decompress.total_in(), decompress.total_out());
            // `Finish` would make a too-small buffer a permanent error in miniz_oxide.
            match decompress.decompress_vec(input, &mut json, FlushDecompress::None) {
                Ok(Status::StreamEnd) => return Ok(json),
                Ok(_) if json.len() == json.capacity() => json.reserve(json.capacity()),
                // No progress with room to spare: the input ended before the stream did.
                Ok(_) if before == (decompress.total_in(), decompress.total_out()) => {
                    return Err(corrupt(&"truncated"));
                }
                Ok(_) => {}
                Err(e) => return Err(corrupt(&e)),
            }
        }
    })?;
    serde_json::from_slice(&json).map_err(|e| corrupt(&e))
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
        // The reused compressor starts each page afresh.
        assert_eq!(encode(&outcome), blob);
        let json = serde_json::to_vec(&outcome).unwrap();
        assert!(
            blob.len() * 3 < json.len(),
            "{} vs {}",
            blob.len(),
            json.len()
        );
        assert!(decode(b"not deflate").is_err());
        assert!(decode(&blob[..blob.len() / 2]).is_err());
        // The stored format is raw deflate: any inflater reads it.
        let mut inflated = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::DeflateDecoder::new(&blob[..]),
            &mut inflated,
        )
        .unwrap();
        assert_eq!(inflated, json);
    }
}
