//! Signing in and out, switching clinic, and who is signed in.

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use crate::wall_clock;
use clinic_client::{Login, Profile};
use clinic_core::Role;
use clinic_core::api::auth::MembershipView;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use tauri::State;
use uuid::Uuid;

/// One clinic the account belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    pub clinic_id: Uuid,
    pub clinic_name: String,
    pub role: Role,
    pub is_owner: bool,
}

impl From<&MembershipView> for Membership {
    fn from(m: &MembershipView) -> Self {
        Membership {
            clinic_id: m.clinic_id,
            clinic_name: m.clinic_name.clone(),
            role: m.role,
            is_owner: m.is_owner,
        }
    }
}

/// What the signed-in member may do at this clinic, from clinic-core's one
/// permission table: the UI hides what the desk and the server would refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Abilities {
    /// Book, move and cancel any appointment.
    pub book_appointments: bool,
    /// Check in, mark no-show, complete (a doctor: their own appointments).
    pub progress_appointments: bool,
    /// Register, edit and archive patients.
    pub edit_patients: bool,
    pub read_notes: bool,
    /// Doctors, their hours and time off.
    pub manage_doctors: bool,
    pub manage_rooms: bool,
    /// Staff and invitations.
    pub manage_staff: bool,
    /// The clinic's name, time zone and locale.
    pub manage_clinic: bool,
}

impl From<Role> for Abilities {
    fn from(role: Role) -> Self {
        use clinic_core::Permission as P;
        Abilities {
            book_appointments: role.can(P::AppointmentsWrite),
            progress_appointments: role.can(P::AppointmentsWrite)
                || role.can(P::AppointmentsProgressOwn),
            edit_patients: role.can(P::PatientsWrite),
            read_notes: role.can(P::ClinicalNotesRead),
            manage_doctors: role.can(P::DoctorsManage),
            manage_rooms: role.can(P::RoomsManage),
            manage_staff: role.can(P::StaffManage),
            manage_clinic: role.can(P::ClinicManage),
        }
    }
}

/// Who is signed in, at which clinic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub server: String,
    pub email: String,
    pub user_id: Uuid,
    pub user_name: String,
    pub role: Role,
    pub can: Abilities,
    pub clinic_id: Uuid,
    pub clinic_name: String,
    /// The clinic's IANA zone; absent until the first sync brought it.
    pub time_zone: Option<String>,
    /// The signed-in member's own doctor record, if they are a doctor.
    pub doctor_id: Option<Uuid>,
    /// Every clinic of the account, as last listed by the server.
    pub clinics: Vec<Membership>,
    /// Set once, after a sign-in whose token could not go to the system
    /// keyring: say where it went. Later calls return `null`.
    pub token_warning: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SignInRequest {
    /// `https://clinic.example` (a path prefix is kept).
    pub server: String,
    pub email: String,
    pub password: String,
    /// Which clinic to open when the account works at several.
    pub clinic_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum SignInOutcome {
    SignedIn {
        session: Box<Session>,
    },
    /// The account works at several clinics: ask which, then sign in again
    /// with `clinicId`. No session was kept.
    ChooseClinic {
        clinics: Vec<Membership>,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SignOutRequest {
    /// Also delete this clinic's local store (its unsynced changes are lost).
    pub wipe_local_data: bool,
}

/// What signing out did.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SignedOut {
    /// The server confirmed the session is revoked (false when offline: the
    /// token is forgotten here anyway and the session expires on its own).
    pub revoked: bool,
    pub local_data_wiped: bool,
}

/// How long a sign-in waits for the clinic's settings on a new desk, so the
/// session it returns has the time zone; past it the UI follows
/// `deskChanged` (the first page comes in well under a second on a LAN).
const FIRST_SYNC_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

fn device_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.trim().is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
                .filter(|h| !h.is_empty())
        });
    match host {
        Some(host) => format!("Clinic Desk on {host}"),
        None => "Clinic Desk".to_owned(),
    }
}

async fn session_of(state: &AppState, profile: &Profile) -> CommandResult<Session> {
    let (time_zone, doctor_id) = state
        .on_desk(|desk, profile| {
            let time_zone = wall_clock::clinic_zone(desk)
                .ok()
                .map(|z| z.name().to_owned());
            let doctor_id = match profile.role {
                Role::Doctor => desk.my_doctor()?.map(|d| d.id),
                _ => None,
            };
            Ok((time_zone, doctor_id))
        })
        .await?;
    Ok(Session {
        server: profile.server.clone(),
        email: profile.email.clone(),
        user_id: profile.user_id,
        user_name: profile.user_name.clone(),
        role: profile.role,
        can: profile.role.into(),
        clinic_id: profile.clinic_id,
        clinic_name: profile.clinic_name.clone(),
        time_zone,
        doctor_id,
        clinics: state.clinics.get().iter().map(Membership::from).collect(),
        token_warning: state.take_token_warning(),
    })
}

/// Who is signed in, or `null`. Works offline.
#[tauri::command]
#[specta::specta]
pub async fn session_state(state: State<'_, AppState>) -> CommandResult<Option<Session>> {
    match state.profile().await {
        Ok(profile) => Ok(Some(session_of(&state, &profile).await?)),
        Err(_) => Ok(None),
    }
}

/// Signs in (needs the server), keeps the token in the system keyring, opens
/// the clinic's desk and starts syncing.
#[tauri::command]
#[specta::specta]
pub async fn sign_in(
    state: State<'_, AppState>,
    request: SignInRequest,
) -> CommandResult<SignInOutcome> {
    if request.email.trim().is_empty() {
        return Err(CommandError::invalid("email", "Enter your email address."));
    }
    if request.password.is_empty() {
        return Err(CommandError::invalid("password", "Enter your password."));
    }
    if let Err(error) = clinic_client::api::parse_server_url(&request.server) {
        return Err(CommandError::invalid("server", error.to_string()));
    }
    let login = Login {
        server: request.server,
        email: request.email,
        password: SecretString::from(request.password),
        device_name: device_name(),
        clinic_id: request.clinic_id,
        new_device: false,
    };
    let signed = match state.sessions.login(login).await {
        Ok(signed) => signed,
        Err(clinic_client::Error::ChooseClinic { memberships, .. }) => {
            return Ok(SignInOutcome::ChooseClinic {
                clinics: memberships.iter().map(Membership::from).collect(),
            });
        }
        Err(error) => return Err(error.into()),
    };
    if let Err(error) = state.clinics.set(&signed.memberships) {
        tracing::warn!("cannot keep the list of clinics: {error}");
    }
    state.set_token_warning(signed.token_warning);
    state.open_profile(signed.profile.clone()).await?;
    state.first_sync(FIRST_SYNC_WAIT).await;
    Ok(SignInOutcome::SignedIn {
        session: Box::new(session_of(&state, &signed.profile).await?),
    })
}

/// Opens another clinic of the signed-in account with the same session.
/// Works offline for clinics already listed.
#[tauri::command]
#[specta::specta]
pub async fn switch_clinic(state: State<'_, AppState>, clinic_id: Uuid) -> CommandResult<Session> {
    state.refresh_clinics().await;
    let memberships = state.clinics.get();
    let profile = state.sessions.switch_clinic(&memberships, clinic_id)?;
    state.open_profile(profile.clone()).await?;
    state.first_sync(FIRST_SYNC_WAIT).await;
    session_of(&state, &profile).await
}

/// Signs out: stops syncing, revokes the session when the server answers,
/// forgets the token, and on request deletes this clinic's local store.
#[tauri::command]
#[specta::specta]
pub async fn sign_out(
    state: State<'_, AppState>,
    request: SignOutRequest,
) -> CommandResult<SignedOut> {
    // The open desk's profile; else the saved one (its desk failed to open).
    let profile = match state.close().await {
        Some(profile) => Some(profile),
        None => state.sessions.current()?,
    };
    let revoked = state.sessions.logout().await?;
    if let Err(error) = state.clinics.forget() {
        tracing::warn!("cannot forget the list of clinics: {error}");
    }
    let mut local_data_wiped = false;
    if request.wipe_local_data
        && let Some(profile) = profile
    {
        crate::wipe::store_files(&state.data_dir(), &profile)?;
        local_data_wiped = true;
    }
    Ok(SignedOut {
        revoked,
        local_data_wiped,
    })
}
