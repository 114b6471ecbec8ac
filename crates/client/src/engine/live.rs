//! The live event stream: the server's pokes wake the engine.

use super::{Backoff, SyncEngine, SyncStatus, blocking};
use futures_util::StreamExt;
use std::sync::Arc;
use tokio::sync::{Notify, watch};

/// Keeps the live event stream open, reconnecting with backoff, and pokes
/// the engine when the server has something newer than the desk's cursor
/// (and on every reconnect, which may follow missed pokes). A stream that
/// breaks pokes it too: the server may be gone, and a sync finds out at
/// once instead of at the next interval.
pub(super) async fn listen(
    engine: SyncEngine,
    poked: Arc<Notify>,
    status: watch::Sender<SyncStatus>,
    mut stop: watch::Receiver<bool>,
) {
    let mut backoff = Backoff::new(engine.config.backoff_min, engine.config.backoff_max);
    loop {
        let connected = tokio::select! {
            r = engine.api.events(engine.clinic_id) => r,
            _ = stop.changed() => return,
        };
        match connected {
            Ok(mut pokes) => {
                backoff.reset();
                status.send_modify(|s| s.live = true);
                poked.notify_one();
                loop {
                    let next = tokio::select! {
                        n = pokes.next() => n,
                        _ = stop.changed() => return,
                    };
                    match next {
                        Some(Ok(poke)) => {
                            let cursor = blocking(&engine.desk, |d| d.cursor()).await.unwrap_or(0);
                            if poke.version > cursor {
                                poked.notify_one();
                            }
                        }
                        Some(Err(e)) => {
                            tracing::debug!("event stream: {e}");
                            if e.is_offline() {
                                break;
                            }
                        }
                        None => break,
                    }
                }
                status.send_modify(|s| s.live = false);
                poked.notify_one();
            }
            Err(e) => tracing::debug!(code = e.code(), "event stream not available: {e}"),
        }
        let wait = backoff.next_delay();
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
        }
    }
}
