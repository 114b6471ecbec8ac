import type { CommandErrorCode } from "./backend";

/**
 * Errors cross IPC as `{ code, message, field? }`. The UI branches on `code`
 * only; `message` is for people and may change wording at any time; `field`
 * names the input at fault (e.g. `start`, `email`) so a form can mark it.
 */
export class BackendError extends Error {
  readonly code: string;
  readonly field: string | undefined;
  /** For `rate_limited`: how many seconds the server asked to wait. */
  readonly retryAfterSecs: number | undefined;

  constructor(code: string, message: string, field?: string, retryAfterSecs?: number) {
    super(message);
    this.name = "BackendError";
    this.code = code;
    this.field = field;
    this.retryAfterSecs = retryAfterSecs;
  }
}

/** The page is not running inside the desktop shell (e.g. opened in a browser). */
export const BACKEND_UNAVAILABLE = "backend_unavailable";
/** The shell failed in a way that carries no code (panic, refused by the ACL, bug). */
export const BACKEND_UNKNOWN = "backend_unknown";

/**
 * Every code a `BackendError` may carry: the shell's, generated from Rust,
 * and the UI's own two. (`BackendError.code` stays a string: it is what came
 * over IPC, and a newer shell may send a code this UI does not know.)
 */
export type BackendErrorCode = CommandErrorCode | typeof BACKEND_UNAVAILABLE | typeof BACKEND_UNKNOWN;

function isCoded(
  value: unknown,
): value is { code: string; message: string; field?: unknown; retryAfterSecs?: unknown } {
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
    const field = typeof raw.field === "string" && raw.field !== "" ? raw.field : undefined;
    const wait = typeof raw.retryAfterSecs === "number" && raw.retryAfterSecs >= 0 ? raw.retryAfterSecs : undefined;
    return new BackendError(raw.code, raw.message, field, wait);
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
