import { describe, expect, it } from "vitest";

import { BACKEND_UNKNOWN, BackendError, toBackendError } from "./backend-error";

describe("toBackendError", () => {
  it("keeps the code and message of a coded error from a command", () => {
    const error = toBackendError({ code: "slot_taken", message: "Dr. Ruiz is booked at 10:00" });

    expect(error).toBeInstanceOf(BackendError);
    expect(error.code).toBe("slot_taken");
    expect(error.message).toBe("Dr. Ruiz is booked at 10:00");
  });

  it("returns a BackendError unchanged", () => {
    const original = new BackendError("offline", "No connection");

    expect(toBackendError(original)).toBe(original);
  });

  it.each([
    ["a bare string from tauri", "Command app_info not allowed by ACL", "Command app_info not allowed by ACL"],
    ["an Error", new TypeError("boom"), "boom"],
    ["an object without a code", { message: "no code" }, "The desktop shell failed without saying why."],
    ["an empty code", { code: "", message: "empty" }, "The desktop shell failed without saying why."],
    ["null", null, "The desktop shell failed without saying why."],
  ])("maps %s to an unknown error", (_label, raw, message) => {
    const error = toBackendError(raw);

    expect(error.code).toBe(BACKEND_UNKNOWN);
    expect(error.message).toBe(message);
  });
});
