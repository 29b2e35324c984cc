//! Connecting to Redis: one server or a Redis Cluster, reconnecting, with timeouts, and the
//! checks a crawl needs before it trusts the server.
//!
//! A URL `redis+cluster://HOST:PORT[,HOST:PORT...]` names a Cluster by some of its nodes;
//! the client learns the rest and follows slot moves. Every other URL (`redis://`,
//! `rediss://`, `unix://`) names one server. Both are a [`RedisConnection`], which is what
//! the rest of the crate talks to; [`crate::batch::Batch`] sends the crawl's multi-slot
//! pipelines as one pipeline to one server, or one pipeline per slot to a Cluster.

use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, Value};

use crate::error::RedisCrawlError;

/// The URL scheme that names a Redis Cluster.
pub const CLUSTER_SCHEME: &str = "redis+cluster://";

/// A connection to the crawl's Redis: one server, or a Cluster. Cheap to clone; clones share
/// the underlying connections.
#[derive(Clone)]
pub enum RedisConnection {
    /// One server, reconnecting in the background.
    Single(ConnectionManager),
    /// A Redis Cluster: each command goes to the node that owns its key's slot.
    Cluster(ClusterConnection),
}

impl std::fmt::Debug for RedisConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Single(_) => "RedisConnection::Single",
            Self::Cluster(_) => "RedisConnection::Cluster",
        })
    }
}

impl RedisConnection {
    /// Whether this is a Cluster, where a pipeline must stay in one hash slot.
    pub fn is_cluster(&self) -> bool {
        matches!(self, Self::Cluster(_))
    }
}

impl ConnectionLike for RedisConnection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Single(con) => con.req_packed_command(cmd),
            Self::Cluster(con) => con.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Single(con) => con.req_packed_commands(pipeline, offset, count),
            Self::Cluster(con) => con.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Single(con) => con.get_db(),
            Self::Cluster(con) => con.get_db(),
        }
    }
}

/// The node URLs of a `redis+cluster://` URL, or `None` for a single-server URL.
fn cluster_nodes(url: &str) -> Option<Vec<String>> {
    let rest = url.strip_prefix(CLUSTER_SCHEME)?;
    let rest = rest.split(['/', '?']).next().unwrap_or_default();
    Some(
        rest.split(',')
            .filter(|node| !node.is_empty())
            .map(|node| format!("redis://{node}/"))
            .collect(),
    )
}

/// Opens a reconnecting connection to `url`: `redis://`, `rediss://` or `unix://` for one
/// server, `redis+cluster://HOST:PORT[,HOST:PORT...]` for a Cluster.
///
/// Each command times out after `timeout`; a dropped connection is re-established in the
/// background with exponential back-off (the caller retries its command).
///
/// # Errors
/// A bad URL, or Redis not reachable within `timeout`.
pub async fn connect(url: &str, timeout: Duration) -> Result<RedisConnection, RedisCrawlError> {
    let timed_out = || redis::RedisError::from((redis::ErrorKind::Io, "connecting timed out"));
    if let Some(nodes) = cluster_nodes(url) {
        if nodes.is_empty() {
            return Err(redis::RedisError::from((
                redis::ErrorKind::InvalidClientConfig,
                "redis+cluster:// names no node",
            ))
            .into());
        }
        let client = redis::cluster::ClusterClientBuilder::new(nodes)
            .connection_timeout(timeout)
            .response_timeout(timeout)
            .retries(6)
            .min_retry_wait(50)
            .max_retry_wait(2000)
            .build()?;
        let con = tokio::time::timeout(timeout, client.get_async_connection())
            .await
            .map_err(|_| timed_out())??;
        return Ok(RedisConnection::Cluster(con));
    }
    let client = redis::Client::open(url)?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(timeout))
        .set_response_timeout(Some(timeout))
        .set_number_of_retries(6)
        .set_min_delay(Duration::from_millis(50))
        .set_max_delay(Duration::from_secs(2));
    let con = tokio::time::timeout(timeout, ConnectionManager::new_with_config(client, config))
        .await
        .map_err(|_| timed_out())??;
    Ok(RedisConnection::Single(con))
}

/// Every `maxmemory_policy` line of an `INFO memory` answer: one per node of a Cluster.
fn policies(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::BulkString(bytes) => {
            let text = String::from_utf8_lossy(bytes);
            out.extend(
                text.lines()
                    .filter_map(|l| l.strip_prefix("maxmemory_policy:"))
                    .map(|p| p.trim().to_owned()),
            );
        }
        Value::VerbatimString { text, .. } | Value::SimpleString(text) => {
            policies(&Value::BulkString(text.clone().into_bytes()), out);
        }
        Value::Map(pairs) => pairs.iter().for_each(|(_, v)| policies(v, out)),
        Value::Array(items) => items.iter().for_each(|v| policies(v, out)),
        _ => {}
    }
}

/// Refuses a Redis that evicts keys (on a Cluster: any node that does): an evicted seen set
/// or queue would silently lose or repeat pages.
///
/// # Errors
/// [`RedisCrawlError::Evicting`] naming the policy, or a Redis error.
pub async fn check_noeviction(con: &mut RedisConnection) -> Result<(), RedisCrawlError> {
    let info: Value = redis::cmd("INFO").arg("memory").query_async(con).await?;
    let mut found = Vec::new();
    policies(&info, &mut found);
    match found.into_iter().find(|p| p != "noeviction") {
        None => Ok(()),
        Some(policy) => Err(RedisCrawlError::Evicting(policy)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_urls_name_their_nodes() {
        assert_eq!(cluster_nodes("redis://127.0.0.1:6379/"), None);
        assert_eq!(
            cluster_nodes("redis+cluster://127.0.0.1:7000,127.0.0.1:7001/").unwrap(),
            ["redis://127.0.0.1:7000/", "redis://127.0.0.1:7001/"]
        );
        assert_eq!(
            cluster_nodes("redis+cluster://h:1").unwrap(),
            ["redis://h:1/"]
        );
        assert!(cluster_nodes("redis+cluster:///").unwrap().is_empty());
    }

    #[test]
    fn every_node_must_be_noeviction() {
        let node =
            |p: &str| Value::BulkString(format!("# Memory\r\nmaxmemory_policy:{p}\r\n").into());
        let mut found = Vec::new();
        policies(
            &Value::Map(vec![
                (Value::SimpleString("a".into()), node("noeviction")),
                (Value::SimpleString("b".into()), node("allkeys-lru")),
            ]),
            &mut found,
        );
        assert_eq!(found, ["noeviction", "allkeys-lru"]);
    }
}
