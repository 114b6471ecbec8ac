//! Roles and the one table that says what each may do.
//!
//! The server enforces this table on every endpoint and sync mutation; the
//! desk mirrors it only to hide what a user could not do anyway.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A member's role in one clinic. A user may hold different roles in
/// different clinics, and exactly one in each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the clinic: staff, doctors, rooms, hours, worker orders, billing.
    Admin,
    /// Sees their own agenda and their own patients, writes clinical notes.
    Doctor,
    /// Front desk: books, moves, cancels, checks in, registers patients.
    Reception,
    /// External worker (e.g. a radiologist): sees only orders addressed to them.
    Worker,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Doctor, Role::Reception, Role::Worker];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Doctor => "doctor",
            Role::Reception => "reception",
            Role::Worker => "worker",
        }
    }

    /// Whether this role holds `permission`. The table lives in [`grants`].
    pub fn can(self, permission: Permission) -> bool {
        grants(self).contains(&permission)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown role {0:?}; expected admin, doctor, reception or worker")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// Everything a member can be allowed to do inside a clinic.
///
/// "Own" permissions are scoped by the server to the member's own rows: a
/// doctor's own appointments and the patients booked with them, a worker's
/// own orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Read the clinic's name, time zone, locale and currency.
    ClinicRead,
    /// Change the clinic's settings.
    ClinicManage,
    /// List staff and invitations; invite, change roles, remove members.
    StaffManage,
    /// Read doctors, their working hours and time off.
    DoctorsRead,
    /// Create and edit doctors, their hours and time off.
    DoctorsManage,
    /// Read rooms.
    RoomsRead,
    /// Create and edit rooms.
    RoomsManage,
    /// Read every patient of the clinic.
    PatientsReadAll,
    /// Read only patients who have an appointment with the member as doctor.
    PatientsReadOwn,
    /// Register, edit and archive patients.
    PatientsWrite,
    /// Read clinical notes of the patients the member may read.
    ClinicalNotesRead,
    /// Write clinical notes on the patients the member may read.
    ClinicalNotesWrite,
    /// Read the whole clinic's agenda.
    AppointmentsReadAll,
    /// Read only the member's own agenda (as doctor).
    AppointmentsReadOwn,
    /// Book, move and cancel appointments; check in, no-show, complete.
    AppointmentsWrite,
    /// Check in, complete or mark no-show on the member's own appointments.
    AppointmentsProgressOwn,
    /// Read and manage the clinic's directory of external workers.
    WorkersManage,
    /// Create, approve, pay for and cancel report orders; read them all.
    OrdersManage,
    /// Read, accept and deliver the orders addressed to the member (as worker).
    OrdersWorkOwn,
    /// Payment settings and payment history.
    BillingManage,
    /// Read the audit log.
    AuditRead,
}

use Permission::*;

impl Permission {
    pub const ALL: [Permission; 21] = [
        ClinicRead,
        ClinicManage,
        StaffManage,
        DoctorsRead,
        DoctorsManage,
        RoomsRead,
        RoomsManage,
        PatientsReadAll,
        PatientsReadOwn,
        PatientsWrite,
        ClinicalNotesRead,
        ClinicalNotesWrite,
        AppointmentsReadAll,
        AppointmentsReadOwn,
        AppointmentsWrite,
        AppointmentsProgressOwn,
        WorkersManage,
        OrdersManage,
        OrdersWorkOwn,
        BillingManage,
        AuditRead,
    ];

    /// One line for people: what holding this permission lets a member do.
    pub fn describe(self) -> &'static str {
        match self {
            ClinicRead => "read the clinic's name, time zone, locale and currency",
            ClinicManage => "change the clinic's settings",
            StaffManage => "list staff and invitations; invite, change roles, remove members",
            DoctorsRead => "read doctors, their working hours and time off",
            DoctorsManage => "create and edit doctors, their hours and time off",
            RoomsRead => "read rooms",
            RoomsManage => "create and edit rooms",
            PatientsReadAll => "read every patient of the clinic",
            PatientsReadOwn => "read only patients booked with them (as doctor)",
            PatientsWrite => "register, edit and archive patients",
            ClinicalNotesRead => "read clinical notes of the patients they may read",
            ClinicalNotesWrite => "write clinical notes on the patients they may read",
            AppointmentsReadAll => "read the whole clinic's agenda",
            AppointmentsReadOwn => "read only their own agenda (as doctor)",
            AppointmentsWrite => "book, move, cancel; check in, no-show, complete",
            AppointmentsProgressOwn => "check in, complete, mark no-show on their own appointments",
            WorkersManage => "manage the directory of external workers",
            OrdersManage => "create, approve, pay for, cancel and read all report orders",
            OrdersWorkOwn => "read, accept and deliver orders addressed to them (as worker)",
            BillingManage => "payment settings and payment history",
            AuditRead => "read the audit log",
        }
    }
}

/// The role table as Markdown, for `docs/ROLES.md` (a test keeps the two equal).
pub fn matrix_markdown() -> String {
    let mut out = String::from("| permission | what it allows |");
    for role in Role::ALL {
        out.push_str(&format!(" {role} |"));
    }
    out.push_str("\n|---|---|");
    out.push_str(&"---|".repeat(Role::ALL.len()));
    out.push('\n');
    for p in Permission::ALL {
        let name = serde_plain_name(p);
        out.push_str(&format!("| `{name}` | {} |", p.describe()));
        for role in Role::ALL {
            out.push_str(if role.can(p) { " ✓ |" } else { " — |" });
        }
        out.push('\n');
    }
    out
}

fn serde_plain_name(p: Permission) -> String {
    // Debug is the variant name; the wire name is its snake_case.
    let mut name = String::new();
    for (i, c) in format!("{p:?}").chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            name.push('_');
        }
        name.push(c.to_ascii_lowercase());
    }
    name
}

/// The role → permission table. Decisions worth stating:
/// - Clinical notes are for doctors only; an admin runs the clinic but is not
///   assumed to be a clinician, and reception never reads them.
/// - Managing doctors, rooms and hours is the admin's; reception books within them.
/// - Workers see the clinic's name (to know who ordered) and their own orders, nothing else.
pub fn grants(role: Role) -> &'static [Permission] {
    match role {
        Role::Admin => &[
            ClinicRead,
            ClinicManage,
            StaffManage,
            DoctorsRead,
            DoctorsManage,
            RoomsRead,
            RoomsManage,
            PatientsReadAll,
            PatientsWrite,
            AppointmentsReadAll,
            AppointmentsWrite,
            WorkersManage,
            OrdersManage,
            BillingManage,
            AuditRead,
        ],
        Role::Doctor => &[
            ClinicRead,
            DoctorsRead,
            RoomsRead,
            PatientsReadOwn,
            ClinicalNotesRead,
            ClinicalNotesWrite,
            AppointmentsReadOwn,
            AppointmentsProgressOwn,
        ],
        Role::Reception => &[
            ClinicRead,
            DoctorsRead,
            RoomsRead,
            PatientsReadAll,
            PatientsWrite,
            AppointmentsReadAll,
            AppointmentsWrite,
        ],
        Role::Worker => &[ClinicRead, OrdersWorkOwn],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(Role::Admin, StaffManage, true)]
    #[case(Role::Doctor, StaffManage, false)]
    #[case(Role::Reception, StaffManage, false)]
    #[case(Role::Worker, StaffManage, false)]
    #[case(Role::Admin, OrdersManage, true)]
    #[case(Role::Reception, OrdersManage, false)]
    #[case(Role::Admin, BillingManage, true)]
    #[case(Role::Doctor, BillingManage, false)]
    #[case(Role::Reception, ClinicalNotesRead, false)]
    #[case(Role::Admin, ClinicalNotesRead, false)]
    #[case(Role::Doctor, ClinicalNotesRead, true)]
    #[case(Role::Doctor, AppointmentsReadAll, false)]
    #[case(Role::Doctor, AppointmentsReadOwn, true)]
    #[case(Role::Worker, PatientsReadAll, false)]
    #[case(Role::Worker, PatientsReadOwn, false)]
    #[case(Role::Worker, OrdersWorkOwn, true)]
    #[case(Role::Worker, AppointmentsReadOwn, false)]
    fn matrix(#[case] role: Role, #[case] p: Permission, #[case] allowed: bool) {
        assert_eq!(role.can(p), allowed, "{role} / {p:?}");
    }

    #[test]
    fn roles_round_trip_through_text() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            let json = serde_json::to_string(&role).expect("serialize");
            assert_eq!(json, format!("\"{}\"", role.as_str()));
        }
        assert_eq!(
            "owner".parse::<Role>(),
            Err(UnknownRole("owner".to_owned()))
        );
    }

    #[test]
    fn the_documented_matrix_is_the_enforced_one() {
        let doc = include_str!("../../../docs/ROLES.md");
        assert!(
            doc.contains(&matrix_markdown()),
            "docs/ROLES.md is out of date; paste this table in:\n{}",
            matrix_markdown()
        );
        for p in Permission::ALL {
            let wire = serde_json::to_string(&p).expect("serialize");
            assert_eq!(wire, format!("\"{}\"", serde_plain_name(p)));
        }
    }

    #[test]
    fn no_role_grants_a_permission_twice() {
        for role in Role::ALL {
            let g = grants(role);
            for (i, p) in g.iter().enumerate() {
                assert!(!g[i + 1..].contains(p), "{role} lists {p:?} twice");
            }
        }
    }
}
