//! The conflict inbox: actions the server rejected, and how a person
//! settles them.

use super::{Desk, Queued};
use crate::error::{Error, Result};
use crate::store::queries::{self, Conflict};
use chrono::{DateTime, Utc};
use clinic_core::ErrorCode;
use clinic_core::api::appointments::{BookAppointment, RescheduleAppointment};
use clinic_core::sync::Mutation;
use rusqlite::TransactionBehavior;
use uuid::Uuid;

/// How a person settles a conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Drop it: the action is not wanted any more.
    Discard,
    /// Queue it again as it was (e.g. the slot has freed up since).
    Retry,
    /// For a rejected booking or move: book or move again at another time
    /// (and optionally with another doctor or room). Replaces the conflict.
    PickAnotherSlot {
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        doctor_id: Option<Uuid>,
        room_id: Option<Option<Uuid>>,
    },
}

impl Desk {
    pub fn conflicts(&self) -> Result<Vec<Conflict>> {
        queries::conflicts(&self.read())
    }

    /// Settles a conflict. `Retry` and `PickAnotherSlot` run the same local
    /// checks as a new action and, if one fails, leave the conflict in place
    /// and return the reason. Returns what was queued, if anything.
    pub fn resolve_conflict(
        &self,
        conflict_id: Uuid,
        resolution: Resolution,
    ) -> Result<Option<Queued>> {
        let conflict = self
            .conflicts()?
            .into_iter()
            .find(|c| c.id == conflict_id)
            .ok_or_else(|| Error::not_found("conflict"))?;
        // Taken off the inbox in the same transaction as its replacement is
        // queued; if another window resolved it meanwhile, nothing happens twice.
        let replacement = match resolution {
            Resolution::Discard => None,
            Resolution::Retry => Some(conflict.mutation),
            Resolution::PickAnotherSlot {
                starts_at,
                ends_at,
                doctor_id,
                room_id,
            } => Some(match conflict.mutation {
                Mutation::BookAppointment { booking, .. } => Mutation::BookAppointment {
                    // The rejected booking never existed on the server: a new one.
                    appointment_id: Uuid::now_v7(),
                    booking: BookAppointment {
                        starts_at,
                        ends_at,
                        doctor_id: doctor_id.unwrap_or(booking.doctor_id),
                        room_id: room_id.unwrap_or(booking.room_id),
                        ..booking
                    },
                },
                Mutation::RescheduleAppointment { appointment_id, .. } => {
                    Mutation::RescheduleAppointment {
                        appointment_id,
                        change: RescheduleAppointment {
                            starts_at,
                            ends_at,
                            doctor_id,
                            room_id,
                        },
                    }
                }
                other => {
                    return Err(Error::refused(
                        ErrorCode::Invalid,
                        format!("{} has no slot to pick; retry or discard it", other.name()),
                    ));
                }
            }),
        };
        let now = self.now();
        let mut store = self.store();
        let tx = store
            .conn()
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let removed = tx.execute(
            "DELETE FROM conflicts WHERE id = ?1",
            [conflict_id.to_string()],
        )?;
        if removed == 0 {
            return Err(Error::not_found("conflict"));
        }
        let queued = replacement
            .map(|mutation| self.queue_fresh(&tx, &mutation, now))
            .transpose()?;
        tx.commit()?;
        drop(store);
        self.changed();
        if queued.is_some() {
            self.inner.queued.notify_one();
        }
        Ok(queued)
    }
}
