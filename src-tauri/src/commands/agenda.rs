//! The agenda: days of the clinic's wall clock, the doctors shown with their
//! hours and time off, the rooms, and the appointments. Read locally: works
//! offline.

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use crate::wall_clock;
use chrono::{Datelike, Days, NaiveDate};
use chrono_tz::Tz;
use clinic_client::{AgendaEntry, DayAgenda, Desk};
use clinic_core::api::doctors::DoctorView;
use clinic_core::api::rooms::RoomView;
use clinic_core::schedule::AppointmentStatus;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use tauri::State;
use uuid::Uuid;

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
    pub status: AppointmentStatus,
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
            status: entry.status,
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
    /// The doctors whose columns are shown, at most 25 (`MAX_SHOWN_DOCTORS`)
    /// (a doctor always sees only their own agenda). The UI shows a page of
    /// doctors at a time: a whole clinic's week would be a payload and a
    /// grid no one can read. Empty: none, only the roster.
    pub doctor_ids: Vec<Uuid>,
}

/// The most doctors one agenda request may show side by side.
pub const MAX_SHOWN_DOCTORS: usize = 25;

/// A doctor of the clinic as the agenda's pickers list them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RosterDoctor {
    pub id: Uuid,
    pub full_name: String,
    pub specialties: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Agenda {
    pub time_zone: String,
    /// The clinic's today, `YYYY-MM-DD`.
    pub today: String,
    /// The days shown, `YYYY-MM-DD`, in order.
    pub days: Vec<String>,
    /// Every active doctor this desk sees, by name: what the UI pages through.
    pub roster: Vec<RosterDoctor>,
    /// The doctors asked for, in roster order, with their days.
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
    if request.doctor_ids.len() > MAX_SHOWN_DOCTORS {
        return Err(CommandError::invalid(
            "doctorIds",
            format!("the agenda shows at most {MAX_SHOWN_DOCTORS} doctors at a time"),
        ));
    }
    if !matches!(request.days, 1 | 7) {
        return Err(CommandError::invalid(
            "days",
            format!("the agenda shows 1 or 7 days, not {}", request.days),
        ));
    }
    let mine = match role {
        // The store holds only a doctor's own agenda; show their column alone.
        clinic_core::Role::Doctor => desk.my_doctor()?.map(|d| d.id),
        _ => None,
    };
    let roster: Vec<DoctorView> = desk
        .doctors(false)?
        .into_iter()
        .filter(|d| mine.is_none_or(|id| d.id == id))
        .collect();
    let shown: Vec<&DoctorView> = roster
        .iter()
        .filter(|d| mine.is_some() || request.doctor_ids.contains(&d.id))
        .collect();
    // One indexed read per doctor shown (appointments by doctor and start):
    // a page of doctors costs what it shows, not what the clinic holds.
    let mut doctors = Vec::with_capacity(shown.len());
    let mut appointments: Vec<Appointment> = Vec::new();
    let mut listed = HashSet::new();
    for doctor in shown {
        let days = match request.days {
            1 => vec![desk.day_agenda(date, Some(doctor.id))?],
            _ => desk.week_agenda(date, Some(doctor.id))?.days,
        };
        for entry in days.iter().flat_map(|day| &day.appointments) {
            // An appointment across midnight shows on both days; list it once.
            if listed.insert(entry.id) {
                appointments.push(Appointment::from_entry(entry, zone));
            }
        }
        doctors.push(AgendaDoctor {
            id: doctor.id,
            full_name: doctor.full_name.clone(),
            specialties: doctor.specialties.clone(),
            days: doctor_day(desk, doctor, &days, zone)?,
        });
    }
    appointments.sort_by(|a, b| a.starts_at.cmp(&b.starts_at).then(a.id.cmp(&b.id)));
    let first = match request.days {
        1 => date,
        _ => date - Days::new(u64::from(date.weekday().num_days_from_monday())),
    };
    Ok(Agenda {
        time_zone: zone.name().to_owned(),
        today: desk.today()?.format("%Y-%m-%d").to_string(),
        days: first
            .iter_days()
            .take(usize::from(request.days))
            .map(|d| d.format("%Y-%m-%d").to_string())
            .collect(),
        roster: roster
            .iter()
            .map(|d| RosterDoctor {
                id: d.id,
                full_name: d.full_name.clone(),
                specialties: d.specialties.clone(),
            })
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
    state
        .on_desk(move |desk, profile| read(desk, profile.role, &request))
        .await
}
