//! Real desks (clinic-client: SQLite store, outbox, sync engine) against the
//! real server over real HTTP: double booking from offline desks, a desk
//! killed mid-sync, and clinic isolation as a desk sees it.

mod common;

use chrono::{DateTime, Duration, Utc};
use clinic_client::{ApiClient, Desk, DeskIdentity, EngineConfig, SyncEngine};
use clinic_core::ErrorCode;
use clinic_core::api::appointments::BookAppointment;
use clinic_core::api::auth::LoginRequest;
use clinic_core::api::patients::NewPatient;
use clinic_core::sync::{Mutation, Outcome, PendingMutation, PushRequest};
use common::patients::{day_ahead, insert_patient, madrid, practice};
use common::{PASSWORD, TestApp};
use secrecy::SecretString;
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// An appointment as both sides must hold it.
type ApptRow = (Uuid, Uuid, Uuid, DateTime<Utc>, DateTime<Utc>, String);
/// A patient as both sides must hold it: id, name, archived.
type PatientRow = (Uuid, String, bool);

/// A desk of the real client: its own store file, session and device.
struct RealDesk {
    desk: Desk,
    engine: SyncEngine,
    store: PathBuf,
    device_id: Uuid,
    token: String,
}

fn base_url(app: &TestApp) -> String {
    format!("http://{}", app.addr)
}

fn engine_config(pull_limit: u32) -> EngineConfig {
    EngineConfig {
        pull_limit,
        live: false,
        ..EngineConfig::default()
    }
}

/// Signs `email` in as a new device and opens a fresh store in `dir`.
async fn open_desk(server: &str, email: &str, dir: &Path) -> RealDesk {
    let granted = ApiClient::new(server)
        .expect("api")
        .login(&LoginRequest {
            email: email.into(),
            password: PASSWORD.into(),
            device_name: format!("desk in {}", dir.display()),
            device_id: None,
        })
        .await
        .expect("login");
    let membership = &granted.memberships[0];
    let identity = DeskIdentity {
        clinic_id: membership.clinic_id,
        user_id: granted.user.id,
        role: membership.role,
    };
    std::fs::create_dir_all(dir).expect("dir");
    let store = dir.join("store.sqlite3");
    let desk = Desk::open(&store, identity).expect("open store");
    desk.adopt_device(granted.device_id).expect("device");
    let api = ApiClient::new(server)
        .expect("api")
        .with_token(SecretString::from(granted.token.clone()));
    RealDesk {
        engine: SyncEngine::new(desk.clone(), api, engine_config(5000)),
        desk,
        store,
        device_id: granted.device_id,
        token: granted.token,
    }
}

fn parse_ts(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("timestamp")
        .with_timezone(&Utc)
}

/// Appointments and patients in a desk's store file, sorted.
fn store_rows(store: &Path) -> (Vec<ApptRow>, Vec<PatientRow>) {
    let conn =
        rusqlite::Connection::open_with_flags(store, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open store read-only");
    let uuid = |s: String| Uuid::parse_str(&s).expect("uuid");
    let mut stmt = conn
        .prepare("SELECT id, doctor_id, patient_id, starts_at, ends_at, status FROM appointments")
        .expect("prepare");
    let mut appts: Vec<ApptRow> = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })
        .expect("query")
        .map(|r| {
            let (id, d, p, s, e, st) = r.expect("row");
            (uuid(id), uuid(d), uuid(p), parse_ts(&s), parse_ts(&e), st)
        })
        .collect();
    appts.sort();
    let mut stmt = conn
        .prepare("SELECT id, full_name, archived_at IS NOT NULL FROM patients")
        .expect("prepare");
    let mut patients: Vec<PatientRow> = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
            ))
        })
        .expect("query")
        .map(|r| {
            let (id, name, archived) = r.expect("row");
            (uuid(id), name, archived)
        })
        .collect();
    patients.sort();
    (appts, patients)
}

/// Every id in a desk's synced tables.
fn store_ids(store: &Path) -> Vec<Uuid> {
    let conn =
        rusqlite::Connection::open_with_flags(store, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open store read-only");
    let mut ids = Vec::new();
    for table in [
        "clinic",
        "doctors",
        "doctor_hours",
        "doctor_time_off",
        "rooms",
        "patients",
        "appointments",
        "shadow",
    ] {
        let column = if table == "shadow" { "row_id" } else { "id" };
        let mut stmt = conn
            .prepare(&format!("SELECT {column} FROM {table}"))
            .expect("prepare");
        let found: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .expect("query")
            .map(|r| r.expect("row"))
            .collect();
        ids.extend(found.iter().map(|s| Uuid::parse_str(s).expect("uuid")));
    }
    ids
}

/// The server's appointments and patients of `clinic`, sorted.
async fn server_rows(app: &TestApp, clinic: Uuid) -> (Vec<ApptRow>, Vec<PatientRow>) {
    let mut appts: Vec<ApptRow> = sqlx::query_as(
        "SELECT id, doctor_id, patient_id, starts_at, ends_at, status
         FROM appointments WHERE clinic_id = $1",
    )
    .bind(clinic)
    .fetch_all(&app.db)
    .await
    .expect("appointments");
    appts.sort();
    let mut patients: Vec<PatientRow> = sqlx::query_as(
        "SELECT id, full_name, archived_at IS NOT NULL FROM patients WHERE clinic_id = $1",
    )
    .bind(clinic)
    .fetch_all(&app.db)
    .await
    .expect("patients");
    patients.sort();
    (appts, patients)
}

fn booking(doctor: Uuid, patient: Uuid, starts_at: DateTime<Utc>, minutes: i64) -> BookAppointment {
    BookAppointment {
        doctor_id: doctor,
        patient_id: patient,
        room_id: None,
        starts_at,
        ends_at: starts_at + Duration::minutes(minutes),
        reason: None,
    }
}

/// Live appointments of one doctor that overlap, as pairs of ids.
async fn overlaps(app: &TestApp, clinic: Uuid) -> Vec<(Uuid, Uuid)> {
    sqlx::query_as(
        "SELECT a.id, b.id FROM appointments a JOIN appointments b
           ON a.clinic_id = b.clinic_id AND a.doctor_id = b.doctor_id AND a.id < b.id
          AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
         WHERE a.clinic_id = $1
           AND a.status NOT IN ('cancelled', 'no_show') AND b.status NOT IN ('cancelled', 'no_show')",
    )
    .bind(clinic)
    .fetch_all(&app.db)
    .await
    .expect("overlaps")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_offline_desks_booking_one_slot_leave_one_booking_and_nine_conflicts() {
    let app = common::spawn_app().await;
    let p = practice(&app, "Alpha").await;
    let patient = insert_patient(&app, p.clinic.id, "Lucía Pérez").await;
    let server = base_url(&app);
    let tmp = tempfile::tempdir().expect("tmp");

    let mut desks = Vec::new();
    for i in 0..10 {
        let d = open_desk(
            &server,
            "reception@alpha.example",
            &tmp.path().join(format!("d{i}")),
        )
        .await;
        d.engine.sync_once().await.expect("first sync");
        desks.push(d);
    }
    // All offline: each books the same doctor at the same time.
    let starts = madrid(day_ahead(3), 10, 0);
    let mut booked = Vec::new();
    for d in &desks {
        let queued = d
            .desk
            .book(booking(p.doctor_id, patient, starts, 30))
            .expect("book offline");
        booked.push(queued.row_id);
    }
    // All come back at once.
    let results = futures::future::join_all(desks.iter().map(|d| d.engine.sync_once())).await;
    for r in results {
        r.expect("sync");
    }
    // One more round so that every desk has pulled after the last push.
    for d in &desks {
        d.engine.sync_once().await.expect("second sync");
    }

    let standing: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM appointments WHERE clinic_id = $1 AND doctor_id = $2 AND starts_at = $3
           AND status <> 'cancelled'",
    )
    .bind(p.clinic.id)
    .bind(p.doctor_id)
    .bind(starts)
    .fetch_all(&app.db)
    .await
    .expect("bookings");
    assert_eq!(standing.len(), 1, "exactly one booking stands");
    let winner = booked
        .iter()
        .position(|id| *id == standing[0])
        .expect("the booking is one of the desks'");

    let server_view = server_rows(&app, p.clinic.id).await;
    for (i, d) in desks.iter().enumerate() {
        let conflicts = d.desk.conflicts().expect("conflicts");
        if i == winner {
            assert!(conflicts.is_empty(), "the winner has no conflict");
        } else {
            assert_eq!(conflicts.len(), 1, "desk {i}: one conflict");
            assert_eq!(conflicts[0].code, "slot_taken", "desk {i}");
            assert_eq!(d.desk.appointment(booked[i]).expect("read"), None);
        }
        assert_eq!(d.desk.pending_count().expect("pending"), 0);
        assert_eq!(
            store_rows(&d.store),
            server_view,
            "desk {i} equals the server"
        );
        // What reception sees: that day's agenda holds the one booking, confirmed.
        let agenda = d
            .desk
            .day_agenda(day_ahead(3), Some(p.doctor_id))
            .expect("agenda");
        let seen: Vec<(Uuid, bool)> = agenda
            .appointments
            .iter()
            .map(|a| (a.id, a.pending))
            .collect();
        assert_eq!(seen, vec![(standing[0], false)], "desk {i}'s agenda");
    }
    let rejected: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sync_mutations WHERE clinic_id = $1 AND result->>'code' = 'slot_taken'",
    )
    .bind(p.clinic.id)
    .fetch_one(&app.db)
    .await
    .expect("count");
    assert_eq!(rejected, 9);
    assert!(overlaps(&app, p.clinic.id).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_never_sees_nor_writes_another_clinics_rows() {
    let app = common::spawn_app().await;
    let a = practice(&app, "Alpha").await;
    let b = practice(&app, "Beta").await;
    let a_patient = insert_patient(&app, a.clinic.id, "Ana of Alpha").await;
    let b_patient = insert_patient(&app, b.clinic.id, "Bea of Beta").await;
    let a_appt = common::patients::insert_appointment(
        &app,
        a.clinic.id,
        a.doctor_id,
        a_patient,
        madrid(day_ahead(2), 9, 0),
        30,
        "booked",
    )
    .await;
    let server = base_url(&app);
    let tmp = tempfile::tempdir().expect("tmp");

    // A desk of A books too, so A has synced history.
    let da = open_desk(&server, "reception@alpha.example", &tmp.path().join("a")).await;
    da.engine.sync_once().await.expect("sync a");
    da.desk
        .book(booking(
            a.other_doctor_id,
            a_patient,
            madrid(day_ahead(2), 11, 0),
            30,
        ))
        .expect("book in a");
    da.engine.sync_once().await.expect("sync a");

    let db = open_desk(&server, "reception@beta.example", &tmp.path().join("b")).await;
    db.engine.sync_once().await.expect("sync b");
    let a_ids: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM clinics WHERE id = $1
         UNION ALL SELECT id FROM doctors WHERE clinic_id = $1
         UNION ALL SELECT id FROM doctor_hours WHERE clinic_id = $1
         UNION ALL SELECT id FROM rooms WHERE clinic_id = $1
         UNION ALL SELECT id FROM patients WHERE clinic_id = $1
         UNION ALL SELECT id FROM appointments WHERE clinic_id = $1",
    )
    .bind(a.clinic.id)
    .fetch_all(&app.db)
    .await
    .expect("a's ids");
    assert!(a_ids.len() >= 20, "{}", a_ids.len());
    let in_b = store_ids(&db.store);
    assert!(in_b.contains(&b_patient) && in_b.contains(&b.clinic.id));
    let leaked: Vec<_> = a_ids.iter().filter(|id| in_b.contains(id)).collect();
    assert!(leaked.is_empty(), "A's rows on B's desk: {leaked:?}");
    assert_eq!(store_rows(&db.store), server_rows(&app, b.clinic.id).await);

    // B's device pushes mutations naming A's rows.
    let snapshot = |clinic: Uuid| {
        let app = &app;
        async move {
            let v: (i64, i64, i64, i64) = sqlx::query_as(
                "SELECT (SELECT count(*) FROM appointments WHERE clinic_id = $1),
                        (SELECT count(*) FROM patients WHERE clinic_id = $1),
                        (SELECT count(*) FROM sync_mutations WHERE clinic_id = $1),
                        (SELECT version FROM clinic_sync_counters WHERE clinic_id = $1)",
            )
            .bind(clinic)
            .fetch_one(&app.db)
            .await
            .expect("snapshot");
            v
        }
    };
    let a_before = snapshot(a.clinic.id).await;
    let b_before = snapshot(b.clinic.id).await;
    let starts = madrid(day_ahead(4), 12, 0);
    let foreign = [
        Mutation::BookAppointment {
            appointment_id: Uuid::now_v7(),
            booking: booking(a.doctor_id, a_patient, starts, 30),
        },
        Mutation::BookAppointment {
            appointment_id: Uuid::now_v7(),
            booking: booking(b.doctor_id, a_patient, starts, 30),
        },
        Mutation::BookAppointment {
            appointment_id: Uuid::now_v7(),
            booking: booking(a.doctor_id, b_patient, starts, 30),
        },
        Mutation::CancelAppointment {
            appointment_id: a_appt,
            cancel: clinic_core::api::appointments::CancelAppointment {
                reason: "not yours".into(),
            },
        },
        Mutation::CheckIn {
            appointment_id: a_appt,
        },
    ];
    let api = ApiClient::new(&server)
        .expect("api")
        .with_token(SecretString::from(db.token.clone()));
    let batch: Vec<PendingMutation> = foreign
        .into_iter()
        .enumerate()
        .map(|(i, mutation)| PendingMutation {
            seq: i as i64 + 1,
            id: Uuid::now_v7(),
            mutation,
        })
        .collect();
    let answer = api
        .push(
            b.clinic.id,
            &PushRequest {
                mutations: batch.clone(),
            },
        )
        .await
        .expect("push");
    assert_eq!(answer.results.len(), batch.len());
    for (r, sent) in answer.results.iter().zip(&batch) {
        match &r.outcome {
            Outcome::Rejected { code, .. } => {
                assert_eq!(*code, ErrorCode::NotFound, "{}", sent.mutation.name())
            }
            Outcome::Applied => panic!("{} applied across clinics", sent.mutation.name()),
        }
    }
    // Nothing in A moved; B stored only the rejections.
    assert_eq!(snapshot(a.clinic.id).await, a_before);
    let b_after = snapshot(b.clinic.id).await;
    assert_eq!((b_after.0, b_after.1), (b_before.0, b_before.1));
    assert_eq!(b_after.2, b_before.2 + batch.len() as i64);
    let status: String = sqlx::query_scalar("SELECT status FROM appointments WHERE id = $1")
        .bind(a_appt)
        .fetch_one(&app.db)
        .await
        .expect("a's appointment");
    assert_eq!(status, "booked");
    // The same device pushing A's clinic id in the path is refused outright.
    let refused = api
        .push(
            a.clinic.id,
            &PushRequest {
                mutations: vec![PendingMutation {
                    seq: 100,
                    id: Uuid::now_v7(),
                    mutation: Mutation::RegisterPatient {
                        patient_id: Uuid::now_v7(),
                        patient: NewPatient {
                            full_name: "Intruder".into(),
                            ..NewPatient::default()
                        },
                    },
                }],
            },
        )
        .await;
    assert!(refused.is_err(), "pushing into another clinic: {refused:?}");
    assert_eq!(snapshot(a.clinic.id).await, a_before);
    // And B's desk, synced again, still holds nothing of A's.
    db.engine.sync_once().await.expect("sync b");
    let in_b = store_ids(&db.store);
    assert!(a_ids.iter().all(|id| !in_b.contains(id)));
}

const CRASH_VAR: &str = "CLINIC_DESK_CRASH_CHILD";

/// Not a test by itself: the desk process `a_desk_killed_mid_sync_*` kills.
/// It opens the store named in its environment and syncs, page by small
/// page, until it is killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by a_desk_killed_mid_sync_reopens_consistent_and_finishes as a child process"]
async fn crash_child_syncer() {
    let Ok(spec) = std::env::var(CRASH_VAR) else {
        return;
    };
    let parts: Vec<&str> = spec.split('|').collect();
    let [store, server, token, clinic, user, device] = parts[..] else {
        panic!("bad {CRASH_VAR}: {spec}");
    };
    let desk = Desk::open(
        Path::new(store),
        DeskIdentity {
            clinic_id: clinic.parse().expect("clinic"),
            user_id: user.parse().expect("user"),
            role: clinic_core::Role::Reception,
        },
    )
    .expect("open store");
    desk.adopt_device(device.parse().expect("device"))
        .expect("device");
    let api = ApiClient::new(server)
        .expect("api")
        .with_token(SecretString::from(token.to_owned()));
    let engine = SyncEngine::new(desk, api, engine_config(40));
    println!("\n{CRASH_VAR}: syncing");
    loop {
        engine.sync_once().await.expect("sync");
    }
}

fn store_cursor(store: &Path) -> i64 {
    let conn =
        rusqlite::Connection::open_with_flags(store, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open");
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .expect("busy timeout");
    conn.query_row("SELECT cursor FROM sync_state", [], |r| r.get(0))
        .expect("cursor")
}

/// What the child desk process needs to open the store and sync.
struct ChildSpec {
    store: PathBuf,
    server: String,
    token: String,
    identity: DeskIdentity,
    device_id: Uuid,
}

/// Runs the child syncer on the store and kills it (SIGKILL) once `kill_when`
/// says so (checked every few milliseconds); true when it was killed.
fn kill_child_when(
    spec: &ChildSpec,
    mut kill_when: impl FnMut(std::time::Duration) -> bool,
) -> bool {
    use std::io::{BufRead, BufReader};
    let var = [
        spec.store.display().to_string(),
        spec.server.clone(),
        spec.token.clone(),
        spec.identity.clinic_id.to_string(),
        spec.identity.user_id.to_string(),
        spec.device_id.to_string(),
    ]
    .join("|");
    let mut child = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--ignored",
            "--exact",
            "crash_child_syncer",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CRASH_VAR, var)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn the child desk");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.ends_with(" syncing") {
                let _ = tx.send(());
            }
        }
    });
    if rx.recv_timeout(std::time::Duration::from_secs(20)).is_err() {
        child.kill().ok();
        child.wait().ok();
        panic!("the child desk never started");
    }
    let started = std::time::Instant::now();
    let deadline = started + std::time::Duration::from_secs(20);
    let killed = loop {
        if child.try_wait().expect("wait").is_some() {
            break false;
        }
        if kill_when(started.elapsed()) || std::time::Instant::now() > deadline {
            child.kill().expect("kill");
            break true;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    child.wait().expect("reap");
    killed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_killed_mid_sync_reopens_consistent_and_finishes() {
    let app = common::spawn_app().await;
    let p = practice(&app, "Alpha").await;
    let patient = insert_patient(&app, p.clinic.id, "Mateo Gil").await;
    let server = base_url(&app);
    let tmp = tempfile::tempdir().expect("tmp");
    let d = open_desk(&server, "reception@alpha.example", &tmp.path().join("desk")).await;
    d.engine.sync_once().await.expect("first sync");

    // Offline work: 200 actions queued.
    let mut queued = Vec::new();
    let day = day_ahead(2);
    for i in 0..200i64 {
        let q = if i % 2 == 0 {
            d.desk
                .register_patient(NewPatient {
                    full_name: format!("Paciente {i}"),
                    ..NewPatient::default()
                })
                .expect("register")
        } else {
            let doctor = if i % 4 == 1 {
                p.doctor_id
            } else {
                p.other_doctor_id
            };
            let starts = madrid(day, 8, 0) + Duration::minutes(5 * (i / 4));
            d.desk
                .book(booking(doctor, patient, starts, 5))
                .expect("book")
        };
        queued.push(q.mutation_id);
    }
    // Meanwhile the clinic grew on the server: a large-ish pull awaits.
    sqlx::query(
        "INSERT INTO patients (clinic_id, id, full_name)
         SELECT $1, gen_random_uuid(), 'Server patient ' || i FROM generate_series(1, 3000) i",
    )
    .bind(p.clinic.id)
    .execute(&app.db)
    .await
    .expect("patients");
    sqlx::query(
        "INSERT INTO appointments (clinic_id, id, doctor_id, patient_id, starts_at, ends_at, status)
         SELECT $1, gen_random_uuid(), $2, $3,
                date_trunc('day', now()) + interval '10 days' + i * interval '10 minutes',
                date_trunc('day', now()) + interval '10 days' + i * interval '10 minutes' + interval '5 minutes',
                'booked'
         FROM generate_series(1, 3000) i",
    )
    .bind(p.clinic.id)
    .bind(p.other_doctor_id)
    .bind(patient)
    .execute(&app.db)
    .await
    .expect("appointments");
    let cursor_before = d.desk.cursor().expect("cursor");
    let spec = ChildSpec {
        store: d.store.clone(),
        server: server.clone(),
        token: d.token.clone(),
        identity: d.desk.identity(),
        device_id: d.device_id,
    };
    // The store is the child's alone now.
    drop(d);
    let store = spec.store.clone();

    // 1. Killed shortly after it starts: mid-push or in the first pages.
    let killed = kill_child_when(&spec, |t| t >= std::time::Duration::from_millis(150));
    assert!(killed, "the first child finished before it was killed");
    // 2. Killed mid-pull: once its cursor moved, well before the end.
    let killed = kill_child_when(&spec, |_| store_cursor(&store) > cursor_before);
    assert!(killed, "the second child finished before it was killed");
    let server_version: i64 =
        sqlx::query_scalar("SELECT version FROM clinic_sync_counters WHERE clinic_id = $1")
            .bind(p.clinic.id)
            .fetch_one(&app.db)
            .await
            .expect("version");
    assert!(store_cursor(&store) < server_version, "killed mid-pull");

    // Reopened: consistent, nothing lost or doubled.
    let desk = Desk::open(&store, spec.identity).expect("reopen");
    assert_eq!(desk.check().expect("check"), Vec::<String>::new());
    let outbox = desk.outbox().expect("outbox");
    let mut seqs: Vec<i64> = outbox.iter().map(|e| e.seq).collect();
    seqs.dedup();
    assert_eq!(seqs.len(), outbox.len());
    for e in &outbox {
        assert!(queued.contains(&e.id));
    }
    assert!(desk.conflicts().expect("conflicts").is_empty());
    // The server never took a mutation twice nor one the desk did not queue.
    let on_server: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT mutation_id, result->>'status' FROM sync_mutations
         WHERE clinic_id = $1 AND device_id = $2 ORDER BY seq",
    )
    .bind(p.clinic.id)
    .bind(spec.device_id)
    .fetch_all(&app.db)
    .await
    .expect("sync_mutations");
    assert!(on_server.iter().all(|(id, _)| queued.contains(id)));

    // Synced to the end: equal to the server.
    let api = ApiClient::new(&server)
        .expect("api")
        .with_token(SecretString::from(spec.token.clone()));
    let engine = SyncEngine::new(desk.clone(), api, engine_config(5000));
    engine.sync_once().await.expect("sync after the crashes");
    assert_eq!(desk.pending_count().expect("pending"), 0);
    assert!(desk.outbox().expect("outbox").is_empty());
    assert!(desk.conflicts().expect("conflicts").is_empty());
    let on_server: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT mutation_id, result->>'status' FROM sync_mutations
         WHERE clinic_id = $1 AND device_id = $2 ORDER BY seq",
    )
    .bind(p.clinic.id)
    .bind(spec.device_id)
    .fetch_all(&app.db)
    .await
    .expect("sync_mutations");
    let ids: Vec<Uuid> = on_server.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, queued, "every mutation stored once, in order");
    assert!(
        on_server.iter().all(|(_, s)| s == "applied"),
        "{on_server:?}"
    );
    let (appts, patients) = store_rows(&store);
    assert_eq!((appts.len(), patients.len()), (3100, 3101));
    assert_eq!((appts, patients), server_rows(&app, p.clinic.id).await);
    assert!(overlaps(&app, p.clinic.id).await.is_empty());
}

/// A TCP proxy in front of the server for one desk: it can be switched off
/// (refusing new connections and cutting open ones) and can cut its next
/// connection after a number of bytes, mid-request or mid-answer.
struct Proxy {
    port: u16,
    online: tokio::sync::watch::Sender<bool>,
    cut_next_after: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// Connections cut mid-message so far.
    cuts: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Proxy {
    async fn start(upstream: u16) -> Proxy {
        use std::sync::atomic::Ordering;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("proxy bind");
        let port = listener.local_addr().expect("addr").port();
        let (online, online_rx) = tokio::sync::watch::channel(true);
        let cut_next_after = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let cut = cut_next_after.clone();
        let cuts = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = cuts.clone();
        tokio::spawn(async move {
            loop {
                let Ok((inbound, _)) = listener.accept().await else {
                    return;
                };
                let mut rx = online_rx.clone();
                if !*rx.borrow() {
                    continue; // dropped: offline
                }
                let budget = match cut.swap(0, Ordering::SeqCst) {
                    0 => usize::MAX,
                    n => n,
                };
                let counted = counted.clone();
                tokio::spawn(async move {
                    let Ok(outbound) =
                        tokio::net::TcpStream::connect(("127.0.0.1", upstream)).await
                    else {
                        return;
                    };
                    let forwarded = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
                    let (ri, wi) = inbound.into_split();
                    let (ro, wo) = outbound.into_split();
                    let up = pipe(ri, wo, forwarded.clone(), budget);
                    let down = pipe(ro, wi, forwarded, budget);
                    tokio::pin!(up, down);
                    // A cut in either direction drops both sockets at once.
                    let work = async {
                        tokio::select! {
                            cut = &mut up => cut || down.await,
                            cut = &mut down => cut || up.await,
                        }
                    };
                    tokio::select! {
                        cut = work => if cut {
                            counted.fetch_add(1, Ordering::SeqCst);
                        },
                        _ = rx.wait_for(|on| !on) => {}
                    }
                });
            }
        });
        Proxy {
            port,
            online,
            cut_next_after,
            cuts,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn set_online(&self, on: bool) {
        self.online.send_replace(on);
    }

    fn cut_next_after(&self, bytes: usize) {
        self.cut_next_after
            .store(bytes, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Copies until EOF (false) or until both directions together passed
/// `budget` bytes (true: cut).
async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    forwarded: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    budget: usize,
) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; 8192];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let before = forwarded.fetch_add(n, std::sync::atomic::Ordering::SeqCst);
        let allowed = budget.saturating_sub(before).min(n);
        if allowed > 0 && to.write_all(&buf[..allowed]).await.is_err() {
            break;
        }
        if allowed < n {
            // Cut: the peers see the connection die mid-message.
            return true;
        }
    }
    let _ = to.shutdown().await;
    false
}

/// The real server binary as a child process on a fixed port.
struct ServerProcess {
    child: std::process::Child,
}

impl ServerProcess {
    async fn start(app: &TestApp, port: u16) -> ServerProcess {
        use secrecy::ExposeSecret;
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_sync-server"))
            .env("DATABASE_URL", app.settings.database.url.expose_secret())
            .env("CLINIC_SERVER__BIND", format!("127.0.0.1:{port}"))
            .env("CLINIC_LOG__FILTER", "off")
            .env("CLINIC_AUTH__ARGON2_MEMORY_KIB", "1024")
            .env("CLINIC_AUTH__ARGON2_ITERATIONS", "1")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start the server binary");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the server never listened"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        ServerProcess { child }
    }

    fn kill(&mut self) {
        self.child.kill().expect("SIGKILL the server");
        self.child.wait().expect("reap the server");
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Syncs every desk at once, each for at most 20 s; how many failed
/// (failures are expected while faults are on).
async fn sync_all(desks: &[RealDesk]) -> usize {
    futures::future::join_all(
        desks.iter().map(|d| {
            tokio::time::timeout(std::time::Duration::from_secs(20), d.engine.sync_once())
        }),
    )
    .await
    .into_iter()
    .filter(|r| !matches!(r, Ok(Ok(_))))
    .count()
}

/// Prints the seed when the test fails.
struct SeedOnFailure(u64);

impl Drop for SeedOnFailure {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("desks convergence failed with DESKS_SEED={}", self.0);
        }
    }
}

/// One random action on `desk`, from what it holds now; the mutation id
/// when it was queued (a refused action queues nothing).
fn random_action(
    rng: &mut rand::rngs::StdRng,
    d: &RealDesk,
    doctors: [Uuid; 2],
    slots: &[DateTime<Utc>],
    n: usize,
) -> Option<Uuid> {
    use clinic_core::api::appointments::{CancelAppointment, RescheduleAppointment};
    use rand::Rng;
    use rand::seq::SliceRandom;
    let (appts, patients) = store_rows(&d.store);
    let booked: Vec<&ApptRow> = appts.iter().filter(|a| a.5 == "booked").collect();
    let queued = match rng.gen_range(0..6) {
        0 => d.desk.register_patient(NewPatient {
            full_name: format!("Patient {n}"),
            ..NewPatient::default()
        }),
        1 | 2 => {
            let patient = patients.choose(rng)?.0;
            let doctor = doctors[rng.gen_range(0..2)];
            let starts = *slots.choose(rng)?;
            d.desk.book(booking(doctor, patient, starts, 30))
        }
        3 => {
            let a = booked.choose(rng)?;
            let starts = *slots.choose(rng)?;
            d.desk.reschedule(
                a.0,
                RescheduleAppointment {
                    starts_at: starts,
                    ends_at: starts + Duration::minutes(30),
                    doctor_id: Some(doctors[rng.gen_range(0..2)]),
                    room_id: None,
                },
            )
        }
        4 => d.desk.cancel(
            booked.choose(rng)?.0,
            CancelAppointment {
                reason: "patient called".into(),
            },
        ),
        _ => d.desk.check_in(booked.choose(rng)?.0),
    };
    queued.ok().map(|q| q.mutation_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desks_converge_through_cuts_offline_periods_and_a_server_restart() {
    use rand::{Rng, SeedableRng};
    let seed: u64 = std::env::var("DESKS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::thread_rng().r#gen());
    let _report = SeedOnFailure(seed);
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);

    let app = common::spawn_app().await;
    let p = practice(&app, "Alpha").await;
    for name in ["Ana", "Bruno", "Carla"] {
        insert_patient(&app, p.clinic.id, name).await;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("free port")
        .local_addr()
        .expect("addr")
        .port();
    let mut server = ServerProcess::start(&app, port).await;
    let tmp = tempfile::tempdir().expect("tmp");
    let mut desks = Vec::new();
    let mut proxies = Vec::new();
    for i in 0..5 {
        let proxy = Proxy::start(port).await;
        let d = open_desk(
            &proxy.url(),
            "reception@alpha.example",
            &tmp.path().join(format!("d{i}")),
        )
        .await;
        d.engine.sync_once().await.expect("first sync");
        desks.push(d);
        proxies.push(proxy);
    }
    // Today's slots would run into "in the past"; two days ahead, mornings.
    let slots: Vec<DateTime<Utc>> = (2..=3)
        .flat_map(|day| {
            (0..8).map(move |h| madrid(day_ahead(day), 8, 0) + Duration::minutes(30 * h))
        })
        .collect();
    let doctors = [p.doctor_id, p.other_doctor_id];
    let mut queued: Vec<Vec<Uuid>> = vec![Vec::new(); desks.len()];

    let mut n = 0;
    for round in 0..8 {
        for (i, d) in desks.iter().enumerate() {
            if round == 0 {
                // Every desk's first new connection dies early.
                proxies[i].set_online(false);
                proxies[i].set_online(true);
                proxies[i].cut_next_after(rng.gen_range(100..600));
            } else {
                proxies[i].set_online(rng.gen_bool(0.6));
                if rng.gen_bool(0.3) {
                    proxies[i].cut_next_after(rng.gen_range(100..4000));
                }
            }
            for _ in 0..rng.gen_range(1..=4) {
                n += 1;
                if let Some(id) = random_action(&mut rng, d, doctors, &slots, n) {
                    queued[i].push(id);
                }
            }
        }
        if round == 4 {
            // Everyone online with a full outbox; the server dies mid-push.
            for (i, d) in desks.iter().enumerate() {
                proxies[i].set_online(true);
                for _ in 0..6 {
                    n += 1;
                    if let Some(id) = random_action(&mut rng, d, doctors, &slots, n) {
                        queued[i].push(id);
                    }
                }
            }
            let delay = rng.gen_range(5..40);
            let pushes = sync_all(&desks);
            let restart = async {
                tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
                server.kill();
            };
            let (failed, ()) = tokio::join!(pushes, restart);
            assert!(failed > 0, "the server died with no sync in flight");
            server = ServerProcess::start(&app, port).await;
        } else {
            sync_all(&desks).await;
        }
    }

    // Faults over: everyone online until everything is through.
    for proxy in &proxies {
        proxy.set_online(true);
        proxy.cut_next_after(0);
    }
    for d in &desks {
        let mut tries = 0;
        while let Err(e) = d.engine.sync_once().await {
            tries += 1;
            assert!(tries < 20, "a desk cannot finish syncing: {e}");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    for d in &desks {
        d.engine.sync_once().await.expect("last sync");
    }

    // Every queued mutation applied once on the server, or rejected with a reason.
    let server_view = server_rows(&app, p.clinic.id).await;
    let mut applied = 0;
    for (i, d) in desks.iter().enumerate() {
        assert_eq!(d.desk.pending_count().expect("pending"), 0, "desk {i}");
        assert!(d.desk.outbox().expect("outbox").is_empty(), "desk {i}");
        let stored: Vec<(Uuid, String, Option<String>)> = sqlx::query_as(
            "SELECT mutation_id, result->>'status', result->>'code' FROM sync_mutations
             WHERE clinic_id = $1 AND device_id = $2 ORDER BY seq",
        )
        .bind(p.clinic.id)
        .bind(d.device_id)
        .fetch_all(&app.db)
        .await
        .expect("sync_mutations");
        let conflicts = d.desk.conflicts().expect("conflicts");
        let on_server: Vec<Uuid> = stored.iter().map(|s| s.0).collect();
        let mut unique = on_server.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            on_server.len(),
            "desk {i}: a mutation stored twice"
        );
        assert!(
            on_server.iter().all(|id| queued[i].contains(id)),
            "desk {i}"
        );
        for id in &queued[i] {
            let conflict = conflicts.iter().find(|c| c.id == *id);
            match stored.iter().find(|s| s.0 == *id) {
                Some((_, status, _)) if status == "applied" => {
                    applied += 1;
                    assert!(conflict.is_none(), "desk {i}: applied yet in the inbox");
                }
                Some((_, _, code)) => {
                    let c = conflict.unwrap_or_else(|| panic!("desk {i}: rejection lost"));
                    assert_eq!(Some(&c.code), code.as_ref(), "desk {i}");
                    assert!(!c.message.is_empty());
                }
                None => {
                    let c = conflict.unwrap_or_else(|| panic!("desk {i}: mutation lost"));
                    assert!(!c.message.is_empty());
                }
            }
        }
        assert_eq!(
            store_rows(&d.store),
            server_view,
            "desk {i} equals the server"
        );
    }
    assert!(applied > 0, "nothing got through");
    let cuts: usize = proxies
        .iter()
        .map(|p| p.cuts.load(std::sync::atomic::Ordering::SeqCst))
        .sum();
    assert!(cuts > 0, "no connection was cut");
    assert!(
        overlaps(&app, p.clinic.id).await.is_empty(),
        "double booking"
    );
    drop(server);
}
