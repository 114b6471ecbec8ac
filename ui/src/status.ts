import { BACKEND_UNAVAILABLE, toBackendError, type BackendError } from "./backend-error";
import type { AppInfo, Backend } from "./backend";

/** What the header knows about the shell it runs in. */
export type ShellStatus =
  | { kind: "loading" }
  | { kind: "ready"; info: AppInfo }
  | { kind: "failed"; error: BackendError };

export async function loadShellStatus(backend: Pick<Backend, "appInfo">): Promise<ShellStatus> {
  try {
    return { kind: "ready", info: await backend.appInfo() };
  } catch (raw) {
    return { kind: "failed", error: toBackendError(raw) };
  }
}

export function statusText(status: ShellStatus): string {
  switch (status.kind) {
    case "loading":
      return "Connecting to the desktop shell…";
    case "ready":
      return `Version ${status.info.version}`;
    case "failed":
      return status.error.code === BACKEND_UNAVAILABLE
        ? "Open Clinic Desk from the desktop app: this window is not connected to it."
        : `The desktop shell did not answer (${status.error.code}).`;
  }
}
