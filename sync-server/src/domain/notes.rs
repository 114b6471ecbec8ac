//! Writing clinical notes: for doctors only, and only on the patients they
//! may read (see the role table in `clinic_core::role`).

use super::reach;
use crate::auth::Member;
use crate::db::{self, Tx};
use crate::error::ApiResult;
use chrono::{DateTime, Utc};
use clinic_core::Permission;
use clinic_core::api::patients::{ClinicalNoteView, NewClinicalNote};
use uuid::Uuid;

pub(crate) const SELECT: &str =
    "SELECT n.id, n.patient_id, n.author_id, u.full_name AS author_name, n.body, n.created_at
     FROM clinical_notes n JOIN users u ON u.id = n.author_id";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct NoteRow {
    pub id: Uuid,
    patient_id: Uuid,
    author_id: Uuid,
    author_name: String,
    body: String,
    pub created_at: DateTime<Utc>,
}

impl From<NoteRow> for ClinicalNoteView {
    fn from(r: NoteRow) -> Self {
        ClinicalNoteView {
            id: r.id,
            patient_id: r.patient_id,
            author_id: r.author_id,
            author_name: r.author_name,
            body: r.body,
            created_at: r.created_at,
        }
    }
}

/// Adds the note `id` to `patient_id`'s file, signed by `member`.
pub async fn write(
    tx: &mut Tx,
    member: &Member,
    patient_id: Uuid,
    id: Uuid,
    req: &NewClinicalNote,
) -> ApiResult<ClinicalNoteView> {
    member.require(Permission::ClinicalNotesWrite)?;
    let body = req.parse()?;
    let reach = reach::patients(tx, member).await?;
    reach::ensure_patient_visible(tx, reach, patient_id).await?;
    sqlx::query(
        "INSERT INTO clinical_notes (clinic_id, id, patient_id, author_id, body)
         VALUES (app_clinic_id(), $1, $2, $3, $4)",
    )
    .bind(id)
    .bind(patient_id)
    .bind(member.user_id)
    .bind(&body)
    .execute(&mut **tx)
    .await?;
    let row: NoteRow = sqlx::query_as(&format!("{SELECT} WHERE n.id = $1"))
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    db::audit(
        tx,
        member,
        "clinical_note.written",
        "clinical_note",
        Some(id),
    )
    .await?;
    Ok(row.into())
}
