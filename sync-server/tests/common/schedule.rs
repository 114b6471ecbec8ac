//! Doctors, their hours and rooms, made through the API as the clinic's
//! admin; and patients and appointments written straight to the database,
//! for tests that need them before (or without) their own endpoints.

use super::{Clinic, TestApp};
use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

/// A new active doctor named `name`, with no specialties and no account.
pub async fn create_doctor(app: &TestApp, clinic: &Clinic, name: &str) -> Uuid {
    let body = app
        .post(
            &clinic.path("/doctors"),
            &clinic.admin.token,
            json!({ "full_name": name }),
        )
        .await
        .expect(201);
    id_of(&body)
}

/// Replaces `doctor`'s week with `week`: (ISO weekday, "HH:MM", "HH:MM").
pub async fn set_hours(app: &TestApp, clinic: &Clinic, doctor: Uuid, week: &[(u8, &str, &str)]) {
    let hours: Vec<_> = week
        .iter()
        .map(|(weekday, starts, ends)| json!({"weekday": weekday, "starts": starts, "ends": ends}))
        .collect();
    app.put(
        &clinic.path(&format!("/doctors/{doctor}/hours")),
        &clinic.admin.token,
        json!({ "hours": hours }),
    )
    .await
    .expect(200);
}

/// A new active room named `name`.
pub async fn create_room(app: &TestApp, clinic: &Clinic, name: &str) -> Uuid {
    let body = app
        .post(
            &clinic.path("/rooms"),
            &clinic.admin.token,
            json!({ "name": name }),
        )
        .await
        .expect(201);
    id_of(&body)
}

/// A patient row, written directly (superuser, bypassing the API).
pub async fn insert_patient_row(app: &TestApp, clinic: &Clinic, full_name: &str) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO patients (clinic_id, id, full_name) VALUES ($1, $2, $3)")
        .bind(clinic.id)
        .bind(id)
        .bind(full_name)
        .execute(&app.db)
        .await
        .expect("insert patient");
    id
}

/// An appointment as stored, for [`insert_appointment_row`].
pub struct AppointmentRow {
    pub doctor_id: Uuid,
    pub patient_id: Uuid,
    pub room_id: Option<Uuid>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// `booked`, `checked_in`, `completed`, `cancelled` or `no_show`.
    pub status: &'static str,
}

/// An appointment row, written directly (superuser, bypassing the API and
/// its rules, though not the table's constraints).
pub async fn insert_appointment_row(app: &TestApp, clinic: &Clinic, a: AppointmentRow) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO appointments
             (clinic_id, id, doctor_id, patient_id, room_id, starts_at, ends_at, status, cancel_reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(clinic.id)
    .bind(id)
    .bind(a.doctor_id)
    .bind(a.patient_id)
    .bind(a.room_id)
    .bind(a.starts_at)
    .bind(a.ends_at)
    .bind(a.status)
    .bind((a.status == "cancelled").then_some("cancelled in a test"))
    .execute(&app.db)
    .await
    .expect("insert appointment");
    id
}

/// Cancels an appointment row directly.
pub async fn cancel_appointment_row(app: &TestApp, appointment: Uuid) {
    sqlx::query(
        "UPDATE appointments SET status = 'cancelled', cancel_reason = 'cancelled in a test'
         WHERE id = $1",
    )
    .bind(appointment)
    .execute(&app.db)
    .await
    .expect("cancel appointment");
}

fn id_of(body: &serde_json::Value) -> Uuid {
    body["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no id in {body}"))
}
