//! Input an outsider crafts, against every operation the OpenAPI document
//! lists (so a new endpoint, list, field or mutation type is covered the day
//! it is added): cursors the server never issued, instants outside what
//! PostgreSQL stores or the product means, NUL in text, and a sync mutation
//! that fails in the database itself. Each answers a 4xx `{code, message}`
//! naming the field (or, inside a push, that mutation's rejection), never a
//! 5xx, and never holds up the mutations queued behind it.

mod common;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use clinic_core::ErrorCode;
use clinic_core::Role;
use clinic_core::sync::{Outcome, PushResponse};
use common::fixtures::{Filled, fill_clinic};
use common::openapi::operations;
use common::{Answer, PASSWORD, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

/// Instants chrono reads but no clinic means, two of which PostgreSQL
/// cannot even store.
const EXTREME_INSTANTS: [&str; 4] = [
    "-262143-01-01T00:00:00Z",
    "+262142-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
];

/// A clinic with a row in every table, and a doctor who signs in as its
/// doctor (so clinical notes are readable too).
struct World {
    app: TestApp,
    doc: Value,
    rows: Filled,
    doctor_token: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let rows = fill_clinic(&app, "Hostile").await;
    let doctor = app
        .add_staff(&rows.clinic, Role::Doctor, "doctor@hostile.example")
        .await;
    sqlx::query("UPDATE doctors SET user_id = $1 WHERE id = $2")
        .bind(doctor.user_id)
        .bind(rows.doctor)
        .execute(&app.db)
        .await
        .expect("link the doctor");
    let doc = app.openapi().await;
    World {
        app,
        doc,
        rows,
        doctor_token: doctor.token,
    }
}

impl World {
    fn admin(&self) -> &str {
        &self.rows.clinic.admin.token
    }

    /// `template` with every path parameter naming a row of the clinic.
    fn path(&self, template: &str) -> String {
        let r = &self.rows;
        let mut path = template.to_owned();
        for (param, id) in [
            ("{clinic_id}", r.id),
            ("{patient_id}", r.patient),
            ("{doctor_id}", r.doctor),
            ("{room_id}", r.room),
            ("{appointment_id}", r.appointment),
            ("{time_off_id}", r.time_off),
            ("{invitation_id}", r.invitation),
            ("{user_id}", r.clinic.admin.user_id),
            ("{session_id}", Uuid::now_v7()),
        ] {
            path = path.replace(param, &id.to_string());
        }
        assert!(
            !path.contains('{'),
            "add the parameter of {template} to path()"
        );
        path
    }

    /// A uuid for a field of this name: the clinic's row of that kind.
    fn id_for(&self, field: &str) -> Uuid {
        let r = &self.rows;
        match field {
            "doctor_id" => r.doctor,
            "patient_id" => r.patient,
            "room_id" => r.room,
            "appointment_id" => r.appointment,
            "time_off_id" => r.time_off,
            _ => Uuid::now_v7(),
        }
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema["$ref"].as_str() {
            Some(reference) => {
                let name = reference.rsplit('/').next().expect("ref");
                &self.doc["components"]["schemas"][name]
            }
            None => schema,
        }
    }

    /// A value of `schema` for a field named `field`, plausible enough to
    /// deserialize, with every optional field present (so every field can
    /// be made hostile).
    fn sample(&self, schema: &Value, field: &str) -> Value {
        let schema = self.resolve(schema);
        if let Some(variants) = schema["oneOf"].as_array() {
            let variant = variants
                .iter()
                .find(|v| v["type"] != "null")
                .expect("a non-null variant");
            return self.sample(variant, field);
        }
        if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
            return first.clone();
        }
        let types: Vec<&str> = match &schema["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec!["object"],
        };
        let kind = types
            .iter()
            .find(|t| **t != "null")
            .copied()
            .unwrap_or("null");
        let day = (chrono::Utc::now() + chrono::Duration::days(8)).format("%Y-%m-%d");
        match kind {
            "object" => Value::Object(
                schema["properties"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, property)| (name.clone(), self.sample(property, name)))
                    .collect(),
            ),
            "array" => json!([self.sample(&schema["items"], field)]),
            "integer" => schema["minimum"].as_i64().map_or(json!(1), |m| json!(m)),
            "boolean" => json!(false),
            "null" => Value::Null,
            _ => match (schema["format"].as_str(), field) {
                (Some("date-time"), "ends_at") => json!(format!("{day}T10:30:00Z")),
                (Some("date-time"), _) => json!(format!("{day}T10:00:00Z")),
                (Some("uuid"), _) => json!(self.id_for(field)),
                (Some("date"), _) => json!("1980-05-17"),
                _ if schema["example"].is_string() => schema["example"].clone(),
                (_, "email") => json!(format!("probe-{}@example.com", Uuid::now_v7().simple())),
                (_, "phone") => json!("+34 600 000 000"),
                (_, "time_zone") => json!("Europe/Madrid"),
                (_, "locale") => json!("en"),
                (_, "currency") => json!("EUR"),
                (_, "password" | "current_password" | "new_password") => json!(PASSWORD),
                _ => json!("Probe text"),
            },
        }
    }

    async fn send(&self, method: Method, path: &str, token: &str, body: Option<Value>) -> Answer {
        self.app.call(method, path, Some(token), body).await
    }
}

/// A string leaf of a JSON value: the path to it as steps and as the server
/// names a field (`owner.full_name`, `hours[0].starts`), and its schema
/// format if it is an instant.
struct Leaf {
    steps: Vec<Step>,
    field: String,
    instant: bool,
}

impl Leaf {
    /// The field's own name, as a parse function names it.
    fn name(&self) -> &str {
        match self.steps.last() {
            Some(Step::Key(key)) => key,
            _ => panic!("{} is not a named field", self.field),
        }
    }
}

#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn string_leaves(value: &Value) -> Vec<Leaf> {
    fn walk(value: &Value, steps: &mut Vec<Step>, out: &mut Vec<Leaf>) {
        match value {
            Value::String(s) => out.push(Leaf {
                steps: steps.clone(),
                field: field_name(steps),
                instant: chrono::DateTime::parse_from_rfc3339(s).is_ok(),
            }),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    steps.push(Step::Index(i));
                    walk(item, steps, out);
                    steps.pop();
                }
            }
            Value::Object(fields) => {
                for (key, item) in fields {
                    steps.push(Step::Key(key.clone()));
                    walk(item, steps, out);
                    steps.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

fn field_name(steps: &[Step]) -> String {
    let mut name = String::new();
    for step in steps {
        match step {
            Step::Key(key) => {
                if !name.is_empty() {
                    name.push('.');
                }
                name.push_str(key);
            }
            Step::Index(i) => name.push_str(&format!("[{i}]")),
        }
    }
    name
}

/// `value` with the leaf at `steps` replaced by `with`.
fn replaced(value: &Value, steps: &[Step], with: Value) -> Value {
    let mut out = value.clone();
    let mut at = &mut out;
    for step in steps {
        at = match step {
            Step::Key(key) => &mut at[key.as_str()],
            Step::Index(i) => &mut at[*i],
        };
    }
    *at = with;
    out
}

/// `value` with NUL in the leaf at `steps`.
fn with_nul(value: &Value, leaf: &Leaf) -> Value {
    let mut at = value;
    for step in &leaf.steps {
        at = match step {
            Step::Key(key) => &at[key.as_str()],
            Step::Index(i) => &at[*i],
        };
    }
    let text = at.as_str().expect("a string leaf");
    replaced(value, &leaf.steps, json!(format!("{text}\u{0}")))
}

/// A 4xx with a code and a human message (the harness also refuses any
/// answer that is not JSON).
fn assert_refused(answer: &Answer, what: &str) {
    assert!(
        answer.status.is_client_error(),
        "{what}: answered {} {}",
        answer.status,
        answer.body
    );
    assert!(
        !answer.code().is_empty()
            && answer.body["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
        "{what}: no code or message in {}",
        answer.body
    );
}

/// A 422 `invalid` on `field`.
fn assert_invalid(answer: &Answer, field: &str, what: &str) {
    assert_refused(answer, what);
    assert_eq!(answer.status.as_u16(), 422, "{what}: {}", answer.body);
    assert_eq!(answer.code(), "invalid", "{what}: {}", answer.body);
    assert_eq!(answer.body["field"], field, "{what}: {}", answer.body);
}

fn cursor_of(json: &str) -> String {
    URL_SAFE_NO_PAD.encode(json)
}

#[tokio::test]
async fn crafted_cursors_are_refused_on_every_list() {
    let w = &world().await;
    let id = Uuid::now_v7();
    let mut lists = 0;
    for op in operations(&w.doc) {
        let Some((_, schema)) = op.params("query").into_iter().find(|(n, _)| n == "cursor") else {
            continue;
        };
        let path = w.path(&op.template);
        let name = op.name();
        // A member who may read the list: the admin, or for clinical notes
        // the doctor.
        let mut token = None;
        for candidate in [w.admin(), w.doctor_token.as_str()] {
            if w.send(Method::GET, &path, candidate, None)
                .await
                .status
                .is_success()
            {
                token = Some(candidate);
                break;
            }
        }
        let token = token.unwrap_or_else(|| panic!("no member may read {name}"));
        let get = |cursor: String| {
            let url = format!("{path}?cursor={cursor}");
            async move { w.send(Method::GET, &url, token, None).await }
        };

        // Garbage of any shape, and NUL in the query string itself.
        let garbage = [
            "!!!".to_owned(),
            "%00".to_owned(),
            STANDARD.encode(format!(r#"["a", "{id}"]"#)) + "==",
            cursor_of("not json"),
            cursor_of("42"),
            cursor_of(r#"{"a": 1}"#),
            cursor_of(r#"["a"]"#),
            cursor_of(&format!(r#"["a", "{id}", 1]"#)),
            cursor_of(r#"["a", "not an id"]"#),
        ];
        if schema["type"] != "string" {
            // Not a keyset cursor (the sync pull counts versions): crafted
            // ones are still the client's error.
            for cursor in garbage {
                assert_refused(
                    &get(cursor.clone()).await,
                    &format!("{name} ?cursor={cursor}"),
                );
            }
            continue;
        }
        lists += 1;
        for cursor in garbage {
            assert_invalid(
                &get(cursor.clone()).await,
                "cursor",
                &format!("{name} ?cursor={cursor}"),
            );
        }
        // Keyed by name: no row has NUL or control characters in its name,
        // or one longer than any stored; keyed by time: none outside the
        // product's years.
        let by_name = get(cursor_of(&format!(r#"["ana", "{id}"]"#)))
            .await
            .status
            .is_success();
        let crafted: Vec<String> = if by_name {
            vec![
                format!(r#"["a\u0000", "{id}"]"#),
                format!(r#"["\u001b[2J", "{id}"]"#),
                format!(r#"["{}", "{id}"]"#, "x".repeat(5_000)),
            ]
        } else {
            EXTREME_INSTANTS
                .iter()
                .map(|t| format!(r#"["{t}", "{id}"]"#))
                .collect()
        };
        for json in crafted {
            let what = format!("{name} with a cursor of {}", &json[..json.len().min(60)]);
            assert_invalid(&get(cursor_of(&json)).await, "cursor", &what);
        }
        // And what the server issues still pages.
        let first = w
            .send(Method::GET, &format!("{path}?limit=1"), token, None)
            .await
            .expect(200);
        if let Some(next) = first["next_cursor"].as_str() {
            get(next.to_owned()).await.expect(200);
        }
    }
    assert!(lists >= 10, "only {lists} lists take a keyset cursor");
}

#[tokio::test]
async fn hostile_text_and_instants_in_every_body_are_refused() {
    let w = world().await;
    let mut checked = 0;
    for op in operations(&w.doc) {
        let Some(schema) = op.body_schema() else {
            continue;
        };
        let path = w.path(&op.template);
        let body = w.sample(schema, "body");
        let push = op.template.ends_with("/sync/push");
        for leaf in string_leaves(&body) {
            // A push judges each mutation alone, answering 200 with its
            // rejection: see `hostile_mutations_are_rejected_alone_...`.
            // Its envelope holds only ids, which NUL makes unreadable.
            if push {
                if !leaf.field.starts_with("mutations[0].mutation") {
                    let what = format!("{} with NUL in {}", op.name(), leaf.field);
                    let answer = w
                        .send(
                            op.method.clone(),
                            &path,
                            w.admin(),
                            Some(with_nul(&body, &leaf)),
                        )
                        .await;
                    assert_refused(&answer, &what);
                }
                continue;
            }
            let what = format!("{} with NUL in {}", op.name(), leaf.field);
            let answer = w
                .send(
                    op.method.clone(),
                    &path,
                    w.admin(),
                    Some(with_nul(&body, &leaf)),
                )
                .await;
            assert_invalid(&answer, &leaf.field, &what);
            checked += 1;
            if !leaf.instant {
                continue;
            }
            for extreme in EXTREME_INSTANTS {
                let what = format!("{} with {} = {extreme}", op.name(), leaf.field);
                let hostile = replaced(&body, &leaf.steps, json!(extreme));
                let answer = w
                    .send(op.method.clone(), &path, w.admin(), Some(hostile))
                    .await;
                assert_invalid(&answer, leaf.name(), &what);
            }
        }
    }
    assert!(checked > 50, "only {checked} fields checked");
}

#[tokio::test]
async fn hostile_query_and_path_parameters_are_refused() {
    let w = world().await;
    for op in operations(&w.doc) {
        let name = op.name();
        let path = w.path(&op.template);
        let body = op.body_schema().map(|s| w.sample(s, "body"));
        for (param, _) in op.params("query") {
            let url = |value: &str| format!("{path}?{param}={value}");
            let answer = w
                .send(op.method.clone(), &url("a%00b"), w.admin(), None)
                .await;
            assert_invalid(&answer, &param, &format!("{name} ?{param}=a%00b"));

            // A parameter that reads instants (takes one, refuses words)
            // refuses those outside the product's years.
            let takes_an_instant = w
                .send(
                    op.method.clone(),
                    &url("2026-03-02T09:00:00Z"),
                    w.admin(),
                    None,
                )
                .await
                .status
                .is_success();
            let refuses_words = w
                .send(op.method.clone(), &url("yesterday"), w.admin(), None)
                .await
                .status
                .is_client_error();
            for extreme in EXTREME_INSTANTS {
                let what = format!("{name} ?{param}={extreme}");
                // `+` is a space in a query string: percent-encode it.
                let answer = w
                    .send(
                        op.method.clone(),
                        &url(&extreme.replace('+', "%2B")),
                        w.admin(),
                        None,
                    )
                    .await;
                assert!(answer.status.as_u16() < 500, "{what}: {}", answer.body);
                if takes_an_instant && refuses_words {
                    assert_invalid(&answer, &param, &what);
                }
            }
        }
        for (param, _) in op.params("path") {
            if param == "clinic_id" {
                continue;
            }
            let hostile = w
                .path(&op.template.replace(&format!("{{{param}}}"), "a%00b"))
                .to_owned();
            let answer = w
                .send(op.method.clone(), &hostile, w.admin(), body.clone())
                .await;
            assert_invalid(&answer, &param, &format!("{name} with {param} = a%00b"));
        }
    }
}

/// A push of `mutations` (raw JSON, seqs from `first_seq`) as the admin's desk.
async fn push(w: &World, first_seq: i64, mutations: &[(Uuid, Value)]) -> Vec<Outcome> {
    let body = json!({
        "mutations": mutations
            .iter()
            .enumerate()
            .map(|(i, (id, m))| json!({"seq": first_seq + i as i64, "id": id, "mutation": m}))
            .collect::<Vec<_>>()
    });
    let answer = w
        .send(
            Method::POST,
            &w.path("/v1/clinics/{clinic_id}/sync/push"),
            w.admin(),
            Some(body),
        )
        .await
        .expect(200);
    let response: PushResponse = serde_json::from_value(answer).expect("PushResponse");
    assert_eq!(response.results.len(), mutations.len());
    response.results.into_iter().map(|r| r.outcome).collect()
}

/// An ordinary mutation that applies: registering a new patient.
fn ordinary(name: &str) -> (Uuid, Value) {
    (
        Uuid::now_v7(),
        json!({"type": "register_patient", "patient_id": Uuid::now_v7(), "patient": {"full_name": name}}),
    )
}

fn rejection(outcome: &Outcome, what: &str) -> (ErrorCode, String) {
    match outcome {
        Outcome::Rejected { code, message } => {
            assert!(!message.is_empty(), "{what}: a rejection says why");
            (*code, message.clone())
        }
        Outcome::Applied => panic!("{what} was applied"),
    }
}

#[tokio::test]
async fn hostile_mutations_are_rejected_alone_for_every_mutation_type() {
    let w = world().await;
    let schema = &w.doc["components"]["schemas"]["Mutation"];
    let variants = schema["oneOf"].as_array().expect("mutation types");
    assert!(variants.len() >= 14, "{} mutation types", variants.len());
    let mut seq = 1;
    for variant in variants {
        let mutation = w.sample(variant, "mutation");
        let kind = mutation["type"].as_str().expect("type").to_owned();
        let mut batch: Vec<(Uuid, Value, String)> = Vec::new();
        for leaf in string_leaves(&mutation) {
            batch.push((
                Uuid::now_v7(),
                with_nul(&mutation, &leaf),
                format!("{kind} with NUL in {}", leaf.field),
            ));
            if leaf.instant {
                for extreme in EXTREME_INSTANTS {
                    batch.push((
                        Uuid::now_v7(),
                        replaced(&mutation, &leaf.steps, json!(extreme)),
                        format!("{kind} with {} = {extreme}", leaf.field),
                    ));
                }
            }
        }
        let (after_id, after) = ordinary(&format!("Queued after {kind}"));
        let mut sent: Vec<(Uuid, Value)> =
            batch.iter().map(|(id, m, _)| (*id, m.clone())).collect();
        sent.push((after_id, after));
        let outcomes = push(&w, seq, &sent).await;
        for ((_, _, what), outcome) in batch.iter().zip(&outcomes) {
            let (code, message) = rejection(outcome, what);
            assert_eq!(code, ErrorCode::Invalid, "{what}: {message}");
        }
        assert_eq!(
            outcomes.last(),
            Some(&Outcome::Applied),
            "the one after {kind}"
        );
        // Pushed again, every outcome is the stored one.
        assert_eq!(push(&w, seq, &sent).await, outcomes, "{kind} replayed");
        seq += sent.len() as i64;
    }
}

/// Room names the test database refuses on its own (a trigger added here,
/// as a superuser): one as if a value slipped past validation (an instant
/// PostgreSQL cannot store, SQLSTATE 22008), one as an unexpected failure
/// inside the mutation's own statements (P0001).
const SLIPS_PAST_VALIDATION: &str = "Refused as out of range";
const FAILS_IN_THE_DATABASE: &str = "Refused by the database";

async fn refuse_room_names_in_the_database(app: &TestApp) {
    for sql in [
        format!(
            "CREATE FUNCTION refuse_probe_rooms() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
                 IF NEW.name = '{SLIPS_PAST_VALIDATION}' THEN
                     RAISE EXCEPTION 'timestamp out of range' USING ERRCODE = '22008';
                 ELSIF NEW.name = '{FAILS_IN_THE_DATABASE}' THEN
                     RAISE EXCEPTION 'the database refuses this row';
                 END IF;
                 RETURN NEW;
             END $$"
        ),
        "CREATE TRIGGER refuse_probe_rooms BEFORE INSERT ON rooms
         FOR EACH ROW EXECUTE FUNCTION refuse_probe_rooms()"
            .to_owned(),
    ] {
        sqlx::query(&sql).execute(&app.db).await.expect(&sql);
    }
}

fn create_room(name: &str) -> (Uuid, Value) {
    (
        Uuid::now_v7(),
        json!({"type": "create_room", "room_id": Uuid::now_v7(), "room": {"name": name}}),
    )
}

#[tokio::test]
async fn a_mutation_failing_in_the_database_is_rejected_and_the_push_goes_on() {
    let w = world().await;
    refuse_room_names_in_the_database(&w.app).await;
    let time_off = (
        Uuid::now_v7(),
        json!({"type": "add_time_off", "doctor_id": w.rows.doctor, "time_off_id": Uuid::now_v7(),
               "time_off": {"starts_at": EXTREME_INSTANTS[0], "ends_at": "-262143-01-02T00:00:00Z"}}),
    );
    let mutations = vec![
        create_room(SLIPS_PAST_VALIDATION),
        ordinary("First behind"),
        create_room(FAILS_IN_THE_DATABASE),
        create_room("Room behind"),
        time_off,
        ordinary("Last behind"),
    ];
    let outcomes = push(&w, 1, &mutations).await;
    let (code, message) = rejection(&outcomes[0], "a value PostgreSQL refuses");
    assert_eq!(code, ErrorCode::Invalid, "{message}");
    assert!(
        !message.contains("SQL") && !message.contains("EXCEPTION"),
        "{message}"
    );
    let (code, message) = rejection(&outcomes[2], "a failure inside the mutation");
    assert_eq!(code, ErrorCode::Internal, "{message}");
    let (code, message) = rejection(&outcomes[4], "time off in year -262143");
    assert_eq!(code, ErrorCode::Invalid, "{message}");
    for i in [1, 3, 5] {
        assert_eq!(outcomes[i], Outcome::Applied, "mutation {i}");
    }
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM rooms WHERE clinic_id = $1")
        .bind(w.rows.id)
        .fetch_all(&w.app.db)
        .await
        .expect("rooms");
    assert!(names.contains(&"Room behind".to_owned()), "{names:?}");
    assert!(!names.iter().any(|n| n.starts_with("Refused")), "{names:?}");

    // The desk retries (it never heard back): the same answers, nothing twice.
    assert_eq!(push(&w, 1, &mutations).await, outcomes);
    let patients: i64 =
        sqlx::query_scalar("SELECT count(*) FROM patients WHERE full_name LIKE '% behind'")
            .fetch_one(&w.app.db)
            .await
            .expect("count");
    assert_eq!(patients, 2);

    // Through REST the same value is the client's 422, in plain words.
    let answer = w
        .send(
            Method::POST,
            &w.path("/v1/clinics/{clinic_id}/rooms"),
            w.admin(),
            Some(json!({"name": SLIPS_PAST_VALIDATION})),
        )
        .await;
    assert_refused(&answer, "REST room PostgreSQL refuses");
    assert_eq!(answer.status.as_u16(), 422, "{}", answer.body);
    assert!(
        !answer.body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("timestamp out of range"),
        "the database's own words leak: {}",
        answer.body
    );
}
