//! The clinic itself, its staff, invitations and the audit log.

mod common;

use clinic_core::{Permission, Role};
use common::people::Invited;
use common::{Clinic, PASSWORD, Staff, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::HashSet;
use uuid::Uuid;

fn id_of(v: &Value) -> Uuid {
    v.as_str().expect("id").parse().expect("uuid")
}

async fn clinic_name(app: &TestApp, clinic: &Clinic) -> String {
    sqlx::query_scalar("SELECT name FROM clinics WHERE id = $1")
        .bind(clinic.id)
        .fetch_one(&app.db)
        .await
        .expect("clinic")
}

// ---------------------------------------------------------------- clinic

#[tokio::test]
async fn reading_and_changing_the_clinic() {
    let app = spawn_app().await;
    let clinic = app.signup("Clínica Sol", "sol@example.com").await;
    let view = app
        .get(&clinic.path(""), &clinic.admin.token)
        .await
        .expect(200);
    assert_eq!(view["id"], clinic.id.to_string());
    assert_eq!(view["name"], "Clínica Sol");
    assert_eq!(view["time_zone"], "Europe/Madrid");
    assert_eq!(view["locale"], "en");
    assert_eq!(view["currency"], "EUR");

    let version_before: i64 = sqlx::query_scalar("SELECT version FROM clinics")
        .fetch_one(&app.db)
        .await
        .expect("version");
    let changed = app
        .patch(
            &clinic.path(""),
            &clinic.admin.token,
            json!({"name": "  Clínica Luna ", "locale": "es", "time_zone": "America/Mexico_City"}),
        )
        .await
        .expect(200);
    assert_eq!(changed["name"], "Clínica Luna");
    assert_eq!(changed["locale"], "es");
    assert_eq!(changed["time_zone"], "America/Mexico_City");
    assert_eq!(changed["currency"], "EUR", "untouched fields stay");
    assert_eq!(changed["created_at"], view["created_at"]);
    assert_eq!(
        app.get(&clinic.path(""), &clinic.admin.token)
            .await
            .expect(200),
        changed
    );
    // A change is a new sync version, and is audited.
    let version_after: i64 = sqlx::query_scalar("SELECT version FROM clinics")
        .fetch_one(&app.db)
        .await
        .expect("version");
    assert!(version_after > version_before);
    let audit = app.audit_records(clinic.id).await;
    let last = audit.last().expect("entry");
    assert_eq!(last.action, "clinic.updated");
    assert_eq!(last.entity, "clinic");
    assert_eq!(last.entity_id, Some(clinic.id));
    assert_eq!(last.actor_id, Some(clinic.admin.user_id));

    // Changing nothing writes nothing; naming no change at all is refused
    // (a body that names no field is a client's mistake).
    let entries = audit.len();
    app.patch(
        &clinic.path(""),
        &clinic.admin.token,
        json!({"name": "Clínica Luna"}),
    )
    .await
    .expect(200);
    app.patch(&clinic.path(""), &clinic.admin.token, json!({}))
        .await
        .expect_error(422, "invalid");
    assert_eq!(app.audit_records(clinic.id).await.len(), entries);
}

#[tokio::test]
async fn bad_clinic_changes_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let clinic = app.signup("Norte", "norte@example.com").await;
    let before = app
        .get(&clinic.path(""), &clinic.admin.token)
        .await
        .expect(200);
    for (body, field) in [
        (json!({"name": "  "}), Some("name")),
        (json!({"name": "x".repeat(201)}), Some("name")),
        (json!({"time_zone": "Mars/Olympus"}), Some("time_zone")),
        (json!({"locale": "fr"}), Some("locale")),
        (json!({"currency": "EURO"}), Some("currency")),
        (json!({"nmae": "typo"}), None),
        (json!({"name": 42}), None),
    ] {
        let err = app
            .patch(&clinic.path(""), &clinic.admin.token, body.clone())
            .await
            .expect_error(422, "invalid");
        if let Some(field) = field {
            assert_eq!(err["field"], field, "{body}: {err}");
        }
    }
    assert_eq!(
        app.get(&clinic.path(""), &clinic.admin.token)
            .await
            .expect(200),
        before
    );
    assert_eq!(app.audit_count(clinic.id, "clinic.updated").await, 0);
    // A clinic id that is not an id.
    app.get("/v1/clinics/not-an-id", &clinic.admin.token)
        .await
        .expect_error(422, "invalid");
}

#[tokio::test]
async fn a_signed_in_user_opens_another_clinic_and_owns_it() {
    let app = spawn_app().await;
    let first = app.signup("First", "first@example.com").await;
    let doctor = app.add_staff(&first, Role::Doctor, "doc@example.com").await;

    let created = app
        .post(
            "/v1/clinics",
            &doctor.token,
            json!({"name": "Doc's Practice", "time_zone": "Europe/Lisbon", "locale": "es", "currency": "usd"}),
        )
        .await
        .expect(201);
    let second = id_of(&created["id"]);
    assert_ne!(second, first.id);
    assert_eq!(created["name"], "Doc's Practice");
    assert_eq!(created["currency"], "USD");
    assert_eq!(created["locale"], "es");

    // The doctor of the first clinic is the owner admin of the second.
    let me = app.get("/v1/me", &doctor.token).await.expect(200);
    let memberships = me["memberships"].as_array().expect("list");
    assert_eq!(memberships.len(), 2, "{me}");
    let mine = memberships
        .iter()
        .find(|m| m["clinic_id"] == second.to_string())
        .expect("new clinic listed");
    assert_eq!(mine["role"], "admin");
    assert_eq!(mine["is_owner"], true);
    let theirs = memberships
        .iter()
        .find(|m| m["clinic_id"] == first.id.to_string())
        .expect("old clinic listed");
    assert_eq!(theirs["role"], "doctor");
    let path = format!("/v1/clinics/{second}");
    assert_eq!(app.get(&path, &doctor.token).await.expect(200), created);
    app.get(&format!("{path}/staff"), &doctor.token)
        .await
        .expect(200);
    // ... but still only a doctor in the first.
    app.get(&first.path("/staff"), &doctor.token)
        .await
        .expect_error(403, "not_permitted");
    // The new clinic has its own sync counter, like a signed-up one.
    let counters: i64 =
        sqlx::query_scalar("SELECT count(*) FROM clinic_sync_counters WHERE clinic_id = $1")
            .bind(second)
            .fetch_one(&app.db)
            .await
            .expect("count");
    assert_eq!(counters, 1);
    let audit = app.audit_records(second).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "clinic.created");
    assert_eq!(audit[0].entity_id, Some(second));
    assert_eq!(audit[0].actor_id, Some(doctor.user_id));
    let device: Option<Uuid> =
        sqlx::query_scalar("SELECT device_id FROM audit_log WHERE clinic_id = $1")
            .bind(second)
            .fetch_one(&app.db)
            .await
            .expect("device");
    assert!(device.is_some(), "the device that did it is recorded");
}

#[tokio::test]
async fn bad_new_clinics_are_refused_and_write_nothing() {
    let app = spawn_app().await;
    let clinic = app.signup("Only", "only@example.com").await;
    let good =
        json!({"name": "Second", "time_zone": "Europe/Madrid", "locale": "en", "currency": "EUR"});
    for (key, value) in [
        ("name", json!("")),
        ("time_zone", json!("Nowhere/Land")),
        ("locale", json!("de")),
        ("currency", json!("XYZ1")),
    ] {
        let mut body = good.clone();
        body[key] = value;
        let err = app
            .post("/v1/clinics", &clinic.admin.token, body)
            .await
            .expect_error(422, "invalid");
        assert_eq!(err["field"], key);
    }
    app.post(
        "/v1/clinics",
        &clinic.admin.token,
        json!({"name": "No zone"}),
    )
    .await
    .expect_error(422, "invalid");
    app.call(Method::POST, "/v1/clinics", None, Some(good.clone()))
        .await
        .expect_error(401, "unauthenticated");
    app.post("/v1/clinics", "cds_forged", good)
        .await
        .expect_error(401, "unauthenticated");
    assert_eq!(app.count("clinics").await, 1);
    assert_eq!(app.count("memberships").await, 1);
    assert_eq!(app.count("audit_log").await, 1, "only the sign-up");
}

// ---------------------------------------------------------------- staff

#[tokio::test]
async fn the_staff_list_pages_alphabetically_and_filters_by_role() {
    let app = spawn_app().await;
    let clinic = app.signup("Big", "owner@example.com").await;
    let mut expected = vec![(clinic.admin.user_id, "admin")];
    for (i, role) in [
        Role::Doctor,
        Role::Doctor,
        Role::Reception,
        Role::Worker,
        Role::Doctor,
    ]
    .into_iter()
    .enumerate()
    {
        let s = app
            .add_staff(&clinic, role, &format!("staff{i}@example.com"))
            .await;
        expected.push((s.user_id, role.as_str()));
    }
    // Another clinic's people never show.
    app.signup("Elsewhere", "else@example.com").await;

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => clinic.path(&format!("/staff?limit=2&cursor={c}")),
            None => clinic.path("/staff?limit=2"),
        };
        let page = app.get(&path, &clinic.admin.token).await.expect(200);
        pages += 1;
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= 2);
        seen.extend(items.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), expected.len());
    let names: Vec<String> = seen
        .iter()
        .map(|m| m["full_name"].as_str().expect("name").to_lowercase())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "alphabetical");
    let ids: HashSet<Uuid> = seen.iter().map(|m| id_of(&m["user_id"])).collect();
    assert_eq!(ids, expected.iter().map(|(id, _)| *id).collect());
    let owner = seen
        .iter()
        .find(|m| id_of(&m["user_id"]) == clinic.admin.user_id)
        .expect("owner");
    assert_eq!(owner["email"], "owner@example.com");
    assert_eq!(owner["role"], "admin");
    assert_eq!(owner["is_owner"], true);
    assert!(owner["joined_at"].as_str().is_some());
    assert!(
        seen.iter()
            .filter(|m| id_of(&m["user_id"]) != clinic.admin.user_id)
            .all(|m| m["is_owner"] == false)
    );

    let doctors = app
        .get(&clinic.path("/staff?role=doctor"), &clinic.admin.token)
        .await
        .expect(200);
    let doctors = doctors["items"].as_array().expect("items");
    assert_eq!(doctors.len(), 3);
    assert!(doctors.iter().all(|m| m["role"] == "doctor"));

    for (query, field) in [
        ("role=owner", "role"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("cursor=garbage", "cursor"),
    ] {
        let err = app
            .get(
                &clinic.path(&format!("/staff?{query}")),
                &clinic.admin.token,
            )
            .await
            .expect_error(422, "invalid");
        assert_eq!(err["field"], field, "{query}");
    }
}

#[tokio::test]
async fn changing_a_members_role() {
    let app = spawn_app().await;
    let clinic = app.signup("Roles", "roles@example.com").await;
    let doctor = app
        .add_staff(&clinic, Role::Doctor, "doc@example.com")
        .await;
    let path = clinic.path(&format!("/staff/{}", doctor.user_id));

    let changed = app
        .patch(&path, &clinic.admin.token, json!({"role": "reception"}))
        .await
        .expect(200);
    assert_eq!(changed["role"], "reception");
    assert_eq!(changed["user_id"], doctor.user_id.to_string());
    assert_eq!(changed["email"], "doc@example.com");
    assert_eq!(
        app.role_in(clinic.id, doctor.user_id).await.as_deref(),
        Some("reception")
    );
    // The new role applies at once to the same session.
    app.get(&clinic.path("/staff"), &doctor.token)
        .await
        .expect_error(403, "not_permitted");
    let audit = app.audit_records(clinic.id).await;
    let last = audit.last().expect("entry");
    assert_eq!(
        (last.action.as_str(), last.entity.as_str(), last.entity_id),
        ("staff.role_changed", "staff", Some(doctor.user_id))
    );

    // Promoted to admin, they can manage staff.
    app.patch(&path, &clinic.admin.token, json!({"role": "admin"}))
        .await
        .expect(200);
    app.get(&clinic.path("/staff"), &doctor.token)
        .await
        .expect(200);

    // The same role again changes nothing.
    let entries = app.audit_records(clinic.id).await.len();
    app.patch(&path, &clinic.admin.token, json!({"role": "admin"}))
        .await
        .expect(200);
    assert_eq!(app.audit_records(clinic.id).await.len(), entries);

    // Bad input.
    for body in [
        json!({"role": "owner"}),
        json!({}),
        json!({"role": "doctor", "is_owner": true}),
    ] {
        app.patch(&path, &clinic.admin.token, body)
            .await
            .expect_error(422, "invalid");
    }
    app.patch(
        &clinic.path(&format!("/staff/{}", Uuid::now_v7())),
        &clinic.admin.token,
        json!({"role": "doctor"}),
    )
    .await
    .expect_error(404, "not_found");
    // Someone of another clinic is not found here either.
    let other = app.signup("Other", "other@example.com").await;
    app.patch(
        &clinic.path(&format!("/staff/{}", other.admin.user_id)),
        &clinic.admin.token,
        json!({"role": "doctor"}),
    )
    .await
    .expect_error(404, "not_found");
    assert_eq!(
        app.role_in(other.id, other.admin.user_id).await.as_deref(),
        Some("admin")
    );
    assert_eq!(
        app.role_in(clinic.id, doctor.user_id).await.as_deref(),
        Some("admin")
    );
    assert_eq!(app.audit_records(clinic.id).await.len(), entries);
}

#[tokio::test]
async fn the_clinic_always_keeps_an_admin_and_its_owner() {
    let app = spawn_app().await;
    let clinic = app.signup("Guarded", "owner@example.com").await;
    let owner = &clinic.admin;
    let owner_path = clinic.path(&format!("/staff/{}", owner.user_id));

    // Alone, the owner can neither step down nor leave.
    let err = app
        .patch(&owner_path, &owner.token, json!({"role": "doctor"}))
        .await
        .expect_error(409, "conflict");
    assert!(
        err["message"].as_str().expect("msg").contains("last admin"),
        "{err}"
    );
    app.delete(&owner_path, &owner.token)
        .await
        .expect_error(409, "conflict");

    // Another admin may not demote or remove the owner.
    let second = app
        .add_staff(&clinic, Role::Admin, "second@example.com")
        .await;
    let second_path = clinic.path(&format!("/staff/{}", second.user_id));
    app.patch(&owner_path, &second.token, json!({"role": "reception"}))
        .await
        .expect_error(403, "not_permitted");
    app.delete(&owner_path, &second.token)
        .await
        .expect_error(403, "not_permitted");
    assert_eq!(
        app.role_in(clinic.id, owner.user_id).await.as_deref(),
        Some("admin")
    );

    // The owner may step down now that another admin stays; they stay owner.
    let stepped = app
        .patch(&owner_path, &owner.token, json!({"role": "doctor"}))
        .await
        .expect(200);
    assert_eq!(stepped["role"], "doctor");
    assert_eq!(stepped["is_owner"], true);
    // Now the second admin is the last one.
    app.patch(&second_path, &second.token, json!({"role": "doctor"}))
        .await
        .expect_error(409, "conflict");
    app.delete(&second_path, &second.token)
        .await
        .expect_error(409, "conflict");
    // Their role is still theirs to choose...
    app.patch(&owner_path, &second.token, json!({"role": "reception"}))
        .await
        .expect_error(403, "not_permitted");
    // ... but making them admin again takes nothing away: allowed.
    app.patch(&owner_path, &second.token, json!({"role": "admin"}))
        .await
        .expect(200);
    // An admin who is not the last may leave by themselves.
    app.delete(&second_path, &second.token).await.expect(204);
    assert_eq!(app.role_in(clinic.id, second.user_id).await, None);
    assert_eq!(app.audit_count(clinic.id, "staff.role_changed").await, 2);
    assert_eq!(app.audit_count(clinic.id, "staff.removed").await, 1);
}

#[tokio::test]
async fn concurrent_demotions_never_leave_the_clinic_without_an_admin() {
    let app = spawn_app().await;
    let clinic = app.signup("Race", "owner@example.com").await;
    let owner = &clinic.admin;
    let other = app
        .add_staff(&clinic, Role::Admin, "other@example.com")
        .await;
    let owner_path = clinic.path(&format!("/staff/{}", owner.user_id));
    let other_path = clinic.path(&format!("/staff/{}", other.user_id));
    for round in 0..6 {
        // Each admin steps down (or, every other round, the second one leaves)
        // at the same moment: exactly one of them may succeed.
        let (a, b) = if round % 2 == 0 {
            futures::join!(
                app.patch(&owner_path, &owner.token, json!({"role": "doctor"})),
                app.patch(&other_path, &other.token, json!({"role": "worker"})),
            )
        } else {
            futures::join!(
                app.patch(&owner_path, &owner.token, json!({"role": "doctor"})),
                app.delete(&other_path, &other.token),
            )
        };
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort();
        assert!(
            statuses == [200, 409] || statuses == [204, 409],
            "round {round}: {a:?} / {b:?}"
        );
        let admins: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM memberships WHERE clinic_id = $1 AND role = 'admin'",
        )
        .bind(clinic.id)
        .fetch_one(&app.db)
        .await
        .expect("count");
        assert_eq!(admins, 1, "round {round}");
        // Back to two admins for the next round.
        sqlx::query(
            "INSERT INTO memberships (clinic_id, user_id, role) VALUES ($1, $2, 'admin')
             ON CONFLICT (clinic_id, user_id) DO UPDATE SET role = 'admin'",
        )
        .bind(clinic.id)
        .bind(other.user_id)
        .execute(&app.db)
        .await
        .expect("restore");
        sqlx::query("UPDATE memberships SET role = 'admin' WHERE clinic_id = $1")
            .bind(clinic.id)
            .execute(&app.db)
            .await
            .expect("restore");
    }
}

#[tokio::test]
async fn a_removed_member_keeps_their_account_but_loses_the_clinic() {
    let app = spawn_app().await;
    let clinic = app.signup("Leaving", "owner@example.com").await;
    let doctor = app
        .add_staff(&clinic, Role::Doctor, "doc@example.com")
        .await;
    // The doctor also works elsewhere, and is linked to a doctor record here.
    let elsewhere = app.signup("Elsewhere", "else@example.com").await;
    sqlx::query("INSERT INTO memberships (clinic_id, user_id, role) VALUES ($1, $2, 'doctor')")
        .bind(elsewhere.id)
        .bind(doctor.user_id)
        .execute(&app.db)
        .await
        .expect("second membership");
    let doctor_record = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO doctors (clinic_id, id, user_id, full_name) VALUES ($1, $2, $3, 'Dr. Who')",
    )
    .bind(clinic.id)
    .bind(doctor_record)
    .bind(doctor.user_id)
    .execute(&app.db)
    .await
    .expect("doctor record");

    let path = clinic.path(&format!("/staff/{}", doctor.user_id));
    app.delete(&path, &clinic.admin.token).await.expect(204);

    assert_eq!(app.role_in(clinic.id, doctor.user_id).await, None);
    assert_eq!(
        app.role_in(elsewhere.id, doctor.user_id).await.as_deref(),
        Some("doctor")
    );
    // Still signed in, but this clinic is gone for them.
    let me = app.get("/v1/me", &doctor.token).await.expect(200);
    let clinics: Vec<&str> = me["memberships"]
        .as_array()
        .expect("list")
        .iter()
        .map(|m| m["clinic_id"].as_str().expect("id"))
        .collect();
    assert_eq!(clinics, vec![elsewhere.id.to_string().as_str()]);
    app.get(&clinic.path(""), &doctor.token)
        .await
        .expect_error(404, "not_found");
    app.get(&format!("/v1/clinics/{}", elsewhere.id), &doctor.token)
        .await
        .expect(200);
    // The doctor record stays (its history does) but no longer signs in as them.
    let linked: Option<Uuid> =
        sqlx::query_scalar("SELECT user_id FROM doctors WHERE clinic_id = $1 AND id = $2")
            .bind(clinic.id)
            .bind(doctor_record)
            .fetch_one(&app.db)
            .await
            .expect("doctor record kept");
    assert_eq!(linked, None);
    let last = app.audit_records(clinic.id).await.pop().expect("entry");
    assert_eq!(
        (last.action.as_str(), last.entity_id),
        ("staff.removed", Some(doctor.user_id))
    );

    // Gone is gone.
    app.delete(&path, &clinic.admin.token)
        .await
        .expect_error(404, "not_found");
    app.delete(
        &clinic.path(&format!("/staff/{}", elsewhere.admin.user_id)),
        &clinic.admin.token,
    )
    .await
    .expect_error(404, "not_found");
    assert_eq!(app.audit_count(clinic.id, "staff.removed").await, 1);
}

// ---------------------------------------------------------------- invitations

#[tokio::test]
async fn an_invitation_queues_its_mail_in_the_same_transaction() {
    let app = spawn_app().await;
    let clinic = app.signup("Invites", "owner@example.com").await;
    sqlx::query("UPDATE clinics SET locale = 'es'")
        .execute(&app.db)
        .await
        .expect("locale");
    let view = app
        .post(
            &clinic.path("/invitations"),
            &clinic.admin.token,
            json!({"email": " New.Doc@Example.com", "role": "doctor"}),
        )
        .await
        .expect(201);
    let id = id_of(&view["id"]);
    assert_eq!(view["email"], "new.doc@example.com");
    assert_eq!(view["role"], "doctor");
    assert_eq!(view["invited_by"], clinic.admin.user_id.to_string());
    let created: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(view["created_at"].clone()).expect("created_at");
    let expires: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(view["expires_at"].clone()).expect("expires_at");
    let ttl = (expires - created).num_hours();
    assert!((7 * 24 - 1..=7 * 24).contains(&ttl), "{ttl}h");

    let (kind, to, locale, payload, key, status): (String, String, String, Value, String, String) =
        sqlx::query_as(
            "SELECT kind, to_email, locale, payload, idempotency_key, status FROM email_outbox",
        )
        .fetch_one(&app.db)
        .await
        .expect("one mail");
    assert_eq!(kind, "staff_invitation");
    assert_eq!(to, "new.doc@example.com");
    assert_eq!(locale, "es", "the clinic's language");
    assert_eq!(key, format!("invitation:{id}"));
    assert_eq!(status, "pending");
    assert_eq!(payload["clinic_name"], "Invites");
    assert_eq!(payload["role"], "doctor");
    assert_eq!(payload["inviter_name"], "Owner of Invites");
    assert_eq!(payload["expires_at"], view["expires_at"]);
    let token = payload["token"].as_str().expect("token");
    assert!(token.starts_with("cdi_"));
    // Only the token's digest is kept with the invitation.
    let matches: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM invitations WHERE id = $1 AND token_hash = sha256($2::bytea)",
    )
    .bind(id)
    .bind(token.as_bytes())
    .fetch_one(&app.db)
    .await
    .expect("count");
    assert_eq!(matches, 1);
    let last = app.audit_records(clinic.id).await.pop().expect("entry");
    assert_eq!(
        (last.action.as_str(), last.entity.as_str(), last.entity_id),
        ("invitation.created", "invitation", Some(id))
    );

    let open = app
        .get(&clinic.path("/invitations"), &clinic.admin.token)
        .await
        .expect(200);
    assert_eq!(open["items"].as_array().expect("items").len(), 1);
    assert_eq!(open["items"][0], view);
    assert_eq!(open["next_cursor"], Value::Null);
}

#[tokio::test]
async fn bad_invitations_are_refused_and_write_nothing() {
    let app = spawn_app().await;
    let clinic = app.signup("Strict", "owner@example.com").await;
    app.add_staff(&clinic, Role::Reception, "desk@example.com")
        .await;
    let audit_before = app.count("audit_log").await;
    let err = app
        .post(
            &clinic.path("/invitations"),
            &clinic.admin.token,
            json!({"email": "not-an-email", "role": "doctor"}),
        )
        .await
        .expect_error(422, "invalid");
    assert_eq!(err["field"], "email");
    for body in [
        json!({"email": "a@example.com", "role": "owner"}),
        json!({"email": "a@example.com"}),
        json!({"role": "doctor"}),
    ] {
        app.post(&clinic.path("/invitations"), &clinic.admin.token, body)
            .await
            .expect_error(422, "invalid");
    }
    // Already a member (whatever the case of the address).
    for email in ["desk@example.com", "OWNER@example.com"] {
        let err = app
            .post(
                &clinic.path("/invitations"),
                &clinic.admin.token,
                json!({"email": email, "role": "doctor"}),
            )
            .await
            .expect_error(409, "conflict");
        assert!(
            err["message"]
                .as_str()
                .expect("msg")
                .contains("already a member"),
            "{err}"
        );
    }
    assert_eq!(app.count("invitations").await, 0);
    assert_eq!(app.count("email_outbox").await, 0);
    assert_eq!(app.count("audit_log").await, audit_before);
}

#[tokio::test]
async fn inviting_again_replaces_the_open_invitation() {
    let app = spawn_app().await;
    let clinic = app.signup("Resend", "owner@example.com").await;
    let first = app
        .invite(&clinic, &clinic.admin, "ana@example.com", Role::Doctor)
        .await;
    let second = app
        .invite(&clinic, &clinic.admin, "Ana@example.com", Role::Reception)
        .await;
    assert_ne!(first.id, second.id);
    assert_ne!(first.token, second.token);

    // One open invitation, with the latest role; the first is revoked and its
    // unsent mail withdrawn (it held a link that no longer works).
    let open = app
        .get(&clinic.path("/invitations"), &clinic.admin.token)
        .await
        .expect(200);
    let items = open["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(id_of(&items[0]["id"]), second.id);
    assert_eq!(items[0]["role"], "reception");
    let revoked: bool =
        sqlx::query_scalar("SELECT revoked_at IS NOT NULL FROM invitations WHERE id = $1")
            .bind(first.id)
            .fetch_one(&app.db)
            .await
            .expect("first");
    assert!(revoked);
    let mails: Vec<String> = sqlx::query_scalar("SELECT idempotency_key FROM email_outbox")
        .fetch_all(&app.db)
        .await
        .expect("mails");
    assert_eq!(mails, vec![format!("invitation:{}", second.id)]);
    let records = app.audit_records(clinic.id).await;
    assert!(
        records
            .iter()
            .any(|r| r.action == "invitation.revoked" && r.entity_id == Some(first.id))
    );

    // A mail already sent stays as a record of what went out.
    sqlx::query("UPDATE email_outbox SET status = 'sent'")
        .execute(&app.db)
        .await
        .expect("sent");
    let third = app
        .invite(&clinic, &clinic.admin, "ana@example.com", Role::Reception)
        .await;
    assert_eq!(app.count("email_outbox").await, 2);

    // Only the newest link works.
    for old in [&first.token, &second.token] {
        app.accept_invitation(old, Some("Ana"), PASSWORD)
            .await
            .expect_error(404, "not_found");
    }
    let granted = app
        .accept_invitation(&third.token, Some("Ana"), PASSWORD)
        .await
        .expect(200);
    assert_eq!(granted["memberships"][0]["role"], "reception");

    // An expired, never revoked invitation is replaced as well.
    let fourth = app
        .invite(&clinic, &clinic.admin, "bob@example.com", Role::Worker)
        .await;
    sqlx::query("UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE id = $1")
        .bind(fourth.id)
        .execute(&app.db)
        .await
        .expect("expire");
    let fifth = app
        .invite(&clinic, &clinic.admin, "bob@example.com", Role::Worker)
        .await;
    app.accept_invitation(&fifth.token, Some("Bob"), PASSWORD)
        .await
        .expect(200);
}

#[tokio::test]
async fn revoking_an_invitation() {
    let app = spawn_app().await;
    let clinic = app.signup("Revoke", "owner@example.com").await;
    let invited = app
        .invite(&clinic, &clinic.admin, "eve@example.com", Role::Doctor)
        .await;
    let path = clinic.path(&format!("/invitations/{}", invited.id));
    app.delete(&path, &clinic.admin.token).await.expect(204);
    let open = app
        .get(&clinic.path("/invitations"), &clinic.admin.token)
        .await
        .expect(200);
    assert_eq!(open["items"], json!([]));
    assert_eq!(app.count("email_outbox").await, 0, "unsent mail withdrawn");
    let last = app.audit_records(clinic.id).await.pop().expect("entry");
    assert_eq!(
        (last.action.as_str(), last.entity_id),
        ("invitation.revoked", Some(invited.id))
    );
    app.accept_invitation(&invited.token, Some("Eve"), PASSWORD)
        .await
        .expect_error(404, "not_found");

    // Not open any more, never existed, or belongs to another clinic: 404.
    app.delete(&path, &clinic.admin.token)
        .await
        .expect_error(404, "not_found");
    app.delete(
        &clinic.path(&format!("/invitations/{}", Uuid::now_v7())),
        &clinic.admin.token,
    )
    .await
    .expect_error(404, "not_found");
    let other = app.signup("Other", "other@example.com").await;
    let theirs = app
        .invite(&other, &other.admin, "eve@example.com", Role::Doctor)
        .await;
    app.delete(
        &clinic.path(&format!("/invitations/{}", theirs.id)),
        &clinic.admin.token,
    )
    .await
    .expect_error(404, "not_found");
    let expired = app
        .invite(&clinic, &clinic.admin, "old@example.com", Role::Doctor)
        .await;
    sqlx::query("UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1")
        .bind(expired.id)
        .execute(&app.db)
        .await
        .expect("expire");
    app.delete(
        &clinic.path(&format!("/invitations/{}", expired.id)),
        &clinic.admin.token,
    )
    .await
    .expect_error(404, "not_found");
    let accepted = app
        .invite(&clinic, &clinic.admin, "yes@example.com", Role::Doctor)
        .await;
    app.accept_invitation(&accepted.token, Some("Yes"), PASSWORD)
        .await
        .expect(200);
    app.delete(
        &clinic.path(&format!("/invitations/{}", accepted.id)),
        &clinic.admin.token,
    )
    .await
    .expect_error(404, "not_found");
    let still_open: bool =
        sqlx::query_scalar("SELECT revoked_at IS NULL FROM invitations WHERE id = $1")
            .bind(theirs.id)
            .fetch_one(&app.db)
            .await
            .expect("theirs");
    assert!(still_open, "another clinic's invitation is untouched");
    assert_eq!(app.audit_count(clinic.id, "invitation.revoked").await, 1);
}

#[tokio::test]
async fn the_invitation_list_shows_only_open_ones_newest_first() {
    let app = spawn_app().await;
    let clinic = app.signup("List", "owner@example.com").await;
    let mut made = Vec::new();
    for i in 0..5 {
        made.push(
            app.invite(
                &clinic,
                &clinic.admin,
                &format!("p{i}@example.com"),
                Role::Reception,
            )
            .await,
        );
    }
    // One accepted, one revoked, one expired: two stay open.
    app.accept_invitation(&made[0].token, Some("Zero"), PASSWORD)
        .await
        .expect(200);
    app.delete(
        &clinic.path(&format!("/invitations/{}", made[1].id)),
        &clinic.admin.token,
    )
    .await
    .expect(204);
    sqlx::query("UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1")
        .bind(made[2].id)
        .execute(&app.db)
        .await
        .expect("expire");
    let first = app
        .get(&clinic.path("/invitations?limit=1"), &clinic.admin.token)
        .await
        .expect(200);
    assert_eq!(id_of(&first["items"][0]["id"]), made[4].id);
    let cursor = first["next_cursor"].as_str().expect("more");
    let second = app
        .get(
            &clinic.path(&format!("/invitations?limit=1&cursor={cursor}")),
            &clinic.admin.token,
        )
        .await
        .expect(200);
    assert_eq!(id_of(&second["items"][0]["id"]), made[3].id);
    if let Some(cursor) = second["next_cursor"].as_str() {
        let third = app
            .get(
                &clinic.path(&format!("/invitations?limit=1&cursor={cursor}")),
                &clinic.admin.token,
            )
            .await
            .expect(200);
        assert_eq!(third["items"], json!([]));
    }
    let err = app
        .get(
            &clinic.path("/invitations?cursor=AAAA"),
            &clinic.admin.token,
        )
        .await
        .expect_error(422, "invalid");
    assert_eq!(err["field"], "cursor");
}

#[tokio::test]
async fn accepting_an_invitation_as_a_new_person() {
    let app = spawn_app().await;
    let clinic = app.signup("Welcome", "owner@example.com").await;
    let invited = app
        .invite(&clinic, &clinic.admin, "nina@example.com", Role::Doctor)
        .await;
    let users = app.count("users").await;

    // A new person must choose a name and a good password; failures write nothing.
    app.accept_invitation(&invited.token, None, PASSWORD)
        .await
        .expect_error(422, "invalid");
    app.accept_invitation(&invited.token, Some("Nina"), "short")
        .await
        .expect_error(422, "invalid");
    assert_eq!(app.count("users").await, users);

    let granted = app
        .accept_invitation(&invited.token, Some("Nina Ruiz"), PASSWORD)
        .await
        .expect(200);
    assert_eq!(granted["user"]["email"], "nina@example.com");
    assert_eq!(granted["user"]["full_name"], "Nina Ruiz");
    let memberships = granted["memberships"].as_array().expect("list");
    assert_eq!(memberships.len(), 1);
    assert_eq!(memberships[0]["clinic_id"], clinic.id.to_string());
    assert_eq!(memberships[0]["role"], "doctor");
    assert_eq!(memberships[0]["is_owner"], false);
    let token = granted["token"].as_str().expect("token");
    // Signed in with the role: a doctor reads the clinic but not its staff.
    app.get(&clinic.path(""), token).await.expect(200);
    app.get(&clinic.path("/staff"), token)
        .await
        .expect_error(403, "not_permitted");
    let staff = app
        .get(&clinic.path("/staff?role=doctor"), &clinic.admin.token)
        .await
        .expect(200);
    assert_eq!(staff["items"][0]["full_name"], "Nina Ruiz");

    // Used: the same link cannot be used again, even with the right password.
    let sessions = app.count("sessions").await;
    app.accept_invitation(&invited.token, Some("Nina Ruiz"), PASSWORD)
        .await
        .expect_error(404, "not_found");
    assert_eq!(app.count("sessions").await, sessions);
    assert!(
        app.get(&clinic.path("/invitations"), &clinic.admin.token)
            .await
            .expect(200)["items"]
            == json!([])
    );
}

#[tokio::test]
async fn a_person_of_another_clinic_joins_with_their_own_password() {
    let app = spawn_app().await;
    let home = app.signup("Home", "home@example.com").await;
    let worker = app.add_staff(&home, Role::Worker, "rad@example.com").await;
    let clinic = app.signup("Joining", "owner@example.com").await;
    let invited = app
        .invite(&clinic, &clinic.admin, "RAD@example.com", Role::Worker)
        .await;

    // Wrong password for the existing account: refused, nothing written.
    let before = counts(&app).await;
    app.accept_invitation(&invited.token, None, "not my password")
        .await
        .expect_error(401, "bad_credentials");
    assert_eq!(counts(&app).await, before);
    let open: bool =
        sqlx::query_scalar("SELECT accepted_at IS NULL FROM invitations WHERE id = $1")
            .bind(invited.id)
            .fetch_one(&app.db)
            .await
            .expect("invitation");
    assert!(open, "still open after a failed attempt");

    // A name sent along is ignored: the account keeps its own.
    let granted = app
        .accept_invitation(&invited.token, Some("Someone Else"), PASSWORD)
        .await
        .expect(200);
    assert_eq!(granted["user"]["id"], worker.user_id.to_string());
    assert_eq!(granted["user"]["full_name"], "worker rad@example.com");
    let me = app.get("/v1/me", &worker.token).await.expect(200);
    let mut clinics: Vec<(String, String)> = me["memberships"]
        .as_array()
        .expect("list")
        .iter()
        .map(|m| {
            (
                m["clinic_id"].as_str().expect("id").to_owned(),
                m["role"].as_str().expect("role").to_owned(),
            )
        })
        .collect();
    clinics.sort();
    let mut want = vec![
        (home.id.to_string(), "worker".to_owned()),
        (clinic.id.to_string(), "worker".to_owned()),
    ];
    want.sort();
    assert_eq!(clinics, want, "one person, several clinics");
    assert_eq!(
        app.count("users").await,
        before[0],
        "no second account for the same person"
    );
    let last = app.audit_records(clinic.id).await.pop().expect("entry");
    assert_eq!(
        (last.action.as_str(), last.actor_id),
        ("invitation.accepted", Some(worker.user_id))
    );
}

/// Rows an invitation acceptance could write.
async fn counts(app: &TestApp) -> [i64; 4] {
    [
        app.count("users").await,
        app.count("memberships").await,
        app.count("sessions").await,
        app.count("audit_log").await,
    ]
}

#[tokio::test]
async fn dead_invitation_links_lead_nowhere() {
    let app = spawn_app().await;
    let clinic = app.signup("Dead", "owner@example.com").await;
    let expired = app
        .invite(&clinic, &clinic.admin, "late@example.com", Role::Doctor)
        .await;
    sqlx::query("UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1")
        .bind(expired.id)
        .execute(&app.db)
        .await
        .expect("expire");
    let Invited { token: live, .. } = app
        .invite(&clinic, &clinic.admin, "live@example.com", Role::Doctor)
        .await;
    let users = app.count("users").await;
    let memberships = app.count("memberships").await;
    let forged = {
        // A well-formed token of this clinic that was never issued.
        let mut t = live.clone();
        let last = t.pop().expect("char");
        t.push(if last == 'A' { 'B' } else { 'A' });
        t
    };
    for token in [
        expired.token.as_str(),
        "cdi_garbage",
        "",
        "cds_not_an_invitation",
        forged.as_str(),
    ] {
        app.accept_invitation(token, Some("Late"), PASSWORD)
            .await
            .expect_error(404, "not_found");
    }
    assert_eq!(app.count("users").await, users);
    assert_eq!(app.count("memberships").await, memberships);
    // The live one still works.
    app.accept_invitation(&live, Some("Live"), PASSWORD)
        .await
        .expect(200);
}

// ---------------------------------------------------------------- audit

#[tokio::test]
async fn the_audit_log_lists_newest_first_with_filters() {
    let app = spawn_app().await;
    let clinic = app.signup("Audited", "owner@example.com").await;
    let second = app
        .add_staff(&clinic, Role::Admin, "second@example.com")
        .await;
    let doctor = app
        .add_staff(&clinic, Role::Doctor, "doc@example.com")
        .await;
    app.patch(
        &clinic.path(""),
        &clinic.admin.token,
        json!({"name": "Audited 2"}),
    )
    .await
    .expect(200);
    app.patch(
        &clinic.path(&format!("/staff/{}", doctor.user_id)),
        &second.token,
        json!({"role": "reception"}),
    )
    .await
    .expect(200);
    let invited = app
        .invite(&clinic, &second, "new@example.com", Role::Doctor)
        .await;
    app.delete(
        &clinic.path(&format!("/invitations/{}", invited.id)),
        &clinic.admin.token,
    )
    .await
    .expect(204);

    let all = app
        .get(&clinic.path("/audit"), &clinic.admin.token)
        .await
        .expect(200);
    let items = all["items"].as_array().expect("items");
    let actions: Vec<&str> = items
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert_eq!(
        actions,
        vec![
            "invitation.revoked",
            "invitation.created",
            "staff.role_changed",
            "clinic.updated",
            "clinic.signed_up",
        ]
    );
    let revoked = &items[0];
    assert_eq!(revoked["entity"], "invitation");
    assert_eq!(revoked["entity_id"], invited.id.to_string());
    assert_eq!(revoked["actor_id"], clinic.admin.user_id.to_string());
    assert_eq!(revoked["actor_name"], "Owner of Audited");
    assert!(revoked["device_id"].as_str().is_some());
    assert!(revoked["at"].as_str().is_some());
    assert_eq!(items[2]["actor_name"], "admin second@example.com");

    let only = |query: String| {
        let path = clinic.path(&format!("/audit?{query}"));
        let token = clinic.admin.token.clone();
        let app = &app;
        async move {
            app.get(&path, &token).await.expect(200)["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|e| e["action"].as_str().expect("action").to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        only("entity=invitation".into()).await,
        vec!["invitation.revoked", "invitation.created"]
    );
    assert_eq!(
        only(format!("entity=staff&entity_id={}", doctor.user_id)).await,
        vec!["staff.role_changed"]
    );
    assert_eq!(
        only(format!("actor_id={}", second.user_id)).await,
        vec!["invitation.created", "staff.role_changed"]
    );
    assert_eq!(
        only(format!("actor_id={}", doctor.user_id)).await,
        Vec::<String>::new()
    );

    // Paging one by one walks the same entries in the same order.
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => clinic.path(&format!("/audit?limit=1&cursor={c}")),
            None => clinic.path("/audit?limit=1"),
        };
        let page = app.get(&path, &clinic.admin.token).await.expect(200);
        paged.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(&paged, items);

    // Another clinic's log is its own.
    let other = app.signup("Other", "other@example.com").await;
    let theirs = app
        .get(&other.path("/audit"), &other.admin.token)
        .await
        .expect(200);
    assert_eq!(theirs["items"].as_array().expect("items").len(), 1);

    for (query, field) in [
        ("actor_id=me", "actor_id"),
        ("entity_id=42", "entity_id"),
        ("limit=500", "limit"),
        ("cursor=bm9wZQ", "cursor"),
    ] {
        let err = app
            .get(
                &clinic.path(&format!("/audit?{query}")),
                &clinic.admin.token,
            )
            .await
            .expect_error(422, "invalid");
        assert_eq!(err["field"], field, "{query}");
    }
}

// ---------------------------------------------------------------- who may

/// One endpoint as the role tests call it: what it needs, and a fresh request.
struct Endpoint {
    name: &'static str,
    permission: Permission,
    method: Method,
    path: String,
    body: Option<Value>,
}

/// Builds each clinic-scoped endpoint's request with its own fresh target (a
/// member to change or remove, an invitation to revoke), so that an allowed
/// call succeeds and a refused one can be checked to have changed nothing.
async fn endpoints(app: &TestApp, clinic: &Clinic, tag: &str) -> (Vec<Endpoint>, Uuid, Uuid) {
    let victim = app
        .add_staff(clinic, Role::Doctor, &format!("victim-{tag}@example.com"))
        .await;
    let leaver = app
        .add_staff(
            clinic,
            Role::Reception,
            &format!("leaver-{tag}@example.com"),
        )
        .await;
    let invitation = app
        .invite(
            clinic,
            &clinic.admin,
            &format!("pending-{tag}@example.com"),
            Role::Worker,
        )
        .await;
    let list = vec![
        Endpoint {
            name: "read clinic",
            permission: Permission::ClinicRead,
            method: Method::GET,
            path: clinic.path(""),
            body: None,
        },
        Endpoint {
            name: "change clinic",
            permission: Permission::ClinicManage,
            method: Method::PATCH,
            path: clinic.path(""),
            body: Some(json!({"name": format!("Renamed by {tag}")})),
        },
        Endpoint {
            name: "list staff",
            permission: Permission::StaffManage,
            method: Method::GET,
            path: clinic.path("/staff"),
            body: None,
        },
        Endpoint {
            name: "change role",
            permission: Permission::StaffManage,
            method: Method::PATCH,
            path: clinic.path(&format!("/staff/{}", victim.user_id)),
            body: Some(json!({"role": "worker"})),
        },
        Endpoint {
            name: "remove member",
            permission: Permission::StaffManage,
            method: Method::DELETE,
            path: clinic.path(&format!("/staff/{}", leaver.user_id)),
            body: None,
        },
        Endpoint {
            name: "invite",
            permission: Permission::StaffManage,
            method: Method::POST,
            path: clinic.path("/invitations"),
            body: Some(json!({"email": format!("new-{tag}@example.com"), "role": "doctor"})),
        },
        Endpoint {
            name: "list invitations",
            permission: Permission::StaffManage,
            method: Method::GET,
            path: clinic.path("/invitations"),
            body: None,
        },
        Endpoint {
            name: "revoke invitation",
            permission: Permission::StaffManage,
            method: Method::DELETE,
            path: clinic.path(&format!("/invitations/{}", invitation.id)),
            body: None,
        },
        Endpoint {
            name: "read audit",
            permission: Permission::AuditRead,
            method: Method::GET,
            path: clinic.path("/audit"),
            body: None,
        },
    ];
    (list, victim.user_id, leaver.user_id)
}

/// Counts of what the endpoints could write.
async fn footprint(app: &TestApp, clinic: &Clinic) -> (String, i64, i64, i64, i64, i64) {
    (
        clinic_name(app, clinic).await,
        app.count("memberships").await,
        app.count("invitations WHERE revoked_at IS NULL").await,
        app.count("invitations").await,
        app.count("email_outbox").await,
        app.count("memberships WHERE role = 'doctor'").await,
    )
}

#[tokio::test]
async fn every_endpoint_follows_the_role_table() {
    let app = spawn_app().await;
    let clinic = app.signup("Table", "owner@example.com").await;
    for role in Role::ALL {
        let caller: Staff = match role {
            Role::Admin => Staff {
                user_id: clinic.admin.user_id,
                token: clinic.admin.token.clone(),
                role,
            },
            _ => {
                app.add_staff(&clinic, role, &format!("{role}@example.com"))
                    .await
            }
        };
        let (list, victim, leaver) = endpoints(&app, &clinic, role.as_str()).await;
        for endpoint in list {
            let before = footprint(&app, &clinic).await;
            let answer = app
                .call(
                    endpoint.method.clone(),
                    &endpoint.path,
                    Some(&caller.token),
                    endpoint.body.clone(),
                )
                .await;
            if role.can(endpoint.permission) {
                assert!(
                    answer.status.is_success(),
                    "{role} / {}: {answer:?}",
                    endpoint.name
                );
            } else {
                answer.expect_error(403, "not_permitted");
                assert_eq!(
                    footprint(&app, &clinic).await,
                    before,
                    "{role} / {} wrote something",
                    endpoint.name
                );
            }
        }
        let allowed = role.can(Permission::StaffManage);
        assert_eq!(
            app.role_in(clinic.id, victim).await.as_deref(),
            Some(if allowed { "worker" } else { "doctor" }),
            "{role}"
        );
        assert_eq!(
            app.role_in(clinic.id, leaver).await.is_none(),
            allowed,
            "{role}"
        );
        // Anyone signed in may open a clinic of their own.
        app.post(
            "/v1/clinics",
            &caller.token,
            json!({"name": format!("{role}'s own"), "time_zone": "UTC", "locale": "en", "currency": "EUR"}),
        )
        .await
        .expect(201);
    }
    assert_eq!(clinic_name(&app, &clinic).await, "Renamed by admin");
}

#[tokio::test]
async fn outsiders_get_not_found_on_every_clinic_endpoint() {
    let app = spawn_app().await;
    let clinic = app.signup("Private", "owner@example.com").await;
    let outsider = app.signup("Other", "other@example.com").await;
    let (list, victim, leaver) = endpoints(&app, &clinic, "outsider").await;
    // A former member is an outsider too.
    let former = app
        .add_staff(&clinic, Role::Admin, "former@example.com")
        .await;
    app.delete(
        &clinic.path(&format!("/staff/{}", former.user_id)),
        &clinic.admin.token,
    )
    .await
    .expect(204);
    let before = footprint(&app, &clinic).await;
    let audit = app.count("audit_log").await;
    for token in [&outsider.admin.token, &former.token] {
        for endpoint in &list {
            app.call(
                endpoint.method.clone(),
                &endpoint.path,
                Some(token),
                endpoint.body.clone(),
            )
            .await
            .expect_error(404, "not_found");
        }
        // A clinic that does not exist at all answers the same.
        app.get(&format!("/v1/clinics/{}", Uuid::now_v7()), token)
            .await
            .expect_error(404, "not_found");
    }
    assert_eq!(footprint(&app, &clinic).await, before);
    assert_eq!(app.count("audit_log").await, audit);
    assert_eq!(
        app.role_in(clinic.id, victim).await.as_deref(),
        Some("doctor")
    );
    assert!(app.role_in(clinic.id, leaver).await.is_some());
    // Without a session: 401 everywhere.
    for endpoint in &list {
        app.call(
            endpoint.method.clone(),
            &endpoint.path,
            None,
            endpoint.body.clone(),
        )
        .await
        .expect_error(401, "unauthenticated");
    }
}

#[tokio::test]
async fn the_openapi_document_describes_these_endpoints() {
    let app = spawn_app().await;
    let doc = app
        .call(Method::GET, "/openapi.json", None, None)
        .await
        .expect(200);
    let paths = &doc["paths"];
    for (path, methods) in [
        ("/v1/clinics", &["post"][..]),
        ("/v1/clinics/{clinic_id}", &["get", "patch"][..]),
        ("/v1/clinics/{clinic_id}/staff", &["get"][..]),
        (
            "/v1/clinics/{clinic_id}/staff/{user_id}",
            &["patch", "delete"][..],
        ),
        ("/v1/clinics/{clinic_id}/invitations", &["get", "post"][..]),
        (
            "/v1/clinics/{clinic_id}/invitations/{invitation_id}",
            &["delete"][..],
        ),
        ("/v1/clinics/{clinic_id}/audit", &["get"][..]),
    ] {
        for method in methods {
            let op = &paths[path][method];
            assert!(op.is_object(), "{method} {path} missing");
            assert!(op["responses"].as_object().is_some_and(|r| r.len() > 1));
        }
    }
    let tags: Vec<&str> = doc["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    for tag in ["clinics", "staff", "audit"] {
        assert!(tags.contains(&tag), "{tag}");
    }
}
