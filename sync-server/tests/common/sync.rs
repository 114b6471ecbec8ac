//! Desks for sync tests: a session (so a device) with its own seqs, pushing
//! and pulling with the protocol types of `clinic_core::sync`, as the desk's
//! client does; and builders of the common mutations.

use super::TestApp;
use chrono::{DateTime, Duration, Utc};
use clinic_core::ErrorCode;
use clinic_core::api::appointments::{BookAppointment, CancelAppointment, RescheduleAppointment};
use clinic_core::api::patients::NewPatient;
use clinic_core::sync::{
    Change, Mutation, MutationResult, Outcome, PendingMutation, PullPage, PushRequest,
    PushResponse, SyncRow, SyncTable,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// A desk: one session (so one device) of a member, with its own seqs.
pub struct Desk {
    pub clinic: Uuid,
    pub token: String,
    pub seq: i64,
}

impl Desk {
    /// Signs `email` in afresh: a new session on a new device.
    pub async fn open(app: &TestApp, clinic: Uuid, email: &str) -> Desk {
        Desk {
            clinic,
            token: app.login(email).await,
            seq: 0,
        }
    }

    pub fn of(clinic: Uuid, token: &str) -> Desk {
        Desk {
            clinic,
            token: token.to_owned(),
            seq: 0,
        }
    }

    pub fn path(&self, rest: &str) -> String {
        format!("/v1/clinics/{}{rest}", self.clinic)
    }

    /// Queues `mutation` under this desk's next seq.
    pub fn queue(&mut self, mutation: Mutation) -> PendingMutation {
        self.seq += 1;
        PendingMutation {
            seq: self.seq,
            id: Uuid::now_v7(),
            mutation,
        }
    }

    /// Pushes `batch` as is (seqs included) and checks the answer's shape.
    pub async fn send(&self, app: &TestApp, batch: &[PendingMutation]) -> Vec<MutationResult> {
        let body = serde_json::to_value(PushRequest {
            mutations: batch.to_vec(),
        })
        .expect("json");
        let answer = app
            .post(&self.path("/sync/push"), &self.token, body)
            .await
            .expect(200);
        let response: PushResponse = serde_json::from_value(answer).expect("PushResponse");
        assert_eq!(response.results.len(), batch.len());
        for (result, sent) in response.results.iter().zip(batch) {
            assert_eq!((result.seq, result.id), (sent.seq, sent.id));
        }
        response.results
    }

    /// Queues and pushes `mutations`; their outcomes in order.
    pub async fn push(&mut self, app: &TestApp, mutations: Vec<Mutation>) -> Vec<Outcome> {
        let batch: Vec<PendingMutation> = mutations.into_iter().map(|m| self.queue(m)).collect();
        self.send(app, &batch)
            .await
            .into_iter()
            .map(|r| r.outcome)
            .collect()
    }

    pub async fn push_one(&mut self, app: &TestApp, mutation: Mutation) -> Outcome {
        self.push(app, vec![mutation]).await.remove(0)
    }

    pub async fn pull(&self, app: &TestApp, query: &str) -> PullPage {
        let body = app
            .get(&self.path(&format!("/sync/pull{query}")), &self.token)
            .await
            .expect(200);
        serde_json::from_value(body).expect("PullPage")
    }

    /// Every change after `cursor`, `limit` at a time; and the last cursor.
    pub async fn pull_all(&self, app: &TestApp, cursor: i64, limit: u32) -> (Vec<Change>, i64) {
        let (mut changes, mut cursor) = (Vec::new(), cursor);
        for _ in 0..10_000 {
            let page = self
                .pull(app, &format!("?cursor={cursor}&limit={limit}"))
                .await;
            let versions: Vec<i64> = page.changes.iter().map(version).collect();
            // At most `limit` versions; a doctor's patients ride along with
            // their appointments, at the appointment's version.
            let distinct: HashSet<i64> = versions.iter().copied().collect();
            assert!(distinct.len() <= limit as usize, "{versions:?}");
            assert!(versions.windows(2).all(|w| w[0] <= w[1]), "{versions:?}");
            assert!(versions.iter().all(|v| *v > cursor && *v <= page.cursor));
            assert!(page.cursor >= cursor);
            changes.extend(page.changes);
            cursor = page.cursor;
            if !page.has_more {
                return (changes, cursor);
            }
        }
        panic!("pulling never ended");
    }
}

pub fn version(change: &Change) -> i64 {
    match change {
        Change::Upsert { version, .. } | Change::Delete { version, .. } => *version,
    }
}

pub fn table(change: &Change) -> SyncTable {
    match change {
        Change::Upsert { row, .. } => row.table(),
        Change::Delete { table, .. } => *table,
    }
}

pub fn key(change: &Change) -> (SyncTable, Uuid) {
    match change {
        Change::Upsert { row, .. } => (row.table(), row.id()),
        Change::Delete { table, id, .. } => (*table, *id),
    }
}

/// The last word on each row in `changes`: `Some(row)` stored, `None` gone.
pub fn desk_state(changes: &[Change]) -> HashMap<(SyncTable, Uuid), Option<SyncRow>> {
    let mut state = HashMap::new();
    for change in changes {
        let row = match change {
            Change::Upsert { row, .. } => Some(row.clone()),
            Change::Delete { .. } => None,
        };
        state.insert(key(change), row);
    }
    state
}

pub fn stored(state: &HashMap<(SyncTable, Uuid), Option<SyncRow>>, t: SyncTable) -> HashSet<Uuid> {
    state
        .iter()
        .filter(|((table, _), row)| *table == t && row.is_some())
        .map(|((_, id), _)| *id)
        .collect()
}

pub fn rejected(outcome: &Outcome) -> Option<ErrorCode> {
    match outcome {
        Outcome::Applied => None,
        Outcome::Rejected { code, message } => {
            assert!(!message.is_empty(), "a rejection says why");
            Some(*code)
        }
    }
}

pub fn register(id: Uuid, name: &str) -> Mutation {
    Mutation::RegisterPatient {
        patient_id: id,
        patient: NewPatient {
            full_name: name.into(),
            ..NewPatient::default()
        },
    }
}

pub fn book(id: Uuid, doctor: Uuid, patient: Uuid, starts_at: DateTime<Utc>) -> Mutation {
    Mutation::BookAppointment {
        appointment_id: id,
        booking: BookAppointment {
            doctor_id: doctor,
            patient_id: patient,
            room_id: None,
            starts_at,
            ends_at: starts_at + Duration::minutes(30),
            reason: None,
        },
    }
}

pub fn cancel(id: Uuid, reason: &str) -> Mutation {
    Mutation::CancelAppointment {
        appointment_id: id,
        cancel: CancelAppointment {
            reason: reason.into(),
        },
    }
}

pub fn reschedule(id: Uuid, starts_at: DateTime<Utc>, doctor: Option<Uuid>) -> Mutation {
    Mutation::RescheduleAppointment {
        appointment_id: id,
        change: RescheduleAppointment {
            starts_at,
            ends_at: starts_at + Duration::minutes(30),
            doctor_id: doctor,
            room_id: None,
        },
    }
}
