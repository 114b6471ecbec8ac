//! Sign-up, sign-in, sessions, passwords.

mod common;

use common::{PASSWORD, spawn_app};
use reqwest::Method;
use serde_json::json;

fn signup_body(email: &str) -> serde_json::Value {
    json!({
        "clinic": {"name": "Clínica Sol", "time_zone": "Europe/Madrid", "locale": "es", "currency": "eur"},
        "owner": {"full_name": "Lucía Gómez", "email": email, "password": PASSWORD},
        "device_name": "Recepción",
    })
}

#[tokio::test]
async fn signup_creates_clinic_owner_and_session() {
    let app = spawn_app().await;
    let body = app
        .call(
            Method::POST,
            "/v1/signup",
            None,
            Some(signup_body("Lucia@Example.com")),
        )
        .await
        .expect(201);
    assert_eq!(body["user"]["email"], "lucia@example.com");
    assert_eq!(body["memberships"][0]["role"], "admin");
    assert_eq!(body["memberships"][0]["is_owner"], true);
    assert_eq!(body["memberships"][0]["clinic_name"], "Clínica Sol");
    let token = body["token"].as_str().expect("token");
    assert!(token.starts_with("cds_"));

    let me = app.get("/v1/me", token).await.expect(200);
    assert_eq!(me["user"]["full_name"], "Lucía Gómez");
    let clinic_id = body["memberships"][0]["clinic_id"].as_str().expect("id");
    let clinic = app.get(&format!("/v1/clinics/{clinic_id}"), token).await;
    if clinic.status.as_u16() == 200 {
        assert_eq!(clinic.body["currency"], "EUR");
        assert_eq!(clinic.body["time_zone"], "Europe/Madrid");
    }
    // The password is stored as an argon2id hash, the token only as a digest.
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(&app.db)
        .await
        .expect("hash");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM sessions WHERE token_hash = sha256($1::bytea)")
            .bind(token.as_bytes())
            .fetch_one(&app.db)
            .await
            .expect("count");
    assert_eq!(stored, 1);
}

#[tokio::test]
async fn bad_signups_are_rejected_and_write_nothing() {
    let app = spawn_app().await;
    let cases = [
        ("/clinic/name", json!(" "), "name"),
        ("/clinic/time_zone", json!("Mars/Base"), "time_zone"),
        ("/clinic/locale", json!("fr"), "locale"),
        ("/clinic/currency", json!("EURO"), "currency"),
        ("/owner/email", json!("not-an-email"), "email"),
        ("/owner/password", json!("short"), "password"),
        ("/device_name", json!(""), "device_name"),
    ];
    for (pointer, value, field) in cases {
        let mut body = signup_body("ana@example.com");
        *body.pointer_mut(pointer).expect("pointer") = value;
        let err = app
            .call(Method::POST, "/v1/signup", None, Some(body))
            .await
            .expect_error(422, "invalid");
        assert_eq!(err["field"], field, "{err}");
    }
    // Not JSON at all, and JSON missing fields.
    let res = app
        .http
        .post(app.url("/v1/signup"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("send");
    assert_eq!(res.status().as_u16(), 400);
    let err: serde_json::Value = res.json().await.expect("json");
    assert_eq!(err["code"], "invalid");
    app.call(
        Method::POST,
        "/v1/signup",
        None,
        Some(json!({"clinic": {}})),
    )
    .await
    .expect_error(422, "invalid");
    for table in ["users", "clinics", "memberships", "sessions", "devices"] {
        assert_eq!(app.count(table).await, 0, "{table} was written");
    }
}

#[tokio::test]
async fn one_email_one_account() {
    let app = spawn_app().await;
    app.call(
        Method::POST,
        "/v1/signup",
        None,
        Some(signup_body("ana@example.com")),
    )
    .await
    .expect(201);
    app.call(
        Method::POST,
        "/v1/signup",
        None,
        Some(signup_body("ANA@example.com ")),
    )
    .await
    .expect_error(409, "conflict");
    assert_eq!(app.count("clinics").await, 1);
}

#[tokio::test]
async fn login_logout_and_session_management() {
    let app = spawn_app().await;
    let clinic = app.signup("North", "north@example.com").await;
    let laptop = app.login("north@example.com").await;
    let sessions = app.get("/v1/sessions", &laptop).await.expect(200);
    assert_eq!(sessions.as_array().expect("list").len(), 2);
    assert_eq!(
        sessions
            .as_array()
            .expect("list")
            .iter()
            .filter(|s| s["current"] == true)
            .count(),
        1
    );

    // Revoke the desk's session from the laptop: the desk is signed out.
    let desk_session = sessions
        .as_array()
        .expect("list")
        .iter()
        .find(|s| s["current"] == false)
        .expect("other")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    app.delete(&format!("/v1/sessions/{desk_session}"), &laptop)
        .await
        .expect(204);
    app.get("/v1/me", &clinic.admin.token)
        .await
        .expect_error(401, "unauthenticated");
    app.delete(&format!("/v1/sessions/{desk_session}"), &laptop)
        .await
        .expect_error(404, "not_found");

    // Log out.
    app.delete("/v1/sessions/current", &laptop)
        .await
        .expect(204);
    app.get("/v1/me", &laptop)
        .await
        .expect_error(401, "unauthenticated");

    // Sign out everywhere.
    let a = app.login("north@example.com").await;
    let b = app.login("north@example.com").await;
    app.delete("/v1/sessions", &a).await.expect(204);
    app.get("/v1/me", &b)
        .await
        .expect_error(401, "unauthenticated");

    // Wrong password, unknown account, garbage tokens.
    app.call(
        Method::POST,
        "/v1/sessions",
        None,
        Some(json!({"email": "north@example.com", "password": "wrong password!", "device_name": "x"})),
    )
    .await
    .expect_error(401, "bad_credentials");
    app.call(
        Method::POST,
        "/v1/sessions",
        None,
        Some(json!({"email": "nobody@example.com", "password": PASSWORD, "device_name": "x"})),
    )
    .await
    .expect_error(401, "bad_credentials");
    app.get("/v1/me", "cds_forged")
        .await
        .expect_error(401, "unauthenticated");
    app.call(Method::GET, "/v1/me", None, None)
        .await
        .expect_error(401, "unauthenticated");
}

#[tokio::test]
async fn expired_sessions_are_refused() {
    let app = spawn_app().await;
    let clinic = app.signup("East", "east@example.com").await;
    sqlx::query("UPDATE sessions SET expires_at = now() - interval '1 second'")
        .execute(&app.db)
        .await
        .expect("expire");
    app.get("/v1/me", &clinic.admin.token)
        .await
        .expect_error(401, "unauthenticated");
}

#[tokio::test]
async fn a_device_keeps_its_identity_across_sign_ins() {
    let app = spawn_app().await;
    app.signup("West", "west@example.com").await;
    let first = app
        .call(
            Method::POST,
            "/v1/sessions",
            None,
            Some(
                json!({"email": "west@example.com", "password": PASSWORD, "device_name": "Desk 2"}),
            ),
        )
        .await
        .expect(200);
    let again = app
        .call(
            Method::POST,
            "/v1/sessions",
            None,
            Some(json!({"email": "west@example.com", "password": PASSWORD, "device_name": "Desk 2", "device_id": first["device_id"]})),
        )
        .await
        .expect(200);
    assert_eq!(first["device_id"], again["device_id"]);
}

#[tokio::test]
async fn failed_logins_are_throttled_per_account_and_per_address() {
    let app = spawn_app().await;
    app.signup("South", "south@example.com").await;
    let attempt = |email: &'static str, password: &'static str| {
        app.call(
            Method::POST,
            "/v1/sessions",
            None,
            Some(json!({"email": email, "password": password, "device_name": "x"})),
        )
    };
    for _ in 0..5 {
        attempt("south@example.com", "wrong password!")
            .await
            .expect_error(401, "bad_credentials");
    }
    // Now even the right password waits.
    let limited = attempt("south@example.com", PASSWORD).await;
    let retry: u64 = limited.headers["retry-after"]
        .to_str()
        .expect("header")
        .parse()
        .expect("secs");
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    limited.expect_error(429, "rate_limited");

    // Per address: many accounts guessed from one address.
    for i in 0..30 {
        let email: &'static str = Box::leak(format!("guess{i}@example.com").into_boxed_str());
        let _ = attempt(email, "wrong password!").await;
    }
    app.signup("Other", "other@example.com").await;
    attempt("other@example.com", PASSWORD)
        .await
        .expect_error(429, "rate_limited");
}

#[tokio::test]
async fn changing_the_password_signs_out_other_devices() {
    let app = spawn_app().await;
    let clinic = app.signup("Centre", "centre@example.com").await;
    let other = app.login("centre@example.com").await;
    app.put(
        "/v1/me/password",
        &clinic.admin.token,
        json!({"current_password": "not it at all", "new_password": "a brand new secret"}),
    )
    .await
    .expect_error(422, "invalid");
    app.put(
        "/v1/me/password",
        &clinic.admin.token,
        json!({"current_password": PASSWORD, "new_password": "short"}),
    )
    .await
    .expect_error(422, "invalid");
    app.put(
        "/v1/me/password",
        &clinic.admin.token,
        json!({"current_password": PASSWORD, "new_password": "a brand new secret"}),
    )
    .await
    .expect(204);
    app.get("/v1/me", &clinic.admin.token).await.expect(200);
    app.get("/v1/me", &other)
        .await
        .expect_error(401, "unauthenticated");
    app.call(
        Method::POST,
        "/v1/sessions",
        None,
        Some(json!({"email": "centre@example.com", "password": "a brand new secret", "device_name": "x"})),
    )
    .await
    .expect(200);
}
