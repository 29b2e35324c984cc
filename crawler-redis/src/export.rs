//! `crawl export`: the graph of a distributed crawl, rebuilt by replaying the stored outcomes.
//!
//! Workers never build a graph. The graph is a pure function of the settings, the ordered
//! level-0 list and the stored outcomes, so the export replays the single-process crawl loop:
//! level 0 in stored order, then each level's outcomes in the order the fold queued them,
//! through the same [`GraphBuilder::fold`]. Only the claim answer differs: a link is claimed
//! if its URL has a stored outcome (it was fetched as a frontier URL) and the replay has not
//! claimed it yet. The replay therefore follows what actually happened and gives the nodes
//! and edges in the single-process order.
//!
//! A crawl without levels fetched each page once at whatever depth it was first found, and a
//! redirect target's fetch is stored inside the outcome of whichever chain claimed it first,
//! possibly a deeper page's. So its replay folds into a relaxing builder (as the
//! single-process crawl without levels does), each page at its depth at that moment: a shorter
//! path folded later lowers the depths it leads to, and a page it brings within the limit is
//! claimed then (the answer to which is kept for every URL looked up, not only the level's).
//! The builder's canonical order then makes the graph equal to the single-process one.
//!
//! Outcomes are read per level in batches of [`BATCH`], grouped by partition, one pipelined
//! round trip per batch. Memory is the graph plus one level's outcomes, and the URLs looked up.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crawler_core::frontier::Frontier;
use crawler_core::{CrawlReport, GraphBuilder, PageOutcome, SkipReason, StopReason};
use url::Url;

use crate::batch::Batch;
use crate::codec::Codec;
use crate::crawl::RedisCrawl;
use crate::error::RedisCrawlError;
use crate::keys;

/// Outcomes read per round trip.
pub(crate) const BATCH: usize = 1000;

impl RedisCrawl {
    /// Rebuilds the crawl's graph from the stored outcomes, with the crawl's own settings
    /// (its stored spec gives the depth limit and the scope rules; no secret is needed).
    ///
    /// The report is [`StopReason::Completed`] when the crawl is complete; otherwise pages
    /// without an outcome yet are marked cancelled and the report says
    /// [`StopReason::Cancelled`].
    ///
    /// # Errors
    /// A stored spec that no longer validates (a site root that is gone), corrupt stored
    /// outcomes, or Redis errors.
    pub async fn export(&self) -> Result<CrawlReport, RedisCrawlError> {
        let config = self.meta().spec.without_secrets().config()?;
        let config = &config;
        let (_, state) = self.position().await?;
        let meta = self.meta();
        let scope = config.scope.for_seeds(&meta.seeds);
        let mut builder = if meta.spec.flows() {
            GraphBuilder::relaxing(config, scope)
        } else {
            GraphBuilder::new(config, scope)
        };
        let mut level = Frontier::new();
        for url in &meta.level0 {
            level.push(builder.add_seed(url), 0, url.as_str());
        }
        let codec = Codec::new(self.frontier().dictionary().await?);
        let mut claimed: HashSet<Url> = meta.level0.iter().cloned().collect();
        // URLs looked up so far, and those of them fetched as frontier URLs: a relaxing
        // builder may claim a URL an earlier level linked, once a shorter path reaches it.
        let mut asked: HashSet<Url> = HashSet::new();
        let mut fetched: HashSet<Url> = HashSet::new();
        let mut depth = 0;
        while !level.is_empty() {
            let urls: Vec<Url> = (0..level.len()).map(|i| level.url(i)).collect();
            let urls: Vec<&Url> = urls.iter().collect();
            let outcomes = self.outcomes(&codec, &urls).await?;
            // Which of this level's links (and redirect targets) were fetched as frontier URLs.
            let mut links: Vec<&Url> = outcomes
                .iter()
                .flatten()
                .flat_map(|o| {
                    let targets = o.hops.iter().filter_map(|h| h.redirect.as_ref());
                    o.links
                        .iter()
                        .map(|l| &l.url)
                        .chain(targets.map(|(t, _)| t))
                })
                .filter(|url| !claimed.contains(*url) && !asked.contains(*url))
                .collect();
            links.sort_unstable();
            links.dedup();
            let stored = self.stored(&links).await?;
            for (has, url) in stored.into_iter().zip(&links) {
                asked.insert((*url).clone());
                if has {
                    fetched.insert((*url).clone());
                }
            }
            let mut next = Frontier::new();
            for ((node, _, _), outcome) in level.iter().zip(outcomes) {
                let Some(outcome) = outcome else {
                    builder.skip_all([node], SkipReason::Cancelled);
                    continue;
                };
                // The page's depth now, as the crawl loops fold: a shorter path folded since
                // may have lowered it (by levels, only a redirect of its own level can).
                let at = builder.depth_at(node, depth);
                let claim = |u: &Url| fetched.contains(u) && claimed.insert(u.clone());
                builder.fold(node, at, outcome, claim, &mut next);
            }
            level = next;
            depth += 1;
        }
        let stopped = if state == "complete" {
            StopReason::Completed
        } else {
            StopReason::Cancelled
        };
        let started_at = UNIX_EPOCH + Duration::from_millis(meta.created_ms);
        let elapsed = SystemTime::now()
            .duration_since(started_at)
            .unwrap_or_default();
        Ok(builder.finish(stopped, meta.seeds.clone(), started_at, elapsed))
    }

    /// The stored outcomes of `urls`, in order (`None` where there is none yet).
    async fn outcomes(
        &self,
        codec: &Codec,
        urls: &[&Url],
    ) -> Result<Vec<Option<PageOutcome>>, RedisCrawlError> {
        let blobs = self.read_out(urls, "HMGET").await?;
        blobs
            .into_iter()
            .zip(urls)
            .map(|(blob, url)| blob.map(|b| codec.decode(&b, url)).transpose())
            .collect()
    }

    /// Whether each of `urls` has a stored outcome, in order.
    async fn stored(&self, urls: &[&Url]) -> Result<Vec<bool>, RedisCrawlError> {
        // HMGET of the blobs would do, but would move them all: ask only for their lengths.
        let lens = self.read_out(urls, "HSTRLEN").await?;
        Ok(lens.into_iter().map(|v| v.is_some()).collect())
    }

    /// Reads the `out` hash for `urls` in batches grouped by partition, with `HMGET` (blobs)
    /// or `HSTRLEN` (lengths, as `Some` when non-zero).
    async fn read_out(
        &self,
        urls: &[&Url],
        command: &str,
    ) -> Result<Vec<Option<Vec<u8>>>, RedisCrawlError> {
        let frontier = self.frontier();
        let keys = frontier.keys();
        let mut result = vec![None; urls.len()];
        for chunk_start in (0..urls.len()).step_by(BATCH) {
            let chunk = &urls[chunk_start..(chunk_start + BATCH).min(urls.len())];
            let mut by_partition: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
            for (i, url) in chunk.iter().enumerate() {
                let p = keys.partition_of(&keys::host_key(url));
                by_partition.entry(p).or_default().push(chunk_start + i);
            }
            let mut batch = Batch::new();
            for (p, indices) in &by_partition {
                if command == "HMGET" {
                    let mut cmd = redis::cmd("HMGET");
                    cmd.arg(keys.in_partition(*p, "out"));
                    for &i in indices {
                        cmd.arg(&keys::fingerprint(urls[i])[..]);
                    }
                    batch.add(Some(*p), cmd);
                } else {
                    for &i in indices {
                        let mut cmd = redis::cmd("HSTRLEN");
                        cmd.arg(keys.in_partition(*p, "out"))
                            .arg(&keys::fingerprint(urls[i])[..]);
                        batch.add(Some(*p), cmd);
                    }
                }
            }
            let replies = frontier.query(&batch).await?;
            let mut replies = replies.into_iter();
            for indices in by_partition.values() {
                if command == "HMGET" {
                    let blobs: Vec<Option<Vec<u8>>> = take(replies.next())?;
                    for (&i, blob) in indices.iter().zip(blobs) {
                        result[i] = blob;
                    }
                } else {
                    for &i in indices {
                        let len: usize = take(replies.next())?;
                        result[i] = (len > 0).then(Vec::new);
                    }
                }
            }
        }
        Ok(result)
    }
}

fn take<T: redis::FromRedisValue>(value: Option<redis::Value>) -> Result<T, RedisCrawlError> {
    T::from_redis_value(value.unwrap_or(redis::Value::Nil))
        .map_err(|e| RedisCrawlError::Redis(e.into()))
}
