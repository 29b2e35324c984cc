//! The browser's processes as Linux shows them in `/proc`: the tree under the browser's
//! process, its resident memory, and killing all of it.
//!
//! Chromium is a tree of processes (zygotes, renderers, utility processes); killing only the
//! top one can leave children behind for a while, so the whole tree is found first and killed
//! at once. On systems without `/proc` the tree is the top process alone and RSS is unknown.

use std::collections::HashMap;

use rustix::process::{kill_process, Pid, Signal};

/// The process `root` and all its descendants, `root` first.
pub(crate) fn tree(root: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            if let Some(ppid) = parent(pid) {
                children.entry(ppid).or_default().push(pid);
            }
        }
    }
    let mut found = vec![root];
    let mut at = 0;
    while let Some(&pid) = found.get(at) {
        if let Some(kids) = children.get(&pid) {
            for &kid in kids {
                if !found.contains(&kid) {
                    found.push(kid);
                }
            }
        }
        at += 1;
    }
    found
}

/// The parent of `pid`, from `/proc/PID/stat` (the field after the command name, which may
/// hold spaces and parentheses, so it is read from the last `)`).
fn parent(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// Memory of `pid` and its descendants, in bytes (0 when unknown): see [`memory_of`].
pub(crate) fn tree_rss(root: u32) -> u64 {
    memory_of(&tree(root))
}

/// Memory of the processes `pids`, in bytes: the sum of their anonymous resident memory
/// (`RssAnon` in `/proc/PID/status`: heaps, array buffers, the pages a page's script fills),
/// else of their `VmRSS`. Read in microseconds; the proportional set size of
/// `/proc/PID/smaps_rollup`, which counts shared pages once, took 11 ms for a browser's eleven
/// processes, too slow to read ten times a second. Shared file pages (the executable, fonts)
/// are left out, so a fresh browser counts about 220 MiB, not the 910 MiB its `VmRSS`es sum to.
pub(crate) fn memory_of(pids: &[u32]) -> u64 {
    pids.iter().map(|&pid| anonymous(pid)).sum()
}

fn anonymous(pid: u32) -> u64 {
    let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return 0;
    };
    let field = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|value| {
                value
                    .trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .map(|kib| kib * 1024)
    };
    field("RssAnon:").or_else(|| field("VmRSS:")).unwrap_or(0)
}

/// Sends SIGKILL to `root` and every descendant, found before any is killed (a killed
/// parent's children are re-parented and could no longer be found).
pub(crate) fn kill_tree(root: u32) {
    for pid in tree(root) {
        let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) else {
            continue;
        };
        // The process may have exited already; nothing to do then.
        let _ = kill_process(pid, Signal::KILL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_its_own_tree_root_and_has_memory() {
        let me = std::process::id();
        assert_eq!(tree(me)[0], me);
        assert!(tree_rss(me) > 0);
        assert_eq!(parent(me), Some(std::os::unix::process::parent_id()));
    }
}
