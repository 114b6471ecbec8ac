//! `Desk`: one signed-in member's view of one clinic, offline first. What the
//! Tauri commands and the `desk` CLI call.
//!
//! Every action is checked locally, applied to the store and queued in the
//! outbox in one SQLite transaction; the sync engine pushes the outbox and
//! pulls the server's rows, rebasing the queued actions on top.

use crate::error::Result;
use crate::mutations::{Actor, Effect, Mode};
use crate::store::Store;
use crate::store::queries::{self, AgendaEntry, DayAgenda, PatientHit, PatientRecord, WeekAgenda};
use crate::store::state::{self, OutboxEntry, SyncInfo};
use crate::time::{Clock, local_date};
use chrono::{DateTime, NaiveDate, Utc};
use clinic_core::Role;
use clinic_core::api::appointments::{BookAppointment, CancelAppointment, RescheduleAppointment};
use clinic_core::api::clinic::ClinicView;
use clinic_core::api::doctors::{DoctorView, NewTimeOff, TimeOffView, WeekHours};
use clinic_core::api::patients::{NewPatient, UpdatePatient};
use clinic_core::api::rooms::{NewRoom, RoomView, UpdateRoom};
use clinic_core::schedule::WorkingHours;
use clinic_core::sync::{Mutation, SyncTable};
use rusqlite::TransactionBehavior;
use serde::Serialize;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{Notify, watch};
use uuid::Uuid;

mod conflicts;
mod sync;

pub use conflicts::Resolution;

/// Who is at this desk and for which clinic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DeskIdentity {
    pub clinic_id: Uuid,
    pub user_id: Uuid,
    pub role: Role,
}

/// What a local action queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Queued {
    /// The mutation's id and outbox sequence number.
    pub mutation_id: Uuid,
    pub seq: i64,
    /// The row it created or changed (a new appointment's or patient's id).
    pub row_id: Uuid,
}

struct Inner {
    store: Mutex<Store>,
    /// The store's connection for the screens' reads, when it has one.
    reader: Option<Mutex<rusqlite::Connection>>,
    identity: DeskIdentity,
    clock: Clock,
    /// Bumped after every local change (action, pull page, push answer), so
    /// screens know to read again.
    revision: watch::Sender<u64>,
    /// Wakes the sync engine when an action is queued.
    queued: Notify,
}

/// A handle on one desk store; cheap to clone and safe to share across threads.
#[derive(Clone)]
pub struct Desk {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("identity", &self.inner.identity)
            .finish_non_exhaustive()
    }
}

impl Desk {
    /// Opens the store file for this identity (see [`crate::paths`]).
    pub fn open(path: &Path, identity: DeskIdentity) -> Result<Desk> {
        Ok(Self::with_store(
            Store::open(path)?,
            identity,
            Clock::system(),
        ))
    }

    pub fn open_in_memory(identity: DeskIdentity) -> Result<Desk> {
        Ok(Self::with_store(
            Store::open_in_memory()?,
            identity,
            Clock::system(),
        ))
    }

    pub fn with_store(mut store: Store, identity: DeskIdentity, clock: Clock) -> Desk {
        let (revision, _) = watch::channel(0);
        Desk {
            inner: Arc::new(Inner {
                reader: store.take_reader().map(Mutex::new),
                store: Mutex::new(store),
                identity,
                clock,
                revision,
                queued: Notify::new(),
            }),
        }
    }

    pub fn identity(&self) -> DeskIdentity {
        self.inner.identity
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    fn actor(&self) -> Actor {
        Actor {
            user_id: self.inner.identity.user_id,
            role: self.inner.identity.role,
        }
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock cannot leave SQLite half-written (an
        // open transaction rolls back on drop), so the store stays usable.
        self.inner
            .store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A connection to read the last committed state through: the reader
    /// when the store has one (it does not wait for a sync page being
    /// written), else the store's own.
    fn read(&self) -> Reading<'_> {
        match &self.inner.reader {
            Some(reader) => Reading::Reader(
                reader
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()),
            ),
            None => Reading::Store(self.store()),
        }
    }

    fn changed(&self) {
        self.inner.revision.send_modify(|r| *r += 1);
    }

    /// A counter bumped after every change to the local data.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.inner.revision.subscribe()
    }

    /// Resolves when an action is queued (the engine pushes then).
    pub async fn queued(&self) {
        self.inner.queued.notified().await
    }

    // ---- actions ----------------------------------------------------------

    /// Checks `mutation` against the local rows, applies it and queues it,
    /// all in one transaction. Nothing is queued when a check fails.
    pub fn submit(&self, mutation: Mutation) -> Result<Queued> {
        let now = self.now();
        let mut store = self.store();
        let tx = store
            .conn()
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let queued = self.queue_fresh(&tx, &mutation, now)?;
        tx.commit()?;
        drop(store);
        self.changed();
        self.inner.queued.notify_one();
        Ok(queued)
    }

    /// Inside `tx`: gives `mutation` the next seq, queues it and applies it
    /// with a fresh action's checks. A failed check leaves `tx` to be
    /// dropped, so nothing is queued.
    fn queue_fresh(
        &self,
        tx: &rusqlite::Transaction<'_>,
        mutation: &Mutation,
        now: DateTime<Utc>,
    ) -> Result<Queued> {
        let seq = state::take_seq(tx)?;
        let mutation_id = Uuid::now_v7();
        state::enqueue(tx, seq, mutation_id, mutation, now)?;
        Effect {
            conn: tx,
            seq,
            mode: Mode::Fresh,
            at: now,
            actor: self.actor(),
        }
        .apply(mutation)?;
        Ok(Queued {
            mutation_id,
            seq,
            row_id: row_of(mutation),
        })
    }

    pub fn book(&self, booking: BookAppointment) -> Result<Queued> {
        self.submit(Mutation::BookAppointment {
            appointment_id: Uuid::now_v7(),
            booking,
        })
    }

    pub fn reschedule(
        &self,
        appointment_id: Uuid,
        change: RescheduleAppointment,
    ) -> Result<Queued> {
        self.submit(Mutation::RescheduleAppointment {
            appointment_id,
            change,
        })
    }

    pub fn cancel(&self, appointment_id: Uuid, cancel: CancelAppointment) -> Result<Queued> {
        self.submit(Mutation::CancelAppointment {
            appointment_id,
            cancel,
        })
    }

    pub fn check_in(&self, appointment_id: Uuid) -> Result<Queued> {
        self.submit(Mutation::CheckIn { appointment_id })
    }

    pub fn no_show(&self, appointment_id: Uuid) -> Result<Queued> {
        self.submit(Mutation::MarkNoShow { appointment_id })
    }

    pub fn complete(&self, appointment_id: Uuid) -> Result<Queued> {
        self.submit(Mutation::CompleteAppointment { appointment_id })
    }

    pub fn register_patient(&self, patient: NewPatient) -> Result<Queued> {
        self.submit(Mutation::RegisterPatient {
            patient_id: Uuid::now_v7(),
            patient,
        })
    }

    pub fn update_patient(&self, patient_id: Uuid, changes: UpdatePatient) -> Result<Queued> {
        self.submit(Mutation::UpdatePatient {
            patient_id,
            changes,
        })
    }

    pub fn archive_patient(&self, patient_id: Uuid) -> Result<Queued> {
        self.submit(Mutation::ArchivePatient { patient_id })
    }

    pub fn set_working_hours(&self, doctor_id: Uuid, week: WeekHours) -> Result<Queued> {
        self.submit(Mutation::SetWorkingHours { doctor_id, week })
    }

    pub fn add_time_off(&self, doctor_id: Uuid, time_off: NewTimeOff) -> Result<Queued> {
        self.submit(Mutation::AddTimeOff {
            doctor_id,
            time_off_id: Uuid::now_v7(),
            time_off,
        })
    }

    pub fn remove_time_off(&self, doctor_id: Uuid, time_off_id: Uuid) -> Result<Queued> {
        self.submit(Mutation::RemoveTimeOff {
            doctor_id,
            time_off_id,
        })
    }

    pub fn create_room(&self, room: NewRoom) -> Result<Queued> {
        self.submit(Mutation::CreateRoom {
            room_id: Uuid::now_v7(),
            room,
        })
    }

    pub fn update_room(&self, room_id: Uuid, changes: UpdateRoom) -> Result<Queued> {
        self.submit(Mutation::UpdateRoom { room_id, changes })
    }

    // ---- reads ------------------------------------------------------------

    pub fn clinic(&self) -> Result<Option<ClinicView>> {
        queries::clinic(&self.read())
    }

    /// The clinic's local date now.
    pub fn today(&self) -> Result<NaiveDate> {
        let zone = queries::zone(&self.read())?;
        Ok(local_date(self.now(), zone))
    }

    pub fn doctors(&self, include_inactive: bool) -> Result<Vec<DoctorView>> {
        queries::doctors(&self.read(), include_inactive)
    }

    /// The doctor record of the signed-in member, if they are one.
    pub fn my_doctor(&self) -> Result<Option<DoctorView>> {
        let me = self.inner.identity.user_id;
        Ok(self
            .doctors(true)?
            .into_iter()
            .find(|d| d.user_id == Some(me)))
    }

    pub fn rooms(&self, include_inactive: bool) -> Result<Vec<RoomView>> {
        queries::rooms(&self.read(), include_inactive)
    }

    pub fn doctor_hours(&self, doctor_id: Uuid) -> Result<Vec<WorkingHours>> {
        queries::doctor_hours(&self.read(), doctor_id)
    }

    pub fn doctor_time_off(&self, doctor_id: Uuid) -> Result<Vec<TimeOffView>> {
        queries::doctor_time_off(&self.read(), doctor_id)
    }

    /// A day on the clinic's wall clock, all doctors or one.
    pub fn day_agenda(&self, date: NaiveDate, doctor_id: Option<Uuid>) -> Result<DayAgenda> {
        queries::day_agenda(&self.read(), date, doctor_id)
    }

    /// The Monday-to-Sunday week holding `date`.
    pub fn week_agenda(&self, date: NaiveDate, doctor_id: Option<Uuid>) -> Result<WeekAgenda> {
        queries::week_agenda(&self.read(), date, doctor_id)
    }

    /// Patients whose name, phone, email or national id has words starting
    /// with the typed ones, accents and case ignored; in name order.
    pub fn search_patients(
        &self,
        text: &str,
        include_archived: bool,
        limit: usize,
    ) -> Result<Vec<PatientHit>> {
        queries::search_patients(&self.read(), text, include_archived, limit)
    }

    /// One appointment as the agenda shows it.
    pub fn appointment(&self, appointment_id: Uuid) -> Result<Option<AgendaEntry>> {
        queries::agenda_entry(&self.read(), appointment_id)
    }

    pub fn patient(&self, patient_id: Uuid) -> Result<Option<PatientRecord>> {
        queries::patient_record(&self.read(), patient_id)
    }

    /// Whether this row has changes on this desk the server has not confirmed.
    pub fn is_pending(&self, table: SyncTable, id: Uuid) -> Result<bool> {
        state::is_pending(&self.read(), table, id)
    }

    /// Mutations the server has not answered yet.
    pub fn pending_count(&self) -> Result<u64> {
        Ok(self.sync_info()?.pending)
    }

    pub fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        state::outbox(&self.read())
    }

    pub fn sync_info(&self) -> Result<SyncInfo> {
        state::info(&self.read())
    }

    /// A full id from the start of one typed by hand (`appointments`,
    /// `patients`, `doctors`, `rooms`, `conflicts`).
    pub fn resolve_id(&self, table: IdKind, typed: &str) -> Result<Uuid> {
        queries::resolve_prefix(&self.read(), table.table(), typed)
    }

    /// SQLite's integrity check and the outbox's invariants; empty when sound.
    pub fn check(&self) -> Result<Vec<String>> {
        self.store().check()
    }
}

/// A locked connection to read through (see [`Desk::read`]).
enum Reading<'a> {
    Reader(MutexGuard<'a, rusqlite::Connection>),
    Store(MutexGuard<'a, Store>),
}

impl std::ops::Deref for Reading<'_> {
    type Target = rusqlite::Connection;

    fn deref(&self) -> &rusqlite::Connection {
        match self {
            Reading::Reader(conn) => conn,
            Reading::Store(store) => store.conn_ref(),
        }
    }
}

/// Which kind of row a typed id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    Appointment,
    Patient,
    Doctor,
    Room,
    Conflict,
}

impl IdKind {
    fn table(self) -> &'static str {
        match self {
            IdKind::Appointment => "appointments",
            IdKind::Patient => "patients",
            IdKind::Doctor => "doctors",
            IdKind::Room => "rooms",
            IdKind::Conflict => "conflicts",
        }
    }
}

/// The row a mutation creates or changes first.
fn row_of(m: &Mutation) -> Uuid {
    match m {
        Mutation::RegisterPatient { patient_id, .. }
        | Mutation::UpdatePatient { patient_id, .. }
        | Mutation::ArchivePatient { patient_id } => *patient_id,
        Mutation::BookAppointment { appointment_id, .. }
        | Mutation::RescheduleAppointment { appointment_id, .. }
        | Mutation::CancelAppointment { appointment_id, .. }
        | Mutation::CheckIn { appointment_id }
        | Mutation::MarkNoShow { appointment_id }
        | Mutation::CompleteAppointment { appointment_id } => *appointment_id,
        Mutation::SetWorkingHours { doctor_id, .. } => *doctor_id,
        Mutation::AddTimeOff { time_off_id, .. } | Mutation::RemoveTimeOff { time_off_id, .. } => {
            *time_off_id
        }
        Mutation::CreateRoom { room_id, .. } | Mutation::UpdateRoom { room_id, .. } => *room_id,
    }
}
