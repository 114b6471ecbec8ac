//! The agenda: days of the clinic's wall clock, the doctors shown with their
//! hours and time off, the rooms, and the appointments. Read locally: works
//! offline.

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use crate::wall_clock;
use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use clinic_client::{AgendaEntry, DayAgenda, Desk};
use clinic_core::api::doctors::DoctorView;
use clinic_core::api::rooms::RoomView;
use clinic_core::schedule::AppointmentStatus;
use serde::{Deserialize, Serialize};
use tauri::State;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Status {
    Booked,
    CheckedIn,
    Completed,
    Cancelled,
    NoShow,
}

impl From<AppointmentStatus> for Status {
    fn from(status: AppointmentStatus) -> Self {
        match status {
            AppointmentStatus::Booked => Status::Booked,
            AppointmentStatus::CheckedIn => Status::CheckedIn,
            AppointmentStatus::Completed => Status::Completed,
            AppointmentStatus::Cancelled => Status::Cancelled,
            AppointmentStatus::NoShow => Status::NoShow,
        }
    }
}

/// One appointment, with its times both as UTC instants and on the clinic's
/// wall clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Appointment {
    pub id: Uuid,
    /// UTC, RFC 3339.
    pub starts_at: String,
    pub ends_at: String,
    /// Clinic wall clock, `YYYY-MM-DDTHH:MM`.
    pub start: String,
    pub end: String,
    pub status: Status,
    pub doctor_id: Uuid,
    /// Absent when this desk cannot see the row.
    pub doctor_name: Option<String>,
    pub patient_id: Uuid,
    pub patient_name: Option<String>,
    pub room_id: Option<Uuid>,
    pub room_name: Option<String>,
    pub reason: Option<String>,
    pub cancel_reason: Option<String>,
    /// Changed on this desk and not yet confirmed by the server.
    pub pending: bool,
}

impl Appointment {
    pub fn from_entry(entry: &AgendaEntry, zone: Tz) -> Appointment {
        Appointment {
            id: entry.id,
            starts_at: entry.starts_at.to_rfc3339(),
            ends_at: entry.ends_at.to_rfc3339(),
            start: wall_clock::format(entry.starts_at, zone),
            end: wall_clock::format(entry.ends_at, zone),
            status: entry.status.into(),
            doctor_id: entry.doctor_id,
            doctor_name: entry.doctor_name.clone(),
            patient_id: entry.patient_id,
            patient_name: entry.patient_name.clone(),
            room_id: entry.room_id,
            room_name: entry.room_name.clone(),
            reason: entry.reason.clone(),
            cancel_reason: entry.cancel_reason.clone(),
            pending: entry.pending,
        }
    }
}

/// A stretch of the clinic's wall clock, `YYYY-MM-DDTHH:MM`, end excluded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct WallRange {
    pub start: String,
    pub end: String,
    /// Why (time off only).
    pub reason: Option<String>,
}

/// A doctor's day: when they work and when they are away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DoctorDay {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub working_hours: Vec<WallRange>,
    pub time_off: Vec<WallRange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AgendaDoctor {
    pub id: Uuid,
    pub full_name: String,
    pub specialties: Vec<String>,
    /// One per day shown, in order.
    pub days: Vec<DoctorDay>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Room {
    pub id: Uuid,
    pub name: String,
    /// Archived rooms are kept for history, not bookable.
    pub active: bool,
}

impl From<&RoomView> for Room {
    fn from(room: &RoomView) -> Self {
        Room {
            id: room.id,
            name: room.name.clone(),
            active: room.active,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AgendaRequest {
    /// `YYYY-MM-DD` on the clinic's calendar.
    pub date: String,
    /// 1: that day; 7: the Monday-to-Sunday week holding it.
    pub days: u8,
    /// One doctor, or all (a doctor always sees only their own agenda).
    pub doctor_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Agenda {
    pub time_zone: String,
    /// The clinic's today, `YYYY-MM-DD`.
    pub today: String,
    /// The days shown, `YYYY-MM-DD`, in order.
    pub days: Vec<String>,
    pub doctors: Vec<AgendaDoctor>,
    /// Rooms in use.
    pub rooms: Vec<Room>,
    /// Every appointment overlapping the days shown, cancelled ones
    /// included, by start.
    pub appointments: Vec<Appointment>,
}

fn doctor_day(
    desk: &Desk,
    doctor: &DoctorView,
    days: &[DayAgenda],
    zone: Tz,
) -> CommandResult<Vec<DoctorDay>> {
    let hours = desk.doctor_hours(doctor.id)?;
    let time_off = desk.doctor_time_off(doctor.id)?;
    Ok(days
        .iter()
        .map(|day| {
            let date = day.date.format("%Y-%m-%d").to_string();
            let weekday = u8::try_from(day.date.weekday().number_from_monday()).unwrap_or(0);
            let working_hours = hours
                .iter()
                .filter(|h| h.weekday == weekday)
                .map(|h| WallRange {
                    start: format!("{date}T{}", h.starts.format("%H:%M")),
                    end: format!("{date}T{}", h.ends.format("%H:%M")),
                    reason: None,
                })
                .collect();
            let time_off = time_off
                .iter()
                .filter(|t| t.starts_at < day.to && day.from < t.ends_at)
                .map(|t| WallRange {
                    start: wall_clock::format(t.starts_at.max(day.from), zone),
                    end: wall_clock::format(t.ends_at.min(day.to), zone),
                    reason: t.reason.clone(),
                })
                .collect();
            DoctorDay {
                date,
                working_hours,
                time_off,
            }
        })
        .collect())
}

/// Reads the agenda of `request` from `desk`; the body of the `agenda` command.
pub fn read(
    desk: &Desk,
    role: clinic_core::Role,
    request: &AgendaRequest,
) -> CommandResult<Agenda> {
    let date: NaiveDate = wall_clock::parse_date("date", &request.date)?;
    let zone = wall_clock::clinic_zone(desk)?;
    let doctor_id = match role {
        // The store holds only a doctor's own agenda; show their column alone.
        clinic_core::Role::Doctor => desk.my_doctor()?.map(|d| d.id).or(request.doctor_id),
        _ => request.doctor_id,
    };
    let days = match request.days {
        1 => vec![desk.day_agenda(date, doctor_id)?],
        7 => desk.week_agenda(date, doctor_id)?.days,
        other => {
            return Err(CommandError::invalid(
                "days",
                format!("the agenda shows 1 or 7 days, not {other}"),
            ));
        }
    };
    let doctors: Vec<DoctorView> = desk
        .doctors(false)?
        .into_iter()
        .filter(|d| doctor_id.is_none_or(|id| d.id == id))
        .collect();
    let doctors = doctors
        .iter()
        .map(|d| {
            Ok(AgendaDoctor {
                id: d.id,
                full_name: d.full_name.clone(),
                specialties: d.specialties.clone(),
                days: doctor_day(desk, d, &days, zone)?,
            })
        })
        .collect::<CommandResult<Vec<_>>>()?;
    let mut appointments: Vec<Appointment> = Vec::new();
    for day in &days {
        for entry in &day.appointments {
            // An appointment across midnight shows on both days; list it once.
            if !appointments.iter().any(|a| a.id == entry.id) {
                appointments.push(Appointment::from_entry(entry, zone));
            }
        }
    }
    Ok(Agenda {
        time_zone: zone.name().to_owned(),
        today: desk.today()?.format("%Y-%m-%d").to_string(),
        days: days
            .iter()
            .map(|d| d.date.format("%Y-%m-%d").to_string())
            .collect(),
        doctors,
        rooms: desk.rooms(false)?.iter().map(Room::from).collect(),
        appointments,
    })
}

/// Days of the agenda, local and offline.
#[tauri::command]
#[specta::specta]
pub async fn agenda(state: State<'_, AppState>, request: AgendaRequest) -> CommandResult<Agenda> {
    let (desk, profile) = state.desk().await?;
    read(&desk, profile.role, &request)
}
