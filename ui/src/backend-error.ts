/**
 * Errors cross IPC as `{ code, message }`. The UI branches on `code` only;
 * `message` is for people and may change wording at any time.
 */
export class BackendError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = "BackendError";
    this.code = code;
  }
}

/** The page is not running inside the desktop shell (e.g. opened in a browser). */
export const BACKEND_UNAVAILABLE = "backend_unavailable";
/** The shell failed in a way that carries no code (panic, refused by the ACL, bug). */
export const BACKEND_UNKNOWN = "backend_unknown";

function isCoded(value: unknown): value is { code: string; message: string } {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const { code, message } = value as Record<string, unknown>;
  return typeof code === "string" && code !== "" && typeof message === "string";
}

/** Normalises whatever a failed `invoke` rejected with into a `BackendError`. */
export function toBackendError(raw: unknown): BackendError {
  if (raw instanceof BackendError) {
    return raw;
  }
  if (isCoded(raw)) {
    return new BackendError(raw.code, raw.message);
  }
  if (typeof raw === "string") {
    // Tauri itself rejects with a bare string, e.g. when a command is not allowed.
    return new BackendError(BACKEND_UNKNOWN, raw);
  }
  if (raw instanceof Error) {
    return new BackendError(BACKEND_UNKNOWN, raw.message);
  }
  return new BackendError(BACKEND_UNKNOWN, "The desktop shell failed without saying why.");
}
