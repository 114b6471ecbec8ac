//! The `desk` binary, as a script or a person would run it, against the stub.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use clinic_client::test_support::fixture::{World, appointment};
use clinic_client::test_support::stub::{PASSWORD, Stub, server_for};
use clinic_core::Role;
use clinic_core::sync::SyncRow;
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr))
    }
}

fn desk(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_desk"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        // Never touch the keyring of the machine running the tests.
        .env("CLINIC_DESK_TOKEN_STORE", "file")
        .env_remove("CLINIC_DESK_DATA_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("desk runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write");
    }
    drop(child.stdin.take());
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().expect("desk ends");
    Run {
        ok: status.success(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

fn ok(dir: &Path, args: &[&str]) -> Run {
    let run = desk(dir, args, None);
    assert!(
        run.ok,
        "desk {args:?} failed\nstdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    run
}

/// A week from today on Madrid's calendar: in the future whatever the date.
fn next_week() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Europe::Madrid)
        .date_naive()
        + Duration::days(7)
}

#[test]
fn a_receptionist_books_syncs_and_resolves_a_conflict_from_the_command_line() {
    let w = World::new();
    let stub = Stub::start(server_for(
        &w,
        &[("ana@clinic.example", w.reception_user, Role::Reception)],
    ));
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();

    let run = desk(d, &["agenda"], None);
    assert!(!run.ok);
    assert!(run.stderr.contains("not_signed_in"), "{}", run.stderr);

    let bad = desk(
        d,
        &[
            "login",
            "--server",
            &stub.url(),
            "--email",
            "ana@clinic.example",
            "--password-stdin",
        ],
        Some("nope\n"),
    );
    assert!(!bad.ok);
    assert!(
        bad.stderr
            .contains("email or password is wrong [bad_credentials]"),
        "{}",
        bad.stderr
    );

    let login = desk(
        d,
        &[
            "login",
            "--server",
            &stub.url(),
            "--email",
            "ana@clinic.example",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(login.ok, "{}{}", login.stdout, login.stderr);
    assert!(
        login
            .stdout
            .contains("Signed in as Staff ana@clinic.example (reception) at Clínica Sol"),
        "{}",
        login.stdout
    );
    assert!(login.stdout.contains("First sync done"), "{}", login.stdout);
    assert!(
        !login.stdout.contains("tok-") && !login.stderr.contains("tok-"),
        "no token printed"
    );

    // Ids come from the lists; enough of an id's first characters to tell it apart will do.
    let doctors = ok(d, &["--json", "doctors"]).json();
    assert_eq!(doctors.as_array().expect("list").len(), 2);
    let hits = ok(d, &["--json", "patients", "search", "lucia"]).json();
    let lucia = hits[0]["id"].as_str().expect("id").to_owned();
    assert_eq!(hits[0]["full_name"], "Lucía Pérez Núñez");
    let garcia = w.garcia.id.to_string();
    let day = next_week().format("%Y-%m-%d").to_string();

    let booked = ok(
        d,
        &[
            "book",
            "--doctor",
            &garcia[..30],
            "--patient",
            &lucia,
            "--start",
            &format!("{day} 10:00"),
            "--minutes",
            "30",
            "--reason",
            "control",
        ],
    );
    assert!(
        booked
            .stdout
            .starts_with("Booked Lucía Pérez Núñez with Dra. Elena García"),
        "{}",
        booked.stdout
    );
    assert!(
        booked.stdout.contains("10:00–10:30 (pending sync)"),
        "{}",
        booked.stdout
    );

    let agenda = ok(d, &["agenda", "--date", &day]);
    assert!(
        agenda.stdout.contains("(Europe/Madrid) · 1 appointment(s)"),
        "{}",
        agenda.stdout
    );
    assert!(
        agenda.stdout.contains("10:00–10:30  booked"),
        "{}",
        agenda.stdout
    );
    assert!(
        agenda.stdout.contains("[pending sync]"),
        "{}",
        agenda.stdout
    );

    // A clash this desk can see is refused on the spot, in words and in JSON.
    let clash = desk(
        d,
        &[
            "book",
            "--doctor",
            &garcia,
            "--patient",
            &lucia,
            "--start",
            &format!("{day} 10:15"),
            "--minutes",
            "30",
        ],
        None,
    );
    assert!(!clash.ok);
    assert!(clash.stderr.contains("[slot_taken]"), "{}", clash.stderr);
    let clash = desk(
        d,
        &[
            "--json",
            "book",
            "--doctor",
            &garcia,
            "--patient",
            &lucia,
            "--start",
            &format!("{day} 10:15"),
            "--minutes",
            "30",
        ],
        None,
    );
    assert_eq!(clash.json()["error"]["code"], "slot_taken");

    let status = ok(d, &["--json", "status"]).json();
    assert_eq!(status["sync"]["pending"], 1);
    assert_eq!(status["profile"]["token_location"], "file");

    let synced = ok(d, &["sync"]);
    assert!(
        synced
            .stdout
            .contains("Sent 1 action(s): 1 applied, 0 rejected."),
        "{}",
        synced.stdout
    );
    let agenda = ok(d, &["--json", "agenda", "--date", &day]).json();
    assert_eq!(agenda["appointments"][0]["pending"], false);
    assert_eq!(agenda["appointments"][0]["reason"], "control");

    // Another desk takes Chen's noon slot; this desk books it before hearing of it.
    let date = NaiveDate::parse_from_str(&day, "%Y-%m-%d").expect("date");
    let noon = chrono_tz::Europe::Madrid
        .from_local_datetime(&date.and_hms_opt(12, 0, 0).expect("t"))
        .single()
        .expect("noon")
        .with_timezone(&Utc);
    stub.server
        .lock()
        .expect("lock")
        .put(SyncRow::Appointments(appointment(
            w.chen.id, w.mateo.id, noon, 30,
        )));
    ok(
        d,
        &[
            "book",
            "--doctor",
            &w.chen.id.to_string(),
            "--patient",
            &lucia,
            "--start",
            &format!("{day} 12:00"),
            "--minutes",
            "30",
        ],
    );
    let synced = ok(d, &["sync"]);
    assert!(
        synced.stdout.contains("1 applied") || synced.stdout.contains("0 applied"),
        "{}",
        synced.stdout
    );
    assert!(synced.stdout.contains("1 rejected"), "{}", synced.stdout);
    assert!(
        synced.stdout.contains("1 conflict(s) need you"),
        "{}",
        synced.stdout
    );
    let conflicts = ok(d, &["conflicts"]);
    assert!(
        conflicts
            .stdout
            .contains("Book Lucía Pérez Núñez with Dr. Wei Chen"),
        "{}",
        conflicts.stdout
    );
    assert!(
        conflicts.stdout.contains("[slot_taken]"),
        "{}",
        conflicts.stdout
    );
    let listed = ok(d, &["--json", "conflicts"]).json();
    let conflict_id = listed[0]["id"].as_str().expect("id").to_owned();

    let rebooked = ok(
        d,
        &[
            "conflicts",
            "resolve",
            &conflict_id,
            "rebook",
            "--start",
            &format!("{day} 12:30"),
            "--minutes",
            "30",
        ],
    );
    assert!(
        rebooked.stdout.contains("Queued again (pending sync)"),
        "{}",
        rebooked.stdout
    );
    let synced = ok(d, &["sync"]);
    assert!(
        synced.stdout.contains("1 applied, 0 rejected"),
        "{}",
        synced.stdout
    );
    assert!(ok(d, &["conflicts"]).stdout.contains("No conflicts."));
    let agenda = ok(
        d,
        &[
            "--json",
            "agenda",
            "--date",
            &day,
            "--doctor",
            &w.chen.id.to_string(),
        ],
    )
    .json();
    let times: Vec<&str> = agenda["appointments"]
        .as_array()
        .expect("list")
        .iter()
        .map(|a| a["starts_at"].as_str().expect("t"))
        .collect();
    assert_eq!(times.len(), 2);
    assert!(
        ok(d, &["status", "--check"])
            .stdout
            .contains("the store is consistent")
    );

    // Cancel, then sign out: the server revokes the session.
    let first = agenda["appointments"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let cancelled = ok(d, &["cancel", &first, "--reason", "patient called"]);
    assert!(
        cancelled.stdout.starts_with("Cancelled"),
        "{}",
        cancelled.stdout
    );
    let out = ok(d, &["logout"]);
    assert!(
        out.stdout.contains("the server has revoked"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("1 action(s) stay queued"),
        "{}",
        out.stdout
    );
    assert!(stub.server.lock().expect("lock").sessions.is_empty());
    assert!(ok(d, &["status"]).stdout.contains("No one is signed in"));
}

#[test]
fn sync_says_what_stays_queued_when_the_server_is_away() {
    let w = World::new();
    let stub = Stub::start(server_for(
        &w,
        &[("ana@clinic.example", w.reception_user, Role::Reception)],
    ));
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let login = desk(
        d,
        &[
            "login",
            "--server",
            &stub.url(),
            "--email",
            "ana@clinic.example",
            "--password-stdin",
        ],
        Some(PASSWORD),
    );
    assert!(login.ok, "{}", login.stderr);
    drop(stub);
    let day = next_week().format("%Y-%m-%d").to_string();
    let added = ok(
        d,
        &[
            "--json",
            "patients",
            "add",
            "--name",
            "Nora Gil",
            "--phone",
            "600 111 222",
        ],
    )
    .json();
    let nora = added["queued"]["row_id"].as_str().expect("id").to_owned();
    let hits = ok(d, &["patients", "search", "nora"]);
    assert!(
        hits.stdout
            .contains("Nora Gil · 600 111 222 [pending sync]"),
        "{}",
        hits.stdout
    );
    ok(
        d,
        &[
            "book",
            "--doctor",
            &w.garcia.id.to_string(),
            "--patient",
            &nora,
            "--start",
            &format!("{day} 09:00"),
            "--minutes",
            "20",
        ],
    )
    .stdout
    .contains("pending sync")
    .then_some(())
    .expect("booked offline");
    let failed = desk(d, &["sync"], None);
    assert!(!failed.ok);
    assert!(
        failed.stderr.contains("2 action(s) stay queued"),
        "{}",
        failed.stderr
    );
    assert!(failed.stderr.contains("[offline]"), "{}", failed.stderr);
}

#[test]
fn sync_watch_pushes_what_other_desk_processes_queue() {
    let w = World::new();
    let stub = Stub::start(server_for(
        &w,
        &[("ana@clinic.example", w.reception_user, Role::Reception)],
    ));
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let login = desk(
        d,
        &[
            "login",
            "--server",
            &stub.url(),
            "--email",
            "ana@clinic.example",
            "--password-stdin",
        ],
        Some(PASSWORD),
    );
    assert!(login.ok, "{}", login.stderr);
    let mut watcher = Command::new(env!("CARGO_BIN_EXE_desk"))
        .arg("--data-dir")
        .arg(d)
        .args(["--json", "sync", "--watch"])
        .env("CLINIC_DESK_TOKEN_STORE", "file")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("watcher");
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    let stdout = watcher.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    // Book only once the watcher is idle after its first sync, so the push
    // below can only come from it noticing another process's write.
    loop {
        let line = lines
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("the watcher reports its state");
        if line.contains("\"state\":\"online\"") {
            break;
        }
    }
    let pushes_before = stub.server.lock().expect("lock").pushes.len();
    assert_eq!(pushes_before, 0);
    let day = next_week().format("%Y-%m-%d").to_string();
    let booked = ok(
        d,
        &[
            "--json",
            "book",
            "--doctor",
            &w.chen.id.to_string(),
            "--patient",
            &w.mateo.id.to_string(),
            "--start",
            &format!("{day} 17:00"),
            "--minutes",
            "15",
        ],
    )
    .json();
    let id: uuid::Uuid = booked["queued"]["row_id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("uuid");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !stub
        .server
        .lock()
        .expect("lock")
        .appointments()
        .iter()
        .any(|a| a.id == id)
    {
        if std::time::Instant::now() > deadline {
            let _ = watcher.kill();
            panic!("the watching desk never pushed the booking");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    watcher.kill().expect("kill");
    watcher.wait().expect("reaped");
}

/// `desk … | head`: the reader goes away before `desk` has printed. Like
/// other Unix tools, `desk` then stops quietly instead of panicking with a
/// backtrace on the broken pipe.
#[test]
fn a_closed_output_pipe_ends_desk_quietly() {
    let w = World::new();
    let stub = Stub::start(server_for(
        &w,
        &[("ana@clinic.example", w.reception_user, Role::Reception)],
    ));
    let dir = tempfile::tempdir().expect("dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_desk"))
        .arg("--data-dir")
        .arg(dir.path())
        .args([
            "login",
            "--server",
            &stub.url(),
            "--email",
            "ana@clinic.example",
            "--password-stdin",
        ])
        .env("CLINIC_DESK_TOKEN_STORE", "file")
        .env_remove("CLINIC_DESK_DATA_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("desk runs");
    // Close the reading end first; `desk` prints only once it has read the
    // password, so every line it writes meets a closed pipe.
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(PASSWORD.as_bytes()).expect("write");
    drop(stdin);
    let out = child.wait_with_output().expect("desk ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
}
