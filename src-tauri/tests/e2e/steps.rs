//! What a person does at the desk, in the words of the UI's test ids
//! (ui/TESTIDS.md), shared by the scenarios.

use crate::harness::app::{App, WAIT, testid};
use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use fantoccini::Locator;

/// The demo clinic's staff password (README, "Demo clinic").
pub const DEMO_PASSWORD: &str = "demo-clinic-2026";
pub const RECEPTION: &str = "reception@demo-clinic.example";
pub const ADMIN: &str = "admin@demo-clinic.example";
/// Works Monday to Thursday, 10:00–18:00 clinic time (sync-server/src/demo.rs).
pub const DOCTOR: &str = "Dr. Wei Chen";

/// A Monday past the demo's two seeded weeks, so every slot of `DOCTOR` is
/// free that day.
pub fn free_monday() -> NaiveDate {
    let today = Utc::now()
        .with_timezone(&chrono_tz::Europe::Madrid)
        .date_naive();
    let mut day = today + Duration::days(15);
    while day.weekday() != Weekday::Mon {
        day += Duration::days(1);
    }
    day
}

/// The next Monday-to-Thursday after today: inside the demo's seeded
/// fortnight and a working day of every demo doctor, so its agenda is full.
pub fn busy_weekday() -> NaiveDate {
    let mut day = Utc::now()
        .with_timezone(&chrono_tz::Europe::Madrid)
        .date_naive();
    loop {
        day += Duration::days(1);
        if day.weekday().num_days_from_monday() < 4 {
            return day;
        }
    }
}

/// Fills the sign-in form and opens the clinic's agenda.
pub async fn sign_in(app: &App, server: &str, email: &str) {
    submit_sign_in(app, server, email).await;
    wait_for_agenda(app).await;
    assert_token_in_keyring(app).await;
}

/// Fills the sign-in form and waits until the app is signed in (its status
/// bar is up), whether or not the agenda has data yet.
pub async fn submit_sign_in(app: &App, server: &str, email: &str) {
    app.fill("signin-server", server).await;
    app.fill("signin-email", email).await;
    app.fill("signin-password", DEMO_PASSWORD).await;
    app.click("signin-submit").await;
    app.testid("sync-status").await;
}

/// The session token went to the OS keyring (the test's gnome-keyring): the
/// app warns with `token-warning` when it had to fall back to a file.
pub async fn assert_token_in_keyring(app: &App) {
    let warnings = app
        .client()
        .find_all(Locator::Css(&testid("token-warning")))
        .await
        .expect("find token-warning");
    assert!(
        warnings.is_empty(),
        "the app kept the token in a file, not in the keyring"
    );
}

/// The agenda is on screen with its days loaded.
pub async fn wait_for_agenda(app: &App) {
    let calendar = testid("agenda-calendar");
    let first_day = format!("{calendar}:not([data-first-day=\"\"])");
    app.find(&first_day).await;
}

/// Shows `day` alone in the day view.
pub async fn show_day(app: &App, day: NaiveDate) {
    app.click("agenda-view-day").await;
    app.wait_attr(&testid("agenda-calendar"), "data-view", "day")
        .await;
    move_to(app, day, 1).await;
}

/// Switches the agenda to the week holding `day`, with the week view.
pub async fn show_week_of(app: &App, day: NaiveDate) {
    app.click("agenda-view-week").await;
    app.wait_attr(&testid("agenda-calendar"), "data-view", "week")
        .await;
    move_to(app, day, 7).await;
}

/// Steps the agenda (showing `span` days at a time) until `day` is shown.
async fn move_to(app: &App, day: NaiveDate, span: i64) {
    for _ in 0..30 {
        let first = app
            .attr(&testid("agenda-calendar"), "data-first-day")
            .await
            .unwrap_or_default();
        let first = NaiveDate::parse_from_str(&first, "%Y-%m-%d")
            .unwrap_or_else(|e| panic!("agenda first day {first:?}: {e}"));
        if first <= day && day < first + Duration::days(span) {
            return;
        }
        app.click(if day < first {
            "agenda-prev"
        } else {
            "agenda-next"
        })
        .await;
        app.poll("the agenda to move", WAIT, || async move {
            let now = app
                .attr(&testid("agenda-calendar"), "data-first-day")
                .await
                .unwrap_or_default();
            Ok((now != first.to_string()).then_some(()))
        })
        .await;
    }
    panic!("the agenda never reached {day}");
}

/// Books `patient_query`'s first match with `doctor` at `day` `time` through
/// the booking dialog; returns the patient's name as the dialog showed it.
pub async fn book(
    app: &App,
    patient_query: &str,
    doctor: &str,
    day: NaiveDate,
    time: &str,
) -> String {
    app.click("agenda-new-booking").await;
    app.fill("patient-search", patient_query).await;
    app.click("patient-result").await;
    let patient = app
        .testid("booking-patient-chosen")
        .await
        .text()
        .await
        .expect("patient name");
    app.choose("booking-doctor", doctor).await;
    app.set_value("booking-date", &day.to_string()).await;
    app.set_value("booking-time", time).await;
    app.click("booking-save").await;
    app.wait_gone(&testid("booking-dialog")).await;
    patient
}

/// CSS of the agenda entry of `patient` (its title names the patient).
pub fn appointment_of(patient: &str) -> String {
    format!("{}[title^=\"{patient}\"]", testid("appointment"))
}

/// Waits until `patient`'s entry is on screen with `data-pending` as given.
pub async fn wait_pending(app: &App, patient: &str, pending: bool) {
    let entry = appointment_of(patient);
    app.wait_attr(
        &entry,
        "data-pending",
        if pending { "true" } else { "false" },
    )
    .await;
    // One query from the document: the agenda redraws on every desk change,
    // so an entry element held between two commands can go stale.
    let markers = app
        .client()
        .find_all(Locator::Css(&format!(
            "{entry} {}",
            testid("pending-marker")
        )))
        .await
        .expect("markers");
    assert_eq!(
        markers.is_empty(),
        !pending,
        "{patient}'s entry: pending marker shown = {}",
        !markers.is_empty()
    );
}

/// Waits until the status bar counts `count` changes waiting to sync.
pub async fn wait_pending_count(app: &App, count: u32) {
    app.wait_attr(&testid("sync-pending"), "data-count", &count.to_string())
        .await;
}
