//! Sign-up, sign-in, sessions, passwords.

mod common;

use clinic_core::Role;
use common::{Answer, PASSWORD, TestApp, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeMap;

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

fn sign_in(email: &str, password: &str) -> Value {
    json!({"email": email, "password": password, "device_name": "x"})
}

/// POSTs every body to `path` at once (each on its own connection).
async fn at_once(app: &TestApp, path: &str, bodies: Vec<Value>) -> Vec<Answer> {
    futures::future::join_all(
        bodies
            .into_iter()
            .map(|body| app.call(Method::POST, path, None, Some(body))),
    )
    .await
}

/// How many answers had each status.
fn statuses(answers: &[Answer]) -> BTreeMap<u16, usize> {
    let mut counted = BTreeMap::new();
    for a in answers {
        *counted.entry(a.status.as_u16()).or_default() += 1;
    }
    counted
}

/// A 429 whose `Retry-After` is within the limit's window.
fn assert_limited(answer: &Answer, window_secs: i64) {
    assert_eq!(answer.status.as_u16(), 429, "{}", answer.body);
    assert_eq!(answer.code(), "rate_limited", "{}", answer.body);
    let retry: i64 = answer.headers["retry-after"]
        .to_str()
        .expect("header")
        .parse()
        .expect("secs");
    assert!(retry > 0 && retry <= window_secs, "{retry}");
}

/// Every throttled attempt so far leaves its window, as if its time had passed.
async fn let_the_windows_pass(app: &TestApp) {
    sqlx::query("UPDATE auth_attempts SET expires_at = now() - interval '1 second'")
        .execute(&app.db)
        .await
        .expect("age attempts");
}

#[tokio::test]
async fn wrong_passwords_sent_at_once_for_one_account_are_checked_at_most_the_limit() {
    let app = spawn_app().await;
    app.signup("South", "south@example.com").await;
    let auth = app.settings.auth.clone();
    let limit = auth.max_failures_per_account as usize;
    let answers = at_once(
        &app,
        "/v1/sessions",
        (0..20)
            .map(|_| sign_in("south@example.com", "wrong password!"))
            .collect(),
    )
    .await;
    assert_eq!(
        statuses(&answers),
        BTreeMap::from([(401, limit), (429, 20 - limit)])
    );
    for a in answers.iter().filter(|a| a.status.as_u16() == 429) {
        assert_limited(a, auth.failure_window_secs);
    }
    // Now even the right password waits, sent alone or with others.
    let right = at_once(
        &app,
        "/v1/sessions",
        vec![sign_in("south@example.com", PASSWORD); 3],
    )
    .await;
    for a in &right {
        assert_limited(a, auth.failure_window_secs);
    }
    // Once the window has passed, the right password signs in again.
    let_the_windows_pass(&app).await;
    app.login("south@example.com").await;
}

#[tokio::test]
async fn attempts_sent_at_once_from_one_address_are_checked_at_most_its_limit() {
    let app = spawn_app().await;
    app.signup("Other", "other@example.com").await;
    let auth = app.settings.auth.clone();
    let limit = auth.max_failures_per_address as usize;
    // Many accounts, known and not, each guessed once: only the address repeats.
    let bodies: Vec<Value> = (0..2 * limit)
        .map(|i| sign_in(&format!("guess{i}@example.com"), "wrong password!"))
        .chain([sign_in("other@example.com", "wrong password!")])
        .collect();
    let answers = at_once(&app, "/v1/sessions", bodies).await;
    assert_eq!(
        statuses(&answers),
        BTreeMap::from([(401, limit), (429, limit + 1)])
    );
    let right = app
        .call(
            Method::POST,
            "/v1/sessions",
            None,
            Some(sign_in("other@example.com", PASSWORD)),
        )
        .await;
    assert_limited(&right, auth.failure_window_secs);
}

#[tokio::test]
async fn every_password_check_counts_against_the_account() {
    let app = spawn_app().await;
    let centre = app.signup("Centre", "centre@example.com").await;
    let other = app.signup("Other", "owner@other.example").await;
    let invited = app
        .invite(&other, &other.admin, "centre@example.com", Role::Reception)
        .await;
    let window = app.settings.auth.failure_window_secs;
    let change = |current: &str| {
        app.put(
            "/v1/me/password",
            &centre.admin.token,
            json!({"current_password": current, "new_password": "a brand new secret"}),
        )
    };
    // Five wrong passwords, through the three doors that check one.
    for _ in 0..2 {
        change("not it at all").await.expect_error(422, "invalid");
        app.accept_invitation(&invited.token, None, "not it either")
            .await
            .expect_error(401, "bad_credentials");
    }
    app.call(
        Method::POST,
        "/v1/sessions",
        None,
        Some(sign_in("centre@example.com", "wrong again!")),
    )
    .await
    .expect_error(401, "bad_credentials");
    // Now none of them checks even the right one.
    assert_limited(&change(PASSWORD).await, window);
    assert_limited(
        &app.accept_invitation(&invited.token, None, PASSWORD).await,
        window,
    );
    assert_limited(
        &app.call(
            Method::POST,
            "/v1/sessions",
            None,
            Some(sign_in("centre@example.com", PASSWORD)),
        )
        .await,
        window,
    );

    // A right password forgives the account's failures before it.
    let_the_windows_pass(&app).await;
    for _ in 0..4 {
        change("not it at all").await.expect_error(422, "invalid");
    }
    app.accept_invitation(&invited.token, None, PASSWORD)
        .await
        .expect(200);
    for _ in 0..4 {
        change("not it at all").await.expect_error(422, "invalid");
    }
    change(PASSWORD).await.expect(204);
    app.call(
        Method::POST,
        "/v1/sessions",
        None,
        Some(sign_in("centre@example.com", "a brand new secret")),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn signups_are_limited_per_address_even_sent_at_once() {
    let app = spawn_app_with(|s| s.auth.max_signups_per_address = 3).await;
    let window = app.settings.auth.signup_window_secs;
    // Refused as invalid before anything is looked up: these take no place.
    for _ in 0..5 {
        let mut body = signup_body("ana@example.com");
        body["owner"]["password"] = json!("short");
        app.call(Method::POST, "/v1/signup", None, Some(body))
            .await
            .expect_error(422, "invalid");
    }
    let answers = at_once(
        &app,
        "/v1/signup",
        (0..8)
            .map(|i| signup_body(&format!("owner{i}@example.com")))
            .collect(),
    )
    .await;
    assert_eq!(statuses(&answers), BTreeMap::from([(201, 3), (429, 5)]));
    for a in answers.iter().filter(|a| a.status.as_u16() == 429) {
        assert_limited(a, window);
    }
    assert_eq!(app.count("clinics").await, 3);
    assert_eq!(app.count("users").await, 3);
    // A known email is no way round it: the limit answers first.
    let known = answers
        .iter()
        .find(|a| a.status.as_u16() == 201)
        .expect("one signed up")
        .body["user"]["email"]
        .as_str()
        .expect("email")
        .to_owned();
    let again = app
        .call(Method::POST, "/v1/signup", None, Some(signup_body(&known)))
        .await;
    assert_limited(&again, window);
    let_the_windows_pass(&app).await;
    app.call(
        Method::POST,
        "/v1/signup",
        None,
        Some(signup_body("late@example.com")),
    )
    .await
    .expect(201);
}

/// The notices of sign-up attempts queued so far: (clinic, to, locale, name).
async fn signup_notices(app: &TestApp) -> Vec<(uuid::Uuid, String, String, String)> {
    let rows: Vec<(uuid::Uuid, String, String, Value)> = sqlx::query_as(
        "SELECT clinic_id, to_email, locale, payload FROM email_outbox
         WHERE kind = 'signup_attempt' ORDER BY created_at",
    )
    .fetch_all(&app.db)
    .await
    .expect("outbox");
    rows.into_iter()
        .map(|(clinic, to, locale, payload)| {
            let name = payload["full_name"].as_str().expect("name").to_owned();
            (clinic, to, locale, name)
        })
        .collect()
}

#[tokio::test]
async fn a_signup_with_a_known_email_tells_its_owner_once_a_day() {
    let app = spawn_app().await;
    let body = app
        .call(
            Method::POST,
            "/v1/signup",
            None,
            Some(signup_body("ana@example.com")),
        )
        .await
        .expect(201);
    let clinic: uuid::Uuid = body["memberships"][0]["clinic_id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("uuid");
    let answers = at_once(&app, "/v1/signup", vec![signup_body("ANA@example.com"); 5]).await;
    for a in &answers {
        assert_eq!(a.status.as_u16(), 409, "{}", a.body);
        assert_eq!(a.code(), "conflict");
        assert!(
            a.body["message"]
                .as_str()
                .expect("message")
                .contains("sign in"),
            "{}",
            a.body
        );
    }
    let told = (
        clinic,
        "ana@example.com".to_owned(),
        "es".to_owned(),
        "Lucía Gómez".to_owned(),
    );
    assert_eq!(signup_notices(&app).await, vec![told.clone()]);
    assert_eq!(app.count("clinics").await, 1);

    // A day later, another attempt is told again.
    let_the_windows_pass(&app).await;
    app.call(
        Method::POST,
        "/v1/signup",
        None,
        Some(signup_body("ana@example.com")),
    )
    .await
    .expect_error(409, "conflict");
    assert_eq!(signup_notices(&app).await, vec![told.clone(), told]);
    assert_eq!(app.count("clinics").await, 1);
}
