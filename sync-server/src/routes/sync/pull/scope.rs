//! What a member pulls: which synced tables, and how far into the agenda
//! and the patients a doctor's reach goes. The same role table as the REST
//! API's.

use super::tables::{self, SyncedTable, Visibility};
use crate::auth::Member;
use crate::db::Tx;
use crate::domain::reach::{self, Reach};
use crate::error::ApiResult;
use clinic_core::Permission;

pub(super) struct Scope {
    /// The tables the member reads, in `SyncTable::ALL`'s order.
    pub tables: Vec<&'static SyncedTable>,
    /// Which appointments they see.
    pub appointments: Reach,
    /// Which patients (and their rows) they see.
    pub patients: Reach,
}

impl Scope {
    pub async fn of(tx: &mut Tx, member: &Member) -> ApiResult<Scope> {
        let tables: Vec<&'static SyncedTable> = tables::all()
            .filter(|t| t.read.iter().any(|p| member.can(*p)))
            .collect();
        let whole_agenda = member.can(Permission::AppointmentsReadAll);
        let all_patients = member.can(Permission::PatientsReadAll);
        // The member's own doctor is looked up only when some table needs it.
        let scoped = tables.iter().any(|t| match t.visibility {
            Visibility::Clinic => false,
            Visibility::OwnAgenda { .. } => !whole_agenda,
            Visibility::OwnPatients => !all_patients,
        });
        let own = if scoped {
            reach::own_doctor(tx, member).await?
        } else {
            None
        };
        let reach = |whole: bool| {
            if whole {
                Reach::Clinic
            } else {
                Reach::Doctor(own)
            }
        };
        Ok(Scope {
            tables,
            appointments: reach(whole_agenda),
            patients: reach(all_patients),
        })
    }

    /// How far the member sees into `table`.
    pub fn reach(&self, table: &SyncedTable) -> Reach {
        match table.visibility {
            Visibility::Clinic => Reach::Clinic,
            Visibility::OwnAgenda { .. } => self.appointments,
            Visibility::OwnPatients => self.patients,
        }
    }
}
