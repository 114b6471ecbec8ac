//! `POST /sync/push`: a desk's queued mutations, applied in order, each
//! outcome stored under (clinic, device, seq).
//!
//! Mutations run in transactions of up to [`PER_TRANSACTION`] under the
//! clinic's context, each inside its own savepoint. The domain function runs
//! (the same one REST calls, so the member's permission and every invariant
//! are checked again). Whatever makes one mutation fail — a rule it breaks
//! (`slot_taken`, `stale`, ...), input that slipped past validation and
//! that PostgreSQL refuses, a NUL in its text, a server error inside its
//! domain function — rolls its work back to the savepoint and ends as that
//! mutation's `rejected` outcome with a code and a reason; the push goes on
//! with the mutations behind it. A rejected mutation never blocks a desk's
//! queue: answered again and again with a failure, the desk would retry it
//! forever and never send what was queued after it.
//!
//! The outcomes of a transaction go into `sync_mutations` in one statement
//! just before it commits, so an outcome is stored if and only if what it
//! says happened. One commit for many mutations is what makes a push fast
//! (each commit waits for the disk). Only what is not one mutation's doing
//! fails the push: the database out of reach (503), a race with another
//! push of the same device (503), deadlocks that keep recurring (503), or
//! a failure storing the outcomes (500). The mutations committed before it
//! stay; the desk pushes the rest again with the same seqs.

use crate::auth::Member;
use crate::db::{self, Tx};
use crate::domain::{appointments, booking, patients, rooms, schedule};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, NUL_REFUSED, UncheckedJson, nul_path, read_with_whole_numbers};
use crate::state::AppState;
use axum::extract::State;
use clinic_core::sync::{MAX_PUSH, Mutation, MutationResult, Outcome, PushRequest, PushResponse};
use clinic_core::{ErrorBody, ErrorCode};
use serde::Deserialize;
use sqlx::Executor;
use std::collections::HashMap;
use uuid::Uuid;

/// How often a mutation broken off by a deadlock or serialization failure
/// is run again before the push gives up with 503.
const TRANSIENT_RETRIES: usize = 3;

/// The body as read: the envelope strictly, each mutation on its own, so
/// that one this server cannot read (a newer desk's mutation type, a
/// mistyped field, a NUL in its text) is rejected alone instead of failing
/// the whole push and blocking every mutation queued behind it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Incoming {
    mutations: Vec<IncomingMutation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IncomingMutation {
    seq: i64,
    id: Uuid,
    mutation: serde_json::Value,
}

/// Applies a desk's mutations in order and answers one result per mutation.
///
/// Permission: any member of the clinic may push; each mutation is then
/// checked against the member's role exactly as the matching REST endpoint
/// is (e.g. `book_appointment` needs `appointments_write`), and one the
/// role does not allow is rejected `not_permitted`. The device is the
/// session's own. A (device, seq) already pushed returns its stored result
/// and applies nothing again; the same seq with another mutation id is
/// rejected `invalid` ("seq reused"). A rejection never stops the mutations
/// after it, whatever its cause. At most 500 mutations per push.
#[utoipa::path(
    post, path = "/v1/clinics/{clinic_id}/sync/push", tag = "sync", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path)),
    request_body = PushRequest,
    responses(
        (status = 200, description = "One result per mutation, in order: `applied`, or `rejected` with `code` (`invalid`, `not_permitted`, `not_found`, `slot_taken`, `outside_working_hours`, `stale`, `conflict`, or `internal` when the server failed on that mutation alone) and `message`; a rejection is final and never stops the mutations after it", body = PushResponse),
        (status = 400, description = "Unreadable body", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, description = "Not a member of this clinic", body = ErrorBody),
        (status = 422, description = "More than 500 mutations, a seq below 1, or a malformed envelope", body = ErrorBody),
        (status = 500, description = "The server failed to store the outcomes: the mutations of the failed transaction were not stored; push them again", body = ErrorBody),
        (status = 503, description = "Database unavailable, another push of this device running, or concurrent changes kept breaking this one off: the mutations from the interrupted one on were not stored; push them again later", body = ErrorBody),
    )
)]
#[tracing::instrument(
    name = "sync_push",
    skip_all,
    fields(clinic = %member.clinic_id, device = %member.device_id, mutations = req.mutations.len())
)]
pub(crate) async fn push(
    State(state): State<AppState>,
    member: Member,
    UncheckedJson(req): UncheckedJson<Incoming>,
) -> ApiResult<Json<PushResponse>> {
    if req.mutations.len() > MAX_PUSH {
        return Err(ApiError::invalid(
            "mutations",
            format!(
                "at most {MAX_PUSH} mutations per push ({} sent); push the rest next",
                req.mutations.len()
            ),
        ));
    }
    if let Some(bad) = req.mutations.iter().find(|m| m.seq < 1) {
        return Err(ApiError::invalid(
            "mutations",
            format!("seq counts from 1 ({} sent)", bad.seq),
        ));
    }
    let mut known = stored_results(&state, &member, &req.mutations).await?;
    let mut results = Vec::with_capacity(req.mutations.len());
    let (mut applied, mut rejected, mut replayed) = (0usize, 0usize, 0usize);
    let mut batch = Batch::new(&state, &member);
    for incoming in req.mutations {
        let (seq, id) = (incoming.seq, incoming.id);
        let outcome = match known.get(&seq) {
            Some((stored_id, outcome)) if *stored_id == id => {
                replayed += 1;
                outcome.clone()
            }
            Some(_) => seq_reused(seq),
            None => {
                let outcome = batch.apply(seq, id, incoming.mutation).await?;
                match &outcome {
                    Outcome::Applied => applied += 1,
                    Outcome::Rejected { .. } => rejected += 1,
                }
                known.insert(seq, (id, outcome.clone()));
                outcome
            }
        };
        results.push(MutationResult { seq, id, outcome });
    }
    batch.commit().await?;
    tracing::info!(applied, rejected, replayed, "pushed");
    Ok(Json(PushResponse { results }))
}

/// What this device already pushed under the seqs of this push: one query
/// for the whole push instead of one per mutation.
async fn stored_results(
    state: &AppState,
    member: &Member,
    mutations: &[IncomingMutation],
) -> ApiResult<HashMap<i64, (Uuid, Outcome)>> {
    let seqs: Vec<i64> = mutations.iter().map(|m| m.seq).collect();
    let mut tx = member.begin(state).await?;
    let rows: Vec<(i64, Uuid, serde_json::Value)> = sqlx::query_as(
        "SELECT seq, mutation_id, result FROM sync_mutations
         WHERE clinic_id = $1 AND device_id = $2 AND seq = ANY($3)",
    )
    .bind(member.clinic_id)
    .bind(member.device_id)
    .bind(&seqs)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    rows.into_iter()
        .map(|(seq, id, result)| Ok((seq, (id, stored_outcome(result)?))))
        .collect()
}

fn stored_outcome(result: serde_json::Value) -> ApiResult<Outcome> {
    serde_json::from_value(result).map_err(ApiError::internal)
}

fn seq_reused(seq: i64) -> Outcome {
    Outcome::Rejected {
        code: ErrorCode::Invalid,
        message: format!(
            "seq reused: this device already pushed another mutation as seq {seq}; give each mutation its own seq"
        ),
    }
}

/// Mutations per transaction. Each savepoint that writes takes a
/// subtransaction id, and PostgreSQL caches only 64 per transaction before
/// every other session's visibility checks slow down; this also bounds how
/// long a push holds the clinic's version counter (other writers of the
/// clinic wait for it).
const PER_TRANSACTION: usize = 50;

/// The open transaction of a push and the outcomes of the mutations it
/// applied, stored together when it commits.
struct Batch<'a> {
    state: &'a AppState,
    member: &'a Member,
    tx: Option<Tx>,
    /// The last mutation's savepoint is still open: the next one releases it
    /// in the same round trip as it takes its own.
    savepoint: bool,
    outcomes: Vec<Stored>,
}

/// An outcome to store in `sync_mutations`.
struct Stored {
    seq: i64,
    id: Uuid,
    name: String,
    result: serde_json::Value,
}

impl<'a> Batch<'a> {
    fn new(state: &'a AppState, member: &'a Member) -> Self {
        Batch {
            state,
            member,
            tx: None,
            savepoint: false,
            outcomes: Vec::new(),
        }
    }

    /// Runs one mutation not seen before in its own savepoint; its outcome
    /// is stored when the transaction commits.
    async fn apply(&mut self, seq: i64, id: Uuid, raw: serde_json::Value) -> ApiResult<Outcome> {
        // Why this mutation cannot even be read, if it cannot.
        let parsed: Result<Mutation, String> = match nul_path(&raw) {
            // Text PostgreSQL cannot store: this mutation alone is refused.
            Some(field) => Err(format!("{field}: {NUL_REFUSED}")),
            None => Mutation::deserialize(&raw)
                .or_else(|refused| read_with_whole_numbers(raw.clone()).ok_or(refused))
                .map_err(|e| format!("mutation: {e}")),
        };
        let name = match &parsed {
            Ok(m) => m.name().to_owned(),
            Err(_) => unreadable_name(&raw),
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            if self.outcomes.len() == PER_TRANSACTION {
                self.commit().await?;
            }
            let tx = match &mut self.tx {
                Some(tx) => {
                    // Simple-query protocol: both statements in one round trip.
                    let step = if self.savepoint {
                        "RELEASE SAVEPOINT mutation; SAVEPOINT mutation"
                    } else {
                        "SAVEPOINT mutation"
                    };
                    (&mut **tx).execute(step).await?;
                    tx
                }
                None => self.tx.insert(
                    db::begin_clinic_mutation(&self.state.pool, self.member.clinic_id).await?,
                ),
            };
            self.savepoint = true;
            let result = match &parsed {
                Ok(mutation) => run(tx, self.member, mutation).await,
                Err(unreadable) => Err(ApiError::new(ErrorCode::Invalid, unreadable.clone())),
            };
            let outcome = match result {
                Ok(()) => Outcome::Applied,
                Err(e) if e.transient => {
                    // A deadlock or serialization failure: keep what went
                    // before and run this one again in a fresh transaction,
                    // which lets go of the locks this one held meanwhile.
                    self.undo().await?;
                    self.commit().await?;
                    if attempt <= TRANSIENT_RETRIES {
                        continue;
                    }
                    return Err(ApiError::new(
                        ErrorCode::Unavailable,
                        "concurrent changes kept breaking this push off; push again",
                    ));
                }
                Err(e) if fails_the_push(&e) => {
                    // Not this mutation's doing: keep what went before, and
                    // the desk pushes this one again later.
                    self.undo().await?;
                    self.commit().await?;
                    return Err(e);
                }
                Err(e) => {
                    // Back to the savepoint, which stays open: the
                    // transaction is usable again for the mutations behind.
                    // (Should the connection itself be gone, this fails and
                    // so does the push, which the desk then retries.)
                    sqlx::query("ROLLBACK TO SAVEPOINT mutation")
                        .execute(&mut **tx)
                        .await?;
                    Outcome::Rejected {
                        // A mutation naming a row the clinic does not have is
                        // judged as a whole: what it acts on is not found.
                        code: if e.unknown_reference {
                            ErrorCode::NotFound
                        } else {
                            e.code
                        },
                        message: storable(e.message),
                    }
                }
            };
            self.outcomes.push(Stored {
                seq,
                id,
                name,
                result: serde_json::to_value(&outcome).map_err(ApiError::internal)?,
            });
            return Ok(outcome);
        }
    }

    /// Takes back what the current mutation did, keeping the ones before it.
    async fn undo(&mut self) -> ApiResult<()> {
        if let Some(tx) = &mut self.tx {
            (&mut **tx)
                .execute("ROLLBACK TO SAVEPOINT mutation; RELEASE SAVEPOINT mutation")
                .await?;
        }
        self.savepoint = false;
        Ok(())
    }

    /// Stores the outcomes of the mutations applied so far and commits them.
    async fn commit(&mut self) -> ApiResult<()> {
        self.savepoint = false;
        let outcomes = std::mem::take(&mut self.outcomes);
        let Some(mut tx) = self.tx.take() else {
            return Ok(());
        };
        if !outcomes.is_empty() && store(&mut tx, self.member, &outcomes).await? < outcomes.len() {
            // A concurrent push of this device (a desk retrying while its
            // first push still ran) stored some of these seqs first; its
            // outcomes are the ones that happened. Nothing of this
            // transaction is kept: pushed again, these seqs are answered
            // from what is stored.
            tx.rollback().await?;
            return Err(ApiError::new(
                ErrorCode::Unavailable,
                "another push of this device stored some of these mutations first; push again",
            ));
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Stores the outcomes in one statement; how many were new (a (device, seq)
/// already stored keeps its first outcome).
async fn store(tx: &mut Tx, member: &Member, outcomes: &[Stored]) -> ApiResult<usize> {
    let seqs: Vec<i64> = outcomes.iter().map(|o| o.seq).collect();
    let ids: Vec<Uuid> = outcomes.iter().map(|o| o.id).collect();
    let names: Vec<&str> = outcomes.iter().map(|o| o.name.as_str()).collect();
    let results: Vec<&serde_json::Value> = outcomes.iter().map(|o| &o.result).collect();
    let inserted = sqlx::query(
        "INSERT INTO sync_mutations (clinic_id, device_id, seq, mutation_id, name, user_id, result)
         SELECT $1, $2, o.seq, o.id, o.name, $3, o.result
         FROM unnest($4::int8[], $5::uuid[], $6::text[], $7::jsonb[]) AS o (seq, id, name, result)
         ON CONFLICT (clinic_id, device_id, seq) DO NOTHING",
    )
    .bind(member.clinic_id)
    .bind(member.device_id)
    .bind(member.user_id)
    .bind(&seqs)
    .bind(&ids)
    .bind(&names)
    .bind(&results)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(inserted as usize)
}

/// The name under which an unreadable mutation is stored: its `type` if it
/// has a plausible one.
fn unreadable_name(raw: &serde_json::Value) -> String {
    raw.get("type")
        .and_then(|t| t.as_str())
        .filter(|t| !t.is_empty() && t.len() <= 64 && !t.chars().any(char::is_control))
        .unwrap_or("unreadable")
        .to_owned()
}

/// Whether a mutation's failure is not its own doing and fails the push
/// instead of rejecting it: the database out of reach, which says nothing
/// about the mutation and may well pass. Anything else one mutation runs
/// into, from a broken rule to a server error inside its domain function,
/// is that mutation's final rejection, so it cannot hold up those behind it.
/// (Deadlocks and serialization failures are retried first, see `apply`.)
fn fails_the_push(e: &ApiError) -> bool {
    e.code == ErrorCode::Unavailable
}

/// A rejection's message as it can be stored in `sync_mutations` (jsonb,
/// which holds no NUL): the desk's own input can be echoed in it, and an
/// unstorable message would fail the commit of every mutation around it.
fn storable(message: String) -> String {
    if message.contains('\0') {
        message.replace('\0', "\u{FFFD}")
    } else {
        message
    }
}

/// The mutation, through the domain function REST uses for the same act.
async fn run(tx: &mut Tx, member: &Member, mutation: &Mutation) -> ApiResult<()> {
    match mutation {
        Mutation::RegisterPatient {
            patient_id,
            patient,
        } => patients::register(tx, member, *patient_id, patient)
            .await
            .map(drop),
        Mutation::UpdatePatient {
            patient_id,
            changes,
        } => patients::update(tx, member, *patient_id, changes)
            .await
            .map(drop),
        Mutation::ArchivePatient { patient_id } => patients::archive(tx, member, *patient_id).await,
        Mutation::BookAppointment {
            appointment_id,
            booking,
        } => booking::book(tx, member, *appointment_id, booking)
            .await
            .map(drop),
        Mutation::RescheduleAppointment {
            appointment_id,
            change,
        } => booking::reschedule(tx, member, *appointment_id, change)
            .await
            .map(drop),
        Mutation::CancelAppointment {
            appointment_id,
            cancel,
        } => appointments::cancel(tx, member, *appointment_id, cancel)
            .await
            .map(drop),
        Mutation::CheckIn { appointment_id } => appointments::check_in(tx, member, *appointment_id)
            .await
            .map(drop),
        Mutation::MarkNoShow { appointment_id } => {
            appointments::no_show(tx, member, *appointment_id)
                .await
                .map(drop)
        }
        Mutation::CompleteAppointment { appointment_id } => {
            appointments::complete(tx, member, *appointment_id)
                .await
                .map(drop)
        }
        Mutation::SetWorkingHours { doctor_id, week } => {
            schedule::set_week(tx, member, *doctor_id, week)
                .await
                .map(drop)
        }
        Mutation::AddTimeOff {
            doctor_id,
            time_off_id,
            time_off,
        } => schedule::add_time_off(tx, member, *doctor_id, *time_off_id, time_off)
            .await
            .map(drop),
        Mutation::RemoveTimeOff {
            doctor_id,
            time_off_id,
        } => schedule::remove_time_off(tx, member, *doctor_id, *time_off_id).await,
        Mutation::CreateRoom { room_id, room } => {
            rooms::create(tx, member, *room_id, room).await.map(drop)
        }
        Mutation::UpdateRoom { room_id, changes } => {
            rooms::update(tx, member, *room_id, changes).await.map(drop)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_an_unreachable_database_fails_the_push() {
        for code in [
            ErrorCode::Invalid,
            ErrorCode::NotPermitted,
            ErrorCode::NotFound,
            ErrorCode::SlotTaken,
            ErrorCode::OutsideWorkingHours,
            ErrorCode::Stale,
            ErrorCode::Conflict,
            ErrorCode::Internal,
        ] {
            assert!(!fails_the_push(&ApiError::new(code, "x")), "{code:?}");
        }
        assert!(fails_the_push(&ApiError::new(ErrorCode::Unavailable, "x")));
    }

    #[test]
    fn stored_messages_hold_no_nul() {
        assert_eq!(
            storable("unknown variant `a\0b`".into()),
            "unknown variant `a\u{FFFD}b`"
        );
        assert_eq!(storable("fine".into()), "fine");
    }

    #[test]
    fn unreadable_mutations_keep_a_plausible_name() {
        assert_eq!(
            unreadable_name(&json!({"type": "order_report"})),
            "order_report"
        );
        assert_eq!(unreadable_name(&json!({"type": 7})), "unreadable");
        assert_eq!(unreadable_name(&json!("x")), "unreadable");
        assert_eq!(
            unreadable_name(&json!({"type": "x".repeat(65)})),
            "unreadable"
        );
        assert_eq!(unreadable_name(&json!({"type": "a\u{0}b"})), "unreadable");
    }
}
