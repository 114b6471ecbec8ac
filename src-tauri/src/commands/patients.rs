//! Patients: search, the record, register, edit, archive. Local and offline;
//! changes are queued for the server like any other action.

use crate::commands::agenda::Appointment;
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use crate::wall_clock;
use clinic_client::PatientHit;
use clinic_core::api::patients::{NewPatient, PatientView, Sex, UpdatePatient};
use clinic_core::{ErrorCode, Permission};
use serde::{Deserialize, Serialize};
use tauri::State;
use uuid::Uuid;

/// Most hits a search returns.
pub const MAX_SEARCH_LIMIT: u32 = 200;

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SearchPatientsRequest {
    /// Words starting names, phone, email or national id; accents and case
    /// ignored. Empty: nothing.
    pub query: String,
    pub include_archived: bool,
    /// 1 to 200.
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PatientSummary {
    pub id: Uuid,
    pub full_name: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub archived: bool,
    pub pending: bool,
}

impl From<&PatientHit> for PatientSummary {
    fn from(hit: &PatientHit) -> Self {
        PatientSummary {
            id: hit.id,
            full_name: hit.full_name.clone(),
            date_of_birth: hit.date_of_birth.map(|d| d.to_string()),
            phone: hit.phone.clone(),
            email: hit.email.clone(),
            archived: hit.archived,
            pending: hit.pending,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Patient {
    pub id: Uuid,
    pub full_name: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    pub sex: Option<Sex>,
    pub national_id: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    /// Agrees to transactional email (confirmations, reminders).
    pub email_consent: bool,
    /// UTC, RFC 3339.
    pub email_consent_at: Option<String>,
    pub archived: bool,
}

impl From<&PatientView> for Patient {
    fn from(p: &PatientView) -> Self {
        Patient {
            id: p.id,
            full_name: p.full_name.clone(),
            date_of_birth: p.date_of_birth.map(|d| d.to_string()),
            sex: p.sex,
            national_id: p.national_id.clone(),
            phone: p.phone.clone(),
            email: p.email.clone(),
            address: p.address.clone(),
            email_consent: p.email_consent,
            email_consent_at: p.email_consent_at.map(|t| t.to_rfc3339()),
            archived: p.archived_at.is_some(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ClinicalNote {
    pub id: Uuid,
    pub author_name: String,
    pub body: String,
    /// UTC, RFC 3339.
    pub created_at: String,
}

/// A patient's file as this member may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PatientRecord {
    pub patient: Patient,
    pub pending: bool,
    /// Newest first.
    pub appointments: Vec<Appointment>,
    /// Whether this member's role may read clinical notes; when false,
    /// `notes` is empty and the UI shows no notes section.
    pub can_read_notes: bool,
    /// Newest first.
    pub notes: Vec<ClinicalNote>,
}

/// A patient's details as the registration and edit forms send them. Empty
/// strings count as "not given".
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PatientForm {
    pub full_name: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    pub sex: Option<Sex>,
    pub national_id: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    /// Requires an email.
    pub email_consent: bool,
}

fn given(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

impl From<PatientForm> for NewPatient {
    /// The form's details as the client takes them: empty strings dropped,
    /// the sex in its wire spelling. Registration and edit both read the
    /// form through this, so they cannot drift apart.
    fn from(form: PatientForm) -> Self {
        NewPatient {
            full_name: form.full_name,
            date_of_birth: given(form.date_of_birth),
            sex: form.sex.map(|sex| sex.as_str().to_owned()),
            national_id: given(form.national_id),
            phone: given(form.phone),
            email: given(form.email),
            address: given(form.address),
            email_consent: form.email_consent,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct UpdatePatientRequest {
    pub id: Uuid,
    /// The whole form: every field is set to what it holds.
    pub patient: PatientForm,
}

#[tauri::command]
#[specta::specta]
pub async fn search_patients(
    state: State<'_, AppState>,
    request: SearchPatientsRequest,
) -> CommandResult<Vec<PatientSummary>> {
    if !(1..=MAX_SEARCH_LIMIT).contains(&request.limit) {
        return Err(CommandError::invalid(
            "limit",
            format!("ask for 1 to {MAX_SEARCH_LIMIT} patients"),
        ));
    }
    state
        .on_desk(move |desk, _| {
            let hits = desk.search_patients(
                &request.query,
                request.include_archived,
                request.limit as usize,
            )?;
            Ok(hits.iter().map(PatientSummary::from).collect())
        })
        .await
}

pub fn record(desk: &clinic_client::Desk, id: Uuid) -> CommandResult<PatientRecord> {
    let zone = wall_clock::clinic_zone(desk)?;
    let record = desk
        .patient(id)?
        .ok_or_else(|| CommandError::new(ErrorCode::NotFound, "No such patient on this desk."))?;
    let can_read_notes = desk.identity().role.can(Permission::ClinicalNotesRead);
    Ok(PatientRecord {
        patient: Patient::from(&record.patient),
        pending: record.pending,
        appointments: record
            .appointments
            .iter()
            .map(|a| Appointment::from_entry(a, zone))
            .collect(),
        can_read_notes,
        notes: if can_read_notes {
            record
                .notes
                .iter()
                .map(|n| ClinicalNote {
                    id: n.id,
                    author_name: n.author_name.clone(),
                    body: n.body.clone(),
                    created_at: n.created_at.to_rfc3339(),
                })
                .collect()
        } else {
            Vec::new()
        },
    })
}

#[tauri::command]
#[specta::specta]
pub async fn patient(state: State<'_, AppState>, id: Uuid) -> CommandResult<PatientRecord> {
    state.on_desk(move |desk, _| record(desk, id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn register_patient(
    state: State<'_, AppState>,
    patient: PatientForm,
) -> CommandResult<PatientRecord> {
    state
        .on_desk(move |desk, _| {
            let queued = desk.register_patient(NewPatient::from(patient))?;
            record(desk, queued.row_id)
        })
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn update_patient(
    state: State<'_, AppState>,
    request: UpdatePatientRequest,
) -> CommandResult<PatientRecord> {
    let details = NewPatient::from(request.patient);
    // The whole form: every field is set, an absent one to nothing.
    let changes = UpdatePatient {
        full_name: Some(Some(details.full_name)),
        date_of_birth: Some(details.date_of_birth),
        sex: Some(details.sex),
        national_id: Some(details.national_id),
        phone: Some(details.phone),
        email: Some(details.email),
        address: Some(details.address),
        email_consent: Some(details.email_consent),
        archived: None,
    };
    state
        .on_desk(move |desk, _| {
            let queued = desk.update_patient(request.id, changes)?;
            record(desk, queued.row_id)
        })
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn archive_patient(state: State<'_, AppState>, id: Uuid) -> CommandResult<PatientRecord> {
    state
        .on_desk(move |desk, _| {
            let queued = desk.archive_patient(id)?;
            record(desk, queued.row_id)
        })
        .await
}
