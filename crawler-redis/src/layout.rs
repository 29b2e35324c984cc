//! The binary layout of a stored page outcome, before it is deflated.
//!
//! JSON spelt every field name and every link's full URL for every page, and deflate had to
//! squeeze that skeleton out again: the binary layout leaves it out. Each URL is written as
//! the number of leading bytes it shares with the page's own URL (which the reader knows: the
//! outcome is stored under that URL's fingerprint) and the rest, so a site's links shrink to
//! their paths; integers are LEB128 varints; absent fields cost a bit in a flags byte. The
//! rare, open-ended fields (a hop's error, a redirect's skip reason) stay serde JSON strings, so
//! the layout does not copy those enums. On the 10k bench site a page's outcome is about a
//! third of its JSON before deflate, and a fifth smaller after it.
//!
//! ```text
//! outcome := flags:u8 (1 blocked, 2 nofollow, 4 title, 8 anchors, 16 rendered) [title:str]
//!            hops:n hop* links:n link* [anchors] [render]
//! hop     := url:uref flags:u8 (1 status, 2 content type, 4 error, 8 redirect, 16 redirect
//!            reason, 32 retries exhausted, 64 validators, 128 freshness) [status:n]
//!            [content_type:str] [error:str] bytes:n secs:n nanos:n [redirect:uref]
//!            [reason:str] [validators] [freshness:str]
//! validators := flags:u8 (1 etag, 2 last modified) [etag:str] [last_modified:str]
//! link    := flags:u8 (bits 0-4 kind, 32 text, 64 rel, 128 more) [more:u8 (1 rendered,
//!            2 fragments)] url:uref [text:str] [rel:str] [fragments:n fragment*]
//! fragment := flags:u8 (1 text) name:str [text:str]
//! anchors := complete:u8 hashes:n hash:u64le*    (the page's anchor hashes, sorted)
//! render  := gained:n requests:n bytes:n
//! uref    := shared:n rest:str        (shared = leading bytes in common with the page URL)
//! str     := len:n bytes              n := unsigned LEB128
//! ```
//!
//! A link's kind is its place in [`LinkKind::ALL`]; a unit test pins that order, which is
//! part of the stored format. Reading never panics: bad bytes give
//! [`RedisCrawlError::Corrupt`].

use std::time::Duration;

use crawler_core::extract::Anchors;
use crawler_core::render::RenderNote;
use crawler_core::{FoundLink, Hop, LinkFragment, LinkKind, PageOutcome, Validators};
use url::Url;

use crate::error::RedisCrawlError;

const BLOCKED: u8 = 1;
const NOFOLLOW: u8 = 2;
const TITLE: u8 = 4;
const ANCHORS: u8 = 8;
const RENDERED_PAGE: u8 = 16;

const STATUS: u8 = 1;
const CONTENT_TYPE: u8 = 2;
const ERROR: u8 = 4;
const REDIRECT: u8 = 8;
const REASON: u8 = 16;
const RETRIES_EXHAUSTED: u8 = 32;
const VALIDATORS: u8 = 64;
const FRESHNESS: u8 = 128;

const ETAG: u8 = 1;
const LAST_MODIFIED: u8 = 2;

const KIND_MASK: u8 = 31;
const TEXT: u8 = 32;
const REL: u8 = 64;
const MORE: u8 = 128;

const RENDERED_LINK: u8 = 1;
const FRAGMENTS: u8 = 2;

const FRAGMENT_TEXT: u8 = 1;

/// Appends `outcome`, fetched from `base`, to `out` in the binary layout.
pub(crate) fn write(out: &mut Vec<u8>, base: &Url, outcome: &PageOutcome) {
    let mut w = Writer { out, base };
    w.flags(&[
        (outcome.blocked, BLOCKED),
        (outcome.nofollow, NOFOLLOW),
        (outcome.title.is_some(), TITLE),
        (outcome.anchors.is_some(), ANCHORS),
        (outcome.rendered.is_some(), RENDERED_PAGE),
    ]);
    w.opt_str(outcome.title.as_deref());
    w.len(outcome.hops.len());
    for hop in &outcome.hops {
        w.url(&hop.url);
        let reason = hop
            .redirect
            .as_ref()
            .and_then(|(_, reason)| reason.as_ref());
        w.flags(&[
            (hop.status.is_some(), STATUS),
            (hop.content_type.is_some(), CONTENT_TYPE),
            (hop.error.is_some(), ERROR),
            (hop.redirect.is_some(), REDIRECT),
            (reason.is_some(), REASON),
            (hop.retries_exhausted, RETRIES_EXHAUSTED),
            (hop.validators.is_some(), VALIDATORS),
            (hop.freshness.is_some(), FRESHNESS),
        ]);
        if let Some(status) = hop.status {
            w.varint(u64::from(status));
        }
        w.opt_str(hop.content_type.as_deref());
        w.opt_str(hop.error.as_ref().map(json).as_deref());
        w.varint(hop.bytes);
        w.varint(hop.elapsed.as_secs());
        w.varint(u64::from(hop.elapsed.subsec_nanos()));
        if let Some((target, _)) = &hop.redirect {
            w.url(target);
        }
        w.opt_str(reason.map(json).as_deref());
        if let Some(validators) = &hop.validators {
            w.flags(&[
                (validators.etag.is_some(), ETAG),
                (validators.last_modified.is_some(), LAST_MODIFIED),
            ]);
            w.opt_str(validators.etag.as_deref());
            w.opt_str(validators.last_modified.as_deref());
        }
        w.opt_str(hop.freshness.as_ref().map(json).as_deref());
    }
    w.len(outcome.links.len());
    for link in &outcome.links {
        let kind = LinkKind::ALL
            .iter()
            .position(|k| *k == link.kind)
            .and_then(|i| u8::try_from(i).ok())
            .unwrap_or(0);
        let more = [
            (link.rendered, RENDERED_LINK),
            (!link.fragments.is_empty(), FRAGMENTS),
        ];
        let has_more = more.iter().any(|(on, _)| *on);
        w.out.push(
            (kind & KIND_MASK)
                | flag_byte(&[
                    (link.text.is_some(), TEXT),
                    (link.rel.is_some(), REL),
                    (has_more, MORE),
                ]),
        );
        if has_more {
            w.flags(&more);
        }
        w.url(&link.url);
        w.opt_str(link.text.as_deref());
        w.opt_str(link.rel.as_deref());
        if !link.fragments.is_empty() {
            w.len(link.fragments.len());
            for fragment in &link.fragments {
                w.flags(&[(fragment.text.is_some(), FRAGMENT_TEXT)]);
                w.str(&fragment.name);
                w.opt_str(fragment.text.as_deref());
            }
        }
    }
    if let Some(anchors) = &outcome.anchors {
        w.out.push(u8::from(anchors.is_complete()));
        w.len(anchors.hashes().len());
        for hash in anchors.hashes() {
            w.out.extend_from_slice(&hash.to_le_bytes());
        }
    }
    if let Some(note) = &outcome.rendered {
        w.len(note.gained);
        w.len(note.requests);
        w.varint(note.bytes);
    }
}

/// Reads an outcome written by [`write`] with the same `base`.
///
/// # Errors
/// [`RedisCrawlError::Corrupt`] if `bytes` are not exactly one outcome in this layout.
pub(crate) fn read(bytes: &[u8], base: &Url) -> Result<PageOutcome, RedisCrawlError> {
    let mut r = Reader { bytes, base };
    let flags = r.byte()?;
    if flags & !(BLOCKED | NOFOLLOW | TITLE | ANCHORS | RENDERED_PAGE) != 0 {
        return Err(corrupt("outcome flags"));
    }
    let mut outcome = PageOutcome::default();
    outcome.blocked = flags & BLOCKED != 0;
    outcome.nofollow = flags & NOFOLLOW != 0;
    outcome.title = r.opt_str(flags & TITLE != 0)?;
    let hops = r.len()?;
    outcome.hops = Vec::with_capacity(hops.min(r.bytes.len()));
    for _ in 0..hops {
        outcome.hops.push(r.hop()?);
    }
    let links = r.len()?;
    outcome.links = Vec::with_capacity(links.min(r.bytes.len()));
    for _ in 0..links {
        outcome.links.push(r.link()?);
    }
    if flags & ANCHORS != 0 {
        outcome.anchors = Some(r.anchors()?);
    }
    if flags & RENDERED_PAGE != 0 {
        let gained = r.len()?;
        let requests = r.len()?;
        outcome.rendered = Some(RenderNote::new(gained, requests, r.varint()?));
    }
    if !r.bytes.is_empty() {
        return Err(corrupt("bytes after the outcome"));
    }
    Ok(outcome)
}

/// The byte with each bit of `bits` set that is on.
fn flag_byte(bits: &[(bool, u8)]) -> u8 {
    bits.iter()
        .filter(|(on, _)| *on)
        .fold(0, |acc, (_, bit)| acc | bit)
}

fn json<T: serde::Serialize>(value: &T) -> String {
    // These enums always serialise.
    serde_json::to_string(value).unwrap_or_default()
}

fn corrupt(what: &str) -> RedisCrawlError {
    RedisCrawlError::Corrupt(format!("stored outcome: bad {what}"))
}

struct Writer<'a> {
    out: &'a mut Vec<u8>,
    base: &'a Url,
}

impl Writer<'_> {
    fn varint(&mut self, mut n: u64) {
        loop {
            // The low seven bits always fit.
            let low = u8::try_from(n & 0x7f).unwrap_or(0);
            n >>= 7;
            if n == 0 {
                self.out.push(low);
                return;
            }
            self.out.push(low | 0x80);
        }
    }

    fn len(&mut self, n: usize) {
        self.varint(u64::try_from(n).unwrap_or(u64::MAX));
    }

    fn flags(&mut self, bits: &[(bool, u8)]) {
        self.out.push(flag_byte(bits));
    }

    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.out.extend_from_slice(s.as_bytes());
    }

    fn opt_str(&mut self, s: Option<&str>) {
        if let Some(s) = s {
            self.str(s);
        }
    }

    fn url(&mut self, url: &Url) {
        let (base, url) = (self.base.as_str().as_bytes(), url.as_str());
        let shared = base
            .iter()
            .zip(url.as_bytes())
            .take_while(|(a, b)| a == b)
            .count();
        self.len(shared);
        // A serialised URL is ASCII, so any byte offset is a character boundary.
        self.str(url.get(shared..).unwrap_or(url));
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    base: &'a Url,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, RedisCrawlError> {
        let (&first, rest) = self.bytes.split_first().ok_or_else(|| corrupt("length"))?;
        self.bytes = rest;
        Ok(first)
    }

    fn varint(&mut self) -> Result<u64, RedisCrawlError> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                break;
            }
            n |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(n);
            }
        }
        Err(corrupt("varint"))
    }

    fn len(&mut self) -> Result<usize, RedisCrawlError> {
        usize::try_from(self.varint()?).map_err(|_| corrupt("length"))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], RedisCrawlError> {
        if n > self.bytes.len() {
            return Err(corrupt("length"));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn str(&mut self) -> Result<&'a str, RedisCrawlError> {
        let n = self.len()?;
        std::str::from_utf8(self.take(n)?).map_err(|_| corrupt("text"))
    }

    fn opt_str(&mut self, present: bool) -> Result<Option<String>, RedisCrawlError> {
        present.then(|| self.str().map(str::to_owned)).transpose()
    }

    fn opt_json<T: serde::de::DeserializeOwned>(
        &mut self,
        present: bool,
    ) -> Result<Option<T>, RedisCrawlError> {
        present
            .then(|| serde_json::from_str(self.str()?).map_err(|_| corrupt("error or reason")))
            .transpose()
    }

    fn hop(&mut self) -> Result<Hop, RedisCrawlError> {
        let mut hop = Hop::new(self.url()?);
        let flags = self.byte()?;
        if flags & STATUS != 0 {
            hop.status = Some(u16::try_from(self.varint()?).map_err(|_| corrupt("status"))?);
        }
        hop.content_type = self.opt_str(flags & CONTENT_TYPE != 0)?;
        hop.error = self.opt_json(flags & ERROR != 0)?;
        hop.bytes = self.varint()?;
        let secs = self.varint()?;
        let nanos = u32::try_from(self.varint()?)
            .ok()
            .filter(|n| *n < 1_000_000_000)
            .ok_or_else(|| corrupt("elapsed"))?;
        hop.elapsed = Duration::new(secs, nanos);
        if flags & REDIRECT != 0 {
            let target = self.url()?;
            hop.redirect = Some((target, self.opt_json(flags & REASON != 0)?));
        } else if flags & REASON != 0 {
            return Err(corrupt("a skip reason without a redirect"));
        }
        hop.retries_exhausted = flags & RETRIES_EXHAUSTED != 0;
        if flags & VALIDATORS != 0 {
            let which = self.byte()?;
            let etag = self.opt_str(which & ETAG != 0)?;
            let last_modified = self.opt_str(which & LAST_MODIFIED != 0)?;
            hop.validators = Validators::new(etag, last_modified);
        }
        hop.freshness = self.opt_json(flags & FRESHNESS != 0)?;
        Ok(hop)
    }

    fn link(&mut self) -> Result<FoundLink, RedisCrawlError> {
        let flags = self.byte()?;
        let kind = *LinkKind::ALL
            .get(usize::from(flags & KIND_MASK))
            .ok_or_else(|| corrupt("link kind"))?;
        let more = if flags & MORE == 0 {
            0
        } else {
            match self.byte()? {
                more if more == 0 || more & !(RENDERED_LINK | FRAGMENTS) != 0 => {
                    return Err(corrupt("link flags"))
                }
                more => more,
            }
        };
        let url = self.url()?;
        let text = self.opt_str(flags & TEXT != 0)?;
        let rel = self.opt_str(flags & REL != 0)?;
        let mut link = FoundLink::of_kind(url, kind, text, rel);
        link.rendered = more & RENDERED_LINK != 0;
        if more & FRAGMENTS != 0 {
            let count = self.len()?;
            if count == 0 {
                return Err(corrupt("fragment count"));
            }
            link.fragments = Vec::with_capacity(count.min(self.bytes.len()));
            for _ in 0..count {
                let which = self.byte()?;
                if which & !FRAGMENT_TEXT != 0 {
                    return Err(corrupt("fragment flags"));
                }
                let name = self.str()?.to_owned();
                let text = self.opt_str(which & FRAGMENT_TEXT != 0)?;
                link.fragments.push(LinkFragment::new(name, text));
            }
        }
        Ok(link)
    }

    fn anchors(&mut self) -> Result<Anchors, RedisCrawlError> {
        let complete = match self.byte()? {
            0 => false,
            1 => true,
            _ => return Err(corrupt("anchors")),
        };
        let count = self.len()?;
        let bytes = self.take(count.checked_mul(8).ok_or_else(|| corrupt("anchors"))?)?;
        let hashes = bytes
            .chunks_exact(8)
            .map(|chunk| u64::from_le_bytes(chunk.try_into().unwrap_or_default()))
            .collect();
        Ok(Anchors::from_hashes(hashes, complete))
    }

    fn url(&mut self) -> Result<Url, RedisCrawlError> {
        let shared = self.len()?;
        let head = self
            .base
            .as_str()
            .get(..shared)
            .ok_or_else(|| corrupt("URL prefix"))?;
        let rest = self.str()?;
        Url::parse(&[head, rest].concat()).map_err(|_| corrupt("URL"))
    }
}

#[cfg(test)]
#[path = "layout_tests.rs"]
mod tests;
