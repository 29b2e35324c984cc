//! The seed list: seed URLs parsed, normalised and deduplicated in one pass, the first
//! spelling of each kept in order, and the seen set as a crawl from them sees it.
//!
//! A seeds file can hold ten million lines, so building the list is linear, parallel and lean:
//! - a line already in normal form (nearly every line of such a file) is recognised by one scan
//!   of its bytes ([`canonical`]), any other is parsed, and both on every core ([`parallel`]);
//! - each seed is kept as its normal form only, back to back in one string (a `Url` per seed
//!   took three times the memory); a crawl parses a seed again when its part of level 0
//!   starts (see [`level`](crate::crawl::run::level));
//! - a duplicate is found through a hash table of indices into the list rather than a second
//!   copy of every URL (a [`StringTable`]). The same table answers whether a URL is a seed, which lets a crawl
//!   claim its seeds a part at a time while links and redirects treat every seed as claimed
//!   from the start ([`WithSeeds`]).
//!
//! # Architecture
//! - `mod.rs`: [`SeedList`] and [`BadSeed`].
//! - `canonical.rs`: the one-scan check that a line is already in normal form.
//! - `parallel.rs`: a map over the lines on every core.
//! - `with_seeds.rs`: [`WithSeeds`], the seen set with every seed counted as claimed.

mod canonical;
mod parallel;
mod with_seeds;

pub(crate) use with_seeds::WithSeeds;

use std::borrow::Cow;
use std::ops::Range;

use hashbrown::HashSet;
use url::Url;

use crate::error::Error;
use crate::strings::StringTable;
use crate::url_norm::{self, Rejected};

/// Seeds parsed into URLs at once by [`SeedList::urls`].
const PIECE: usize = 1 << 16;

/// Seed URLs, normalised as every URL of the crawl is and each kept once, in first-seen order:
/// what [`Crawler::crawl_seeds`](crate::Crawler::crawl_seeds) starts from. Made by
/// [`Crawler::seed_list`](crate::Crawler::seed_list), with that crawler's URL length limit.
#[derive(Debug, Clone)]
pub struct SeedList {
    /// Every seed's normal form, numbered by its place in the list.
    seeds: StringTable,
    max_url_len: usize,
}

/// A seed of a batch given to [`SeedList::extend`] that cannot be a seed.
#[derive(Debug, thiserror::Error)]
#[error("seed {index} of the batch: {error}")]
pub struct BadSeed {
    /// Its place in the batch (from 0).
    pub index: usize,
    /// Why: [`Error::InvalidSeed`].
    #[source]
    pub error: Error,
}

impl SeedList {
    /// An empty list whose URLs may be at most `max_url_len` bytes long.
    pub(crate) fn new(max_url_len: usize) -> Self {
        Self {
            seeds: StringTable::default(),
            max_url_len,
        }
    }

    /// Makes room for `additional` more seeds.
    pub fn reserve(&mut self, additional: usize) {
        self.seeds.reserve(additional, 0);
    }

    /// Parses and normalises `seed` and adds it unless an earlier seed is the same URL; true
    /// if it was added. O(1) amortised.
    ///
    /// # Errors
    /// [`Error::InvalidSeed`] if `seed` is not an absolute http, https or file URL, or is
    /// longer than the limit.
    ///
    /// # Panics
    /// Past 2^32 distinct seeds.
    pub fn push(&mut self, seed: &str) -> Result<bool, Error> {
        let (hash, normal) = self
            .normalise(seed)
            .map_err(|reason| invalid(seed, &reason))?;
        Ok(self.insert(hash, &normal))
    }

    /// Adds `seeds` in order as [`push`](Self::push) would, parsing them on every core: for
    /// a long list, the fast way. Returns how many were added (not duplicates).
    ///
    /// # Errors
    /// [`BadSeed`] for the first seed that cannot be one; the seeds before it are added.
    ///
    /// # Panics
    /// Past 2^32 distinct seeds.
    pub fn extend(&mut self, seeds: &[&str]) -> Result<usize, BadSeed> {
        let normal = parallel::map(seeds, |seed| self.normalise(seed));
        let bytes = normal.iter().flatten().map(|(_, seed)| seed.len()).sum();
        self.seeds.reserve(seeds.len(), bytes);
        let mut added = 0;
        for (index, seed) in normal.into_iter().enumerate() {
            match seed {
                Ok((hash, seed)) => added += usize::from(self.insert(hash, &seed)),
                Err(reason) => {
                    let error = invalid(seeds[index], &reason);
                    return Err(BadSeed { index, error });
                }
            }
        }
        Ok(added)
    }

    /// `seed` in normal form, with its hash: `seed` itself when it is already in that form.
    fn normalise<'a>(&self, seed: &'a str) -> Result<(u32, Cow<'a, str>), Rejected> {
        let trimmed = seed.trim();
        let normal = if canonical::is_normal(trimmed, self.max_url_len) {
            Cow::Borrowed(trimmed)
        } else {
            Cow::Owned(String::from(url_norm::parse_absolute(
                seed,
                self.max_url_len,
            )?))
        };
        Ok((self.seeds.hash(&normal), normal))
    }

    /// Adds `seed` (normal, hashed as `hash`) unless it is there; true if it was added.
    fn insert(&mut self, hash: u32, seed: &str) -> bool {
        self.seeds.insert_hashed(hash, seed).1
    }

    /// Whether `url` (normalised) is one of the seeds. O(1).
    pub fn contains(&self, url: &Url) -> bool {
        self.seeds.get_index_of(url.as_str()).is_some()
    }

    /// Number of distinct seeds.
    pub fn len(&self) -> usize {
        self.seeds.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.seeds.len() == 0
    }

    /// The seeds in normal form, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + DoubleEndedIterator + '_ {
        self.seeds.iter()
    }

    /// The seeds of `range` (places in the list) as URLs, parsed on every core.
    ///
    /// # Panics
    /// If `range` is not within the list.
    pub fn urls(&self, range: Range<usize>) -> Vec<Url> {
        let mut urls = Vec::with_capacity(range.len());
        // A piece at a time: the threads' results are copied into `urls`, so only a piece
        // of them is ever held twice.
        for start in range.clone().step_by(PIECE) {
            let places: Vec<usize> = (start..range.end.min(start + PIECE)).collect();
            urls.extend(parallel::map(&places, |&place| self.url(place)));
        }
        urls
    }

    /// Seed `place` as a URL.
    fn url(&self, place: usize) -> Url {
        Url::parse(self.seeds.get(place)).expect("a seed is kept in normal form, which parses")
    }

    /// The seeds, in order, as URLs (parsed on every core).
    pub fn into_urls(self) -> Vec<Url> {
        self.urls(0..self.len())
    }

    /// The first seed of each web origin and of each `file:` directory, in order: all the
    /// seeds say about the crawl's scope and its sitemaps. A `file:` directory given as a seed
    /// (`file:///site/`) is kept even after a file of it, as it also sets the site root.
    pub(crate) fn one_per_origin(&self) -> Vec<Url> {
        let mut keys = HashSet::new();
        let mut last = "";
        let mut firsts = Vec::new();
        for (place, seed) in self.iter().enumerate() {
            // Most seeds share the web origin of the seed before them: no hashing for those.
            let same_origin = !last.ends_with('/')
                && seed.starts_with(last)
                && seed.as_bytes().get(last.len()) == Some(&b'/');
            if same_origin {
                continue;
            }
            last = origin_key(seed);
            let folder = seed.starts_with("file:") && seed.ends_with('/');
            if keys.insert((last, folder)) {
                firsts.push(self.url(place));
            }
        }
        firsts
    }
}

/// What seeds of one origin share: up to the path for a web URL (`http://host:port`), up to
/// the last `/` of the path for a `file:` URL (normal form: no userinfo, the path starts at
/// the first `/` after `//`).
fn origin_key(seed: &str) -> &str {
    let after_scheme = seed.find("//").map_or(0, |at| at + 2);
    let path = seed[after_scheme..]
        .find('/')
        .map_or(seed.len(), |at| after_scheme + at);
    if !seed.starts_with("file:") {
        return &seed[..path];
    }
    let end = seed.find(['?', '#']).unwrap_or(seed.len());
    seed[..end].rfind('/').map_or(seed, |slash| &seed[..=slash])
}

fn invalid(seed: &str, reason: &Rejected) -> Error {
    Error::InvalidSeed {
        url: seed.to_owned(),
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn keeps_the_first_spelling_of_each_url_in_order() {
        let mut seeds = SeedList::new(100);
        for (seed, new) in [
            ("http://b.test/", true),
            ("HTTP://a.test/x#frag", true),
            ("http://b.test/#again", false),
            ("http://a.test/y/../x", false),
        ] {
            assert_eq!(seeds.push(seed).unwrap(), new, "{seed}");
        }
        let urls: Vec<&str> = seeds.iter().collect();
        assert_eq!(urls, ["http://b.test/", "http://a.test/x"]);
        assert!(seeds.contains(&url("http://a.test/x")));
        assert!(!seeds.contains(&url("http://a.test/y")));
        let long = format!("http://a.test/{}", "x".repeat(100));
        assert!(matches!(seeds.push(&long), Err(Error::InvalidSeed { .. })));
        assert!(matches!(
            seeds.push("mailto:x@a.test"),
            Err(Error::InvalidSeed { .. })
        ));
    }

    /// A batch long enough for several threads gives what pushing line by line gives.
    #[test]
    fn extend_is_push_on_every_core() {
        let lines: Vec<String> = (0..30_000)
            .map(|i| match i % 5 {
                0 => format!("HTTP://a.test/x/../{}#dup", i / 3),
                1 => format!("http://b.test/{i}"),
                _ => format!("http://a.test/{i}"),
            })
            .collect();
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let mut one_by_one = SeedList::new(100);
        let added = lines.iter().filter(|l| one_by_one.push(l).unwrap()).count();
        let mut batch = SeedList::new(100);
        assert_eq!(
            batch.extend(&lines[..10_000]).unwrap() + batch.extend(&lines[10_000..]).unwrap(),
            added
        );
        assert!(batch.iter().eq(one_by_one.iter()));
        assert!(added < lines.len(), "some are duplicates");

        let mut bad = lines.clone();
        bad[20_000] = "nope";
        bad[25_000] = "ftp://a.test/";
        let mut list = SeedList::new(100);
        let err = list.extend(&bad).unwrap_err();
        assert_eq!(err.index, 20_000);
        assert!(matches!(err.error, Error::InvalidSeed { ref url, .. } if url == "nope"));
        assert!(list.iter().eq(one_by_one.iter().take(list.len())));
    }

    #[test]
    fn one_seed_per_origin_and_file_directory() {
        let mut seeds = SeedList::new(100);
        for seed in [
            "http://a.test/1",
            "http://a.test/2",
            "http://a.test:8080/",
            "https://a.test/",
            "http://a.test/3",
            "file:///site/a.html",
            "file:///site/b.html",
            "file:///site/sub/",
            "file:///site/",
            "file:///site/c.html",
        ] {
            seeds.push(seed).unwrap();
        }
        let firsts: Vec<String> = seeds
            .one_per_origin()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            firsts,
            [
                "http://a.test/1",
                "http://a.test:8080/",
                "https://a.test/",
                "file:///site/a.html",
                "file:///site/sub/",
                "file:///site/"
            ]
        );
        assert_eq!(
            seeds.urls(1..3),
            [url("http://a.test/2"), url("http://a.test:8080/")]
        );
    }
}
