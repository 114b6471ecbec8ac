//! The sync engine: in the background, push the outbox, pull until the
//! server has nothing more, then wait for a poke, a timer or a local action.
//! While the server cannot be reached it backs off exponentially with
//! jitter; after a restart it resumes from the store's cursor and outbox.
//!
//! The server's versions order history; the desk's clock only stamps what
//! is shown.

use crate::api::{ApiClient, ApiError};
use crate::desk::Desk;
use crate::error::{Error, ErrorView, Result};
use crate::store::rebase::PullKind;
use chrono::{DateTime, Utc};
use clinic_core::sync::{
    MAX_PULL_LIMIT, MAX_PUSH, MutationResult, Outcome, PriorityStage, PullPage, PullQuery,
    PushRequest, PushResponse,
};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tracing::Instrument;
use uuid::Uuid;

mod backoff;
mod live;

pub use backoff::Backoff;
use live::listen;

#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Sync this often even without a poke.
    pub interval: Duration,
    pub pull_limit: u32,
    /// First and longest wait between attempts while failing. The cap is
    /// low because it is also how long a desk may stay "offline" after the
    /// server is back; a refused connection costs the server nothing.
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// Listen to the server's pokes (SSE) to pull at once.
    pub live: bool,
    /// Also notice actions queued by another process on the same store (the
    /// CLI's `sync --watch` beside `desk book`), checking this often.
    pub watch_store: Option<Duration>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            interval: Duration::from_secs(30),
            // The largest page the server gives: a first sync commits (and
            // rewrites index pages to the WAL) once per page, so fewer,
            // larger pages write it faster. Later pulls are small anyway.
            pull_limit: MAX_PULL_LIMIT,
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(5),
            live: true,
            watch_store: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// Not tried yet.
    Starting,
    Syncing,
    /// The last sync went through.
    Online,
    /// The server could not be reached; retrying with backoff.
    Offline,
    /// The server refused the session: sign in again. Local work goes on.
    SignedOut,
    /// The server answered with an error it may not recover from by itself.
    Failing,
}

/// What the status bar shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub state: SyncState,
    /// Desk clock of the last complete sync.
    pub last_sync_at: Option<DateTime<Utc>>,
    /// Actions not yet answered by the server.
    pub pending: u64,
    pub conflicts: u64,
    /// Why the last attempt failed.
    pub last_error: Option<ErrorView>,
    /// The live event stream is connected.
    pub live: bool,
}

/// What one sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub pushed: usize,
    pub applied: usize,
    pub rejected: usize,
    pub pages: usize,
    pub changes: usize,
    pub cursor: i64,
}

/// One page of a pull: which, and from where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PullStep {
    /// A stage of the first sync's priority page.
    Priority(PriorityStage),
    /// Changes after this cursor.
    Changes(i64),
}

impl PullStep {
    fn kind(self) -> PullKind {
        match self {
            PullStep::Priority(_) => PullKind::Priority,
            PullStep::Changes(_) => PullKind::Changes,
        }
    }
}

/// A pulled page now in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PageApplied {
    pub step: PullStep,
    /// Rows and tombstones in it.
    pub changes: usize,
}

/// Whether a failed push says something about the mutations it carried (a
/// body the server cannot take), rather than about the session, the clinic
/// or the server's health, which pushing again later may cure.
fn refuses_the_body(status: u16) -> bool {
    matches!(status, 400 | 413 | 422)
}

/// Runs a blocking store call off the async runtime's threads.
async fn blocking<T, F>(desk: &Desk, f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&Desk) -> Result<T> + Send + 'static,
{
    let desk = desk.clone();
    tokio::task::spawn_blocking(move || f(&desk))
        .await
        .map_err(|e| Error::Corrupt(format!("a store task failed: {e}")))?
}

#[derive(Clone)]
pub struct SyncEngine {
    desk: Desk,
    api: ApiClient,
    clinic_id: Uuid,
    config: EngineConfig,
    /// One sync at a time per engine: a "sync now" during a background sync
    /// waits for it instead of interleaving pages.
    running: Arc<tokio::sync::Mutex<()>>,
}

impl SyncEngine {
    pub fn new(desk: Desk, api: ApiClient, config: EngineConfig) -> SyncEngine {
        SyncEngine {
            clinic_id: desk.identity().clinic_id,
            desk,
            api,
            config,
            running: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// Pushes the whole outbox, then pulls until the server has nothing
    /// more: on first sync the priority pages (today's agenda, then the
    /// coming weeks'), then everything from cursor 0.
    pub async fn sync_once(&self) -> Result<SyncReport> {
        self.sync_once_with(|_| {}).await
    }

    /// [`SyncEngine::sync_once`], calling `on_page` after each pulled page
    /// is in the store (progress displays, measurements).
    pub async fn sync_once_with(
        &self,
        mut on_page: impl FnMut(&PageApplied) + Send,
    ) -> Result<SyncReport> {
        let _one_at_a_time = self.running.lock().await;
        let mut report = SyncReport::default();
        let mut batch_size = MAX_PUSH;
        loop {
            let batch = blocking(&self.desk, move |d| d.pending_batch(batch_size)).await?;
            if batch.is_empty() {
                break;
            }
            let pushed = self
                .api
                .push(
                    self.clinic_id,
                    &PushRequest {
                        mutations: batch.clone(),
                    },
                )
                .await;
            let answer = match pushed {
                Ok(answer) => answer,
                Err(ApiError::Server { status, body }) if refuses_the_body(status) => {
                    if batch.len() > 1 {
                        // Find the one the server cannot take: push one at a time.
                        batch_size = 1;
                        continue;
                    }
                    // This mutation alone is refused as a whole request (e.g. a
                    // kind the server does not know yet): into the inbox with
                    // the server's reason, so the ones behind it move on.
                    tracing::warn!(
                        seq = batch[0].seq,
                        mutation = batch[0].mutation.name(),
                        status,
                        code = body.code.as_str(),
                        "the server refused a pushed mutation outright"
                    );
                    PushResponse {
                        results: vec![MutationResult {
                            seq: batch[0].seq,
                            id: batch[0].id,
                            outcome: Outcome::Rejected {
                                code: body.code,
                                message: format!(
                                    "the server refused this action: {}",
                                    body.message
                                ),
                            },
                        }],
                    }
                }
                Err(e) => return Err(e.into()),
            };
            batch_size = MAX_PUSH;
            let answered = answer.results.len();
            let summary =
                blocking(&self.desk, move |d| d.apply_push_response(&batch, &answer)).await?;
            report.pushed += answered;
            report.applied += summary.applied;
            report.rejected += summary.rejected;
            if answered == 0 {
                return Err(Error::Api(ApiError::Protocol(
                    "the server answered a push with no results".into(),
                )));
            }
        }

        let info = blocking(&self.desk, |d| d.sync_info()).await?;
        // First sync: today's agenda, then the coming weeks', then everything.
        let mut step = if !info.priority_done && info.cursor == 0 {
            PullStep::Priority(PriorityStage::Today)
        } else {
            self.start_pull().await?
        };
        let mut fetched = self.fetch(step).await;
        loop {
            let page = fetched?;
            let next = match step {
                PullStep::Priority(PriorityStage::Today) => {
                    Some(PullStep::Priority(PriorityStage::Ahead))
                }
                PullStep::Priority(PriorityStage::Ahead) => Some(self.start_pull().await?),
                PullStep::Changes(_) => page.has_more.then_some(PullStep::Changes(page.cursor)),
            };
            let applied = PageApplied {
                step,
                changes: page.changes.len(),
            };
            report.pages += 1;
            report.changes += page.changes.len();
            if let PullStep::Changes(_) = step {
                report.cursor = page.cursor;
            }
            let kind = step.kind();
            let apply = blocking(&self.desk, move |d| d.apply_pull_page(&page, kind));
            // The next page downloads while this one is written.
            let prefetched = match next {
                Some(next) => {
                    let (applying, prefetched) = tokio::join!(apply, self.fetch(next));
                    applying?;
                    Some((next, prefetched))
                }
                None => {
                    apply.await?;
                    None
                }
            };
            on_page(&applied);
            match prefetched {
                Some((next, page)) => {
                    step = next;
                    fetched = page;
                }
                None => break,
            }
        }
        blocking(&self.desk, |d| d.mark_synced()).await?;
        Ok(report)
    }

    /// Marks the start of a pull from the store's cursor (see
    /// [`Desk::pull_started`]) and returns its first step.
    async fn start_pull(&self) -> Result<PullStep> {
        blocking(&self.desk, |d| d.pull_started()).await?;
        Ok(PullStep::Changes(
            blocking(&self.desk, |d| d.cursor()).await?,
        ))
    }

    async fn fetch(&self, step: PullStep) -> Result<PullPage> {
        let query = match step {
            PullStep::Priority(stage) => PullQuery {
                cursor: Some(0),
                limit: Some(self.config.pull_limit),
                priority: true,
                stage: Some(stage),
            },
            PullStep::Changes(cursor) => PullQuery {
                cursor: Some(cursor),
                limit: Some(self.config.pull_limit),
                priority: false,
                stage: None,
            },
        };
        Ok(self.api.pull(self.clinic_id, &query).await?)
    }

    /// Starts the engine on the current tokio runtime.
    pub fn spawn(self) -> EngineHandle {
        let (status_tx, status_rx) = watch::channel(SyncStatus {
            state: SyncState::Starting,
            last_sync_at: None,
            pending: 0,
            conflicts: 0,
            last_error: None,
            live: false,
        });
        let (stop_tx, stop_rx) = watch::channel(false);
        let wake = Arc::new(Notify::new());
        let poked = Arc::new(Notify::new());
        let live_task = self.config.live.then(|| {
            tokio::spawn(
                listen(
                    self.clone(),
                    poked.clone(),
                    status_tx.clone(),
                    stop_rx.clone(),
                )
                .instrument(tracing::info_span!("sync_events")),
            )
        });
        let task = tokio::spawn(
            self.run(status_tx, wake.clone(), poked, stop_rx)
                .instrument(tracing::info_span!("sync_engine")),
        );
        EngineHandle {
            status: status_rx,
            wake,
            stop: stop_tx,
            task,
            live_task,
        }
    }

    async fn refresh_counts(&self, status: &watch::Sender<SyncStatus>) {
        if let Ok(info) = blocking(&self.desk, |d| d.sync_info()).await {
            status.send_if_modified(|s| {
                let changed = s.pending != info.pending
                    || s.conflicts != info.conflicts
                    || s.last_sync_at != info.last_sync_at;
                s.pending = info.pending;
                s.conflicts = info.conflicts;
                s.last_sync_at = info.last_sync_at;
                changed
            });
        }
    }

    async fn run(
        self,
        status: watch::Sender<SyncStatus>,
        wake: Arc<Notify>,
        poked: Arc<Notify>,
        mut stop: watch::Receiver<bool>,
    ) {
        let mut backoff = Backoff::new(self.config.backoff_min, self.config.backoff_max);
        let mut revision = self.desk.subscribe();
        let mut seen_seq = blocking(&self.desk, |d| d.sync_info())
            .await
            .map(|i| i.next_seq)
            .unwrap_or(0);
        self.refresh_counts(&status).await;
        loop {
            if *stop.borrow() {
                return;
            }
            status.send_modify(|s| s.state = SyncState::Syncing);
            // Stopping does not wait for a long (first) sync to finish: the
            // page being written commits or not as a whole, the rest is
            // pulled next time.
            let outcome = tokio::select! {
                outcome = self.sync_once().instrument(tracing::info_span!("sync")) => outcome,
                _ = stop.changed() => return,
            };
            let (wait, cut_short_by_actions) = match outcome {
                Ok(report) => {
                    tracing::debug!(
                        pushed = report.pushed,
                        rejected = report.rejected,
                        pages = report.pages,
                        changes = report.changes,
                        cursor = report.cursor,
                        "synced"
                    );
                    backoff.reset();
                    status.send_modify(|s| {
                        s.state = SyncState::Online;
                        s.last_error = None;
                    });
                    (self.config.interval, true)
                }
                Err(e) => {
                    let unauthenticated = matches!(&e, Error::Api(a) if a.is_unauthenticated());
                    let state = if unauthenticated {
                        SyncState::SignedOut
                    } else if e.is_offline() {
                        SyncState::Offline
                    } else {
                        SyncState::Failing
                    };
                    tracing::warn!(code = e.code(), "sync failed: {e}");
                    status.send_modify(|s| {
                        s.state = state;
                        s.last_error = Some(e.view());
                    });
                    if unauthenticated {
                        // Nothing will work until someone signs in again.
                        (Duration::from_secs(24 * 3600), false)
                    } else {
                        (backoff.next_delay(), false)
                    }
                }
            };
            self.refresh_counts(&status).await;

            // Wait for the next reason to sync.
            let deadline = Instant::now() + wait;
            let mut store_check = self
                .config
                .watch_store
                .map(|every| tokio::time::interval_at(Instant::now() + every, every));
            loop {
                let tick = async {
                    match store_check.as_mut() {
                        Some(i) => {
                            i.tick().await;
                        }
                        None => std::future::pending::<()>().await,
                    }
                };
                tokio::select! {
                    _ = tokio::time::sleep_until(deadline) => break,
                    _ = wake.notified() => break,
                    _ = poked.notified() => break,
                    _ = self.desk.queued(), if cut_short_by_actions => break,
                    _ = stop.changed() => return,
                    changed = revision.changed() => {
                        if changed.is_err() {
                            return;
                        }
                        self.refresh_counts(&status).await;
                    }
                    _ = tick => {
                        let next = blocking(&self.desk, |d| d.sync_info()).await.map(|i| i.next_seq);
                        if let Ok(next) = next && next != seen_seq {
                            seen_seq = next;
                            self.refresh_counts(&status).await;
                            if cut_short_by_actions {
                                break;
                            }
                        }
                    }
                }
            }
        }
    }
}

pub struct EngineHandle {
    status: watch::Receiver<SyncStatus>,
    wake: Arc<Notify>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    live_task: Option<JoinHandle<()>>,
}

impl EngineHandle {
    /// The engine's status; `changed()` resolves on every update.
    pub fn status(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }

    /// Syncs now, cutting any wait or backoff short ("Sync now" button).
    pub fn sync_now(&self) {
        self.wake.notify_one();
    }

    /// Stops the engine, breaking off a sync in progress; the store stays
    /// consistent at any point, as every step is one transaction.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
        if let Some(t) = self.live_task {
            let _ = t.await;
        }
    }
}
