//! What the sync engine (and tests feeding pages by hand) does to the
//! store: push batches and their answers, pull pages, the cursor.

use super::Desk;
use crate::error::Result;
use crate::store::rebase::{self, PullKind, PushSummary};
use crate::store::state;
use clinic_core::sync::{PendingMutation, PullPage, PushResponse};
use rusqlite::TransactionBehavior;
use uuid::Uuid;

impl Desk {
    /// Binds sequence numbers to the session's device (see `state::adopt_device`).
    pub fn adopt_device(&self, device_id: Uuid) -> Result<()> {
        let mut store = self.store();
        let tx = store
            .conn()
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        state::adopt_device(&tx, device_id)?;
        tx.commit()?;
        Ok(())
    }

    /// The next push: the oldest unanswered mutations, at most `max`.
    pub fn pending_batch(&self, max: usize) -> Result<Vec<PendingMutation>> {
        state::pending_batch(self.store().conn_ref(), max)
    }

    /// Records the server's answer to pushing `sent`, in one transaction.
    pub fn apply_push_response(
        &self,
        sent: &[PendingMutation],
        response: &PushResponse,
    ) -> Result<PushSummary> {
        let now = self.now();
        let mut store = self.store();
        let tx = store
            .conn()
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let summary = rebase::apply_push_response(&tx, self.actor(), sent, response, now)?;
        tx.commit()?;
        drop(store);
        self.changed();
        Ok(summary)
    }

    pub fn cursor(&self) -> Result<i64> {
        state::cursor(self.store().conn_ref())
    }

    /// Marks the start of a pull (see `OutboxState::Applied`).
    pub fn pull_started(&self) -> Result<()> {
        state::pull_started(self.store().conn_ref())
    }

    /// Stores one pull page and rebases the outbox on it, in one transaction.
    pub fn apply_pull_page(&self, page: &PullPage, kind: PullKind) -> Result<()> {
        let mut store = self.store();
        // A page with more behind it commits without waiting for the disk
        // (synchronous=NORMAL: still atomic and consistent, but a power cut
        // may take back the last commits). Such pages can be pulled again,
        // and the cursor goes back with them. The next commit at FULL, a
        // pull's last page or any action, makes everything before it
        // durable too: WAL commits reach the disk in order.
        let relaxed = page.has_more;
        if relaxed {
            store.conn().pragma_update(None, "synchronous", "NORMAL")?;
        }
        let applied: Result<()> = (|| {
            let tx = store
                .conn()
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            rebase::apply_pull_page(&tx, self.actor(), page, kind)?;
            tx.commit()?;
            Ok(())
        })();
        if relaxed {
            store.conn().pragma_update(None, "synchronous", "FULL")?;
        }
        applied?;
        drop(store);
        self.changed();
        Ok(())
    }

    /// Records a complete push and pull.
    pub fn mark_synced(&self) -> Result<()> {
        state::mark_synced(self.store().conn_ref(), self.now())
    }
}
