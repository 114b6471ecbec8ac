//! A small stand-in for the sync server, speaking the protocol of
//! docs/SYNC.md over real HTTP: sessions, push (idempotent per device and
//! seq, no double booking), pull (version order, gzip, priority page) and
//! SSE pokes. It is a test double for the component built beside this one;
//! the real-server convergence tests replace it once both have landed.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use chrono::Utc;
use clinic_core::api::auth::{LoginRequest, Me, MembershipView, SessionGranted, UserView};
use clinic_core::sync::{Poke, PullQuery, PushRequest};
use clinic_core::{ErrorBody, ErrorCode, Role};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, oneshot};
use uuid::Uuid;

mod server;

pub use server::{Account, Server};

pub const PASSWORD: &str = "correct horse battery staple";

pub type Shared = Arc<Mutex<Server>>;

#[derive(Clone)]
struct App {
    server: Shared,
    pokes: broadcast::Sender<i64>,
}

fn error(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    (
        status,
        axum::Json(ErrorBody {
            code,
            message: message.into(),
            field: None,
        }),
    )
        .into_response()
}

fn unauthenticated() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated,
        "sign in again",
    )
}

fn session(app: &App, headers: &HeaderMap) -> Option<(Uuid, Uuid)> {
    let token = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")?;
    app.server
        .lock()
        .expect("lock")
        .sessions
        .get(token)
        .copied()
}

async fn login(State(app): State<App>, axum::Json(req): axum::Json<LoginRequest>) -> Response {
    let mut s = app.server.lock().expect("lock");
    s.logins.push(req.clone());
    if let Some(secs) = s.throttle_logins {
        let mut r = error(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            "too many sign-in attempts",
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
        return r;
    }
    let account = s
        .accounts
        .iter()
        .find(|a| a.user.email == req.email.to_lowercase())
        .cloned();
    let Some(account) = account.filter(|_| req.password == PASSWORD) else {
        return error(
            StatusCode::UNAUTHORIZED,
            ErrorCode::BadCredentials,
            "email or password is wrong",
        );
    };
    let device = match req.device_id {
        Some(d) if s.devices.get(&d) == Some(&account.user.id) => d,
        _ => {
            let d = Uuid::now_v7();
            s.devices.insert(d, account.user.id);
            d
        }
    };
    let token = format!("tok-{}", Uuid::now_v7().simple());
    s.sessions.insert(token.clone(), (account.user.id, device));
    axum::Json(SessionGranted {
        token,
        session_id: Uuid::now_v7(),
        device_id: device,
        expires_at: Utc::now() + chrono::Duration::days(30),
        user: account.user.clone(),
        memberships: account.memberships.clone(),
    })
    .into_response()
}

async fn me(State(app): State<App>, headers: HeaderMap) -> Response {
    let Some((user, _)) = session(&app, &headers) else {
        return unauthenticated();
    };
    let s = app.server.lock().expect("lock");
    let account = s
        .accounts
        .iter()
        .find(|a| a.user.id == user)
        .expect("account");
    axum::Json(Me {
        user: account.user.clone(),
        memberships: account.memberships.clone(),
    })
    .into_response()
}

async fn logout(State(app): State<App>, headers: HeaderMap) -> Response {
    if session(&app, &headers).is_none() {
        return unauthenticated();
    }
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned();
    app.server.lock().expect("lock").sessions.remove(&token);
    StatusCode::NO_CONTENT.into_response()
}

async fn push(
    State(app): State<App>,
    Path(_clinic): Path<Uuid>,
    headers: HeaderMap,
    axum::Json(req): axum::Json<PushRequest>,
) -> Response {
    let Some((user, device)) = session(&app, &headers) else {
        return unauthenticated();
    };
    let mut s = app.server.lock().expect("lock");
    s.pushes.push((device, req.clone()));
    if let Some(status) = s.fail_pushes {
        return error(status, ErrorCode::Internal, "the server failed");
    }
    if let Some(name) = s.refuse_bodies_with
        && req.mutations.iter().any(|m| m.mutation.name() == name)
    {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Invalid,
            &format!("unknown mutation type {name}"),
        );
    }
    axum::Json(s.push(user, device, &req)).into_response()
}

async fn pull(
    State(app): State<App>,
    Path(_clinic): Path<Uuid>,
    Query(q): Query<PullQuery>,
    headers: HeaderMap,
) -> Response {
    if session(&app, &headers).is_none() {
        return unauthenticated();
    }
    let gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| h.contains("gzip"));
    let mut s = app.server.lock().expect("lock");
    s.pulls.push((q.clone(), gzip));
    let page = s.page(&q);
    let body = serde_json::to_vec(&page).expect("json");
    if gzip {
        let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
        enc.write_all(&body).expect("gzip");
        let zipped = enc.finish().expect("gzip");
        (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CONTENT_ENCODING, "gzip"),
            ],
            zipped,
        )
            .into_response()
    } else {
        ([(header::CONTENT_TYPE, "application/json")], body).into_response()
    }
}

async fn events(State(app): State<App>, Path(_clinic): Path<Uuid>, headers: HeaderMap) -> Response {
    if session(&app, &headers).is_none() {
        return unauthenticated();
    }
    let rx = app.pokes.subscribe();
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(version) => {
                    let event = Event::default()
                        .event("poke")
                        .json_data(Poke { version })
                        .expect("json");
                    return Some((Ok::<_, std::convert::Infallible>(event), rx));
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(5)))
        .into_response()
}

/// A running stub on its own thread and runtime, so blocking tests (the CLI)
/// and async ones can both use it. Stops when dropped.
pub struct Stub {
    pub addr: SocketAddr,
    pub server: Shared,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Stub {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn start(server: Shared) -> Stub {
        Self::start_on("127.0.0.1:0".parse().expect("addr"), server)
    }

    pub fn start_on(addr: SocketAddr, server: Shared) -> Stub {
        let (pokes, _) = broadcast::channel(1024);
        server.lock().expect("lock").pokes = Some(pokes.clone());
        let app = App {
            server: server.clone(),
            pokes,
        };
        let router = Router::new()
            .route("/v1/sessions", post(login))
            .route("/v1/sessions/current", delete(logout))
            .route("/v1/me", get(me))
            .route("/v1/clinics/{clinic_id}/sync/push", post(push))
            .route("/v1/clinics/{clinic_id}/sync/pull", get(pull))
            .route("/v1/clinics/{clinic_id}/sync/events", get(events))
            .with_state(app);
        let std_listener = std::net::TcpListener::bind(addr).expect("bind");
        std_listener.set_nonblocking(true).expect("nonblocking");
        let addr = std_listener.local_addr().expect("addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(std_listener).expect("listener");
                // Stopping drops the runtime with every connection on it, as a
                // server that dies would: open event streams are cut.
                tokio::select! {
                    _ = axum::serve(listener, router) => {}
                    _ = stopped => {}
                }
            });
        });
        Stub {
            addr,
            server,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Stops serving and closes the port, cutting open connections.
    pub fn stop(mut self) -> Shared {
        self.shutdown();
        self.server.clone()
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.server.lock().expect("lock").pokes = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A server holding the fixture clinic and one account per role given.
pub fn server_for(world: &super::fixture::World, people: &[(&str, Uuid, Role)]) -> Shared {
    let mut s = Server::default();
    for row in world.rows() {
        s.put(row);
    }
    for (email, user_id, role) in people {
        s.accounts.push(Account {
            user: UserView {
                id: *user_id,
                email: (*email).to_owned(),
                full_name: format!("Staff {email}"),
            },
            memberships: vec![MembershipView {
                clinic_id: world.clinic.id,
                clinic_name: world.clinic.name.clone(),
                role: *role,
                is_owner: false,
            }],
        });
    }
    Arc::new(Mutex::new(s))
}
