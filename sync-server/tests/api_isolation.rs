//! Tenancy through the API, for every endpoint the OpenAPI document lists (so
//! a new endpoint is covered the day it is added): clinic B's people never
//! read or change clinic A's rows, whatever ids they put in the URL.

mod common;

use common::fixtures::{Filled, fill_clinic};
use common::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

/// An operation under `/v1/clinics/{clinic_id}`, with a body for writes.
struct Operation {
    method: Method,
    template: String,
    body: Option<Value>,
}

/// Every clinic-scoped operation the OpenAPI document lists.
async fn clinic_operations(app: &TestApp) -> Vec<Operation> {
    let doc = app
        .call(Method::GET, "/openapi.json", None, None)
        .await
        .expect(200);
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        if !path.starts_with("/v1/clinics/{clinic_id}") {
            continue;
        }
        for method in ["get", "post", "put", "patch", "delete"] {
            if let Some(op) = item.get(method) {
                ops.push(Operation {
                    method: method.to_uppercase().parse().expect("method"),
                    template: path.clone(),
                    body: probe_body(&doc, op),
                });
            }
        }
    }
    assert!(ops.len() >= 3, "too few clinic-scoped operations");
    ops
}

/// A body with the request schema's own fields, filled with plausible values,
/// so that a refusal is about tenancy rather than the body's shape.
fn probe_body(doc: &Value, op: &Value) -> Option<Value> {
    let mut schema = op.pointer("/requestBody/content/application~1json/schema")?;
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().expect("ref");
        schema = &doc["components"]["schemas"][name];
    }
    let values = probe_values();
    let mut body = serde_json::Map::new();
    if let Some(properties) = schema["properties"].as_object() {
        for key in properties.keys() {
            if let Some(v) = values.get(key) {
                body.insert(key.clone(), v.clone());
            }
        }
    }
    Some(Value::Object(body))
}

/// Fills a path template: the clinic is `clinic`, every other id is the row
/// of `rows` whose kind the parameter names.
fn fill_path(template: &str, clinic: Uuid, rows: &Filled) -> String {
    let mut path = template.replace("{clinic_id}", &clinic.to_string());
    let ids = [
        ("{patient_id}", rows.patient),
        ("{doctor_id}", rows.doctor),
        ("{room_id}", rows.room),
        ("{appointment_id}", rows.appointment),
        ("{time_off_id}", rows.time_off),
        ("{invitation_id}", rows.invitation),
        ("{user_id}", rows.clinic.admin.user_id),
        ("{worker_id}", rows.worker),
        ("{order_id}", rows.order),
        ("{note_id}", rows.note),
    ];
    for (param, id) in ids {
        path = path.replace(param, &id.to_string());
    }
    assert!(
        !path.contains('{'),
        "add the parameter of {template} to fill_path"
    );
    path
}

fn probe_values() -> Value {
    let start = (chrono::Utc::now() + chrono::Duration::days(8))
        .format("%Y-%m-%dT10:00:00Z")
        .to_string();
    let end = (chrono::Utc::now() + chrono::Duration::days(8))
        .format("%Y-%m-%dT10:30:00Z")
        .to_string();
    json!({
        "full_name": "Taken Over", "name": "Taken Over", "email": "intruder@example.com",
        "role": "reception", "reason": "intrusion", "body": "intrusion", "hours": [],
        "specialties": ["x"], "active": false, "starts_at": start, "ends_at": end,
        "email_consent": false, "time_zone": "UTC", "locale": "en", "currency": "USD",
    })
}

async fn call(app: &TestApp, op: &Operation, path: &str, token: Option<&str>) -> common::Answer {
    app.call(op.method.clone(), path, token, op.body.clone())
        .await
}

/// A fingerprint of every clinic-owned row of `clinic`, to prove nothing changed.
async fn snapshot(app: &TestApp, clinic: Uuid) -> Vec<(String, String)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.columns
         WHERE table_schema = 'public' AND column_name = 'clinic_id' ORDER BY 1",
    )
    .fetch_all(&app.db)
    .await
    .expect("tables");
    let mut out = Vec::new();
    for table in tables.into_iter().chain(["clinics".to_owned()]) {
        let key = if table == "clinics" {
            "id"
        } else {
            "clinic_id"
        };
        // audit_log grows with every read; that is its job, not a change.
        if table == "audit_log" {
            continue;
        }
        let digest: String = sqlx::query_scalar(&format!(
            "SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '')
             FROM {table} t WHERE {key} = $1"
        ))
        .bind(clinic)
        .fetch_one(&app.db)
        .await
        .expect("digest");
        out.push((table, digest));
    }
    out
}

#[tokio::test]
async fn no_endpoint_lets_another_clinic_reach_a_clinics_rows() {
    let app = spawn_app().await;
    let a = fill_clinic(&app, "Alpha").await;
    let b = fill_clinic(&app, "Beta").await;
    let b_doctor = app
        .add_staff(&b.clinic, clinic_core::Role::Doctor, "doctor@beta.example")
        .await;
    let before = snapshot(&app, a.id).await;

    for op in clinic_operations(&app).await {
        let (method, template) = (&op.method, &op.template);
        // No token: 401.
        let anon = call(&app, &op, &fill_path(template, a.id, &a), None).await;
        assert_eq!(
            anon.status.as_u16(),
            401,
            "{method} {template} without a token: {}",
            anon.body
        );

        for token in [&b.clinic.admin.token, &b_doctor.token] {
            // B's people naming clinic A: 404, as if A did not exist.
            let res = call(&app, &op, &fill_path(template, a.id, &a), Some(token)).await;
            assert_eq!(
                res.status.as_u16(),
                404,
                "{method} {template} into clinic A: {}",
                res.body
            );
            assert_eq!(res.code(), "not_found");

            // B's people in their own clinic, naming A's rows: never a success.
            if template.matches('{').count() > 1 {
                let res = call(&app, &op, &fill_path(template, b.id, &a), Some(token)).await;
                assert!(
                    matches!(res.status.as_u16(), 403 | 404),
                    "{method} {template} with clinic A's ids under clinic B answered {}: {}",
                    res.status,
                    res.body
                );
            }
        }
    }

    // B's lists in B's clinic show none of A's rows.
    let a_ids = [
        a.id,
        a.doctor,
        a.patient,
        a.room,
        a.appointment,
        a.time_off,
        a.invitation,
        a.worker,
        a.order,
        a.note,
    ];
    for op in clinic_operations(&app).await {
        let template = &op.template;
        if op.method != Method::GET || template.matches('{').count() > 1 {
            continue;
        }
        let res = call(
            &app,
            &op,
            &fill_path(template, b.id, &b),
            Some(&b.clinic.admin.token),
        )
        .await;
        let text = res.body.to_string();
        for id in a_ids {
            assert!(
                !text.contains(&id.to_string()),
                "GET {template} in clinic B shows A's row {id}"
            );
        }
        assert!(
            !text.contains("Pat Private of Alpha") && !text.contains("confidential note"),
            "GET {template}: {text}"
        );
    }

    assert_eq!(
        snapshot(&app, a.id).await,
        before,
        "clinic A's rows changed"
    );
}
