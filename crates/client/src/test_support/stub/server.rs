//! The stub's state and its protocol logic: rows with versions, accounts
//! and sessions, what was pushed and pulled, and how a mutation is judged.

use axum::http::StatusCode;
use chrono::Utc;
use clinic_core::ErrorCode;
use clinic_core::api::auth::{LoginRequest, MembershipView, UserView};
use clinic_core::schedule::AppointmentStatus;
use clinic_core::sync::{
    AppointmentRow, Change, Mutation, MutationResult, Outcome, PriorityStage, PullPage, PullQuery,
    PushRequest, PushResponse, SyncRow, SyncTable,
};
use std::collections::HashMap;
use tokio::sync::broadcast;
use uuid::Uuid;

#[derive(Clone)]
pub struct Account {
    pub user: UserView,
    pub memberships: Vec<MembershipView>,
}

#[derive(Default)]
pub struct Server {
    pub version: i64,
    /// Latest version of every row; `None` is a tombstone.
    pub rows: HashMap<(SyncTable, Uuid), (i64, Option<SyncRow>)>,
    /// Stored answers by (device, seq): a retried push gets the same one.
    pub answers: HashMap<(Uuid, i64), MutationResult>,
    pub accounts: Vec<Account>,
    /// token → (user, device)
    pub sessions: HashMap<String, (Uuid, Uuid)>,
    pub devices: HashMap<Uuid, Uuid>,
    /// What came in, for assertions.
    pub logins: Vec<LoginRequest>,
    pub pushes: Vec<(Uuid, PushRequest)>,
    pub pulls: Vec<(PullQuery, bool)>,
    /// Answer pushes with this status instead (a failing server).
    pub fail_pushes: Option<StatusCode>,
    /// Refuse whole push bodies holding this kind of mutation (one the
    /// server does not know), as a 422.
    pub refuse_bodies_with: Option<&'static str>,
    /// Answer sign-ins with 429 and this `Retry-After` (seconds), as the
    /// server does after too many failed attempts.
    pub throttle_logins: Option<u64>,
    pub(super) pokes: Option<broadcast::Sender<i64>>,
}

impl Server {
    pub fn put(&mut self, row: SyncRow) -> i64 {
        self.version += 1;
        self.rows
            .insert((row.table(), row.id()), (self.version, Some(row)));
        if let Some(p) = &self.pokes {
            let _ = p.send(self.version);
        }
        self.version
    }

    pub fn remove(&mut self, table: SyncTable, id: Uuid) {
        self.version += 1;
        self.rows.insert((table, id), (self.version, None));
        if let Some(p) = &self.pokes {
            let _ = p.send(self.version);
        }
    }

    pub fn appointments(&self) -> Vec<AppointmentRow> {
        let mut v: Vec<AppointmentRow> = self
            .rows
            .values()
            .filter_map(|(_, r)| match r {
                Some(SyncRow::Appointments(a)) => Some(a.clone()),
                _ => None,
            })
            .collect();
        v.sort_by_key(|a| (a.starts_at, a.id));
        v
    }

    fn appointment(&self, id: Uuid) -> Option<AppointmentRow> {
        match self.rows.get(&(SyncTable::Appointments, id)) {
            Some((_, Some(SyncRow::Appointments(a)))) => Some(a.clone()),
            _ => None,
        }
    }

    fn clashes(&self, a: &AppointmentRow) -> bool {
        self.appointments().iter().any(|o| {
            o.id != a.id
                && o.status.is_live()
                && (o.doctor_id == a.doctor_id || (o.room_id.is_some() && o.room_id == a.room_id))
                && o.starts_at < a.ends_at
                && a.starts_at < o.ends_at
        })
    }

    pub fn apply(&mut self, user: Uuid, m: &Mutation) -> Outcome {
        let reject = |code, message: &str| Outcome::Rejected {
            code,
            message: message.into(),
        };
        let now = Utc::now();
        match m {
            Mutation::BookAppointment {
                appointment_id,
                booking,
            } => {
                let row = AppointmentRow {
                    id: *appointment_id,
                    doctor_id: booking.doctor_id,
                    patient_id: booking.patient_id,
                    room_id: booking.room_id,
                    starts_at: booking.starts_at,
                    ends_at: booking.ends_at,
                    status: AppointmentStatus::Booked,
                    reason: booking.reason.clone(),
                    cancel_reason: None,
                    created_by: Some(user),
                    updated_at: now,
                };
                if self.clashes(&row) {
                    return reject(ErrorCode::SlotTaken, "the doctor or the room is busy then");
                }
                self.put(SyncRow::Appointments(row));
                Outcome::Applied
            }
            Mutation::RescheduleAppointment {
                appointment_id,
                change,
            } => {
                let Some(mut row) = self.appointment(*appointment_id) else {
                    return reject(ErrorCode::NotFound, "no such appointment");
                };
                if !row.status.can_reschedule() {
                    return reject(ErrorCode::Stale, "only booked appointments move");
                }
                row.starts_at = change.starts_at;
                row.ends_at = change.ends_at;
                row.doctor_id = change.doctor_id.unwrap_or(row.doctor_id);
                row.room_id = change.room_id.unwrap_or(row.room_id);
                row.updated_at = now;
                if self.clashes(&row) {
                    return reject(ErrorCode::SlotTaken, "the doctor or the room is busy then");
                }
                self.put(SyncRow::Appointments(row));
                Outcome::Applied
            }
            Mutation::CancelAppointment {
                appointment_id,
                cancel,
            } => self.progress(
                *appointment_id,
                AppointmentStatus::Cancelled,
                Some(&cancel.reason),
            ),
            Mutation::CheckIn { appointment_id } => {
                self.progress(*appointment_id, AppointmentStatus::CheckedIn, None)
            }
            Mutation::MarkNoShow { appointment_id } => {
                self.progress(*appointment_id, AppointmentStatus::NoShow, None)
            }
            Mutation::CompleteAppointment { appointment_id } => {
                self.progress(*appointment_id, AppointmentStatus::Completed, None)
            }
            Mutation::RegisterPatient {
                patient_id,
                patient,
            } => {
                let details = match patient.parse(now.date_naive()) {
                    Ok(d) => d,
                    Err(e) => return reject(ErrorCode::Invalid, &e.to_string()),
                };
                self.put(SyncRow::Patients(clinic_core::api::patients::PatientView {
                    id: *patient_id,
                    full_name: details.full_name,
                    date_of_birth: details.date_of_birth,
                    sex: details.sex,
                    national_id: details.national_id,
                    phone: details.phone,
                    email: details.email.map(|e| e.as_str().to_owned()),
                    address: details.address,
                    email_consent: details.email_consent,
                    email_consent_at: None,
                    archived_at: None,
                    created_at: now,
                    updated_at: now,
                }));
                Outcome::Applied
            }
            other => reject(
                ErrorCode::Invalid,
                &format!("the stub does not do {}", other.name()),
            ),
        }
    }

    /// Applies a push as the real server would: each mutation once per
    /// (device, seq), answers stored and repeated.
    pub fn push(&mut self, user: Uuid, device: Uuid, req: &PushRequest) -> PushResponse {
        let mut results = Vec::new();
        for m in &req.mutations {
            let result = match self.answers.get(&(device, m.seq)).cloned() {
                Some(r) => r,
                None => {
                    let outcome = self.apply(user, &m.mutation);
                    let r = MutationResult {
                        seq: m.seq,
                        id: m.id,
                        outcome,
                    };
                    self.answers.insert((device, m.seq), r.clone());
                    r
                }
            };
            results.push(result);
        }
        PushResponse { results }
    }

    /// One pull page: changes after the cursor in version order, or the
    /// priority page.
    pub fn page(&self, q: &PullQuery) -> PullPage {
        let cursor = q.cursor.unwrap_or(0);
        let limit = q.limit.unwrap_or(5000) as usize;
        let mut all: Vec<(i64, SyncTable, Uuid, Option<SyncRow>)> = self
            .rows
            .iter()
            .map(|((t, id), (v, r))| (*v, *t, *id, r.clone()))
            .collect();
        all.sort_by_key(|c| c.0);
        if q.priority {
            // Stages split like the server's: the settings (here: all but
            // the agenda) first, then the agenda.
            let wanted = |table: SyncTable| match q.stage {
                None => true,
                Some(PriorityStage::Today) => table != SyncTable::Appointments,
                Some(PriorityStage::Ahead) => table == SyncTable::Appointments,
            };
            PullPage {
                changes: all
                    .into_iter()
                    .filter(|c| wanted(c.1))
                    .filter_map(|(version, _, _, row)| {
                        row.map(|row| Change::Upsert { version, row })
                    })
                    .collect(),
                cursor,
                has_more: false,
            }
        } else {
            let newer: Vec<_> = all.into_iter().filter(|c| c.0 > cursor).collect();
            let has_more = newer.len() > limit;
            let changes: Vec<Change> = newer
                .into_iter()
                .take(limit)
                .map(|(version, table, id, row)| match row {
                    Some(row) => Change::Upsert { version, row },
                    None => Change::Delete { version, table, id },
                })
                .collect();
            let next = match changes.last() {
                Some(Change::Upsert { version, .. }) | Some(Change::Delete { version, .. }) => {
                    *version
                }
                None => cursor,
            };
            PullPage {
                changes,
                cursor: next,
                has_more,
            }
        }
    }

    fn progress(&mut self, id: Uuid, next: AppointmentStatus, reason: Option<&str>) -> Outcome {
        let Some(mut row) = self.appointment(id) else {
            return Outcome::Rejected {
                code: ErrorCode::NotFound,
                message: "no such appointment".into(),
            };
        };
        if !row.status.can_become(next) {
            return Outcome::Rejected {
                code: ErrorCode::Stale,
                message: format!("it is {}", row.status.as_str()),
            };
        }
        row.status = next;
        row.cancel_reason = reason.map(str::to_owned);
        row.updated_at = Utc::now();
        self.put(SyncRow::Appointments(row));
        Outcome::Applied
    }
}
