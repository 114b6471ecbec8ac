//! Doctors: the list (local), their records (server only), weekly hours and
//! time off (queued like any action; work offline).

use crate::commands::remote;
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use crate::wall_clock;
use chrono::NaiveTime;
use clinic_client::Desk;
use clinic_core::ErrorCode;
use clinic_core::api::doctors::{DoctorView, NewDoctor, NewTimeOff, UpdateDoctor, WeekHours};
use clinic_core::schedule::WorkingHours;
use serde::{Deserialize, Serialize};
use tauri::State;
use uuid::Uuid;

/// One weekly working interval on the clinic's wall clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct WeeklyHours {
    /// Monday = 1 … Sunday = 7.
    pub weekday: u8,
    /// `HH:MM`.
    pub start: String,
    /// `HH:MM`, after `start`; 23:59 at the latest.
    pub end: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TimeOff {
    pub id: Uuid,
    /// Clinic wall clock, `YYYY-MM-DDTHH:MM`.
    pub start: String,
    pub end: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Doctor {
    pub id: Uuid,
    pub full_name: String,
    pub specialties: Vec<String>,
    /// The staff account that signs in as this doctor.
    pub user_id: Option<Uuid>,
    pub active: bool,
    /// By weekday, then start.
    pub hours: Vec<WeeklyHours>,
    /// By start.
    pub time_off: Vec<TimeOff>,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct NewDoctorRequest {
    pub full_name: String,
    pub specialties: Vec<String>,
    pub user_id: Option<Uuid>,
}

/// Absent fields stay as they are.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct UpdateDoctorRequest {
    pub id: Uuid,
    pub full_name: Option<String>,
    pub specialties: Option<Vec<String>>,
    /// `false` archives (refused while appointments are upcoming).
    pub active: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SetWorkingHoursRequest {
    pub doctor_id: Uuid,
    /// The whole week; replaces what was there.
    pub hours: Vec<WeeklyHours>,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AddTimeOffRequest {
    pub doctor_id: Uuid,
    /// Clinic wall clock, `YYYY-MM-DDTHH:MM`.
    pub start: String,
    pub end: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RemoveTimeOffRequest {
    pub doctor_id: Uuid,
    pub time_off_id: Uuid,
}

fn doctor_of(desk: &Desk, view: &DoctorView) -> CommandResult<Doctor> {
    let zone = wall_clock::clinic_zone(desk)?;
    Ok(Doctor {
        id: view.id,
        full_name: view.full_name.clone(),
        specialties: view.specialties.clone(),
        user_id: view.user_id,
        active: view.active,
        hours: desk
            .doctor_hours(view.id)?
            .iter()
            .map(|h| WeeklyHours {
                weekday: h.weekday,
                start: h.starts.format("%H:%M").to_string(),
                end: h.ends.format("%H:%M").to_string(),
            })
            .collect(),
        time_off: desk
            .doctor_time_off(view.id)?
            .iter()
            .map(|t| TimeOff {
                id: t.id,
                start: wall_clock::format(t.starts_at, zone),
                end: wall_clock::format(t.ends_at, zone),
                reason: t.reason.clone(),
            })
            .collect(),
    })
}

/// The doctor's record as this desk now has it.
fn doctor_by_id(desk: &Desk, id: Uuid) -> CommandResult<Doctor> {
    let view = desk
        .doctors(true)?
        .into_iter()
        .find(|d| d.id == id)
        .ok_or_else(|| CommandError::new(ErrorCode::NotFound, "No such doctor on this desk."))?;
    doctor_of(desk, &view)
}

fn time_of_day(field: &'static str, raw: &str) -> CommandResult<NaiveTime> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M")
        .map_err(|_| CommandError::invalid(field, format!("{raw:?} is not a time like 09:30")))
}

/// Doctors with their hours and time off; local, offline.
#[tauri::command]
#[specta::specta]
pub async fn doctors(
    state: State<'_, AppState>,
    include_inactive: bool,
) -> CommandResult<Vec<Doctor>> {
    state
        .on_desk(move |desk, _| {
            desk.doctors(include_inactive)?
                .iter()
                .map(|d| doctor_of(desk, d))
                .collect()
        })
        .await
}

/// Adds a doctor. Needs the server; the new doctor appears on this desk
/// with the sync it starts.
#[tauri::command]
#[specta::specta]
pub async fn create_doctor(
    state: State<'_, AppState>,
    request: NewDoctorRequest,
) -> CommandResult<Uuid> {
    let (api, clinic_id) = remote::client(&state).await?;
    let created = api
        .create_doctor(
            clinic_id,
            &NewDoctor {
                full_name: request.full_name,
                specialties: request.specialties,
                user_id: request.user_id,
            },
        )
        .await
        .map_err(remote::failed)?;
    remote::pull_soon(&state).await;
    Ok(created.id)
}

/// Changes a doctor's record. Needs the server.
#[tauri::command]
#[specta::specta]
pub async fn update_doctor(
    state: State<'_, AppState>,
    request: UpdateDoctorRequest,
) -> CommandResult<()> {
    let (api, clinic_id) = remote::client(&state).await?;
    api.update_doctor(
        clinic_id,
        request.id,
        &UpdateDoctor {
            full_name: request.full_name,
            specialties: request.specialties,
            user_id: None,
            active: request.active,
        },
    )
    .await
    .map_err(remote::failed)?;
    remote::pull_soon(&state).await;
    Ok(())
}

/// Replaces a doctor's weekly hours. Works offline.
#[tauri::command]
#[specta::specta]
pub async fn set_working_hours(
    state: State<'_, AppState>,
    request: SetWorkingHoursRequest,
) -> CommandResult<Doctor> {
    let hours = request
        .hours
        .iter()
        .map(|h| {
            Ok(WorkingHours {
                weekday: h.weekday,
                starts: time_of_day("start", &h.start)?,
                ends: time_of_day("end", &h.end)?,
            })
        })
        .collect::<CommandResult<Vec<_>>>()?;
    state
        .on_desk(move |desk, _| {
            desk.set_working_hours(request.doctor_id, WeekHours { hours })?;
            doctor_by_id(desk, request.doctor_id)
        })
        .await
}

/// Adds time off. Works offline.
#[tauri::command]
#[specta::specta]
pub async fn add_time_off(
    state: State<'_, AppState>,
    request: AddTimeOffRequest,
) -> CommandResult<Doctor> {
    state
        .on_desk(move |desk, _| {
            let zone = wall_clock::clinic_zone(desk)?;
            desk.add_time_off(
                request.doctor_id,
                NewTimeOff {
                    starts_at: wall_clock::parse("start", &request.start, zone)?,
                    ends_at: wall_clock::parse("end", &request.end, zone)?,
                    reason: request.reason.filter(|r| !r.trim().is_empty()),
                },
            )?;
            doctor_by_id(desk, request.doctor_id)
        })
        .await
}

/// Removes time off. Works offline.
#[tauri::command]
#[specta::specta]
pub async fn remove_time_off(
    state: State<'_, AppState>,
    request: RemoveTimeOffRequest,
) -> CommandResult<Doctor> {
    state
        .on_desk(move |desk, _| {
            desk.remove_time_off(request.doctor_id, request.time_off_id)?;
            doctor_by_id(desk, request.doctor_id)
        })
        .await
}
