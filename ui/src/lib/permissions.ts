import type { Session } from "../backend";

/**
 * What to show to whom, from the abilities the shell reads off clinic-core's
 * permission table (docs/ROLES.md). The server enforces them on every
 * action; the UI only hides what would be refused.
 */
export const can = {
  /** The agenda and the patients belong to those who book or see appointments. */
  seeAgenda: (s: Session) => s.can.bookAppointments || s.can.progressAppointments,
  book: (s: Session) => s.can.bookAppointments,
  /** Check in, no-show, complete: any appointment at the desk, a doctor only their own. */
  progress: (s: Session, doctorId: string) =>
    s.can.progressAppointments && (s.role !== "doctor" || s.doctorId === doctorId),
  editPatients: (s: Session) => s.can.editPatients,
  administer: (s: Session) => s.can.manageDoctors || s.can.manageRooms || s.can.manageStaff || s.can.manageClinic,
};
