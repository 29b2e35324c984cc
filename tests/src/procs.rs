//! The live processes of this machine as `/proc` shows them, for tests that check no browser
//! process outlives a crawl. Zombies are left out: an exited process that its parent has not
//! reaped yet holds nothing but its process id.

/// A live process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    /// Its id.
    pub pid: u32,
    /// Its parent's id.
    pub parent: u32,
    /// Its command line, arguments joined with spaces.
    pub cmdline: String,
}

/// Every live (not zombie) process.
///
/// # Panics
/// When `/proc` cannot be read (these tests run on Linux).
pub fn live_processes() -> Vec<Process> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // The command name may hold spaces and parentheses: the fields start after the last `)`.
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        let mut fields = rest.split_whitespace();
        let state = fields.next().unwrap_or("Z");
        let parent = fields.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        if state == "Z" || state == "X" {
            continue;
        }
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        found.push(Process {
            pid,
            parent,
            cmdline,
        });
    }
    found
}

/// The live processes of the tree under `root`, `root` included when it lives.
pub fn live_tree(root: u32) -> Vec<u32> {
    let all = live_processes();
    let mut tree = vec![root];
    let mut at = 0;
    while let Some(&pid) = tree.get(at) {
        tree.extend(all.iter().filter(|p| p.parent == pid).map(|p| p.pid));
        at += 1;
    }
    tree.retain(|&pid| all.iter().any(|p| p.pid == pid));
    tree
}
