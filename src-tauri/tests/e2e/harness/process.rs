//! Child processes in their own process group, so stopping one also stops
//! whatever it started (tauri-driver starts WebKitWebDriver, which starts the
//! app, which starts the WebKit processes). Dropping a [`Group`] stops it, so a
//! failing or panicking test leaves nothing running.

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long a group gets to exit after SIGTERM before it is killed.
const GRACE: Duration = Duration::from_secs(3);

pub struct Group {
    name: String,
    child: Option<Child>,
    log: PathBuf,
}

impl Group {
    /// Starts `command` as the leader of a new process group, its stdout and
    /// stderr going to `log`.
    pub fn spawn(name: &str, mut command: Command, log: &Path) -> Group {
        let out = File::create(log).unwrap_or_else(|e| panic!("creating {}: {e}", log.display()));
        let err = out.try_clone().expect("clone log handle");
        command.stdout(out).stderr(err);
        Self::start(name, command, log)
    }

    /// Like [`Group::spawn`], but hands stdout back to the caller (for
    /// programs that print where they listen: Xvfb, dbus-daemon).
    pub fn spawn_reading_stdout(
        name: &str,
        mut command: Command,
        log: &Path,
    ) -> (Group, ChildStdout) {
        let err = File::create(log).unwrap_or_else(|e| panic!("creating {}: {e}", log.display()));
        command.stdout(Stdio::piped()).stderr(err);
        let mut group = Self::start(name, command, log);
        let stdout = group
            .child
            .as_mut()
            .and_then(|c| c.stdout.take())
            .expect("piped stdout");
        (group, stdout)
    }

    fn start(name: &str, mut command: Command, log: &Path) -> Group {
        command.stdin(Stdio::null()).process_group(0);
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("starting {name} ({:?}): {e}", command.get_program()));
        Group {
            name: name.to_owned(),
            child: Some(child),
            log: log.to_owned(),
        }
    }

    /// Takes charge of a child the caller started itself (to write to its
    /// stdin), which must lead its own process group (`process_group(0)`).
    pub fn adopt(name: &str, child: Child, log: &Path) -> Group {
        Group {
            name: name.to_owned(),
            child: Some(child),
            log: log.to_owned(),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// The exit status if the leader has exited already.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child
            .as_mut()
            .and_then(|c| c.try_wait().expect("try_wait"))
    }

    /// The last lines of this process's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// SIGTERM to the whole group, SIGKILL to what is left after a grace
    /// period; reaps the leader. Safe to call twice.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let group = Pid::from_raw(i32::try_from(child.id()).expect("pid fits i32"));
        // ESRCH (group already gone) is fine: that is the goal.
        let _ = killpg(group, Signal::SIGTERM);
        let deadline = Instant::now() + GRACE;
        while Instant::now() < deadline {
            if matches!(child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        // Children may outlive the leader: always sweep the group.
        let _ = killpg(group, Signal::SIGKILL);
        if child.wait().is_err() {
            eprintln!("e2e: could not reap {}", self.name);
        }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.stop();
    }
}
