/**
 * The only module that talks to the desktop shell. Everything else receives a
 * `Backend` and never imports `@tauri-apps/api` or `./bindings`' commands, so
 * tests pass a fake.
 *
 * The commands and their types are generated from Rust (`./bindings.ts`, see
 * src-tauri/README.md). Every failure rejects with a `BackendError`
 * `{ code, message, field? }`; branch on `code`, never on `message`.
 *
 * Times: requests and responses use the clinic's wall clock,
 * `"YYYY-MM-DDTHH:MM"` (`start`, `end`); responses also carry the UTC instant
 * (`startsAt`, `endsAt`). Dates are `"YYYY-MM-DD"`. The UI does no time-zone
 * arithmetic.
 */
import { isTauri } from "@tauri-apps/api/core";

import { BACKEND_UNAVAILABLE, BackendError, toBackendError } from "./backend-error";
import { commands, events, type DeskChanged, type SyncStatusView } from "./bindings";

export type * from "./bindings";
/** The limits desk and server enforce, for the forms to check as a person types. */
export { LIMITS, MAX_LEAD_MINUTES } from "./bindings";

type Commands = typeof commands;

/** Stops a subscription. */
export type Unsubscribe = () => void;

/** Every command of the shell, plus what it pushes without being asked. */
export type Backend = Commands & {
  /** The sync status whenever it changes (also right after the desk opens). */
  onSyncStatus(listener: (status: SyncStatusView) => void): Promise<Unsubscribe>;
  /** The local data changed (an action, a sync): re-read what is shown. */
  onDeskChanged(listener: (change: DeskChanged) => void): Promise<Unsubscribe>;
};

function requireShell(): void {
  if (!isTauri()) {
    throw new BackendError(BACKEND_UNAVAILABLE, "This page must run inside the Clinic Desk app.");
  }
}

// `any[]`: the parameters of any command (`unknown[]` would reject them all).
type AnyCommand = (...args: any[]) => Promise<unknown>;

function guarded<F extends AnyCommand>(command: F): F {
  return (async (...args: Parameters<F>) => {
    requireShell();
    try {
      return await command(...args);
    } catch (raw) {
      throw toBackendError(raw);
    }
  }) as F;
}

function guardedCommands(): Commands {
  const entries = Object.entries(commands).map(([name, command]) => [name, guarded(command as AnyCommand)]);
  return Object.fromEntries(entries) as Commands;
}

async function subscribe(listen: () => Promise<Unsubscribe>): Promise<Unsubscribe> {
  requireShell();
  try {
    return await listen();
  } catch (raw) {
    throw toBackendError(raw);
  }
}

export const tauriBackend: Backend = {
  ...guardedCommands(),
  onSyncStatus: (listener) =>
    subscribe(() => events.syncStatusChanged.listen((event) => listener(event.payload))),
  onDeskChanged: (listener) => subscribe(() => events.deskChanged.listen((event) => listener(event.payload))),
};
