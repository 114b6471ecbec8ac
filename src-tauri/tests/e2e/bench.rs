//! The UI benchmarks of issue 4 on the generated 100k-patient /
//! 1M-appointment clinic: cold start to agenda visible, week switch, patient
//! search keystroke to results, and the memory of the app with its WebKit
//! processes. Not part of the normal run (generating the clinic and the
//! desk's first full sync take minutes):
//!
//! ```sh
//! scripts/ui-bench.sh   # builds ui/dist, the release app, sync-server; runs this
//! ```
//!
//! The script measures a release build of the app (what users run) through
//! `CLINIC_E2E_APP`; `cargo test ... -- --ignored ui_benchmarks` alone
//! measures the debug app the tests build.
//!
//! Prints every sample; docs/BENCHMARKS.md records a run.

use crate::harness::app::{App, testid};
use crate::harness::{Backend, Desktop, scenario};
use crate::steps::{submit_sign_in, wait_for_agenda};
use std::time::{Duration, Instant};

const COLD_STARTS: usize = 3;
const WEEK_SWITCHES: usize = 10;
/// First letters of the generated patients' names: each opens a result list.
const SEARCH_KEYS: [&str; 10] = ["A", "L", "C", "J", "M", "S", "D", "P", "H", "G"];
const SEARCH_ROUNDS: usize = 3;
/// A generated doctor (sync-server/src/generate.rs names them "Dr. Bench <n>").
const ONE_DOCTOR: &str = "Dr. Bench 1";
/// The agenda's doctor filter option showing everyone, a page at a time (English UI).
const ALL_DOCTORS: &str = "All doctors";
const ALL_DOCTORS_WEEK_LIMIT: Duration = Duration::from_secs(60);
const DAY_SWITCHES: usize = 10;

/// In the page: clicks "next" and resolves with the milliseconds until the
/// next week's agenda is in the DOM and, when the first argument is true, a
/// frame has been painted. Without the paint it resolves as soon as the DOM
/// is committed (the MutationObserver's microtask, before style, layout and
/// paint): that splits a week switch's page time into script (Svelte and the
/// calendar) and WebKit's drawing.
const WEEK_SWITCH_JS: &str = r#"
const untilPainted = arguments[0];
const done = arguments[arguments.length - 1];
const calendar = document.querySelector('[data-testid="agenda-calendar"]');
const before = calendar.getAttribute("data-first-day");
const started = performance.now();
const observer = new MutationObserver(() => {
  if (calendar.getAttribute("data-first-day") !== before) {
    observer.disconnect();
    const finish = () => done(performance.now() - started);
    if (untilPainted) {
      requestAnimationFrame(() => setTimeout(finish, 0));
    } else {
      finish();
    }
  }
});
observer.observe(calendar, { attributes: true, attributeFilter: ["data-first-day"] });
document.querySelector('[data-testid="agenda-next"]').click();
setTimeout(() => { observer.disconnect(); done(-1); }, 10000);
"#;

/// In the page: the `agenda` command alone for the week on screen and the
/// doctor chosen (IPC, the Rust read and JSON, no rendering); resolves with
/// its milliseconds. Splits a week switch into backend and drawing.
const AGENDA_IPC_JS: &str = r#"
const done = arguments[arguments.length - 1];
const calendar = document.querySelector('[data-testid="agenda-calendar"]');
const doctor = document.querySelector('[data-testid="agenda-doctor"]').value;
const request = { date: calendar.getAttribute("data-first-day"), days: 7, doctorIds: [doctor] };
const started = performance.now();
window.__TAURI_INTERNALS__.invoke("agenda", { request })
  .then(() => done(performance.now() - started), () => done(-1));
"#;

/// In the page: the `search_patients` command alone for one key, as the
/// Patients screen asks it; resolves with its milliseconds.
const SEARCH_IPC_JS: &str = r#"
const [key, done] = arguments;
const request = { query: key, includeArchived: false, limit: 20 };
const started = performance.now();
window.__TAURI_INTERNALS__.invoke("search_patients", { request })
  .then(() => done(performance.now() - started), () => done(-1));
"#;

/// In the page: empties the patient search, then types one key into it and
/// resolves with the milliseconds until results are listed and painted.
const SEARCH_JS: &str = r#"
const [key, done] = arguments;
const input = document.querySelector('[data-testid="patients-search"]');
const list = document.querySelector('[data-testid="patients-results"]');
const type = (value) => {
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set.call(input, value);
  input.dispatchEvent(new Event("input", { bubbles: true }));
};
type("");
setTimeout(() => {
  const started = performance.now();
  const observer = new MutationObserver(() => {
    if (list.querySelector('[data-testid="patients-result"]')) {
      observer.disconnect();
      requestAnimationFrame(() => setTimeout(() => done(performance.now() - started), 0));
    }
  });
  observer.observe(list, { childList: true, subtree: true });
  type(key);
  setTimeout(() => { observer.disconnect(); done(-1); }, 10000);
}, 100);
"#;

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// p50 / p95 / max of samples in ms.
fn summary(samples: &[f64]) -> String {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| sorted[((sorted.len() as f64 - 1.0) * q).round() as usize];
    format!(
        "p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms (n = {})",
        at(0.5),
        at(0.95),
        sorted[sorted.len() - 1],
        sorted.len()
    )
}

async fn in_page(app: &App, script: &str, args: Vec<serde_json::Value>) -> f64 {
    let value = app
        .client()
        .execute_async(script, args)
        .await
        .expect("timing script");
    let ms = value.as_f64().expect("milliseconds");
    assert!(ms >= 0.0, "the page did not update within 10 s");
    ms
}

fn print_memory(desk: &Desktop, when: &str) {
    let tree = desk.app_memory();
    let pss: u64 = tree.iter().map(|p| p.pss_kib).sum();
    let rss: u64 = tree.iter().map(|p| p.rss_kib).sum();
    println!(
        "memory {when}: PSS {:.1} MiB, RSS {:.1} MiB over {} processes: {}",
        pss as f64 / 1024.0,
        rss as f64 / 1024.0,
        tree.len(),
        tree.iter()
            .map(|p| format!("{} {:.1} MiB", p.name, p.pss_kib as f64 / 1024.0))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

/// Waits until the desk has pulled everything: synced, nothing pending, and
/// no sync running for 5 s in a row.
async fn wait_for_full_sync(app: &App) -> Duration {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(30 * 60);
    let mut calm_since: Option<Instant> = None;
    loop {
        let state = app.attr(&testid("sync-state"), "data-state").await;
        let pending = app.attr(&testid("sync-pending"), "data-count").await;
        let calm = state.as_deref() == Some("online") && pending.as_deref() == Some("0");
        match (calm, calm_since) {
            (true, None) => calm_since = Some(Instant::now()),
            (true, Some(since)) if since.elapsed() >= Duration::from_secs(5) => {
                return since - started;
            }
            (false, _) => calm_since = None,
            _ => {}
        }
        assert!(
            Instant::now() < deadline,
            "the first sync did not finish in 30 min"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: minutes of data generation and sync; run it by name"]
async fn ui_benchmarks() {
    scenario("ui-benchmarks", Backend::GeneratedClinic, async |desk| {
        let admin = desk.generated_admin.clone().expect("generated admin");
        let server = desk.link().url();
        println!(
            "app binary: {}",
            std::env::var("CLINIC_E2E_APP")
                .unwrap_or_else(|_| env!("CARGO_BIN_EXE_clinic-desk").into())
        );
        println!("load before sign-in: {}", load());
        // The generated admin's password is the demo one (sync-server/src/generate.rs).
        // A desk that has not pulled yet has no agenda to show: wait for the
        // whole first sync instead.
        let app = desk.launch().await;
        submit_sign_in(app, &server, &admin).await;
        let synced = wait_for_full_sync(app).await;
        println!(
            "first full sync (sign-in to calm): {:.1} s",
            synced.as_secs_f64()
        );
        desk.close().await;

        let mut starts = Vec::new();
        for run in 1..=COLD_STARTS {
            let load = load();
            let started = Instant::now();
            let app = desk.launch().await;
            wait_for_agenda(app).await;
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            println!("cold start {run}: {ms:.0} ms to agenda visible (load {load})");
            starts.push(ms);
            if run < COLD_STARTS {
                desk.close().await;
            }
        }
        println!("cold start: {}", summary(&starts));
        tokio::time::sleep(Duration::from_secs(2)).await;
        print_memory(desk, "agenda open, idle");

        // The week of one doctor: 125 doctors side by side for a whole week
        // is measured last, as it may stall the page (see below).
        let app = desk.app();
        app.choose("agenda-doctor", ONE_DOCTOR).await;
        wait_for_agenda(app).await;
        app.click("agenda-view-week").await;
        app.wait_attr(&testid("agenda-calendar"), "data-view", "week")
            .await;
        let mut weeks = Vec::new();
        for _ in 0..WEEK_SWITCHES {
            weeks.push(in_page(app, WEEK_SWITCH_JS, vec![true.into()]).await);
        }
        println!(
            "week switch, one doctor: {} (load {})",
            summary(&weeks),
            load()
        );
        let mut scripts = Vec::new();
        for _ in 0..WEEK_SWITCHES {
            scripts.push(in_page(app, WEEK_SWITCH_JS, vec![false.into()]).await);
            // Let the switch's frame be drawn before the next click.
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        println!(
            "of which up to the DOM committed (command + Svelte + calendar, no layout or paint): {} (load {})",
            summary(&scripts),
            load()
        );
        let mut reads = Vec::new();
        for _ in 0..WEEK_SWITCHES {
            reads.push(in_page(app, AGENDA_IPC_JS, vec![]).await);
        }
        println!(
            "of which the agenda command (IPC + read + JSON), one doctor's week: {} (load {})",
            summary(&reads),
            load()
        );

        app.click("nav-patients").await;
        app.testid("patients-search").await;
        let mut keys = Vec::new();
        for _ in 0..SEARCH_ROUNDS {
            for key in SEARCH_KEYS {
                keys.push(in_page(app, SEARCH_JS, vec![key.into()]).await);
            }
        }
        println!(
            "search keystroke to results: {} (load {})",
            summary(&keys),
            load()
        );
        let mut searches = Vec::new();
        for key in SEARCH_KEYS {
            searches.push(in_page(app, SEARCH_IPC_JS, vec![key.into()]).await);
        }
        println!(
            "of which the search_patients command (IPC + FTS + JSON): {} (load {})",
            summary(&searches),
            load()
        );
        print_memory(desk, "after week switches and searches");

        // All doctors side by side: a page of them (ui/README.md), by day,
        // then by week. The first week is time-boxed: before paging it hung.
        app.click("nav-agenda").await;
        wait_for_agenda(app).await;
        app.click("agenda-view-day").await;
        app.wait_attr(&testid("agenda-calendar"), "data-view", "day")
            .await;
        app.choose("agenda-doctor", ALL_DOCTORS).await;
        wait_for_agenda(app).await;
        let mut days = Vec::new();
        for _ in 0..DAY_SWITCHES {
            days.push(in_page(app, WEEK_SWITCH_JS, vec![true.into()]).await);
        }
        println!(
            "day switch, all doctors (a page): {} (load {})",
            summary(&days),
            load()
        );
        // The week view picks one doctor (ui/README.md); "All doctors" there
        // shows them a page at a time. Time-boxed: before paging it hung.
        app.click("agenda-view-week").await;
        app.wait_attr(&testid("agenda-calendar"), "data-view", "week")
            .await;
        wait_for_agenda(app).await;
        let started = Instant::now();
        let shown = tokio::time::timeout(ALL_DOCTORS_WEEK_LIMIT, async {
            // From the page itself: a WebDriver command would wait on a
            // stalled page and fail the run instead of timing it.
            let _ = app
                .client()
                .execute(
                    r#"setTimeout(() => {
                         const select = document.querySelector('[data-testid="agenda-doctor"]');
                         select.value = "";
                         select.dispatchEvent(new Event("change", { bubbles: true }));
                       }, 0);"#,
                    vec![],
                )
                .await;
            app.find_within(
                &format!("{}[data-crowded=\"true\"]", testid("agenda-calendar")),
                ALL_DOCTORS_WEEK_LIMIT,
            )
            .await;
        })
        .await;
        match shown {
            Ok(()) => println!(
                "week view, all doctors (a page): shown after {:.0} ms (load {})",
                started.elapsed().as_secs_f64() * 1000.0,
                load()
            ),
            Err(_) => {
                println!(
                    "week view, all doctors: not shown within {ALL_DOCTORS_WEEK_LIMIT:?} (load {})",
                    load()
                );
                return;
            }
        }
        wait_for_agenda(app).await;
        let mut weeks = Vec::new();
        for _ in 0..WEEK_SWITCHES {
            weeks.push(in_page(app, WEEK_SWITCH_JS, vec![true.into()]).await);
        }
        println!(
            "week switch, all doctors (a page): {} (load {})",
            summary(&weeks),
            load()
        );
        print_memory(desk, "after all doctors' days and weeks");
    })
    .await;
}
