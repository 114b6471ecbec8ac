//! The commands as the UI calls them: through the IPC layer of the mock
//! runtime, with the real generated context (so the capability file and
//! the ACL are part of every test), on in-memory desks without a server.

use crate::commands::agenda::MAX_SHOWN_DOCTORS;
use crate::events::Signal;
use crate::fixture::{Clinic, TestApp, madrid};
use clinic_core::sync::{
    AppointmentRow, Change, MutationResult, Outcome, PullPage, PushResponse, SyncRow,
};
use clinic_core::{ErrorCode, Role};
use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response};
use tauri::webview::InvokeRequest;
use tauri::{WebviewUrl, WebviewWindow, WebviewWindowBuilder};

fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().expect("valid url"),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|body| body.deserialize().expect("json body"))
}

impl TestApp {
    fn call(&self, cmd: &str, args: Value) -> Value {
        invoke(&self.window, cmd, args).unwrap_or_else(|error| panic!("{cmd} failed: {error}"))
    }

    fn refuse(&self, cmd: &str, args: Value) -> Value {
        invoke(&self.window, cmd, args).expect_err(&format!("{cmd} should fail"))
    }
}

/// Reception at Clínica Sol, signed in and synced, without a server.
fn reception() -> (TestApp, Clinic) {
    let app = TestApp::new();
    let clinic = Clinic::new();
    app.open(
        clinic.profile(Role::Reception, "http://127.0.0.1:9"),
        clinic.desk(Role::Reception),
    );
    (app, clinic)
}

fn booking(clinic: &Clinic, start: &str) -> Value {
    json!({"request": {
        "doctorId": clinic.garcia.id,
        "patientId": clinic.lucia.id,
        "roomId": clinic.room.id,
        "start": start,
        "minutes": 30,
        "reason": "Check-up",
    }})
}

/// A second window, which the capability file does not name.
fn window_outside_the_capability(app: &TestApp) -> WebviewWindow<MockRuntime> {
    WebviewWindowBuilder::new(&app.app, "other", WebviewUrl::default())
        .build()
        .expect("second window opens")
}

#[test]
fn main_window_may_call_app_info() {
    let app = TestApp::new();

    let info = app.call("app_info", json!({}));

    assert_eq!(info["name"], "Clinic Desk");
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["suggestedServer"], "http://127.0.0.1:8080");
}

/// The ACL is enforced for app commands only because build.rs declares them
/// in the AppManifest; a window the capability does not name is refused.
#[test]
fn windows_without_the_capability_may_not_call_app_info() {
    let app = TestApp::new();
    let other = window_outside_the_capability(&app);

    let refusal = invoke(&other, "app_info", json!({})).expect_err("app_info is refused");

    assert!(
        refusal.to_string().contains("not allowed"),
        "unexpected refusal: {refusal}"
    );
}

/// Every command in the generated bindings is declared in build.rs (so the
/// ACL checks it: a window without the capability is refused) and granted
/// to the main window (not refused there; it may still fail for want of
/// arguments or of a signed-in desk).
/// Every command's name, as the generated bindings invoke it.
fn command_names() -> Vec<String> {
    let bindings = crate::bindings::generate().expect("bindings");
    bindings
        .split("__TAURI_INVOKE<")
        .skip(1)
        .filter_map(|rest| rest.split("(\"").nth(1)?.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_command_in_the_bindings_is_declared_and_granted() {
    let app = TestApp::new();
    let other = window_outside_the_capability(&app);
    let names = command_names();
    assert_eq!(names.len(), 40, "commands found: {names:?}");

    for name in names.iter().map(String::as_str) {
        if let Err(refusal) = invoke(&app.window, name, json!({})) {
            assert!(
                !refusal.to_string().contains("not allowed"),
                "{name} is not granted: {refusal}"
            );
        }
        let outside = invoke(&other, name, json!({}))
            .expect_err(&format!("{name} is not declared in build.rs"));
        assert!(
            outside.to_string().contains("not allowed"),
            "{name} is not ACL-checked: {outside}"
        );
    }
}

/// The commands that write the desk's store. A new command goes here or in
/// the list after it (a test checks every command is in one).
const STORE_WRITES: [&str; 15] = [
    "book_appointment",
    "reschedule_appointment",
    "cancel_appointment",
    "check_in",
    "mark_no_show",
    "complete_appointment",
    "register_patient",
    "update_patient",
    "archive_patient",
    "set_working_hours",
    "add_time_off",
    "remove_time_off",
    "create_room",
    "update_room",
    "resolve_conflict",
];

/// The commands that only read the store, or do not touch it (the server's,
/// the session's, the settings file's).
const NO_STORE_WRITES: [&str; 25] = [
    "app_info",
    "session_state",
    "sign_in",
    "switch_clinic",
    "sign_out",
    "sync_status",
    "sync_now",
    "agenda",
    "search_patients",
    "patient",
    "doctors",
    "create_doctor",
    "update_doctor",
    "rooms",
    "staff",
    "change_role",
    "remove_staff",
    "invitations",
    "invite",
    "revoke_invitation",
    "clinic_settings",
    "update_clinic_settings",
    "conflicts",
    "settings",
    "update_settings",
];

/// Every write command runs once here on a desk whose clock refuses to be
/// read on an async worker (`fixture::clock_off_the_async_workers`; every
/// write reads it): a command that writes SQLite on the async runtime, not
/// through `AppState::on_desk`, fails here.
#[test]
fn every_command_that_writes_the_store_writes_off_the_async_workers() {
    let mut sorted: Vec<&str> = STORE_WRITES
        .iter()
        .chain(&NO_STORE_WRITES)
        .copied()
        .collect();
    sorted.sort_unstable();
    let mut names = command_names();
    names.sort_unstable();
    assert_eq!(
        names, sorted,
        "sort each command into STORE_WRITES or NO_STORE_WRITES"
    );

    // An admin may make every change.
    let app = TestApp::new();
    let clinic = Clinic::new();
    app.open(
        clinic.profile(Role::Admin, "http://127.0.0.1:9"),
        clinic.desk(Role::Admin),
    );
    let mut written = Vec::new();
    let mut write = |cmd: &'static str, args: Value| {
        written.push(cmd);
        app.call(cmd, args)
    };
    let a = write("book_appointment", booking(&clinic, "2026-03-23T10:00"))["id"].clone();
    let b = write("book_appointment", booking(&clinic, "2026-03-23T11:00"))["id"].clone();
    let c = write("book_appointment", booking(&clinic, "2026-03-23T12:00"))["id"].clone();
    write(
        "reschedule_appointment",
        json!({"request": {"id": a, "start": "2026-03-23T10:30", "minutes": 30,
                           "doctorId": clinic.garcia.id, "roomId": null}}),
    );
    write(
        "cancel_appointment",
        json!({"request": {"id": a, "reason": "Patient called"}}),
    );
    write("check_in", json!({"id": b}));
    write("complete_appointment", json!({"id": b}));
    write("mark_no_show", json!({"id": c}));
    let form = json!({"fullName": "Ana Martín", "dateOfBirth": null, "sex": "female",
                      "nationalId": null, "phone": "611 000 111", "email": null,
                      "address": null, "emailConsent": false});
    let patient = write("register_patient", json!({"patient": form}))["patient"]["id"].clone();
    write(
        "update_patient",
        json!({"request": {"id": patient, "patient": form}}),
    );
    write("archive_patient", json!({"id": patient}));
    write(
        "set_working_hours",
        json!({"request": {"doctorId": clinic.garcia.id,
                           "hours": [{"weekday": 1, "start": "08:00", "end": "15:00"}]}}),
    );
    let doctor = write(
        "add_time_off",
        json!({"request": {"doctorId": clinic.garcia.id, "start": "2026-03-30T08:00",
                           "end": "2026-03-30T15:00", "reason": null}}),
    );
    write(
        "remove_time_off",
        json!({"request": {"doctorId": clinic.garcia.id,
                           "timeOffId": doctor["timeOff"][0]["id"]}}),
    );
    let room = write("create_room", json!({"name": "Sala 2"}))["id"].clone();
    write(
        "update_room",
        json!({"request": {"id": room, "name": "Sala 3", "active": null}}),
    );
    let desk = tauri::async_runtime::block_on(app.state().with_open(|open| open.desk.clone()))
        .expect("open");
    the_server_refuses_the_first_pending(&desk, ErrorCode::SlotTaken, "taken");
    let conflict = app.call("conflicts", json!({}))[0]["id"].clone();
    write(
        "resolve_conflict",
        json!({"request": {"id": conflict, "resolution": {"kind": "discard"}}}),
    );

    written.sort_unstable();
    written.dedup();
    let mut expected = STORE_WRITES.to_vec();
    expected.sort_unstable();
    assert_eq!(written, expected, "each write command runs once here");
}

#[test]
fn signed_out_the_session_is_null_and_desk_commands_say_so() {
    let app = TestApp::new();

    assert_eq!(app.call("session_state", json!({})), Value::Null);
    let refusal = app.refuse(
        "agenda",
        json!({"request": {"date": "2026-03-23", "days": 1, "doctorIds": []}}),
    );
    assert_eq!(refusal["code"], "not_signed_in");
    assert!(refusal["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[test]
fn sign_in_names_the_field_at_fault_and_says_offline_when_the_server_is_down() {
    let app = TestApp::new();
    let sign_in = |server: &str, password: &str| {
        json!({"request": {"server": server, "email": "ana@clinica-sol.example",
                           "password": password, "clinicId": null}})
    };

    let no_password = app.refuse("sign_in", sign_in("http://127.0.0.1:9", ""));
    let bad_server = app.refuse("sign_in", sign_in("clinic.example", "secret"));
    let down = app.refuse("sign_in", sign_in("http://127.0.0.1:9", "secret"));

    assert_eq!(no_password["field"], "password");
    assert_eq!(
        (bad_server["code"].as_str(), bad_server["field"].as_str()),
        (Some("invalid"), Some("server"))
    );
    assert_eq!(down["code"], "offline");
    assert_eq!(app.call("session_state", json!({})), Value::Null);
}

#[test]
fn a_doctor_session_names_the_zone_and_their_doctor_record() {
    let app = TestApp::new();
    let clinic = Clinic::new();
    app.open(
        clinic.profile(Role::Doctor, "http://127.0.0.1:9"),
        clinic.desk(Role::Doctor),
    );

    let session = app.call("session_state", json!({}));

    assert_eq!(session["role"], "doctor");
    assert_eq!(session["timeZone"], "Europe/Madrid");
    assert_eq!(session["doctorId"], json!(clinic.garcia.id));
    assert_eq!(session["clinicName"], "Clínica Sol");
    assert_eq!(session["tokenWarning"], Value::Null);
    assert_eq!(session["can"]["progressAppointments"], true);
    assert_eq!(session["can"]["bookAppointments"], false);
    assert_eq!(session["can"]["readNotes"], true);
    assert_eq!(session["can"]["manageStaff"], false);
}

#[test]
fn a_booking_shows_in_the_agenda_on_the_clinic_clock_pending_sync() {
    let (app, clinic) = reception();

    let booked = app.call("book_appointment", booking(&clinic, "2026-03-23T10:00"));
    let agenda = app.call(
        "agenda",
        json!({"request": {"date": "2026-03-23", "days": 7, "doctorIds": [clinic.garcia.id]}}),
    );

    assert_eq!(booked["start"], "2026-03-23T10:00");
    assert_eq!(booked["end"], "2026-03-23T10:30");
    assert_eq!(booked["startsAt"], "2026-03-23T09:00:00+00:00");
    assert_eq!(booked["pending"], true);
    assert_eq!(booked["patientName"], "Lucía Pérez Núñez");
    assert_eq!(agenda["timeZone"], "Europe/Madrid");
    assert_eq!(agenda["today"], "2026-03-20");
    assert_eq!(agenda["days"][0], "2026-03-23");
    assert_eq!(agenda["days"].as_array().map(Vec::len), Some(7));
    assert_eq!(agenda["appointments"], json!([booked]));
    let garcia = &agenda["doctors"][0];
    assert_eq!(garcia["fullName"], "Dra. Elena García");
    assert_eq!(
        garcia["days"][0]["workingHours"],
        json!([{"start": "2026-03-23T09:00", "end": "2026-03-23T14:00", "reason": null}])
    );
    assert_eq!(
        garcia["days"][5]["workingHours"],
        json!([]),
        "no Saturday hours"
    );
    assert_eq!(agenda["rooms"][0]["name"], "Sala 1");
    wait_for("the UI to be told to re-read", || {
        let signals = app.signals.lock().expect("lock");
        signals.iter().any(|s| matches!(s, Signal::DeskChanged(_)))
    });
}

#[test]
fn the_agenda_shows_only_the_doctors_asked_for_and_lists_the_whole_roster() {
    let (app, clinic) = reception();
    let booked = app.call("book_appointment", booking(&clinic, "2026-03-23T10:00"));

    let none = app.call(
        "agenda",
        json!({"request": {"date": "2026-03-23", "days": 1, "doctorIds": []}}),
    );
    let garcia = app.call(
        "agenda",
        json!({"request": {"date": "2026-03-23", "days": 1, "doctorIds": [clinic.garcia.id]}}),
    );
    let too_many: Vec<uuid::Uuid> = (0..=MAX_SHOWN_DOCTORS)
        .map(|_| uuid::Uuid::now_v7())
        .collect();
    let refused = app.refuse(
        "agenda",
        json!({"request": {"date": "2026-03-23", "days": 7, "doctorIds": too_many}}),
    );

    assert_eq!(none["doctors"], json!([]));
    assert_eq!(none["appointments"], json!([]));
    assert_eq!(
        none["roster"],
        json!([{"id": clinic.garcia.id, "fullName": "Dra. Elena García",
                "specialties": clinic.garcia.specialties}])
    );
    assert_eq!(none["days"], json!(["2026-03-23"]));
    assert_eq!(garcia["appointments"], json!([booked]));
    assert_eq!(
        (refused["code"].as_str(), refused["field"].as_str()),
        (Some("invalid"), Some("doctorIds"))
    );
}

#[test]
fn bad_input_is_refused_with_its_field_and_nothing_is_queued() {
    let (app, clinic) = reception();

    let skipped = app.refuse("book_appointment", booking(&clinic, "2026-03-29T02:30"));
    let bad_days = app.refuse(
        "agenda",
        json!({"request": {"date": "2026-03-23", "days": 3, "doctorIds": []}}),
    );
    let bad_date = app.refuse(
        "agenda",
        json!({"request": {"date": "23/03/2026", "days": 1, "doctorIds": []}}),
    );
    let closed = app.refuse("book_appointment", booking(&clinic, "2026-03-23T16:00"));

    assert_eq!(skipped["code"], "invalid");
    assert_eq!(skipped["field"], "start");
    assert!(
        skipped["message"]
            .as_str()
            .is_some_and(|m| m.contains("does not exist"))
    );
    assert_eq!(
        (bad_days["code"].as_str(), bad_days["field"].as_str()),
        (Some("invalid"), Some("days"))
    );
    assert_eq!(bad_date["field"], "date");
    assert_eq!(closed["code"], "outside_working_hours");
    assert_eq!(app.call("sync_status", json!({}))["pending"], 0);
}

/// The server's answer to the desk's first pending mutation is a refusal,
/// recorded as a sync would record it.
fn the_server_refuses_the_first_pending(
    desk: &clinic_client::Desk,
    code: ErrorCode,
    message: &str,
) {
    let sent = desk.pending_batch(10).expect("batch");
    desk.apply_push_response(
        &sent,
        &PushResponse {
            results: vec![MutationResult {
                seq: sent[0].seq,
                id: sent[0].id,
                outcome: Outcome::Rejected {
                    code,
                    message: message.into(),
                },
            }],
        },
    )
    .expect("answer recorded");
}

#[test]
fn a_refused_booking_lands_in_the_inbox_and_is_rebooked_at_another_time() {
    let (app, clinic) = reception();
    app.call("book_appointment", booking(&clinic, "2026-03-23T10:00"));
    let desk = tauri::async_runtime::block_on(app.state().with_open(|open| open.desk.clone()))
        .expect("open");
    the_server_refuses_the_first_pending(&desk, ErrorCode::SlotTaken, "Dra. García is booked then");

    let inbox = app.call("conflicts", json!({}));
    assert_eq!(inbox.as_array().map(Vec::len), Some(1));
    assert_eq!(inbox[0]["code"], "slot_taken");
    assert_eq!(inbox[0]["action"], "book_appointment");
    assert_eq!(
        inbox[0]["requestedSlot"],
        json!({"doctorId": clinic.garcia.id, "roomId": clinic.room.id,
               "start": "2026-03-23T10:00", "end": "2026-03-23T10:30", "minutes": 30})
    );
    // What the UI words in its own language: who, and (a booking being new)
    // no appointment as it stood before.
    assert_eq!(inbox[0]["subjectName"], "Lucía Pérez Núñez");
    assert_eq!(inbox[0]["appointmentSlot"], Value::Null);

    let after = app.call(
        "resolve_conflict",
        json!({"request": {"id": inbox[0]["id"], "resolution": {
            "kind": "pickAnotherSlot", "start": "2026-03-23T11:00", "minutes": 30,
            "doctorId": null, "roomId": null,
        }}}),
    );

    assert_eq!(after, json!([]));
    let agenda = app.call(
        "agenda",
        json!({"request": {"date": "2026-03-23", "days": 1, "doctorIds": [clinic.garcia.id]}}),
    );
    let live: Vec<&Value> = agenda["appointments"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|a| a["status"] == "booked")
        .collect();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0]["start"], "2026-03-23T11:00");
    assert_eq!(live[0]["pending"], true);
}

#[test]
fn appointment_actions_move_the_status() {
    let (app, clinic) = reception();
    let booked = app.call("book_appointment", booking(&clinic, "2026-03-23T10:00"));
    let id = booked["id"].clone();

    let moved = app.call(
        "reschedule_appointment",
        json!({"request": {"id": id, "start": "2026-03-23T12:00", "minutes": 45,
                           "doctorId": clinic.garcia.id, "roomId": null}}),
    );
    let cancelled = app.call(
        "cancel_appointment",
        json!({"request": {"id": id, "reason": "Patient called"}}),
    );

    assert_eq!(
        (moved["start"].as_str(), moved["end"].as_str()),
        (Some("2026-03-23T12:00"), Some("2026-03-23T12:45"))
    );
    assert_eq!(moved["roomId"], Value::Null);
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancelReason"], "Patient called");
    let again = app.refuse("check_in", json!({"id": id}));
    assert_eq!(again["code"], "stale");
}

#[test]
fn patients_register_search_and_open_without_notes_for_reception() {
    let (app, _clinic) = reception();
    let form = |email: &str| {
        json!({"patient": {
            "fullName": "Ana Martín", "dateOfBirth": "1980-05-17", "sex": "female",
            "nationalId": "", "phone": "611 000 111", "email": email, "address": null,
            "emailConsent": true,
        }})
    };

    let bad = app.refuse("register_patient", form("ana"));
    let record = app.call("register_patient", form("ana@example.com"));
    let hits = app.call(
        "search_patients",
        json!({"request": {"query": "mart", "includeArchived": false, "limit": 10}}),
    );
    let opened = app.call("patient", json!({"id": record["patient"]["id"]}));

    assert_eq!(
        (bad["code"].as_str(), bad["field"].as_str()),
        (Some("invalid"), Some("email"))
    );
    assert_eq!(record["patient"]["sex"], "female");
    assert_eq!(
        record["patient"]["nationalId"],
        Value::Null,
        "empty is not given"
    );
    assert_eq!(record["pending"], true);
    assert_eq!(hits[0]["fullName"], "Ana Martín");
    assert_eq!(opened["canReadNotes"], false);
    assert_eq!(opened["notes"], json!([]));
}

#[test]
fn settings_are_checked_and_kept() {
    let app = TestApp::new();
    let mut settings = app.call("settings", json!({}));
    assert_eq!(settings["language"], "system");
    settings["notifications"]["leadMinutes"] = json!(500);

    let refused = app.refuse("update_settings", json!({"settings": settings}));
    settings["notifications"]["leadMinutes"] = json!(15);
    settings["theme"] = json!("dark");
    app.call("update_settings", json!({"settings": settings}));

    assert_eq!(refused["field"], "notifications.leadMinutes");
    assert_eq!(app.call("settings", json!({})), settings);
    assert!(app.data_dir.path().join("settings.json").exists());
}

#[test]
fn server_only_commands_say_offline_when_the_server_cannot_be_reached() {
    let (app, clinic) = reception();
    let profile = clinic.profile(Role::Reception, "http://127.0.0.1:9");
    app.state()
        .sessions
        .vault()
        .keep(&profile.account(), &"a-token".to_owned().into())
        .expect("token kept");

    let staff = app.refuse("staff", json!({}));
    let typo = app.refuse(
        "invite",
        json!({"request": {"email": "not-an-address", "role": "reception"}}),
    );

    assert_eq!(staff["code"], "offline");
    assert!(
        staff["message"]
            .as_str()
            .is_some_and(|m| m.contains("needs a connection"))
    );
    assert_eq!(
        (typo["code"].as_str(), typo["field"].as_str()),
        (Some("invalid"), Some("email"))
    );
}

#[test]
fn switching_clinic_opens_the_other_clinics_desk_with_the_same_session() {
    let (app, clinic) = reception();
    let profile = clinic.profile(Role::Reception, "http://127.0.0.1:9");
    let state = app.state();
    std::fs::write(
        app.data_dir.path().join("session.json"),
        serde_json::to_vec(&profile).expect("json"),
    )
    .expect("saved session");
    state
        .sessions
        .vault()
        .keep(&profile.account(), &"a-token".to_owned().into())
        .expect("token kept");
    let luna = uuid::Uuid::now_v7();
    let membership = |id, name: &str, role| clinic_core::api::auth::MembershipView {
        clinic_id: id,
        clinic_name: name.into(),
        role,
        is_owner: false,
    };
    state
        .clinics
        .set(&[
            membership(clinic.clinic.id, "Clínica Sol", Role::Reception),
            membership(luna, "Clínica Luna", Role::Admin),
        ])
        .expect("clinics kept");

    let session = app.call("switch_clinic", json!({"clinicId": luna}));
    let unknown = app.refuse("switch_clinic", json!({"clinicId": uuid::Uuid::now_v7()}));

    assert_eq!(session["clinicName"], "Clínica Luna");
    assert_eq!(session["role"], "admin");
    assert_eq!(session["timeZone"], Value::Null, "not synced yet");
    assert_eq!(session["clinics"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        (unknown["code"].as_str(), unknown["field"].as_str()),
        (Some("invalid"), Some("clinic"))
    );
    let status = app.call("sync_status", json!({}));
    assert_ne!(
        status["state"], "signedOut",
        "the other clinic syncs with the same token"
    );
    let not_synced = app.refuse(
        "agenda",
        json!({"request": {"date": "2026-03-23", "days": 1, "doctorIds": []}}),
    );
    assert_eq!(not_synced["code"], "not_synced");
}

#[test]
fn signing_out_with_wipe_deletes_the_clinic_store() {
    let app = TestApp::new();
    let clinic = Clinic::new();
    let profile = clinic.profile(Role::Reception, "http://127.0.0.1:9");
    let desk = app
        .state()
        .sessions
        .open_desk(&profile)
        .expect("store file");
    let store = clinic_client::paths::store_path(
        app.data_dir.path(),
        &profile.server,
        profile.clinic_id,
        profile.user_id,
    );
    assert!(store.exists());
    app.open(profile, desk);

    let out = app.call("sign_out", json!({"request": {"wipeLocalData": true}}));

    assert_eq!(out["localDataWiped"], true);
    assert!(!store.exists());
    assert_eq!(app.call("session_state", json!({})), Value::Null);
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    // Generous: the machine running the tests may be busy.
    for _ in 0..500 {
        if done() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("timed out waiting for {what}");
}

/// Opens in `app` a doctor's desk holding one of their appointments at
/// 09:05 in Madrid, five minutes after the desk's "now": within the
/// reminder's lead.
fn open_doctor_desk_with_an_appointment_soon(app: &TestApp) -> (Clinic, clinic_client::Desk) {
    let clinic = Clinic::new();
    let desk = clinic.desk(Role::Doctor);
    let row = AppointmentRow {
        id: uuid::Uuid::now_v7(),
        doctor_id: clinic.garcia.id,
        patient_id: clinic.lucia.id,
        room_id: None,
        starts_at: madrid(2026, 3, 20, 9, 5),
        ends_at: madrid(2026, 3, 20, 9, 35),
        status: clinic_core::schedule::AppointmentStatus::Booked,
        reason: None,
        cancel_reason: None,
        created_by: None,
        updated_at: madrid(2026, 3, 19, 9, 0),
    };
    desk.apply_pull_page(
        &PullPage {
            changes: vec![Change::Upsert {
                version: 100,
                row: SyncRow::Appointments(row),
            }],
            cursor: 100,
            has_more: false,
        },
        clinic_client::PullKind::Changes,
    )
    .expect("pulled");
    app.open(
        clinic.profile(Role::Doctor, "http://127.0.0.1:9"),
        desk.clone(),
    );
    (clinic, desk)
}

/// The doctor checks the appointment in and the server refuses it, as a
/// sync would record it.
fn a_check_in_is_refused(desk: &clinic_client::Desk) {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 20).expect("date");
    let appointment = desk.day_agenda(today, None).expect("agenda").appointments[0].id;
    desk.check_in(appointment).expect("checked in");
    the_server_refuses_the_first_pending(desk, ErrorCode::Stale, "it was cancelled");
}

#[test]
fn a_refused_check_in_names_the_patient_and_the_appointment_as_it_stands() {
    let app = TestApp::new();
    let (clinic, desk) = open_doctor_desk_with_an_appointment_soon(&app);
    a_check_in_is_refused(&desk);

    let inbox = app.call("conflicts", json!({}));
    assert_eq!(inbox[0]["action"], "check_in");
    assert_eq!(inbox[0]["code"], "stale");
    assert_eq!(inbox[0]["subjectName"], "Lucía Pérez Núñez");
    assert_eq!(inbox[0]["requestedSlot"], Value::Null);
    assert_eq!(
        inbox[0]["appointmentSlot"],
        json!({"doctorId": clinic.garcia.id, "roomId": null,
               "start": "2026-03-20T09:05", "end": "2026-03-20T09:35", "minutes": 30})
    );
}

/// Notices in English whatever the machine's locale.
fn in_english(app: &TestApp) -> Value {
    let mut settings = app.call("settings", json!({}));
    settings["language"] = json!("en");
    app.call("update_settings", json!({"settings": settings}))
}

#[test]
fn a_doctor_is_reminded_of_the_next_appointment_and_told_of_a_new_conflict() {
    let app = TestApp::new();
    in_english(&app);
    let (_, desk) = open_doctor_desk_with_an_appointment_soon(&app);

    wait_for("the reminder", || {
        !app.notices.0.lock().expect("lock").is_empty()
    });
    {
        let notices = app.notices.0.lock().expect("lock");
        assert_eq!(notices[0].summary, "Next appointment at 09:05");
        assert_eq!(notices[0].body, "Lucía Pérez Núñez, in 5 min");
    }

    a_check_in_is_refused(&desk);

    wait_for("the conflict notice", || {
        app.notices.0.lock().expect("lock").len() >= 2
    });
    let notices = app.notices.0.lock().expect("lock");
    assert_eq!(notices[1].summary, "A change was refused by the server");
    assert!(
        notices[1].body.ends_with("it was cancelled"),
        "{}",
        notices[1].body
    );
    assert_eq!(
        notices.len(),
        2,
        "the reminder is not repeated: {notices:?}"
    );
}

#[test]
fn reminders_switched_off_wait_until_switched_on_while_conflicts_still_come() {
    let app = TestApp::new();
    let mut settings = in_english(&app);
    settings["notifications"]["nextAppointment"] = json!(false);
    app.call("update_settings", json!({"settings": settings}));
    let (_, desk) = open_doctor_desk_with_an_appointment_soon(&app);

    a_check_in_is_refused(&desk);

    wait_for("the conflict notice", || {
        !app.notices.0.lock().expect("lock").is_empty()
    });
    {
        let notices = app.notices.0.lock().expect("lock");
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert_eq!(notices[0].summary, "A change was refused by the server");
    }

    // Switched back on, the due reminder comes at once, not at the next tick.
    settings["notifications"]["nextAppointment"] = json!(true);
    app.call("update_settings", json!({"settings": settings}));
    wait_for("the reminder", || {
        app.notices.0.lock().expect("lock").len() == 2
    });
    assert_eq!(
        app.notices.0.lock().expect("lock")[1].summary,
        "Next appointment at 09:05"
    );
}
