//! [`RedisCrawl`]: one crawl in Redis, created by its first worker and joined by the others.
//!
//! The crawl's description lives in the meta hash `cg:{X}:meta`: the schema version, the
//! crawl's [`CrawlSpec`] (as JSON, with its secrets as digests only), the seeds and the ordered
//! level-0 list, the number of partitions and the state (`creating`, `running`, `complete`). The whole meta is written by one small
//! script (only if absent), so two workers started at once agree on one creator and a joiner
//! never reads half of it; a worker that finds the crawl still
//! `creating` (its creator died half-way) finishes the creation itself, which is idempotent.

use std::time::Duration;

use crawler_core::CrawlSpec;
use redis::AsyncCommands;
use url::Url;

use crate::connect::{check_noeviction, connect, RedisConnection};
use crate::error::RedisCrawlError;
use crate::frontier::RedisFrontier;
use crate::keys::Keys;

/// The layout version this build reads and writes.
/// 6: a crawl without levels keeps each URL's tentative depth (`dep`), the pages whose depth
/// dropped after their links were sent (`low`), the hops fetched inside another page's
/// redirect chain (`via`) and an activity counter (`gen`).
/// 5: an outcome may carry the page's anchors and its links' fragments (`--check-fragments`),
/// which links only its rendered DOM had and what rendering it did (`--render`).
/// 4: a hop may carry its validators and its freshness (`--since`); an older build would take
/// such an outcome for corrupt.
/// 3: the meta holds the crawl's `CrawlSpec` (2 held the creator's argv and named settings).
/// 2: outcomes in the binary layout with the crawl's dictionary (1 stored deflated JSON).
pub const SCHEMA: u32 = 6;

/// Default number of host partitions of a new crawl: enough to spread over 8 Cluster shards.
pub const DEFAULT_PARTITIONS: u32 = 64;

/// What a crawl was created with.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    /// The crawl's settings. Its secrets are withheld (only their digests are stored): a
    /// worker must be given them to build a crawler from it.
    pub spec: CrawlSpec,
    /// The seeds as given, in order: the scope is derived from them.
    pub seeds: Vec<Url>,
    /// Level 0 in order: the seeds, then any sitemap URLs.
    pub level0: Vec<Url>,
    /// Host partitions.
    pub partitions: u32,
    /// `creating`, `running` or `complete`.
    pub state: String,
    /// When the crawl was created, Unix milliseconds of the creator's clock.
    pub created_ms: u64,
}

/// A crawl to create: what the first worker brings.
#[derive(Debug, Clone)]
pub struct NewCrawl<'a> {
    /// The settings: for a joiner, equal to the crawl's in every shared field.
    pub spec: &'a CrawlSpec,
    /// The seeds as given.
    pub seeds: &'a [Url],
    /// Level 0: the seeds, then sitemap URLs, deduplicated, in order.
    pub level0: &'a [Url],
    /// Host partitions; fixed at creation.
    pub partitions: u32,
}

/// A crawl in Redis, opened or created.
#[derive(Debug, Clone)]
pub struct RedisCrawl {
    frontier: RedisFrontier,
    meta: Meta,
}

/// Where a joiner's seeds first differ from the crawl's, or `None` if the lists are equal.
fn seeds_difference(stored: &[Url], given: &[Url]) -> Option<String> {
    if let Some((i, (s, g))) = stored
        .iter()
        .zip(given)
        .enumerate()
        .find(|(_, (s, g))| s != g)
    {
        return Some(format!(
            "seed {} is {s} in the crawl, {g} in this worker",
            i + 1
        ));
    }
    (stored.len() != given.len()).then(|| {
        format!(
            "the crawl has {} seeds, this worker {}",
            stored.len(),
            given.len()
        )
    })
}

fn corrupt(what: &str) -> RedisCrawlError {
    RedisCrawlError::Corrupt(format!("meta field {what} missing or malformed"))
}

fn parse_urls(json: Option<&String>, what: &str) -> Result<Vec<Url>, RedisCrawlError> {
    let strings: Vec<String> = json
        .and_then(|j| serde_json::from_str(j).ok())
        .ok_or_else(|| corrupt(what))?;
    strings
        .iter()
        .map(|s| Url::parse(s).map_err(|_| corrupt(what)))
        .collect()
}

fn urls_json(urls: &[Url]) -> String {
    serde_json::to_string(&urls.iter().map(Url::as_str).collect::<Vec<_>>()).unwrap_or_default()
}

/// Opens a checked connection: reachable and not evicting.
async fn checked(url: &str, timeout: Duration) -> Result<RedisConnection, RedisCrawlError> {
    let mut con = connect(url, timeout).await?;
    check_noeviction(&mut con).await?;
    Ok(con)
}

/// Reads the meta hash of crawl `id`, or `None` if there is no such crawl.
/// The frontier of crawl `id` as `meta` describes it: its partitions, and whether it runs
/// without levels.
async fn frontier_of(
    con: RedisConnection,
    id: &str,
    meta: &Meta,
) -> Result<RedisFrontier, RedisCrawlError> {
    let frontier = RedisFrontier::new(con, Keys::new(id, meta.partitions)?).await?;
    Ok(frontier.without_levels(meta.spec.flows().then_some(meta.spec.depth)))
}

async fn read_meta(con: &mut RedisConnection, id: &str) -> Result<Option<Meta>, RedisCrawlError> {
    let keys = Keys::new(id, 1)?;
    let fields: std::collections::HashMap<String, String> = con.hgetall(keys.meta()).await?;
    if fields.is_empty() {
        return Ok(None);
    }
    let schema = fields.get("schema").cloned().unwrap_or_default();
    if schema != SCHEMA.to_string() {
        return Err(RedisCrawlError::Schema {
            expected: SCHEMA,
            found: schema,
        });
    }
    let spec = fields.get("spec").ok_or_else(|| corrupt("spec"))?;
    let spec = CrawlSpec::from_json(spec)
        .map_err(|err| RedisCrawlError::Corrupt(format!("meta field spec: {err}")))?;
    Ok(Some(Meta {
        spec,
        seeds: parse_urls(fields.get("seeds"), "seeds")?,
        level0: parse_urls(fields.get("level0"), "level0")?,
        partitions: fields
            .get("partitions")
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| corrupt("partitions"))?,
        state: fields.get("state").cloned().unwrap_or_default(),
        created_ms: fields
            .get("created_ms")
            .and_then(|p| p.parse().ok())
            .unwrap_or_default(),
    }))
}

impl RedisCrawl {
    /// Opens the existing crawl `id` (for workers joining, status, export, delete).
    ///
    /// # Errors
    /// [`RedisCrawlError::NotFound`], an evicting Redis, a bad id, a schema from another
    /// version, or Redis errors.
    pub async fn open(url: &str, id: &str, timeout: Duration) -> Result<Self, RedisCrawlError> {
        let mut con = checked(url, timeout).await?;
        let meta = read_meta(&mut con, id)
            .await?
            .ok_or_else(|| RedisCrawlError::NotFound(id.to_owned()))?;
        let frontier = frontier_of(con, id, &meta).await?;
        Ok(Self { frontier, meta })
    }

    /// The meta of crawl `id` if it exists, without opening the frontier (a joiner reads the
    /// stored spec before it builds its crawler).
    ///
    /// # Errors
    /// An evicting Redis, a bad id, another schema, or Redis errors.
    pub async fn peek(
        url: &str,
        id: &str,
        timeout: Duration,
    ) -> Result<Option<Meta>, RedisCrawlError> {
        let mut con = checked(url, timeout).await?;
        read_meta(&mut con, id).await
    }

    /// Creates crawl `id` as described by `new`, or joins it if it exists; a joiner's
    /// shared settings must equal the crawl's (secrets compare by digest), and so must its
    /// seeds if it brings any (two workers started at once with different seeds would
    /// otherwise lose the loser's seeds).
    ///
    /// # Errors
    /// [`RedisCrawlError::Unsupported`] for a setting a distributed crawl does not have yet
    /// (`max_pages`), [`RedisCrawlError::SettingsMismatch`] naming the first differing
    /// setting, [`RedisCrawlError::SeedsMismatch`], an evicting Redis, or Redis errors.
    pub async fn create_or_join(
        url: &str,
        id: &str,
        timeout: Duration,
        new: &NewCrawl<'_>,
    ) -> Result<Self, RedisCrawlError> {
        Self::check_supported(new.spec)?;
        let mut con = checked(url, timeout).await?;
        let keys = Keys::new(id, new.partitions)?;
        let created_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(0));
        let fields = [
            ("schema", SCHEMA.to_string()),
            ("spec", new.spec.to_json()),
            ("seeds", urls_json(new.seeds)),
            ("level0", urls_json(new.level0)),
            ("partitions", new.partitions.to_string()),
            ("created_ms", created_ms.to_string()),
            ("state", "creating".to_owned()),
        ];
        // One atomic step, so a joiner never sees half a meta; the first creator wins.
        let create = redis::Script::new(
            "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end \
             redis.call('HSET', KEYS[1], unpack(ARGV)) \
             redis.call('SET', KEYS[2], 0) return 1",
        );
        let mut call = create.key(keys.meta());
        call.key(keys.level());
        for (name, value) in &fields {
            call.arg(*name).arg(value);
        }
        let _created: u8 = call.invoke_async(&mut con).await?;
        let mut meta = read_meta(&mut con, id)
            .await?
            .ok_or_else(|| RedisCrawlError::NotFound(id.to_owned()))?;
        if let Some(difference) = meta.spec.difference(new.spec) {
            return Err(difference.into());
        }
        if !new.seeds.is_empty() {
            if let Some(detail) = seeds_difference(&meta.seeds, new.seeds) {
                return Err(RedisCrawlError::SeedsMismatch { detail });
            }
        }
        let frontier = frontier_of(con, id, &meta).await?;
        if meta.state == "creating" {
            // The creator, or a joiner finishing a creator's work: queueing is idempotent.
            frontier.enqueue(0, &meta.level0).await?;
            let mut con = frontier.connection();
            let () = redis::cmd("HSET")
                .arg(frontier.keys().meta())
                .arg("state")
                .arg("running")
                .query_async(&mut con)
                .await?;
            meta.state = "running".into();
        }
        Ok(Self { frontier, meta })
    }

    /// Whether a distributed crawl can honour every setting of `spec`, checked before any
    /// connection is made.
    ///
    /// # Errors
    /// [`RedisCrawlError::Unsupported`] naming the first setting it cannot honour yet
    /// (`max_pages`: the page count would have to be claimed across workers).
    pub fn check_supported(spec: &CrawlSpec) -> Result<(), RedisCrawlError> {
        if spec.max_pages.is_some() {
            return Err(RedisCrawlError::Unsupported("max_pages"));
        }
        Ok(())
    }

    /// The frontier.
    pub fn frontier(&self) -> &RedisFrontier {
        &self.frontier
    }

    /// What the crawl was created with.
    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    /// The current level and state (`running` or `complete`).
    ///
    /// # Errors
    /// Redis errors.
    pub async fn position(&self) -> Result<(u32, String), RedisCrawlError> {
        let mut con = self.frontier.connection();
        let keys = self.frontier.keys();
        let (level, state): (Option<u32>, Option<String>) = redis::pipe()
            .get(keys.level())
            .hget(keys.meta(), "state")
            .query_async(&mut con)
            .await?;
        Ok((level.unwrap_or_default(), state.unwrap_or_default()))
    }

    /// Deletes every key of crawl `id`, whichever version of crawlgraph made it (its schema is
    /// not checked: every schema keeps the partition count in the meta hash, which is all a
    /// delete needs). Returns how many keys were deleted.
    ///
    /// # Errors
    /// [`RedisCrawlError::NotFound`], an evicting Redis, a bad id, a meta without a partition
    /// count, or Redis errors (a partial delete can be repeated).
    pub async fn delete_any_schema(
        url: &str,
        id: &str,
        timeout: Duration,
    ) -> Result<usize, RedisCrawlError> {
        let mut con = checked(url, timeout).await?;
        let meta = Keys::new(id, 1)?.meta();
        let partitions: Option<String> = con.hget(&meta, "partitions").await?;
        let Some(partitions) = partitions else {
            return Err(RedisCrawlError::NotFound(id.to_owned()));
        };
        let partitions = partitions.parse().map_err(|_| corrupt("partitions"))?;
        delete_keys(con, &Keys::new(id, partitions)?).await
    }
}

/// Deletes every key of the crawl named by `keys`. Returns how many were deleted.
async fn delete_keys(con: RedisConnection, keys: &Keys) -> Result<usize, RedisCrawlError> {
    if let RedisConnection::Cluster(con) = con {
        // SCAN is per node: read the crawl's slots instead (the meta slot and one per
        // partition), each from the node that owns it.
        let mut deleted = 0;
        let tags = std::iter::once(keys.meta_prefix())
            .chain((0..keys.partitions()).map(|p| keys.partition(p)));
        for tag in tags {
            deleted += delete_slot(con.clone(), &tag).await?;
        }
        return Ok(deleted);
    }
    let mut con = con;
    let pattern = keys.pattern();
    let mut cursor: u64 = 0;
    let mut deleted = 0;
    loop {
        let (next, batch): (u64, Vec<Vec<u8>>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(&pattern)
            .arg("COUNT")
            .arg(1000)
            .query_async(&mut con)
            .await?;
        deleted += unlink(&mut con, &batch).await?;
        if next == 0 {
            return Ok(deleted);
        }
        cursor = next;
    }
}

/// Deletes the keys starting with `tag` (a hash-tagged prefix `cg:{…}`) from the Cluster node
/// that owns the tag's slot. Returns how many.
async fn delete_slot(
    mut con: redis::cluster_async::ClusterConnection,
    tag: &str,
) -> Result<usize, RedisCrawlError> {
    use redis::cluster_routing::{Route, RoutingInfo, SingleNodeRoutingInfo, SlotAddr};
    const COUNT: usize = 10_000;
    let route = Route::with_key(tag, SlotAddr::Master);
    let slot: u16 = redis::cmd("CLUSTER")
        .arg("KEYSLOT")
        .arg(tag)
        .query_async(&mut con)
        .await?;
    let mut deleted = 0;
    loop {
        let listed = con
            .route_command(
                redis::cmd("CLUSTER")
                    .arg("GETKEYSINSLOT")
                    .arg(slot)
                    .arg(COUNT)
                    .clone(),
                RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(route)),
            )
            .await?;
        let listed: Vec<Vec<u8>> = redis::FromRedisValue::from_redis_value(listed)
            .map_err(|e| RedisCrawlError::Redis(e.into()))?;
        // Other crawls' keys may share the slot: only ours go.
        let ours: Vec<&Vec<u8>> = listed
            .iter()
            .filter(|k| k.starts_with(tag.as_bytes()) && k.get(tag.len()) == Some(&b':'))
            .collect();
        deleted += unlink(&mut con, &ours).await?;
        if listed.len() < COUNT || ours.is_empty() {
            return Ok(deleted);
        }
    }
}

/// Deletes `keys` (none: no call). Returns how many existed.
async fn unlink(
    con: &mut (impl redis::aio::ConnectionLike + Send),
    keys: &[impl redis::ToRedisArgs + Sync],
) -> Result<usize, RedisCrawlError> {
    if keys.is_empty() {
        return Ok(0);
    }
    Ok(redis::cmd("UNLINK").arg(keys).query_async(con).await?)
}
