//! The seed list: seed URLs parsed, normalised and deduplicated in one pass, the first
//! spelling of each kept in order, and the seen set as a crawl from them sees it.
//!
//! A seeds file can hold millions of lines, so building the list is linear and lean: each URL
//! is parsed once (the crawl then adds it to its graph from here), and a duplicate is found
//! through a hash table of indices into the list rather than a second copy of every URL. The
//! same table answers whether a URL is a seed, which lets a crawl claim its seeds a part at a
//! time (see [`level`](crate::level)) while links and redirects treat every seed as claimed
//! from the start ([`WithSeeds`]).

use std::hash::BuildHasher as _;
use std::sync::{Arc, Weak};

use hashbrown::{DefaultHashBuilder, HashTable};
use url::Url;

use crate::error::Error;
use crate::frontier::SeenSet;
use crate::url_norm;

/// Seed URLs, normalised as every URL of the crawl is and each kept once, in first-seen order:
/// what [`Crawler::crawl_seeds`](crate::Crawler::crawl_seeds) starts from. Made by
/// [`Crawler::seed_list`](crate::Crawler::seed_list), with that crawler's URL length limit.
#[derive(Debug, Clone)]
pub struct SeedList {
    urls: Vec<Url>,
    /// Each URL's index in `urls` with 32 bits of its hash: growing the table and most misses
    /// never read the URL itself, which at millions of seeds is a cache miss each.
    index: HashTable<(u32, u32)>,
    hasher: DefaultHashBuilder,
    max_url_len: usize,
}

impl SeedList {
    /// An empty list whose URLs may be at most `max_url_len` bytes long.
    pub(crate) fn new(max_url_len: usize) -> Self {
        Self {
            urls: Vec::new(),
            index: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
            max_url_len,
        }
    }

    /// Makes room for `additional` more seeds.
    pub fn reserve(&mut self, additional: usize) {
        self.urls.reserve(additional);
        self.index.reserve(additional, |&(hash, _)| spread(hash));
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
        let url = url_norm::parse_absolute(seed, self.max_url_len).map_err(|reason| {
            Error::InvalidSeed {
                url: seed.to_owned(),
                reason: reason.to_string(),
            }
        })?;
        let hash = self.hash(&url);
        if self.find(hash, &url).is_some() {
            return Ok(false);
        }
        let place = u32::try_from(self.urls.len()).expect("fewer than 2^32 seeds");
        self.index
            .insert_unique(spread(hash), (hash, place), |&(hash, _)| spread(hash));
        self.urls.push(url);
        Ok(true)
    }

    /// Whether `url` (normalised) is one of the seeds. O(1).
    pub fn contains(&self, url: &Url) -> bool {
        self.find(self.hash(url), url).is_some()
    }

    fn hash(&self, url: &Url) -> u32 {
        // The low half: `spread` makes a table hash of it again.
        #[expect(
            clippy::cast_possible_truncation,
            reason = "32 bits of the hash are kept"
        )]
        let hash = self.hasher.hash_one(url.as_str()) as u32;
        hash
    }

    fn find(&self, hash: u32, url: &Url) -> Option<&(u32, u32)> {
        self.index.find(spread(hash), |&(other, place)| {
            other == hash && self.urls[place as usize] == *url
        })
    }

    /// Number of distinct seeds.
    pub fn len(&self) -> usize {
        self.urls.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.urls.is_empty()
    }

    /// The seeds, in order.
    pub fn urls(&self) -> &[Url] {
        &self.urls
    }

    /// The seeds, in order, without the table that finds duplicates.
    pub fn into_urls(self) -> Vec<Url> {
        self.urls
    }
}

/// A table hash from the 32 bits kept: the table takes its bucket from the low bits and a tag
/// from the top seven, so both must vary.
fn spread(hash: u32) -> u64 {
    u64::from(hash).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// A crawl's seen set as links, redirects and sitemaps see it: every seed counts as claimed from
/// the start, since each is fetched by its own level-0 entry, although the level-0 loop claims
/// a seed in the set itself only when its part starts.
///
/// The seeds are held weakly: the crawl owns them, and gives them to its report at the end.
#[derive(Debug)]
pub(crate) struct WithSeeds {
    seeds: Weak<SeedList>,
    set: Arc<dyn SeenSet>,
}

impl WithSeeds {
    /// `set` with `seeds` counted as claimed.
    pub(crate) fn new(seeds: &Arc<SeedList>, set: Arc<dyn SeenSet>) -> Self {
        Self {
            seeds: Arc::downgrade(seeds),
            set,
        }
    }

    fn is_seed(&self, url: &Url) -> bool {
        self.seeds
            .upgrade()
            .is_some_and(|seeds| seeds.contains(url))
    }
}

impl SeenSet for WithSeeds {
    fn claim(&self, url: &Url) -> bool {
        !self.is_seed(url) && self.set.claim(url)
    }

    fn contains(&self, url: &Url) -> bool {
        self.is_seed(url) || self.set.contains(url)
    }

    fn len(&self) -> usize {
        self.set.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontier::MemorySeenSet;

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
        let urls: Vec<&str> = seeds.urls().iter().map(Url::as_str).collect();
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

    #[test]
    fn seeds_count_as_claimed_until_the_crawl_lets_go_of_them() {
        let mut list = SeedList::new(100);
        list.push("http://a.test/seed").unwrap();
        let seeds = Arc::new(list);
        let set: Arc<dyn SeenSet> = Arc::new(MemorySeenSet::default());
        let view = WithSeeds::new(&seeds, Arc::clone(&set));
        let (seed, other) = (url("http://a.test/seed"), url("http://a.test/other"));
        assert!(view.contains(&seed) && !view.claim(&seed));
        assert!(!set.contains(&seed), "claimed in the set only by level 0");
        assert!(view.claim(&other) && !view.claim(&other));
        drop(seeds);
        assert!(!view.contains(&seed));
    }
}
