//! Requests dropped at random, as a flaky network or an overloaded server drops them: the
//! request is read and counted, then the connection is closed without an answer.
//!
//! "At random" is a hash of the generator's seed, the request target and how many requests
//! for that target came before: the same requests are dropped in every run, whatever order a
//! concurrent crawler sends them in, so a test of a 10% fault rate is deterministic. Set with
//! [`FixtureServer::drop_requests`](crate::FixtureServer::drop_requests).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// Which requests to drop, and how many requests each target has had so far.
#[derive(Debug, Default)]
pub(crate) struct Drops {
    rule: Mutex<Option<Rule>>,
}

#[derive(Debug)]
struct Rule {
    percent: u32,
    seed: u64,
    /// Requests so far, by target.
    seen: HashMap<String, u64>,
}

impl Drops {
    /// Drops `percent` % of the requests from now on, chosen by `seed`; 0 drops none.
    pub(crate) fn set(&self, percent: u32, seed: u64) {
        *self.rule.lock().unwrap_or_else(PoisonError::into_inner) = (percent > 0).then(|| Rule {
            percent,
            seed,
            seen: HashMap::new(),
        });
    }

    /// Whether to drop this request for `target` (its path and query, as sent).
    pub(crate) fn drop_now(&self, target: &str) -> bool {
        let mut rule = self.rule.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(rule) = rule.as_mut() else {
            return false;
        };
        let nth = rule.seen.entry(target.to_owned()).or_default();
        let draw = draw(rule.seed, target, *nth);
        *nth += 1;
        draw % 100 < u64::from(rule.percent)
    }
}

/// A number from `seed`, `target` and `nth` that looks random: `SplitMix64`'s finaliser over
/// each byte, then over `nth`.
pub(crate) fn draw(seed: u64, target: &str, nth: u64) -> u64 {
    let mut hash = mix(seed);
    for byte in target.bytes() {
        hash = mix(hash ^ u64::from(byte));
    }
    mix(hash ^ nth)
}

fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_requests_are_dropped_whatever_the_order() {
        let targets: Vec<String> = (0..1000).map(|i| format!("/_/links/1000/{i}")).collect();
        let run = |order: &mut dyn Iterator<Item = &String>| {
            let drops = Drops::default();
            drops.set(10, 7);
            let mut dropped: Vec<(String, u32)> = Vec::new();
            for target in order {
                let mut tries = 1;
                while drops.drop_now(target) {
                    tries += 1;
                }
                dropped.push((target.clone(), tries));
            }
            dropped.sort();
            dropped
        };
        let forward = run(&mut targets.iter());
        assert_eq!(forward, run(&mut targets.iter().rev()));
        let once = forward.iter().filter(|(_, tries)| *tries > 1).count();
        assert!((50..150).contains(&once), "about 10% dropped: {once}");
    }
}
