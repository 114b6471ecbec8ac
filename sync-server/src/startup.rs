//! Builds the application: pools, router, listener. `main` only wires config.

use crate::auth::password::PasswordHasher;
use crate::config::Settings;
use crate::error::ApiError;
use crate::http_errors::{JsonErrorsListener, json_error_bodies, refuse_oversized_heads};
use crate::json_objects::json_bodies_are_objects;
use crate::pokes::Pokes;
use crate::routes;
use crate::state::AppState;
use anyhow::{Context, bail};
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderName, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::serve::ListenerExt;
use clinic_core::ErrorCode;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub struct Application {
    listener: TcpListener,
    router: Router,
    pool: PgPool,
    stop: watch::Sender<bool>,
    pokes_listener: JoinHandle<()>,
}

impl Application {
    /// Connects as the application role, checks it is subject to row-level
    /// security, and binds the listener (port 0 picks a free one).
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let pool = PgPoolOptions::new()
            .max_connections(settings.database.max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .connect_lazy_with(settings.database.app_options()?);
        ensure_row_security_applies(&pool).await?;
        let (stop, stopping) = watch::channel(false);
        let pokes = Pokes::new();
        let pokes_listener =
            pokes.spawn_listener(settings.database.app_options()?, stopping.clone());
        let state = AppState {
            pool: pool.clone(),
            passwords: Arc::new(PasswordHasher::new(&settings.auth)?),
            settings: Arc::new(settings),
            pokes,
            stopping,
        };
        let listener = TcpListener::bind(state.settings.server.bind)
            .await
            .with_context(|| format!("binding {}", state.settings.server.bind))?;
        Ok(Application {
            router: router(state),
            listener,
            pool,
            stop,
            pokes_listener,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests.
    /// Open event streams end at once rather than hold the shutdown up.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        tracing::info!(addr = %self.local_addr(), "listening");
        let stop = self.stop;
        let shutdown = async move {
            shutdown.await;
            let _ = stop.send(true);
        };
        // `tap_io` does nothing here but make axum hand handlers the peer's
        // address (`ConnectInfo<SocketAddr>`), which it derives for tapped
        // listeners of any kind.
        let listener = JsonErrorsListener(self.listener).tap_io(|_| {});
        axum::serve(
            listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .context("serving")?;
        let _ = self.pokes_listener.await;
        self.pool.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Refuses to serve as a role that would bypass row-level security.
async fn ensure_row_security_applies(pool: &PgPool) -> anyhow::Result<()> {
    let (role, bypasses): (String, bool) = sqlx::query_as(
        "SELECT rolname::text, rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user",
    )
    .fetch_one(pool)
    .await
    .context("connecting as the application role (have migrations run?)")?;
    if bypasses {
        bail!(
            "database role {role:?} is a superuser or has BYPASSRLS; serve as a role subject to row-level security"
        );
    }
    Ok(())
}

pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let server = &state.settings.server;
    let (max_body, timeout) = (
        server.max_body_bytes,
        Duration::from_secs(server.request_timeout_secs),
    );
    routes::router(state)
        .fallback(|| async { ApiError::new(ErrorCode::NotFound, "no such endpoint") })
        .method_not_allowed_fallback(|| async {
            (
                StatusCode::METHOD_NOT_ALLOWED,
                ApiError::new(
                    ErrorCode::Invalid,
                    "this endpoint does not accept that method",
                ),
            )
        })
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn(json_bodies_are_objects))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::internal("a handler panicked").into_response()
        }))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(middleware::from_fn(refuse_oversized_heads))
        .layer(middleware::map_response(json_error_bodies))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let route = req
                        .extensions()
                        .get::<MatchedPath>()
                        .map(MatchedPath::as_str)
                        .unwrap_or("unmatched");
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    tracing::info_span!("request", method = %req.method(), route, request_id = id)
                })
                .on_response(|res: &Response, latency: Duration, _: &tracing::Span| {
                    tracing::info!(
                        status = res.status().as_u16(),
                        latency_ms = latency.as_millis() as u64,
                        "answered"
                    );
                }),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}
