//! End-to-end tests of the real desktop app in a real window (Xvfb), driven by
//! tauri-driver + WebKitWebDriver, against the real sync server and
//! PostgreSQL. Run by `cargo test --workspace`; alone with
//! `cargo build -p sync-server && cargo test -p clinic-desk --test e2e`.
//! Needs what `scripts/lib/deps.sh` installs (Xvfb, WebKitWebDriver,
//! tauri-driver, dbus, gnome-keyring, python3-dbus) and `ui/dist` built before
//! the app binary (scripts/test.sh orders it so).

mod harness;

use harness::{Backend, scenario};

#[tokio::test]
async fn the_window_opens_with_the_apps_name_and_version() {
    scenario("window", Backend::None, async |desk| {
        let app = desk.launch().await;
        app.wait_text("h1", "Clinic Desk").await;
        app.wait_text("#status", &format!("Version {}", env!("CARGO_PKG_VERSION")))
            .await;
        let title = app.client().title().await.expect("window title");
        assert_eq!(title, "Clinic Desk");
    })
    .await;
}
