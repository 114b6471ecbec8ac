import { BACKEND_UNAVAILABLE, toBackendError } from "../backend-error";
import { t, type MessageKey, type Params } from "../i18n/index.svelte";

/**
 * A message to show: a catalogue key and its parameters, translated at
 * render time, and optionally the backend's own text as secondary detail
 * (it is English and written for support, not the main wording).
 */
export interface Message {
  key: MessageKey;
  params?: Params;
  detail?: string;
}

/** The names of the fields the backend may name in an error, as the forms label them. */
const FIELD_LABELS: Record<string, MessageKey> = {
  start: "booking.time",
  time: "booking.time",
  date: "booking.date",
  end: "admin.until",
  minutes: "booking.duration",
  doctorId: "booking.doctor",
  patientId: "booking.patient",
  roomId: "booking.room",
  reason: "booking.reason",
  fullName: "patients.fullName",
  dateOfBirth: "patients.dateOfBirth",
  nationalId: "patients.nationalId",
  phone: "patients.phone",
  email: "patients.email",
  address: "patients.address",
  sex: "patients.sex",
  emailConsent: "patients.emailConsent",
  name: "admin.doctor_name",
  specialties: "admin.specialties",
  timeZone: "admin.time_zone",
  locale: "admin.locale",
  role: "admin.role",
  server: "signin.server",
  password: "signin.password",
};

/** A message in the UI's language, with a named field's label in it. */
export function say(message: Message): string {
  const field = message.params?.["field"];
  const label = typeof field === "string" ? FIELD_LABELS[field] : undefined;
  return t(message.key, label ? { ...message.params, field: t(label) } : message.params);
}

/** Codes whose meaning is the whole story: the backend's text adds nothing a person needs. */
const PLAIN: Record<string, MessageKey> = {
  slot_taken: "reason.slot_taken",
  outside_working_hours: "reason.outside_working_hours",
  stale: "reason.stale",
  not_permitted: "reason.not_permitted",
  not_found: "reason.not_found",
  bad_credentials: "error.bad_credentials",
  rate_limited: "error.rate_limited",
  offline: "error.offline",
  unauthenticated: "error.unauthenticated",
  not_signed_in: "error.not_signed_in",
  not_synced: "error.not_synced",
  protocol: "error.protocol",
  unavailable: "error.unavailable",
  internal: "error.internal",
  payload_too_large: "error.payload_too_large",
  [BACKEND_UNAVAILABLE]: "error.backend_unavailable",
};

/** Codes whose backend text adds detail (what exactly, which file): shown beneath the UI's own words. */
const DETAILED: Record<string, MessageKey> = {
  invalid: "reason.invalid",
  conflict: "reason.conflict",
  secret_store: "error.secret_store",
  local_store: "error.local_store",
};

/**
 * What to tell a person about a failed action, in the UI's words. Branches
 * on `code` (and `field`, `retryAfterSecs`) only; the backend's message is
 * kept as secondary `detail` where the code alone cannot say exactly what
 * was wrong.
 */
export function errorMessage(raw: unknown): Message {
  const error = toBackendError(raw);
  if (error.code === "rate_limited" && error.retryAfterSecs !== undefined) {
    const minutes = Math.ceil(error.retryAfterSecs / 60);
    return minutes <= 1
      ? { key: "error.rate_limited_wait_one" }
      : { key: "error.rate_limited_wait", params: { minutes } };
  }
  const plain = PLAIN[error.code];
  if (plain) {
    return { key: plain };
  }
  if (error.code === "invalid" && error.field && FIELD_LABELS[error.field]) {
    return { key: "reason.invalid_field", params: { field: error.field }, detail: error.message };
  }
  const detailed = DETAILED[error.code];
  if (detailed) {
    return { key: detailed, detail: error.message };
  }
  return { key: "error.unknown", detail: error.message };
}

/** The form field an error is about, so it can be shown beside that field. */
export function errorField(raw: unknown): string | null {
  return toBackendError(raw).field ?? null;
}

/** Whether the action failed only because the desk is offline (worth a "needs a connection" note). */
export function isOffline(raw: unknown): boolean {
  return toBackendError(raw).code === "offline";
}
