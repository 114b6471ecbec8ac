//! Harness helpers for clinics, staff, invitations and the audit log.

use super::{Answer, Clinic, Staff, TestApp};
use clinic_core::Role;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

/// An invitation made through the API, with the token its queued mail carries.
pub struct Invited {
    pub id: Uuid,
    pub token: String,
}

/// One audit entry as stored: action, entity, entity id, actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub action: String,
    pub entity: String,
    pub entity_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
}

impl TestApp {
    /// Invites `email` as `role` into `clinic` (as `by`, who must be allowed
    /// to) and reads the token from the invitation mail in the outbox.
    pub async fn invite(&self, clinic: &Clinic, by: &Staff, email: &str, role: Role) -> Invited {
        let body = self
            .post(
                &clinic.path("/invitations"),
                &by.token,
                json!({"email": email, "role": role}),
            )
            .await
            .expect(201);
        let id: Uuid = body["id"].as_str().expect("id").parse().expect("uuid");
        Invited {
            id,
            token: self.invitation_token(id).await,
        }
    }

    /// The token in the outbox mail of invitation `id`.
    pub async fn invitation_token(&self, id: Uuid) -> String {
        let payload: Value = sqlx::query_scalar(
            "SELECT payload FROM email_outbox WHERE idempotency_key = 'invitation:' || $1",
        )
        .bind(id.to_string())
        .fetch_one(&self.db)
        .await
        .expect("invitation mail");
        payload["token"].as_str().expect("token").to_owned()
    }

    /// `POST /v1/invitations/accept` (no session).
    pub async fn accept_invitation(
        &self,
        token: &str,
        full_name: Option<&str>,
        password: &str,
    ) -> Answer {
        self.call(
            Method::POST,
            "/v1/invitations/accept",
            None,
            Some(json!({
                "token": token,
                "full_name": full_name,
                "password": password,
                "device_name": "Invited desk",
            })),
        )
        .await
    }

    /// `clinic_id`'s audit log as stored, oldest first.
    pub async fn audit_records(&self, clinic_id: Uuid) -> Vec<AuditRecord> {
        let rows: Vec<(String, String, Option<Uuid>, Option<Uuid>)> = sqlx::query_as(
            "SELECT action, entity, entity_id, actor_id FROM audit_log
             WHERE clinic_id = $1 ORDER BY at, id",
        )
        .bind(clinic_id)
        .fetch_all(&self.db)
        .await
        .expect("audit log");
        rows.into_iter()
            .map(|(action, entity, entity_id, actor_id)| AuditRecord {
                action,
                entity,
                entity_id,
                actor_id,
            })
            .collect()
    }

    /// How many entries with `action` `clinic_id`'s audit log holds.
    pub async fn audit_count(&self, clinic_id: Uuid, action: &str) -> usize {
        self.audit_records(clinic_id)
            .await
            .iter()
            .filter(|r| r.action == action)
            .count()
    }

    /// `user_id`'s role in `clinic_id`, straight from the database.
    pub async fn role_in(&self, clinic_id: Uuid, user_id: Uuid) -> Option<String> {
        sqlx::query_scalar("SELECT role FROM memberships WHERE clinic_id = $1 AND user_id = $2")
            .bind(clinic_id)
            .bind(user_id)
            .fetch_optional(&self.db)
            .await
            .expect("membership")
    }
}
