//! Live pokes: one LISTEN connection per server instance, fanned out to
//! every open event stream.
//!
//! A trigger on `clinic_sync_counters` announces each committed move of a
//! clinic's version as `NOTIFY clinic_sync '<clinic_id>:<version>'`, once
//! per transaction with its last version (see migrations
//! `…002200_sync_notify` and `…003100_sync_notify_per_transaction`).
//! PostgreSQL delivers it to every instance listening, so a write through
//! one instance pokes the desks connected to all the others.
//!
//! The same connection hears of lost access (migration
//! `…004200_access_revoked_notify`): `session_revoked` '<session_id>' and
//! `membership_changed` '<clinic_id>:<user_id>', which end the streams
//! opened with that session or membership, on every instance.

use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use std::time::Duration;
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

pub const CHANNEL: &str = "clinic_sync";
pub const SESSION_REVOKED: &str = "session_revoked";
pub const MEMBERSHIP_CHANGED: &str = "membership_changed";

/// What the listener tells the event streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// The clinic's version is now `version` (or later).
    Moved { clinic_id: Uuid, version: i64 },
    /// The session was revoked (or deleted): it opens nothing any more.
    SessionRevoked { session_id: Uuid },
    /// The user's membership of the clinic was removed or its role changed.
    MembershipChanged { clinic_id: Uuid, user_id: Uuid },
    /// Notifications may have been lost (the listening connection dropped):
    /// every stream should read its clinic's version, and check its
    /// session and membership, afresh.
    Resync,
}

/// The fan-out side, held in the application state.
#[derive(Clone)]
pub struct Pokes {
    sender: broadcast::Sender<Signal>,
}

impl Pokes {
    pub fn new() -> Self {
        // A burst of writes (REST calls, a push's transactions of up to 50
        // mutations) sends a signal per transaction; a stream that falls
        // further behind than this resyncs.
        let (sender, _) = broadcast::channel(4096);
        Pokes { sender }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Signal> {
        self.sender.subscribe()
    }

    fn send(&self, signal: Signal) {
        // No stream open is not an error.
        let _ = self.sender.send(signal);
    }

    /// Listens until `stop` turns true, reconnecting with backoff whenever
    /// the connection fails; each (re)connection is followed by `Resync`.
    pub fn spawn_listener(
        &self,
        options: PgConnectOptions,
        mut stop: watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        let pokes = self.clone();
        tokio::spawn(async move {
            let mut backoff = Backoff::default();
            loop {
                if *stop.borrow() {
                    return;
                }
                match pokes.listen(&options, &mut stop, &mut backoff).await {
                    Ok(()) => return,
                    Err(e) => {
                        let wait = backoff.next();
                        tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "sync listener lost its connection");
                        tokio::select! {
                            _ = tokio::time::sleep(wait) => {}
                            _ = stop.changed() => return,
                        }
                    }
                }
            }
        })
    }

    /// One connection's life: `Ok` when told to stop, `Err` when it failed.
    async fn listen(
        &self,
        options: &PgConnectOptions,
        stop: &mut watch::Receiver<bool>,
        backoff: &mut Backoff,
    ) -> Result<(), sqlx::Error> {
        // Its own single connection, apart from the request pool, so that
        // listening never takes a connection from requests.
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .max_lifetime(None)
            .idle_timeout(None)
            .connect_lazy_with(options.clone());
        let mut listener = PgListener::connect_with(&pool).await?;
        listener
            .listen_all([CHANNEL, SESSION_REVOKED, MEMBERSHIP_CHANGED])
            .await?;
        backoff.reset();
        tracing::debug!("listening for sync notifications");
        self.send(Signal::Resync);
        loop {
            tokio::select! {
                _ = stop.changed() => return Ok(()),
                received = listener.try_recv() => match received? {
                    Some(notification) => match parse(notification.channel(), notification.payload()) {
                        Some(signal) => self.send(signal),
                        None => tracing::warn!(channel = notification.channel(), payload = notification.payload(), "unreadable sync notification"),
                    },
                    // The connection dropped and was re-established (and
                    // LISTENs again): what was sent meanwhile is lost.
                    None => self.send(Signal::Resync),
                }
            }
        }
    }
}

impl Default for Pokes {
    fn default() -> Self {
        Self::new()
    }
}

/// A notification's payload on `channel`, as its trigger writes it.
fn parse(channel: &str, payload: &str) -> Option<Signal> {
    match channel {
        CHANNEL => {
            let (clinic, version) = payload.split_once(':')?;
            Some(Signal::Moved {
                clinic_id: clinic.parse().ok()?,
                version: version.parse().ok()?,
            })
        }
        SESSION_REVOKED => Some(Signal::SessionRevoked {
            session_id: payload.parse().ok()?,
        }),
        MEMBERSHIP_CHANGED => {
            let (clinic, user) = payload.split_once(':')?;
            Some(Signal::MembershipChanged {
                clinic_id: clinic.parse().ok()?,
                user_id: user.parse().ok()?,
            })
        }
        _ => None,
    }
}

/// 100 ms doubling to 10 s between failed connections.
#[derive(Debug)]
struct Backoff(Duration);

impl Default for Backoff {
    fn default() -> Self {
        Backoff(Duration::from_millis(100))
    }
}

impl Backoff {
    fn next(&mut self) -> Duration {
        let wait = self.0;
        self.0 = (self.0 * 2).min(Duration::from_secs(10));
        wait
    }

    fn reset(&mut self) {
        *self = Backoff::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_read_by_their_channel() {
        let clinic = Uuid::now_v7();
        let other = Uuid::now_v7();
        assert_eq!(
            parse(CHANNEL, &format!("{clinic}:42")),
            Some(Signal::Moved {
                clinic_id: clinic,
                version: 42
            })
        );
        assert_eq!(
            parse(SESSION_REVOKED, &clinic.to_string()),
            Some(Signal::SessionRevoked { session_id: clinic })
        );
        assert_eq!(
            parse(MEMBERSHIP_CHANGED, &format!("{clinic}:{other}")),
            Some(Signal::MembershipChanged {
                clinic_id: clinic,
                user_id: other
            })
        );
        let bad = [
            (CHANNEL, String::new()),
            (CHANNEL, "42".into()),
            (CHANNEL, "not-a-uuid:1".into()),
            (CHANNEL, format!("{clinic}:x")),
            (SESSION_REVOKED, format!("{clinic}:1")),
            (MEMBERSHIP_CHANGED, clinic.to_string()),
            (MEMBERSHIP_CHANGED, format!("{clinic}:42")),
            ("elsewhere", format!("{clinic}:42")),
        ];
        for (channel, payload) in bad {
            assert_eq!(parse(channel, &payload), None, "{channel} {payload}");
        }
    }

    #[test]
    fn backoff_doubles_up_to_a_ceiling_and_resets() {
        let mut b = Backoff::default();
        let waits: Vec<u64> = (0..10).map(|_| b.next().as_millis() as u64).collect();
        assert_eq!(&waits[..4], &[100, 200, 400, 800]);
        assert_eq!(*waits.last().expect("some"), 10_000);
        b.reset();
        assert_eq!(b.next(), Duration::from_millis(100));
    }
}
