/**
 * The only module that talks to the desktop shell. Everything else receives a
 * `Backend` and never imports `@tauri-apps/api`, so tests pass a fake.
 */
import { invoke, isTauri, type InvokeArgs } from "@tauri-apps/api/core";

import { BACKEND_UNAVAILABLE, BackendError, toBackendError } from "./backend-error";

/** Mirrors `AppInfo` in src-tauri/src/commands/app.rs. */
export interface AppInfo {
  name: string;
  version: string;
}

export interface Backend {
  appInfo(): Promise<AppInfo>;
}

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  if (!isTauri()) {
    throw new BackendError(
      BACKEND_UNAVAILABLE,
      "This page must run inside the Clinic Desk app.",
    );
  }
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw toBackendError(raw);
  }
}

export const tauriBackend: Backend = {
  appInfo: () => call<AppInfo>("app_info"),
};
