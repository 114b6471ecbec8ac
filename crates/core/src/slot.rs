//! Whether an appointment may take a slot: the one rule behind booking and
//! moving, run by the desk when a person acts (its optimistic apply) and by
//! the server (the authoritative apply). Each gathers the facts its own way,
//! the desk from SQLite and the server from PostgreSQL, and asks
//! [`check_slot`]; the problem it finds is typed and carries the code, field
//! and words both answer with.
//!
//! The checks run in this order, and the first problem wins: the doctor,
//! the patient and the room (known here and usable), then the doctor's
//! week and time off, then the doctor's and the room's other live
//! appointments. The time itself (its length, not in the past, not years
//! ahead) is checked before, when the request is parsed
//! ([`crate::api::appointments::bookable_time`]), since the facts are
//! gathered for that time.
//!
//! A queued action replayed on newer rows (the desk's rebase) is not put
//! through this rule: time passes while a booking waits offline, and the
//! server judges it when it is pushed.

use crate::error::ErrorCode;
use crate::schedule::{TimeRange, WorkingHours, fits_working_hours, outside_hours_message};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// Where the facts were gathered. It is what "unknown" means: a desk may
/// simply not have received a row yet, the server knows the whole clinic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vantage {
    Desk,
    Server,
}

impl Vantage {
    fn place(self) -> &'static str {
        match self {
            Vantage::Desk => "on this desk",
            Vantage::Server => "in this clinic",
        }
    }
}

/// A doctor, patient or room the slot names, as far as the facts go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party<'a> {
    /// Not known here.
    Unknown,
    /// Known; not `usable` when the doctor or room is inactive or the
    /// patient archived.
    Known { name: &'a str, usable: bool },
}

/// Who a booking or a move brings together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parties<'a> {
    pub vantage: Vantage,
    pub doctor: Party<'a>,
    pub patient: Party<'a>,
    /// `None` when no room is asked for.
    pub room: Option<Party<'a>>,
}

/// The names to show once the parties are known to be usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Names<'a> {
    pub doctor: &'a str,
    pub patient: &'a str,
    pub room: Option<&'a str>,
}

impl<'a> Parties<'a> {
    /// The first of the doctor, the patient and the room that is unknown
    /// or unusable, else their names.
    pub fn check(&self) -> Result<Names<'a>, SlotProblem> {
        let unknown = |subject| SlotProblem::Unknown {
            subject,
            vantage: self.vantage,
        };
        let doctor = match self.doctor {
            Party::Unknown => return Err(unknown(Subject::Doctor)),
            Party::Known { usable: false, .. } => return Err(SlotProblem::DoctorInactive),
            Party::Known { name, .. } => name,
        };
        let patient = match self.patient {
            Party::Unknown => return Err(unknown(Subject::Patient)),
            Party::Known { usable: false, .. } => return Err(SlotProblem::PatientArchived),
            Party::Known { name, .. } => name,
        };
        let room = match self.room {
            None => None,
            Some(Party::Unknown) => return Err(unknown(Subject::Room)),
            Some(Party::Known { usable: false, .. }) => return Err(SlotProblem::RoomInactive),
            Some(Party::Known { name, .. }) => Some(name),
        };
        Ok(Names {
            doctor,
            patient,
            room,
        })
    }
}

/// Another live appointment overlapping the slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clash<'a> {
    pub time: TimeRange,
    /// Absent when the facts do not name the patient (a row not received).
    pub patient_name: Option<&'a str>,
}

/// Everything the rule looks at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlotFacts<'a> {
    pub time: TimeRange,
    pub parties: Parties<'a>,
    /// The clinic's time zone: working hours are on its wall clock.
    pub zone: Tz,
    /// The doctor's weekly hours.
    pub week: &'a [WorkingHours],
    /// The doctor's time off overlapping `time` (more does no harm).
    pub time_off: &'a [TimeRange],
    /// The doctor's first other live appointment overlapping `time`, by
    /// start. The server leaves overlaps to its exclusion constraints,
    /// which also settle races between desks, and gives none.
    pub doctor_clash: Option<Clash<'a>>,
    /// The same for the room.
    pub room_clash: Option<Clash<'a>>,
}

/// What a booking or move may name that is not there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Doctor,
    Patient,
    Room,
}

impl Subject {
    fn field(self) -> &'static str {
        match self {
            Subject::Doctor => "doctor_id",
            Subject::Patient => "patient_id",
            Subject::Room => "room_id",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Subject::Doctor => "doctor",
            Subject::Patient => "patient",
            Subject::Room => "room",
        }
    }
}

/// Why a slot cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlotProblem {
    #[error("no such {} {}", subject.noun(), vantage.place())]
    Unknown { subject: Subject, vantage: Vantage },
    #[error("this doctor is no longer active")]
    DoctorInactive,
    #[error("this patient is archived; restore them before booking")]
    PatientArchived,
    #[error("this room is not in use")]
    RoomInactive,
    /// Off the doctor's week or in their time off.
    #[error("{0}")]
    OutsideWorkingHours(String),
    /// The doctor or the room has another live appointment then.
    #[error("{0}")]
    Taken(String),
}

impl SlotProblem {
    pub fn code(&self) -> ErrorCode {
        match self {
            SlotProblem::Unknown { .. }
            | SlotProblem::DoctorInactive
            | SlotProblem::PatientArchived
            | SlotProblem::RoomInactive => ErrorCode::Invalid,
            SlotProblem::OutsideWorkingHours(_) => ErrorCode::OutsideWorkingHours,
            SlotProblem::Taken(_) => ErrorCode::SlotTaken,
        }
    }

    /// The request's field at fault, for problems with what it names.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            SlotProblem::Unknown { subject, .. } => Some(subject.field()),
            SlotProblem::DoctorInactive => Some(Subject::Doctor.field()),
            SlotProblem::PatientArchived => Some(Subject::Patient.field()),
            SlotProblem::RoomInactive => Some(Subject::Room.field()),
            SlotProblem::OutsideWorkingHours(_) | SlotProblem::Taken(_) => None,
        }
    }

    /// The request names a row that does not exist (where it was looked for).
    pub fn is_unknown_reference(&self) -> bool {
        matches!(self, SlotProblem::Unknown { .. })
    }
}

/// Checks `facts` in the order the module gives; when the slot is free,
/// the names of the doctor, the patient and the room.
pub fn check_slot<'a>(facts: &SlotFacts<'a>) -> Result<Names<'a>, SlotProblem> {
    let names = facts.parties.check()?;
    let SlotFacts { time, zone, .. } = *facts;
    if !fits_working_hours(time, zone, facts.week, facts.time_off) {
        return Err(SlotProblem::OutsideWorkingHours(outside_hours_message(
            time,
            zone,
            facts.week,
            facts.time_off,
            names.doctor,
        )));
    }
    let wall = |t: DateTime<Utc>| t.with_timezone(&zone).format("%H:%M");
    let span = |c: &Clash<'_>| format!("{}–{}", wall(c.time.starts_at), wall(c.time.ends_at));
    if let Some(clash) = &facts.doctor_clash {
        return Err(SlotProblem::Taken(format!(
            "{} is already booked {} ({})",
            names.doctor,
            span(clash),
            clash.patient_name.unwrap_or("another patient"),
        )));
    }
    if let (Some(room), Some(clash)) = (names.room, &facts.room_clash) {
        return Err(SlotProblem::Taken(format!(
            "{room} is taken {}",
            span(clash)
        )));
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveTime, TimeZone};

    const ZONE: Tz = chrono_tz::Europe::Madrid;

    fn madrid(d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        ZONE.with_ymd_and_hms(2026, 3, d, h, mi, 0)
            .single()
            .expect("unambiguous")
            .with_timezone(&Utc)
    }

    fn range(d: u32, (h1, m1): (u32, u32), (h2, m2): (u32, u32)) -> TimeRange {
        TimeRange::new(madrid(d, h1, m1), madrid(d, h2, m2)).expect("range")
    }

    fn usable(name: &str) -> Party<'_> {
        Party::Known { name, usable: true }
    }

    /// Mondays 09:00–13:00; Monday 2026-03-23, 10:00–10:30, Sala 1.
    fn facts<'a>(week: &'a [WorkingHours], time_off: &'a [TimeRange]) -> SlotFacts<'a> {
        SlotFacts {
            time: range(23, (10, 0), (10, 30)),
            parties: Parties {
                vantage: Vantage::Desk,
                doctor: usable("Dra. García"),
                patient: usable("Lucía"),
                room: Some(usable("Sala 1")),
            },
            zone: ZONE,
            week,
            time_off,
            doctor_clash: None,
            room_clash: None,
        }
    }

    fn monday_mornings() -> [WorkingHours; 1] {
        [WorkingHours {
            weekday: 1,
            starts: NaiveTime::from_hms_opt(9, 0, 0).expect("time"),
            ends: NaiveTime::from_hms_opt(13, 0, 0).expect("time"),
        }]
    }

    #[test]
    fn a_free_slot_passes() {
        let week = monday_mornings();
        assert_eq!(
            check_slot(&facts(&week, &[])),
            Ok(Names {
                doctor: "Dra. García",
                patient: "Lucía",
                room: Some("Sala 1")
            })
        );
    }

    /// Every party problem, in both vantages: the code is `invalid`, the
    /// field names the party, and "unknown" says where it was looked for.
    #[rstest::rstest]
    #[case::unknown_doctor(|p: &mut Parties| p.doctor = Party::Unknown, "doctor_id", "no such doctor")]
    #[case::inactive_doctor(
        |p: &mut Parties| p.doctor = Party::Known { name: "X", usable: false },
        "doctor_id",
        "no longer active"
    )]
    #[case::unknown_patient(|p: &mut Parties| p.patient = Party::Unknown, "patient_id", "no such patient")]
    #[case::archived_patient(
        |p: &mut Parties| p.patient = Party::Known { name: "X", usable: false },
        "patient_id",
        "archived"
    )]
    #[case::unknown_room(|p: &mut Parties| p.room = Some(Party::Unknown), "room_id", "no such room")]
    #[case::closed_room(
        |p: &mut Parties| p.room = Some(Party::Known { name: "X", usable: false }),
        "room_id",
        "not in use"
    )]
    fn parties_must_be_there_and_usable(
        #[case] spoil: fn(&mut Parties),
        #[case] field: &str,
        #[case] says: &str,
        #[values(Vantage::Desk, Vantage::Server)] vantage: Vantage,
    ) {
        let week = monday_mornings();
        let mut f = facts(&week, &[]);
        f.parties.vantage = vantage;
        spoil(&mut f.parties);
        let problem = check_slot(&f).expect_err("refused");
        assert_eq!(problem.code(), ErrorCode::Invalid);
        assert_eq!(problem.field(), Some(field));
        assert!(problem.to_string().contains(says), "{problem}");
        if problem.is_unknown_reference() {
            assert!(problem.to_string().ends_with(vantage.place()), "{problem}");
        }
    }

    #[test]
    fn parties_are_checked_before_the_time_and_in_order() {
        let mut f = facts(&[], &[]);
        f.doctor_clash = Some(Clash {
            time: f.time,
            patient_name: None,
        });
        f.parties.patient = Party::Unknown;
        f.parties.room = Some(Party::Unknown);
        assert_eq!(
            check_slot(&f).expect_err("refused").field(),
            Some("patient_id")
        );
        f.parties.doctor = Party::Unknown;
        assert_eq!(
            check_slot(&f).expect_err("refused").field(),
            Some("doctor_id")
        );
    }

    #[test]
    fn off_hours_and_time_off_come_before_overlaps() {
        let week = monday_mornings();
        let off = [range(23, (10, 15), (12, 0))];
        let mut f = facts(&week, &off);
        f.doctor_clash = Some(Clash {
            time: range(23, (10, 0), (10, 30)),
            patient_name: Some("Mateo"),
        });
        let problem = check_slot(&f).expect_err("away");
        assert_eq!(problem.code(), ErrorCode::OutsideWorkingHours);
        assert!(
            problem.to_string().contains("Dra. García is away"),
            "{problem}"
        );
        f.time_off = &[];
        f.time = range(23, (12, 45), (13, 15));
        let problem = check_slot(&f).expect_err("late");
        assert_eq!(problem.code(), ErrorCode::OutsideWorkingHours);
        assert!(
            problem.to_string().contains("outside Dra. García's hours"),
            "{problem}"
        );
    }

    #[test]
    fn overlaps_name_what_is_in_the_way_on_the_clinics_clock() {
        let week = monday_mornings();
        let mut f = facts(&week, &[]);
        let earlier = Clash {
            time: range(23, (9, 45), (10, 15)),
            patient_name: Some("Mateo"),
        };
        f.room_clash = Some(earlier);
        let problem = check_slot(&f).expect_err("room");
        assert_eq!(problem.code(), ErrorCode::SlotTaken);
        assert_eq!(problem.field(), None);
        assert_eq!(problem.to_string(), "Sala 1 is taken 09:45–10:15");
        f.doctor_clash = Some(Clash {
            patient_name: None,
            ..earlier
        });
        assert_eq!(
            check_slot(&f).expect_err("doctor").to_string(),
            "Dra. García is already booked 09:45–10:15 (another patient)"
        );
        // A room clash matters only when a room is asked for.
        f.doctor_clash = None;
        f.parties.room = None;
        assert!(check_slot(&f).is_ok());
    }
}
