//! The flags of a distributed crawl: where its Redis is (`--redis`, `--crawl-id`, with a
//! worker's lease and timeout), and the `export`, `status` and `delete` commands.

use std::path::PathBuf;
use std::time::Duration;

use super::{Format, Secs};

/// Where the crawl lives, and how this worker holds its pages.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Distributed (Redis)")]
pub(crate) struct RedisArgs {
    /// Crawl through this Redis as one of many workers (`redis://host:port/`, `rediss://`,
    /// `unix:///path/to/socket`, or a Cluster: `redis+cluster://host:port,host:port`).
    /// Workers write no graph: use `crawl export`.
    #[arg(long, value_name = "URL", env = "CRAWL_REDIS")]
    pub(crate) redis: Option<String>,

    /// Name of the distributed crawl (1-64 of A-Z a-z 0-9 . _ -).
    #[arg(long, value_name = "ID", requires = "redis")]
    pub(crate) crawl_id: Option<String>,

    /// Seconds a page stays leased to a worker without a heartbeat; after that a dead worker's
    /// pages go to the others.
    #[arg(long, value_name = "SECS", default_value_t = Secs(crawler_redis::DEFAULT_LEASE))]
    pub(crate) lease: Secs,

    /// Seconds a worker retries an unreachable Redis before it exits 1 (the crawl's state stays
    /// in Redis; start workers again to resume).
    #[arg(long, value_name = "SECS", default_value_t = Secs(crawler_redis::DEFAULT_REDIS_TIMEOUT))]
    pub(crate) redis_timeout: Secs,

    /// Host partitions of a new crawl (fixed at creation; more spreads a Redis Cluster wider).
    #[arg(long, value_name = "N", default_value_t = crawler_redis::DEFAULT_PARTITIONS)]
    pub(crate) partitions: u32,
}

/// A stored distributed crawl: its Redis and its name.
#[derive(Debug, clap::Args)]
pub(crate) struct StoredCrawl {
    /// The crawl's Redis.
    #[arg(long, value_name = "URL", env = "CRAWL_REDIS")]
    pub(crate) redis: String,
    /// The crawl's name.
    #[arg(long, value_name = "ID")]
    pub(crate) crawl_id: String,
    /// Seconds to wait for Redis.
    #[arg(long, value_name = "SECS", default_value_t = Secs(Duration::from_secs(10)))]
    pub(crate) redis_timeout: Secs,
}

/// `crawl export`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct ExportArgs {
    #[command(flatten)]
    pub(crate) at: StoredCrawl,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Tsv)]
    pub(crate) format: Format,
    /// Write the graph to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Also write the node table as TSV to FILE.
    #[arg(long, value_name = "FILE")]
    pub(crate) nodes: Option<PathBuf>,
}

/// `crawl status`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct StatusArgs {
    #[command(flatten)]
    pub(crate) at: StoredCrawl,
    /// As JSON.
    #[arg(long)]
    pub(crate) json: bool,
}
