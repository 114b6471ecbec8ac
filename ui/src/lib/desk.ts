/**
 * The shapes the screens work with. Until the shell's generated bindings
 * land (`bindings.ts`, owned by the Rust side) these mirror the DTOs of
 * clinic-core; afterwards they are re-exported from the bindings.
 * Times: `*_at` are UTC instants (RFC 3339); `start`/`end` are the clinic's
 * wall clock as "YYYY-MM-DDTHH:MM" — the UI never converts between zones.
 */
export type Role = "admin" | "doctor" | "reception" | "worker";
export type AppointmentStatus = "booked" | "checked_in" | "completed" | "cancelled" | "no_show";

export interface Membership {
  clinic_id: string;
  clinic_name: string;
  role: Role;
}

export interface Profile {
  server: string;
  email: string;
  full_name: string;
  role: Role;
  clinic_id: string;
  clinic_name: string;
  time_zone: string;
  doctor_id: string | null;
}

export interface SessionState {
  profile: Profile | null;
  clinics: Membership[];
}

export type SignInResult =
  | { kind: "signed_in"; session: SessionState; token_warning: string | null }
  | { kind: "choose_clinic"; clinics: Membership[] };

export interface SignIn {
  server: string;
  email: string;
  password: string;
  clinic_id: string | null;
}

export type SyncState = "online" | "offline" | "syncing";

export interface SyncStatus {
  state: SyncState;
  last_sync_at: string | null;
  pending: number;
  conflicts: number;
  last_error: string | null;
}

export interface WallRange {
  start: string;
  end: string;
}

export interface AgendaDoctor {
  id: string;
  full_name: string;
  specialties: string[];
  /** Working intervals of each shown day, on the clinic's clock. */
  working: WallRange[];
  time_off: WallRange[];
}

export interface Room {
  id: string;
  name: string;
  active: boolean;
}

export interface AgendaAppointment {
  id: string;
  doctor_id: string;
  doctor_name: string;
  patient_id: string;
  patient_name: string;
  room_id: string | null;
  room_name: string | null;
  start: string;
  end: string;
  status: AppointmentStatus;
  reason: string | null;
  cancel_reason: string | null;
  pending: boolean;
}

export interface Agenda {
  time_zone: string;
  /** Today on the clinic's clock, "YYYY-MM-DD". */
  today: string;
  days: string[];
  doctors: AgendaDoctor[];
  rooms: Room[];
  appointments: AgendaAppointment[];
}

export interface AgendaQuery {
  /** The first day to show, or null for today on the clinic's clock. */
  date: string | null;
  days: 1 | 7;
  doctor_id: string | null;
}

export interface Booking {
  doctor_id: string;
  patient_id: string;
  room_id: string | null;
  start: string;
  minutes: number;
  reason: string | null;
}

export interface Reschedule {
  start: string;
  minutes: number;
  doctor_id: string | null;
  room_id: string | null;
}

export interface PatientSummary {
  id: string;
  full_name: string;
  date_of_birth: string | null;
  phone: string | null;
  email: string | null;
  archived: boolean;
}

export interface PatientFields {
  full_name: string;
  date_of_birth: string | null;
  national_id: string | null;
  phone: string | null;
  email: string | null;
  address: string | null;
  email_consent: boolean;
}

export interface ClinicalNote {
  id: string;
  author_name: string;
  body: string;
  created_at: string;
}

export interface PatientRecord extends PatientFields {
  id: string;
  archived: boolean;
  appointments: AgendaAppointment[];
  /** Absent when the signed-in role may not read clinical notes. */
  notes: ClinicalNote[] | null;
}

export interface Doctor {
  id: string;
  full_name: string;
  specialties: string[];
  active: boolean;
}

export interface WorkingHours {
  /** ISO weekday: Monday = 1 … Sunday = 7. */
  weekday: number;
  starts: string;
  ends: string;
}

export interface TimeOff {
  id: string;
  start: string;
  end: string;
  reason: string | null;
}

export interface StaffMember {
  user_id: string;
  full_name: string;
  email: string;
  role: Role;
  is_owner: boolean;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  expires_at: string;
}

export interface ClinicSettings {
  name: string;
  time_zone: string;
  locale: string;
}

export interface Conflict {
  id: string;
  /** The server's reason, e.g. `slot_taken`. */
  code: string;
  message: string;
  /** The appointment the refused mutation was about, when it was one. */
  appointment: AgendaAppointment | null;
  created_at: string;
}

export type Resolution =
  | { kind: "discard" }
  | { kind: "retry" }
  | { kind: "pick_another_slot"; start: string; minutes: number };

export type Language = "system" | "en" | "es";
export type ThemeChoice = "system" | "light" | "dark";

export interface Settings {
  language: Language;
  theme: ThemeChoice;
  notify_next_appointment: boolean;
  notify_lead_minutes: number;
  notify_conflicts: boolean;
}

export type Unsubscribe = () => void;

export interface Backend {
  sessionState(): Promise<SessionState>;
  signIn(request: SignIn): Promise<SignInResult>;
  switchClinic(clinicId: string): Promise<SessionState>;
  signOut(wipeLocalData: boolean): Promise<void>;

  syncStatus(): Promise<SyncStatus>;
  syncNow(): Promise<void>;
  onSyncStatus(listener: (status: SyncStatus) => void): Promise<Unsubscribe>;
  onDeskChanged(listener: () => void): Promise<Unsubscribe>;

  agenda(query: AgendaQuery): Promise<Agenda>;
  bookAppointment(booking: Booking): Promise<AgendaAppointment>;
  rescheduleAppointment(id: string, change: Reschedule): Promise<AgendaAppointment>;
  cancelAppointment(id: string, reason: string): Promise<void>;
  checkIn(id: string): Promise<void>;
  markNoShow(id: string): Promise<void>;
  completeAppointment(id: string): Promise<void>;

  searchPatients(query: string, includeArchived: boolean, limit: number): Promise<PatientSummary[]>;
  patient(id: string): Promise<PatientRecord>;
  registerPatient(fields: PatientFields): Promise<PatientSummary>;
  updatePatient(id: string, fields: PatientFields): Promise<void>;
  archivePatient(id: string): Promise<void>;

  doctors(includeInactive: boolean): Promise<Doctor[]>;
  createDoctor(fullName: string, specialties: string[]): Promise<Doctor>;
  updateDoctor(id: string, change: { full_name: string; specialties: string[]; active: boolean }): Promise<void>;
  workingHours(doctorId: string): Promise<WorkingHours[]>;
  setWorkingHours(doctorId: string, hours: WorkingHours[]): Promise<void>;
  timeOff(doctorId: string): Promise<TimeOff[]>;
  addTimeOff(doctorId: string, start: string, end: string, reason: string | null): Promise<void>;
  removeTimeOff(id: string): Promise<void>;
  rooms(includeInactive: boolean): Promise<Room[]>;
  createRoom(name: string): Promise<void>;
  updateRoom(id: string, change: { name: string; active: boolean }): Promise<void>;
  staff(): Promise<StaffMember[]>;
  changeRole(userId: string, role: Role): Promise<void>;
  removeMember(userId: string): Promise<void>;
  invitations(): Promise<Invitation[]>;
  invite(email: string, role: Role): Promise<void>;
  revokeInvitation(id: string): Promise<void>;
  clinicSettings(): Promise<ClinicSettings>;
  updateClinicSettings(settings: ClinicSettings): Promise<void>;

  conflicts(): Promise<Conflict[]>;
  resolveConflict(id: string, resolution: Resolution): Promise<void>;

  settings(): Promise<Settings>;
  saveSettings(settings: Settings): Promise<void>;
}
