//! Appointments over real HTTP: booking against working hours, time off and
//! double booking (also under concurrency and across a DST change), moving,
//! the day's progress, the agenda's filters, and who may do what.

mod common;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use clinic_core::Role;
use common::patients::{
    Practice, audits, book, booking, day_ahead, id_of, insert_appointment, insert_doctor,
    insert_hours, insert_patient, insert_room, insert_time_off, madrid,
    monday_after_next_spring_forward, practice,
};
use common::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

async fn live_rows(app: &TestApp, doctor: Uuid) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM appointments
         WHERE doctor_id = $1 AND status IN ('booked', 'checked_in', 'completed')",
    )
    .bind(doctor)
    .fetch_one(&app.db)
    .await
    .expect("count")
}

async fn status_of(app: &TestApp, appointment: Uuid) -> String {
    sqlx::query_scalar("SELECT status FROM appointments WHERE id = $1")
        .bind(appointment)
        .fetch_one(&app.db)
        .await
        .expect("status")
}

fn utc(date: NaiveDate, hour: u32, minute: u32) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&date.and_hms_opt(hour, minute, 0).expect("time"))
}

#[tokio::test]
async fn book_and_read_an_appointment() {
    let app = spawn_app().await;
    let p = practice(&app, "Sol").await;
    let patient = insert_patient(&app, p.clinic.id, "Eva Gil").await;
    let start = madrid(day_ahead(3), 10, 0);
    let mut body = booking(p.doctor_id, patient, start, 30);
    body["room_id"] = json!(p.room);
    body["reason"] = json!("  Check-up ");
    let booked = book(&app, &p, &p.reception.token, body).await.expect(201);
    let id = id_of(&booked);
    assert_eq!(booked["doctor_id"], p.doctor_id.to_string());
    assert_eq!(booked["doctor_name"], "Dr Ana Ruiz");
    assert_eq!(booked["patient_name"], "Eva Gil");
    assert_eq!(booked["room_name"], "Room 1");
    assert_eq!(booked["status"], "booked");
    assert_eq!(booked["reason"], "Check-up");
    assert!(booked["cancel_reason"].is_null());
    assert_eq!(booked["created_by"], p.reception.user_id.to_string());
    let starts: chrono::DateTime<Utc> =
        serde_json::from_value(booked["starts_at"].clone()).expect("starts_at");
    assert_eq!(starts, start);
    assert_eq!(audits(&app, "appointment.booked", Some(id)).await, 1);

    for role in [Role::Admin, Role::Reception, Role::Doctor] {
        let read = app
            .get(&p.path(&format!("/appointments/{id}")), p.token(role))
            .await
            .expect(200);
        assert_eq!(read, booked, "{role}");
    }
    app.get(
        &p.path(&format!("/appointments/{}", Uuid::now_v7())),
        &p.reception.token,
    )
    .await
    .expect_error(404, "not_found");
}

#[tokio::test]
async fn a_second_overlapping_booking_gets_slot_taken() {
    let app = spawn_app().await;
    let p = practice(&app, "Sol").await;
    let first = insert_patient(&app, p.clinic.id, "Eva Gil").await;
    let second = insert_patient(&app, p.clinic.id, "Leo Paz").await;
    let start = madrid(day_ahead(3), 10, 0);
    book(
        &app,
        &p,
        &p.reception.token,
        booking(p.doctor_id, first, start, 30),
    )
    .await
    .expect(201);
    let err = book(
        &app,
        &p,
        &p.clinic.admin.token,
        booking(p.doctor_id, second, start + Duration::minutes(15), 30),
    )
    .await
    .expect_error(409, "slot_taken");
    assert!(
        err["message"]
            .as_str()
            .expect("message")
            .contains("doctor already has an appointment at that time"),
        "{err}"
    );
    assert_eq!(app.count("appointments").await, 1);
    assert_eq!(audits(&app, "appointment.booked", None).await, 1);
    // Another doctor is free then.
    book(
        &app,
        &p,
        &p.reception.token,
        booking(p.other_doctor_id, second, start, 30),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn ten_desks_racing_for_one_slot_book_it_once() {
    let app = spawn_app().await;
    let p = practice(&app, "Sol").await;
    let mut patients = Vec::new();
    for i in 0..10 {
        patients.push(insert_patient(&app, p.clinic.id, &format!("Patient {i}")).await);
    }
    let start = madrid(day_ahead(4), 11, 0);
    let path = p.path("/appointments");
    let answers = futures::future::join_all(patients.iter().map(|patient| {
        app.post(
            &path,
            &p.reception.token,
            booking(p.doctor_id, *patient, start, 30),
        )
    }))
    .await;
    let created = answers.iter().filter(|a| a.status.as_u16() == 201).count();
    let taken = answers
        .iter()
        .filter(|a| a.status.as_u16() == 409 && a.code() == "slot_taken")
        .count();
    assert_eq!(
        (created, taken),
        (1, 9),
        "{:?}",
        answers.iter().map(|a| &a.body).collect::<Vec<_>>()
    );
    assert_eq!(live_rows(&app, p.doctor_id).await, 1);
    assert_eq!(app.count("appointments").await, 1);
}

#[tokio::test]
async fn back_to_back_appointments_both_fit() {
    let app = spawn_app().await;
    let p = practice(&app, "Sol").await;
    let patient = insert_patient(&app, p.clinic.id, "Eva Gil").await;
    let other = insert_patient(&app, p.clinic.id, "Leo Paz").await;
    let day = day_ahead(3);
    for (who, start) in [(patient, madrid(day, 10, 0)), (other, madrid(day, 10, 30))] {
        let mut body = booking(p.doctor_id, who, start, 30);
        body["room_id"] = json!(p.room);
        book(&app, &p, &p.reception.token, body).await.expect(201);
    }
    // And one ending where the first starts.
    book(
        &app,
        &p,
        &p.reception.token,
        booking(p.doctor_id, patient, madrid(day, 9, 30), 30),
    )
    .await
    .expect(201);
    assert_eq!(live_rows(&app, p.doctor_id).await, 3);
}

#[tokio::test]
async fn cancelling_frees_the_slot() {
    let app = spawn_app().await;
    let p = practice(&app, "Sol").await;
    let patient = insert_patient(&app, p.clinic.id, "Eva Gil").await;
    let other = insert_patient(&app, p.clinic.id, "Leo Paz").await;
    let start = madrid(day_ahead(3), 10, 0);
    let booked = book(
        &app,
        &p,
        &p.reception.token,
        booking(p.doctor_id, patient, start, 30),
    )
    .await
    .expect(201);
    let id = id_of(&booked);
    let cancel = p.path(&format!("/appointments/{id}/cancel"));

    // A reason is required; a refused cancel changes nothing.
    for body in [json!({"reason": "  "}), json!({"reason": "x".repeat(501)})] {
        let err = app
            .post(&cancel, &p.reception.token, body)
            .await
            .expect_error(422, "invalid");
        assert_eq!(err["field"], "reason");
    }
    app.post(&cancel, &p.reception.token, json!({}))
        .await
        .expect_error(422, "invalid");
    assert_eq!(status_of(&app, id).await, "booked");

    let cancelled = app
        .post(
            &cancel,
            &p.reception.token,
            json!({"reason": "Patient has flu"}),
        )
        .await
        .expect(200);
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancel_reason"], "Patient has flu");
    assert_eq!(audits(&app, "appointment.cancelled", Some(id)).await, 1);
    book(
        &app,
        &p,
        &p.reception.token,
        booking(p.doctor_id, other, start, 30),
    )
    .await
    .expect(201);

    // Cancelled is final.
    let err = app
        .post(&cancel, &p.reception.token, json!({"reason": "again"}))
        .await
        .expect_error(409, "stale");
    assert!(err["message"].as_str().expect("msg").contains("cancelled"));
    app.post(
        &p.path(&format!("/appointments/{id}/check-in")),
        &p.reception.token,
        json!({}),
    )
    .await
    .expect_error(409, "stale");
}

#[tokio::test]
async fn a_room_is_not_booked_twice() {
    let app = spawn_app().await;
    let p = practice(&app, "Sol").await;
    let patient = insert_patient(&app, p.clinic.id, "Eva Gil").await;
    let other = insert_patient(&app, p.clinic.id, "Leo Paz").await;
    let start = madrid(day_ahead(3), 10, 0);
    let mut first = booking(p.doctor_id, patient, start, 30);
    first["room_id"] = json!(p.room);
    book(&app, &p, &p.reception.token, first).await.expect(201);
    let mut clash = booking(p.other_doctor_id, other, start + Duration::minutes(10), 30);
    clash["room_id"] = json!(p.room);
    let err = book(&app, &p, &p.reception.token, clash)
        .await
        .expect_error(409, "slot_taken");
    assert!(
        err["message"].as_str().expect("msg").contains("room"),
        "{err}"
    );
    assert_eq!(app.count("appointments").await, 1);
    // Another room, or none, is fine.
    let room2 = insert_room(&app, p.clinic.id, "Room 2").await;
    let mut elsewhere = booking(p.other_doctor_id, other, start, 30);
    elsewhere["room_id"] = json!(room2);
    book(&app, &p, &p.reception.token, elsewhere)
        .await
        .expect(201);
}

#[tokio::test]
async fn bookings_must_fit_working_hours_and_avoid_time_off() {
    let app = spawn_app().await;
    let p = practice(&app, "Sol").await;
    let patient = insert_patient(&app, p.clinic.id, "Eva Gil").await;
    let day = day_ahead(4);
    insert_time_off(
        &app,
        p.clinic.id,
        p.doctor_id,
        madrid(day, 12, 0),
        madrid(day, 14, 0),
    )
    .await;
    let outside = [
        (madrid(day, 7, 30), 30, "hours"),  // before opening
        (madrid(day, 19, 45), 30, "hours"), // runs past closing
        (madrid(day, 13, 0), 30, "away"),   // inside time off
        (madrid(day, 11, 30), 45, "away"),  // runs into time off
    ];
    for (start, minutes, says) in outside {
        let err = book(
            &app,
            &p,
            &p.reception.token,
            booking(p.doctor_id, patient, start, minutes),
        )
        .await
        .expect_error(422, "outside_working_hours");
        assert!(
            err["message"].as_str().expect("msg").contains(says),
            "{start}: {err}"
        );
    }
    assert_eq!(app.count("appointments").await, 0);
    // Right up to the time off, and right after it, is fine.
    for start in [madrid(day, 11, 30), madrid(day, 14, 0)] {
        book(
            &app,
            &p,
            &p.reception.token,
            booking(p.doctor_id, patient, start, 30),
        )
        .await
        .expect(201);
    }

    // A doctor who works only on Mondays.
    let monday_only = insert_doctor(&app, p.clinic.id, "Dr Lunes", None).await;
    insert_hours(&app, p.clinic.id, monday_only, 1, "09:00", "17:00").await;
    let tuesday = (1..=7)
        .map(day_ahead)
        .find(|d| chrono::Datelike::weekday(d) == chrono::Weekday::Tue)
        .expect("a Tuesday");
    let err = book(
        &app,
        &p,
        &p.reception.token,
        booking(monday_only, patient, madrid(tuesday, 10, 0), 30),
    )
    .await
    .expect_error(422, "outside_working_hours");
    assert!(
        err["message"]
            .as_str()
            .expect("msg")
            .contains("does not work on Tuesdays"),
        "{err}"
    );
}

/// Clocks go forward on the last Sunday of March in Madrid; a doctor working
/// 09:00–13:00 starts at 08:00 UTC the Monday before and 07:00 UTC after.
#[tokio::test]
async fn working_hours_follow_the_wall_clock_across_the_spring_change() {
    let app = spawn_app().await;
    let p = practice(&app, "Sol").await;
    let patient = insert_patient(&app, p.clinic.id, "Eva Gil").await;
    let doctor = insert_doctor(&app, p.clinic.id, "Dr Marzo", None).await;
    insert_hours(&app, p.clinic.id, doctor, 1, "09:00", "13:00").await;
    let monday = monday_after_next_spring_forward();
    assert!(monday > day_ahead(0));
    let desk = &p.reception.token;

    // 09:00 local is 07:00 UTC after the change.
    assert_eq!(madrid(monday, 9, 0), utc(monday, 7, 0));
    let booked = book(
        &app,
        &p,
        desk,
        booking(doctor, patient, madrid(monday, 9, 0), 30),
    )
    .await
    .expect(201);
    assert_eq!(
        booked["starts_at"].as_str().expect("starts_at"),
        format!("{}T07:00:00Z", monday.format("%Y-%m-%d"))
    );
    // The last half hour before 13:00 local fits; 13:30 local (11:30 UTC) does not.
    book(
        &app,
        &p,
        desk,
        booking(doctor, patient, madrid(monday, 12, 30), 30),
    )
    .await
    .expect(201);
    for start in [utc(monday, 11, 30), utc(monday, 6, 30)] {
        book(&app, &p, desk, booking(doctor, patient, start, 30))
            .await
            .expect_error(422, "outside_working_hours");
    }

    // The Monday before (still winter time), the same UTC instants mean an
    // hour earlier on the wall: 08:00 UTC is 09:00 local and 11:30 UTC fits.
    let before = monday - Duration::days(7);
    if before > day_ahead(0) {
        assert_eq!(madrid(before, 9, 0), utc(before, 8, 0));
        book(
            &app,
            &p,
            desk,
            booking(doctor, patient, utc(before, 8, 0), 30),
        )
        .await
        .expect(201);
        book(
            &app,
            &p,
            desk,
            booking(doctor, patient, utc(before, 11, 30), 30),
        )
        .await
        .expect(201);
        book(
            &app,
            &p,
            desk,
            booking(doctor, patient, utc(before, 7, 30), 30),
        )
        .await
        .expect_error(422, "outside_working_hours");
    }
}

#[tokio::test]
async fn bad_bookings_are_refused_and_write_nothing() {
    let app = spawn_app().await;
    let p = practice(&app, "Sol").await;
    let luna = practice(&app, "Luna").await;
    let patient = insert_patient(&app, p.clinic.id, "Eva Gil").await;
    let archived = insert_patient(&app, p.clinic.id, "Old Patient").await;
    sqlx::query("UPDATE patients SET archived_at = now() WHERE id = $1")
        .bind(archived)
        .execute(&app.db)
        .await
        .expect("archive");
    let inactive_doctor = insert_doctor(&app, p.clinic.id, "Dr Retired", None).await;
    sqlx::query("UPDATE doctors SET active = false WHERE id = $1")
        .bind(inactive_doctor)
        .execute(&app.db)
        .await
        .expect("deactivate");
    let closed_room = insert_room(&app, p.clinic.id, "Closed").await;
    sqlx::query("UPDATE rooms SET active = false WHERE id = $1")
        .bind(closed_room)
        .execute(&app.db)
        .await
        .expect("close");
    let luna_patient = insert_patient(&app, luna.clinic.id, "Luna Patient").await;

    let start = madrid(day_ahead(3), 10, 0);
    let ok = || booking(p.doctor_id, patient, start, 30);
    let with = |key: &str, value: Value| {
        let mut body = ok();
        body[key] = value;
        body
    };
    let cases = [
        (
            booking(p.doctor_id, patient, Utc::now() - Duration::hours(1), 30),
            "starts_at",
        ),
        (
            booking(p.doctor_id, patient, Utc::now() + Duration::days(800), 30),
            "starts_at",
        ),
        (booking(p.doctor_id, patient, start, 3), "ends_at"),
        (booking(p.doctor_id, patient, start, 13 * 60), "ends_at"),
        (booking(p.doctor_id, patient, start, -30), "ends_at"),
        (with("doctor_id", json!(Uuid::now_v7())), "doctor_id"),
        (with("doctor_id", json!(luna.doctor_id)), "doctor_id"),
        (with("doctor_id", json!(inactive_doctor)), "doctor_id"),
        (with("patient_id", json!(Uuid::now_v7())), "patient_id"),
        (with("patient_id", json!(luna_patient)), "patient_id"),
        (with("patient_id", json!(archived)), "patient_id"),
        (with("room_id", json!(Uuid::now_v7())), "room_id"),
        (with("room_id", json!(luna.room)), "room_id"),
        (with("room_id", json!(closed_room)), "room_id"),
        (with("reason", json!("x".repeat(501))), "reason"),
    ];
    for (body, field) in cases {
        let err = book(&app, &p, &p.reception.token, body.clone())
            .await
            .expect_error(422, "invalid");
        assert_eq!(err["field"], field, "{body}: {err}");
    }
    // Wrong shapes.
    for body in [
        json!({}),
        with("doctor_id", json!("not-an-id")),
        with("starts_at", json!("tomorrow at ten")),
    ] {
        book(&app, &p, &p.reception.token, body)
            .await
            .expect_error(422, "invalid");
    }
    let res = app
        .http
        .post(app.url(&p.path("/appointments")))
        .bearer_auth(&p.reception.token)
        .header("content-type", "application/json")
        .body("{\"doctor_id\": ")
        .send()
        .await
        .expect("send");
    assert_eq!(res.status().as_u16(), 400);
    assert_eq!(app.count("appointments").await, 0);
    assert_eq!(audits(&app, "appointment.booked", None).await, 0);
}

#[tokio::test]
async fn moving_an_appointment() {
    let app = spawn_app().await;
    let p = practice(&app, "Sol").await;
    let patient = insert_patient(&app, p.clinic.id, "Eva Gil").await;
    let other = insert_patient(&app, p.clinic.id, "Leo Paz").await;
    let day = day_ahead(3);
    let mut body = booking(p.doctor_id, patient, madrid(day, 10, 0), 30);
    body["room_id"] = json!(p.room);
    let id = id_of(&book(&app, &p, &p.reception.token, body).await.expect(201));
    let blocker = book(
        &app,
        &p,
        &p.reception.token,
        booking(p.doctor_id, other, madrid(day, 12, 0), 30),
    )
    .await
    .expect(201);
    let path = p.path(&format!("/appointments/{id}"));
    let to = |h: u32, m: u32| json!({"starts_at": madrid(day, h, m), "ends_at": madrid(day, h, m) + Duration::minutes(30)});

    let moved = app
        .patch(&path, &p.reception.token, to(11, 0))
        .await
        .expect(200);
    assert_eq!(
        serde_json::from_value::<chrono::DateTime<Utc>>(moved["starts_at"].clone()).expect("t"),
        madrid(day, 11, 0)
    );
    assert_eq!(
        moved["room_id"],
        p.room.to_string(),
        "room kept when absent"
    );
    assert_eq!(audits(&app, "appointment.rescheduled", Some(id)).await, 1);
    // The old slot is free again.
    book(
        &app,
        &p,
        &p.reception.token,
        booking(p.doctor_id, other, madrid(day, 10, 0), 30),
    )
    .await
    .expect(201);

    // Another doctor, and no room.
    let mut body = to(11, 0);
    body["doctor_id"] = json!(p.other_doctor_id);
    body["room_id"] = Value::Null;
    let moved = app
        .patch(&path, &p.clinic.admin.token, body)
        .await
        .expect(200);
    assert_eq!(moved["doctor_id"], p.other_doctor_id.to_string());
    assert!(moved["room_id"].is_null() && moved["room_name"].is_null());

    // Refusals leave it where it was.
    let mut onto_blocker = to(12, 0);
    onto_blocker["doctor_id"] = json!(p.doctor_id);
    app.patch(&path, &p.reception.token, onto_blocker)
        .await
        .expect_error(409, "slot_taken");
    app.patch(&path, &p.reception.token, to(7, 0))
        .await
        .expect_error(422, "outside_working_hours");
    let err = app
        .patch(
            &path,
            &p.reception.token,
            json!({"starts_at": Utc::now() - Duration::hours(2), "ends_at": Utc::now() - Duration::hours(1)}),
        )
        .await
        .expect_error(422, "invalid");
    assert_eq!(err["field"], "starts_at");
    let mut closed = to(15, 0);
    closed["room_id"] = json!(Uuid::now_v7());
    let err = app
        .patch(&path, &p.reception.token, closed)
        .await
        .expect_error(422, "invalid");
    assert_eq!(err["field"], "room_id");
    let now = app.get(&path, &p.reception.token).await.expect(200);
    assert_eq!(now["doctor_id"], p.other_doctor_id.to_string());
    assert_eq!(now["starts_at"], moved["starts_at"]);
    assert_eq!(audits(&app, "appointment.rescheduled", Some(id)).await, 2);

    app.patch(
        &p.path(&format!("/appointments/{}", Uuid::now_v7())),
        &p.reception.token,
        to(15, 0),
    )
    .await
    .expect_error(404, "not_found");

    // Only booked appointments move.
    let blocker_id = id_of(&blocker);
    app.post(
        &p.path(&format!("/appointments/{blocker_id}/cancel")),
        &p.reception.token,
        json!({"reason": "changed plans"}),
    )
    .await
    .expect(200);
    let err = app
        .patch(
            &p.path(&format!("/appointments/{blocker_id}")),
            &p.reception.token,
            to(16, 0),
        )
        .await
        .expect_error(409, "stale");
    assert!(
        err["message"].as_str().expect("msg").contains("cancelled"),
        "{err}"
    );
}

#[tokio::test]
async fn the_days_progress_follows_the_rules() {
    let app = spawn_app().await;
    let p = practice(&app, "Sol").await;
    let patient = insert_patient(&app, p.clinic.id, "Eva Gil").await;
    let walk_in = insert_patient(&app, p.clinic.id, "Walk In").await;
    let desk = &p.reception.token;
    let act = |id: Uuid, what: &str| p.path(&format!("/appointments/{id}/{what}"));

    // Days ahead: no check-in yet, and nothing to mark before it starts.
    let ahead = id_of(
        &book(
            &app,
            &p,
            desk,
            booking(p.doctor_id, patient, madrid(day_ahead(2), 10, 0), 30),
        )
        .await
        .expect(201),
    );
    for what in ["check-in", "no-show", "complete"] {
        app.post(&act(ahead, what), desk, json!({}))
            .await
            .expect_error(422, "invalid");
    }
    assert_eq!(status_of(&app, ahead).await, "booked");

    // Later today: check-in is fine before the start (patients come early).
    let now = Utc::now();
    let mut soon = now + Duration::minutes(2);
    if soon.with_timezone(&chrono_tz::Europe::Madrid).date_naive()
        != now.with_timezone(&chrono_tz::Europe::Madrid).date_naive()
    {
        soon = now - Duration::minutes(1);
    }
    let today =
        insert_appointment(&app, p.clinic.id, p.doctor_id, patient, soon, 30, "booked").await;
    let checked = app
        .post(&act(today, "check-in"), desk, json!({}))
        .await
        .expect(200);
    assert_eq!(checked["status"], "checked_in");
    app.post(&act(today, "no-show"), desk, json!({}))
        .await
        .expect_error(409, "stale");

    // An hour ago: completed, and then it is done.
    let past = insert_appointment(
        &app,
        p.clinic.id,
        p.doctor_id,
        patient,
        now - Duration::hours(2),
        30,
        "booked",
    )
    .await;
    app.post(&act(past, "check-in"), desk, json!({}))
        .await
        .expect(200);
    let done = app
        .post(&act(past, "complete"), desk, json!({}))
        .await
        .expect(200);
    assert_eq!(done["status"], "completed");
    for what in ["complete", "check-in", "no-show"] {
        let err = app
            .post(&act(past, what), desk, json!({}))
            .await
            .expect_error(409, "stale");
        assert!(
            err["message"].as_str().expect("msg").contains("completed"),
            "{err}"
        );
    }
    app.post(&act(past, "cancel"), desk, json!({"reason": "oops"}))
        .await
        .expect_error(409, "stale");

    // A no-show frees the slot; the late patient is checked in after all,
    // unless the slot was given away meanwhile.
    let late = insert_appointment(
        &app,
        p.clinic.id,
        p.doctor_id,
        patient,
        now - Duration::hours(4),
        30,
        "booked",
    )
    .await;
    app.post(&act(late, "no-show"), desk, json!({}))
        .await
        .expect(200);
    app.post(&act(late, "check-in"), desk, json!({}))
        .await
        .expect(200);
    let gone = insert_appointment(
        &app,
        p.clinic.id,
        p.doctor_id,
        patient,
        now - Duration::hours(6),
        30,
        "booked",
    )
    .await;
    app.post(&act(gone, "no-show"), desk, json!({}))
        .await
        .expect(200);
    insert_appointment(
        &app,
        p.clinic.id,
        p.doctor_id,
        walk_in,
        now - Duration::hours(6),
        30,
        "completed",
    )
    .await;
    app.post(&act(gone, "check-in"), desk, json!({}))
        .await
        .expect_error(409, "slot_taken");
    assert_eq!(status_of(&app, gone).await, "no_show");

    assert_eq!(audits(&app, "appointment.checked_in", None).await, 3);
    assert_eq!(audits(&app, "appointment.completed", Some(past)).await, 1);
    assert_eq!(audits(&app, "appointment.no_show", None).await, 2);
    app.post(&act(Uuid::now_v7(), "check-in"), desk, json!({}))
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn a_doctor_sees_and_progresses_only_their_own_appointments() {
    let app = spawn_app().await;
    let p = practice(&app, "Sol").await;
    let patient = insert_patient(&app, p.clinic.id, "Eva Gil").await;
    let day = day_ahead(2);
    let mine = id_of(
        &book(
            &app,
            &p,
            &p.reception.token,
            booking(p.doctor_id, patient, madrid(day, 9, 0), 30),
        )
        .await
        .expect(201),
    );
    let theirs = id_of(
        &book(
            &app,
            &p,
            &p.reception.token,
            booking(p.other_doctor_id, patient, madrid(day, 9, 0), 30),
        )
        .await
        .expect(201),
    );
    let doc = &p.doctor.token;
    let agenda = app.get(&p.path("/appointments"), doc).await.expect(200);
    let ids: Vec<&str> = agenda["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, [mine.to_string()]);
    let filtered = app
        .get(
            &p.path(&format!("/appointments?doctor_id={}", p.other_doctor_id)),
            doc,
        )
        .await
        .expect(200);
    assert_eq!(filtered["items"], json!([]));
    app.get(&p.path(&format!("/appointments/{theirs}")), doc)
        .await
        .expect_error(404, "not_found");
    let all = app
        .get(&p.path("/appointments"), &p.reception.token)
        .await
        .expect(200);
    assert_eq!(all["items"].as_array().expect("items").len(), 2);

    // Progress: own yes (once started), someone else's is not found.
    let now = Utc::now();
    let own_past = insert_appointment(
        &app,
        p.clinic.id,
        p.doctor_id,
        patient,
        now - Duration::hours(1),
        30,
        "booked",
    )
    .await;
    let their_past = insert_appointment(
        &app,
        p.clinic.id,
        p.other_doctor_id,
        patient,
        now - Duration::hours(1),
        30,
        "booked",
    )
    .await;
    for what in ["check-in", "complete"] {
        app.post(
            &p.path(&format!("/appointments/{own_past}/{what}")),
            doc,
            json!({}),
        )
        .await
        .expect(200);
        app.post(
            &p.path(&format!("/appointments/{their_past}/{what}")),
            doc,
            json!({}),
        )
        .await
        .expect_error(404, "not_found");
    }
    assert_eq!(status_of(&app, their_past).await, "booked");

    // Doctors do not book, move or cancel.
    book(
        &app,
        &p,
        doc,
        booking(p.doctor_id, patient, madrid(day, 11, 0), 30),
    )
    .await
    .expect_error(403, "not_permitted");
    app.patch(
        &p.path(&format!("/appointments/{mine}")),
        doc,
        json!({"starts_at": madrid(day, 11, 0), "ends_at": madrid(day, 11, 30)}),
    )
    .await
    .expect_error(403, "not_permitted");
    app.post(
        &p.path(&format!("/appointments/{mine}/cancel")),
        doc,
        json!({"reason": "golf"}),
    )
    .await
    .expect_error(403, "not_permitted");
    assert_eq!(status_of(&app, mine).await, "booked");
    assert_eq!(app.count("appointments").await, 4);
}

async fn agenda_ids(app: &TestApp, p: &Practice, query: &str) -> Vec<Uuid> {
    let page = app
        .get(
            &p.path(&format!("/appointments{query}")),
            &p.reception.token,
        )
        .await
        .expect(200);
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id").parse().expect("uuid"))
        .collect()
}

fn q(t: chrono::DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[tokio::test]
async fn the_agenda_filters_and_pages() {
    let app = spawn_app().await;
    let p = practice(&app, "Sol").await;
    let eva = insert_patient(&app, p.clinic.id, "Eva Gil").await;
    let leo = insert_patient(&app, p.clinic.id, "Leo Paz").await;
    let day = day_ahead(3);
    let desk = &p.reception.token;
    let a = id_of(
        &book(
            &app,
            &p,
            desk,
            booking(p.doctor_id, eva, madrid(day, 9, 0), 30),
        )
        .await
        .expect(201),
    );
    let mut in_room = booking(p.other_doctor_id, leo, madrid(day, 9, 15), 30);
    in_room["room_id"] = json!(p.room);
    let b = id_of(&book(&app, &p, desk, in_room).await.expect(201));
    let c = id_of(
        &book(
            &app,
            &p,
            desk,
            booking(p.doctor_id, leo, madrid(day, 10, 0), 30),
        )
        .await
        .expect(201),
    );
    let next_day = id_of(
        &book(
            &app,
            &p,
            desk,
            booking(p.doctor_id, eva, madrid(day + Duration::days(1), 9, 0), 30),
        )
        .await
        .expect(201),
    );
    app.post(
        &p.path(&format!("/appointments/{c}/cancel")),
        desk,
        json!({"reason": "sick"}),
    )
    .await
    .expect(200);

    assert_eq!(agenda_ids(&app, &p, "").await, [a, b, c, next_day]);
    let day_range = format!(
        "?from={}&to={}",
        q(madrid(day, 0, 0)),
        q(madrid(day + Duration::days(1), 0, 0))
    );
    assert_eq!(agenda_ids(&app, &p, &day_range).await, [a, b, c]);
    // Overlap with [from, to): touching ends are out.
    let window = |from, to| format!("?from={}&to={}", q(from), q(to));
    assert_eq!(
        agenda_ids(&app, &p, &window(madrid(day, 9, 20), madrid(day, 9, 25))).await,
        [a, b]
    );
    assert_eq!(
        agenda_ids(&app, &p, &window(madrid(day, 9, 30), madrid(day, 9, 45))).await,
        [b]
    );
    assert_eq!(
        agenda_ids(&app, &p, &window(madrid(day, 8, 0), madrid(day, 9, 0))).await,
        Vec::<Uuid>::new()
    );
    // A local time with its offset (the + escaped) means the same instant.
    let local = |t: chrono::DateTime<Utc>| {
        t.with_timezone(&chrono_tz::Europe::Madrid)
            .to_rfc3339()
            .replace('+', "%2B")
    };
    assert_eq!(
        agenda_ids(
            &app,
            &p,
            &format!(
                "?from={}&to={}",
                local(madrid(day, 9, 30)),
                local(madrid(day, 9, 45))
            )
        )
        .await,
        [b]
    );
    assert_eq!(
        agenda_ids(&app, &p, &format!("?doctor_id={}", p.doctor_id)).await,
        [a, c, next_day]
    );
    assert_eq!(
        agenda_ids(&app, &p, &format!("?room_id={}", p.room)).await,
        [b]
    );
    assert_eq!(
        agenda_ids(&app, &p, &format!("?patient_id={leo}")).await,
        [b, c]
    );
    assert_eq!(agenda_ids(&app, &p, "?status=cancelled").await, [c]);
    assert_eq!(
        agenda_ids(&app, &p, "?status=booked,checked_in").await,
        [a, b, next_day]
    );

    // Keyset pages.
    let first = app
        .get(&p.path("/appointments?limit=3"), desk)
        .await
        .expect(200);
    let cursor = first["next_cursor"].as_str().expect("more");
    let second = app
        .get(
            &p.path(&format!("/appointments?limit=3&cursor={cursor}")),
            desk,
        )
        .await
        .expect(200);
    assert_eq!(second["items"][0]["id"], next_day.to_string());
    assert!(second["next_cursor"].is_null());

    // Bad filters.
    let from = madrid(day, 0, 0);
    let bad = [
        (window(from, from), "to"),
        (window(from, from - Duration::hours(1)), "to"),
        (window(from, from + Duration::days(93)), "to"),
        ("?from=tomorrow".to_owned(), "from"),
        ("?to=2026-13-01T00:00:00Z".to_owned(), "to"),
        ("?doctor_id=7".to_owned(), "doctor_id"),
        ("?room_id=x".to_owned(), "room_id"),
        ("?patient_id=x".to_owned(), "patient_id"),
        ("?status=gone".to_owned(), "status"),
        ("?cursor=%21%21".to_owned(), "cursor"),
        ("?limit=500".to_owned(), "limit"),
    ];
    for (query, field) in bad {
        let err = app
            .get(&p.path(&format!("/appointments{query}")), desk)
            .await
            .expect_error(422, "invalid");
        assert_eq!(err["field"], field, "{query}: {err}");
    }
    // 92 days exactly is allowed.
    app.get(
        &p.path(&format!(
            "/appointments{}",
            window(from, from + Duration::days(92))
        )),
        desk,
    )
    .await
    .expect(200);
}

/// Every appointment endpoint × every role, per the role table; a member of
/// another clinic gets 404 everywhere and changes nothing.
#[tokio::test]
async fn appointment_endpoints_enforce_the_role_table() {
    let app = spawn_app().await;
    let p = practice(&app, "Sol").await;
    let stranger = practice(&app, "Luna").await;
    let patient = insert_patient(&app, p.clinic.id, "Eva Gil").await;
    let own = insert_appointment(
        &app,
        p.clinic.id,
        p.doctor_id,
        patient,
        madrid(day_ahead(9), 9, 0),
        30,
        "booked",
    )
    .await;

    // Each call gets its own slot so that nothing collides.
    let mut slot = 0i64;
    let mut next_slot = || {
        slot += 1;
        slot
    };
    let future = |n: i64| madrid(day_ahead(5), 8, 0) + Duration::minutes(15 * n);
    let started = |n: i64| Utc::now() - Duration::hours(n);

    // (method, action, [admin, doctor, reception, worker])
    let table: [(Method, &str, [u16; 4]); 8] = [
        (Method::GET, "list", [200, 200, 200, 403]),
        (Method::POST, "book", [201, 403, 201, 403]),
        (Method::GET, "get", [200, 200, 200, 403]),
        (Method::PATCH, "move", [200, 403, 200, 403]),
        (Method::POST, "cancel", [200, 403, 200, 403]),
        (Method::POST, "check-in", [200, 200, 200, 403]),
        (Method::POST, "no-show", [200, 200, 200, 403]),
        (Method::POST, "complete", [200, 200, 200, 403]),
    ];
    let fingerprint = || async {
        sqlx::query_scalar::<_, String>(
            "SELECT count(*) || '/' || coalesce(sum(version), 0) FROM appointments",
        )
        .fetch_one(&app.db)
        .await
        .expect("fingerprint")
    };
    for (method, action, expected) in &table {
        for (role, want) in Role::ALL.into_iter().zip(expected) {
            let n = next_slot();
            let (path, body) = match *action {
                "list" => (p.path("/appointments"), None),
                "book" => (
                    p.path("/appointments"),
                    Some(booking(p.other_doctor_id, patient, future(n), 15)),
                ),
                "get" => (p.path(&format!("/appointments/{own}")), None),
                "move" | "cancel" => {
                    let fresh = insert_appointment(
                        &app,
                        p.clinic.id,
                        p.doctor_id,
                        patient,
                        future(n),
                        15,
                        "booked",
                    )
                    .await;
                    if *action == "move" {
                        let to = future(n) + Duration::days(1);
                        (
                            p.path(&format!("/appointments/{fresh}")),
                            Some(json!({"starts_at": to, "ends_at": to + Duration::minutes(15)})),
                        )
                    } else {
                        (
                            p.path(&format!("/appointments/{fresh}/cancel")),
                            Some(json!({"reason": "test"})),
                        )
                    }
                }
                progress => {
                    let fresh = insert_appointment(
                        &app,
                        p.clinic.id,
                        p.doctor_id,
                        patient,
                        started(n),
                        30,
                        "booked",
                    )
                    .await;
                    (
                        p.path(&format!("/appointments/{fresh}/{progress}")),
                        Some(json!({})),
                    )
                }
            };
            let before = fingerprint().await;
            let res = app
                .call(method.clone(), &path, Some(p.token(role)), body.clone())
                .await;
            assert_eq!(
                res.status.as_u16(),
                *want,
                "{action} as {role}: {}",
                res.body
            );
            if *want == 403 {
                assert_eq!(res.code(), "not_permitted");
                assert_eq!(fingerprint().await, before, "{action} as {role} wrote");
            }
            let before = fingerprint().await;
            let res = app
                .call(
                    method.clone(),
                    &path,
                    Some(stranger.token(role)),
                    body.clone(),
                )
                .await;
            assert_eq!(res.status.as_u16(), 404, "{action} as Luna's {role}");
            assert_eq!(res.code(), "not_found");
            assert_eq!(fingerprint().await, before);
        }
    }
    app.call(Method::GET, &p.path("/appointments"), None, None)
        .await
        .expect_error(401, "unauthenticated");
}

#[tokio::test]
async fn openapi_documents_every_patient_and_appointment_route() {
    let app = spawn_app().await;
    let doc = app
        .call(Method::GET, "/openapi.json", None, None)
        .await
        .expect(200);
    let expected = [
        ("/v1/clinics/{clinic_id}/patients", &["get", "post"][..]),
        (
            "/v1/clinics/{clinic_id}/patients/{patient_id}",
            &["get", "patch", "delete"],
        ),
        (
            "/v1/clinics/{clinic_id}/patients/{patient_id}/appointments",
            &["get"],
        ),
        (
            "/v1/clinics/{clinic_id}/patients/{patient_id}/notes",
            &["get", "post"],
        ),
        ("/v1/clinics/{clinic_id}/appointments", &["get", "post"]),
        (
            "/v1/clinics/{clinic_id}/appointments/{appointment_id}",
            &["get", "patch"],
        ),
        (
            "/v1/clinics/{clinic_id}/appointments/{appointment_id}/cancel",
            &["post"],
        ),
        (
            "/v1/clinics/{clinic_id}/appointments/{appointment_id}/check-in",
            &["post"],
        ),
        (
            "/v1/clinics/{clinic_id}/appointments/{appointment_id}/no-show",
            &["post"],
        ),
        (
            "/v1/clinics/{clinic_id}/appointments/{appointment_id}/complete",
            &["post"],
        ),
    ];
    for (path, methods) in expected {
        for method in methods {
            let op = &doc["paths"][path][method];
            assert!(op.is_object(), "{method} {path} missing");
            assert!(op["security"].is_array(), "{method} {path} lacks security");
            let tag = op["tags"][0].as_str().expect("tag");
            assert!(["patients", "appointments"].contains(&tag), "{path}: {tag}");
        }
    }
    let tags: Vec<&str> = doc["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    assert!(tags.contains(&"patients") && tags.contains(&"appointments"));
    for schema in [
        "PatientView",
        "NewPatient",
        "UpdatePatient",
        "ClinicalNoteView",
        "AppointmentView",
        "BookAppointment",
        "RescheduleAppointment",
        "CancelAppointment",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "{schema} missing"
        );
    }
}
