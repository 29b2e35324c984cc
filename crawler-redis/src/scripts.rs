//! The Lua scripts that change the frontier, loaded once per connection.
//!
//! Every change to the frontier is one script call, so each step (claim, complete, reap,
//! enqueue) is atomic: a URL is never marked seen without being queued, and never leased
//! without a deadline. Each partition script is `common.lua` (shared helpers) followed by its
//! own body; they are sent by SHA (`EVALSHA`) and reloaded after a Redis restart.

use redis::Script;

/// The loaded scripts of the frontier.
#[derive(Debug)]
pub(crate) struct Scripts {
    pub(crate) claim: Script,
    pub(crate) reap: Script,
    pub(crate) complete: Script,
    pub(crate) enqueue: Script,
    pub(crate) redirect: Script,
    pub(crate) heartbeat: Script,
    pub(crate) release: Script,
    pub(crate) pace: Script,
    pub(crate) advance: Script,
    pub(crate) discover: Script,
    pub(crate) chain: Script,
    pub(crate) low_claim: Script,
    pub(crate) low_done: Script,
}

const COMMON: &str = include_str!("lua/common.lua");

fn partition_script(body: &str) -> Script {
    Script::new(&format!("{COMMON}\n{body}"))
}

impl Scripts {
    pub(crate) fn new() -> Self {
        Self {
            claim: partition_script(include_str!("lua/claim.lua")),
            reap: partition_script(include_str!("lua/reap.lua")),
            complete: partition_script(include_str!("lua/complete.lua")),
            enqueue: partition_script(include_str!("lua/enqueue.lua")),
            redirect: partition_script(include_str!("lua/redirect.lua")),
            heartbeat: partition_script(include_str!("lua/heartbeat.lua")),
            release: partition_script(include_str!("lua/release.lua")),
            pace: partition_script(include_str!("lua/pace.lua")),
            advance: Script::new(include_str!("lua/advance.lua")),
            discover: partition_script(include_str!("lua/discover.lua")),
            chain: partition_script(include_str!("lua/chain.lua")),
            low_claim: partition_script(include_str!("lua/lowclaim.lua")),
            low_done: partition_script(include_str!("lua/lowdone.lua")),
        }
    }

    /// Every script, for `SCRIPT LOAD` before pipelines use them by SHA.
    pub(crate) fn all(&self) -> [&Script; 13] {
        [
            &self.claim,
            &self.reap,
            &self.complete,
            &self.enqueue,
            &self.redirect,
            &self.heartbeat,
            &self.release,
            &self.pace,
            &self.advance,
            &self.discover,
            &self.chain,
            &self.low_claim,
            &self.low_done,
        ]
    }
}
