//! Helpers for patient and appointment tests: doctors, hours, time off, rooms,
//! patients and appointments written straight into the database (as the
//! owner, bypassing the API), clinic-local times, and a ready-made practice
//! with one member of every role.

use super::{Answer, Clinic, Staff, TestApp};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Madrid;
use clinic_core::Role;
use serde_json::{Value, json};
use uuid::Uuid;

/// A doctor, optionally signed in as by the member `user_id`.
pub async fn insert_doctor(
    app: &TestApp,
    clinic_id: Uuid,
    name: &str,
    user_id: Option<Uuid>,
) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO doctors (clinic_id, id, full_name, user_id) VALUES ($1, $2, $3, $4)")
        .bind(clinic_id)
        .bind(id)
        .bind(name)
        .bind(user_id)
        .execute(&app.db)
        .await
        .expect("insert doctor");
    id
}

/// One weekly interval; `weekday` 1 = Monday, times as "HH:MM".
pub async fn insert_hours(
    app: &TestApp,
    clinic_id: Uuid,
    doctor: Uuid,
    weekday: i16,
    starts: &str,
    ends: &str,
) {
    sqlx::query(
        "INSERT INTO doctor_hours (clinic_id, id, doctor_id, weekday, starts, ends)
         VALUES ($1, $2, $3, $4, $5::time, $6::time)",
    )
    .bind(clinic_id)
    .bind(Uuid::now_v7())
    .bind(doctor)
    .bind(weekday)
    .bind(starts)
    .bind(ends)
    .execute(&app.db)
    .await
    .expect("insert hours");
}

/// The same hours on every day of the week.
pub async fn insert_week(app: &TestApp, clinic_id: Uuid, doctor: Uuid, starts: &str, ends: &str) {
    for weekday in 1..=7 {
        insert_hours(app, clinic_id, doctor, weekday, starts, ends).await;
    }
}

pub async fn insert_time_off(
    app: &TestApp,
    clinic_id: Uuid,
    doctor: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO doctor_time_off (clinic_id, id, doctor_id, starts_at, ends_at, reason)
         VALUES ($1, $2, $3, $4, $5, 'holiday')",
    )
    .bind(clinic_id)
    .bind(id)
    .bind(doctor)
    .bind(starts_at)
    .bind(ends_at)
    .execute(&app.db)
    .await
    .expect("insert time off");
    id
}

pub async fn insert_room(app: &TestApp, clinic_id: Uuid, name: &str) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO rooms (clinic_id, id, name) VALUES ($1, $2, $3)")
        .bind(clinic_id)
        .bind(id)
        .bind(name)
        .execute(&app.db)
        .await
        .expect("insert room");
    id
}

/// A patient with only a name.
pub async fn insert_patient(app: &TestApp, clinic_id: Uuid, name: &str) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO patients (clinic_id, id, full_name) VALUES ($1, $2, $3)")
        .bind(clinic_id)
        .bind(id)
        .bind(name)
        .execute(&app.db)
        .await
        .expect("insert patient");
    id
}

/// An appointment written directly, e.g. one in the past that the API
/// would refuse to book. `status` other than booked needs no cancel reason
/// except `cancelled`, which gets one.
pub async fn insert_appointment(
    app: &TestApp,
    clinic_id: Uuid,
    doctor: Uuid,
    patient: Uuid,
    starts_at: DateTime<Utc>,
    minutes: i64,
    status: &str,
) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO appointments (clinic_id, id, doctor_id, patient_id, starts_at, ends_at, status, cancel_reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $7 = 'cancelled' THEN 'test' END)",
    )
    .bind(clinic_id)
    .bind(id)
    .bind(doctor)
    .bind(patient)
    .bind(starts_at)
    .bind(starts_at + Duration::minutes(minutes))
    .bind(status)
    .execute(&app.db)
    .await
    .expect("insert appointment");
    id
}

/// `hour:minute` Madrid wall-clock time on `date`, as a UTC instant.
pub fn madrid(date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    Madrid
        .with_ymd_and_hms(date.year(), date.month(), date.day(), hour, minute, 0)
        .single()
        .expect("an unambiguous local time")
        .with_timezone(&Utc)
}

/// The Madrid date `days` from today.
pub fn day_ahead(days: i64) -> NaiveDate {
    (Utc::now().with_timezone(&Madrid) + Duration::days(days)).date_naive()
}

/// The Monday after the next spring-forward change in Madrid (clocks go
/// forward on the last Sunday of March) that is still ahead of us.
pub fn monday_after_next_spring_forward() -> NaiveDate {
    let today = day_ahead(0);
    (today.year()..)
        .map(|year| {
            let mut sunday = NaiveDate::from_ymd_opt(year, 3, 31).expect("date");
            while sunday.weekday() != Weekday::Sun {
                sunday = sunday.pred_opt().expect("date");
            }
            sunday.succ_opt().expect("date")
        })
        .find(|monday| *monday > today)
        .expect("a future spring")
}

/// A clinic with a member of every role: the doctor is linked to a doctor
/// row working 08:00–20:00 every day; a second doctor (no login) works the
/// same hours; one room.
pub struct Practice {
    pub clinic: Clinic,
    pub doctor: Staff,
    pub doctor_id: Uuid,
    pub other_doctor_id: Uuid,
    pub reception: Staff,
    pub worker: Staff,
    pub room: Uuid,
}

impl Practice {
    pub fn token(&self, role: Role) -> &str {
        match role {
            Role::Admin => &self.clinic.admin.token,
            Role::Doctor => &self.doctor.token,
            Role::Reception => &self.reception.token,
            Role::Worker => &self.worker.token,
        }
    }

    pub fn path(&self, rest: &str) -> String {
        self.clinic.path(rest)
    }
}

/// Signs up `name` and staffs it (emails are `<role>@<name>.example`).
pub async fn practice(app: &TestApp, name: &str) -> Practice {
    let domain = format!("{}.example", name.to_lowercase());
    let clinic = app.signup(name, &format!("admin@{domain}")).await;
    let doctor = app
        .add_staff(&clinic, Role::Doctor, &format!("doctor@{domain}"))
        .await;
    let reception = app
        .add_staff(&clinic, Role::Reception, &format!("reception@{domain}"))
        .await;
    let worker = app
        .add_staff(&clinic, Role::Worker, &format!("worker@{domain}"))
        .await;
    let doctor_id = insert_doctor(app, clinic.id, "Dr Ana Ruiz", Some(doctor.user_id)).await;
    let other_doctor_id = insert_doctor(app, clinic.id, "Dr Luis Vega", None).await;
    insert_week(app, clinic.id, doctor_id, "08:00", "20:00").await;
    insert_week(app, clinic.id, other_doctor_id, "08:00", "20:00").await;
    let room = insert_room(app, clinic.id, "Room 1").await;
    Practice {
        clinic,
        doctor,
        doctor_id,
        other_doctor_id,
        reception,
        worker,
        room,
    }
}

/// A booking body: `minutes` long from `starts_at`.
pub fn booking(doctor: Uuid, patient: Uuid, starts_at: DateTime<Utc>, minutes: i64) -> Value {
    json!({
        "doctor_id": doctor,
        "patient_id": patient,
        "starts_at": starts_at,
        "ends_at": starts_at + Duration::minutes(minutes),
    })
}

/// Books through the API as `token`.
pub async fn book(app: &TestApp, practice: &Practice, token: &str, body: Value) -> Answer {
    app.post(&practice.path("/appointments"), token, body).await
}

/// The id in a JSON answer.
pub fn id_of(body: &Value) -> Uuid {
    body["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no id in {body}"))
}

/// Audit entries with `action` about `entity_id` (any entity id when `None`).
pub async fn audits(app: &TestApp, action: &str, entity_id: Option<Uuid>) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = $1 AND ($2::uuid IS NULL OR entity_id = $2)",
    )
    .bind(action)
    .bind(entity_id)
    .fetch_one(&app.db)
    .await
    .expect("count audits")
}
