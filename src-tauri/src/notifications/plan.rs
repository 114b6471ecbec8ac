//! What to notify and when, without side effects: the watcher feeds it the
//! agenda, the conflict inbox, the settings and the time, and shows what it
//! returns.

use super::wording::Lang;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashSet;
use uuid::Uuid;

/// An appointment of the signed-in doctor that may deserve a reminder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upcoming {
    pub id: Uuid,
    pub starts_at: DateTime<Utc>,
    /// Clinic wall clock, `HH:MM`, for the text.
    pub local_start: String,
    pub patient_name: Option<String>,
    /// Only booked or checked-in appointments are reminded.
    pub live: bool,
}

/// A desktop notification to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub summary: String,
    pub body: String,
}

/// The reminders due now and when to look again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminders {
    pub due: Vec<(Uuid, Notice)>,
    /// The next instant a reminder falls due, if any is planned.
    pub next_at: Option<DateTime<Utc>>,
}

/// Reminds each live appointment once, `lead` before it starts. One whose
/// reminder time has passed while it has not started yet is reminded at
/// once (the app was closed, or the appointment was booked late); one that
/// has started is never reminded.
pub fn reminders(
    lang: Lang,
    now: DateTime<Utc>,
    lead: Duration,
    upcoming: &[Upcoming],
    reminded: &HashSet<Uuid>,
) -> Reminders {
    let mut due = Vec::new();
    let mut next_at: Option<DateTime<Utc>> = None;
    for a in upcoming {
        if !a.live || reminded.contains(&a.id) || a.starts_at <= now {
            continue;
        }
        let at = a.starts_at - lead;
        if at <= now {
            let minutes = (a.starts_at - now).num_minutes().max(1);
            due.push((
                a.id,
                Notice {
                    summary: lang.reminder_summary(&a.local_start),
                    body: lang.reminder_body(a.patient_name.as_deref(), minutes),
                },
            ));
        } else {
            next_at = Some(next_at.map_or(at, |n| n.min(at)));
        }
    }
    Reminders { due, next_at }
}

/// A conflict as the planner needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxItem {
    pub id: Uuid,
    pub summary: String,
    pub message: String,
}

/// Conflicts not seen before. The first look at an inbox (`seen` is `None`)
/// only learns what is there: conflicts from before the app opened were
/// already in the inbox, not news.
pub fn new_conflicts(lang: Lang, seen: Option<&HashSet<Uuid>>, inbox: &[InboxItem]) -> Vec<Notice> {
    let Some(seen) = seen else {
        return Vec::new();
    };
    let fresh: Vec<&InboxItem> = inbox.iter().filter(|c| !seen.contains(&c.id)).collect();
    match fresh.as_slice() {
        [] => Vec::new(),
        [one] => vec![Notice {
            summary: lang.one_refused().to_owned(),
            body: format!("{}: {}", one.summary, one.message),
        }],
        many => vec![Notice {
            summary: lang.many_refused(many.len()),
            body: lang.open_the_inbox().to_owned(),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 30, h, m, 0)
            .single()
            .expect("time")
    }

    fn appointment(h: u32, m: u32) -> Upcoming {
        Upcoming {
            id: Uuid::now_v7(),
            starts_at: at(h, m),
            local_start: format!("{:02}:{m:02}", h + 2),
            patient_name: Some("Lucía Pérez".into()),
            live: true,
        }
    }

    #[test]
    fn reminds_once_lead_minutes_before_and_plans_the_next() {
        let first = appointment(9, 0);
        let second = appointment(10, 0);
        let list = [first.clone(), second.clone()];
        let lead = Duration::minutes(10);

        let early = reminders(Lang::En, at(8, 45), lead, &list, &HashSet::new());
        assert!(early.due.is_empty());
        assert_eq!(early.next_at, Some(at(8, 50)));

        let due = reminders(Lang::En, at(8, 50), lead, &list, &HashSet::new());
        assert_eq!(due.due.len(), 1);
        assert_eq!(due.due[0].0, first.id);
        assert_eq!(due.due[0].1.summary, "Next appointment at 11:00");
        assert_eq!(due.due[0].1.body, "Lucía Pérez, in 10 min");
        assert_eq!(due.next_at, Some(at(9, 50)));

        let reminded = HashSet::from([first.id]);
        let again = reminders(Lang::En, at(8, 55), lead, &list, &reminded);
        assert!(again.due.is_empty(), "never twice");
    }

    #[test]
    fn a_late_booking_is_reminded_at_once_and_a_started_one_never() {
        let soon = appointment(9, 3);
        let started = appointment(8, 55);
        let lead = Duration::minutes(10);

        let plan = reminders(
            Lang::En,
            at(9, 0),
            lead,
            &[soon.clone(), started],
            &HashSet::new(),
        );

        assert_eq!(plan.due.len(), 1);
        assert_eq!(plan.due[0].0, soon.id);
        assert_eq!(plan.due[0].1.body, "Lucía Pérez, in 3 min");
        assert_eq!(plan.next_at, None);
    }

    #[test]
    fn spanish_reminders_and_an_unnamed_patient() {
        let mut a = appointment(9, 0);
        a.patient_name = None;
        let plan = reminders(
            Lang::Es,
            at(8, 50),
            Duration::minutes(10),
            &[a],
            &HashSet::new(),
        );
        assert_eq!(plan.due[0].1.summary, "Próxima cita a las 11:00");
        assert_eq!(plan.due[0].1.body, "Un paciente, en 10 min");
    }

    #[test]
    fn cancelled_appointments_are_not_reminded() {
        let mut cancelled = appointment(9, 0);
        cancelled.live = false;
        let plan = reminders(
            Lang::En,
            at(8, 55),
            Duration::minutes(10),
            &[cancelled],
            &HashSet::new(),
        );
        assert!(plan.due.is_empty());
        assert_eq!(plan.next_at, None);
    }

    fn conflict(summary: &str) -> InboxItem {
        InboxItem {
            id: Uuid::now_v7(),
            summary: summary.into(),
            message: "the slot is taken".into(),
        }
    }

    #[test]
    fn only_conflicts_that_appear_after_the_first_look_are_news() {
        let old = conflict("Book Ana at 09:00");
        assert!(new_conflicts(Lang::En, None, std::slice::from_ref(&old)).is_empty());

        let seen = HashSet::from([old.id]);
        let fresh = conflict("Book Luis at 10:00");
        let news = new_conflicts(Lang::En, Some(&seen), &[old.clone(), fresh]);
        assert_eq!(news.len(), 1);
        assert_eq!(news[0].body, "Book Luis at 10:00: the slot is taken");

        let two = [conflict("a"), conflict("b")];
        let news = new_conflicts(Lang::En, Some(&seen), &two);
        assert_eq!(news.len(), 1);
        assert_eq!(news[0].summary, "2 changes were refused by the server");
        assert!(new_conflicts(Lang::En, Some(&seen), &[old]).is_empty());
    }
}
