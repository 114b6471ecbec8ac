//! The demo clinic: staff for every role, doctors with their weeks, rooms,
//! patients and a fortnight of agenda from today, so the app has something
//! real to show. Idempotent: if the demo admin exists, nothing is done.

use crate::auth::password::PasswordHasher;
use crate::config::Settings;
use crate::db;
use anyhow::Context;
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use clinic_core::schedule::{TimeRange, WorkingHours, fits_working_hours};
use sqlx::postgres::PgPoolOptions;
use std::sync::Arc;
use uuid::Uuid;

pub const DEMO_PASSWORD: &str = "demo-clinic-2026";
const ZONE: chrono_tz::Tz = chrono_tz::Europe::Madrid;

/// (email, full name, role)
const STAFF: [(&str, &str, &str); 5] = [
    ("admin@demo-clinic.example", "Marta Ruiz", "admin"),
    ("reception@demo-clinic.example", "Pablo Díaz", "reception"),
    ("dr.garcia@demo-clinic.example", "Elena García", "doctor"),
    ("dr.chen@demo-clinic.example", "Wei Chen", "doctor"),
    ("radiology@demo-clinic.example", "Ravi Patel", "worker"),
];

const FIRST: [&str; 16] = [
    "Ana", "Luis", "Carmen", "Javier", "Lucía", "Miguel", "Sofía", "Daniel", "Paula", "Hugo",
    "Irene", "Álvaro", "Noa", "Mateo", "Olivia", "Samuel",
];
const LAST: [&str; 12] = [
    "Martín",
    "López",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Fernández",
    "Moreno",
    "Jiménez",
    "Romero",
    "Navarro",
    "Torres",
    "Vidal",
];
const REASONS: [&str; 6] = [
    "Check-up",
    "Follow-up",
    "Skin rash",
    "Vaccination",
    "Blood test results",
    "Back pain",
];

/// (linked staff account, name, specialties, week)
type DemoDoctor = (
    Option<Uuid>,
    &'static str,
    &'static [&'static str],
    Vec<WorkingHours>,
);

/// A tiny deterministic generator, so every demo clinic looks the same.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

pub async fn seed(settings: &Settings) -> anyhow::Result<()> {
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect_with(settings.database.app_options()?)
        .await
        .context("connecting as the application role")?;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)")
        .bind(STAFF[0].0)
        .fetch_one(&pool)
        .await?;
    if exists {
        println!(
            "The demo clinic is already there; sign in as {} / {DEMO_PASSWORD}",
            STAFF[0].0
        );
        return Ok(());
    }
    let hasher = Arc::new(PasswordHasher::new(&settings.auth)?);
    let hash = hasher.hash(DEMO_PASSWORD.to_owned()).await?;
    let clinic = Uuid::now_v7();
    let mut tx = db::begin_clinic(&pool, clinic).await?;
    sqlx::query("INSERT INTO clinics (id, name, time_zone, locale, currency) VALUES ($1, 'Demo Clinic', $2, 'en', 'EUR')")
        .bind(clinic)
        .bind(ZONE.name())
        .execute(&mut *tx)
        .await?;

    let mut users = Vec::new();
    for (i, (email, name, role)) in STAFF.iter().enumerate() {
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO users (id, email, full_name, password_hash) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(email)
        .bind(name)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO memberships (clinic_id, user_id, role, is_owner) VALUES ($1, $2, $3, $4)",
        )
        .bind(clinic)
        .bind(id)
        .bind(role)
        .bind(i == 0)
        .execute(&mut *tx)
        .await?;
        users.push(id);
    }

    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("valid time");
    let split_week = |days: &[u8]| -> Vec<WorkingHours> {
        days.iter()
            .flat_map(|&d| {
                [
                    WorkingHours {
                        weekday: d,
                        starts: t(9, 0),
                        ends: t(13, 0),
                    },
                    WorkingHours {
                        weekday: d,
                        starts: t(15, 0),
                        ends: t(19, 0),
                    },
                ]
            })
            .collect()
    };
    let doctors: [DemoDoctor; 3] = [
        (
            Some(users[2]),
            "Dr. Elena García",
            &["General practice"],
            split_week(&[1, 2, 3, 4, 5]),
        ),
        (
            Some(users[3]),
            "Dr. Wei Chen",
            &["Dermatology"],
            [1, 2, 3, 4]
                .iter()
                .map(|&d| WorkingHours {
                    weekday: d,
                    starts: t(10, 0),
                    ends: t(18, 0),
                })
                .collect(),
        ),
        (
            None,
            "Dr. Sara Okafor",
            &["Pediatrics", "General practice"],
            vec![
                WorkingHours {
                    weekday: 2,
                    starts: t(9, 0),
                    ends: t(14, 0),
                },
                WorkingHours {
                    weekday: 4,
                    starts: t(9, 0),
                    ends: t(14, 0),
                },
                WorkingHours {
                    weekday: 6,
                    starts: t(10, 0),
                    ends: t(13, 0),
                },
            ],
        ),
    ];
    let mut doctor_ids = Vec::new();
    for (user, name, specialties, week) in &doctors {
        let id = Uuid::now_v7();
        sqlx::query("INSERT INTO doctors (clinic_id, id, user_id, full_name, specialties) VALUES ($1, $2, $3, $4, $5)")
            .bind(clinic)
            .bind(id)
            .bind(user)
            .bind(name)
            .bind(specialties)
            .execute(&mut *tx)
            .await?;
        for h in week {
            sqlx::query(
                "INSERT INTO doctor_hours (clinic_id, id, doctor_id, weekday, starts, ends) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(clinic)
            .bind(Uuid::now_v7())
            .bind(id)
            .bind(i16::from(h.weekday))
            .bind(h.starts)
            .bind(h.ends)
            .execute(&mut *tx)
            .await?;
        }
        doctor_ids.push(id);
    }

    let mut room_ids = Vec::new();
    for name in ["Consulting room 1", "Consulting room 2", "Treatment room"] {
        let id = Uuid::now_v7();
        sqlx::query("INSERT INTO rooms (clinic_id, id, name) VALUES ($1, $2, $3)")
            .bind(clinic)
            .bind(id)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        room_ids.push(id);
    }

    let mut rng = Lcg(2026);
    let mut patient_ids = Vec::new();
    for i in 0..48 {
        let first = FIRST[i % FIRST.len()];
        let last = LAST[(i * 7 + i / FIRST.len()) % LAST.len()];
        let id = Uuid::now_v7();
        let consent = i % 3 != 0;
        let email =
            consent.then(|| format!("{}.{}{i}@patients.example", ascii(first), ascii(last)));
        let born = NaiveDate::from_ymd_opt(
            1940 + (i as i32 * 7) % 80,
            1 + (i as u32 % 12),
            1 + (i as u32 % 28),
        );
        sqlx::query(
            "INSERT INTO patients (clinic_id, id, full_name, date_of_birth, phone, email, email_consent, email_consent_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $7 THEN now() END)",
        )
        .bind(clinic)
        .bind(id)
        .bind(format!("{first} {last}"))
        .bind(born)
        .bind(format!("+34 6{:02} {:03} {:03}", i, rng.next(1000), rng.next(1000)))
        .bind(email)
        .bind(consent)
        .execute(&mut *tx)
        .await?;
        patient_ids.push(id);
    }

    // Two weeks of agenda from today, 30-minute slots inside each doctor's hours.
    let today = Utc::now().with_timezone(&ZONE).date_naive();
    let now = Utc::now();
    let mut booked = 0;
    for day in 0..14 {
        let date = today + Duration::days(day);
        for (d, (_, _, _, week)) in doctors.iter().enumerate() {
            let weekday = date.weekday().number_from_monday() as u8;
            for h in week.iter().filter(|h| h.weekday == weekday) {
                let mut slot = h.starts;
                while slot < h.ends {
                    let take = rng.next(10) < 6;
                    let Some(start) = ZONE.from_local_datetime(&date.and_time(slot)).single()
                    else {
                        slot += Duration::minutes(30);
                        continue;
                    };
                    let start = start.with_timezone(&Utc);
                    let range = TimeRange::appointment(start, start + Duration::minutes(30))?;
                    if take && fits_working_hours(range, ZONE, week, &[]) {
                        let status = if range.ends_at < now {
                            ["completed", "completed", "completed", "no_show"][rng.next(4)]
                        } else if range.starts_at < now {
                            "checked_in"
                        } else {
                            "booked"
                        };
                        sqlx::query(
                            "INSERT INTO appointments (clinic_id, id, doctor_id, patient_id, room_id, starts_at, ends_at, status, reason, created_by)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                        )
                        .bind(clinic)
                        .bind(Uuid::now_v7())
                        .bind(doctor_ids[d])
                        .bind(patient_ids[rng.next(patient_ids.len())])
                        .bind(room_ids[d])
                        .bind(range.starts_at)
                        .bind(range.ends_at)
                        .bind(status)
                        .bind(REASONS[rng.next(REASONS.len())])
                        .bind(users[1])
                        .execute(&mut *tx)
                        .await?;
                        booked += 1;
                    }
                    slot += Duration::minutes(30);
                }
            }
        }
    }

    sqlx::query(
        "INSERT INTO external_workers (clinic_id, id, user_id, full_name, email, specialties, rate_per_report_minor, currency, turnaround_hours, availability_note)
         VALUES ($1, $2, $3, 'Dr. Ravi Patel', $4, ARRAY['Radiology'], 4500, 'EUR', 48, 'Weekdays; urgent reports within 24 h')",
    )
    .bind(clinic)
    .bind(Uuid::now_v7())
    .bind(users[4])
    .bind(STAFF[4].0)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    println!(
        "Seeded the demo clinic: {} staff, {} doctors, {} rooms, {} patients, {booked} appointments.",
        STAFF.len(),
        doctor_ids.len(),
        room_ids.len(),
        patient_ids.len()
    );
    println!(
        "Sign in as {} (or reception@, dr.garcia@, dr.chen@, radiology@demo-clinic.example) with password {DEMO_PASSWORD}",
        STAFF[0].0
    );
    pool.close().await;
    Ok(())
}

/// Email-safe spelling of a name.
fn ascii(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'á' | 'Á' => 'a',
            'é' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' => 'u',
            other => other.to_ascii_lowercase(),
        })
        .collect()
}
