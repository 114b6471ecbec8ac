//! The API client, the sync engine and sessions over real HTTP, against the
//! stub server.

use chrono::NaiveDate;
use clinic_client::engine::EngineConfig;
use clinic_client::session::{SecretError, SecretStore};
use clinic_client::test_support::fixture::{World, booking, madrid, now};
use clinic_client::test_support::stub::{PASSWORD, Stub, server_for};
use clinic_client::{
    ApiClient, ApiError, Clock, Desk, DeskIdentity, Login, PullStep, Sessions, Store, SyncEngine,
    SyncState, SyncStatus, TokenLocation, TokenVault,
};
use clinic_core::Role;
use clinic_core::api::auth::LoginRequest;
use clinic_core::sync::{PriorityStage, PullQuery, PushRequest, SyncTable};
use secrecy::SecretString;
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

fn login_request(email: &str, password: &str) -> LoginRequest {
    LoginRequest {
        email: email.into(),
        password: password.into(),
        device_name: "test desk".into(),
        device_id: None,
    }
}

/// Signs `email` in through the API and opens an empty in-memory desk for it.
async fn signed_in(stub: &Stub, world: &World, email: &str, role: Role) -> (Desk, ApiClient) {
    let api = ApiClient::new(&stub.url()).expect("client");
    let granted = api
        .login(&login_request(email, PASSWORD))
        .await
        .expect("login");
    let desk = Desk::with_store(
        Store::open_in_memory().expect("store"),
        DeskIdentity {
            clinic_id: world.clinic.id,
            user_id: granted.user.id,
            role,
        },
        Clock::fixed(now()),
    );
    desk.adopt_device(granted.device_id).expect("device");
    (desk, api.with_token(SecretString::from(granted.token)))
}

fn quick() -> EngineConfig {
    EngineConfig {
        interval: Duration::from_secs(60),
        backoff_min: Duration::from_millis(50),
        backoff_max: Duration::from_millis(200),
        ..EngineConfig::default()
    }
}

async fn wait_for(
    rx: &mut watch::Receiver<SyncStatus>,
    what: &str,
    pred: impl Fn(&SyncStatus) -> bool,
) -> SyncStatus {
    let waited = tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            {
                let s = rx.borrow_and_update();
                if pred(&s) {
                    return s.clone();
                }
            }
            rx.changed().await.expect("engine alive");
        }
    })
    .await;
    match waited {
        Ok(s) => s,
        Err(_) => panic!(
            "timed out waiting for {what}; last status {:?}",
            *rx.borrow()
        ),
    }
}

fn monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 23).expect("date")
}

#[tokio::test]
async fn the_api_client_speaks_the_protocol_and_carries_server_errors() {
    let w = World::new();
    let stub = Stub::start(server_for(
        &w,
        &[("ana@clinic.example", w.reception_user, Role::Reception)],
    ));
    let api = ApiClient::new(&stub.url()).expect("client");

    let err = api
        .login(&login_request("ana@clinic.example", "wrong password"))
        .await
        .expect_err("bad password");
    assert_eq!(err.code(), "bad_credentials");
    assert!(matches!(err, ApiError::Server { status: 401, .. }));
    assert_eq!(err.to_string(), "email or password is wrong");
    assert!(!err.is_transient());

    let err = api.me().await.expect_err("no token");
    assert!(err.is_unauthenticated());

    let granted = api
        .login(&login_request("ana@clinic.example", PASSWORD))
        .await
        .expect("login");
    let api = api.with_token(SecretString::from(granted.token.clone()));
    assert!(
        !format!("{api:?}").contains(&granted.token),
        "the token never prints"
    );
    let me = api.me().await.expect("me");
    assert_eq!(me.user.id, w.reception_user);
    assert_eq!(me.memberships[0].clinic_id, w.clinic.id);

    // Pulls ask for gzip and read it.
    let page = api
        .pull(
            w.clinic.id,
            &PullQuery {
                cursor: Some(0),
                limit: Some(5),
                priority: false,
                stage: None,
            },
        )
        .await
        .expect("pull");
    assert_eq!(page.changes.len(), 5);
    assert!(page.has_more);
    assert_eq!(page.cursor, 5);
    assert!(
        stub.server
            .lock()
            .expect("lock")
            .pulls
            .iter()
            .all(|(_, gzip)| *gzip)
    );

    let answer = api
        .push(w.clinic.id, &PushRequest { mutations: vec![] })
        .await
        .expect("empty push");
    assert!(answer.results.is_empty());

    // A failing server is transient; a gone session is not.
    stub.server.lock().expect("lock").fail_pushes =
        Some(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    let err = api
        .push(w.clinic.id, &PushRequest { mutations: vec![] })
        .await
        .expect_err("500");
    assert!(err.is_transient());
    assert_eq!(err.code(), "internal");

    api.logout().await.expect("logout");
    assert!(api.me().await.expect_err("revoked").is_unauthenticated());

    // Nobody listening: offline, not an error from the server.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let err = ApiClient::new(&format!("http://127.0.0.1:{port}"))
        .expect("client")
        .me()
        .await
        .expect_err("refused");
    assert!(err.is_offline() && err.is_transient(), "{err:?}");
    assert_eq!(err.code(), "offline");
}

#[tokio::test]
async fn two_desks_converge_and_the_later_booking_lands_in_conflicts() {
    let w = World::new();
    let other = Uuid::now_v7();
    let stub = Stub::start(server_for(
        &w,
        &[
            ("ana@clinic.example", w.reception_user, Role::Reception),
            ("bea@clinic.example", other, Role::Reception),
        ],
    ));
    let (a, api_a) = signed_in(&stub, &w, "ana@clinic.example", Role::Reception).await;
    let (b, api_b) = signed_in(&stub, &w, "bea@clinic.example", Role::Reception).await;
    let engine_a = SyncEngine::new(a.clone(), api_a, quick());
    let engine_b = SyncEngine::new(b.clone(), api_b, quick());

    // First sync: the priority page in two stages (today's agenda, then
    // the coming weeks'), then everything from 0; each page is reported.
    let mut seen = Vec::new();
    let first = engine_a
        .sync_once_with(|p| seen.push(p.step))
        .await
        .expect("sync a");
    engine_b.sync_once().await.expect("sync b");
    assert_eq!(
        seen,
        [
            PullStep::Priority(PriorityStage::Today),
            PullStep::Priority(PriorityStage::Ahead),
            PullStep::Changes(0)
        ]
    );
    {
        let s = stub.server.lock().expect("lock");
        let asked: Vec<_> = s.pulls[..3]
            .iter()
            .map(|(q, _)| (q.priority, q.stage, q.cursor))
            .collect();
        assert_eq!(
            asked,
            [
                (true, Some(PriorityStage::Today), Some(0)),
                (true, Some(PriorityStage::Ahead), Some(0)),
                (false, None, Some(0))
            ]
        );
    }
    assert!(a.sync_info().expect("info").priority_done);
    assert_eq!(first.cursor, a.cursor().expect("cursor"));
    assert_eq!(a.doctors(false).expect("doctors").len(), 2);

    // Both book Dra. García at 10:00 while offline from each other.
    let start = madrid(2026, 3, 23, 10, 0);
    let mine = a
        .book(booking(w.garcia.id, w.lucia.id, start, 30))
        .expect("a books");
    let theirs = b
        .book(booking(w.garcia.id, w.mateo.id, start, 30))
        .expect("b books");

    let ra = engine_a.sync_once().await.expect("a syncs");
    assert_eq!((ra.pushed, ra.applied, ra.rejected), (1, 1, 0));
    let rb = engine_b.sync_once().await.expect("b syncs");
    assert_eq!((rb.pushed, rb.applied, rb.rejected), (1, 0, 1));
    engine_a.sync_once().await.expect("a again");

    for desk in [&a, &b] {
        let day = desk.day_agenda(monday(), None).expect("agenda");
        assert_eq!(day.appointments.len(), 1);
        assert_eq!(day.appointments[0].id, mine.row_id);
        assert!(!day.appointments[0].pending);
        assert_eq!(desk.pending_count().expect("pending"), 0);
        assert!(desk.outbox().expect("outbox").is_empty());
    }
    let conflicts = b.conflicts().expect("conflicts");
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].code, "slot_taken");
    assert!(a.conflicts().expect("conflicts").is_empty());
    assert!(
        stub.server
            .lock()
            .expect("lock")
            .appointments()
            .iter()
            .all(|x| x.id != theirs.row_id)
    );

    // Retrying the same push gets the same stored answers and changes nothing.
    let stored = stub.server.lock().expect("lock").pushes.clone();
    let (device, request) = stored.last().expect("a push").clone();
    assert_eq!(request.mutations.len(), 1);
    let replay = b_api_push(&stub, "bea@clinic.example", &request).await;
    assert_eq!(replay.results.len(), 1);
    let s = stub.server.lock().expect("lock");
    assert!(s.answers.contains_key(&(device, request.mutations[0].seq)));
    assert_eq!(s.appointments().len(), 1);
}

/// Pushes `request` again from a fresh session of the same device.
async fn b_api_push(
    stub: &Stub,
    email: &str,
    request: &PushRequest,
) -> clinic_core::sync::PushResponse {
    let device = stub
        .server
        .lock()
        .expect("lock")
        .pushes
        .last()
        .expect("push")
        .0;
    let api = ApiClient::new(&stub.url()).expect("client");
    let mut req = login_request(email, PASSWORD);
    req.device_id = Some(device);
    let granted = api.login(&req).await.expect("login");
    assert_eq!(granted.device_id, device);
    api.with_token(SecretString::from(granted.token))
        .push(Uuid::nil(), request)
        .await
        .expect("push")
}

#[tokio::test]
async fn engines_sync_in_the_background_and_pull_on_pokes() {
    let w = World::new();
    let other = Uuid::now_v7();
    let stub = Stub::start(server_for(
        &w,
        &[
            ("ana@clinic.example", w.reception_user, Role::Reception),
            ("bea@clinic.example", other, Role::Reception),
        ],
    ));
    let (a, api_a) = signed_in(&stub, &w, "ana@clinic.example", Role::Reception).await;
    let (b, api_b) = signed_in(&stub, &w, "bea@clinic.example", Role::Reception).await;
    // A long interval: only pokes and local actions make them sync.
    let handle_a = SyncEngine::new(a.clone(), api_a, quick()).spawn();
    let handle_b = SyncEngine::new(b.clone(), api_b, quick()).spawn();
    let mut status_a = handle_a.status();
    let mut status_b = handle_b.status();
    wait_for(&mut status_a, "a online and live", |s| {
        s.state == SyncState::Online && s.live
    })
    .await;
    wait_for(&mut status_b, "b online and live", |s| {
        s.state == SyncState::Online && s.live
    })
    .await;

    // A books: A's engine pushes at once; the server pokes B, which pulls.
    let q = a
        .book(booking(
            w.chen.id,
            w.lucia.id,
            madrid(2026, 3, 24, 9, 0),
            20,
        ))
        .expect("booked");
    wait_for(&mut status_a, "a pushed", |s| {
        s.state == SyncState::Online && s.pending == 0
    })
    .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let day = b
            .day_agenda(NaiveDate::from_ymd_opt(2026, 3, 24).expect("d"), None)
            .expect("agenda");
        if day.appointments.iter().any(|x| x.id == q.row_id) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "B never saw A's booking"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // A change made on the server directly (another desk) reaches both.
    let mut changed = w.mateo.clone();
    changed.full_name = "Mateo Ruiz Soto".into();
    stub.server
        .lock()
        .expect("lock")
        .put(clinic_core::sync::SyncRow::Patients(changed));
    for desk in [&a, &b] {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while desk
            .search_patients("soto", false, 5)
            .expect("search")
            .is_empty()
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "rename never arrived"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    // A row the server deletes (or hides) leaves both desks.
    stub.server
        .lock()
        .expect("lock")
        .remove(SyncTable::Appointments, q.row_id);
    for desk in [&a, &b] {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while desk.appointment(q.row_id).expect("read").is_some() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "delete never arrived"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    handle_a.shutdown().await;
    handle_b.shutdown().await;
}

#[tokio::test]
async fn the_engine_backs_off_while_offline_and_catches_up_when_the_server_returns() {
    let w = World::new();
    let stub = Stub::start(server_for(
        &w,
        &[("ana@clinic.example", w.reception_user, Role::Reception)],
    ));
    let (desk, api) = signed_in(&stub, &w, "ana@clinic.example", Role::Reception).await;
    SyncEngine::new(desk.clone(), api.clone(), quick())
        .sync_once()
        .await
        .expect("first sync");
    let addr = stub.addr;
    let server = stub.stop();

    // Offline: actions still work and queue up.
    let q = desk
        .book(booking(
            w.garcia.id,
            w.lucia.id,
            madrid(2026, 3, 23, 11, 0),
            30,
        ))
        .expect("booked offline");
    let handle = SyncEngine::new(desk.clone(), api, quick()).spawn();
    let mut status = handle.status();
    let offline = wait_for(&mut status, "offline", |s| s.state == SyncState::Offline).await;
    assert_eq!(offline.pending, 1);
    assert_eq!(
        offline.last_error.as_ref().map(|e| e.code.as_str()),
        Some("offline")
    );
    assert!(
        desk.day_agenda(monday(), None)
            .expect("agenda")
            .appointments[0]
            .pending
    );

    // The server comes back on the same address: the engine finds it by itself.
    let stub = Stub::start_on(addr, server);
    let online = wait_for(&mut status, "online again", |s| {
        s.state == SyncState::Online && s.pending == 0
    })
    .await;
    assert!(online.last_sync_at.is_some());
    assert!(online.last_error.is_none());
    assert!(
        stub.server
            .lock()
            .expect("lock")
            .appointments()
            .iter()
            .any(|a| a.id == q.row_id)
    );
    let day = desk.day_agenda(monday(), None).expect("agenda");
    assert!(!day.appointments[0].pending);
    handle.shutdown().await;
}

#[tokio::test]
async fn a_desk_shows_offline_within_seconds_of_the_server_dying_and_online_soon_after_it_returns()
{
    let w = World::new();
    let stub = Stub::start(server_for(
        &w,
        &[("ana@clinic.example", w.reception_user, Role::Reception)],
    ));
    let (desk, api) = signed_in(&stub, &w, "ana@clinic.example", Role::Reception).await;
    // The app's own timings, but for the interval: a periodic sync must not
    // be what notices.
    let config = EngineConfig {
        interval: Duration::from_secs(600),
        ..EngineConfig::default()
    };
    let handle = SyncEngine::new(desk, api, config).spawn();
    let mut status = handle.status();
    wait_for(&mut status, "online and live", |s| {
        s.state == SyncState::Online && s.live
    })
    .await;

    let addr = stub.addr;
    let server = stub.stop();
    let died = std::time::Instant::now();
    wait_for(&mut status, "offline", |s| s.state == SyncState::Offline).await;
    let to_offline = died.elapsed();
    assert!(
        to_offline < Duration::from_secs(2),
        "offline shown {to_offline:?} after the server died"
    );

    // Let the backoff grow past its first steps, as in a real outage.
    tokio::time::sleep(Duration::from_secs(8)).await;
    let _stub = Stub::start_on(addr, server);
    let back = std::time::Instant::now();
    wait_for(&mut status, "online again", |s| {
        s.state == SyncState::Online
    })
    .await;
    let to_online = back.elapsed();
    assert!(
        // The backoff cap (5 s), and slack for a loaded machine.
        to_online <= Duration::from_secs(7),
        "online shown {to_online:?} after the server returned"
    );
    eprintln!("status flips: offline after {to_offline:?}, online after {to_online:?}");
    handle.shutdown().await;
}

#[tokio::test]
async fn a_revoked_session_stops_the_engine_as_signed_out_and_keeps_the_outbox() {
    let w = World::new();
    let stub = Stub::start(server_for(
        &w,
        &[("ana@clinic.example", w.reception_user, Role::Reception)],
    ));
    let (desk, api) = signed_in(&stub, &w, "ana@clinic.example", Role::Reception).await;
    SyncEngine::new(desk.clone(), api.clone(), quick())
        .sync_once()
        .await
        .expect("first sync");
    stub.server.lock().expect("lock").sessions.clear();
    desk.book(booking(
        w.garcia.id,
        w.lucia.id,
        madrid(2026, 3, 23, 12, 0),
        30,
    ))
    .expect("booked");
    let handle = SyncEngine::new(desk.clone(), api, quick()).spawn();
    let mut status = handle.status();
    let s = wait_for(&mut status, "signed out", |s| {
        s.state == SyncState::SignedOut
    })
    .await;
    assert_eq!(s.pending, 1);
    assert_eq!(desk.outbox().expect("outbox").len(), 1);
    handle.shutdown().await;
}

#[tokio::test]
async fn a_mutation_the_server_refuses_outright_goes_to_the_inbox_and_does_not_block_the_rest() {
    use clinic_core::api::rooms::NewRoom;
    let w = World::new();
    let stub = Stub::start(server_for(
        &w,
        &[("admin@clinic.example", w.reception_user, Role::Admin)],
    ));
    let (desk, api) = signed_in(&stub, &w, "admin@clinic.example", Role::Admin).await;
    let engine = SyncEngine::new(desk.clone(), api, quick());
    engine.sync_once().await.expect("first sync");
    stub.server.lock().expect("lock").refuse_bodies_with = Some("create_room");

    let start = madrid(2026, 3, 23, 10, 0);
    let first = desk
        .book(booking(w.garcia.id, w.lucia.id, start, 30))
        .expect("book");
    desk.create_room(NewRoom {
        name: "Sala 9".into(),
    })
    .expect("room");
    let second = desk
        .book(booking(w.chen.id, w.mateo.id, start, 30))
        .expect("book");

    let report = engine.sync_once().await.expect("sync goes through");
    assert_eq!((report.applied, report.rejected), (2, 1));
    let conflicts = desk.conflicts().expect("conflicts");
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].name, "create_room");
    assert_eq!(conflicts[0].code, "invalid");
    assert!(
        conflicts[0]
            .message
            .starts_with("the server refused this action: unknown mutation type")
    );
    assert!(
        !desk
            .rooms(true)
            .expect("rooms")
            .iter()
            .any(|r| r.name == "Sala 9")
    );
    let on_server: Vec<Uuid> = stub
        .server
        .lock()
        .expect("lock")
        .appointments()
        .iter()
        .map(|a| a.id)
        .collect();
    assert!(on_server.contains(&first.row_id) && on_server.contains(&second.row_id));
    assert!(desk.outbox().expect("outbox").is_empty());
}

#[tokio::test]
async fn a_throttled_sign_in_says_how_long_to_wait() {
    let w = World::new();
    let server = server_for(
        &w,
        &[("ana@clinic.example", w.reception_user, Role::Reception)],
    );
    server.lock().expect("lock").throttle_logins = Some(840);
    let stub = Stub::start(server);
    let dir = tempfile::tempdir().expect("dir");
    let sessions = Sessions::with_vault(
        dir.path(),
        TokenVault::with_store(Box::new(NoKeyring), dir.path()),
    );
    let err = sessions
        .login(Login {
            server: stub.url(),
            email: "ana@clinic.example".into(),
            password: SecretString::from(PASSWORD),
            device_name: "Front desk".into(),
            clinic_id: None,
            new_device: false,
        })
        .await
        .expect_err("throttled");
    let view = err.view();
    assert_eq!(view.code, "rate_limited");
    assert_eq!(view.retry_after_secs, Some(840));
    assert!(matches!(&err, clinic_client::Error::Api(a) if a.is_transient()));
    assert!(sessions.current().expect("read").is_none());
}

/// A keyring that is not there, as on a headless box without D-Bus.
struct NoKeyring;
impl SecretStore for NoKeyring {
    fn set(&self, _: &str, _: &str) -> Result<(), SecretError> {
        Err(SecretError::Unavailable("no D-Bus session bus".into()))
    }
    fn get(&self, _: &str) -> Result<Option<String>, SecretError> {
        Err(SecretError::Unavailable("no D-Bus session bus".into()))
    }
    fn delete(&self, _: &str) -> Result<(), SecretError> {
        Err(SecretError::Unavailable("no D-Bus session bus".into()))
    }
}

#[tokio::test]
async fn sessions_sign_in_keep_the_token_and_sign_out() {
    let w = World::new();
    let server = server_for(
        &w,
        &[("ana@clinic.example", w.reception_user, Role::Reception)],
    );
    // Ana also works at a second clinic.
    let second = Uuid::now_v7();
    server.lock().expect("lock").accounts[0].memberships.push(
        clinic_core::api::auth::MembershipView {
            clinic_id: second,
            clinic_name: "Clínica Luna".into(),
            role: Role::Admin,
            is_owner: true,
        },
    );
    let stub = Stub::start(server);
    let dir = tempfile::tempdir().expect("dir");
    let sessions = Sessions::with_vault(
        dir.path(),
        TokenVault::with_store(Box::new(NoKeyring), dir.path()),
    );
    let login = |clinic| Login {
        server: format!("{}/", stub.url()),
        email: "Ana@Clinic.example".into(),
        password: SecretString::from(PASSWORD),
        device_name: "Front desk".into(),
        clinic_id: clinic,
        new_device: false,
    };
    let err = sessions
        .login(login(None))
        .await
        .expect_err("which clinic?");
    assert!(err.to_string().contains("Clínica Luna"), "{err}");
    assert_eq!(err.code(), "choose_clinic");
    match &err {
        clinic_client::Error::ChooseClinic { memberships, .. } => assert_eq!(memberships.len(), 2),
        other => panic!("not a clinic choice: {other:?}"),
    }
    assert!(sessions.current().expect("read").is_none());
    assert!(
        stub.server.lock().expect("lock").sessions.is_empty(),
        "the session opened for the choice is revoked"
    );

    let signed = sessions
        .login(login(Some(w.clinic.id)))
        .await
        .expect("login");
    assert_eq!(signed.profile.server, stub.url());
    assert_eq!(signed.profile.role, Role::Reception);
    assert_eq!(signed.profile.token_location, TokenLocation::File);
    assert!(
        signed
            .token_warning
            .expect("said once")
            .contains("no D-Bus session bus")
    );
    let profile = sessions.current().expect("read").expect("profile");
    assert_eq!(profile, signed.profile);
    let session_json = std::fs::read_to_string(dir.path().join("session.json")).expect("json");
    let token = sessions.token(&profile).expect("token");
    assert!(!session_json.contains(secrecy::ExposeSecret::expose_secret(&token)));

    // The profile opens its own store, which syncs.
    let desk = sessions.open_desk(&profile).expect("desk");
    let engine = SyncEngine::new(desk.clone(), sessions.api(&profile).expect("api"), quick());
    engine.sync_once().await.expect("sync");
    assert_eq!(
        desk.clinic().expect("clinic").expect("synced").id,
        w.clinic.id
    );
    let store =
        clinic_client::paths::store_path(dir.path(), &profile.server, w.clinic.id, profile.user_id);
    assert!(store.exists());

    // Signing out revokes on the server and forgets the token, not the store.
    assert!(sessions.logout().await.expect("logout"));
    assert!(sessions.current().expect("read").is_none());
    assert!(!sessions.vault().file_path(&profile.account()).exists());
    assert!(stub.server.lock().expect("lock").sessions.is_empty());
    assert!(store.exists());

    // Signing in again keeps the same device; signing in over a live
    // session revokes the one it replaces.
    sessions
        .login(login(Some(w.clinic.id)))
        .await
        .expect("again");
    assert_eq!(stub.server.lock().expect("lock").sessions.len(), 1);
    let again = sessions
        .login(login(Some(w.clinic.id)))
        .await
        .expect("again");
    assert_eq!(stub.server.lock().expect("lock").sessions.len(), 1);
    assert_eq!(again.profile.device_id, profile.device_id);
    assert_eq!(
        stub.server
            .lock()
            .expect("lock")
            .logins
            .last()
            .expect("login")
            .device_id,
        Some(profile.device_id)
    );
    let desk = sessions.open_desk(&again.profile).expect("desk");
    assert!(desk.is_pending(SyncTable::Clinic, w.clinic.id).is_ok());

    // The same token opens Ana's other clinic, in a store of its own.
    let me = sessions
        .api(&again.profile)
        .expect("api")
        .me()
        .await
        .expect("me");
    // A new device, when asked for: queued actions are renumbered under it.
    let desk = sessions.open_desk(&again.profile).expect("desk");
    // (Stores opened from a profile read the system clock: book next week.)
    let next_week = {
        use chrono::Datelike;
        let d = chrono::Utc::now().date_naive() + chrono::Duration::days(7);
        madrid(d.year(), d.month(), d.day(), 16, 0)
    };
    desk.book(booking(w.garcia.id, w.lucia.id, next_week, 30))
        .expect("queued");
    let fresh = sessions
        .login(Login {
            new_device: true,
            ..login(Some(w.clinic.id))
        })
        .await
        .expect("new device");
    assert_ne!(fresh.profile.device_id, again.profile.device_id);
    let desk = sessions.open_desk(&fresh.profile).expect("desk");
    assert_eq!(
        desk.sync_info().expect("info").device_id,
        Some(fresh.profile.device_id)
    );
    assert_eq!(desk.pending_batch(10).expect("batch")[0].seq, 1);

    let luna = sessions
        .switch_clinic(&me.memberships, second)
        .expect("switch");
    assert_eq!(
        (luna.clinic_name.as_str(), luna.role),
        ("Clínica Luna", Role::Admin)
    );
    assert_eq!(sessions.current().expect("read").expect("profile"), luna);
    assert!(
        sessions
            .switch_clinic(&me.memberships, Uuid::now_v7())
            .is_err()
    );
}
