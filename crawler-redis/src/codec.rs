//! How a page's outcome is stored: the binary [`layout`](crate::layout), deflated with the
//! crawl's preset dictionary.
//!
//! Outcomes are most of what a crawl keeps in Redis, and one page's outcome is too short for
//! deflate to learn much from: what makes it compressible is what it shares with the *other*
//! pages of the site (navigation, footers, the titles of popular pages, the link paths). So
//! each worker keeps the layout bytes of the first pages it encodes, [`DICTIONARY_LEN`] of
//! them, and proposes them as the crawl's dictionary; the first proposal stored in Redis wins
//! and every worker and `crawl export` uses that one ([`crate::dictionary`]). Pages encoded
//! before a worker has the dictionary are stored without one: the first byte of a blob says
//! which ([`PLAIN`] or [`WITH_DICTIONARY`]). On the 10k bench site this takes a page's
//! outcome from about 860 bytes (deflated JSON) to about 450.
//!
//! The backend is `zlib-rs`, because `miniz_oxide` has no preset dictionaries. Setting the
//! dictionary costs the compressor a pass over its [`DICTIONARY_LEN`] bytes per page, which
//! the much shorter input (a third of the JSON) pays back. The compressor is made once per
//! thread and reset for each page (making one per page once cost 42% of a worker's CPU).

use std::cell::RefCell;
use std::sync::{Mutex, OnceLock, PoisonError};

use crawler_core::PageOutcome;
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use url::Url;

use crate::error::RedisCrawlError;
use crate::layout;

/// The deflate level of stored outcomes.
const LEVEL: u32 = 6;
/// Bytes of the crawl's dictionary: the layout bytes of a worker's first pages, the last ones
/// kept. Deflate reaches back at most 32 KiB; 8 KiB gave most of the gain on the bench site
/// (4 KiB: 480 bytes a page, 8 KiB: 455, 16 KiB: 430) for a quarter of the cost of 32 KiB.
pub(crate) const DICTIONARY_LEN: usize = 8 * 1024;
/// First byte of a blob deflated without a dictionary.
pub(crate) const PLAIN: u8 = 0;
/// First byte of a blob deflated with the crawl's dictionary.
pub(crate) const WITH_DICTIONARY: u8 = 1;

thread_local! {
    /// This thread's compressor and layout buffer, reused page after page.
    static ENCODER: RefCell<(Compress, Vec<u8>)> =
        RefCell::new((Compress::new(Compression::new(LEVEL), false), Vec::new()));
    /// This thread's decompressor, reused.
    static DECODER: RefCell<Decompress> = RefCell::new(Decompress::new(false));
}

/// One crawl's outcome codec: its dictionary once known, and the sample that becomes this
/// worker's proposal for it.
#[derive(Debug)]
pub(crate) struct Codec {
    dictionary: OnceLock<Vec<u8>>,
    /// Layout bytes of the first pages encoded, until taken as a proposal.
    sample: Mutex<Option<Vec<u8>>>,
}

impl Codec {
    /// A codec with the crawl's dictionary, if it has one yet.
    pub(crate) fn new(dictionary: Option<Vec<u8>>) -> Self {
        let codec = Self {
            dictionary: OnceLock::new(),
            sample: Mutex::new(Some(Vec::with_capacity(2 * DICTIONARY_LEN))),
        };
        if let Some(dictionary) = dictionary {
            codec.adopt(dictionary);
        }
        codec
    }

    /// Uses `dictionary` from now on (the crawl's, as stored in Redis). A second call is
    /// ignored: a crawl has one dictionary.
    pub(crate) fn adopt(&self, dictionary: Vec<u8>) {
        let _ = self.dictionary.set(dictionary);
        *self.sample.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// Whether the crawl's dictionary is known.
    pub(crate) fn has_dictionary(&self) -> bool {
        self.dictionary.get().is_some()
    }

    /// This worker's proposal for the crawl's dictionary, once it has encoded enough pages
    /// and knows of none: returned once.
    pub(crate) fn proposal(&self) -> Option<Vec<u8>> {
        if self.has_dictionary() {
            return None;
        }
        let mut sample = self.sample.lock().unwrap_or_else(PoisonError::into_inner);
        if sample.as_ref().is_some_and(|s| s.len() >= DICTIONARY_LEN) {
            let sample = sample.take().unwrap_or_default();
            return Some(sample[sample.len() - DICTIONARY_LEN..].to_vec());
        }
        None
    }

    /// Encodes the outcome of the page at `base` for the `out` hash.
    pub(crate) fn encode(&self, base: &Url, outcome: &PageOutcome) -> Vec<u8> {
        let dictionary = self.dictionary.get();
        ENCODER.with(|cell| {
            let (compress, bytes) = &mut *cell.borrow_mut();
            bytes.clear();
            layout::write(bytes, base, outcome);
            if dictionary.is_none() {
                self.keep(bytes);
            }
            compress.reset();
            let mut out = Vec::with_capacity(bytes.len() / 2 + 64);
            match dictionary {
                // Setting a dictionary on a fresh raw-deflate stream cannot fail.
                Some(dictionary) if compress.set_dictionary(dictionary).is_ok() => {
                    out.push(WITH_DICTIONARY);
                }
                _ => out.push(PLAIN),
            }
            loop {
                let read = usize::try_from(compress.total_in()).unwrap_or(usize::MAX);
                let input = bytes.get(read..).unwrap_or_default();
                match compress.compress_vec(input, &mut out, FlushCompress::Finish) {
                    Ok(Status::StreamEnd) | Err(_) => break,
                    Ok(_) => out.reserve(out.capacity().max(64)),
                }
            }
            out
        })
    }

    /// Adds a page's layout bytes to the sample, while it is open and short of full.
    fn keep(&self, bytes: &[u8]) {
        let mut sample = self.sample.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(sample) = sample.as_mut().filter(|s| s.len() < DICTIONARY_LEN) {
            sample.extend_from_slice(bytes);
        }
    }

    /// Decodes an outcome stored by [`Codec::encode`] for the page at `base`.
    ///
    /// # Errors
    /// [`RedisCrawlError::Corrupt`] if the bytes are not an outcome, or need a dictionary this
    /// codec does not have.
    pub(crate) fn decode(&self, blob: &[u8], base: &Url) -> Result<PageOutcome, RedisCrawlError> {
        let corrupt =
            |e: &dyn std::fmt::Display| RedisCrawlError::Corrupt(format!("stored outcome: {e}"));
        let (tag, deflated) = blob.split_first().ok_or_else(|| corrupt(&"empty"))?;
        let dictionary = match *tag {
            PLAIN => None,
            WITH_DICTIONARY => Some(
                self.dictionary
                    .get()
                    .ok_or_else(|| corrupt(&"the crawl's dictionary is missing"))?,
            ),
            other => return Err(corrupt(&format!("unknown format {other}"))),
        };
        let bytes = DECODER.with(|cell| {
            let decompress = &mut *cell.borrow_mut();
            decompress.reset(false);
            if let Some(dictionary) = dictionary {
                decompress
                    .set_dictionary(dictionary)
                    .map_err(|e| corrupt(&e))?;
            }
            inflate(decompress, deflated).map_err(|e| corrupt(&e))
        })?;
        layout::read(&bytes, base)
    }
}

/// Inflates `deflated` with `decompress` (reset, its dictionary set).
fn inflate(decompress: &mut Decompress, deflated: &[u8]) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::with_capacity(deflated.len() * 4 + 64);
    loop {
        let read = usize::try_from(decompress.total_in()).unwrap_or(usize::MAX);
        let input = deflated.get(read..).unwrap_or_default();
        let before = (decompress.total_in(), decompress.total_out());
        match decompress.decompress_vec(input, &mut bytes, FlushDecompress::None) {
            Ok(Status::StreamEnd) => return Ok(bytes),
            Ok(_) if bytes.len() == bytes.capacity() => bytes.reserve(bytes.capacity()),
            // No progress with room to spare: the input ended before the stream did.
            Ok(_) if before == (decompress.total_in(), decompress.total_out()) => {
                return Err("truncated".into());
            }
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
}

#[cfg(test)]
#[path = "codec_tests.rs"]
mod tests;
