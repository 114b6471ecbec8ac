//! Patients and clinical notes over real HTTP: registering, reading (audited),
//! editing, archiving, searching, the doctor's narrower view, and who may
//! do what.

mod common;

use chrono::{DateTime, Duration, Utc};
use clinic_core::Role;
use common::patients::{
    Practice, audits, booking, day_ahead, id_of, insert_appointment, insert_patient, madrid,
    practice,
};
use common::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

fn full_registration() -> Value {
    json!({
        "full_name": "  Ana López  ",
        "date_of_birth": "1980-05-17",
        "sex": "female",
        "national_id": "12345678Z",
        "phone": "+34 600-100-200",
        "email": "Ana.Lopez@Example.com",
        "address": "Calle Mayor 1, Madrid",
        "email_consent": true,
    })
}

async fn version_of(app: &TestApp, patient: Uuid) -> i64 {
    sqlx::query_scalar("SELECT version FROM patients WHERE id = $1")
        .bind(patient)
        .fetch_one(&app.db)
        .await
        .expect("version")
}

async fn consent_at(app: &TestApp, patient: Uuid) -> Option<DateTime<Utc>> {
    sqlx::query_scalar("SELECT email_consent_at FROM patients WHERE id = $1")
        .bind(patient)
        .fetch_one(&app.db)
        .await
        .expect("consent")
}

#[tokio::test]
async fn register_read_edit_and_archive_a_patient() {
    let app = spawn_app().await;
    let p = practice(&app, "Sol").await;
    let desk = &p.reception.token;

    let created = app
        .post(&p.path("/patients"), desk, full_registration())
        .await
        .expect(201);
    let id = id_of(&created);
    assert_eq!(created["full_name"], "Ana López");
    assert_eq!(created["date_of_birth"], "1980-05-17");
    assert_eq!(created["sex"], "female");
    assert_eq!(created["email"], "ana.lopez@example.com");
    assert_eq!(created["phone"], "+34 600-100-200");
    assert_eq!(created["email_consent"], true);
    assert!(created["email_consent_at"].is_string(), "{created}");
    assert!(created["archived_at"].is_null());
    assert!(
        created.get("notes").is_none(),
        "nothing clinical: {created}"
    );
    assert_eq!(audits(&app, "patient.registered", Some(id)).await, 1);

    // Reading is audited, every time.
    let read = app
        .get(&p.path(&format!("/patients/{id}")), desk)
        .await
        .expect(200);
    assert_eq!(read, created);
    app.get(&p.path(&format!("/patients/{id}")), &p.clinic.admin.token)
        .await
        .expect(200);
    assert_eq!(audits(&app, "patient.read", Some(id)).await, 2);
    let actor: Uuid = sqlx::query_scalar(
        "SELECT actor_id FROM audit_log WHERE action = 'patient.read' ORDER BY at LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .expect("actor");
    assert_eq!(actor, p.reception.user_id);

    // Absent keeps, null clears, a value replaces.
    let given_at = consent_at(&app, id).await.expect("consent stamped");
    let edited = app
        .patch(
            &p.path(&format!("/patients/{id}")),
            desk,
            json!({"phone": null, "sex": null, "address": "Calle Sol 2"}),
        )
        .await
        .expect(200);
    assert!(edited["phone"].is_null() && edited["sex"].is_null());
    assert_eq!(edited["address"], "Calle Sol 2");
    assert_eq!(edited["national_id"], "12345678Z");
    assert_eq!(edited["date_of_birth"], "1980-05-17");
    assert_eq!(
        consent_at(&app, id).await,
        Some(given_at),
        "consent kept its time"
    );

    // Withdrawing consent forgets when it was given; giving it again stamps anew.
    let withdrawn = app
        .patch(
            &p.path(&format!("/patients/{id}")),
            desk,
            json!({"email_consent": false}),
        )
        .await
        .expect(200);
    assert_eq!(withdrawn["email_consent"], false);
    assert!(withdrawn["email_consent_at"].is_null());
    assert_eq!(consent_at(&app, id).await, None);
    app.patch(
        &p.path(&format!("/patients/{id}")),
        desk,
        json!({"email_consent": true}),
    )
    .await
    .expect(200);
    assert!(consent_at(&app, id).await.expect("stamped again") > given_at);

    // A patch that changes nothing writes nothing (no new version to sync).
    let version = version_of(&app, id).await;
    app.patch(
        &p.path(&format!("/patients/{id}")),
        desk,
        json!({"full_name": "Ana López"}),
    )
    .await
    .expect(200);
    assert_eq!(version_of(&app, id).await, version);
    assert_eq!(audits(&app, "patient.updated", Some(id)).await, 3);

    // Archive: kept, hidden from the list, not bookable; archiving again is a no-op.
    app.delete(&p.path(&format!("/patients/{id}")), desk)
        .await
        .expect(204);
    app.delete(&p.path(&format!("/patients/{id}")), desk)
        .await
        .expect(204);
    assert_eq!(audits(&app, "patient.archived", Some(id)).await, 1);
    let archived = app
        .get(&p.path(&format!("/patients/{id}")), desk)
        .await
        .expect(200);
    assert!(archived["archived_at"].is_string());
    let list = app.get(&p.path("/patients"), desk).await.expect(200);
    assert_eq!(list["items"].as_array().expect("items").len(), 0);
    let list = app
        .get(&p.path("/patients?include_archived=true"), desk)
        .await
        .expect(200);
    assert_eq!(list["items"][0]["id"], created["id"]);
    let start = madrid(day_ahead(3), 10, 0);
    let err = app
        .post(
            &p.path("/appointments"),
            desk,
            booking(p.doctor_id, id, start, 30),
        )
        .await
        .expect_error(422, "invalid");
    assert_eq!(err["field"], "patient_id");

    // Restoring makes them bookable again.
    let restored = app
        .patch(
            &p.path(&format!("/patients/{id}")),
            desk,
            json!({"archived": false}),
        )
        .await
        .expect(200);
    assert!(restored["archived_at"].is_null());
    assert_eq!(audits(&app, "patient.restored", Some(id)).await, 1);
    app.post(
        &p.path("/appointments"),
        desk,
        booking(p.doctor_id, id, start, 30),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn bad_registrations_are_refused_and_write_nothing() {
    let app = spawn_app().await;
    let p = practice(&app, "Sol").await;
    let tomorrow = day_ahead(1).format("%Y-%m-%d").to_string();
    let cases = [
        ("full_name", json!("  "), "full_name"),
        ("full_name", json!("x".repeat(201)), "full_name"),
        ("date_of_birth", json!(tomorrow), "date_of_birth"),
        ("date_of_birth", json!("1899-12-31"), "date_of_birth"),
        ("date_of_birth", json!("17/05/1980"), "date_of_birth"),
        ("sex", json!("f"), "sex"),
        ("phone", json!("call me"), "phone"),
        ("email", json!("not-an-email"), "email"),
        ("email", json!(null), "email"), // consent without an email
        ("national_id", json!("x".repeat(51)), "national_id"),
        ("address", json!("x".repeat(501)), "address"),
    ];
    for (key, value, field) in cases {
        let mut body = full_registration();
        body[key] = value;
        let err = app
            .post(&p.path("/patients"), &p.reception.token, body)
            .await
            .expect_error(422, "invalid");
        assert_eq!(err["field"], field, "{key}: {err}");
    }
    // Missing the name, a wrong type, not JSON at all.
    app.post(&p.path("/patients"), &p.reception.token, json!({}))
        .await
        .expect_error(422, "invalid");
    app.post(
        &p.path("/patients"),
        &p.reception.token,
        json!({"full_name": "Ana", "email_consent": "yes"}),
    )
    .await
    .expect_error(422, "invalid");
    let res = app
        .http
        .post(app.url(&p.path("/patients")))
        .bearer_auth(&p.reception.token)
        .header("content-type", "application/json")
        .body("{\"full_name\": ")
        .send()
        .await
        .expect("send");
    assert_eq!(res.status().as_u16(), 400);
    assert_eq!(app.count("patients").await, 0);
    assert_eq!(audits(&app, "patient.registered", None).await, 0);
}

#[tokio::test]
async fn bad_updates_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let p = practice(&app, "Sol").await;
    let desk = &p.reception.token;
    let created = app
        .post(&p.path("/patients"), desk, full_registration())
        .await
        .expect(201);
    let id = id_of(&created);
    let version = version_of(&app, id).await;
    let path = p.path(&format!("/patients/{id}"));
    let cases = [
        (json!({"full_name": null}), "full_name"),
        (json!({"full_name": ""}), "full_name"),
        (json!({"email": null}), "email"), // consent stands
        (json!({"email": "nope"}), "email"),
        (json!({"date_of_birth": "3000-01-01"}), "date_of_birth"),
        (json!({"phone": "12"}), "phone"),
        (json!({"sex": "x", "phone": null}), "sex"),
    ];
    for (body, field) in cases {
        let err = app
            .patch(&path, desk, body.clone())
            .await
            .expect_error(422, "invalid");
        assert_eq!(err["field"], field, "{body}: {err}");
    }
    app.patch(&path, desk, json!({"archived": "no"}))
        .await
        .expect_error(422, "invalid");
    assert_eq!(version_of(&app, id).await, version);
    let now = app.get(&path, desk).await.expect(200);
    assert_eq!(now["phone"], created["phone"]);
    assert_eq!(audits(&app, "patient.updated", None).await, 0);

    // Unknown and malformed ids.
    let nobody = Uuid::now_v7();
    app.patch(
        &p.path(&format!("/patients/{nobody}")),
        desk,
        json!({"phone": null}),
    )
    .await
    .expect_error(404, "not_found");
    app.delete(&p.path(&format!("/patients/{nobody}")), desk)
        .await
        .expect_error(404, "not_found");
    app.get(&p.path(&format!("/patients/{nobody}")), desk)
        .await
        .expect_error(404, "not_found");
    assert_eq!(
        app.get(&p.path("/patients/not-an-id"), desk).await.status,
        400
    );
}

#[tokio::test]
async fn archiving_is_refused_while_appointments_are_ahead() {
    let app = spawn_app().await;
    let p = practice(&app, "Sol").await;
    let patient = insert_patient(&app, p.clinic.id, "Eva Gil").await;
    let booked = app
        .post(
            &p.path("/appointments"),
            &p.reception.token,
            booking(p.doctor_id, patient, madrid(day_ahead(2), 9, 0), 30),
        )
        .await
        .expect(201);
    for attempt in [
        app.delete(&p.path(&format!("/patients/{patient}")), &p.reception.token)
            .await,
        app.patch(
            &p.path(&format!("/patients/{patient}")),
            &p.reception.token,
            json!({"archived": true}),
        )
        .await,
    ] {
        let err = attempt.expect_error(409, "conflict");
        assert!(
            err["message"]
                .as_str()
                .expect("message")
                .contains("upcoming"),
            "{err}"
        );
    }
    let archived: Option<DateTime<Utc>> =
        sqlx::query_scalar("SELECT archived_at FROM patients WHERE id = $1")
            .bind(patient)
            .fetch_one(&app.db)
            .await
            .expect("row");
    assert_eq!(archived, None);
    // Once the appointment is cancelled, archiving goes through; past history stays.
    insert_appointment(
        &app,
        p.clinic.id,
        p.doctor_id,
        patient,
        Utc::now() - Duration::days(30),
        30,
        "completed",
    )
    .await;
    app.post(
        &p.path(&format!("/appointments/{}/cancel", id_of(&booked))),
        &p.reception.token,
        json!({"reason": "moving away"}),
    )
    .await
    .expect(200);
    app.delete(&p.path(&format!("/patients/{patient}")), &p.reception.token)
        .await
        .expect(204);
    assert_eq!(app.count("appointments").await, 2);
}

async fn names(app: &TestApp, p: &Practice, query: &str) -> Vec<String> {
    let page = app
        .get(&p.path(&format!("/patients{query}")), &p.reception.token)
        .await
        .expect(200);
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["full_name"].as_str().expect("name").to_owned())
        .collect()
}

#[tokio::test]
async fn search_ignores_case_and_accents_and_looks_at_email_and_phone() {
    let app = spawn_app().await;
    let p = practice(&app, "Sol").await;
    app.post(
        &p.path("/patients"),
        &p.reception.token,
        full_registration(),
    )
    .await
    .expect(201);
    for name in ["José Muñoz", "ANA MARÍA PÉREZ", "Luis 100%", "Zoe Ortega"] {
        app.post(
            &p.path("/patients"),
            &p.reception.token,
            json!({"full_name": name}),
        )
        .await
        .expect(201);
    }
    assert_eq!(names(&app, &p, "?q=lopez").await, ["Ana López"]);
    assert_eq!(names(&app, &p, "?q=L%C3%93PEZ%20ana").await, ["Ana López"]);
    assert_eq!(names(&app, &p, "?q=munoz").await, ["José Muñoz"]);
    assert_eq!(
        names(&app, &p, "?q=ana").await,
        ["Ana López", "ANA MARÍA PÉREZ"]
    );
    assert_eq!(names(&app, &p, "?q=ana.lopez%40").await, ["Ana López"]);
    assert_eq!(names(&app, &p, "?q=600%20100").await, ["Ana López"]);
    // LIKE wildcards are searched for literally.
    assert_eq!(names(&app, &p, "?q=%25").await, ["Luis 100%"]);
    assert!(names(&app, &p, "?q=_").await.is_empty());
    assert_eq!(names(&app, &p, "?q=%20%20").await.len(), 5);

    // Paging by name: every patient once, in order, then no cursor.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let query = match &cursor {
            Some(c) => format!("?limit=2&cursor={c}"),
            None => "?limit=2".to_owned(),
        };
        let page = app
            .get(&p.path(&format!("/patients{query}")), &p.reception.token)
            .await
            .expect(200);
        pages += 1;
        for item in page["items"].as_array().expect("items") {
            seen.push(item["full_name"].as_str().expect("name").to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        [
            "Ana López",
            "ANA MARÍA PÉREZ",
            "José Muñoz",
            "Luis 100%",
            "Zoe Ortega"
        ]
    );

    for (query, field) in [
        ("?cursor=garbage", "cursor"),
        ("?limit=0", "limit"),
        ("?limit=201", "limit"),
    ] {
        let err = app
            .get(&p.path(&format!("/patients{query}")), &p.reception.token)
            .await
            .expect_error(422, "invalid");
        assert_eq!(err["field"], field);
    }
    assert_eq!(audits(&app, "patient.listed", None).await, 12);
}

#[tokio::test]
async fn a_doctor_sees_only_their_own_patients_and_appointments() {
    let app = spawn_app().await;
    let p = practice(&app, "Sol").await;
    let mine = insert_patient(&app, p.clinic.id, "Mine Patient").await;
    let theirs = insert_patient(&app, p.clinic.id, "Their Patient").await;
    let nobodys = insert_patient(&app, p.clinic.id, "Nobody's Patient").await;
    let last_month = Utc::now() - Duration::days(30);
    let own_visit = insert_appointment(
        &app,
        p.clinic.id,
        p.doctor_id,
        mine,
        last_month,
        30,
        "completed",
    )
    .await;
    insert_appointment(
        &app,
        p.clinic.id,
        p.other_doctor_id,
        mine,
        last_month + Duration::days(1),
        30,
        "completed",
    )
    .await;
    insert_appointment(
        &app,
        p.clinic.id,
        p.other_doctor_id,
        theirs,
        last_month,
        30,
        "completed",
    )
    .await;
    let doc = &p.doctor.token;

    let list = app.get(&p.path("/patients"), doc).await.expect(200);
    let ids: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, [mine.to_string()]);
    app.get(&p.path(&format!("/patients/{mine}")), doc)
        .await
        .expect(200);
    for other in [theirs, nobodys] {
        app.get(&p.path(&format!("/patients/{other}")), doc)
            .await
            .expect_error(404, "not_found");
        app.get(&p.path(&format!("/patients/{other}/appointments")), doc)
            .await
            .expect_error(404, "not_found");
    }
    // Their history shows the doctor's own appointments only; the desk sees both.
    let history = app
        .get(&p.path(&format!("/patients/{mine}/appointments")), doc)
        .await
        .expect(200);
    let items = history["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], own_visit.to_string());
    let history = app
        .get(
            &p.path(&format!("/patients/{mine}/appointments")),
            &p.reception.token,
        )
        .await
        .expect(200);
    assert_eq!(history["items"].as_array().expect("items").len(), 2);

    // A doctor member linked to no doctor row reaches nobody.
    let unlinked = app
        .add_staff(&p.clinic, Role::Doctor, "locum@sol.example")
        .await;
    let list = app
        .get(&p.path("/patients"), &unlinked.token)
        .await
        .expect(200);
    assert_eq!(list["items"], json!([]));
    app.get(&p.path(&format!("/patients/{mine}")), &unlinked.token)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn a_patients_history_is_newest_first_paged_and_audited() {
    let app = spawn_app().await;
    let p = practice(&app, "Sol").await;
    let patient = insert_patient(&app, p.clinic.id, "Eva Gil").await;
    let mut expected = Vec::new();
    for days in 1..=5 {
        expected.push(
            insert_appointment(
                &app,
                p.clinic.id,
                p.doctor_id,
                patient,
                Utc::now() - Duration::days(days * 7),
                30,
                "completed",
            )
            .await
            .to_string(),
        );
    }
    let path = p.path(&format!("/patients/{patient}/appointments"));
    let first = app
        .get(&format!("{path}?limit=3"), &p.reception.token)
        .await
        .expect(200);
    let cursor = first["next_cursor"].as_str().expect("more");
    let second = app
        .get(
            &format!("{path}?limit=3&cursor={cursor}"),
            &p.reception.token,
        )
        .await
        .expect(200);
    assert!(second["next_cursor"].is_null());
    let got: Vec<String> = first["items"]
        .as_array()
        .expect("items")
        .iter()
        .chain(second["items"].as_array().expect("items"))
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(got, expected, "newest first");
    assert_eq!(first["items"][0]["patient_name"], "Eva Gil");
    assert_eq!(first["items"][0]["doctor_name"], "Dr Ana Ruiz");
    assert_eq!(audits(&app, "patient.history_read", Some(patient)).await, 2);
}

#[tokio::test]
async fn doctors_write_and_read_clinical_notes_and_nobody_else_does() {
    let app = spawn_app().await;
    let p = practice(&app, "Sol").await;
    let mine = insert_patient(&app, p.clinic.id, "Mine Patient").await;
    let theirs = insert_patient(&app, p.clinic.id, "Their Patient").await;
    insert_appointment(
        &app,
        p.clinic.id,
        p.doctor_id,
        mine,
        Utc::now() - Duration::days(1),
        30,
        "completed",
    )
    .await;
    let notes = p.path(&format!("/patients/{mine}/notes"));

    let first = app
        .post(
            &notes,
            &p.doctor.token,
            json!({"body": "  BP 120/80.\n\tNo complaints.  "}),
        )
        .await
        .expect(201);
    assert_eq!(first["body"], "BP 120/80.\n\tNo complaints.");
    assert_eq!(first["patient_id"], mine.to_string());
    assert_eq!(first["author_id"], p.doctor.user_id.to_string());
    assert_eq!(first["author_name"], "doctor doctor@sol.example");
    assert!(first["created_at"].is_string());
    let second = app
        .post(
            &notes,
            &p.doctor.token,
            json!({"body": "Follow-up in 2 weeks."}),
        )
        .await
        .expect(201);
    let list = app.get(&notes, &p.doctor.token).await.expect(200);
    assert_eq!(list["items"][0], second, "newest first");
    assert_eq!(list["items"][1], first);
    assert_eq!(audits(&app, "clinical_notes.read", Some(mine)).await, 1);
    assert_eq!(audits(&app, "clinical_note.written", None).await, 2);

    // Reception cannot read clinical notes; nor can the admin or a worker.
    for role in [Role::Reception, Role::Admin, Role::Worker] {
        app.get(&notes, p.token(role))
            .await
            .expect_error(403, "not_permitted");
        app.post(&notes, p.token(role), json!({"body": "sneaky"}))
            .await
            .expect_error(403, "not_permitted");
    }
    // Nor does patient reading leak them.
    let patient = app
        .get(&p.path(&format!("/patients/{mine}")), &p.reception.token)
        .await
        .expect(200);
    assert!(!patient.to_string().contains("BP 120/80"));

    // A doctor's reach stops at their own patients.
    let others = p.path(&format!("/patients/{theirs}/notes"));
    app.get(&others, &p.doctor.token)
        .await
        .expect_error(404, "not_found");
    app.post(&others, &p.doctor.token, json!({"body": "wrong file"}))
        .await
        .expect_error(404, "not_found");

    // Bad notes.
    for body in [
        json!({"body": "  "}),
        json!({"body": "a\u{0007}b"}),
        json!({}),
    ] {
        app.post(&notes, &p.doctor.token, body)
            .await
            .expect_error(422, "invalid");
    }
    app.post(&notes, &p.doctor.token, json!({"body": "x".repeat(20_001)}))
        .await
        .expect_error(422, "invalid");
    assert_eq!(app.count("clinical_notes").await, 2);
}

/// Every patient endpoint × every role, per the role table; a member of
/// another clinic gets 404 everywhere.
#[tokio::test]
async fn patient_endpoints_enforce_the_role_table() {
    let app = spawn_app().await;
    let p = practice(&app, "Sol").await;
    let own = insert_patient(&app, p.clinic.id, "Own Patient").await;
    insert_appointment(
        &app,
        p.clinic.id,
        p.doctor_id,
        own,
        Utc::now() - Duration::days(1),
        30,
        "completed",
    )
    .await;
    let stranger = practice(&app, "Luna").await;

    // (method, path after /patients, body, [admin, doctor, reception, worker])
    // `{own}` is the doctor's patient; `{fresh}` a new patient per call.
    let table: [(Method, &str, Option<Value>, [u16; 4]); 8] = [
        (Method::GET, "", None, [200, 200, 200, 403]),
        (
            Method::POST,
            "",
            Some(json!({"full_name": "New Patient"})),
            [201, 403, 201, 403],
        ),
        (Method::GET, "/{own}", None, [200, 200, 200, 403]),
        (
            Method::PATCH,
            "/{fresh}",
            Some(json!({"phone": "600 000 000"})),
            [200, 403, 200, 403],
        ),
        (Method::DELETE, "/{fresh}", None, [204, 403, 204, 403]),
        (
            Method::GET,
            "/{own}/appointments",
            None,
            [200, 200, 200, 403],
        ),
        (Method::GET, "/{own}/notes", None, [403, 200, 403, 403]),
        (
            Method::POST,
            "/{own}/notes",
            Some(json!({"body": "note"})),
            [403, 201, 403, 403],
        ),
    ];
    let fingerprint = || async {
        sqlx::query_scalar::<_, String>(
            "SELECT (SELECT count(*) FROM patients) || '/' || (SELECT coalesce(sum(version), 0) FROM patients)
                    || '/' || (SELECT count(*) FROM clinical_notes)",
        )
        .fetch_one(&app.db)
        .await
        .expect("fingerprint")
    };
    for (method, rest, body, expected) in &table {
        for (role, want) in Role::ALL.into_iter().zip(expected) {
            let fresh = insert_patient(&app, p.clinic.id, "Fresh Patient").await;
            let rest = rest
                .replace("{own}", &own.to_string())
                .replace("{fresh}", &fresh.to_string());
            let path = p.path(&format!("/patients{rest}"));
            let before = fingerprint().await;
            let res = app
                .call(method.clone(), &path, Some(p.token(role)), body.clone())
                .await;
            assert_eq!(
                res.status.as_u16(),
                *want,
                "{method} {rest} as {role}: {}",
                res.body
            );
            if *want == 403 {
                assert_eq!(res.code(), "not_permitted");
                assert_eq!(
                    fingerprint().await,
                    before,
                    "{method} {rest} as {role} wrote"
                );
            }

            // The same request from a member of another clinic: 404, nothing written.
            let before = fingerprint().await;
            let res = app
                .call(
                    method.clone(),
                    &path,
                    Some(stranger.token(role)),
                    body.clone(),
                )
                .await;
            assert_eq!(res.status.as_u16(), 404, "{method} {rest} as Luna's {role}");
            assert_eq!(res.code(), "not_found");
            assert_eq!(fingerprint().await, before);
        }
    }
    // Without a session: 401.
    app.call(Method::GET, &p.path("/patients"), None, None)
        .await
        .expect_error(401, "unauthenticated");
}
