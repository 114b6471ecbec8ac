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
