//! A private D-Bus session for one test: the app's keyring (a real, unlocked
//! gnome-keyring with its files in the test's folder) and a fake
//! notification server that records what the app shows.

use super::process::Group;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The fake `org.freedesktop.Notifications` owner (python3-dbus), next to
/// this file.
const FAKE_NOTIFICATIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/e2e/fake_notifications.py"
);

pub struct SessionBus {
    /// `DBUS_SESSION_BUS_ADDRESS` of this bus.
    pub address: String,
    /// Environment the keyring daemon keeps its sockets and files under; the
    /// app gets the same, so it finds this keyring and no other.
    pub xdg_runtime_dir: PathBuf,
    pub xdg_data_home: PathBuf,
    /// One JSON object per notification the app sent.
    pub notifications: PathBuf,
    // Dropped in reverse order of start: the bus last.
    _notifications: Group,
    _keyring: Group,
    _daemon: Group,
}

impl SessionBus {
    pub fn start(dir: &Path, logs: &Path) -> SessionBus {
        let mut command = Command::new("dbus-daemon");
        command.args(["--session", "--nofork", "--nopidfile", "--print-address=1"]);
        let (mut daemon, stdout) =
            Group::spawn_reading_stdout("dbus-daemon", command, &logs.join("dbus.log"));
        let mut address = String::new();
        BufReader::new(stdout)
            .read_line(&mut address)
            .expect("reading the bus address");
        let address = address.trim().to_owned();
        if address.is_empty() {
            panic!(
                "dbus-daemon did not start (exit {:?}; is the Debian package dbus installed?):\n{}",
                daemon.exited(),
                daemon.log_tail()
            );
        }

        let xdg_runtime_dir = dir.join("runtime");
        let xdg_data_home = dir.join("data");
        for d in [&xdg_runtime_dir, &xdg_data_home] {
            std::fs::create_dir_all(d).expect("keyring folders");
        }
        std::fs::set_permissions(
            &xdg_runtime_dir,
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .expect("runtime dir mode");
        let keyring = start_keyring(&address, &xdg_runtime_dir, &xdg_data_home, logs);
        wait_for_name(&address, "org.freedesktop.secrets", &keyring);

        let notifications = dir.join("notifications.jsonl");
        let mut command = Command::new("/usr/bin/python3");
        command
            .arg(FAKE_NOTIFICATIONS)
            .arg(&notifications)
            .env("DBUS_SESSION_BUS_ADDRESS", &address);
        let fake = Group::spawn(
            "fake notification server",
            command,
            &logs.join("notifications.log"),
        );
        wait_for_name(&address, "org.freedesktop.Notifications", &fake);

        SessionBus {
            address,
            xdg_runtime_dir,
            xdg_data_home,
            notifications,
            _notifications: fake,
            _keyring: keyring,
            _daemon: daemon,
        }
    }

    /// What the app sent to the notification server so far, oldest first.
    pub fn notifications(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.notifications)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line from the fake server"))
            .collect()
    }
}

/// gnome-keyring-daemon in the foreground (so it stays in its process group),
/// creating and unlocking a `login` keyring with a throwaway password, which
/// becomes the default collection the keyring crate writes to.
fn start_keyring(address: &str, runtime: &Path, data: &Path, logs: &Path) -> Group {
    let mut command = Command::new("gnome-keyring-daemon");
    command
        .args(["--foreground", "--unlock", "--components=secrets"])
        .env("DBUS_SESSION_BUS_ADDRESS", address)
        .env("XDG_RUNTIME_DIR", runtime)
        .env("XDG_DATA_HOME", data);
    let log = logs.join("keyring.log");
    let out = std::fs::File::create(&log).expect("keyring log");
    command
        .stdin(Stdio::piped())
        .stdout(out.try_clone().expect("log handle"))
        .stderr(out)
        .process_group(0);
    let mut child = command
        .spawn()
        .expect("starting gnome-keyring-daemon (is the Debian package gnome-keyring installed?)");
    // --unlock reads the password from stdin until EOF.
    let mut stdin = child.stdin.take().expect("piped stdin");
    stdin.write_all(b"e2e-keyring").expect("keyring password");
    drop(stdin);
    Group::adopt("gnome-keyring-daemon", child, &log)
}

/// Waits until `name` has an owner on the bus, or fails with `owner`'s log.
fn wait_for_name(address: &str, name: &str, owner: &Group) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let reply = Command::new("dbus-send")
            .args([
                &format!("--bus={address}"),
                "--print-reply=literal",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                &format!("string:{name}"),
            ])
            .output()
            .expect("running dbus-send");
        if String::from_utf8_lossy(&reply.stdout).contains("true") {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{name} never appeared on the test's D-Bus session:\n{}",
            owner.log_tail()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
