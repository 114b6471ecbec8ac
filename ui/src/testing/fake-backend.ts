/**
 * An in-memory desk for component tests: enough behaviour to drive the
 * screens (book, move, resolve conflicts), every call recorded, and any
 * method made to fail once with `failNext`.
 */
import { BackendError } from "../backend-error";
import type {
  Agenda,
  AgendaAppointment,
  AgendaDoctor,
  Backend,
  Conflict,
  PatientSummary,
  Profile,
  Room,
  Settings,
  SyncStatus,
  WorkingHours,
} from "../lib/desk";
import { addDays, addMinutes, weekday } from "../lib/wall-clock";

export const TODAY = "2026-03-30";

export const PROFILE: Profile = {
  server: "https://clinic.example",
  email: "reception@clinic.example",
  full_name: "Rita Reception",
  role: "reception",
  clinic_id: "clinic-1",
  clinic_name: "Clínica Sol",
  time_zone: "Europe/Madrid",
  doctor_id: null,
};

export function doctor(id: string, full_name: string): AgendaDoctor {
  return { id, full_name, specialties: [], working: [], time_off: [] };
}

export function appointment(over: Partial<AgendaAppointment> = {}): AgendaAppointment {
  return {
    id: "appt-1",
    doctor_id: "doc-1",
    doctor_name: "Dr. Elena García",
    patient_id: "pat-1",
    patient_name: "Lucía Gómez",
    room_id: null,
    room_name: null,
    start: `${TODAY}T09:00`,
    end: `${TODAY}T09:30`,
    status: "booked",
    reason: null,
    cancel_reason: null,
    pending: false,
    ...over,
  };
}

type Method = keyof Backend;

export class FakeBackend implements Backend {
  calls: { method: Method; args: unknown[] }[] = [];
  profile: Profile = PROFILE;
  doctorsList: AgendaDoctor[] = [doctor("doc-1", "Dr. Elena García"), doctor("doc-2", "Dr. Wei Chen")];
  roomsList: Room[] = [{ id: "room-1", name: "Room 1", active: true }];
  patients: PatientSummary[] = [
    { id: "pat-1", full_name: "Lucía Gómez", date_of_birth: "1980-02-01", phone: "600111222", email: null, archived: false },
    { id: "pat-2", full_name: "Luis Martín", date_of_birth: null, phone: null, email: "luis@example.com", archived: false },
  ];
  appointments: AgendaAppointment[] = [];
  conflictList: Conflict[] = [];
  status: SyncStatus = { state: "online", last_sync_at: null, pending: 0, conflicts: 0, last_error: null };
  stored: Settings = {
    language: "en",
    theme: "light",
    notify_next_appointment: true,
    notify_lead_minutes: 10,
    notify_conflicts: true,
  };
  /** Weekly hours per doctor, laid onto whichever days an agenda asks for. */
  weekly: Record<string, WorkingHours[]> = {};
  private failures = new Map<Method, BackendError>();

  private weeklyWorking(doctorId: string, days: string[]) {
    return days.flatMap((day) =>
      (this.weekly[doctorId] ?? [])
        .filter((h) => h.weekday === weekday(day))
        .map((h) => ({ start: `${day}T${h.starts}`, end: `${day}T${h.ends}` })),
    );
  }
  private deskListeners: (() => void)[] = [];

  failNext(method: Method, code: string, message = code, field?: string): void {
    const error = new BackendError(code, message);
    if (field) {
      Object.assign(error, { field });
    }
    this.failures.set(method, error);
  }

  called(method: Method): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  /** What the shell does after a local change: tell listeners to re-read. */
  changed(): void {
    for (const listener of this.deskListeners) {
      listener();
    }
  }

  private async record<T>(method: Method, args: unknown[], run: () => T): Promise<T> {
    this.calls.push({ method, args });
    const failure = this.failures.get(method);
    if (failure) {
      this.failures.delete(method);
      throw failure;
    }
    return run();
  }

  sessionState: Backend["sessionState"] = () =>
    this.record("sessionState", [], () => ({ profile: this.profile, clinics: [] }));
  signIn: Backend["signIn"] = (...args: Parameters<Backend["signIn"]>) =>
    this.record("signIn", args, () => ({
      kind: "signed_in" as const,
      session: { profile: PROFILE, clinics: [] },
      token_warning: null,
    }));
  switchClinic: Backend["switchClinic"] = (...args: Parameters<Backend["switchClinic"]>) =>
    this.record("switchClinic", args, () => ({ profile: PROFILE, clinics: [] }));
  signOut: Backend["signOut"] = (...args: Parameters<Backend["signOut"]>) => this.record("signOut", args, () => undefined);

  syncStatus: Backend["syncStatus"] = () => this.record("syncStatus", [], () => this.status);
  syncNow: Backend["syncNow"] = () => this.record("syncNow", [], () => undefined);
  onSyncStatus: Backend["onSyncStatus"] = (listener: (s: SyncStatus) => void) =>
    this.record("onSyncStatus", [], () => {
      listener(this.status);
      return () => {};
    });
  onDeskChanged: Backend["onDeskChanged"] = (listener: () => void) =>
    this.record("onDeskChanged", [], () => {
      this.deskListeners.push(listener);
      return () => {
        this.deskListeners = this.deskListeners.filter((l) => l !== listener);
      };
    });

  agenda: Backend["agenda"] = (...args: Parameters<Backend["agenda"]>) =>
    this.record("agenda", args, (): Agenda => {
      const [query] = args;
      const first = query.date ?? TODAY;
      const days = Array.from({ length: query.days }, (_, i) => addDays(first, i));
      const doctors = this.doctorsList
        .filter((d) => query.doctor_id === null || d.id === query.doctor_id)
        .map((d) => ({ ...d, working: [...d.working, ...this.weeklyWorking(d.id, days)] }));
      return {
        time_zone: PROFILE.time_zone,
        today: TODAY,
        days,
        doctors,
        rooms: this.roomsList,
        appointments: this.appointments.filter(
          (a) => days.includes(a.start.slice(0, 10)) && doctors.some((d) => d.id === a.doctor_id),
        ),
      };
    });

  bookAppointment: Backend["bookAppointment"] = (...args: Parameters<Backend["bookAppointment"]>) =>
    this.record("bookAppointment", args, () => {
      const [b] = args;
      const booked = appointment({
        id: `appt-${this.appointments.length + 1}`,
        doctor_id: b.doctor_id,
        patient_id: b.patient_id,
        patient_name: this.patients.find((p) => p.id === b.patient_id)?.full_name ?? "?",
        start: b.start,
        end: addMinutes(b.start, b.minutes),
        pending: true,
      });
      this.appointments.push(booked);
      return booked;
    });
  rescheduleAppointment: Backend["rescheduleAppointment"] = (...args: Parameters<Backend["rescheduleAppointment"]>) =>
    this.record("rescheduleAppointment", args, () => {
      const [id, change] = args;
      const found = this.appointments.find((a) => a.id === id) ?? appointment({ id });
      Object.assign(found, { start: change.start, end: addMinutes(change.start, change.minutes), pending: true });
      return found;
    });
  cancelAppointment: Backend["cancelAppointment"] = (...args: Parameters<Backend["cancelAppointment"]>) =>
    this.record("cancelAppointment", args, () => undefined);
  checkIn: Backend["checkIn"] = (...args: Parameters<Backend["checkIn"]>) => this.record("checkIn", args, () => undefined);
  markNoShow: Backend["markNoShow"] = (...args: Parameters<Backend["markNoShow"]>) => this.record("markNoShow", args, () => undefined);
  completeAppointment: Backend["completeAppointment"] = (...args: Parameters<Backend["completeAppointment"]>) =>
    this.record("completeAppointment", args, () => undefined);

  searchPatients: Backend["searchPatients"] = (...args: Parameters<Backend["searchPatients"]>) =>
    this.record("searchPatients", args, () => {
      const words = args[0].toLowerCase().split(/\s+/);
      return this.patients.filter((p) => words.every((w) => p.full_name.toLowerCase().includes(w)));
    });
  patient: Backend["patient"] = (...args: Parameters<Backend["patient"]>) =>
    this.record("patient", args, () => {
      const p = this.patients.find((x) => x.id === args[0]);
      if (!p) {
        throw new BackendError("not_found", "no such patient on this desk");
      }
      return {
        id: p.id,
        full_name: p.full_name,
        date_of_birth: p.date_of_birth,
        national_id: null,
        phone: p.phone,
        email: p.email,
        address: null,
        email_consent: false,
        archived: p.archived,
        appointments: this.appointments.filter((a) => a.patient_id === p.id),
        notes: null,
      };
    });
  registerPatient: Backend["registerPatient"] = (...args: Parameters<Backend["registerPatient"]>) =>
    this.record("registerPatient", args, () => {
      const [fields] = args;
      const created: PatientSummary = {
        id: `pat-${this.patients.length + 1}`,
        full_name: fields.full_name,
        date_of_birth: fields.date_of_birth,
        phone: fields.phone,
        email: fields.email,
        archived: false,
      };
      this.patients.push(created);
      return created;
    });
  updatePatient: Backend["updatePatient"] = (...args: Parameters<Backend["updatePatient"]>) => this.record("updatePatient", args, () => undefined);
  archivePatient: Backend["archivePatient"] = (...args: Parameters<Backend["archivePatient"]>) =>
    this.record("archivePatient", args, () => undefined);

  doctors: Backend["doctors"] = (...args: Parameters<Backend["doctors"]>) =>
    this.record("doctors", args, () =>
      this.doctorsList.map((d) => ({ id: d.id, full_name: d.full_name, specialties: d.specialties, active: true })),
    );
  createDoctor: Backend["createDoctor"] = (...args: Parameters<Backend["createDoctor"]>) =>
    this.record("createDoctor", args, () => ({ id: "doc-new", full_name: args[0], specialties: args[1], active: true }));
  updateDoctor: Backend["updateDoctor"] = (...args: Parameters<Backend["updateDoctor"]>) => this.record("updateDoctor", args, () => undefined);
  workingHours: Backend["workingHours"] = (...args: Parameters<Backend["workingHours"]>) =>
    this.record("workingHours", args, () => this.weekly[args[0]] ?? []);
  setWorkingHours: Backend["setWorkingHours"] = (...args: Parameters<Backend["setWorkingHours"]>) =>
    this.record("setWorkingHours", args, () => undefined);
  timeOff: Backend["timeOff"] = (...args: Parameters<Backend["timeOff"]>) => this.record("timeOff", args, () => []);
  addTimeOff: Backend["addTimeOff"] = (...args: Parameters<Backend["addTimeOff"]>) => this.record("addTimeOff", args, () => undefined);
  removeTimeOff: Backend["removeTimeOff"] = (...args: Parameters<Backend["removeTimeOff"]>) => this.record("removeTimeOff", args, () => undefined);
  rooms: Backend["rooms"] = (...args: Parameters<Backend["rooms"]>) => this.record("rooms", args, () => this.roomsList);
  createRoom: Backend["createRoom"] = (...args: Parameters<Backend["createRoom"]>) => this.record("createRoom", args, () => undefined);
  updateRoom: Backend["updateRoom"] = (...args: Parameters<Backend["updateRoom"]>) => this.record("updateRoom", args, () => undefined);
  staff: Backend["staff"] = () => this.record("staff", [], () => []);
  changeRole: Backend["changeRole"] = (...args: Parameters<Backend["changeRole"]>) => this.record("changeRole", args, () => undefined);
  removeMember: Backend["removeMember"] = (...args: Parameters<Backend["removeMember"]>) => this.record("removeMember", args, () => undefined);
  invitations: Backend["invitations"] = () => this.record("invitations", [], () => []);
  invite: Backend["invite"] = (...args: Parameters<Backend["invite"]>) => this.record("invite", args, () => undefined);
  revokeInvitation: Backend["revokeInvitation"] = (...args: Parameters<Backend["revokeInvitation"]>) =>
    this.record("revokeInvitation", args, () => undefined);
  clinicSettings: Backend["clinicSettings"] = () =>
    this.record("clinicSettings", [], () => ({ name: PROFILE.clinic_name, time_zone: PROFILE.time_zone, locale: "es" }));
  updateClinicSettings: Backend["updateClinicSettings"] = (...args: Parameters<Backend["updateClinicSettings"]>) =>
    this.record("updateClinicSettings", args, () => undefined);

  conflicts: Backend["conflicts"] = () => this.record("conflicts", [], () => [...this.conflictList]);
  resolveConflict: Backend["resolveConflict"] = (...args: Parameters<Backend["resolveConflict"]>) =>
    this.record("resolveConflict", args, () => {
      this.conflictList = this.conflictList.filter((c) => c.id !== args[0]);
    });

  settings: Backend["settings"] = () => this.record("settings", [], () => this.stored);
  saveSettings: Backend["saveSettings"] = (...args: Parameters<Backend["saveSettings"]>) =>
    this.record("saveSettings", args, () => {
      this.stored = args[0];
    });
}
