//! `crawl export|status|delete --redis URL --crawl-id ID`: read or remove a distributed crawl.
//!
//! Exit codes: 0 done; 1 Redis unreachable or refusing (evicting keys); 2 usage, or a crawl
//! that is not there.

use std::fmt::Write as _;

use anyhow::Context;
use crawler_redis::{RedisCrawl, RedisCrawlError};
use tokio::runtime::Runtime;

use crate::exit::{usage, ExitStatus};
use crate::flags::redis::{ExportArgs, StatusArgs, StoredCrawl};
use crate::output::{self, Sink};
use crate::progress;

/// Maps library errors: a settings mismatch, an unsupported setting or a bad id is a usage
/// error (2), the rest 1.
pub(crate) fn classify(err: RedisCrawlError) -> anyhow::Error {
    match err {
        RedisCrawlError::Unsupported(setting) => usage(format!(
            "--{} is not supported with --redis",
            setting.replace('_', "-")
        )),
        RedisCrawlError::SettingsMismatch { .. }
        | RedisCrawlError::SeedsMismatch { .. }
        | RedisCrawlError::InvalidCrawlId(_) => usage(err.to_string()),
        other => anyhow::Error::new(other),
    }
}

/// Runs `body` on `runtime`, then shuts the runtime down without waiting long for stragglers.
fn on<T>(runtime: Runtime, body: impl std::future::Future<Output = T>) -> T {
    let result = runtime.block_on(body);
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    result
}

async fn open(at: &StoredCrawl) -> anyhow::Result<RedisCrawl> {
    RedisCrawl::open(&at.redis, &at.crawl_id, at.redis_timeout.0)
        .await
        .map_err(classify)
        .with_context(|| format!("cannot open crawl {} at {}", at.crawl_id, at.redis))
}

/// `crawl export`: the graph rebuilt from the stored outcomes, with the crawl's own settings.
///
/// # Errors
/// A format that only streams, Redis errors, output errors.
pub(crate) fn export(args: &ExportArgs, runtime: Runtime) -> anyhow::Result<ExitStatus> {
    let Some(format) = args.format.batch() else {
        return Err(usage(
            "export writes a whole graph: jsonl streams a live crawl",
        ));
    };
    let data = Sink::new(args.output.as_deref());
    let nodes = args.nodes.as_deref().map(|p| Sink::new(Some(p)));
    let report = on(runtime, async {
        let crawl = open(&args.at).await?;
        crawl.export().await.map_err(classify)
    })?;
    output::write_graph(&report, Some(format), &data, nodes.as_ref())?;
    Ok(ExitStatus::Success)
}

/// `crawl status`: the crawl's progress, as a line or as JSON.
///
/// # Errors
/// Redis errors, or stdout closed.
pub(crate) fn status(args: &StatusArgs, runtime: Runtime) -> anyhow::Result<ExitStatus> {
    let status = on(runtime, async {
        let crawl = open(&args.at).await?;
        crawl.status().await.map_err(classify)
    })?;
    let line = if args.json {
        serde_json::to_string(&status)?
    } else {
        let left: Vec<String> = status
            .levels
            .iter()
            .map(|l| format!("{}:{}", l.depth, l.left))
            .collect();
        let position = if status.by_levels {
            format!(
                "at level {} of {}; left per level {}",
                status.level,
                status.max_depth,
                left.join(" ")
            )
        } else {
            format!("without levels, to depth {}", status.max_depth)
        };
        let mut line = format!(
            "crawl {}: {} {position}; {} of {} pages done, {} URLs seen, {} leases, {} \
             workers, {:.1} pages/s; {} hosts at work",
            status.crawl_id,
            status.state,
            status.pages_done,
            status.pages_known,
            status.urls_seen,
            status.leases,
            status.workers,
            status.pages_per_sec,
            status.hosts_active,
        );
        if let Some(eta) = status.eta_secs {
            let _ = write!(line, ", ETA {eta:.0}s");
        }
        if let Some(slowest) = &status.slowest_host {
            let _ = write!(
                line,
                "; waiting for {} ({} left)",
                slowest.host, slowest.left
            );
        }
        line
    };
    output::to_stdout(&|out| writeln!(out, "{line}"))?;
    Ok(ExitStatus::Success)
}

/// `crawl delete`: every key of the crawl, whichever version of crawlgraph made it.
///
/// # Errors
/// No such crawl, or Redis errors.
pub(crate) fn delete(at: &StoredCrawl, runtime: Runtime) -> anyhow::Result<ExitStatus> {
    let deleted = on(runtime, async {
        RedisCrawl::delete_any_schema(&at.redis, &at.crawl_id, at.redis_timeout.0)
            .await
            .map_err(classify)
            .with_context(|| format!("cannot delete crawl {} at {}", at.crawl_id, at.redis))
    })?;
    progress::eprint_line(&format!("crawl {}: deleted {deleted} keys", at.crawl_id));
    Ok(ExitStatus::Success)
}
