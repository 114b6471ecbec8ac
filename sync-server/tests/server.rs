//! The server's own surface: health, readiness, errors, limits, OpenAPI.

mod common;

use common::spawn_app;
use reqwest::Method;

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    assert_eq!(
        app.call(Method::GET, "/healthz", None, None)
            .await
            .expect(200)["status"],
        "ok"
    );
    assert_eq!(
        app.call(Method::GET, "/readyz", None, None)
            .await
            .expect(200)["status"],
        "ready"
    );
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let app = spawn_app().await;
    app.call(Method::GET, "/v1/nope", None, None)
        .await
        .expect_error(404, "not_found");
    app.call(Method::PATCH, "/healthz", None, None)
        .await
        .expect_error(405, "invalid");
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = spawn_app().await;
    let huge = "x".repeat(3 * 1024 * 1024);
    let res = app
        .http
        .post(app.url("/v1/signup"))
        .header("content-type", "application/json")
        .body(format!("{{\"device_name\": \"{huge}\"}}"))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status().as_u16(), 413);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["code"], "payload_too_large");
}

#[tokio::test]
async fn openapi_document_lists_every_route() {
    let app = spawn_app().await;
    let doc = app
        .call(Method::GET, "/openapi.json", None, None)
        .await
        .expect(200);
    assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
    let paths = doc["paths"].as_object().expect("paths");
    for path in [
        "/healthz",
        "/readyz",
        "/v1/signup",
        "/v1/sessions",
        "/v1/me",
        "/v1/invitations/accept",
        "/v1/clinics",
        "/v1/clinics/{clinic_id}",
        "/v1/clinics/{clinic_id}/staff",
        "/v1/clinics/{clinic_id}/invitations",
        "/v1/clinics/{clinic_id}/audit",
        "/v1/clinics/{clinic_id}/doctors",
        "/v1/clinics/{clinic_id}/doctors/{doctor_id}/hours",
        "/v1/clinics/{clinic_id}/doctors/{doctor_id}/time-off",
        "/v1/clinics/{clinic_id}/rooms",
        "/v1/clinics/{clinic_id}/patients",
        "/v1/clinics/{clinic_id}/patients/{patient_id}/notes",
        "/v1/clinics/{clinic_id}/appointments",
        "/v1/clinics/{clinic_id}/appointments/{appointment_id}/cancel",
    ] {
        assert!(paths.contains_key(path), "{path} missing from OpenAPI");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn refuses_to_serve_as_a_role_that_bypasses_row_security() {
    // Serve as the database's superuser instead of the application role.
    let url = common::admin_url();
    let settings = sync_server::config::Settings {
        server: sync_server::config::ServerSettings {
            bind: "127.0.0.1:0".parse().expect("addr"),
            ..Default::default()
        },
        database: sync_server::config::DatabaseSettings {
            url: url.clone().into(),
            app_url: Some(url.into()),
            app_role: "clinic_app".into(),
            app_password: None,
            max_connections: 1,
        },
        auth: common::test_auth_settings(),
        log: sync_server::config::LogSettings::default(),
    };
    let err = sync_server::startup::Application::build(settings)
        .await
        .err()
        .expect("must refuse");
    assert!(format!("{err:#}").contains("row-level security"), "{err:#}");
}

/// The template every test database is copied from is built from scratch
/// whenever the migrations change (and on a fresh machine). Building it
/// used to race the migrating pool's sessions, which end a moment after the
/// pool is closed: the rename then failed, every time in a release build.
#[tokio::test]
async fn test_database_templates_build_from_scratch_again_and_again() {
    use sqlx::{Connection, Executor};
    let mut admin = sqlx::PgConnection::connect(&common::admin_url())
        .await
        .expect("connect");
    for _ in 0..3 {
        let name = format!("clinic_tpl_probe_{}", uuid::Uuid::new_v4().simple());
        common::build_template(&mut admin, &name).await;
        let migrated: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(&name)
                .fetch_one(&mut admin)
                .await
                .expect("query");
        assert!(migrated, "{name} was not created");
        admin
            .execute(format!("DROP DATABASE {name}").as_str())
            .await
            .expect("drop");
    }
}
