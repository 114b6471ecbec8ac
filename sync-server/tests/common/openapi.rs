//! The server's own OpenAPI document, for tests that go over every
//! operation it lists, so that a new endpoint is covered the day it is added.

use super::TestApp;
use reqwest::Method;
use serde_json::Value;

impl TestApp {
    /// `/openapi.json` as this server answers it.
    pub async fn openapi(&self) -> Value {
        self.call(Method::GET, "/openapi.json", None, None)
            .await
            .expect(200)
    }
}

/// One operation of the document.
pub struct Operation {
    pub method: Method,
    /// The path as written in the document, e.g. `/v1/clinics/{clinic_id}/rooms`.
    pub template: String,
    pub op: Value,
}

impl Operation {
    /// `METHOD /path/{template}`, for assertion messages.
    pub fn name(&self) -> String {
        format!("{} {}", self.method, self.template)
    }

    /// Its parameters `in` query or path: (name, schema).
    pub fn params(&self, location: &str) -> Vec<(String, Value)> {
        self.op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == location)
            .map(|p| {
                (
                    p["name"].as_str().expect("name").to_owned(),
                    p["schema"].clone(),
                )
            })
            .collect()
    }

    /// The schema of its JSON body as written (often a `$ref`), if it takes one.
    pub fn body_schema(&self) -> Option<&Value> {
        self.op
            .pointer("/requestBody/content/application~1json/schema")
    }
}

/// Every operation of `doc`.
pub fn operations(doc: &Value) -> Vec<Operation> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if let Some(op) = item.get(method) {
                ops.push(Operation {
                    method: method.to_uppercase().parse().expect("method"),
                    template: path.clone(),
                    op: op.clone(),
                });
            }
        }
    }
    assert!(ops.len() > 20, "too few operations: {}", ops.len());
    ops
}

/// `schema`, or the component it refers to when it is a local `$ref`.
pub fn resolved<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => doc
            .pointer(reference.strip_prefix('#').expect("a local $ref"))
            .unwrap_or_else(|| panic!("$ref {reference} resolves to nothing")),
        None => schema,
    }
}
