/**
 * An in-memory desk for component tests: enough behaviour to drive the
 * screens (book, move, resolve conflicts), every call recorded, and any
 * command made to fail once with `failNext`.
 */
import type {
  Abilities,
  Agenda,
  AgendaDoctor,
  Appointment,
  Backend,
  ConflictView,
  Doctor,
  PatientForm,
  PatientRecord,
  PatientSummary,
  Role,
  Room,
  Session,
  Settings,
  SyncStatusView,
  WallRange,
  WeeklyHours,
} from "../backend";
import { BackendError } from "../backend-error";
import { addDays, addMinutes, weekday, weekStart } from "../lib/wall-clock";

export const TODAY = "2026-03-30";

/** What each role may do, as clinic-core's permission table says (docs/ROLES.md). */
export function abilities(role: Role): Abilities {
  const admin = role === "admin";
  const desk = admin || role === "reception";
  return {
    bookAppointments: desk,
    progressAppointments: desk || role === "doctor",
    editPatients: desk,
    readNotes: role === "doctor",
    manageDoctors: admin,
    manageRooms: admin,
    manageStaff: admin,
    manageClinic: admin,
  };
}

/** A session of another role, with that role's abilities. */
export function sessionAs(role: Role, over: Partial<Session> = {}): Session {
  return { ...SESSION, role, can: abilities(role), ...over };
}

export const SESSION: Session = {
  server: "https://clinic.example",
  email: "reception@clinic.example",
  userId: "user-1",
  userName: "Rita Reception",
  role: "reception",
  can: {
    bookAppointments: true,
    progressAppointments: true,
    editPatients: true,
    readNotes: false,
    manageDoctors: false,
    manageRooms: false,
    manageStaff: false,
    manageClinic: false,
  },
  clinicId: "clinic-1",
  clinicName: "Clínica Sol",
  timeZone: "Europe/Madrid",
  doctorId: null,
  clinics: [{ clinicId: "clinic-1", clinicName: "Clínica Sol", role: "reception", isOwner: false }],
  tokenWarning: null,
};

export function doctor(id: string, fullName: string): Doctor {
  return { id, fullName, specialties: [], userId: null, active: true, hours: [], timeOff: [] };
}

export function appointment(over: Partial<Appointment> = {}): Appointment {
  const start = over.start ?? `${TODAY}T09:00`;
  const end = over.end ?? `${TODAY}T09:30`;
  return {
    id: "appt-1",
    startsAt: `${start}:00Z`,
    endsAt: `${end}:00Z`,
    start,
    end,
    status: "booked",
    doctorId: "doc-1",
    doctorName: "Dr. Elena García",
    patientId: "pat-1",
    patientName: "Lucía Gómez",
    roomId: null,
    roomName: null,
    reason: null,
    cancelReason: null,
    pending: false,
    ...over,
  };
}

/** A doctor as the agenda shows them: their weekly hours laid onto the given days. */
export function agendaDoctor(d: Doctor, days: string[], extraWorking: WallRange[] = []): AgendaDoctor {
  return {
    id: d.id,
    fullName: d.fullName,
    specialties: d.specialties,
    days: days.map((date) => ({
      date,
      workingHours: [
        ...d.hours
          .filter((h) => h.weekday === weekday(date))
          .map((h) => ({ start: `${date}T${h.start}`, end: `${date}T${h.end}`, reason: null })),
        ...extraWorking.filter((r) => r.start.startsWith(date)),
      ],
      timeOff: d.timeOff
        .filter((t) => t.start.startsWith(date))
        .map((t) => ({ start: t.start, end: t.end, reason: t.reason })),
    })),
  };
}

type Method = keyof Backend;

export class FakeBackend implements Backend {
  calls: { method: Method; args: unknown[] }[] = [];
  session: Session | null = SESSION;
  doctorList: Doctor[] = [doctor("doc-1", "Dr. Elena García"), doctor("doc-2", "Dr. Wei Chen")];
  roomList: Room[] = [{ id: "room-1", name: "Room 1", active: true }];
  patients: PatientSummary[] = [
    {
      id: "pat-1",
      fullName: "Lucía Gómez",
      dateOfBirth: "1980-02-01",
      phone: "600111222",
      email: null,
      archived: false,
      pending: false,
    },
    {
      id: "pat-2",
      fullName: "Luis Martín",
      dateOfBirth: null,
      phone: null,
      email: "luis@example.com",
      archived: false,
      pending: false,
    },
  ];
  appointments: Appointment[] = [];
  conflictList: ConflictView[] = [];
  status: SyncStatusView = {
    state: "online",
    lastSyncAt: null,
    pending: 0,
    conflicts: 0,
    lastError: null,
    live: true,
  };
  stored: Settings = { language: "en", theme: "light", notifications: {} };
  private failures = new Map<Method, BackendError>();
  private deskListeners: (() => void)[] = [];

  failNext(method: Method, code: string, message = code, field?: string, retryAfterSecs?: number): void {
    this.failures.set(method, new BackendError(code, message, field, retryAfterSecs));
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

  private patientRecord(id: string): PatientRecord {
    const p = this.patients.find((x) => x.id === id);
    if (!p) {
      throw new BackendError("not_found", "no such patient on this desk");
    }
    return {
      patient: {
        id: p.id,
        fullName: p.fullName,
        dateOfBirth: p.dateOfBirth,
        sex: null,
        nationalId: null,
        phone: p.phone,
        email: p.email,
        address: null,
        emailConsent: false,
        emailConsentAt: null,
        archived: p.archived,
      },
      pending: p.pending,
      appointments: this.appointments.filter((a) => a.patientId === id),
      canReadNotes: false,
      notes: [],
    };
  }

  private register(form: PatientForm): PatientRecord {
    const id = `pat-${this.patients.length + 1}`;
    this.patients.push({
      id,
      fullName: form.fullName,
      dateOfBirth: form.dateOfBirth,
      phone: form.phone,
      email: form.email,
      archived: false,
      pending: true,
    });
    return this.patientRecord(id);
  }

  /** What `appInfo` suggests as the sign-in form's server. */
  suggestedServer: string | null = null;
  appInfo: Backend["appInfo"] = () =>
    this.record("appInfo", [], () => ({ name: "Clinic Desk", version: "0.1.0", suggestedServer: this.suggestedServer }));
  sessionState: Backend["sessionState"] = () => this.record("sessionState", [], () => this.session);
  signIn: Backend["signIn"] = (...args) =>
    this.record("signIn", args, () => ({ kind: "signedIn" as const, session: SESSION }));
  switchClinic: Backend["switchClinic"] = (...args) => this.record("switchClinic", args, () => SESSION);
  signOut: Backend["signOut"] = (...args) =>
    this.record("signOut", args, () => ({ revoked: true, localDataWiped: args[0].wipeLocalData }));

  syncStatus: Backend["syncStatus"] = () => this.record("syncStatus", [], () => this.status);
  syncNow: Backend["syncNow"] = () => this.record("syncNow", [], () => null);
  onSyncStatus: Backend["onSyncStatus"] = (listener) =>
    this.record("onSyncStatus", [], () => {
      listener(this.status);
      return () => {};
    });
  onDeskChanged: Backend["onDeskChanged"] = (listener) =>
    this.record("onDeskChanged", [], () => {
      const each = () => listener({ revision: 1 });
      this.deskListeners.push(each);
      return () => {
        this.deskListeners = this.deskListeners.filter((l) => l !== each);
      };
    });

  agenda: Backend["agenda"] = (...args) =>
    this.record("agenda", args, (): Agenda => {
      const [request] = args;
      const first = request.days === 7 ? weekStart(request.date) : request.date;
      const days = Array.from({ length: request.days }, (_, i) => addDays(first, i));
      const roster = this.doctorList.filter((d) => d.active);
      const doctors = roster.filter((d) => request.doctorIds.includes(d.id));
      return {
        timeZone: SESSION.timeZone ?? "UTC",
        today: TODAY,
        days,
        roster: roster.map(({ id, fullName, specialties }) => ({ id, fullName, specialties })),
        doctors: doctors.map((d) => agendaDoctor(d, days)),
        rooms: this.roomList,
        appointments: this.appointments.filter(
          (a) => days.includes(a.start.slice(0, 10)) && doctors.some((d) => d.id === a.doctorId),
        ),
      };
    });

  bookAppointment: Backend["bookAppointment"] = (...args) =>
    this.record("bookAppointment", args, () => {
      const [b] = args;
      const booked = appointment({
        id: `appt-${this.appointments.length + 1}`,
        doctorId: b.doctorId,
        patientId: b.patientId,
        patientName: this.patients.find((p) => p.id === b.patientId)?.fullName ?? null,
        start: b.start,
        end: addMinutes(b.start, b.minutes),
        pending: true,
      });
      this.appointments.push(booked);
      return booked;
    });
  rescheduleAppointment: Backend["rescheduleAppointment"] = (...args) =>
    this.record("rescheduleAppointment", args, () => {
      const [change] = args;
      const found = this.appointments.find((a) => a.id === change.id) ?? appointment({ id: change.id });
      Object.assign(found, {
        start: change.start,
        end: addMinutes(change.start, change.minutes),
        doctorId: change.doctorId,
        roomId: change.roomId,
        pending: true,
      });
      return found;
    });
  cancelAppointment: Backend["cancelAppointment"] = (...args) =>
    this.record("cancelAppointment", args, () => appointment({ id: args[0].id, status: "cancelled" }));
  checkIn: Backend["checkIn"] = (...args) =>
    this.record("checkIn", args, () => appointment({ id: args[0], status: "checked_in" }));
  markNoShow: Backend["markNoShow"] = (...args) =>
    this.record("markNoShow", args, () => appointment({ id: args[0], status: "no_show" }));
  completeAppointment: Backend["completeAppointment"] = (...args) =>
    this.record("completeAppointment", args, () => appointment({ id: args[0], status: "completed" }));

  searchPatients: Backend["searchPatients"] = (...args) =>
    this.record("searchPatients", args, () => {
      const words = args[0].query.toLowerCase().split(/\s+/);
      return this.patients.filter((p) => words.every((w) => p.fullName.toLowerCase().includes(w)));
    });
  patient: Backend["patient"] = (...args) => this.record("patient", args, () => this.patientRecord(args[0]));
  registerPatient: Backend["registerPatient"] = (...args) =>
    this.record("registerPatient", args, () => this.register(args[0]));
  updatePatient: Backend["updatePatient"] = (...args) =>
    this.record("updatePatient", args, () => this.patientRecord(args[0].id));
  archivePatient: Backend["archivePatient"] = (...args) =>
    this.record("archivePatient", args, () => this.patientRecord(args[0]));

  doctors: Backend["doctors"] = (...args) => this.record("doctors", args, () => this.doctorList);
  createDoctor: Backend["createDoctor"] = (...args) =>
    this.record("createDoctor", args, () => {
      const created = { ...doctor(`doc-${this.doctorList.length + 1}`, args[0].fullName), specialties: args[0].specialties };
      this.doctorList.push(created);
      return created.id;
    });
  updateDoctor: Backend["updateDoctor"] = (...args) => this.record("updateDoctor", args, () => null);
  setWorkingHours: Backend["setWorkingHours"] = (...args) =>
    this.record("setWorkingHours", args, () => this.updateDoctorHours(args[0].doctorId, args[0].hours));
  addTimeOff: Backend["addTimeOff"] = (...args) =>
    this.record("addTimeOff", args, () => {
      const d = this.doctorOf(args[0].doctorId);
      d.timeOff.push({ id: `off-${d.timeOff.length + 1}`, start: args[0].start, end: args[0].end, reason: args[0].reason });
      return d;
    });
  removeTimeOff: Backend["removeTimeOff"] = (...args) =>
    this.record("removeTimeOff", args, () => {
      const d = this.doctorOf(args[0].doctorId);
      d.timeOff = d.timeOff.filter((t) => t.id !== args[0].timeOffId);
      return d;
    });
  rooms: Backend["rooms"] = (...args) => this.record("rooms", args, () => this.roomList);
  createRoom: Backend["createRoom"] = (...args) =>
    this.record("createRoom", args, () => {
      const room = { id: `room-${this.roomList.length + 1}`, name: args[0], active: true };
      this.roomList.push(room);
      return room;
    });
  updateRoom: Backend["updateRoom"] = (...args) =>
    this.record("updateRoom", args, () => {
      const room = this.roomList.find((r) => r.id === args[0].id) ?? { id: args[0].id, name: "", active: true };
      Object.assign(room, {
        name: args[0].name ?? room.name,
        active: args[0].active ?? room.active,
      });
      return room;
    });
  staff: Backend["staff"] = () => this.record("staff", [], () => []);
  changeRole: Backend["changeRole"] = (...args) =>
    this.record("changeRole", args, () => ({
      userId: args[0].userId,
      fullName: "Someone",
      email: "someone@example.com",
      role: args[0].role,
      isOwner: false,
      joinedAt: "2026-01-01T00:00:00Z",
    }));
  removeStaff: Backend["removeStaff"] = (...args) => this.record("removeStaff", args, () => null);
  invitations: Backend["invitations"] = () => this.record("invitations", [], () => []);
  invite: Backend["invite"] = (...args) =>
    this.record("invite", args, () => ({
      id: "inv-1",
      email: args[0].email,
      role: args[0].role,
      createdAt: "2026-03-30T07:00:00Z",
      expiresAt: "2026-04-06T07:00:00Z",
    }));
  revokeInvitation: Backend["revokeInvitation"] = (...args) => this.record("revokeInvitation", args, () => null);
  clinicSettings: Backend["clinicSettings"] = () =>
    this.record("clinicSettings", [], () => ({
      name: SESSION.clinicName,
      timeZone: SESSION.timeZone ?? "UTC",
      locale: "es",
      currency: "EUR",
    }));
  updateClinicSettings: Backend["updateClinicSettings"] = (...args) =>
    this.record("updateClinicSettings", args, () => ({
      name: args[0].name ?? SESSION.clinicName,
      timeZone: args[0].timeZone ?? "UTC",
      locale: args[0].locale ?? "es",
      currency: "EUR",
    }));

  conflicts: Backend["conflicts"] = () => this.record("conflicts", [], () => [...this.conflictList]);
  resolveConflict: Backend["resolveConflict"] = (...args) =>
    this.record("resolveConflict", args, () => {
      this.conflictList = this.conflictList.filter((c) => c.id !== args[0].id);
      return [...this.conflictList];
    });

  settings: Backend["settings"] = () => this.record("settings", [], () => this.stored);
  updateSettings: Backend["updateSettings"] = (...args) =>
    this.record("updateSettings", args, () => {
      this.stored = args[0];
      return this.stored;
    });

  private doctorOf(id: string): Doctor {
    const found = this.doctorList.find((d) => d.id === id);
    if (!found) {
      throw new BackendError("not_found", "no such doctor on this desk");
    }
    return found;
  }

  private updateDoctorHours(id: string, hours: WeeklyHours[]): Doctor {
    const d = this.doctorOf(id);
    d.hours = hours;
    return d;
  }
}
