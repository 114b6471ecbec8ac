//! Finding patients: by name (every word, ignoring case and accents), part
//! of the email, or digits of the phone; ordered by name, paged by keyset.

use super::{COLUMNS, ErrorBody, PatientRow, reach};
use crate::auth::Member;
use crate::db;
use crate::error::ApiResult;
use crate::extract::{Json, Query};
use crate::routes::keyset;
use crate::state::AppState;
use axum::extract::State;
use clinic_core::Permission;
use clinic_core::api::patients::{PatientFilter, PatientView};
use clinic_core::api::{Page, PageQuery};
use uuid::Uuid;

#[derive(Debug, sqlx::FromRow)]
struct ListedPatient {
    #[sqlx(flatten)]
    patient: PatientRow,
    sort_key: String,
}

/// `%`, `_` and `\` are LIKE wildcards; a search for them means the characters.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Finds patients, ordered by name. `q` matches every word of the name
/// (ignoring case and accents), or part of the email, or digits of the phone.
/// A doctor sees only patients booked with them.
#[utoipa::path(
    get, path = "/v1/clinics/{clinic_id}/patients", tag = "patients", security(("bearer" = [])),
    params(("clinic_id" = Uuid, Path), PatientFilter, PageQuery),
    responses(
        (status = 200, body = Page<PatientView>),
        (status = 400, description = "Unreadable query string", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "Not a member of this clinic", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn list_patients(
    State(state): State<AppState>,
    member: Member,
    Query(filter): Query<PatientFilter>,
    Query(page): Query<PageQuery>,
) -> ApiResult<Json<Page<PatientView>>> {
    member.require_any(&[Permission::PatientsReadAll, Permission::PatientsReadOwn])?;
    let search = filter.parse()?;
    let limit = page.limit()?;
    let after: Option<(String, Uuid)> = keyset::decode(page.cursor.as_deref())?;
    let mut tx = member.begin(&state).await?;
    let reach = reach::patients(&mut tx, &member).await?;
    let words: Vec<String> = search.words.iter().map(|w| like_escape(w)).collect();
    let rows: Vec<ListedPatient> = sqlx::query_as(&format!(
        "SELECT {COLUMNS}, lower(p.full_name) AS sort_key
         FROM patients p
         WHERE ($1 OR p.archived_at IS NULL)
           AND ($2 OR EXISTS (SELECT 1 FROM appointments a
                              WHERE a.clinic_id = p.clinic_id AND a.patient_id = p.id
                                AND a.doctor_id = $3))
           AND ($4::text IS NULL
                OR patient_search_key(p.full_name) LIKE ALL (
                       SELECT '%' || patient_search_key(w) || '%' FROM unnest($5::text[]) AS w)
                OR p.email LIKE '%' || lower($4) || '%'
                OR ($6::text IS NOT NULL
                    AND regexp_replace(coalesce(p.phone, ''), '[^0-9]', '', 'g') LIKE '%' || $6 || '%'))
           AND ($7::text IS NULL OR (lower(p.full_name), p.id) > ($7, $8))
         ORDER BY lower(p.full_name), p.id
         LIMIT $9"
    ))
    .bind(search.include_archived)
    .bind(reach.whole_clinic())
    .bind(reach.doctor())
    .bind(search.text.as_deref().map(like_escape))
    .bind(&words)
    .bind(search.digits.as_deref())
    .bind(after.as_ref().map(|(name, _)| name.as_str()))
    .bind(after.as_ref().map(|(_, id)| *id))
    .bind(i64::from(limit) + 1)
    .fetch_all(&mut *tx)
    .await?;
    db::audit(&mut tx, &member, "patient.listed", "patient", None).await?;
    tx.commit().await?;
    keyset::page(
        rows,
        limit,
        |r| (r.sort_key.clone(), r.patient.id),
        |r| r.patient.view(),
    )
    .map(Json)
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(super::like_escape(r"50%_a\b"), r"50\%\_a\\b");
    }
}
