//! Opening a clinic and changing its settings.

use crate::auth::{AuthSession, Member};
use crate::db::{self, Tx};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use clinic_core::api::auth::{ClinicSettings, NewClinic};
use clinic_core::api::clinic::{ClinicView, UpdateClinic};
use clinic_core::{Permission, Role};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub(crate) struct ClinicRow {
    id: Uuid,
    name: String,
    time_zone: String,
    locale: String,
    currency: String,
    created_at: DateTime<Utc>,
}

impl From<ClinicRow> for ClinicView {
    fn from(r: ClinicRow) -> Self {
        ClinicView {
            id: r.id,
            name: r.name,
            time_zone: r.time_zone,
            locale: r.locale,
            currency: r.currency,
            created_at: r.created_at,
        }
    }
}

const CLINIC_COLUMNS: &str = "id, name, time_zone, locale, currency, created_at";

/// The clinic of the transaction's context; `lock` holds it until commit.
pub(crate) async fn load(tx: &mut Tx, clinic_id: Uuid, lock: bool) -> ApiResult<ClinicView> {
    let sql = format!(
        "SELECT {CLINIC_COLUMNS} FROM clinics WHERE id = $1{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    let row: Option<ClinicRow> = sqlx::query_as(&sql)
        .bind(clinic_id)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(ClinicView::from)
        .ok_or_else(|| ApiError::not_found("clinic"))
}

/// Writes the clinic `clinic_id` with `owner_id` as its owner and first
/// admin. The transaction is the new clinic's own context (as every later
/// request's), so its rows are written under the same row security. The
/// caller writes the audit entry: who opened it is said differently at
/// sign-up, when there is no member yet.
pub(crate) async fn open(
    tx: &mut Tx,
    clinic_id: Uuid,
    owner_id: Uuid,
    settings: &ClinicSettings,
) -> ApiResult<ClinicView> {
    let row: ClinicRow = sqlx::query_as(&format!(
        "INSERT INTO clinics (id, name, time_zone, locale, currency) VALUES ($1, $2, $3, $4, $5)
         RETURNING {CLINIC_COLUMNS}"
    ))
    .bind(clinic_id)
    .bind(&settings.name)
    .bind(settings.time_zone.name())
    .bind(settings.locale.as_str())
    .bind(settings.currency.code())
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO memberships (clinic_id, user_id, role, is_owner) VALUES ($1, $2, 'admin', true)",
    )
    .bind(clinic_id)
    .bind(owner_id)
    .execute(&mut **tx)
    .await?;
    Ok(row.into())
}

/// Opens the clinic `clinic_id` for a signed-in person, who becomes its
/// owner and first admin. `tx` must be under that clinic's context.
pub async fn create(
    tx: &mut Tx,
    session: &AuthSession,
    clinic_id: Uuid,
    req: &NewClinic,
) -> ApiResult<ClinicView> {
    let settings = req.parse()?;
    let view = open(tx, clinic_id, session.user_id, &settings).await?;
    let owner = Member {
        clinic_id,
        user_id: session.user_id,
        device_id: session.device_id,
        session_id: session.session_id,
        role: Role::Admin,
    };
    db::audit(tx, &owner, "clinic.created", "clinic", Some(clinic_id)).await?;
    Ok(view)
}

/// Changes the clinic's settings; fields left out stay as they are.
pub async fn update(tx: &mut Tx, member: &Member, req: &UpdateClinic) -> ApiResult<ClinicView> {
    member.require(Permission::ClinicManage)?;
    let current = load(tx, member.clinic_id, true).await?;
    let settings: ClinicSettings = req.apply_to(&current)?;
    if settings.matches(&current) {
        // Nothing to change: no new sync version, no audit entry.
        return Ok(current);
    }
    let view: ClinicView = sqlx::query_as::<_, ClinicRow>(&format!(
        "UPDATE clinics SET name = $2, time_zone = $3, locale = $4, currency = $5 WHERE id = $1
         RETURNING {CLINIC_COLUMNS}"
    ))
    .bind(member.clinic_id)
    .bind(&settings.name)
    .bind(settings.time_zone.name())
    .bind(settings.locale.as_str())
    .bind(settings.currency.code())
    .fetch_one(&mut **tx)
    .await?
    .into();
    db::audit(
        tx,
        member,
        "clinic.updated",
        "clinic",
        Some(member.clinic_id),
    )
    .await?;
    Ok(view)
}
