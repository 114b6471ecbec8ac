//! A large generated clinic for benchmarks and load tests: N patients and M
//! appointments spread over doctors' past and future weeks, loaded set-wise.
//!
//! Bulk loading goes around the per-row triggers (as a superuser, with
//! `session_replication_role = replica`) and numbers the rows' sync versions
//! itself, then sets the clinic's counter past them. That also skips foreign
//! key checks, so every reference here comes from a join on rows just made;
//! the exclusion constraint (an index, not a trigger) still checks that no
//! doctor is double-booked.

use crate::auth::password::PasswordHasher;
use crate::config::Settings;
use crate::demo::DEMO_PASSWORD;
use anyhow::Context;
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use std::sync::Arc;
use uuid::Uuid;

pub struct Generated {
    pub clinic_id: Uuid,
    pub admin_email: String,
    pub patients: i64,
    pub appointments: i64,
}

/// Appointments per doctor per working day: 30-minute slots from 07:00 UTC
/// (08:00 or 09:00 in Madrid), inside the generated working hours.
const SLOTS_PER_DAY: i64 = 16;

pub async fn generate(
    settings: &Settings,
    name: &str,
    patients: i64,
    appointments: i64,
) -> anyhow::Result<Generated> {
    anyhow::ensure!(
        patients > 0 && appointments >= 0,
        "patients must be positive and appointments not negative"
    );
    let mut conn = PgConnection::connect_with(&settings.database.owner_options()?)
        .await
        .context("connecting as the database owner")?;
    let hasher = Arc::new(PasswordHasher::new(&settings.auth)?);
    let hash = hasher.hash(DEMO_PASSWORD.to_owned()).await?;
    let clinic_id = Uuid::now_v7();
    let admin_id = Uuid::now_v7();
    let admin_email = format!("admin+{}@bench.example", clinic_id.simple());
    // Enough doctors that each works about 2 years of weekdays in all.
    let doctors = (appointments / (SLOTS_PER_DAY * 500)).max(1);
    let days_per_doctor = (appointments + doctors * SLOTS_PER_DAY - 1) / (doctors * SLOTS_PER_DAY);

    let mut tx = conn.begin().await?;
    sqlx::query("SET LOCAL session_replication_role = replica")
        .execute(&mut *tx)
        .await?;
    let steps: [&str; 7] = [
        "INSERT INTO clinics (id, name, time_zone, locale, currency) VALUES ($1, $2, 'Europe/Madrid', 'en', 'EUR')",
        "INSERT INTO clinic_sync_counters (clinic_id) VALUES ($1)",
        "INSERT INTO users (id, email, full_name, password_hash) VALUES ($3, $4, 'Bench Admin', $5)",
        "INSERT INTO memberships (clinic_id, user_id, role, is_owner) VALUES ($1, $3, 'admin', true)",
        // Doctors, each working Monday to Friday 08:00-18:00 clinic time.
        "INSERT INTO doctors (clinic_id, id, full_name, specialties, version)
         SELECT $1, gen_random_uuid(), 'Dr. Bench ' || d, ARRAY['General practice'], d
         FROM generate_series(1, $6) d",
        "INSERT INTO doctor_hours (clinic_id, id, doctor_id, weekday, starts, ends, version)
         SELECT $1, gen_random_uuid(), id, wd, '08:00', '18:00', $6 + row_number() OVER ()
         FROM doctors, generate_series(1, 5) wd WHERE clinic_id = $1",
        "INSERT INTO patients (clinic_id, id, full_name, phone, email, email_consent, version)
         SELECT $1, gen_random_uuid(),
                (ARRAY['Ana','Luis','Carmen','Javier','Lucía','Miguel','Sofía','Daniel','Paula','Hugo'])[1 + p % 10]
                || ' ' || (ARRAY['Martín','López','Sánchez','Pérez','Gómez','Fernández','Moreno','Jiménez'])[1 + (p / 10) % 8]
                || ' ' || p,
                '+34 600 ' || lpad(p::text, 6, '0'), 'patient' || p || '@patients.example', p % 3 <> 0,
                $6 * 6 + p
         FROM generate_series(1, $7) p",
    ];
    for sql in steps {
        sqlx::query(sql)
            .bind(clinic_id)
            .bind(name)
            .bind(admin_id)
            .bind(&admin_email)
            .bind(&hash)
            .bind(doctors)
            .bind(patients)
            .execute(&mut *tx)
            .await
            .with_context(|| format!("generating: {}", sql.lines().next().unwrap_or_default()))?;
    }
    // Slots run from `days_per_doctor / 2` working days ago to as many ahead.
    sqlx::query(
        "WITH docs AS (
             SELECT id, row_number() OVER (ORDER BY id) - 1 AS d FROM doctors WHERE clinic_id = $1
         ), days AS (
             SELECT day, row_number() OVER (ORDER BY day) - 1 AS n
             FROM generate_series(current_date - ($2 / 2 * 7 / 5 + 7)::int, current_date + ($2 * 7 / 5 + 14)::int, interval '1 day') day
             WHERE extract(isodow FROM day) < 6
         ), pats AS (
             SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM patients WHERE clinic_id = $1
         ), slots AS (
             SELECT docs.id AS doctor_id, docs.d, days.day, s,
                    row_number() OVER (ORDER BY days.day, docs.d, s) AS k
             FROM docs, days, generate_series(0, $3 - 1) s
             WHERE days.n < $2
         )
         INSERT INTO appointments (clinic_id, id, doctor_id, patient_id, starts_at, ends_at, status, reason, cancel_reason, version)
         SELECT $1, gen_random_uuid(), doctor_id,
                pats.id,
                (day + time '07:00' + s * interval '30 minutes') AT TIME ZONE 'UTC',
                (day + time '07:30' + s * interval '30 minutes') AT TIME ZONE 'UTC',
                CASE WHEN day >= current_date THEN 'booked'
                     WHEN k % 20 = 0 THEN 'cancelled' WHEN k % 17 = 0 THEN 'no_show' ELSE 'completed' END,
                'Check-up',
                CASE WHEN day < current_date AND k % 20 = 0 THEN 'Patient called' END,
                $5 * 6 + $6 + k
         FROM slots JOIN pats ON pats.n = (slots.k * 7919) % $6
         WHERE k <= $4",
    )
    .bind(clinic_id)
    .bind(days_per_doctor)
    .bind(SLOTS_PER_DAY)
    .bind(appointments)
    .bind(doctors)
    .bind(patients)
    .execute(&mut *tx)
    .await
    .context("generating appointments")?;
    sqlx::query(
        "UPDATE clinic_sync_counters SET version = (
             SELECT max(v) FROM (
                 SELECT max(version) v FROM doctors WHERE clinic_id = $1 UNION ALL
                 SELECT max(version) FROM doctor_hours WHERE clinic_id = $1 UNION ALL
                 SELECT max(version) FROM patients WHERE clinic_id = $1 UNION ALL
                 SELECT max(version) FROM appointments WHERE clinic_id = $1) t)
         WHERE clinic_id = $1",
    )
    .bind(clinic_id)
    .execute(&mut *tx)
    .await?;
    let made: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM patients WHERE clinic_id = $1), (SELECT count(*) FROM appointments WHERE clinic_id = $1)",
    )
    .bind(clinic_id)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    sqlx::query("ANALYZE patients, appointments")
        .execute(&mut conn)
        .await?;
    Ok(Generated {
        clinic_id,
        admin_email,
        patients: made.0,
        appointments: made.1,
    })
}
