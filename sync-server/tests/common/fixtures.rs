//! A clinic with a row in every clinic-owned table, written as the database
//! owner (bypassing the API), for isolation tests.

use super::{Clinic, TestApp};
use uuid::Uuid;

/// The ids of the rows [`fill_clinic`] made.
pub struct Filled {
    pub id: Uuid,
    pub clinic: Clinic,
    pub doctor: Uuid,
    pub patient: Uuid,
    pub room: Uuid,
    pub worker: Uuid,
    pub order: Uuid,
    pub appointment: Uuid,
    pub time_off: Uuid,
    pub invitation: Uuid,
    pub note: Uuid,
}

/// Signs up `name` and fills every clinic-owned table with a row for it.
pub async fn fill_clinic(app: &TestApp, name: &str) -> Filled {
    let clinic = app
        .signup(name, &format!("owner@{}.example", name.to_lowercase()))
        .await;
    let f = Filled {
        id: clinic.id,
        doctor: Uuid::now_v7(),
        patient: Uuid::now_v7(),
        room: Uuid::now_v7(),
        worker: Uuid::now_v7(),
        order: Uuid::now_v7(),
        appointment: Uuid::now_v7(),
        time_off: Uuid::now_v7(),
        invitation: Uuid::now_v7(),
        note: Uuid::now_v7(),
        clinic,
    };
    let statements = [
        "INSERT INTO doctors (clinic_id, id, full_name, user_id) VALUES ($1, $2, 'Dr Who', $6)",
        "INSERT INTO doctor_hours (clinic_id, id, doctor_id, weekday, starts, ends) VALUES ($1, gen_random_uuid(), $2, 1, '09:00', '17:00')",
        "INSERT INTO doctor_time_off (clinic_id, id, doctor_id, starts_at, ends_at) VALUES ($1, $9, $2, now() + interval '30 days', now() + interval '31 days')",
        "INSERT INTO rooms (clinic_id, id, name) VALUES ($1, $4, 'Room 1')",
        "INSERT INTO patients (clinic_id, id, full_name, email, email_consent) VALUES ($1, $3, 'Pat Private of ' || (SELECT name FROM clinics WHERE id = $1), 'pat@patients.example', true)",
        "INSERT INTO clinical_notes (clinic_id, id, patient_id, author_id, body) VALUES ($1, $11, $3, $6, 'confidential note')",
        "INSERT INTO appointments (clinic_id, id, doctor_id, patient_id, room_id, starts_at, ends_at) VALUES ($1, $8, $2, $3, $4, date_trunc('hour', now()) + interval '7 days', date_trunc('hour', now()) + interval '7 days 30 minutes')",
        "INSERT INTO external_workers (clinic_id, id, full_name, email, rate_per_report_minor, currency) VALUES ($1, $5, 'Rad', 'rad@example.com', 5000, 'EUR')",
        "INSERT INTO report_orders (clinic_id, id, worker_id, specialty, instructions, price_minor, currency, created_by) VALUES ($1, $7, $5, 'radiology', 'chest x-ray', 5000, 'EUR', $6)",
        "INSERT INTO payments (clinic_id, id, order_id, amount_minor, currency) VALUES ($1, gen_random_uuid(), $7, 5000, 'EUR')",
        "INSERT INTO invitations (clinic_id, id, email, role, token_hash, invited_by, expires_at) VALUES ($1, $10, 'new@example.com', 'reception', sha256(gen_random_uuid()::text::bytea), $6, now() + interval '1 day')",
        "INSERT INTO email_outbox (clinic_id, id, kind, to_email, locale, idempotency_key) VALUES ($1, gen_random_uuid(), 'test', 'x@example.com', 'en', gen_random_uuid()::text)",
        "INSERT INTO sync_mutations (clinic_id, device_id, seq, mutation_id, name, user_id, result) VALUES ($1, gen_random_uuid(), 1, gen_random_uuid(), 'book', $6, '{}')",
        // A deleted row leaves a tombstone, so sync_tombstones gets one too.
        "INSERT INTO doctor_time_off (clinic_id, id, doctor_id, starts_at, ends_at, reason) VALUES ($1, gen_random_uuid(), $2, now(), now() + interval '1 day', 'gone')",
        "DELETE FROM doctor_time_off WHERE clinic_id = $1 AND reason = 'gone'",
    ];
    for sql in statements {
        sqlx::query(sql)
            .bind(f.id)
            .bind(f.doctor)
            .bind(f.patient)
            .bind(f.room)
            .bind(f.worker)
            .bind(f.clinic.admin.user_id)
            .bind(f.order)
            .bind(f.appointment)
            .bind(f.time_off)
            .bind(f.invitation)
            .bind(f.note)
            .execute(&app.db)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    f
}
