//! Desktop notifications: a doctor's next appointment, and conflicts that
//! appear after a sync, each switchable in the settings. `plan` decides
//! (pure, tested); `sink` shows; this module watches the open desk and
//! connects the two.

pub mod plan;
pub mod sink;
pub mod wording;

use crate::settings::{Settings, SettingsFile};
use crate::state::OpenDesk;
use crate::wall_clock;
use chrono::{DateTime, Duration, Utc};
use clinic_client::Desk;
use clinic_core::schedule::AppointmentStatus;
use plan::{InboxItem, Notice, Upcoming};
use sink::Sink;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tauri::async_runtime::JoinHandle;
use uuid::Uuid;

/// Without a change, look again this often: the clock moves on.
const IDLE_LOOK: std::time::Duration = std::time::Duration::from_secs(60);

#[derive(Clone)]
pub struct Notifier {
    sink: Arc<dyn Sink>,
    /// Set after the first failure: a desktop without a notification server
    /// (headless) warns once, not at every reminder.
    warned: Arc<AtomicBool>,
}

impl Notifier {
    pub fn new(sink: Arc<dyn Sink>) -> Notifier {
        Notifier {
            sink,
            warned: Arc::new(AtomicBool::new(false)),
        }
    }

    pub fn desktop() -> Notifier {
        Notifier::new(Arc::new(sink::Desktop))
    }

    async fn deliver(&self, notice: Notice) {
        let sink = self.sink.clone();
        let shown = tauri::async_runtime::spawn_blocking(move || sink.show(&notice)).await;
        let failure = match shown {
            Ok(Ok(())) => return,
            Ok(Err(reason)) => reason,
            Err(join) => join.to_string(),
        };
        if !self.warned.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "desktop notifications cannot be shown ({failure}); carrying on without them"
            );
        }
    }

    /// Follows the open desk until it closes (its task is aborted then).
    /// `seen_conflicts`: the inbox as the desk opened, which is not news
    /// (read with the opening, before anything can change, so a conflict
    /// arriving at once is).
    pub fn watch(
        &self,
        open: &OpenDesk,
        settings: SettingsFile,
        seen_conflicts: Option<HashSet<Uuid>>,
    ) -> Vec<JoinHandle<()>> {
        let notifier = self.clone();
        let desk = open.desk.clone();
        let is_doctor = open.profile.role == clinic_core::Role::Doctor;
        let task = tauri::async_runtime::spawn(async move {
            let mut watcher = Watcher {
                reminded: HashSet::new(),
                seen_conflicts,
            };
            let mut revision = desk.subscribe();
            let mut saved = settings.subscribe();
            loop {
                let wait = watcher
                    .look(&notifier, &desk, is_doctor, settings.get())
                    .await
                    .map_or(IDLE_LOOK, |until| until.min(IDLE_LOOK));
                tokio::select! {
                    changed = revision.changed() => if changed.is_err() { break },
                    // A new lead time or a switch turned on applies at once.
                    _ = saved.changed() => {}
                    () = tokio::time::sleep(wait) => {}
                }
            }
        });
        vec![task]
    }
}

/// What one desk's watcher remembers between looks.
struct Watcher {
    reminded: HashSet<Uuid>,
    seen_conflicts: Option<HashSet<Uuid>>,
}

impl Watcher {
    /// Shows what is due; returns how long until the next reminder falls due.
    async fn look(
        &mut self,
        notifier: &Notifier,
        desk: &Desk,
        is_doctor: bool,
        settings: Settings,
    ) -> Option<std::time::Duration> {
        let wanted = settings.notifications;
        let lang = wording::Lang::of(settings.language);
        let reminders = is_doctor && wanted.next_appointment;
        let reading = desk.clone();
        // The store and the desk's clock, read together off the async workers.
        let seen = crate::state::blocking(move || {
            Ok(Seen {
                now: reading.now(),
                upcoming: reminders.then(|| upcoming(&reading)),
                conflicts: reading.conflicts().ok(),
            })
        })
        .await;
        let Seen {
            now,
            upcoming,
            conflicts,
        } = match seen {
            Ok(seen) => seen,
            Err(error) => {
                tracing::debug!("nothing to notify: {error}");
                return None;
            }
        };
        let mut next_at = None;
        if let Some(upcoming) = upcoming {
            match upcoming {
                Ok(list) => {
                    let lead = Duration::minutes(i64::from(wanted.lead_minutes));
                    let plan = plan::reminders(lang, now, lead, &list, &self.reminded);
                    next_at = plan.next_at;
                    for (id, notice) in plan.due {
                        self.reminded.insert(id);
                        notifier.deliver(notice).await;
                    }
                }
                Err(error) => tracing::debug!("no reminders planned: {error}"),
            }
        }
        if let Some(conflicts) = conflicts {
            let inbox: Vec<InboxItem> = conflicts
                .iter()
                .map(|c| InboxItem {
                    id: c.id,
                    summary: c.summary.clone(),
                    message: c.message.clone(),
                })
                .collect();
            let news = plan::new_conflicts(lang, self.seen_conflicts.as_ref(), &inbox);
            // Learnt even when switched off, so switching on does not replay the inbox.
            self.seen_conflicts = Some(inbox.iter().map(|c| c.id).collect());
            if wanted.conflicts {
                for notice in news {
                    notifier.deliver(notice).await;
                }
            }
        }
        next_at.and_then(|at| (at - now).to_std().ok())
    }
}

/// What one look read from the desk, off the async workers.
struct Seen {
    now: DateTime<Utc>,
    /// For a doctor who wants reminders.
    upcoming: Option<crate::error::CommandResult<Vec<Upcoming>>>,
    conflicts: Option<Vec<clinic_client::Conflict>>,
}

/// The signed-in doctor's appointments today and tomorrow (a reminder may
/// fall before midnight for an appointment just after it).
fn upcoming(desk: &Desk) -> crate::error::CommandResult<Vec<Upcoming>> {
    let Some(me) = desk.my_doctor()? else {
        return Ok(Vec::new());
    };
    let zone = wall_clock::clinic_zone(desk)?;
    let today = desk.today()?;
    let mut list = Vec::new();
    for date in [Some(today), today.succ_opt()].into_iter().flatten() {
        for entry in desk.day_agenda(date, Some(me.id))?.appointments {
            if list.iter().any(|u: &Upcoming| u.id == entry.id) {
                continue;
            }
            list.push(Upcoming {
                id: entry.id,
                starts_at: entry.starts_at,
                local_start: entry
                    .starts_at
                    .with_timezone(&zone)
                    .format("%H:%M")
                    .to_string(),
                patient_name: entry.patient_name.clone(),
                live: matches!(
                    entry.status,
                    AppointmentStatus::Booked | AppointmentStatus::CheckedIn
                ),
            });
        }
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// A desktop without a notification server: every notice fails.
    #[derive(Default)]
    struct NoServer(AtomicUsize);

    impl Sink for NoServer {
        fn show(&self, _: &Notice) -> Result<(), String> {
            self.0.fetch_add(1, Ordering::Relaxed);
            Err("org.freedesktop.Notifications was not provided by any .service files".into())
        }
    }

    #[test]
    fn without_a_notification_server_it_warns_once_and_carries_on() {
        let sink = Arc::new(NoServer::default());
        let notifier = Notifier::new(sink.clone());
        let notice = Notice {
            summary: "Next appointment at 09:05".into(),
            body: "in 5 min".into(),
        };

        tauri::async_runtime::block_on(async {
            notifier.deliver(notice.clone()).await;
            assert!(
                notifier.warned.load(Ordering::Relaxed),
                "warned at the first failure"
            );
            notifier.deliver(notice).await;
        });

        assert_eq!(
            sink.0.load(Ordering::Relaxed),
            2,
            "later notices are still tried"
        );
    }
}
