//! [`Batch`]: commands for several hash slots, sent in as few round trips as the server allows.
//!
//! The frontier often needs one command per partition (an overview of all partitions, the
//! claims of a page's links spread over their hosts' partitions, then its completion). On one
//! server a batch is one pipeline: one round trip, executed in order. A Redis Cluster refuses
//! a pipeline that crosses slots, so there a batch is one pipeline per partition, sent
//! concurrently (the client multiplexes them onto the nodes' connections); a stage boundary
//! ([`Batch::then`]) makes later commands wait for earlier ones, which keeps the one ordering
//! the protocol needs: a page's links are queued before its completion can end a level.

use std::collections::BTreeMap;

use futures::future::try_join_all;
use redis::{Cmd, Script, Value};

use crate::connect::RedisConnection;

/// Which slot a command touches: a partition, or the crawl's meta slot.
pub(crate) type Slot = Option<u32>;

#[derive(Debug)]
struct Entry {
    stage: u32,
    slot: Slot,
    cmd: Cmd,
    ignore: bool,
}

/// Commands to send together; replies come back in the order the commands were added,
/// without the ignored ones.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    entries: Vec<Entry>,
    stage: u32,
}

/// An `EVALSHA` of `script` on the one key `key`, to which arguments are added.
pub(crate) fn evalsha(script: &Script, key: &str) -> Cmd {
    let mut cmd = redis::cmd("EVALSHA");
    cmd.arg(script.get_hash()).arg(1).arg(key);
    cmd
}

impl Batch {
    /// An empty batch.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds `cmd`, which touches only `slot`'s keys (or none).
    pub(crate) fn add(&mut self, slot: Slot, cmd: Cmd) -> &mut Self {
        self.entries.push(Entry {
            stage: self.stage,
            slot,
            cmd,
            ignore: false,
        });
        self
    }

    /// Leaves the reply of the last command added out of the result.
    pub(crate) fn ignore(&mut self) -> &mut Self {
        if let Some(last) = self.entries.last_mut() {
            last.ignore = true;
        }
        self
    }

    /// Commands added from now on run after those added before have finished.
    pub(crate) fn then(&mut self) -> &mut Self {
        self.stage += 1;
        self
    }

    /// Sends the batch: one pipeline to one server, per-slot pipelines to a Cluster.
    ///
    /// # Errors
    /// The first Redis error (a command's own error included).
    pub(crate) async fn run(&self, con: &RedisConnection) -> redis::RedisResult<Vec<Value>> {
        if !con.is_cluster() {
            let mut pipe = redis::pipe();
            for entry in &self.entries {
                pipe.add_command(entry.cmd.clone());
                if entry.ignore {
                    pipe.ignore();
                }
            }
            return pipe.query_async(&mut con.clone()).await;
        }
        let mut replies: Vec<Option<Value>> = vec![None; self.entries.len()];
        for stage in 0..=self.stage {
            let mut groups: BTreeMap<Slot, (redis::Pipeline, Vec<usize>)> = BTreeMap::new();
            for (i, entry) in self.entries.iter().enumerate() {
                if entry.stage != stage {
                    continue;
                }
                let (pipe, indices) = groups.entry(entry.slot).or_default();
                pipe.add_command(entry.cmd.clone());
                indices.push(i);
            }
            let sent = groups.into_values().map(|(pipe, indices)| {
                let mut con = con.clone();
                async move {
                    let values: Vec<Value> = pipe.query_async(&mut con).await?;
                    Ok::<_, redis::RedisError>((indices, values))
                }
            });
            for (indices, values) in try_join_all(sent).await? {
                for (i, value) in indices.into_iter().zip(values) {
                    replies[i] = Some(value.extract_error()?);
                }
            }
        }
        Ok(self
            .entries
            .iter()
            .zip(replies)
            .filter(|(entry, _)| !entry.ignore)
            .map(|(_, value)| value.unwrap_or(Value::Nil))
            .collect())
    }
}
