//! Doctors, their weekly hours and time off, and rooms.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use clinic_core::{Permission, Role};
use common::schedule::{
    AppointmentRow, cancel_appointment_row, create_doctor, create_room, insert_appointment_row,
    insert_patient_row, set_hours,
};
use common::{Clinic, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("time")
}

fn id(v: &Value) -> Uuid {
    v["id"].as_str().expect("id").parse().expect("uuid")
}

fn names(page: &Value, key: &str) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i[key].as_str().expect("name").to_owned())
        .collect()
}

/// Audit actions recorded about `entity_id`, oldest first.
async fn audit_actions(app: &TestApp, entity_id: Uuid) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY at, id")
        .bind(entity_id)
        .fetch_all(&app.db)
        .await
        .expect("audit")
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(&app.db)
        .await
        .expect("audit")
}

async fn doctor_version(app: &TestApp, doctor: Uuid) -> i64 {
    sqlx::query_scalar("SELECT version FROM doctors WHERE id = $1")
        .bind(doctor)
        .fetch_one(&app.db)
        .await
        .expect("version")
}

/// Ids of a doctor's working-hour rows, in week order.
async fn hour_ids(app: &TestApp, doctor: Uuid) -> Vec<Uuid> {
    sqlx::query_scalar("SELECT id FROM doctor_hours WHERE doctor_id = $1 ORDER BY weekday, starts")
        .bind(doctor)
        .fetch_all(&app.db)
        .await
        .expect("rows")
}

async fn booked(
    app: &TestApp,
    clinic: &Clinic,
    doctor_id: Uuid,
    room_id: Option<Uuid>,
    starts_at: DateTime<Utc>,
    status: &'static str,
) -> Uuid {
    let patient_id = insert_patient_row(app, clinic, "Pat Ient").await;
    insert_appointment_row(
        app,
        clinic,
        AppointmentRow {
            doctor_id,
            patient_id,
            room_id,
            starts_at,
            ends_at: starts_at + chrono::TimeDelta::minutes(30),
            status,
        },
    )
    .await
}

// ---------------------------------------------------------------- doctors

#[tokio::test]
async fn doctors_are_created_read_and_listed_by_name() {
    let app = spawn_app().await;
    let clinic = app.signup("Sol", "sol@example.com").await;
    let admin = &clinic.admin.token;

    let created = app
        .post(
            &clinic.path("/doctors"),
            admin,
            json!({"full_name": "  Dr. Bob Stone ", "specialties": [" Cardiology", "cardiology", "Sports medicine "]}),
        )
        .await
        .expect(201);
    assert_eq!(created["full_name"], "Dr. Bob Stone");
    assert_eq!(
        created["specialties"],
        json!(["Cardiology", "Sports medicine"])
    );
    assert_eq!(created["user_id"], Value::Null);
    assert_eq!(created["active"], true);
    let bob = id(&created);
    assert_eq!(bob.get_version_num(), 7, "ids are UUIDv7");
    let fetched = app
        .get(&clinic.path(&format!("/doctors/{bob}")), admin)
        .await
        .expect(200);
    assert_eq!(fetched, created);
    assert_eq!(audit_actions(&app, bob).await, ["doctor.created"]);
    let stored: (Vec<String>, i64) =
        sqlx::query_as("SELECT specialties, version FROM doctors WHERE id = $1")
            .bind(bob)
            .fetch_one(&app.db)
            .await
            .expect("row");
    assert_eq!(stored.0, ["Cardiology", "Sports medicine"]);
    assert!(stored.1 > 0, "synced rows carry a version");

    for name in ["dr. alice moss", "Dr. Dan Ek", "Dr. Carol Diaz"] {
        create_doctor(&app, &clinic, name).await;
    }
    let all = app.get(&clinic.path("/doctors"), admin).await.expect(200);
    assert_eq!(
        names(&all, "full_name"),
        [
            "dr. alice moss",
            "Dr. Bob Stone",
            "Dr. Carol Diaz",
            "Dr. Dan Ek"
        ],
        "sorted by name, ignoring case"
    );
    assert_eq!(all["next_cursor"], Value::Null);

    // Keyset pages: 3 then 1, then no cursor.
    let first = app
        .get(&clinic.path("/doctors?limit=3"), admin)
        .await
        .expect(200);
    assert_eq!(names(&first, "full_name").len(), 3);
    let cursor = first["next_cursor"].as_str().expect("cursor");
    let second = app
        .get(
            &clinic.path(&format!("/doctors?limit=3&cursor={cursor}")),
            admin,
        )
        .await
        .expect(200);
    assert_eq!(names(&second, "full_name"), ["Dr. Dan Ek"]);
    assert_eq!(second["next_cursor"], Value::Null);

    // Filters: specialty (ignoring case) and name search (ignoring case,
    // wildcards taken literally).
    let cardio = app
        .get(&clinic.path("/doctors?specialty=CARDIOLOGY"), admin)
        .await
        .expect(200);
    assert_eq!(names(&cardio, "full_name"), ["Dr. Bob Stone"]);
    let by_name = app
        .get(&clinic.path("/doctors?q=ALICE"), admin)
        .await
        .expect(200);
    assert_eq!(names(&by_name, "full_name"), ["dr. alice moss"]);
    for literal in ["%25", "_", "Dr.%25Ek"] {
        let none = app
            .get(&clinic.path(&format!("/doctors?q={literal}")), admin)
            .await
            .expect(200);
        assert_eq!(names(&none, "full_name"), Vec::<String>::new(), "{literal}");
    }
    let archived = app
        .get(&clinic.path("/doctors?active=false"), admin)
        .await
        .expect(200);
    assert_eq!(names(&archived, "full_name"), Vec::<String>::new());
}

#[tokio::test]
async fn bad_doctor_lists_are_refused() {
    let app = spawn_app().await;
    let clinic = app.signup("Sol", "sol@example.com").await;
    let admin = &clinic.admin.token;
    let long_q = format!("q={}", "x".repeat(201));
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=WzQyXQ", "cursor"), // base64 of [42]: not a name and an id
        (long_q.as_str(), "q"),
    ] {
        let err = app
            .get(&clinic.path(&format!("/doctors?{query}")), admin)
            .await
            .expect_error(422, "invalid");
        assert_eq!(err["field"], field, "{query}: {err}");
    }
    app.get(&clinic.path("/doctors?active=maybe"), admin)
        .await
        .expect_error(400, "invalid");
    app.get(&clinic.path("/doctors?limit=ten"), admin)
        .await
        .expect_error(400, "invalid");
}

#[tokio::test]
async fn bad_doctors_are_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    let clinic = app.signup("Sol", "sol@example.com").await;
    let other = app.signup("Luna", "luna@example.com").await;
    let receptionist = app
        .add_staff(&clinic, Role::Reception, "desk@example.com")
        .await;
    let elsewhere = app.add_staff(&other, Role::Doctor, "far@example.com").await;
    let too_many: Vec<String> = (0..21).map(|i| format!("Specialty {i}")).collect();
    let cases = [
        (json!({"full_name": "  "}), "full_name"),
        (json!({"full_name": "x".repeat(201)}), "full_name"),
        (
            json!({"full_name": "Ana", "specialties": ["GP", " "]}),
            "specialties",
        ),
        (
            json!({"full_name": "Ana", "specialties": ["x".repeat(101)]}),
            "specialties",
        ),
        (
            json!({"full_name": "Ana", "specialties": too_many}),
            "specialties",
        ),
        (
            json!({"full_name": "Ana", "user_id": Uuid::now_v7()}),
            "user_id",
        ),
        (
            json!({"full_name": "Ana", "user_id": receptionist.user_id}),
            "user_id",
        ),
        (
            json!({"full_name": "Ana", "user_id": clinic.admin.user_id}),
            "user_id",
        ),
        (
            json!({"full_name": "Ana", "user_id": elsewhere.user_id}),
            "user_id",
        ),
    ];
    for (body, field) in cases {
        let err = app
            .post(&clinic.path("/doctors"), &clinic.admin.token, body.clone())
            .await
            .expect_error(422, "invalid");
        assert_eq!(err["field"], field, "{body}: {err}");
    }
    // Wrong shapes.
    for body in [
        json!({}),
        json!({"full_name": "Ana", "specialties": "GP"}),
        json!({"full_name": "Ana", "user_id": "someone"}),
    ] {
        app.post(&clinic.path("/doctors"), &clinic.admin.token, body)
            .await
            .expect_error(422, "invalid");
    }
    let res = app
        .http
        .post(app.url(&clinic.path("/doctors")))
        .bearer_auth(&clinic.admin.token)
        .header("content-type", "application/json")
        .body("{\"full_name\": ")
        .send()
        .await
        .expect("send");
    assert_eq!(res.status().as_u16(), 400);
    assert_eq!(app.count("doctors").await, 0);
    assert_eq!(audit_count(&app, "doctor.created").await, 0);
}

#[tokio::test]
async fn a_doctor_links_to_one_staff_account_which_can_be_moved_or_cleared() {
    let app = spawn_app().await;
    let clinic = app.signup("Sol", "sol@example.com").await;
    let admin = &clinic.admin.token;
    let ana = app
        .add_staff(&clinic, Role::Doctor, "ana@example.com")
        .await;
    let luis = app
        .add_staff(&clinic, Role::Doctor, "luis@example.com")
        .await;

    let first = app
        .post(
            &clinic.path("/doctors"),
            admin,
            json!({"full_name": "Dr. Ana", "user_id": ana.user_id}),
        )
        .await
        .expect(201);
    assert_eq!(first["user_id"], json!(ana.user_id));
    let first_id = id(&first);

    // One doctor per account.
    let err = app
        .post(
            &clinic.path("/doctors"),
            admin,
            json!({"full_name": "Dr. Ana again", "user_id": ana.user_id}),
        )
        .await
        .expect_error(409, "conflict");
    assert_eq!(err["field"], "user_id");
    assert_eq!(app.count("doctors").await, 1);
    let second_id = create_doctor(&app, &clinic, "Dr. Luis").await;
    let second_path = clinic.path(&format!("/doctors/{second_id}"));
    app.patch(&second_path, admin, json!({"user_id": ana.user_id}))
        .await
        .expect_error(409, "conflict");

    // Absent user_id leaves the link; null clears it.
    let first_path = clinic.path(&format!("/doctors/{first_id}"));
    let renamed = app
        .patch(&first_path, admin, json!({"full_name": "Dr. Ana Ruiz"}))
        .await
        .expect(200);
    assert_eq!(renamed["user_id"], json!(ana.user_id));
    let unlinked = app
        .patch(&first_path, admin, json!({"user_id": null}))
        .await
        .expect(200);
    assert_eq!(unlinked["user_id"], Value::Null);
    assert_eq!(unlinked["full_name"], "Dr. Ana Ruiz");

    // Now the account is free for the other doctor; relinking checks the role.
    let moved = app
        .patch(&second_path, admin, json!({"user_id": ana.user_id}))
        .await
        .expect(200);
    assert_eq!(moved["user_id"], json!(ana.user_id));
    let err = app
        .patch(&first_path, admin, json!({"user_id": clinic.admin.user_id}))
        .await
        .expect_error(422, "invalid");
    assert_eq!(err["field"], "user_id");
    app.patch(&first_path, admin, json!({"user_id": luis.user_id}))
        .await
        .expect(200);

    // When the member leaves the clinic, the doctor stays, unlinked.
    sqlx::query("DELETE FROM memberships WHERE user_id = $1")
        .bind(luis.user_id)
        .execute(&app.db)
        .await
        .expect("remove member");
    let after = app.get(&first_path, admin).await.expect(200);
    assert_eq!(after["user_id"], Value::Null);
    assert_eq!(
        audit_actions(&app, first_id).await,
        [
            "doctor.created",
            "doctor.updated",
            "doctor.updated",
            "doctor.updated"
        ]
    );
}

#[tokio::test]
async fn doctor_updates_are_partial_checked_and_quiet_when_nothing_changes() {
    let app = spawn_app().await;
    let clinic = app.signup("Sol", "sol@example.com").await;
    let admin = &clinic.admin.token;
    let doctor = create_doctor(&app, &clinic, "Dr. Ana").await;
    let path = clinic.path(&format!("/doctors/{doctor}"));

    let updated = app
        .patch(
            &path,
            admin,
            json!({"specialties": ["Dermatology", " dermatology", "Allergy"]}),
        )
        .await
        .expect(200);
    assert_eq!(updated["full_name"], "Dr. Ana");
    assert_eq!(updated["specialties"], json!(["Dermatology", "Allergy"]));

    let before = doctor_version(&app, doctor).await;
    for (body, field) in [
        (json!({"full_name": ""}), Some("full_name")),
        (json!({"specialties": [""]}), Some("specialties")),
        (json!({"user_id": Uuid::now_v7()}), Some("user_id")),
        (json!({"activ": false}), None),
        (json!({"active": "no"}), None),
    ] {
        let err = app
            .patch(&path, admin, body.clone())
            .await
            .expect_error(422, "invalid");
        if let Some(field) = field {
            assert_eq!(err["field"], field, "{body}: {err}");
        }
    }
    assert_eq!(
        doctor_version(&app, doctor).await,
        before,
        "a refused update wrote something"
    );

    // The same values again: nothing written, no audit entry.
    let same = app
        .patch(
            &path,
            admin,
            json!({"full_name": "Dr. Ana", "specialties": ["Dermatology", "Allergy"], "active": true}),
        )
        .await
        .expect(200);
    assert_eq!(same, updated);
    assert_eq!(doctor_version(&app, doctor).await, before);
    assert_eq!(
        audit_actions(&app, doctor).await,
        ["doctor.created", "doctor.updated"]
    );

    app.patch(
        &clinic.path(&format!("/doctors/{}", Uuid::now_v7())),
        admin,
        json!({"full_name": "Nobody"}),
    )
    .await
    .expect_error(404, "not_found");
    app.get(&clinic.path("/doctors/not-a-uuid"), admin)
        .await
        .expect_error(400, "invalid");
}

#[tokio::test]
async fn doctors_with_upcoming_appointments_cannot_be_archived() {
    let app = spawn_app().await;
    let clinic = app.signup("Sol", "sol@example.com").await;
    let admin = &clinic.admin.token;
    let doctor = create_doctor(&app, &clinic, "Dr. Ana").await;
    let path = clinic.path(&format!("/doctors/{doctor}"));

    // History and cancelled or finished ones do not hold the doctor back.
    booked(&app, &clinic, doctor, None, at(2020, 1, 6, 9, 0), "booked").await;
    booked(
        &app,
        &clinic,
        doctor,
        None,
        at(2031, 1, 6, 9, 0),
        "cancelled",
    )
    .await;
    booked(
        &app,
        &clinic,
        doctor,
        None,
        at(2031, 1, 6, 10, 0),
        "no_show",
    )
    .await;
    booked(
        &app,
        &clinic,
        doctor,
        None,
        at(2031, 1, 6, 11, 0),
        "completed",
    )
    .await;
    let upcoming = booked(&app, &clinic, doctor, None, at(2031, 1, 6, 9, 0), "booked").await;
    let checked_in = booked(
        &app,
        &clinic,
        doctor,
        None,
        at(2031, 1, 7, 9, 0),
        "checked_in",
    )
    .await;

    let err = app.delete(&path, admin).await.expect_error(409, "conflict");
    assert!(
        err["message"]
            .as_str()
            .expect("message")
            .contains("2 upcoming appointments"),
        "{err}"
    );
    app.patch(&path, admin, json!({"active": false}))
        .await
        .expect_error(409, "conflict");
    cancel_appointment_row(&app, checked_in).await;
    let err = app.delete(&path, admin).await.expect_error(409, "conflict");
    assert!(
        err["message"]
            .as_str()
            .expect("message")
            .contains("1 upcoming appointment;"),
        "{err}"
    );
    let active: bool = sqlx::query_scalar("SELECT active FROM doctors WHERE id = $1")
        .bind(doctor)
        .fetch_one(&app.db)
        .await
        .expect("row");
    assert!(active);
    assert_eq!(audit_count(&app, "doctor.archived").await, 0);

    cancel_appointment_row(&app, upcoming).await;
    assert_eq!(app.delete(&path, admin).await.expect(204), Value::Null);
    assert_eq!(app.get(&path, admin).await.expect(200)["active"], false);
    // Archiving again changes nothing.
    app.delete(&path, admin).await.expect(204);
    assert_eq!(audit_count(&app, "doctor.archived").await, 1);
    let listed = app.get(&clinic.path("/doctors"), admin).await.expect(200);
    assert_eq!(names(&listed, "full_name"), Vec::<String>::new());
    let archived = app
        .get(&clinic.path("/doctors?active=false"), admin)
        .await
        .expect(200);
    assert_eq!(names(&archived, "full_name"), ["Dr. Ana"]);

    // And back.
    let back = app
        .patch(&path, admin, json!({"active": true}))
        .await
        .expect(200);
    assert_eq!(back["active"], true);
    assert_eq!(
        audit_actions(&app, doctor).await,
        ["doctor.created", "doctor.archived", "doctor.updated"]
    );
    // Archiving through PATCH, with a rename in the same request.
    let both = app
        .patch(
            &path,
            admin,
            json!({"active": false, "full_name": "Dr. Ana (left)"}),
        )
        .await
        .expect(200);
    assert_eq!(
        (both["active"].clone(), both["full_name"].clone()),
        (json!(false), json!("Dr. Ana (left)"))
    );
    assert_eq!(audit_count(&app, "doctor.archived").await, 2);

    app.delete(&clinic.path(&format!("/doctors/{}", Uuid::now_v7())), admin)
        .await
        .expect_error(404, "not_found");
}

// ------------------------------------------------------------------ hours

#[tokio::test]
async fn a_week_of_hours_is_replaced_whole_and_reads_back_as_hh_mm() {
    let app = spawn_app().await;
    let clinic = app.signup("Sol", "sol@example.com").await;
    let admin = &clinic.admin.token;
    let doctor = create_doctor(&app, &clinic, "Dr. Ana").await;
    let path = clinic.path(&format!("/doctors/{doctor}/hours"));

    assert_eq!(
        app.get(&path, admin).await.expect(200),
        json!({"hours": []})
    );
    let stored = app
        .put(
            &path,
            admin,
            json!({"hours": [
                {"weekday": 3, "starts": "09:00", "ends": "14:00"},
                {"weekday": 1, "starts": "15:30:00", "ends": "19:00"},
                {"weekday": 1, "starts": "09:00", "ends": "13:00"},
            ]}),
        )
        .await
        .expect(200);
    let week = json!({"hours": [
        {"weekday": 1, "starts": "09:00", "ends": "13:00"},
        {"weekday": 1, "starts": "15:30", "ends": "19:00"},
        {"weekday": 3, "starts": "09:00", "ends": "14:00"},
    ]});
    assert_eq!(stored, week);
    assert_eq!(app.get(&path, admin).await.expect(200), week);

    let before = hour_ids(&app, doctor).await;
    assert_eq!(before.len(), 3);

    // Adding Friday keeps the other intervals as they were.
    set_hours(
        &app,
        &clinic,
        doctor,
        &[
            (1, "09:00", "13:00"),
            (1, "15:30", "19:00"),
            (3, "09:00", "14:00"),
            (5, "08:00", "12:00"),
        ],
    )
    .await;
    let after = hour_ids(&app, doctor).await;
    assert_eq!(after.len(), 4);
    assert_eq!(&after[..3], &before[..]);
    assert_eq!(audit_count(&app, "doctor.hours_set").await, 2);
    // Saving the same week again writes nothing.
    let same = app.get(&path, admin).await.expect(200);
    app.put(&path, admin, same).await.expect(200);
    assert_eq!(audit_count(&app, "doctor.hours_set").await, 2);

    // An empty week clears it.
    set_hours(&app, &clinic, doctor, &[]).await;
    assert_eq!(
        app.get(&path, admin).await.expect(200),
        json!({"hours": []})
    );
    assert_eq!(app.count("doctor_hours").await, 0);
    assert_eq!(
        audit_actions(&app, doctor).await,
        [
            "doctor.created",
            "doctor.hours_set",
            "doctor.hours_set",
            "doctor.hours_set"
        ]
    );
}

#[tokio::test]
async fn bad_weeks_are_refused_and_the_old_week_stays() {
    let app = spawn_app().await;
    let clinic = app.signup("Sol", "sol@example.com").await;
    let admin = &clinic.admin.token;
    let doctor = create_doctor(&app, &clinic, "Dr. Ana").await;
    set_hours(&app, &clinic, doctor, &[(2, "10:00", "12:00")]).await;
    let path = clinic.path(&format!("/doctors/{doctor}/hours"));
    let before = app.get(&path, admin).await.expect(200);

    let interval = |weekday: i64, starts: &str, ends: &str| json!({"weekday": weekday, "starts": starts, "ends": ends});
    let cases = [
        (
            json!([interval(1, "09:00", "13:00"), interval(1, "12:30", "15:00")]),
            Some("hours"),
        ),
        (
            json!([interval(1, "09:00", "13:00"), interval(1, "09:00", "13:00")]),
            Some("hours"),
        ),
        (json!([interval(8, "09:00", "13:00")]), Some("weekday")),
        (json!([interval(0, "09:00", "13:00")]), Some("weekday")),
        (json!([interval(1, "13:00", "09:00")]), Some("ends")),
        (json!([interval(1, "09:00", "09:00")]), Some("ends")),
        (json!([interval(1, "9:00", "13:00")]), None),
        (json!([interval(1, "09:00", "24:00")]), None),
        (json!([interval(1, "09:00:30", "13:00")]), None),
        (json!([interval(-1, "09:00", "13:00")]), None),
        (json!([{"weekday": 1, "starts": "09:00"}]), None),
    ];
    for (hours, field) in cases {
        let err = app
            .put(&path, admin, json!({ "hours": hours }))
            .await
            .expect_error(422, "invalid");
        if let Some(field) = field {
            assert_eq!(err["field"], field, "{hours}: {err}");
        }
    }
    app.put(&path, admin, json!([]))
        .await
        .expect_error(422, "invalid");
    assert_eq!(app.get(&path, admin).await.expect(200), before);
    assert_eq!(audit_count(&app, "doctor.hours_set").await, 1);

    let nobody = clinic.path(&format!("/doctors/{}/hours", Uuid::now_v7()));
    app.get(&nobody, admin).await.expect_error(404, "not_found");
    app.put(&nobody, admin, json!({"hours": []}))
        .await
        .expect_error(404, "not_found");
}

// --------------------------------------------------------------- time off

#[tokio::test]
async fn time_off_over_appointments_is_recorded_and_lists_them() {
    let app = spawn_app().await;
    let clinic = app.signup("Sol", "sol@example.com").await;
    let admin = &clinic.admin.token;
    let doctor = create_doctor(&app, &clinic, "Dr. Ana").await;
    let other = create_doctor(&app, &clinic, "Dr. Luis").await;

    let second = booked(
        &app,
        &clinic,
        doctor,
        None,
        at(2031, 3, 4, 10, 0),
        "checked_in",
    )
    .await;
    let first = booked(&app, &clinic, doctor, None, at(2031, 3, 3, 9, 0), "booked").await;
    // Not affected: cancelled, finished, outside the time off, or someone else's.
    booked(
        &app,
        &clinic,
        doctor,
        None,
        at(2031, 3, 3, 9, 0),
        "cancelled",
    )
    .await;
    booked(
        &app,
        &clinic,
        doctor,
        None,
        at(2031, 3, 3, 11, 0),
        "completed",
    )
    .await;
    booked(
        &app,
        &clinic,
        doctor,
        None,
        at(2031, 3, 3, 12, 0),
        "no_show",
    )
    .await;
    booked(&app, &clinic, doctor, None, at(2031, 3, 5, 0, 0), "booked").await;
    booked(
        &app,
        &clinic,
        doctor,
        None,
        at(2031, 3, 2, 23, 30),
        "booked",
    )
    .await;
    booked(&app, &clinic, other, None, at(2031, 3, 3, 9, 0), "booked").await;

    let created = app
        .post(
            &clinic.path(&format!("/doctors/{doctor}/time-off")),
            admin,
            json!({"starts_at": "2031-03-03T00:00:00Z", "ends_at": "2031-03-05T01:00:00+01:00", "reason": " Flu "}),
        )
        .await
        .expect(201);
    assert_eq!(created["doctor_id"], json!(doctor));
    assert_eq!(created["reason"], "Flu");
    let starts: DateTime<Utc> =
        serde_json::from_value(created["starts_at"].clone()).expect("starts_at");
    let ends: DateTime<Utc> = serde_json::from_value(created["ends_at"].clone()).expect("ends_at");
    assert_eq!((starts, ends), (at(2031, 3, 3, 0, 0), at(2031, 3, 5, 0, 0)));
    assert_eq!(created["affected_appointments"], json!([first, second]));
    let off = id(&created);
    assert_eq!(audit_actions(&app, off).await, ["time_off.created"]);
    // The appointments themselves are left for the desk to move.
    let live: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM appointments WHERE id = ANY($1) AND status IN ('booked', 'checked_in')",
    )
    .bind(vec![first, second])
    .fetch_one(&app.db)
    .await
    .expect("count");
    assert_eq!(live, 2);

    // A blank reason is no reason; nothing affected says so with [].
    let quiet = app
        .post(
            &clinic.path(&format!("/doctors/{other}/time-off")),
            admin,
            json!({"starts_at": "2031-08-01T00:00:00Z", "ends_at": "2031-08-15T00:00:00Z", "reason": "  "}),
        )
        .await
        .expect(201);
    assert_eq!(quiet["reason"], Value::Null);
    assert_eq!(quiet["affected_appointments"], json!([]));
}

#[tokio::test]
async fn bad_time_off_is_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    let clinic = app.signup("Sol", "sol@example.com").await;
    let admin = &clinic.admin.token;
    let doctor = create_doctor(&app, &clinic, "Dr. Ana").await;
    let path = clinic.path(&format!("/doctors/{doctor}/time-off"));
    let cases = [
        (
            json!({"starts_at": "2031-03-03T09:00:00Z", "ends_at": "2031-03-03T09:00:00Z"}),
            Some("ends_at"),
        ),
        (
            json!({"starts_at": "2031-03-03T09:00:00Z", "ends_at": "2031-03-02T09:00:00Z"}),
            Some("ends_at"),
        ),
        (
            json!({"starts_at": "2031-01-01T00:00:00Z", "ends_at": "2032-01-02T00:00:01Z"}),
            Some("ends_at"),
        ),
        (
            json!({"starts_at": "2031-03-03T09:00:00Z", "ends_at": "2031-03-04T09:00:00Z", "reason": "x".repeat(501)}),
            Some("reason"),
        ),
        (json!({"starts_at": "2031-03-03T09:00:00Z"}), None),
        (
            json!({"starts_at": "tomorrow", "ends_at": "2031-03-04T09:00:00Z"}),
            None,
        ),
        (
            json!({"starts_at": "2031-03-03 09:00", "ends_at": "2031-03-04T09:00:00Z"}),
            None,
        ),
    ];
    for (body, field) in cases {
        let err = app
            .post(&path, admin, body.clone())
            .await
            .expect_error(422, "invalid");
        if let Some(field) = field {
            assert_eq!(err["field"], field, "{body}: {err}");
        }
    }
    // The longest allowed: 366 days (a leap year's leave).
    app.post(
        &path,
        admin,
        json!({"starts_at": "2031-01-01T00:00:00Z", "ends_at": "2032-01-02T00:00:00Z"}),
    )
    .await
    .expect(201);
    assert_eq!(app.count("doctor_time_off").await, 1);
    assert_eq!(audit_count(&app, "time_off.created").await, 1);

    app.post(
        &clinic.path(&format!("/doctors/{}/time-off", Uuid::now_v7())),
        admin,
        json!({"starts_at": "2031-03-03T09:00:00Z", "ends_at": "2031-03-04T09:00:00Z"}),
    )
    .await
    .expect_error(404, "not_found");
    assert_eq!(app.count("doctor_time_off").await, 1);
}

#[tokio::test]
async fn time_off_is_listed_by_window_and_page_and_can_be_removed() {
    let app = spawn_app().await;
    let clinic = app.signup("Sol", "sol@example.com").await;
    let admin = &clinic.admin.token;
    let doctor = create_doctor(&app, &clinic, "Dr. Ana").await;
    let other = create_doctor(&app, &clinic, "Dr. Luis").await;
    let path = clinic.path(&format!("/doctors/{doctor}/time-off"));
    let mut ids = Vec::new();
    for (starts, ends, reason) in [
        ("2031-04-01T00:00:00Z", "2031-04-08T00:00:00Z", "Easter"),
        ("2031-01-10T08:00:00Z", "2031-01-10T12:00:00Z", "Course"),
        ("2031-08-01T00:00:00Z", "2031-08-31T00:00:00Z", "Summer"),
    ] {
        let created = app
            .post(
                &path,
                admin,
                json!({"starts_at": starts, "ends_at": ends, "reason": reason}),
            )
            .await
            .expect(201);
        ids.push(id(&created));
    }
    app.post(
        &clinic.path(&format!("/doctors/{other}/time-off")),
        admin,
        json!({"starts_at": "2031-02-01T00:00:00Z", "ends_at": "2031-02-02T00:00:00Z"}),
    )
    .await
    .expect(201);

    let all = app.get(&path, admin).await.expect(200);
    assert_eq!(names(&all, "reason"), ["Course", "Easter", "Summer"]);
    let first = app.get(&format!("{path}?limit=2"), admin).await.expect(200);
    assert_eq!(names(&first, "reason"), ["Course", "Easter"]);
    let cursor = first["next_cursor"].as_str().expect("cursor");
    let rest = app
        .get(&format!("{path}?limit=2&cursor={cursor}"), admin)
        .await
        .expect(200);
    assert_eq!(names(&rest, "reason"), ["Summer"]);
    assert_eq!(rest["next_cursor"], Value::Null);

    // Entries overlapping [from, to): Easter ends after 04-07T12:00, Summer starts before 08-02.
    let window = app
        .get(
            &format!("{path}?from=2031-04-07T13:00:00%2B01:00&to=2031-08-02T00:00:00Z"),
            admin,
        )
        .await
        .expect(200);
    assert_eq!(names(&window, "reason"), ["Easter", "Summer"]);
    let until = app
        .get(&format!("{path}?to=2031-01-10T08:00:00Z"), admin)
        .await
        .expect(200);
    assert_eq!(names(&until, "reason"), Vec::<String>::new());
    for (query, field) in [
        ("from=soon", "from"),
        ("to=2031-13-01T00:00:00Z", "to"),
        ("from=2031-05-01T00:00:00Z&to=2031-05-01T00:00:00Z", "to"),
        ("cursor=WyJ4Il0", "cursor"),
        ("limit=0", "limit"),
    ] {
        let err = app
            .get(&format!("{path}?{query}"), admin)
            .await
            .expect_error(422, "invalid");
        assert_eq!(err["field"], field, "{query}: {err}");
    }
    app.get(
        &clinic.path(&format!("/doctors/{}/time-off", Uuid::now_v7())),
        admin,
    )
    .await
    .expect_error(404, "not_found");

    // Removal: only through its own doctor, once.
    let easter = ids[0];
    app.delete(
        &clinic.path(&format!("/doctors/{other}/time-off/{easter}")),
        admin,
    )
    .await
    .expect_error(404, "not_found");
    app.delete(&format!("{path}/{easter}"), admin)
        .await
        .expect(204);
    app.delete(&format!("{path}/{easter}"), admin)
        .await
        .expect_error(404, "not_found");
    let left = app.get(&path, admin).await.expect(200);
    assert_eq!(names(&left, "reason"), ["Course", "Summer"]);
    assert_eq!(
        audit_actions(&app, easter).await,
        ["time_off.created", "time_off.deleted"]
    );
    // Desks learn of the deletion on their next pull.
    let tombstones: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sync_tombstones WHERE table_name = 'doctor_time_off' AND row_id = $1",
    )
    .bind(easter)
    .fetch_one(&app.db)
    .await
    .expect("tombstones");
    assert_eq!(tombstones, 1);
}

// ------------------------------------------------------------------ rooms

#[tokio::test]
async fn rooms_are_created_renamed_listed_and_unique_by_name() {
    let app = spawn_app().await;
    let clinic = app.signup("Sol", "sol@example.com").await;
    let admin = &clinic.admin.token;

    let created = app
        .post(&clinic.path("/rooms"), admin, json!({"name": "  Room 2 "}))
        .await
        .expect(201);
    assert_eq!(created["name"], "Room 2");
    assert_eq!(created["active"], true);
    let room2 = id(&created);
    assert_eq!(
        app.get(&clinic.path(&format!("/rooms/{room2}")), admin)
            .await
            .expect(200),
        created
    );
    let room1 = create_room(&app, &clinic, "room 1").await;
    create_room(&app, &clinic, "X-ray").await;

    let err = app
        .post(&clinic.path("/rooms"), admin, json!({"name": "ROOM 2"}))
        .await
        .expect_error(409, "conflict");
    assert_eq!(err["field"], "name");
    for (body, field) in [
        (json!({"name": " "}), Some("name")),
        (json!({"name": "x".repeat(101)}), Some("name")),
        (json!({}), None),
        (json!({"name": 7}), None),
    ] {
        let err = app
            .post(&clinic.path("/rooms"), admin, body.clone())
            .await
            .expect_error(422, "invalid");
        if let Some(field) = field {
            assert_eq!(err["field"], field, "{body}: {err}");
        }
    }
    assert_eq!(app.count("rooms").await, 3);

    let listed = app.get(&clinic.path("/rooms"), admin).await.expect(200);
    assert_eq!(names(&listed, "name"), ["room 1", "Room 2", "X-ray"]);
    let page = app
        .get(&clinic.path("/rooms?limit=2"), admin)
        .await
        .expect(200);
    assert_eq!(names(&page, "name"), ["room 1", "Room 2"]);
    let cursor = page["next_cursor"].as_str().expect("cursor");
    let rest = app
        .get(
            &clinic.path(&format!("/rooms?limit=2&cursor={cursor}")),
            admin,
        )
        .await
        .expect(200);
    assert_eq!(names(&rest, "name"), ["X-ray"]);
    assert_eq!(rest["next_cursor"], Value::Null);
    for (query, field) in [("limit=500", "limit"), ("cursor=%21", "cursor")] {
        let err = app
            .get(&clinic.path(&format!("/rooms?{query}")), admin)
            .await
            .expect_error(422, "invalid");
        assert_eq!(err["field"], field);
    }

    // Renames: a new case of its own name is fine, another room's name is not.
    let path1 = clinic.path(&format!("/rooms/{room1}"));
    let renamed = app
        .patch(&path1, admin, json!({"name": "Room 1"}))
        .await
        .expect(200);
    assert_eq!(renamed["name"], "Room 1");
    let err = app
        .patch(&path1, admin, json!({"name": "room 2"}))
        .await
        .expect_error(409, "conflict");
    assert_eq!(err["field"], "name");
    for body in [json!({"name": ""}), json!({"nmae": "Lab"})] {
        app.patch(&path1, admin, body)
            .await
            .expect_error(422, "invalid");
    }
    let name: String = sqlx::query_scalar("SELECT name FROM rooms WHERE id = $1")
        .bind(room1)
        .fetch_one(&app.db)
        .await
        .expect("name");
    assert_eq!(name, "Room 1");
    assert_eq!(
        audit_actions(&app, room1).await,
        ["room.created", "room.updated"]
    );

    for missing in [
        app.get(&clinic.path(&format!("/rooms/{}", Uuid::now_v7())), admin)
            .await,
        app.patch(
            &clinic.path(&format!("/rooms/{}", Uuid::now_v7())),
            admin,
            json!({"name": "Lab"}),
        )
        .await,
        app.delete(&clinic.path(&format!("/rooms/{}", Uuid::now_v7())), admin)
            .await,
    ] {
        missing.expect_error(404, "not_found");
    }
}

#[tokio::test]
async fn rooms_with_upcoming_appointments_cannot_be_archived() {
    let app = spawn_app().await;
    let clinic = app.signup("Sol", "sol@example.com").await;
    let admin = &clinic.admin.token;
    let doctor = create_doctor(&app, &clinic, "Dr. Ana").await;
    let room = create_room(&app, &clinic, "Room 1").await;
    let elsewhere = create_room(&app, &clinic, "Room 2").await;
    let path = clinic.path(&format!("/rooms/{room}"));

    booked(
        &app,
        &clinic,
        doctor,
        Some(room),
        at(2020, 1, 6, 9, 0),
        "booked",
    )
    .await;
    booked(
        &app,
        &clinic,
        doctor,
        Some(elsewhere),
        at(2031, 1, 6, 10, 0),
        "booked",
    )
    .await;
    booked(&app, &clinic, doctor, None, at(2031, 1, 6, 11, 0), "booked").await;
    let upcoming = booked(
        &app,
        &clinic,
        doctor,
        Some(room),
        at(2031, 1, 6, 9, 0),
        "booked",
    )
    .await;

    let err = app.delete(&path, admin).await.expect_error(409, "conflict");
    assert!(
        err["message"]
            .as_str()
            .expect("message")
            .contains("1 upcoming appointment;"),
        "{err}"
    );
    app.patch(&path, admin, json!({"active": false}))
        .await
        .expect_error(409, "conflict");
    assert_eq!(app.get(&path, admin).await.expect(200)["active"], true);

    cancel_appointment_row(&app, upcoming).await;
    app.delete(&path, admin).await.expect(204);
    app.delete(&path, admin).await.expect(204);
    assert_eq!(app.get(&path, admin).await.expect(200)["active"], false);
    let listed = app.get(&clinic.path("/rooms"), admin).await.expect(200);
    assert_eq!(names(&listed, "name"), ["Room 2"]);
    let archived = app
        .get(&clinic.path("/rooms?active=false"), admin)
        .await
        .expect(200);
    assert_eq!(names(&archived, "name"), ["Room 1"]);
    // An archived room keeps its name: a new room cannot take it.
    app.post(&clinic.path("/rooms"), admin, json!({"name": "room 1"}))
        .await
        .expect_error(409, "conflict");

    let back = app
        .patch(&path, admin, json!({"active": true}))
        .await
        .expect(200);
    assert_eq!(back["active"], true);
    assert_eq!(
        audit_actions(&app, room).await,
        ["room.created", "room.archived", "room.updated"]
    );
}

// ------------------------------------------------------- who may do what

struct Fixture {
    app: TestApp,
    clinic: Clinic,
    doctor: Uuid,
    room: Uuid,
    time_off: Uuid,
}

async fn fixture() -> Fixture {
    let app = spawn_app().await;
    let clinic = app.signup("Sol", "sol@example.com").await;
    let doctor = create_doctor(&app, &clinic, "Dr. Ana").await;
    set_hours(&app, &clinic, doctor, &[(1, "09:00", "17:00")]).await;
    let room = create_room(&app, &clinic, "Room 1").await;
    let time_off = id(&app
        .post(
            &clinic.path(&format!("/doctors/{doctor}/time-off")),
            &clinic.admin.token,
            json!({"starts_at": "2031-03-03T00:00:00Z", "ends_at": "2031-03-04T00:00:00Z"}),
        )
        .await
        .expect(201));
    Fixture {
        app,
        clinic,
        doctor,
        room,
        time_off,
    }
}

struct Endpoint {
    method: Method,
    path: String,
    body: Option<Value>,
    permission: Permission,
    /// The answer to a role allowed to call it.
    ok: u16,
}

/// Every endpoint of this area, against the fixture's rows. Deletions come
/// last so that each call still finds what it needs.
fn endpoints(clinic: &Clinic, doctor: Uuid, room: Uuid, time_off: Uuid) -> Vec<Endpoint> {
    use Permission::*;
    let d = |rest: &str| clinic.path(&format!("/doctors/{doctor}{rest}"));
    let r = clinic.path(&format!("/rooms/{room}"));
    let e = |method, path: String, body: Option<Value>, permission, ok| Endpoint {
        method,
        path,
        body,
        permission,
        ok,
    };
    vec![
        e(Method::GET, clinic.path("/doctors"), None, DoctorsRead, 200),
        e(
            Method::POST,
            clinic.path("/doctors"),
            Some(json!({"full_name": "Dr. New"})),
            DoctorsManage,
            201,
        ),
        e(Method::GET, d(""), None, DoctorsRead, 200),
        e(
            Method::PATCH,
            d(""),
            Some(json!({"specialties": ["GP"]})),
            DoctorsManage,
            200,
        ),
        e(Method::GET, d("/hours"), None, DoctorsRead, 200),
        e(
            Method::PUT,
            d("/hours"),
            Some(json!({"hours": [{"weekday": 2, "starts": "09:00", "ends": "13:00"}]})),
            DoctorsManage,
            200,
        ),
        e(Method::GET, d("/time-off"), None, DoctorsRead, 200),
        e(
            Method::POST,
            d("/time-off"),
            Some(json!({"starts_at": "2031-05-01T00:00:00Z", "ends_at": "2031-05-02T00:00:00Z"})),
            DoctorsManage,
            201,
        ),
        e(Method::GET, clinic.path("/rooms"), None, RoomsRead, 200),
        e(
            Method::POST,
            clinic.path("/rooms"),
            Some(json!({"name": "Room New"})),
            RoomsManage,
            201,
        ),
        e(Method::GET, r.clone(), None, RoomsRead, 200),
        e(
            Method::PATCH,
            r.clone(),
            Some(json!({"name": "Room One"})),
            RoomsManage,
            200,
        ),
        e(
            Method::DELETE,
            d(&format!("/time-off/{time_off}")),
            None,
            DoctorsManage,
            204,
        ),
        e(Method::DELETE, d(""), None, DoctorsManage, 204),
        e(Method::DELETE, r, None, RoomsManage, 204),
    ]
}

async fn writes(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in [
        "doctors",
        "doctor_hours",
        "doctor_time_off",
        "rooms",
        "audit_log",
    ] {
        counts.push(app.count(table).await);
    }
    let versions: i64 =
        sqlx::query_scalar("SELECT coalesce(sum(version), 0)::bigint FROM clinic_sync_counters")
            .fetch_one(&app.db)
            .await
            .expect("versions");
    counts.push(versions);
    counts
}

#[tokio::test]
async fn each_role_gets_what_the_role_table_gives_it() {
    let Fixture {
        app,
        clinic,
        doctor,
        room,
        time_off,
    } = fixture().await;
    let staff = [
        app.add_staff(&clinic, Role::Worker, "worker@example.com")
            .await,
        app.add_staff(&clinic, Role::Doctor, "doctor@example.com")
            .await,
        app.add_staff(&clinic, Role::Reception, "desk@example.com")
            .await,
    ];
    // What the product promises, written out rather than read from the table.
    let allowed = |role: Role, p: Permission| match p {
        Permission::DoctorsRead | Permission::RoomsRead => {
            matches!(role, Role::Admin | Role::Doctor | Role::Reception)
        }
        _ => role == Role::Admin,
    };

    let before = writes(&app).await;
    for member in &staff {
        for ep in endpoints(&clinic, doctor, room, time_off) {
            assert_eq!(
                allowed(member.role, ep.permission),
                member.role.can(ep.permission)
            );
            let answer = app
                .call(
                    ep.method.clone(),
                    &ep.path,
                    Some(&member.token),
                    ep.body.clone(),
                )
                .await;
            let what = format!("{} {} {}", member.role, ep.method, ep.path);
            if allowed(member.role, ep.permission) {
                assert_eq!(answer.status.as_u16(), ep.ok, "{what}: {}", answer.body);
            } else {
                assert_eq!(answer.status.as_u16(), 403, "{what}: {}", answer.body);
                assert_eq!(answer.code(), "not_permitted", "{what}");
            }
        }
    }
    assert_eq!(
        writes(&app).await,
        before,
        "a refused or read-only call wrote something"
    );

    for ep in endpoints(&clinic, doctor, room, time_off) {
        let answer = app
            .call(
                ep.method.clone(),
                &ep.path,
                Some(&clinic.admin.token),
                ep.body.clone(),
            )
            .await;
        assert_eq!(
            answer.status.as_u16(),
            ep.ok,
            "admin {} {}: {}",
            ep.method,
            ep.path,
            answer.body
        );
    }
    assert_eq!(
        app.get(&clinic.path(&format!("/rooms/{room}")), &clinic.admin.token)
            .await
            .expect(200)["active"],
        false
    );

    // Without a session nothing is answered but 401.
    for ep in endpoints(&clinic, doctor, room, time_off) {
        let answer = app
            .call(ep.method.clone(), &ep.path, None, ep.body.clone())
            .await;
        assert_eq!(answer.status.as_u16(), 401, "{} {}", ep.method, ep.path);
        assert_eq!(answer.code(), "unauthenticated");
    }
}

#[tokio::test]
async fn other_clinics_see_nothing_and_ids_do_not_cross_clinics() {
    let Fixture {
        app,
        clinic,
        doctor,
        room,
        time_off,
    } = fixture().await;
    let other = app.signup("Luna", "luna@example.com").await;
    let before = writes(&app).await;

    // An admin of another clinic, on this clinic's paths: 404 for all.
    for ep in endpoints(&clinic, doctor, room, time_off) {
        let answer = app
            .call(
                ep.method.clone(),
                &ep.path,
                Some(&other.admin.token),
                ep.body.clone(),
            )
            .await;
        assert_eq!(
            answer.status.as_u16(),
            404,
            "{} {}: {}",
            ep.method,
            ep.path,
            answer.body
        );
        assert_eq!(answer.code(), "not_found");
    }
    // The same admin, on their own clinic's paths with this clinic's ids:
    // 404 for everything that names one (the lists answer, empty).
    for ep in endpoints(&other, doctor, room, time_off) {
        let answer = app
            .call(
                ep.method.clone(),
                &ep.path,
                Some(&other.admin.token),
                ep.body.clone(),
            )
            .await;
        let names_an_id =
            ep.path.contains(&doctor.to_string()) || ep.path.contains(&room.to_string());
        if names_an_id {
            assert_eq!(
                answer.status.as_u16(),
                404,
                "{} {}: {}",
                ep.method,
                ep.path,
                answer.body
            );
            assert_eq!(answer.code(), "not_found");
        } else if ep.method == Method::GET {
            assert_eq!(answer.expect(200)["items"], json!([]));
        }
    }
    // Only the other clinic's own creations were written.
    let own: i64 = sqlx::query_scalar("SELECT count(*) FROM doctors WHERE clinic_id = $1")
        .bind(other.id)
        .fetch_one(&app.db)
        .await
        .expect("count");
    assert_eq!(own, 1);
    let theirs: (String, Vec<String>, bool) =
        sqlx::query_as("SELECT full_name, specialties, active FROM doctors WHERE id = $1")
            .bind(doctor)
            .fetch_one(&app.db)
            .await
            .expect("row");
    assert_eq!(theirs, ("Dr. Ana".to_owned(), vec![], true));
    let hours: i64 = sqlx::query_scalar("SELECT count(*) FROM doctor_hours WHERE doctor_id = $1")
        .bind(doctor)
        .fetch_one(&app.db)
        .await
        .expect("hours");
    assert_eq!(hours, 1);
    assert_eq!(app.count("doctor_time_off").await, before[2]);
    let room_name: String = sqlx::query_scalar("SELECT name FROM rooms WHERE id = $1")
        .bind(room)
        .fetch_one(&app.db)
        .await
        .expect("room");
    assert_eq!(room_name, "Room 1");

    // A doctor of this clinic cannot be linked from another clinic either.
    let ana = app
        .add_staff(&clinic, Role::Doctor, "ana@example.com")
        .await;
    let err = app
        .post(
            &other.path("/doctors"),
            &other.admin.token,
            json!({"full_name": "Dr. Ana", "user_id": ana.user_id}),
        )
        .await
        .expect_error(422, "invalid");
    assert_eq!(err["field"], "user_id");
}

#[tokio::test]
async fn the_openapi_document_describes_doctors_and_rooms() {
    let app = spawn_app().await;
    let doc = app
        .call(Method::GET, "/openapi.json", None, None)
        .await
        .expect(200);
    let paths = doc["paths"].as_object().expect("paths");
    for (path, methods) in [
        ("/v1/clinics/{clinic_id}/doctors", &["get", "post"][..]),
        (
            "/v1/clinics/{clinic_id}/doctors/{doctor_id}",
            &["get", "patch", "delete"][..],
        ),
        (
            "/v1/clinics/{clinic_id}/doctors/{doctor_id}/hours",
            &["get", "put"][..],
        ),
        (
            "/v1/clinics/{clinic_id}/doctors/{doctor_id}/time-off",
            &["get", "post"][..],
        ),
        (
            "/v1/clinics/{clinic_id}/doctors/{doctor_id}/time-off/{time_off_id}",
            &["delete"][..],
        ),
        ("/v1/clinics/{clinic_id}/rooms", &["get", "post"][..]),
        (
            "/v1/clinics/{clinic_id}/rooms/{room_id}",
            &["get", "patch", "delete"][..],
        ),
    ] {
        for method in methods {
            let op = &paths.get(path).unwrap_or_else(|| panic!("{path} missing"))[method];
            assert!(op.is_object(), "{method} {path} missing");
            assert!(
                op["security"].is_array(),
                "{method} {path} without security"
            );
        }
    }
    let tags: Vec<&str> = doc["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(
        tags.contains(&"doctors") && tags.contains(&"rooms"),
        "{tags:?}"
    );
    let hours = &doc["components"]["schemas"]["WorkingHours"]["properties"]["starts"];
    assert_eq!(hours["type"], "string", "{hours}");
}
