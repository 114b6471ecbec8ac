//! The demo clinic that `sync-server seed-demo` creates for the main command.

mod common;

use common::spawn_app;
use reqwest::Method;
use serde_json::json;
use sync_server::demo::{DEMO_PASSWORD, seed};

#[tokio::test]
async fn seeding_twice_makes_one_demo_clinic_whose_staff_can_sign_in() {
    let app = spawn_app().await;
    seed(&app.settings).await.expect("seed");
    seed(&app.settings).await.expect("seed again");
    assert_eq!(app.count("clinics").await, 1);
    assert!(app.count("appointments").await > 50);
    assert_eq!(app.count("patients").await, 48);
    for (email, role) in [
        ("admin@demo-clinic.example", "admin"),
        ("reception@demo-clinic.example", "reception"),
        ("dr.garcia@demo-clinic.example", "doctor"),
        ("dr.chen@demo-clinic.example", "doctor"),
        ("radiology@demo-clinic.example", "worker"),
    ] {
        let session = app
            .call(
                Method::POST,
                "/v1/sessions",
                None,
                Some(json!({"email": email, "password": DEMO_PASSWORD, "device_name": "Demo"})),
            )
            .await
            .expect(200);
        assert_eq!(session["memberships"][0]["role"], role, "{email}");
        assert_eq!(session["memberships"][0]["clinic_name"], "Demo Clinic");
    }
    // No two live appointments of one doctor overlap (the constraint held while seeding).
    let overlaps: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM appointments a JOIN appointments b
           ON a.clinic_id = b.clinic_id AND a.doctor_id = b.doctor_id AND a.id < b.id AND a.during && b.during
         WHERE a.status IN ('booked','checked_in','completed') AND b.status IN ('booked','checked_in','completed')",
    )
    .fetch_one(&app.db)
    .await
    .expect("overlaps");
    assert_eq!(overlaps, 0);
}

#[tokio::test]
async fn a_generated_clinic_is_consistent_and_usable() {
    let app = spawn_app().await;
    let made = sync_server::generate::generate(&app.settings, "Bench", 300, 5_000)
        .await
        .expect("generate");
    assert_eq!((made.patients, made.appointments), (300, 5_000));
    // Versions are unique per clinic and the counter is past all of them,
    // so the next write cannot collide with a generated row.
    let (distinct, total, max, counter): (i64, i64, i64, i64) = sqlx::query_as(
        "WITH v AS (SELECT version FROM doctors UNION ALL SELECT version FROM doctor_hours
                    UNION ALL SELECT version FROM patients UNION ALL SELECT version FROM appointments)
         SELECT count(DISTINCT version), count(*), max(version),
                (SELECT version FROM clinic_sync_counters WHERE clinic_id = $1) FROM v",
    )
    .bind(made.clinic_id)
    .fetch_one(&app.db)
    .await
    .expect("versions");
    assert_eq!(distinct, total);
    assert_eq!(counter, max);
    // Bulk loading skips foreign-key triggers: check every reference by hand.
    let orphans: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM appointments a WHERE NOT EXISTS
                    (SELECT 1 FROM patients p WHERE p.clinic_id = a.clinic_id AND p.id = a.patient_id)
                 OR NOT EXISTS (SELECT 1 FROM doctors d WHERE d.clinic_id = a.clinic_id AND d.id = a.doctor_id))
              + (SELECT count(*) FROM doctor_hours h WHERE NOT EXISTS
                    (SELECT 1 FROM doctors d WHERE d.clinic_id = h.clinic_id AND d.id = h.doctor_id))
              + (SELECT count(*) FROM memberships m WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = m.user_id))",
    )
    .fetch_one(&app.db)
    .await
    .expect("orphans");
    assert_eq!(orphans, 0);
    // Its admin signs in and reads the agenda through the API.
    let session = app
        .call(
            Method::POST,
            "/v1/sessions",
            None,
            Some(json!({"email": made.admin_email, "password": DEMO_PASSWORD, "device_name": "Bench"})),
        )
        .await
        .expect(200);
    let token = session["token"].as_str().expect("token");
    let page = app
        .get(
            &format!("/v1/clinics/{}/appointments?limit=10", made.clinic_id),
            token,
        )
        .await
        .expect(200);
    assert_eq!(page["items"].as_array().expect("items").len(), 10);
}
