//! The seen set as a crawl from a [`SeedList`] sees it: every seed claimed from the start.

use std::sync::{Arc, Weak};

use url::Url;

use super::SeedList;
use crate::seen::SeenSet;

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
    use crate::seen::MemorySeenSet;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
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
