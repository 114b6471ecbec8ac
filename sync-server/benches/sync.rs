//! End-to-end sync benchmarks with the real desk client (`clinic-client`)
//! against a server on loopback, on a generated clinic of 100k patients and
//! 1M appointments. Results and targets: docs/BENCHMARKS.md.
//!
//! ```text
//! cargo bench -p sync-server --bench sync
//! ```
//!
//! Needs PostgreSQL at `DATABASE_URL` (as the tests do). The clinic is
//! generated once per run into a fresh database and reused by every item.
//! `BENCH_PATIENTS` / `BENCH_APPOINTMENTS` shrink it for a quick try;
//! `BENCH_KEEP_STORE=/path/store.sqlite3` keeps a copy of the synced desk
//! store (for `EXPLAIN QUERY PLAN` and profiles).

#[path = "../tests/common/mod.rs"]
mod common;

use chrono::{Datelike, Duration as Days, NaiveTime, TimeZone, Utc, Weekday};
use clinic_client::session::MemoryKeyring;
use clinic_client::{
    ApiClient, Desk, EngineConfig, Login, PullStep, Sessions, SignedIn, SyncEngine, TokenVault,
};
use clinic_core::api::appointments::BookAppointment;
use clinic_core::api::patients::NewPatient;
use clinic_core::sync::{MAX_PUSH, PushRequest};
use secrecy::SecretString;
use sqlx::Connection;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use sync_server::config::AuthSettings;
use sync_server::demo::DEMO_PASSWORD;
use uuid::Uuid;

fn sessions(dir: &Path) -> Sessions {
    Sessions::with_vault(
        dir,
        TokenVault::with_store(Box::<MemoryKeyring>::default(), dir),
    )
}

async fn sign_in(sessions: &Sessions, server: &str, email: &str, device: &str) -> SignedIn {
    sessions
        .login(Login {
            server: server.into(),
            email: email.into(),
            password: SecretString::from(DEMO_PASSWORD),
            device_name: device.into(),
            clinic_id: None,
            new_device: true,
        })
        .await
        .expect("sign in")
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn summary(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{name}: n={} min={:.2?} p50={:.2?} p95={:.2?} max={:.2?}",
        samples.len(),
        samples[0],
        percentile(&samples, 0.5),
        percentile(&samples, 0.95),
        samples[samples.len() - 1],
    );
}

fn env_i64(name: &str, default: i64) -> i64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Copies a closed store (and its WAL, if any) to `to`.
fn copy_store(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
    std::fs::copy(from, to).expect("copy store");
    let wal = |p: &Path| PathBuf::from(format!("{}-wal", p.display()));
    if wal(from).exists() {
        std::fs::copy(wal(from), wal(to)).expect("copy wal");
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let patients = env_i64("BENCH_PATIENTS", 100_000);
    let appointments = env_i64("BENCH_APPOINTMENTS", 1_000_000);
    println!("load before: {}", load());
    // Production password hashing, so signing in costs what it will.
    let app = common::spawn_app_with(|s| s.auth = AuthSettings::default()).await;
    let server = format!("http://{}", app.addr);
    let started = Instant::now();
    let made = sync_server::generate::generate(&app.settings, "Bench", patients, appointments)
        .await
        .expect("generate");
    println!(
        "generated {} patients, {} appointments in {:.1?} (load {})",
        made.patients,
        made.appointments,
        started.elapsed(),
        load()
    );
    let email = made.admin_email.clone();
    let root = tempfile_dir();

    // 2. Sign-in to today's agenda: login, then the sync engine as the app
    // starts it; the clock stops when today's agenda has been read, which
    // is as soon as the first priority page (today's) is in.
    let mut usable = Vec::new();
    for run in 0..3 {
        let dir = root.join(format!("signin-{run}"));
        let t0 = Instant::now();
        let s = sessions(&dir);
        let signed = sign_in(&s, &server, &email, "Bench desk").await;
        let t_login = t0.elapsed();
        let desk = s.open_desk(&signed.profile).expect("open desk");
        let api = s.api(&signed.profile).expect("api");
        let mut revision = desk.subscribe();
        let handle = SyncEngine::new(desk.clone(), api, EngineConfig::default()).spawn();
        while !desk.sync_info().expect("info").priority_done {
            tokio::time::timeout(Duration::from_secs(60), revision.changed())
                .await
                .expect("a first page within 60 s")
                .expect("watch");
        }
        let t_applied = t0.elapsed();
        let today = desk.today().expect("today");
        let agenda = desk.day_agenda(today, None).expect("agenda");
        let t_agenda = t0.elapsed();
        let week = desk.week_agenda(today, None).expect("week");
        let t_week = t0.elapsed();
        handle.shutdown().await;
        println!(
            "sign-in run {run}: login {t_login:.0?}, today's page in {t_applied:.0?}, \
             day_agenda ({} appts, {today}) {t_agenda:.0?}; week_agenda ({} appts) {t_week:.0?} (load {})",
            agenda.appointments.len(),
            week.days
                .iter()
                .map(|d| d.appointments.len())
                .sum::<usize>(),
            load()
        );
        usable.push(t_agenda);
    }
    summary("2. sign-in to today's agenda", usable);

    // 1. Initial sync end to end into a fresh store: SyncEngine::sync_once
    // itself (priority stages, then the full pull), timed page by page.
    let dir = root.join("initial");
    let s = sessions(&dir);
    let signed = sign_in(&s, &server, &email, "Bench initial").await;
    let profile = signed.profile.clone();
    let desk = s.open_desk(&profile).expect("open desk");
    let api = s.api(&profile).expect("api");
    let engine = SyncEngine::new(desk.clone(), api, EngineConfig::default());
    let limit = EngineConfig::default().pull_limit;
    let t0 = Instant::now();
    let (mut priority_rows, mut t_priority) = (0usize, Duration::ZERO);
    let (mut rows, mut pages) = (0usize, 0usize);
    let mut t_100k = None;
    let mut t_1m = None;
    engine
        .sync_once_with(|page| match page.step {
            PullStep::Priority(_) => {
                priority_rows += page.changes;
                t_priority = t0.elapsed();
            }
            PullStep::Changes(_) => {
                rows += page.changes;
                pages += 1;
                if t_100k.is_none() && rows >= 100_000 {
                    t_100k = Some(t0.elapsed());
                }
                if t_1m.is_none() && rows >= 1_000_000 {
                    t_1m = Some(t0.elapsed());
                }
            }
        })
        .await
        .expect("initial sync");
    let total = t0.elapsed();
    drop(engine); // it holds the store open; the store is copied below
    println!(
        "1. initial sync: priority pages {priority_rows} rows applied at {t_priority:.2?}; \
         full pull {rows} rows in {pages} pages of {limit}; first 100k rows at {:.2?}, \
         first 1M at {:.2?}, all at {total:.2?}: {:.0} rows/s (full pull rows / total) (load {})",
        t_100k.unwrap_or_default(),
        t_1m.unwrap_or_default(),
        rows as f64 / total.as_secs_f64(),
        load()
    );

    // 5. Local queries on the synced store.
    let today = desk.today().expect("today");
    let doctors = desk.doctors(false).expect("doctors");
    let mut agenda_times = Vec::new();
    let mut sizes = 0usize;
    for i in 0..300 {
        let date = today + Days::days(i % 30 - 10);
        let doctor = if i % 2 == 0 {
            None
        } else {
            Some(doctors[(i as usize) % doctors.len()].id)
        };
        let t = Instant::now();
        let a = desk.day_agenda(date, doctor).expect("agenda");
        agenda_times.push(t.elapsed());
        sizes += a.appointments.len();
    }
    println!(
        "5a. day_agenda: 300 runs, days today-10..today+19, all doctors / one doctor alternately, \
         {} appointments per run on average (load {})",
        sizes / 300,
        load()
    );
    summary("5a. day_agenda", agenda_times);
    let first = [
        "ana", "luis", "carmen", "javier", "lucia", "miguel", "sofia", "daniel", "paula", "hugo",
    ];
    let last = [
        "martin",
        "lopez",
        "sanchez",
        "perez",
        "gomez",
        "fernandez",
        "moreno",
        "jimenez",
    ];
    let mut search_times = Vec::new();
    let mut hits = 0usize;
    for i in 0..300usize {
        let query = match i % 4 {
            0 => first[i % 10][..3].to_string(),
            1 => format!("{} {}", first[i % 10], last[i % 8]),
            2 => format!("{} {}", last[i % 8], 1000 + i * 37),
            _ => format!("600 {:03}", i),
        };
        let t = Instant::now();
        let found = desk.search_patients(&query, false, 50).expect("search");
        search_times.push(t.elapsed());
        hits += found.len();
    }
    println!(
        "5b. search_patients: 300 runs, limit 50, prefix / two names / name+number / phone, \
         {} hits per run on average (load {})",
        hits / 300,
        load()
    );
    summary("5b. search_patients", search_times);
    let synced_path =
        clinic_client::paths::store_path(&dir, &profile.server, profile.clinic_id, profile.user_id);
    drop(desk);
    if let Ok(keep) = std::env::var("BENCH_KEEP_STORE") {
        // For looking at query plans and profiles afterwards.
        copy_store(&synced_path, Path::new(&keep));
        println!("synced store kept at {keep}");
    }

    // 3. Desk A books; time until desk B's store has it, both engines live.
    let mut desks = Vec::new();
    for name in ["A", "B"] {
        let dir = root.join(format!("desk-{name}"));
        let s = sessions(&dir);
        let signed = sign_in(&s, &server, &email, &format!("Desk {name}")).await;
        let p = signed.profile;
        copy_store(
            &synced_path,
            &clinic_client::paths::store_path(&dir, &p.server, p.clinic_id, p.user_id),
        );
        let desk = s.open_desk(&p).expect("open");
        let api: ApiClient = s.api(&p).expect("api");
        let handle = SyncEngine::new(desk.clone(), api, EngineConfig::default()).spawn();
        desks.push((desk, handle));
    }
    // Wait for both engines to be live (first sync done, events connected).
    for (_, handle) in &desks {
        let mut status = handle.status();
        tokio::time::timeout(
            Duration::from_secs(60),
            status.wait_for(|s| s.live && s.last_sync_at.is_some()),
        )
        .await
        .expect("engine live in 60 s")
        .expect("status");
    }
    let (a, b) = (&desks[0].0, &desks[1].0);
    let patient = a.search_patients("ana", false, 1).expect("search")[0].id;
    // Free slots: 16:00-18:00 Madrid (after the generated 07:00-15:00 UTC
    // slots) on the next weekdays, one doctor per sample.
    let mut day = today + Days::days(1);
    let mut slots = Vec::new();
    while slots.len() < 60 {
        if day.weekday() != Weekday::Sat && day.weekday() != Weekday::Sun {
            for d in &doctors {
                let local = day.and_time(NaiveTime::from_hms_opt(16, 0, 0).expect("time"));
                let starts = chrono_tz::Europe::Madrid
                    .from_local_datetime(&local)
                    .single()
                    .expect("local time")
                    .with_timezone(&Utc);
                slots.push((d.id, starts));
            }
        }
        day += Days::days(1);
    }
    let mut latencies = Vec::new();
    let mut b_changes = b.subscribe();
    for (doctor, starts) in slots.into_iter().take(60) {
        let t = Instant::now();
        let q = a
            .book(BookAppointment {
                doctor_id: doctor,
                patient_id: patient,
                room_id: None,
                starts_at: starts,
                ends_at: starts + Days::minutes(30),
                reason: Some("Bench".into()),
            })
            .expect("book");
        loop {
            if b.appointment(q.row_id).expect("read").is_some() {
                break;
            }
            tokio::time::timeout(Duration::from_secs(10), b_changes.changed())
                .await
                .expect("B sees the booking within 10 s")
                .expect("watch");
        }
        latencies.push(t.elapsed());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!("3. A books -> in B's store (load {})", load());
    summary("3. A to B with live pokes", latencies);
    for (_, handle) in desks {
        handle.shutdown().await;
    }

    // 4. Push throughput through the desk client: mutations queued offline
    // (register_patient), then pushed as SyncEngine::sync_once pushes them
    // (batches of MAX_PUSH, answers applied to the store). One desk alone,
    // then two desks at once.
    let mut pushers = Vec::new();
    for name in ["C", "D", "E"] {
        let dir = root.join(format!("desk-{name}"));
        let s = sessions(&dir);
        let signed = sign_in(&s, &server, &email, &format!("Desk {name}")).await;
        let p = signed.profile;
        copy_store(
            &synced_path,
            &clinic_client::paths::store_path(&dir, &p.server, p.clinic_id, p.user_id),
        );
        let desk = s.open_desk(&p).expect("open");
        let api: ApiClient = s.api(&p).expect("api");
        let t = Instant::now();
        for i in 0..PUSHED {
            desk.register_patient(NewPatient {
                full_name: format!("Pushed {name} {i}"),
                date_of_birth: None,
                sex: None,
                national_id: None,
                phone: Some(format!("+34 611 {i:06}")),
                email: None,
                address: None,
                email_consent: false,
            })
            .expect("register");
        }
        println!(
            "4. desk {name}: {PUSHED} register_patient queued locally in {:.2?}",
            t.elapsed()
        );
        pushers.push((desk, api, made.clinic_id));
    }
    let mut pushers = pushers.into_iter();
    let one = pushers.next().expect("desk C");
    let t = Instant::now();
    let applied = push_outbox(&one).await;
    let elapsed = t.elapsed();
    println!(
        "4. one desk: {applied} mutations applied in {elapsed:.2?}: {:.0}/s (load {})",
        applied as f64 / elapsed.as_secs_f64(),
        load()
    );
    let rest: Vec<_> = pushers.collect();
    let t = Instant::now();
    let applied: usize = futures::future::join_all(rest.iter().map(push_outbox))
        .await
        .into_iter()
        .sum();
    let elapsed = t.elapsed();
    println!(
        "4. two desks at once: {applied} mutations applied in {elapsed:.2?}: {:.0}/s (load {})",
        applied as f64 / elapsed.as_secs_f64(),
        load()
    );

    let _ = std::fs::remove_dir_all(&root);
    // The generated clinic is large: drop this run's database.
    app.db.close().await;
    let admin_url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
        let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", app.db_name);
        if let Err(e) = sqlx::query(&drop).execute(&mut admin).await {
            println!("could not drop {}: {e}", app.db_name);
        }
    }
    println!("load after: {}", load());
}

const PUSHED: usize = 2_000;

/// Pushes a desk's whole outbox the way `SyncEngine::sync_once` does;
/// returns how many mutations the server applied.
async fn push_outbox((desk, api, clinic): &(Desk, ApiClient, Uuid)) -> usize {
    let mut applied = 0;
    loop {
        let batch = desk.pending_batch(MAX_PUSH).expect("batch");
        if batch.is_empty() {
            return applied;
        }
        let answer = api
            .push(
                *clinic,
                &PushRequest {
                    mutations: batch.clone(),
                },
            )
            .await
            .expect("push");
        applied += desk
            .apply_push_response(&batch, &answer)
            .expect("apply answer")
            .applied;
    }
}

fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("clinic-bench-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
