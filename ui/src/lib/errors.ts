import { BACKEND_UNAVAILABLE, toBackendError } from "../backend-error";
import type { MessageKey, Params } from "../i18n/index.svelte";

/** A message to show: a catalogue key and its parameters, translated at render time. */
export interface Message {
  key: MessageKey;
  params?: Params;
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

/** Codes whose backend text carries the detail (which field, which file). */
const DETAILED: Record<string, MessageKey> = {
  invalid: "reason.invalid",
  conflict: "reason.conflict",
  secret_store: "error.secret_store",
  local_store: "error.local_store",
};

/**
 * What to tell a person about a failed action. Branches on `code` only; the
 * backend's message is shown as detail where the code alone cannot say what
 * was wrong (e.g. which field was invalid).
 */
export function errorMessage(raw: unknown): Message {
  const error = toBackendError(raw);
  const plain = PLAIN[error.code];
  if (plain) {
    return { key: plain };
  }
  const detailed = DETAILED[error.code];
  if (detailed) {
    return { key: detailed, params: { detail: error.message } };
  }
  return { key: "error.unknown", params: { detail: error.message } };
}

/** The form field an error is about, so it can be shown beside that field. */
export function errorField(raw: unknown): string | null {
  return toBackendError(raw).field ?? null;
}

/** Whether the action failed only because the desk is offline (worth a "needs a connection" note). */
export function isOffline(raw: unknown): boolean {
  return toBackendError(raw).code === "offline";
}
