//! End-to-end tests of the real desktop app in a real window (Xvfb), driven by
//! tauri-driver + WebKitWebDriver, against the real sync server and
//! PostgreSQL, as a person at the desk uses it. Run by `cargo test
//! --workspace`; alone with `cargo build -p sync-server && cargo test -p
//! clinic-desk --test e2e`. Needs what `scripts/lib/deps.sh` installs (Xvfb,
//! WebKitWebDriver, tauri-driver, dbus, gnome-keyring, python3-dbus) and
//! `ui/dist` built before the app binary (scripts/test.sh orders it so).
//! `CLINIC_E2E_SCREENSHOTS=docs` also refreshes `docs/screenshots/`.

mod bench;
mod harness;
mod steps;

use chrono::{NaiveDate, TimeZone};
use clinic_core::api::appointments::BookAppointment;
use harness::app::testid;
use harness::other_desk::OtherDesk;
use harness::{Backend, scenario};
use steps::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_opens_with_the_apps_name_and_the_shell_gives_its_version() {
    scenario("window", Backend::None, async |desk| {
        let app = desk.launch().await;
        app.wait_text("h1", "Clinic Desk").await;
        let title = app.client().title().await.expect("window title");
        assert_eq!(title, "Clinic Desk");
        // The version comes from the shell over the real IPC.
        let info = app
            .client()
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 window.__TAURI_INTERNALS__.invoke('app_info').then(done, (e) => done({ error: e }));",
                vec![],
            )
            .await
            .expect("app_info over IPC");
        assert_eq!(info["name"], "Clinic Desk", "{info}");
        assert_eq!(info["version"], env!("CARGO_PKG_VERSION"), "{info}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receptionist_signs_in_and_books_an_appointment() {
    scenario("sign-in-and-book", Backend::DemoClinic, async |desk| {
        let server = desk.link().url();
        let app = desk.launch().await;
        app.fill("signin-server", &server).await;
        app.fill("signin-email", RECEPTION).await;
        desk.screenshot("sign-in").await;
        let app = desk.app();
        app.fill("signin-password", DEMO_PASSWORD).await;
        app.click("signin-submit").await;
        wait_for_agenda(app).await;
        wait_pending_count(app, 0).await;

        let day = free_monday();
        let patient = book(app, "a", DOCTOR, day, "10:00").await;
        show_week_of(app, day).await;
        // Online: the booking reaches the server and the marker goes.
        wait_pending(app, &patient, false).await;
        wait_pending_count(app, 0).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_made_offline_waits_as_pending_sync_until_the_server_is_back() {
    scenario("offline-booking", Backend::DemoClinic, async |desk| {
        let server = desk.link().url();
        sign_in(desk.launch().await, &server, RECEPTION).await;

        desk.server().stop();
        let app = desk.app();
        app.click("sync-now").await;
        app.wait_attr(&testid("sync-state"), "data-state", "offline")
            .await;

        let day = free_monday();
        let patient = book(app, "a", DOCTOR, day, "11:00").await;
        show_week_of(app, day).await;
        wait_pending(app, &patient, true).await;
        wait_pending_count(app, 1).await;

        desk.server().start().await;
        // Nobody clicks anything: the desk notices the server is back.
        let app = desk.app();
        wait_pending(app, &patient, false).await;
        wait_pending_count(app, 0).await;
        app.wait_attr(&testid("sync-state"), "data-state", "online")
            .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_desk_takes_the_slot_first_and_this_desk_resolves_the_conflict() {
    scenario("conflict", Backend::DemoClinic, async |desk| {
        let server = desk.server.as_ref().expect("server").url();
        let link = desk.link().url();
        sign_in(desk.launch().await, &link, RECEPTION).await;

        // This desk loses its connection and books 12:00 ...
        desk.link().cut();
        let app = desk.app();
        app.click("sync-now").await;
        app.wait_attr(&testid("sync-state"), "data-state", "offline")
            .await;
        let day = free_monday();
        let patient = book(app, "a", DOCTOR, day, "12:00").await;
        show_week_of(app, day).await;
        wait_pending(app, &patient, true).await;

        // ... while the front desk, still online, gives 12:00 to someone else.
        let other = OtherDesk::sign_in(&server, ADMIN, DEMO_PASSWORD).await;
        let doctor = other.doctor(DOCTOR).await;
        let someone = other.patient("").await;
        let noon = clinic_time(day, 12);
        other
            .book(&BookAppointment {
                doctor_id: doctor.id,
                patient_id: someone.id,
                room_id: None,
                starts_at: noon,
                ends_at: noon + chrono::Duration::minutes(30),
                reason: Some("taken first by the other desk".into()),
            })
            .await;

        // Back online: the server refuses this desk's booking; the desk says so.
        desk.link().restore();
        let app = desk.app();
        app.wait_attr(&testid("sync-conflicts"), "data-count", "1")
            .await;
        app.click("nav-conflicts").await;
        app.testid("conflict-item").await;
        app.wait_text(&testid("conflict-item"), &patient).await;
        desk.screenshot("conflict-inbox").await;
        let app = desk.app();

        // The desktop was told which booking the server refused.
        let shown = desk.bus.notifications();
        assert!(
            shown.iter().any(|n| {
                let body = n["body"].as_str().unwrap_or_default();
                n["app_name"] == "Clinic Desk" && body.contains(&patient) && body.contains(DOCTOR)
            }),
            "no notification of the refused booking; the notification server got {shown:?}"
        );

        // Resolve: book the same patient an hour later.
        app.click("conflict-pick-slot").await;
        app.set_value("conflict-pick-date", &day.to_string()).await;
        app.set_value("conflict-pick-time", "13:00").await;
        app.click("conflict-pick-confirm").await;
        app.testid("conflicts-empty").await;
        app.wait_attr(&testid("sync-conflicts"), "data-count", "0")
            .await;
        app.click("nav-agenda").await;
        wait_for_agenda(app).await;
        show_week_of(app, day).await;
        wait_pending(app, &patient, false).await;
        wait_pending_count(app, 0).await;
    })
    .await;
}

/// `hour`:00 on `day` in the demo clinic's time zone, as UTC.
fn clinic_time(day: NaiveDate, hour: u32) -> chrono::DateTime<chrono::Utc> {
    chrono_tz::Europe::Madrid
        .from_local_datetime(&day.and_hms_opt(hour, 0, 0).expect("time"))
        .single()
        .expect("an unambiguous local time")
        .with_timezone(&chrono::Utc)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_goes_through_every_main_screen_in_light_and_dark() {
    scenario("screens", Backend::DemoClinic, async |desk| {
        let server = desk.link().url();
        sign_in(desk.launch().await, &server, ADMIN).await;
        let app = desk.app();
        // Light first, whatever the machine prefers.
        app.click("nav-settings").await;
        app.click("settings-theme-light").await;
        app.find("html[data-theme=\"light\"]").await;

        app.click("nav-agenda").await;
        wait_for_agenda(app).await;
        let day = busy_weekday();
        show_day(app, day).await;
        app.testid("appointment").await;
        desk.screenshot("agenda-day").await;
        let app = desk.app();
        show_week_of(app, day).await;
        app.testid("appointment").await;
        desk.screenshot("agenda-week").await;

        let app = desk.app();
        app.click("nav-patients").await;
        app.fill("patients-search", "a").await;
        app.click("patients-result").await;
        app.testid("patient-record").await;
        app.testid("patient-history").await;
        desk.screenshot("patient-record").await;

        let app = desk.app();
        app.click("nav-admin").await;
        app.testid("admin-doctor").await;
        desk.screenshot("admin").await;

        let app = desk.app();
        app.click("nav-settings").await;
        app.testid("settings-language").await;
        desk.screenshot("settings").await;

        let app = desk.app();
        app.click("settings-theme-dark").await;
        app.find("html[data-theme=\"dark\"]").await;
        app.click("nav-agenda").await;
        wait_for_agenda(app).await;
        show_week_of(app, day).await;
        app.testid("appointment").await;
        desk.screenshot("agenda-week-dark").await;
    })
    .await;
}
