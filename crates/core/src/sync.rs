//! The sync protocol between a desk and the server (docs/SYNC.md).
//!
//! Writes go up as named mutations, each applied by the server in its own
//! transaction with every permission and invariant re-checked. Reads come
//! down as rows newer than the desk's cursor, each stamped with the clinic's
//! version counter inside the transaction that wrote it.

use crate::ErrorCode;
use crate::api::appointments::{BookAppointment, CancelAppointment, RescheduleAppointment};
use crate::api::clinic::ClinicView;
use crate::api::doctors::{DoctorView, NewTimeOff, TimeOffView, WeekHours};
use crate::api::patients::{ClinicalNoteView, NewPatient, PatientView, UpdatePatient};
use crate::api::rooms::{NewRoom, RoomView, UpdateRoom};
use crate::schedule::{AppointmentStatus, WorkingHours};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most mutations one push may carry; a desk with more pushes several times.
pub const MAX_PUSH: usize = 500;
/// Changes per pull page unless the desk asks for another size.
pub const DEFAULT_PULL_LIMIT: u32 = 5_000;
pub const MAX_PULL_LIMIT: u32 = 20_000;

/// Everything a desk can change, named as the person did it. The desk picks
/// the ids of rows it creates (UUIDv7), so a row made offline keeps its id
/// once the server accepts it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Mutation {
    RegisterPatient {
        patient_id: Uuid,
        patient: NewPatient,
    },
    UpdatePatient {
        patient_id: Uuid,
        changes: UpdatePatient,
    },
    ArchivePatient {
        patient_id: Uuid,
    },
    BookAppointment {
        appointment_id: Uuid,
        booking: BookAppointment,
    },
    RescheduleAppointment {
        appointment_id: Uuid,
        change: RescheduleAppointment,
    },
    CancelAppointment {
        appointment_id: Uuid,
        cancel: CancelAppointment,
    },
    CheckIn {
        appointment_id: Uuid,
    },
    MarkNoShow {
        appointment_id: Uuid,
    },
    CompleteAppointment {
        appointment_id: Uuid,
    },
    SetWorkingHours {
        doctor_id: Uuid,
        week: WeekHours,
    },
    AddTimeOff {
        doctor_id: Uuid,
        time_off_id: Uuid,
        time_off: NewTimeOff,
    },
    RemoveTimeOff {
        doctor_id: Uuid,
        time_off_id: Uuid,
    },
    CreateRoom {
        room_id: Uuid,
        room: NewRoom,
    },
    UpdateRoom {
        room_id: Uuid,
        changes: UpdateRoom,
    },
}

impl Mutation {
    /// The mutation's name, as stored with its result and shown in the conflict inbox.
    pub fn name(&self) -> &'static str {
        match self {
            Mutation::RegisterPatient { .. } => "register_patient",
            Mutation::UpdatePatient { .. } => "update_patient",
            Mutation::ArchivePatient { .. } => "archive_patient",
            Mutation::BookAppointment { .. } => "book_appointment",
            Mutation::RescheduleAppointment { .. } => "reschedule_appointment",
            Mutation::CancelAppointment { .. } => "cancel_appointment",
            Mutation::CheckIn { .. } => "check_in",
            Mutation::MarkNoShow { .. } => "mark_no_show",
            Mutation::CompleteAppointment { .. } => "complete_appointment",
            Mutation::SetWorkingHours { .. } => "set_working_hours",
            Mutation::AddTimeOff { .. } => "add_time_off",
            Mutation::RemoveTimeOff { .. } => "remove_time_off",
            Mutation::CreateRoom { .. } => "create_room",
            Mutation::UpdateRoom { .. } => "update_room",
        }
    }
}

/// A mutation as a desk queued it. `seq` counts up from 1 per device and is,
/// with the device, the mutation's idempotency key on the server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PendingMutation {
    /// Counts from 1 per device.
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub seq: i64,
    pub id: Uuid,
    pub mutation: Mutation,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// In the order they were made; at most 500.
    #[cfg_attr(feature = "openapi", schema(max_items = 500))]
    pub mutations: Vec<PendingMutation>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// One per pushed mutation, in the same order.
    pub results: Vec<MutationResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MutationResult {
    pub seq: i64,
    pub id: Uuid,
    pub outcome: Outcome,
}

/// What became of a mutation. A rejection is final: retrying the same
/// (device, seq) returns the same answer; the desk moves it to its conflict inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    Applied,
    Rejected { code: ErrorCode, message: String },
}

/// `?cursor=&limit=&priority=` of a pull.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PullQuery {
    /// The `cursor` of the previous page; 0 or absent on first sync.
    #[cfg_attr(feature = "openapi", param(minimum = 0))]
    pub cursor: Option<i64>,
    /// Changes per page, 1 to 20000; 5000 when absent.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 20000))]
    pub limit: Option<u32>,
    /// First sync only: the clinic's settings, doctors, hours, rooms and the
    /// coming weeks' agenda with its patients, so the desk is usable at once.
    /// The page does not move the cursor; the full pull follows.
    #[serde(default)]
    pub priority: bool,
    /// With `priority`: only one part of that page, so the first one can be
    /// small. Absent: the whole priority page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(inline))]
    pub stage: Option<PriorityStage>,
}

/// The parts of the first sync's priority page, asked for in this order: a
/// desk shows today's agenda as soon as the first is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PriorityStage {
    /// The clinic, doctors, hours, time off, rooms, and the appointments
    /// overlapping the clinic's today with their patients.
    Today,
    /// The rest of the priority agenda (from a day back to four weeks
    /// ahead, without today's) with its patients.
    Ahead,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullPage {
    pub changes: Vec<Change>,
    /// Pass back as `cursor` for the next page.
    pub cursor: i64,
    /// More changes are waiting beyond this page.
    pub has_more: bool,
}

/// One row to store or forget. `Delete` also covers rows the member may no
/// longer see (an appointment moved to another doctor's agenda).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Change {
    Upsert {
        version: i64,
        row: SyncRow,
    },
    Delete {
        version: i64,
        table: SyncTable,
        id: Uuid,
    },
}

/// Declares the synced tables in one list: [`SyncTable`] names each,
/// [`SyncRow`] carries a row of each, and [`SyncTable::ALL`] holds them all,
/// so no table can be in one and missing from another. A table's name is
/// the same on the wire, in the desk's store and (but for the clinic's own
/// row, `clinics`) in the server's database.
macro_rules! synced_tables {
    ($($(#[$doc:meta])* $table:ident($row:ty) = $name:tt,)+) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum SyncTable {
            $($(#[$doc])* #[serde(rename = $name)] $table,)+
        }

        /// A synced row, as stored on the desk.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(tag = "table", content = "data")]
        pub enum SyncRow {
            $(#[serde(rename = $name)] $table($row),)+
        }

        impl SyncTable {
            /// Every synced table, settings before the rows that name them.
            pub const ALL: &'static [SyncTable] = &[$(SyncTable::$table),+];

            /// The table's name on the wire and in the desk's store.
            pub const fn name(self) -> &'static str {
                match self {
                    $(SyncTable::$table => $name,)+
                }
            }
        }

        impl SyncRow {
            pub fn table(&self) -> SyncTable {
                match self {
                    $(SyncRow::$table(_) => SyncTable::$table,)+
                }
            }

            pub fn id(&self) -> Uuid {
                match self {
                    $(SyncRow::$table(r) => r.id,)+
                }
            }
        }
    };
}

synced_tables! {
    /// The clinic's own row: its name, time zone, locale and currency.
    Clinic(ClinicView) = "clinic",
    Doctors(DoctorView) = "doctors",
    DoctorHours(HoursRow) = "doctor_hours",
    DoctorTimeOff(TimeOffView) = "doctor_time_off",
    Rooms(RoomView) = "rooms",
    Patients(PatientView) = "patients",
    ClinicalNotes(ClinicalNoteView) = "clinical_notes",
    Appointments(AppointmentRow) = "appointments",
}

impl SyncTable {
    /// The table named `name` on the wire or in the desk's store.
    pub fn from_name(name: &str) -> Option<SyncTable> {
        SyncTable::ALL.iter().copied().find(|t| t.name() == name)
    }
}

/// One weekly working interval of a doctor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HoursRow {
    pub id: Uuid,
    pub doctor_id: Uuid,
    #[serde(flatten)]
    pub hours: WorkingHours,
}

/// An appointment as stored: ids only. Names come from the desk's own
/// doctors, patients and rooms, so a renamed patient is never shown stale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppointmentRow {
    pub id: Uuid,
    pub doctor_id: Uuid,
    pub patient_id: Uuid,
    pub room_id: Option<Uuid>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: AppointmentStatus,
    pub reason: Option<String>,
    pub cancel_reason: Option<String>,
    pub created_by: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
}

/// Server-sent event telling desks of a clinic that there is something to pull.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Poke {
    /// The clinic's version after the change.
    pub version: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mutations_travel_as_tagged_json() {
        let m = Mutation::CancelAppointment {
            appointment_id: Uuid::nil(),
            cancel: CancelAppointment {
                reason: "ill".into(),
            },
        };
        let wire = serde_json::to_value(&m).expect("json");
        assert_eq!(wire["type"], "cancel_appointment");
        assert_eq!(wire["cancel"]["reason"], "ill");
        assert_eq!(m.name(), "cancel_appointment");
        let back: Mutation = serde_json::from_value(wire).expect("back");
        assert_eq!(back.name(), m.name());
    }

    #[test]
    fn outcomes_and_changes_have_stable_shapes() {
        let rejected = Outcome::Rejected {
            code: ErrorCode::SlotTaken,
            message: "taken".into(),
        };
        assert_eq!(
            serde_json::to_value(&rejected).expect("json"),
            json!({"status": "rejected", "code": "slot_taken", "message": "taken"})
        );
        let gone = Change::Delete {
            version: 7,
            table: SyncTable::Appointments,
            id: Uuid::nil(),
        };
        assert_eq!(serde_json::to_value(&gone).expect("json")["op"], "delete");
    }

    #[test]
    fn every_table_goes_by_one_name_on_the_wire_and_back() {
        let mut seen = std::collections::HashSet::new();
        for &table in SyncTable::ALL {
            assert!(seen.insert(table.name()), "{table:?} listed twice");
            assert_eq!(serde_json::to_value(table).expect("json"), table.name());
            assert_eq!(SyncTable::from_name(table.name()), Some(table));
        }
        assert_eq!(SyncTable::from_name("clinics"), None);
        assert_eq!(SyncTable::from_name("report_orders"), None);
    }

    #[test]
    fn a_row_travels_tagged_with_its_table_name() {
        let row = SyncRow::DoctorHours(HoursRow {
            id: Uuid::nil(),
            doctor_id: Uuid::nil(),
            hours: WorkingHours {
                weekday: 1,
                starts: chrono::NaiveTime::from_hms_opt(9, 0, 0).expect("time"),
                ends: chrono::NaiveTime::from_hms_opt(13, 0, 0).expect("time"),
            },
        });
        let wire = serde_json::to_value(&row).expect("json");
        assert_eq!(wire["table"], "doctor_hours");
        assert_eq!(wire["data"]["weekday"], 1);
        assert_eq!(row.table().name(), "doctor_hours");
        let back: SyncRow = serde_json::from_value(wire).expect("back");
        assert_eq!(back, row);
    }
}
