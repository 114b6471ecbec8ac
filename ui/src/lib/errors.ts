import { BACKEND_UNAVAILABLE, BACKEND_UNKNOWN, toBackendError, type BackendErrorCode } from "../backend-error";
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

/**
 * How a code is worded: `plain` when its meaning is the whole story (the
 * backend's text adds nothing a person needs), `detailed` when the backend's
 * text adds detail (what exactly, which file), shown beneath the UI's own words.
 */
interface Wording {
  key: MessageKey;
  detail: boolean;
}
const plain = (key: MessageKey): Wording => ({ key, detail: false });
const detailed = (key: MessageKey): Wording => ({ key, detail: true });

/** Every code there is, worded: a code added in Rust is a type error here until it is. */
const WORDING: Record<BackendErrorCode, Wording> = {
  // The server's, which the desk's own checks reuse.
  invalid: detailed("reason.invalid"),
  unauthenticated: plain("error.unauthenticated"),
  bad_credentials: plain("error.bad_credentials"),
  not_permitted: plain("reason.not_permitted"),
  not_found: plain("reason.not_found"),
  slot_taken: plain("reason.slot_taken"),
  outside_working_hours: plain("reason.outside_working_hours"),
  stale: plain("reason.stale"),
  conflict: detailed("reason.conflict"),
  rate_limited: plain("error.rate_limited"),
  payload_too_large: plain("error.payload_too_large"),
  internal: plain("error.internal"),
  unavailable: plain("error.unavailable"),
  // The desk's.
  offline: plain("error.offline"),
  protocol: plain("error.protocol"),
  not_synced: plain("error.not_synced"),
  not_signed_in: plain("error.not_signed_in"),
  // Sign-in answers with the clinic picker instead; nothing else gives it.
  choose_clinic: detailed("error.unknown"),
  secret_store: detailed("error.secret_store"),
  local_store: detailed("error.local_store"),
  // The UI's own.
  [BACKEND_UNAVAILABLE]: plain("error.backend_unavailable"),
  [BACKEND_UNKNOWN]: detailed("error.unknown"),
};

/** A code's wording; none for a code this UI does not know (a newer shell's). */
function wordingOf(code: string): Wording | undefined {
  return Object.hasOwn(WORDING, code) ? WORDING[code as BackendErrorCode] : undefined;
}

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
  const wording = wordingOf(error.code);
  if (wording && !wording.detail) {
    return { key: wording.key };
  }
  if (error.code === "invalid" && error.field && FIELD_LABELS[error.field]) {
    return { key: "reason.invalid_field", params: { field: error.field }, detail: error.message };
  }
  return { key: wording?.key ?? "error.unknown", detail: error.message };
}

/** The form field an error is about, so it can be shown beside that field. */
export function errorField(raw: unknown): string | null {
  return toBackendError(raw).field ?? null;
}

/** Whether the action failed only because the desk is offline (worth a "needs a connection" note). */
export function isOffline(raw: unknown): boolean {
  return toBackendError(raw).code === "offline";
}
