//! Memory of the app as the machine pays for it: PSS (proportional set size,
//! shared pages split between the processes sharing them) summed over the
//! app process and every process under it (WebKit's web and network
//! processes), read from /proc.

use std::collections::HashMap;

/// PSS and RSS of one process, in KiB.
#[derive(Debug, Clone)]
pub struct ProcessMemory {
    pub pid: u32,
    pub name: String,
    pub pss_kib: u64,
    pub rss_kib: u64,
}

/// Every process by pid: (parent pid, command name).
fn processes() -> HashMap<u32, (u32, String)> {
    let mut all = HashMap::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue; // gone meanwhile
        };
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let name = stat[open + 1..close].to_owned();
        let ppid = stat[close + 2..]
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        all.insert(pid, (ppid, name));
    }
    all
}

fn rollup(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The process named `app_name` under `root` (tauri-driver) and all its
/// descendants, with their memory.
pub fn app_tree(root: u32, app_name: &str) -> Vec<ProcessMemory> {
    let all = processes();
    let descends_from = |mut pid: u32, ancestor: u32| {
        while pid > 1 {
            if pid == ancestor {
                return true;
            }
            pid = all.get(&pid).map_or(0, |p| p.0);
        }
        false
    };
    let Some(app) = all
        .iter()
        .find(|(pid, (_, name))| name == app_name && descends_from(**pid, root))
        .map(|(pid, _)| *pid)
    else {
        panic!("no {app_name} process under pid {root}");
    };
    let mut tree: Vec<ProcessMemory> = all
        .iter()
        .filter(|(pid, _)| descends_from(**pid, app))
        .map(|(pid, (_, name))| ProcessMemory {
            pid: *pid,
            name: name.clone(),
            pss_kib: rollup(*pid, "Pss:"),
            rss_kib: rollup(*pid, "Rss:"),
        })
        .collect();
    tree.sort_by_key(|p| p.pid);
    tree
}
