import { errorMessage, isOffline, type Message } from "./errors";

/**
 * For actions only the server can do (staff, invitations, clinic settings,
 * creating doctors): an offline failure says the action needs a connection
 * instead of blaming the address.
 */
export function onlineOnlyError(raw: unknown): Message {
  return isOffline(raw) ? { key: "common.needs_connection" } : errorMessage(raw);
}
