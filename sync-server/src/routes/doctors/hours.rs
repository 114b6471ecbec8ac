//! A doctor's weekly working hours: wall-clock intervals in the clinic's time
//! zone, read and replaced as a whole week.

use super::{DoctorPath, ensure_doctor, load_doctor};
use crate::auth::Member;
use crate::db::{self, Tx};
use crate::error::ApiResult;
use crate::extract::{Json, Path};
use crate::state::AppState;
use axum::extract::State;
use chrono::NaiveTime;
use clinic_core::api::doctors::WeekHours;
use clinic_core::schedule::WorkingHours;
use clinic_core::{ErrorBody, Permission};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_hours, set_hours))
}

async fn read_week(tx: &mut Tx, member: &Member, doctor_id: Uuid) -> ApiResult<WeekHours> {
    let rows: Vec<(i16, NaiveTime, NaiveTime)> = sqlx::query_as(
        "SELECT weekday, starts, ends FROM doctor_hours
         WHERE clinic_id = $1 AND doctor_id = $2 ORDER BY weekday, starts",
    )
    .bind(member.clinic_id)
    .bind(doctor_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(WeekHours {
        hours: rows
            .into_iter()
            .map(|(weekday, starts, ends)| WorkingHours {
                // The table's CHECK keeps weekday within 1..=7.
                weekday: weekday as u8,
                starts,
                ends,
            })
            .collect(),
    })
}

/// The doctor's week, by weekday (1 = Monday) and start; times are `HH:MM`.
#[utoipa::path(
    get, path = "/v1/clinics/{clinic_id}/doctors/{doctor_id}/hours", tag = "doctors", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("doctor_id" = Uuid, Path)),
    responses(
        (status = 200, body = WeekHours),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
async fn get_hours(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<DoctorPath>,
) -> ApiResult<Json<WeekHours>> {
    let doctor_id = path.doctor_id;
    member.require(Permission::DoctorsRead)?;
    let mut tx = member.begin(&state).await?;
    ensure_doctor(&mut tx, &member, doctor_id).await?;
    let week = read_week(&mut tx, &member, doctor_id).await?;
    tx.commit().await?;
    Ok(Json(week))
}

/// Replaces the doctor's whole week at once (an empty list clears it).
/// Intervals that stay the same keep their identity, so desks only sync what
/// changed. Appointments already booked are not touched.
#[utoipa::path(
    put, path = "/v1/clinics/{clinic_id}/doctors/{doctor_id}/hours", tag = "doctors", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), ("doctor_id" = Uuid, Path)), request_body = WeekHours,
    responses(
        (status = 200, description = "The week as now stored", body = WeekHours),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "Bad weekday or time, an interval ending before it starts, or two overlapping", body = ErrorBody),
    )
)]
async fn set_hours(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<DoctorPath>,
    Json(req): Json<WeekHours>,
) -> ApiResult<Json<WeekHours>> {
    let doctor_id = path.doctor_id;
    member.require(Permission::DoctorsManage)?;
    let week = req.parse()?;
    let mut tx = member.begin(&state).await?;
    // Two admins saving a week at once take turns instead of interleaving.
    load_doctor(&mut tx, &member, doctor_id, true).await?;

    let ids: Vec<Uuid> = week.iter().map(|_| Uuid::now_v7()).collect();
    let weekdays: Vec<i16> = week.iter().map(|h| i16::from(h.weekday)).collect();
    let starts: Vec<NaiveTime> = week.iter().map(|h| h.starts).collect();
    let ends: Vec<NaiveTime> = week.iter().map(|h| h.ends).collect();
    let removed = sqlx::query(
        "DELETE FROM doctor_hours h
         WHERE h.clinic_id = $1 AND h.doctor_id = $2
           AND NOT EXISTS (
               SELECT 1 FROM unnest($3::smallint[], $4::time[], $5::time[]) AS w(weekday, starts, ends)
               WHERE (w.weekday, w.starts, w.ends) = (h.weekday, h.starts, h.ends))",
    )
    .bind(member.clinic_id)
    .bind(doctor_id)
    .bind(&weekdays)
    .bind(&starts)
    .bind(&ends)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let added = sqlx::query(
        "INSERT INTO doctor_hours (clinic_id, id, doctor_id, weekday, starts, ends)
         SELECT $1, w.id, $2, w.weekday, w.starts, w.ends
         FROM unnest($3::uuid[], $4::smallint[], $5::time[], $6::time[]) AS w(id, weekday, starts, ends)
         WHERE NOT EXISTS (
             SELECT 1 FROM doctor_hours h
             WHERE h.clinic_id = $1 AND h.doctor_id = $2
               AND (h.weekday, h.starts, h.ends) = (w.weekday, w.starts, w.ends))",
    )
    .bind(member.clinic_id)
    .bind(doctor_id)
    .bind(&ids)
    .bind(&weekdays)
    .bind(&starts)
    .bind(&ends)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if removed + added > 0 {
        db::audit(
            &mut tx,
            &member,
            "doctor.hours_set",
            "doctor",
            Some(doctor_id),
        )
        .await?;
    }
    let stored = read_week(&mut tx, &member, doctor_id).await?;
    tx.commit().await?;
    Ok(Json(stored))
}
