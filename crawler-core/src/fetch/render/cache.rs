//! The answers to rendered pages' requests, kept for the rest of the crawl: a subresource many
//! pages load (the site's script and stylesheet, a shared JSON file) is requested once, as a
//! browser's cache would have it, and later renders get the same answer from memory. Without
//! it a 1,000-page site whose pages share one script and one stylesheet cost 2,000 more
//! requests with `--render always`, each one a politeness permit.
//!
//! Each answer counts its body, headers and URL toward the cap.
//!
//! Kept: answers to GET whose status HTTP calls heuristically cacheable (RFC 9110, 15.1:
//! 200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501; not 206), so a stylesheet missing
//! from every page is asked once too, unless the server said `Cache-Control: no-store`,
//! each at most [`MAX_ENTRY_BYTES`], all of them at most [`MAX_CACHE_BYTES`] (the oldest go
//! first). Two renders that ask for the same URL at once share one request. A request that
//! failed, or an answer not kept, is asked again by the next page that needs it.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;

use super::Load;

/// Most body bytes kept over all answers: 64 MiB.
pub(crate) const MAX_CACHE_BYTES: usize = 64 << 20;

/// Largest body kept: 8 MiB.
pub(crate) const MAX_ENTRY_BYTES: usize = 8 << 20;

/// The statuses a cache may keep without explicit freshness (RFC 9110, section 15.1), but 206:
/// a range is not the resource.
const HEURISTICALLY_CACHEABLE: [u16; 11] = [200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501];

/// A kept answer.
#[derive(Debug)]
struct Kept {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Kept {
    /// `load` as kept, if it may be.
    fn of(load: &Load) -> Option<Self> {
        let Load::Answer {
            status,
            headers,
            body,
        } = load
        else {
            return None;
        };
        let no_store = headers.iter().any(|(name, value)| {
            name.eq_ignore_ascii_case("cache-control")
                && value
                    .split(',')
                    .any(|directive| directive.trim().eq_ignore_ascii_case("no-store"))
        });
        (HEURISTICALLY_CACHEABLE.contains(status) && !no_store && body.len() <= MAX_ENTRY_BYTES)
            .then(|| Self {
                status: *status,
                headers: headers.clone(),
                body: body.clone(),
            })
    }

    /// What keeping this answer for `url` costs, in bytes: its body, headers and URL, and a
    /// little for the entry itself, so that empty answers (a `204`) are bounded in number too.
    fn size(&self, url: &str) -> usize {
        let headers: usize = self.headers.iter().map(|(n, v)| n.len() + v.len()).sum();
        self.body.len() + headers + 2 * url.len() + 128
    }

    fn answer(&self) -> Load {
        Load::Answer {
            status: self.status,
            headers: self.headers.clone(),
            body: self.body.clone(),
        }
    }
}

/// One URL's answer: set once by the first render that asks, awaited by those that ask
/// meanwhile; `None` when that answer was not kept.
type Slot = Arc<OnceCell<Option<Arc<Kept>>>>;

/// The crawl's kept answers; see the [module docs](self).
#[derive(Debug, Default)]
pub(crate) struct SubresourceCache {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    slots: HashMap<String, Slot>,
    /// Kept URLs, oldest first, with their sizes.
    order: VecDeque<(String, usize)>,
    bytes: usize,
}

impl SubresourceCache {
    /// The answer for a GET of `url`: the kept one, or `load()`'s (kept if it may be). A
    /// request another render is making for the same URL is waited for, not repeated.
    pub(crate) async fn get<F, Fut>(&self, url: &str, load: F) -> Load
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Load>,
    {
        let slot = Arc::clone(self.lock().slots.entry(url.to_owned()).or_default());
        // A render cancelled mid-load (its timeout, its browser's death) leaves the slot
        // empty: the guard removes it unless another render waits on it.
        let _guard = EmptySlotGuard {
            cache: self,
            url,
            slot: &slot,
        };
        let mut own = None;
        let kept = slot
            .get_or_init(|| async {
                let answer = load().await;
                let kept = Kept::of(&answer).map(Arc::new);
                own = Some(answer);
                kept
            })
            .await
            .clone();
        if let Some(answer) = own {
            match &kept {
                Some(kept) => self.account(url, kept.size(url)),
                None => self.forget(url, &slot, false),
            }
            return answer;
        }
        match kept {
            Some(kept) => kept.answer(),
            // The answer the other render got was not kept (an error, `no-store`): ask again.
            None => load().await,
        }
    }

    /// Counts a kept answer of `size` bytes for `url`, and drops the oldest answers while the
    /// total is over [`MAX_CACHE_BYTES`].
    fn account(&self, url: &str, size: usize) {
        let mut inner = self.lock();
        inner.order.push_back((url.to_owned(), size));
        inner.bytes += size;
        while inner.bytes > MAX_CACHE_BYTES {
            let Some((oldest, size)) = inner.order.pop_front() else {
                break;
            };
            inner.bytes -= size;
            inner.slots.remove(&oldest);
        }
    }

    /// Forgets `url`'s slot if it is still `slot`, so that the next render asks again; with
    /// `only_abandoned`, only if it is still empty and held by nobody else (the map and the
    /// caller hold the two references).
    fn forget(&self, url: &str, slot: &Slot, only_abandoned: bool) {
        let mut inner = self.lock();
        let abandoned = slot.get().is_none() && Arc::strong_count(slot) == 2;
        if (abandoned || !only_abandoned)
            && inner.slots.get(url).is_some_and(|s| Arc::ptr_eq(s, slot))
        {
            inner.slots.remove(url);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Every change under the lock is complete before it is released.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Removes a slot its load left empty when [`SubresourceCache::get`] ends or is dropped.
struct EmptySlotGuard<'a> {
    cache: &'a SubresourceCache,
    url: &'a str,
    slot: &'a Slot,
}

impl Drop for EmptySlotGuard<'_> {
    fn drop(&mut self) {
        self.cache.forget(self.url, self.slot, true);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn answer(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Load {
        Load::Answer {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.to_vec(),
        }
    }

    /// Loads `url` through `cache`, counting in `loads` the loads made, each answering `make()`.
    async fn get(cache: &SubresourceCache, url: &str, loads: &AtomicUsize, make: fn() -> Load) {
        cache
            .get(url, || async {
                loads.fetch_add(1, Ordering::Relaxed);
                make()
            })
            .await;
    }

    #[tokio::test]
    async fn a_kept_answer_is_loaded_once() {
        let cache = SubresourceCache::default();
        let loads = AtomicUsize::new(0);
        for _ in 0..3 {
            get(&cache, "http://a.test/app.js", &loads, || {
                answer(200, &[("content-type", "text/javascript")], b"x()")
            })
            .await;
        }
        assert_eq!(loads.load(Ordering::Relaxed), 1);
    }

    #[tokio::test]
    async fn a_missing_stylesheet_is_asked_once_too() {
        let cache = SubresourceCache::default();
        let loads = AtomicUsize::new(0);
        for _ in 0..3 {
            get(&cache, "http://a.test/gone.css", &loads, || {
                answer(404, &[], b"not found")
            })
            .await;
        }
        assert_eq!(loads.load(Ordering::Relaxed), 1);
    }

    #[tokio::test]
    async fn errors_no_store_and_failures_are_asked_again() {
        let cache = SubresourceCache::default();
        for make in [
            (|| answer(500, &[], b"oops")) as fn() -> Load,
            || answer(200, &[("Cache-Control", "private, no-store")], b"{}"),
            || Load::Failed {
                detail: "refused".into(),
            },
        ] {
            let loads = AtomicUsize::new(0);
            get(&cache, "http://a.test/x", &loads, make).await;
            get(&cache, "http://a.test/x", &loads, make).await;
            assert_eq!(loads.load(Ordering::Relaxed), 2);
        }
    }

    #[tokio::test]
    async fn renders_asking_at_once_share_one_request() {
        let cache = SubresourceCache::default();
        let loads = AtomicUsize::new(0);
        let slow = || async {
            loads.fetch_add(1, Ordering::Relaxed);
            tokio::task::yield_now().await;
            answer(200, &[], b"shared")
        };
        let (a, b) = tokio::join!(
            cache.get("http://a.test/s.css", slow),
            cache.get("http://a.test/s.css", slow)
        );
        assert_eq!(loads.load(Ordering::Relaxed), 1);
        for got in [a, b] {
            assert!(matches!(got, Load::Answer { body, .. } if body == b"shared"));
        }
    }

    #[tokio::test]
    async fn a_load_cancelled_half_way_leaves_no_entry() {
        let cache = SubresourceCache::default();
        let hangs = cache.get("http://a.test/long-poll", std::future::pending::<Load>);
        let cut = tokio::time::timeout(std::time::Duration::from_millis(10), hangs).await;
        assert!(cut.is_err());
        assert!(cache.lock().slots.is_empty(), "the empty slot is gone");
    }

    #[tokio::test]
    async fn memory_stays_under_the_cap_oldest_first() {
        let cache = SubresourceCache::default();
        let body = vec![b'x'; MAX_ENTRY_BYTES];
        let entries = MAX_CACHE_BYTES / MAX_ENTRY_BYTES;
        for i in 0..=entries {
            let body = body.clone();
            cache
                .get(&format!("http://a.test/{i}"), || {
                    let body = body.clone();
                    async move { answer(200, &[], &body) }
                })
                .await;
        }
        {
            let inner = cache.lock();
            assert!(inner.bytes <= MAX_CACHE_BYTES);
            // Each entry also counts its URL and bookkeeping: one fewer full-size body fits.
            assert_eq!(inner.slots.len(), entries - 1);
            assert!(
                !inner.slots.contains_key("http://a.test/0"),
                "the oldest went"
            );
        }
        // A body over the entry cap is not kept.
        let loads = AtomicUsize::new(0);
        let big = vec![b'x'; MAX_ENTRY_BYTES + 1];
        for _ in 0..2 {
            let big = big.clone();
            cache
                .get("http://a.test/big", || {
                    loads.fetch_add(1, Ordering::Relaxed);
                    let big = big.clone();
                    async move { answer(200, &[], &big) }
                })
                .await;
        }
        assert_eq!(loads.load(Ordering::Relaxed), 2);
    }
}
