//! A small clinic in Madrid, as the server would send it, and desks opened
//! on it; its rows one by one for tests that build their own.

use crate::{Clock, Desk, DeskIdentity, PullKind, Store};
use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use clinic_core::Role;
use clinic_core::api::appointments::BookAppointment;
use clinic_core::api::clinic::ClinicView;
use clinic_core::api::doctors::DoctorView;
use clinic_core::api::patients::PatientView;
use clinic_core::api::rooms::RoomView;
use clinic_core::schedule::{AppointmentStatus, WorkingHours};
use clinic_core::sync::{AppointmentRow, Change, HoursRow, PullPage, SyncRow};
use std::path::Path;
use uuid::Uuid;

pub fn madrid(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Madrid
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("an unambiguous Madrid time")
        .with_timezone(&Utc)
}

/// The desks' "now": Friday 2026-03-20, 09:00 in Madrid.
pub fn now() -> DateTime<Utc> {
    madrid(2026, 3, 20, 9, 0)
}

pub fn created() -> DateTime<Utc> {
    madrid(2026, 1, 5, 9, 0)
}

pub struct World {
    pub clinic: ClinicView,
    pub garcia: DoctorView,
    pub chen: DoctorView,
    pub hours: Vec<HoursRow>,
    pub lucia: PatientView,
    pub mateo: PatientView,
    pub archived: PatientView,
    pub room1: RoomView,
    pub room2: RoomView,
    pub reception_user: Uuid,
}

pub fn patient(name: &str, phone: Option<&str>, email: Option<&str>) -> PatientView {
    PatientView {
        id: Uuid::now_v7(),
        full_name: name.into(),
        date_of_birth: None,
        sex: None,
        national_id: None,
        phone: phone.map(str::to_owned),
        email: email.map(str::to_owned),
        address: None,
        email_consent: false,
        email_consent_at: None,
        archived_at: None,
        created_at: created(),
        updated_at: created(),
    }
}

pub fn doctor(name: &str, user_id: Option<Uuid>) -> DoctorView {
    DoctorView {
        id: Uuid::now_v7(),
        full_name: name.into(),
        specialties: vec![],
        user_id,
        active: true,
        created_at: created(),
        updated_at: created(),
    }
}

pub fn room(name: &str) -> RoomView {
    RoomView {
        id: Uuid::now_v7(),
        name: name.into(),
        active: true,
        created_at: created(),
        updated_at: created(),
    }
}

/// Clínica Sol, in Madrid.
pub fn clinic() -> ClinicView {
    ClinicView {
        id: Uuid::now_v7(),
        name: "Clínica Sol".into(),
        time_zone: "Europe/Madrid".into(),
        locale: "es".into(),
        currency: "EUR".into(),
        created_at: created(),
    }
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

impl World {
    pub fn new() -> World {
        let garcia = doctor("Dra. Elena García", Some(Uuid::now_v7()));
        let chen = doctor("Dr. Wei Chen", None);
        // Both work every day 08:00–20:00, so tests pick any day.
        let hours = [&garcia, &chen]
            .iter()
            .flat_map(|d| {
                (1..=7).map(|weekday| HoursRow {
                    id: Uuid::now_v7(),
                    doctor_id: d.id,
                    hours: WorkingHours {
                        weekday,
                        starts: NaiveTime::from_hms_opt(8, 0, 0).expect("t"),
                        ends: NaiveTime::from_hms_opt(20, 0, 0).expect("t"),
                    },
                })
            })
            .collect();
        let mut archived = patient("Antonio Viejo", None, None);
        archived.archived_at = Some(created());
        World {
            clinic: clinic(),
            garcia,
            chen,
            hours,
            lucia: patient(
                "Lucía Pérez Núñez",
                Some("+34 600 100 200"),
                Some("lucia.perez@example.com"),
            ),
            mateo: patient("Mateo Ruiz", Some("611 222 333"), None),
            archived,
            room1: room("Sala 1"),
            room2: room("Sala 2"),
            reception_user: Uuid::now_v7(),
        }
    }

    pub fn rows(&self) -> Vec<SyncRow> {
        let mut rows = vec![
            SyncRow::Clinic(self.clinic.clone()),
            SyncRow::Doctors(self.garcia.clone()),
            SyncRow::Doctors(self.chen.clone()),
            SyncRow::Rooms(self.room1.clone()),
            SyncRow::Rooms(self.room2.clone()),
            SyncRow::Patients(self.lucia.clone()),
            SyncRow::Patients(self.mateo.clone()),
            SyncRow::Patients(self.archived.clone()),
        ];
        rows.extend(self.hours.iter().cloned().map(SyncRow::DoctorHours));
        rows
    }

    pub fn identity(&self, role: Role) -> DeskIdentity {
        DeskIdentity {
            clinic_id: self.clinic.id,
            user_id: match role {
                Role::Doctor => self.garcia.user_id.expect("linked"),
                _ => self.reception_user,
            },
            role,
        }
    }

    /// An in-memory desk that has pulled the clinic (versions 1..=n).
    pub fn desk(&self, role: Role) -> Desk {
        pulled_desk(self.rows(), self.identity(role), Clock::fixed(now()))
    }

    pub fn desk_at(&self, path: &Path, role: Role) -> Desk {
        Desk::with_store(
            Store::open(path).expect("store"),
            self.identity(role),
            Clock::fixed(now()),
        )
    }

    pub fn seed(&self, desk: &Desk) {
        let rows = self.rows();
        let n = rows.len() as i64;
        desk.apply_pull_page(&page_of(1, rows, false), PullKind::Changes)
            .expect("seed");
        assert_eq!(desk.cursor().expect("cursor"), n);
    }
}

/// An in-memory desk of `identity` on `clock` that has pulled `rows`
/// (versions 1..=n).
pub fn pulled_desk(rows: Vec<SyncRow>, identity: DeskIdentity, clock: Clock) -> Desk {
    let desk = Desk::with_store(Store::open_in_memory().expect("store"), identity, clock);
    let n = rows.len() as i64;
    desk.apply_pull_page(&page_of(1, rows, false), PullKind::Changes)
        .expect("pulled");
    assert_eq!(desk.cursor().expect("cursor"), n);
    desk
}

/// A page of upserts numbered from `first_version`.
pub fn page_of(first_version: i64, rows: Vec<SyncRow>, has_more: bool) -> PullPage {
    let changes: Vec<Change> = rows
        .into_iter()
        .enumerate()
        .map(|(i, row)| Change::Upsert {
            version: first_version + i as i64,
            row,
        })
        .collect();
    PullPage {
        cursor: first_version + changes.len() as i64 - 1,
        changes,
        has_more,
    }
}

pub fn booking(doctor: Uuid, patient: Uuid, start: DateTime<Utc>, minutes: i64) -> BookAppointment {
    BookAppointment {
        doctor_id: doctor,
        patient_id: patient,
        room_id: None,
        starts_at: start,
        ends_at: start + Duration::minutes(minutes),
        reason: None,
    }
}

/// A booked appointment as the server would send it.
pub fn appointment(
    doctor: Uuid,
    patient: Uuid,
    start: DateTime<Utc>,
    minutes: i64,
) -> AppointmentRow {
    AppointmentRow {
        id: Uuid::now_v7(),
        doctor_id: doctor,
        patient_id: patient,
        room_id: None,
        starts_at: start,
        ends_at: start + Duration::minutes(minutes),
        status: AppointmentStatus::Booked,
        reason: None,
        cancel_reason: None,
        created_by: None,
        updated_at: created(),
    }
}
